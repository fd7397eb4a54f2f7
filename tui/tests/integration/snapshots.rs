//! Every screen drawn into a `TestBackend` from a hand-made state, in
//! English and Russian. Times and ids are filtered out of the snapshots.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tern_client_core::i18n::Translator;
use tern_client_core::protocol::MessageKind;
use tern_client_core::protocol::room::{MemberState, RoomKind, RoomRole};
use tern_client_core::{
    Attachment, ConnectionState, ConnectionStatus, EchoState, MemberInfo, OutboxState,
    ReactionSummary, ReplyPreview, RoomSummary, SearchHit, Span, TimelineItem,
};
use tern_tui::app::{App, DirEntry, Focus, Hit, ListView, Overlay, Screen, SearchView, Transfer};
use tern_tui::config::{Config, ThemeName};
use tern_tui::input::TextInput;
use tern_tui::profile::WorkspaceName;
use tern_tui::theme::Theme;
use time::macros::datetime;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n)
}

const ME: u128 = 1;
const BOB: u128 = 2;
const CAROL: u128 = 3;
const WS: u128 = 10;
const GENERAL: u128 = 20;
const RANDOM: u128 = 21;
const DM: u128 = 22;

fn room(
    n: u128,
    name: &str,
    kind: RoomKind,
    unread: u32,
    mentions: u32,
    muted: bool,
) -> RoomSummary {
    RoomSummary {
        id: id(n),
        workspace_id: id(WS),
        kind,
        name: name.into(),
        topic: (n == GENERAL).then(|| "Company-wide chat".into()),
        membership: MemberState::Joined,
        muted,
        notify: tern_client_core::protocol::room::NotifyLevel::Mentions,
        unread_count: unread,
        mention_count: mentions,
        last_activity: datetime!(2026-11-24 10:00 UTC),
        last_message: None,
        local_only: false,
        pending_count: 0,
        failed_count: 0,
    }
}

fn item(
    n: u128,
    seq: Option<i64>,
    sender: u128,
    name: &str,
    body: &str,
    at: OffsetDateTime,
) -> TimelineItem {
    TimelineItem {
        id: id(100 + n),
        room_id: id(GENERAL),
        seq,
        sender_id: id(sender),
        sender_name: name.into(),
        kind: MessageKind::Text,
        body: body.into(),
        reply_to: None,
        thread_root: None,
        attachments: vec![],
        mentions_me: false,
        created_at: at,
        edited: false,
        deleted: false,
        reactions: vec![],
        echo: if seq.is_some() {
            EchoState::Remote
        } else {
            EchoState::Local(OutboxState::Pending)
        },
        pending_edit: None,
        pending_delete: None,
        txn_id: None,
    }
}

