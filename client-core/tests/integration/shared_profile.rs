//! Two clients on one profile (the TUI and the desktop app at once): no
//! corruption, no double sends, each sees the other's writes, and token
//! refreshes do not trip theft detection.

use std::collections::HashMap;
use std::time::Duration;

use tern_client_core::{ClientEvent, EchoState};

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_on_one_profile_never_double_send() {
    let server = TestServer::start_with(|c| c.access_ttl = Duration::from_secs(2)).await;
    let dir = tempfile::tempdir().unwrap();
    let tui = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&tui, &[&bob], "shared").await;
    let desktop = open(&server, dir.path(), "alice").await;
    assert_eq!(
        desktop.account().unwrap().user_id,
        tui.account().unwrap().user_id
    );
    wait_online(&desktop).await;
    let mut desktop_events = desktop.events();

    // One writes, the other sees the local echo (same store) and hears of it.
    server_pause_free(&tui, room, "from the tui").await;
    let seen = wait_for(10, "the desktop to see the tui's write", || async {
        desktop
            .timeline(room, None, 50)
            .await
            .ok()?
            .items
            .into_iter()
            .find(|i| i.body == "from the tui")
    })
    .await;
    assert!(matches!(seen.echo, EchoState::Local(_) | EchoState::Remote));
    wait_event(&mut desktop_events, 10, "a store-changed event", |e| {
        matches!(e, ClientEvent::StoreChanged)
    })
    .await;

    // Both write at once, through token expiries.
    let t = {
        let tui = tui.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                tui.send(room, &format!("tui {i}")).await.unwrap();
                if i % 10 == 0 {
                    tokio::time::sleep(Duration::from_millis(700)).await;
                }
            }
        })
    };
    let d = {
        let desktop = desktop.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                desktop.send(room, &format!("desktop {i}")).await.unwrap();
                if i % 10 == 0 {
                    tokio::time::sleep(Duration::from_millis(700)).await;
                }
            }
        })
    };
    t.await.unwrap();
    d.await.unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    tui.reconnect();
    desktop.reconnect();
    wait_outbox_empty(&tui, 60).await;

    let log = server_log(&server, room);
    let mut count: HashMap<String, usize> = HashMap::new();
    for e in log.iter().filter(|e| e.ty == "message") {
        *count.entry(e.body.clone().unwrap()).or_default() += 1;
    }
    for i in 0..40 {
        assert_eq!(count.get(&format!("tui {i}")), Some(&1), "tui {i}");
        assert_eq!(count.get(&format!("desktop {i}")), Some(&1), "desktop {i}");
    }
    // Each side's messages in the order it made them.
    for who in ["tui", "desktop"] {
        let order: Vec<usize> = log
            .iter()
            .filter_map(|e| {
                e.body
                    .as_deref()?
                    .strip_prefix(&format!("{who} "))?
                    .parse()
                    .ok()
            })
            .collect();
        assert_eq!(order, (0..40).collect::<Vec<_>>(), "{who} in order");
    }
    // Both still signed in after the refreshes, and both caught up.
    wait_online(&tui).await;
    wait_online(&desktop).await;
    bob.send(room, "still there?").await.unwrap();
    for c in [&tui, &desktop] {
        wait_for(20, "both to hear bob", || async {
            remote_bodies(c, room)
                .await
                .iter()
                .any(|b| b == "still there?")
                .then_some(())
        })
        .await;
    }
    let mine = client_log(dir.path(), "alice", room);
    let log = server_log(&server, room);
    assert_eq!(mine, log_as_client(&log));
}

async fn server_pause_free(c: &tern_client_core::Client, room: uuid::Uuid, body: &str) {
    c.send(room, body).await.unwrap();
}

/// The server's log with the fields a client keeps.
fn log_as_client(log: &[LogEvent]) -> Vec<LogEvent> {
    log.to_vec()
}
