//! The full-screen client: terminal set-up and restore, the panic hook,
//! and the event loop, which is generic over the ratatui [`Backend`] so
//! tests run it against a `TestBackend`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use tern_client_core::i18n::Translator;
use tokio::sync::mpsc;

use crate::app::{Action, App, Cmd};
use crate::profile::ProfileState;
use crate::session::Session;
use crate::worker::{self, WorkerHandle};

/// Where terminal notifications go (the real terminal, or nowhere in tests).
pub trait Notifier: Send {
    fn notify(&mut self, title: &str, body: &str);
}

/// OSC 777 (and OSC 9) notifications plus the bell.
pub struct TerminalNotifier {
    pub bell: bool,
}

impl Notifier for TerminalNotifier {
    fn notify(&mut self, title: &str, body: &str) {
        let mut out = std::io::stdout();
        let _ = write_notification(&mut out, title, body, self.bell);
    }
}

/// The bytes of a notification: OSC 777 (rxvt, foot, WezTerm, Ghostty...)
/// and OSC 9 (iTerm2, Windows Terminal, kitty...), each terminal showing
/// the one it knows, then the bell as the fallback every terminal has.
/// Text that could end or break a sequence is blanked.
pub fn write_notification(
    out: &mut impl Write,
    title: &str,
    body: &str,
    bell: bool,
) -> std::io::Result<()> {
    let clean = |s: &str| s.replace(['\x07', '\x1b', ';', '\n', '\r'], " ");
    write!(
        out,
        "\x1b]777;notify;{};{}\x07\x1b]9;{}: {}\x07",
        clean(title),
        clean(body),
        clean(title),
        clean(body)
    )?;
    if bell {
        write!(out, "\x07")?;
    }
    out.flush()
}

/// Drops notifications (tests).
#[derive(Debug, Default)]
pub struct NoNotifier(pub Vec<(String, String)>);

impl Notifier for NoNotifier {
    fn notify(&mut self, title: &str, body: &str) {
        self.0.push((title.to_owned(), body.to_owned()));
    }
}

/// Sends a command to the worker; its answer comes back as actions.
pub fn dispatch(
    cmd: Cmd,
    worker: &WorkerHandle,
    to_ui: &mpsc::UnboundedSender<Action>,
    notifier: &mut dyn Notifier,
) {
    if let Cmd::Notify { title, body } = &cmd {
        notifier.notify(title, body);
        return;
    }
    let rx = worker.request(cmd);
    let tx = to_ui.clone();
    tokio::spawn(async move {
        if let Ok(actions) = rx.await {
            for a in actions {
                let _ = tx.send(a);
            }
        }
    });
}

/// The loop: draw, wait for input or an answer, update, dispatch.
#[allow(clippy::too_many_arguments)]
pub async fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    input: &mut mpsc::UnboundedReceiver<Event>,
    actions: &mut mpsc::UnboundedReceiver<Action>,
    to_ui: &mpsc::UnboundedSender<Action>,
    worker: &WorkerHandle,
    initial: Vec<Cmd>,
    notifier: &mut dyn Notifier,
) -> Result<(), B::Error> {
    for c in initial {
        dispatch(c, worker, to_ui, notifier);
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // For `tern-bench coldstart`: quit once the first frame showing the
    // room list and the open room's first page is drawn.
    let exit_after_first_frame = std::env::var_os("TERN_EXIT_AFTER_FIRST_FRAME").is_some();
    while !app.quit {
        terminal.draw(|f| crate::draw::draw(f, app))?;
        if exit_after_first_frame && app.rooms_loaded && !app.timeline.loading {
            break;
        }
        let size = terminal.size()?;
        let mut events: Vec<Event> = Vec::new();
        let mut answers: Vec<Action> = Vec::new();
        tokio::select! {
            e = input.recv() => match e {
                Some(e) => events.push(e),
                None => app.quit = true,
            },
            a = actions.recv() => if let Some(a) = a { answers.push(a) },
            _ = tick.tick() => {}
        }
        // Take whatever else is waiting before drawing again.
        while let Ok(e) = input.try_recv() {
            events.push(e);
        }
        while let Ok(a) = actions.try_recv() {
            answers.push(a);
        }
        for a in answers {
            apply(app, a, worker, to_ui, notifier);
        }
        // Each event is read against the state the previous one left.
        for e in events {
            for a in event_actions(app, e, size.width, size.height) {
                if matches!(a, Action::Key(_) | Action::Text(_) | Action::Submit) {
                    app.notice = None;
                    app.clear_finished();
                }
                apply(app, a, worker, to_ui, notifier);
            }
        }
    }
    Ok(())
}

fn apply(
    app: &mut App,
    a: Action,
    worker: &WorkerHandle,
    to_ui: &mpsc::UnboundedSender<Action>,
    notifier: &mut dyn Notifier,
) {
    for c in app.update(a) {
        dispatch(c, worker, to_ui, notifier);
    }
}

fn event_actions(app: &App, e: Event, w: u16, h: u16) -> Vec<Action> {
    match e {
        Event::Key(k) => app.on_key(k),
        Event::Mouse(m) => app.on_mouse(m, w, h),
        Event::Paste(s) => s
            .chars()
            .map(|c| {
                Action::Text(if c == '\n' {
                    crate::input::TextOp::Newline
                } else {
                    crate::input::TextOp::Insert(c)
                })
            })
            .collect(),
        _ => vec![],
    }
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        LeaveAlternateScreen,
        DisableMouseCapture,
        crossterm::cursor::Show
    );
}