/// The demo-like state: three rooms, a timeline with edits, a reply,
/// reactions, a delete, an attachment, a new-messages line, a pending and
/// a failed local echo.
pub fn fixture(locale: &str) -> App {
    let mut app = App::new(
        Config::default(),
        Translator::for_locale(locale),
        UtcOffset::UTC,
        "http://127.0.0.1:8080".into(),
    );
    app.theme = Theme::new(ThemeName::Dark, false);
    app.screen = Screen::Main;
    app.me = Some(id(ME));
    app.workspaces.insert(
        id(WS),
        WorkspaceName {
            slug: "demo".into(),
            name: "Demo Company".into(),
        },
    );
    app.rooms = vec![
        room(GENERAL, "general", RoomKind::Channel, 2, 1, false),
        room(RANDOM, "random", RoomKind::Channel, 5, 0, true),
        room(DM, "Bob Builder", RoomKind::Direct, 1, 0, false),
    ];
    app.rooms_loaded = true;
    let d1 = datetime!(2026-11-23 09:15 UTC);
    let d2 = datetime!(2026-11-24 10:02 UTC);
    let mut items = vec![
        item(
            1,
            Some(1),
            ME,
            "Alice Liddell",
            "Welcome to Tern! This is the general room.",
            d1,
        ),
        item(
            2,
            Some(2),
            BOB,
            "Bob Builder",
            "Привет всем! Рад быть здесь.",
            d1,
        ),
        item(
            3,
            Some(3),
            CAROL,
            "Кэрол Петрова",
            "Hi both — try replying to this message, or search for «привет».",
            d2,
        ),
        item(
            4,
            Some(4),
            BOB,
            "Bob Builder",
            "I said something I regret",
            d2,
        ),
        item(
            5,
            Some(5),
            BOB,
            "Bob Builder",
            "Sure, replying here. @alice look at the plan",
            d2,
        ),
        item(6, Some(6), CAROL, "Кэрол Петрова", "Here is the plan", d2),
        item(7, None, ME, "Alice Liddell", "On my way", d2),
        item(8, None, ME, "Alice Liddell", "This one will not go", d2),
    ];
    items[0].edited = true;
    items[0].reactions = vec![
        ReactionSummary {
            emoji: "👍".into(),
            count: 2,
            me: true,
            pending: false,
        },
        ReactionSummary {
            emoji: "🎉".into(),
            count: 1,
            me: false,
            pending: false,
        },
    ];
    items[3].deleted = true;
    items[4].reply_to = Some(ReplyPreview {
        id: id(103),
        sender_id: id(CAROL),
        sender_name: "Кэрол Петрова".into(),
        body: "Hi both — try replying to this message".into(),
        deleted: false,
    });
    items[4].mentions_me = true;
    items[5].attachments = vec![id(900)];
    items[7].echo = EchoState::Local(OutboxState::Failed {
        // As the outbox stores it: the error's `Display`.
        reason: "server answered 403 read_only: the room is read-only".into(),
    });
    app.timeline.room = Some(id(GENERAL));
    app.timeline.new_from = Some(id(105));
    app.timeline.items = items;
    app.timeline.has_more_local = true;
    app.focus = Focus::Composer;
    app.connection = ConnectionStatus {
        state: ConnectionState::Online,
        last_sync: Some(datetime!(2026-11-24 10:05 UTC)),
    };
    app.queued = 1;
    app.failed = 1;
    app.names.insert(id(BOB), "Bob Builder".into());
    app.typing.insert(id(GENERAL), vec![id(BOB)]);
    app.timeline.files.insert(
        id(106),
        vec![Attachment {
            id: id(900),
            name: "plan.pdf".into(),
            size: 248_000,
            mime: "application/pdf".into(),
            known: true,
            cached: true,
            pinned: false,
            uploading: false,
        }],
    );
    app.timeline.threads.insert(id(103), 2);
    app
}

fn member(n: u128, name: &str, username: &str, role: RoomRole, state: MemberState) -> MemberInfo {
    MemberInfo {
        user_id: id(n),
        username: username.into(),
        name: name.into(),
        role,
        state,
    }
}

/// The member list, the room directory and the progress bars of an
/// upload and a download.
#[test]
fn members_directory_and_transfers() {
    for locale in ["en", "ru"] {
        let mut app = fixture(locale);
        app.overlay = Overlay::Members(ListView {
            items: vec![
                member(
                    ME,
                    "Alice Liddell",
                    "alice",
                    RoomRole::Owner,
                    MemberState::Joined,
                ),
                member(
                    BOB,
                    "Bob Builder",
                    "bob",
                    RoomRole::Moderator,
                    MemberState::Joined,
                ),
                member(
                    CAROL,
                    "Кэрол Петрова",
                    "carol",
                    RoomRole::Member,
                    MemberState::Joined,
                ),
                member(4, "Dave", "dave", RoomRole::Member, MemberState::Invited),
            ],
            sel: 1,
            loading: false,
        });
        snap(&format!("members_{locale}"), render(&app, 100, 30));
        app.overlay = Overlay::Directory(ListView {
            items: vec![
                DirEntry {
                    id: id(GENERAL),
                    workspace: "Demo Company".into(),
                    name: "general".into(),
                    topic: Some("Company-wide chat".into()),
                    members: 3,
                    joined: true,
                },
                DirEntry {
                    id: id(30),
                    workspace: "Demo Company".into(),
                    name: "design".into(),
                    topic: None,
                    members: 1,
                    joined: false,
                },
            ],
            sel: 1,
            loading: false,
        });
        snap(&format!("directory_{locale}"), render(&app, 100, 30));
        app.overlay = Overlay::Directory(ListView {
            loading: true,
            ..ListView::default()
        });
        snap(
            &format!("directory_loading_{locale}"),
            render(&app, 100, 30),
        );
        app.overlay = Overlay::None;
        app.transfers = vec![
            Transfer {
                file: id(901),
                name: "photo.jpg".into(),
                done: 3 << 20,
                total: Some(8 << 20),
                upload: true,
                finished: false,
            },
            Transfer {
                file: id(900),
                name: "plan.pdf".into(),
                done: 248_000,
                total: Some(248_000),
                upload: false,
                finished: true,
            },
        ];
        snap(&format!("transfers_{locale}"), render(&app, 100, 30));
        app.transfers.clear();
        app.focus = Focus::Timeline;
        app.timeline.sel = Some(2);
        app.overlay = Overlay::ReactPicker(2);
        snap(&format!("react_picker_{locale}"), render(&app, 100, 30));
        app.overlay = Overlay::None;
        app.timeline.detached = true;
        snap(&format!("scrolled_back_{locale}"), render(&app, 100, 30));
    }
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| tern_tui::draw::draw(f, app)).unwrap();
    t.backend().to_string()
}

