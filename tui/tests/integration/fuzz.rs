//! Random keys, mouse events and sizes never panic the key handler, the
//! update or the drawing.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tern_tui::app::Action;

fn random_key(rng: &mut fastrand::Rng) -> KeyEvent {
    const CHARS: &[char] = &[
        'a', 'j', 'k', 'g', 'G', 'q', 'i', 'r', 'e', 'd', 'y', 'n', '+', ':', '/', '?', ' ', '@',
        'ж', '👍', 'R', 'h', 'l', '1', 'o', 's', 'm', 'M', 'D', '~', '.',
    ];
    let code = match rng.u8(0..16) {
        0 => KeyCode::Enter,
        1 => KeyCode::Esc,
        2 => KeyCode::Tab,
        3 => KeyCode::BackTab,
        4 => KeyCode::Backspace,
        5 => KeyCode::Up,
        6 => KeyCode::Down,
        7 => KeyCode::Left,
        8 => KeyCode::Right,
        9 => KeyCode::PageUp,
        10 => KeyCode::PageDown,
        11 => KeyCode::Home,
        12 => KeyCode::F(rng.u8(1..13)),
        13 => KeyCode::Delete,
        _ => KeyCode::Char(CHARS[rng.usize(..CHARS.len())]),
    };
    let mods = match rng.u8(0..10) {
        0 => KeyModifiers::CONTROL,
        1 => KeyModifiers::ALT,
        2 => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    KeyEvent::new(code, mods)
}

#[test]
fn random_input_never_panics() {
    let seed = std::env::var("TERN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x7e57);
    let mut rng = fastrand::Rng::with_seed(seed);
    for round in 0..40 {
        let mut app = crate::snapshots::fixture(if round % 2 == 0 { "en" } else { "ru" });
        if round % 5 == 0 {
            app.screen = tern_tui::app::Screen::Login;
        }
        // The popups, progress bars and a scrolled-back window too.
        match round % 4 {
            1 => {
                let _ = app.update(Action::Key(tern_tui::keys::Bound::Members));
                let _ = app.update(Action::MembersLoaded(vec![]));
            }
            2 => {
                let _ = app.run_command("directory");
                let _ = app.update(Action::DirectoryLoaded(vec![tern_tui::app::DirEntry {
                    id: uuid::Uuid::from_u128(77),
                    workspace: "w".into(),
                    name: "x".into(),
                    topic: None,
                    members: 0,
                    joined: false,
                }]));
            }
            3 => {
                app.timeline.detached = true;
                app.transfers.push(tern_tui::app::Transfer {
                    file: uuid::Uuid::from_u128(78),
                    name: "f".into(),
                    done: 5,
                    total: Some(0),
                    upload: true,
                    finished: false,
                });
            }
            _ => {}
        }
        let (mut w, mut h) = (100u16, 30u16);
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        for step in 0..400 {
            if rng.u8(0..25) == 0 {
                // A command line, as typed after `:`.
                const LINES: &[&str] = &[
                    "upload",
                    "upload /nonexistent/x",
                    "open",
                    "save",
                    "save ~/x",
                    "mute",
                    "unmute nope",
                    "notify",
                    "notify all",
                    "notify bogus",
                    "invite",
                    "invite @",
                    "members",
                    "directory",
                    "dm",
                    "dm b",
                    "leave nope",
                    "create",
                    "join",
                ];
                let line = LINES[rng.usize(..LINES.len())];
                let _ = app.run_command(line);
                let _ = tern_tui::app::complete_command(line, &app.users, &app.names, app.me);
            }
            let actions = if rng.u8(0..20) == 0 {
                let kind = match rng.u8(0..3) {
                    0 => MouseEventKind::ScrollUp,
                    1 => MouseEventKind::ScrollDown,
                    _ => MouseEventKind::Down(MouseButton::Left),
                };
                app.on_mouse(
                    MouseEvent {
                        kind,
                        column: rng.u16(0..w.max(1)),
                        row: rng.u16(0..h.max(1)),
                        modifiers: KeyModifiers::NONE,
                    },
                    w,
                    h,
                )
            } else {
                app.on_key(random_key(&mut rng))
            };
            for a in actions {
                if matches!(a, Action::Quit) {
                    continue;
                }
                let _ = app.update(a);
            }
            app.quit = false;
            if step % 50 == 0 {
                w = rng.u16(1..160);
                h = rng.u16(1..50);
                term.backend_mut().resize(w, h);
                term.resize(ratatui::layout::Rect::new(0, 0, w, h)).unwrap();
            }
            term.draw(|f| tern_tui::draw::draw(f, &app)).unwrap();
        }
    }
}
