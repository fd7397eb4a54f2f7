//! The real event loop, worker and client, drawn into a `TestBackend`:
//! a restored session draws the cached rooms with the server away, a
//! message written offline waits in the outbox, and the next run delivers
//! it once.

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tern_tui::cli::Global;
use tern_tui::config::Loaded;
use tern_tui::run::{NoNotifier, build_app, run_loop};
use tern_tui::session::Session;
use tokio::sync::mpsc;

use crate::helpers::{Tern, TestServer, other_client};

enum Step {
    Wait(u64),
    Key(KeyCode, KeyModifiers),
    Type(&'static str),
}

/// Runs the full-screen client through `steps`, quits, and returns the
/// last screen.
async fn run_app(t: &Tern, steps: Vec<Step>) -> String {
    let global = Global {
        server: Some(t.server.clone()),
        profile: "default".into(),
        data_dir: Some(t.data_dir()),
        config: None,
        locale: Some("en".into()),
        json: false,
        secrets: tern_tui::cli::Secrets::File,
        ca_cert: None,
    };
    let session = Session::new(global, Loaded::default(), time::UtcOffset::UTC);
    let client = session.open_client().await.unwrap();
    let (mut app, initial) = build_app(&session, client.account().map(|a| a.user_id));
    app.tr = tern_client_core::i18n::Translator::for_locale("en");
    let (to_ui, mut actions) = mpsc::unbounded_channel();
    let worker = tern_tui::worker::spawn(session.clone(), client, to_ui.clone());
    let (in_tx, mut input) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
        let mut notifier = NoNotifier::default();
        run_loop(
            &mut term,
            &mut app,
            &mut input,
            &mut actions,
            &to_ui,
            &worker,
            initial,
            &mut notifier,
        )
        .await
        .unwrap();
        term.backend().to_string()
    });
    for s in steps {
        match s {
            Step::Wait(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
            Step::Key(code, m) => in_tx.send(Event::Key(KeyEvent::new(code, m))).unwrap(),
            Step::Type(text) => {
                for c in text.chars() {
                    in_tx
                        .send(Event::Key(KeyEvent::new(
                            KeyCode::Char(c),
                            KeyModifiers::NONE,
                        )))
                        .unwrap();
                }
            }
        }
    }
    in_tx
        .send(Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        )))
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restored_session_works_offline_and_delivers_later() {
    let mut server = TestServer::demo().await;
    let t = Tern::new(&server);
    t.login("alice").await;
    assert!(t.ok(&["read", "general"], "").await.contains("Welcome"));
    server.stop().await;
    // A script queues a message too; the UI's next start delivers it.
    let out = t.ok(&["send", "general", "written by a script"], "").await;
    assert!(out.contains("queued for demo/general"), "{out}");

    // The server is away: the cached rooms and messages still show.
    // Regression: the keys below arrive in one batch; they used to be
    // read all against the state before the first one, so Tab Tab did
    // not reach the composer before the text was typed.
    let screen = run_app(
        &t,
        vec![
            Step::Wait(1500),
            Step::Key(KeyCode::Tab, KeyModifiers::NONE),
            Step::Key(KeyCode::Tab, KeyModifiers::NONE),
            Step::Type("typed while offline"),
            Step::Key(KeyCode::Enter, KeyModifiers::NONE),
            Step::Wait(1000),
        ],
    )
    .await;
    assert!(screen.contains("#general"), "{screen}");
    assert!(screen.contains("Welcome to Tern!"), "{screen}");
    assert!(screen.contains("Offline"), "{screen}");
    assert!(screen.contains("typed while offline"), "{screen}");
    assert!(screen.contains("Waiting to send"), "{screen}");

    // Back online, the next start delivers it.
    server.start_again().await;
    let screen = run_app(&t, vec![Step::Wait(4000)]).await;
    assert!(screen.contains("Online"), "{screen}");
    assert!(!screen.contains("queued"), "{screen}");

    let dir = tempfile::tempdir().unwrap();
    let bob = other_client(&server, dir.path(), "bob").await;
    let mut count = 0;
    for _ in 0..100 {
        if let Some(room) = bob
            .rooms()
            .await
            .unwrap_or_default()
            .iter()
            .find(|r| r.name == "general")
        {
            let page = bob.timeline(room.id, None, 100).await.unwrap();
            count = page
                .items
                .iter()
                .filter(|i| i.body == "typed while offline")
                .count();
            if count > 0 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(count, 1, "delivered exactly once");
    let page = bob
        .timeline(
            bob.rooms()
                .await
                .unwrap()
                .iter()
                .find(|r| r.name == "general")
                .unwrap()
                .id,
            None,
            100,
        )
        .await
        .unwrap();
    let scripted = page
        .items
        .iter()
        .filter(|i| i.body == "written by a script")
        .count();
    assert_eq!(scripted, 1, "the script's message, delivered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn first_run_shows_login_and_signs_in() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    let screen = run_app(&t, vec![Step::Wait(300)]).await;
    assert!(screen.contains("Sign in to Tern"), "{screen}");
    let screen = run_app(
        &t,
        vec![
            Step::Type("carol"),
            Step::Key(KeyCode::Tab, KeyModifiers::NONE),
            Step::Type(crate::helpers::PASSWORD),
            Step::Key(KeyCode::Enter, KeyModifiers::NONE),
            Step::Wait(3000),
        ],
    )
    .await;
    assert!(screen.contains("#general"), "{screen}");
    assert!(screen.contains("Привет всем!"), "{screen}");
}