/// A panic puts the terminal back, leaves a report in the log and says
/// where it is.
fn install_panic_hook(log_path: &Path, tr: &Translator) {
    // Worded now: the hook must not depend on state a panic may have left
    // half-changed.
    let said = tr.tr_args(
        "tui-panic-report",
        &[("path", log_path.display().to_string().into())],
    );
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        let bt = std::backtrace::Backtrace::force_capture();
        tracing::error!(panic = %info, backtrace = %bt, "tern panicked");
        eprintln!("{said}");
    }));
}

/// Reads terminal events on a thread of its own until `stop`.
fn input_thread(tx: mpsc::UnboundedSender<Event>, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match crossterm::event::poll(Duration::from_millis(100)) {
                Ok(true) => match crossterm::event::read() {
                    Ok(e) => {
                        if tx.send(e).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot read the terminal");
                        return;
                    }
                },
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(error = %e, "cannot poll the terminal");
                    return;
                }
            }
        }
    });
}

/// Builds the app for a session: restored session or login screen.
pub fn build_app(session: &Session, me: Option<uuid::Uuid>) -> (App, Vec<Cmd>) {
    let cfg = &session.config;
    let tr = Translator::for_locale(session.tr.locale());
    let mut app = App::new(
        cfg.config.clone(),
        tr,
        session.offset,
        session.server_url.clone(),
    );
    if let Some(p) = &cfg.problem {
        app.notice = Some(crate::app::Notice {
            text: p.message(&app.tr),
            error: true,
        });
    }
    let state = ProfileState::load(&session.data_dir, &session.global.profile);
    app.workspaces = state.workspaces;
    app.prefs = state.rooms;
    let cmds = match me {
        Some(me) => app.start_signed_in(me),
        None => vec![],
    };
    (app, cmds)
}

/// Runs the full-screen client until the user quits.
pub async fn run(session: Session, log_path: &Path) -> Result<(), String> {
    let tr = &session.tr;
    let setup_failed = |e: std::io::Error| {
        tr.tr_args(
            "tui-terminal-setup-failed",
            &[("error", e.to_string().into())],
        )
    };
    let client = session
        .open_client()
        .await
        .map_err(|e| e.message(&session.tr))?;
    let (mut app, initial) = build_app(&session, client.account().map(|a| a.user_id));
    let (to_ui, mut actions) = mpsc::unbounded_channel();
    let worker = worker::spawn(session.clone(), client, to_ui.clone());
    install_panic_hook(log_path, tr);
    enable_raw_mode().map_err(setup_failed)?;
    let mut stdout = std::io::stdout();
    if let Err(e) = execute!(stdout, EnterAlternateScreen, EnableMouseCapture) {
        restore_terminal();
        return Err(setup_failed(e));
    }
    let mut terminal = match Terminal::new(CrosstermBackend::new(std::io::stdout())) {
        Ok(t) => t,
        Err(e) => {
            restore_terminal();
            return Err(setup_failed(e));
        }
    };
    let (in_tx, mut input) = mpsc::unbounded_channel();
    let stop = Arc::new(AtomicBool::new(false));
    input_thread(in_tx, stop.clone());
    if std::env::var_os("TERN_TEST_PANIC").is_some() {
        // For the end-to-end test of the panic hook only.
        let _ = terminal.draw(|f| crate::draw::draw(f, &app));
        panic!("panic requested by TERN_TEST_PANIC");
    }
    let mut notifier = TerminalNotifier {
        bell: session.config.config.notifications.bell,
    };
    let res = run_loop(
        &mut terminal,
        &mut app,
        &mut input,
        &mut actions,
        &to_ui,
        &worker,
        initial,
        &mut notifier,
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    restore_terminal();
    res.map_err(|e| tr.tr_args("tui-terminal-error", &[("error", e.to_string().into())]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_is_osc_777_and_osc_9_then_the_bell() {
        let mut out = Vec::new();
        write_notification(&mut out, "Bob Builder", "hi @alice", true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\x1b]777;notify;Bob Builder;hi @alice\x07\x1b]9;Bob Builder: hi @alice\x07\x07"
        );
        // A body cannot end the sequence early or start another.
        let mut out = Vec::new();
        write_notification(&mut out, "Eve", "a\x07\x1b]52;c;evil\nb", false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches('\x07').count(), 2, "{text:?}");
        assert_eq!(text.matches('\x1b').count(), 2, "{text:?}");
        assert!(!text.contains(";c;evil"), "{text:?}");
    }
}