fn snap(name: &str, text: String) {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        filters => vec![
            (r"\b\d{2}:\d{2}\b", "[hh:mm]"),
            (r"\b\d{4}-\d{2}-\d{2}\b", "[date]"),
            (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[id]"),
        ],
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn login_screen() {
    for locale in ["en", "ru"] {
        let mut app = fixture(locale);
        app.screen = Screen::Login;
        app.login.username.set("alice");
        app.login.password.set("secret");
        snap(&format!("login_{locale}"), render(&app, 100, 30));
        app.login.register = true;
        app.login.error = Some(
            tern_client_core::Error::Server {
                status: 401,
                code: tern_client_core::protocol::ErrorCode::InvalidCredentials,
                message: "wrong login or password".into(),
                retry_after: None,
            }
            .localized(&app.tr),
        );
        snap(&format!("register_{locale}"), render(&app, 100, 30));
    }
}

#[test]
fn rooms_and_timeline() {
    for locale in ["en", "ru"] {
        let app = fixture(locale);
        snap(&format!("main_{locale}"), render(&app, 100, 30));
    }
}

#[test]
fn timeline_selection_and_filter() {
    let mut app = fixture("en");
    app.focus = Focus::Timeline;
    app.timeline.sel = Some(4);
    snap("timeline_selected_en", render(&app, 100, 30));
    let mut app = fixture("en");
    app.focus = Focus::Rooms;
    app.room_filter = TextInput::with("ran");
    snap("rooms_filtered_en", render(&app, 100, 30));
}

#[test]
fn smallest_size_and_too_small() {
    for locale in ["en", "ru"] {
        let app = fixture(locale);
        snap(&format!("small_60x15_{locale}"), render(&app, 60, 15));
        snap(&format!("too_small_{locale}"), render(&app, 59, 10));
    }
}

#[test]
fn offline_state() {
    for locale in ["en", "ru"] {
        let mut app = fixture(locale);
        app.connection = ConnectionStatus {
            state: ConnectionState::Offline,
            last_sync: Some(datetime!(2026-11-24 10:05 UTC)),
        };
        app.queued = 3;
        app.typing.clear();
        snap(&format!("offline_{locale}"), render(&app, 100, 30));
    }
}

#[test]
fn untrusted_certificate_banner() {
    for locale in ["en", "ru"] {
        let mut app = fixture(locale);
        app.connection = ConnectionStatus {
            state: ConnectionState::Offline,
            last_sync: None,
        };
        app.connection_problem = Some(tern_client_core::ConnectionProblem::UntrustedCertificate {
            detail: "invalid peer certificate: UnknownIssuer".into(),
        });
        app.typing.clear();
        snap(
            &format!("untrusted_certificate_{locale}"),
            render(&app, 100, 30),
        );
    }
}

#[test]
fn help_screen() {
    for locale in ["en", "ru"] {
        let mut app = fixture(locale);
        app.overlay = Overlay::Help;
        snap(&format!("help_{locale}"), render(&app, 100, 30));
    }
}

#[test]
fn search_screen() {
    for locale in ["en", "ru"] {
        let mut app = fixture(locale);
        let hit = SearchHit {
            message_id: id(102),
            room_id: id(GENERAL),
            sender_id: id(BOB),
            created_at: datetime!(2026-11-23 09:15 UTC),
            body: "Привет всем! Рад быть здесь.".into(),
            highlighted: vec![
                Span {
                    text: "Привет".into(),
                    matched: true,
                },
                Span {
                    text: " всем! Рад быть здесь.".into(),
                    matched: false,
                },
            ],
        };
        app.overlay = Overlay::Search(SearchView {
            input: TextInput::with("привет"),
            room: Some(id(GENERAL)),
            results: vec![Hit {
                hit,
                sender: "Bob Builder".into(),
                room: "general".into(),
            }],
            searched: true,
            editing: false,
            sel: 0,
        });
        snap(&format!("search_{locale}"), render(&app, 100, 30));
        if let Overlay::Search(s) = &mut app.overlay {
            s.results.clear();
            s.input.set("nothing-like-this");
        }
        snap(&format!("search_empty_{locale}"), render(&app, 100, 30));
    }
}

#[test]
fn command_line_and_delete_confirmation() {
    let mut app = fixture("en");
    app.overlay = Overlay::Command(TextInput::with("react 👍"));
    snap("command_en", render(&app, 100, 30));
    app.overlay = Overlay::ConfirmDelete(id(106));
    snap("confirm_delete_en", render(&app, 100, 30));
}

#[test]
fn no_color_draws_no_colours() {
    let mut app = fixture("en");
    app.theme = Theme::new(ThemeName::Dark, true);
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| tern_tui::draw::draw(f, &app)).unwrap();
    for cell in t.backend().buffer().content() {
        assert_eq!(
            cell.fg,
            ratatui::style::Color::Reset,
            "a coloured cell under NO_COLOR"
        );
        assert_eq!(cell.bg, ratatui::style::Color::Reset);
    }
    // The light theme differs from the dark one.
    let mut light = fixture("en");
    light.set_theme(ThemeName::Light);
    let mut t2 = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t2.draw(|f| tern_tui::draw::draw(f, &light)).unwrap();
    let mut dark = Terminal::new(TestBackend::new(100, 30)).unwrap();
    dark.draw(|f| tern_tui::draw::draw(f, &fixture("en")))
        .unwrap();
    assert_ne!(t2.backend().buffer(), dark.backend().buffer());
}

/// Every `tui-*` message the code asks for is in both catalogs (a gap
/// would show its id on screen).
#[test]
fn every_message_id_is_in_both_catalogs() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (i, _) in text
            .match_indices("\"tui-")
            .chain(text.match_indices("\"cli-"))
        {
            let rest = &text[i + 1..];
            let end = rest.find('"').unwrap();
            let id = &rest[..end];
            if !id.ends_with('-') && id.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                ids.push(id.to_owned());
            }
        }
    }
    for b in tern_tui::keys::Bound::ALL {
        ids.push(format!("tui-key-{}", b.name()));
    }
    assert!(ids.len() > 40);
    for locale in ["en", "ru"] {
        let have = Translator::message_ids(locale);
        for id in &ids {
            assert!(have.contains(id), "{locale} lacks {id}");
        }
    }
}

/// Point 2: one terminal resized from large down to 60x15 and back, and
/// every size in between: each frame draws the room list, the timeline's
/// newest message, the composer and the status bar, never a panic.
#[test]
fn resizes_cleanly_down_to_60x15() {
    for locale in ["en", "ru"] {
        let app = fixture(locale);
        let online = app.tr.tr("connection-online");
        let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
        let sizes = [
            (120, 40),
            (100, 30),
            (80, 24),
            (61, 16),
            (60, 15),
            (90, 20),
            (60, 15),
        ];
        for (w, h) in sizes {
            t.backend_mut().resize(w, h);
            t.draw(|f| tern_tui::draw::draw(f, &app)).unwrap();
            let text = t.backend().to_string();
            assert!(text.contains("general"), "{locale} {w}x{h}:\n{text}");
            assert!(text.contains(&online), "{locale} {w}x{h}:\n{text}");
            assert!(text.contains("Alice Liddell"), "{locale} {w}x{h}:\n{text}");
        }
        for w in 60..=100 {
            for h in 15..=30 {
                let text = render(&app, w, h);
                assert!(text.contains(&online), "{locale} {w}x{h}:\n{text}");
            }
        }
    }
}
