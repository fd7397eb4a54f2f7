//! The timeline is virtualised: a room with a very long cached history
//! scrolls at the same cost anywhere in it. The room's messages are
//! written straight into the profile's store (as the sync engine would
//! have stored them), then the real app, worker and client scroll through
//! it with the server away, timing every step (key, any page loaded from
//! the store, and the frame drawn).
//!
//! `cargo test -p tern-tui --test integration bigroom` runs 100 000
//! messages; `-- --ignored` adds the 1 000 000 one. Both print the figures.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tern_tui::app::{Action, App, Cmd, Focus, WINDOW};
use tern_tui::cli::Global;
use tern_tui::config::Loaded;
use tern_tui::session::Session;
use tern_tui::worker::WorkerHandle;
use uuid::Uuid;

use crate::helpers::{TestServer, other_client, room_named};

/// Runs `cmds` through the worker and the answers through the app until
/// nothing more is asked; how long each request took.
async fn settle(app: &mut App, worker: &WorkerHandle, cmds: Vec<Cmd>) -> Vec<(String, Duration)> {
    let mut q: VecDeque<Cmd> = cmds.into();
    let mut took = Vec::new();
    while let Some(c) = q.pop_front() {
        if matches!(c, Cmd::Notify { .. }) {
            continue;
        }
        let name = format!("{c:?}");
        let name = name
            .split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_owned();
        let t = Instant::now();
        let Ok(actions) = worker.request(c).await else {
            continue;
        };
        took.push((name, t.elapsed()));
        for a in actions {
            q.extend(app.update(a));
        }
    }
    took
}

async fn key(app: &mut App, worker: &WorkerHandle, code: KeyCode) {
    let mut cmds = Vec::new();
    for a in app.on_key(KeyEvent::new(code, KeyModifiers::NONE)) {
        cmds.extend(app.update(a));
    }
    settle(app, worker, cmds).await;
}

struct Stats {
    steps: Vec<Duration>,
}

impl Stats {
    fn summary(&mut self) -> (f64, f64, f64) {
        self.steps.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mean = self.steps.iter().map(|d| ms(*d)).sum::<f64>() / self.steps.len() as f64;
        let p99 = ms(self.steps[(self.steps.len() * 99 / 100).min(self.steps.len() - 1)]);
        let max = ms(*self.steps.last().unwrap());
        (mean, p99, max)
    }
}

async fn scroll_big_room(n: usize, steps: usize) {
    // A profile signed in to the demo server, which then goes away.
    let mut server = TestServer::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = other_client(&server, dir.path(), "alice").await;
    let room = room_named(&alice, "general").await;
    let page = alice.timeline(room, None, 10).await.unwrap();
    let base = page.items.iter().filter_map(|i| i.seq).max().unwrap_or(0);
    let senders: Vec<Uuid> = page.items.iter().map(|i| i.sender_id).collect();
    alice.shutdown().await;
    server.stop().await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The long history, as the store holds synced messages.
    let t0 = Instant::now();
    {
        let db = dir.path().join("alice").join("tern.db");
        let mut c = rusqlite::Connection::open(db).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        let tx = c.transaction().unwrap();
        {
            let mut st = tx
                .prepare(
                    "INSERT INTO messages (id, room_id, seq, sender_id, kind, body, created_at)
                     VALUES (?1, ?2, ?3, ?4, 'text', ?5, ?6)",
                )
                .unwrap();
            let start_ms: i64 = 1_700_000_000_000;
            for i in 0..n {
                let seq = base + 1 + i as i64;
                st.execute(rusqlite::params![
                    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + i as u128)
                        .to_string(),
                    room.to_string(),
                    seq,
                    senders[i % senders.len()].to_string(),
                    format!("message number {i} of the long history"),
                    start_ms + i as i64 * 60_000,
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
        // As a store that has lived with its history: folded into the
        // database file, not waiting in the write-ahead log.
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let fill = t0.elapsed();

    // The real app, worker and client on that profile, offline.
    let global = Global {
        server: Some(server.url()),
        profile: "alice".into(),
        data_dir: Some(dir.path().to_path_buf()),
        config: None,
        locale: Some("en".into()),
        json: false,
        secrets: tern_tui::cli::Secrets::File,
        ca_cert: None,
    };
    let session = Session::new(global, Loaded::default(), time::UtcOffset::UTC);
    let client = session.open_client().await.unwrap();
    let me = client.account().map(|a| a.user_id);
    assert!(me.is_some(), "the session is restored");
    let (mut app, initial) = tern_tui::run::build_app(&session, me);
    let (to_ui, _from_worker) = tokio::sync::mpsc::unbounded_channel();
    let worker = tern_tui::worker::spawn(session.clone(), client, to_ui);
    // The start: the room list, then its first room (general) opens.
    let open = Instant::now();
    let mut start = settle(&mut app, &worker, initial).await;
    let cmds = app.update(Action::OpenRoom(room));
    start.extend(settle(&mut app, &worker, cmds).await);
    let open = open.elapsed();
    let start: Vec<String> = start
        .iter()
        .map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1000.0))
        .collect();
    app.focus = Focus::Timeline;
    let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    term.draw(|f| tern_tui::draw::draw(f, &app)).unwrap();
    assert!(
        term.backend()
            .to_string()
            .contains(&format!("message number {} of", n - 1)),
        "{}",
        term.backend()
    );

    // Frames alone.
    let mut frames = Stats { steps: Vec::new() };
    for _ in 0..200 {
        let t = Instant::now();
        term.draw(|f| tern_tui::draw::draw(f, &app)).unwrap();
        frames.steps.push(t.elapsed());
    }

    // Scrolling up a page at a time: key, page loads, frame.
    let mut up = Stats { steps: Vec::new() };
    let mut most = 0;
    for _ in 0..steps {
        let t = Instant::now();
        key(&mut app, &worker, KeyCode::PageUp).await;
        term.draw(|f| tern_tui::draw::draw(f, &app)).unwrap();
        up.steps.push(t.elapsed());
        most = most.max(app.timeline.items.len());
    }
    assert!(most <= WINDOW, "the window grew to {most}");
    let scrolled_to = n - 1 - steps * 10;
    let shown = term.backend().to_string();
    assert!(
        shown.contains(&format!("message number {scrolled_to} of")),
        "expected message {scrolled_to}:\n{shown}"
    );
    assert!(app.timeline.detached, "the newest left the window");

    // Back down: the newer pages come back from the store.
    let mut down = Stats { steps: Vec::new() };
    for _ in 0..steps {
        let t = Instant::now();
        key(&mut app, &worker, KeyCode::PageDown).await;
        term.draw(|f| tern_tui::draw::draw(f, &app)).unwrap();
        down.steps.push(t.elapsed());
        most = most.max(app.timeline.items.len());
    }
    assert!(most <= WINDOW, "the window grew to {most}");
    // At the newest again.
    key(&mut app, &worker, KeyCode::End).await;
    term.draw(|f| tern_tui::draw::draw(f, &app)).unwrap();
    assert!(
        term.backend()
            .to_string()
            .contains(&format!("message number {} of", n - 1)),
        "{}",
        term.backend()
    );

    // The oldest end of the history: jump there (as a search hit does)
    // and scroll from it.
    let first = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000);
    let t = Instant::now();
    let cmds = vec![Cmd::JumpTo {
        room,
        message: first,
    }];
    settle(&mut app, &worker, cmds).await;
    let jump = t.elapsed();
    let mut deep = Stats { steps: Vec::new() };
    for _ in 0..steps / 2 {
        let t = Instant::now();
        key(&mut app, &worker, KeyCode::PageDown).await;
        term.draw(|f| tern_tui::draw::draw(f, &app)).unwrap();
        deep.steps.push(t.elapsed());
        most = most.max(app.timeline.items.len());
    }
    assert!(most <= WINDOW, "the window grew to {most}");
    // The oldest message was the fourth of the room (after the demo's
    // three): a few pages of ten later the selection sits that far on.
    let at = steps / 2 * 10;
    let sel = app
        .selected_item()
        .map(|i| i.body.clone())
        .unwrap_or_default();
    let k: usize = sel
        .strip_prefix("message number ")
        .and_then(|r| r.split(' ').next())
        .and_then(|k| k.parse().ok())
        .unwrap_or(0);
    assert!(
        at - 10 <= k && k <= at,
        "selected {sel:?}, expected about {at}"
    );
    assert!(app.timeline.detached);

    let (f_mean, f_p99, f_max) = frames.summary();
    let (u_mean, u_p99, u_max) = up.summary();
    let (d_mean, d_p99, d_max) = down.summary();
    let (o_mean, o_p99, o_max) = deep.summary();
    println!(
        "bigroom {n} messages: stored in {:.1} s; started and opened the room in {:.1} ms; \
         frame mean {f_mean:.2} ms p99 {f_p99:.2} ms max {f_max:.2} ms; \
         page up (10 messages, {steps} steps) mean {u_mean:.2} ms p99 {u_p99:.2} ms max {u_max:.2} ms; \
         page down mean {d_mean:.2} ms p99 {d_p99:.2} ms max {d_max:.2} ms; \
         jump to the oldest {:.1} ms, then page down mean {o_mean:.2} ms p99 {o_p99:.2} ms max {o_max:.2} ms; \
         at most {most} messages held; the start's requests: {}",
        fill.as_secs_f64(),
        open.as_secs_f64() * 1000.0,
        jump.as_secs_f64() * 1000.0,
        start.join(", "),
    );
    // No lag: a step (key, any page from the store, frame) well under a
    // frame of a 10 Hz terminal even in a debug build on a busy machine.
    for (what, p99) in [
        ("page up", u_p99),
        ("page down", d_p99),
        ("deep page down", o_p99),
    ] {
        assert!(p99 < 100.0, "{what} p99 {p99:.1} ms");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_of_100k_messages_scrolls_without_lag() {
    scroll_big_room(100_000, 300).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a minute of set-up: run with --ignored for the 1 M figure"]
async fn a_room_of_1m_messages_scrolls_without_lag() {
    scroll_big_room(1_000_000, 300).await;
}
