//! Gap fill on a skipped seq, and `limited` sync with backfill on demand.

use std::time::Duration;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skipped_seq_is_filled_from_the_server() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "gaps").await;
    for i in 0..5 {
        alice.send(room, &format!("early {i}")).await.unwrap();
    }
    wait_for(10, "bob to hold five", || async {
        (remote_bodies(&bob, room).await.len() == 5).then_some(())
    })
    .await;
    wait_online(&bob).await;
    // Make bob forget the last three events, as if their frames were lost
    // while the socket stayed up.
    {
        let db = dir.path().join("bob").join("tern.db");
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        let top: i64 = conn
            .query_row(
                "SELECT seq FROM sync_cursors WHERE room_id = ?1",
                [room.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute(
            "DELETE FROM events WHERE room_id = ?1 AND seq > ?2",
            rusqlite::params![room.to_string(), top - 3],
        )
        .unwrap();
        conn.execute(
            "DELETE FROM messages WHERE room_id = ?1 AND seq > ?2",
            rusqlite::params![room.to_string(), top - 3],
        )
        .unwrap();
        conn.execute(
            "UPDATE sync_cursors SET seq = ?2 WHERE room_id = ?1",
            rusqlite::params![room.to_string(), top - 3],
        )
        .unwrap();
    }
    assert_eq!(remote_bodies(&bob, room).await.len(), 2);
    // The next live frame is three past bob's cursor: bob fills the gap.
    alice.send(room, "after the gap").await.unwrap();
    wait_for(10, "bob to fill the gap", || async {
        let b = remote_bodies(&bob, room).await;
        (b.len() == 6).then_some(())
    })
    .await;
    let b = remote_bodies(&bob, room).await;
    assert_eq!(
        b,
        vec![
            "early 0",
            "early 1",
            "early 2",
            "early 3",
            "early 4",
            "after the gap"
        ]
    );
    let log = server_log(&server, room);
    let mine = client_log(dir.path(), "bob", room);
    assert_eq!(
        mine.iter().map(|e| e.seq).collect::<Vec<_>>(),
        log.iter().map(|e| e.seq).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limited_sync_shows_the_newest_and_backfills_on_demand() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "history").await;
    wait_online(&bob).await;
    let bob_id = bob.account().unwrap().user_id;
    drop(bob);
    // 60 messages while bob is away; an edit of the first one comes last,
    // so it reaches bob before its target does.
    let mut first = None;
    for i in 0..60 {
        let id = alice.send(room, &format!("history {i:02}")).await.unwrap();
        first.get_or_insert(id);
    }
    wait_outbox_empty(&alice, 30).await;
    let first_remote = alice
        .timeline(room, None, 200)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.body == "history 00")
        .unwrap()
        .id;
    alice
        .edit(first_remote, "history 00 (edited)")
        .await
        .unwrap();
    wait_outbox_empty(&alice, 30).await;

    let mut cfg = config(&server, dir.path(), "bob");
    cfg.timeline_limit = 10;
    let bob = tern_client_core::Client::open(cfg).await.unwrap();
    assert_eq!(bob.account().unwrap().user_id, bob_id);
    let page = wait_for(20, "the newest page", || async {
        let p = bob.timeline(room, None, 20).await.ok()?;
        p.items.iter().any(|i| i.body == "history 59").then_some(p)
    })
    .await;
    // Newest first: the ten newest events (one is the edit), no older.
    assert!(page.items.len() <= 10, "{}", page.items.len());
    assert!(page.needs_backfill);
    assert!(!page.has_more_local);
    let mut rounds = 0;
    loop {
        let n = bob.backfill(room, 25).await.unwrap();
        rounds += 1;
        if n == 0 {
            break;
        }
        assert!(rounds < 10);
    }
    let page = bob.timeline(room, None, 500).await.unwrap();
    assert!(!page.needs_backfill);
    let bodies: Vec<String> = page.items.iter().map(|i| i.body.clone()).collect();
    let mut want = vec!["history 00 (edited)".to_owned()];
    want.extend((1..60).map(|i| format!("history {i:02}")));
    assert_eq!(bodies, want, "all history, in order, the late edit applied");
    // Paging from the local store works without the network.
    let older = bob
        .timeline(room, Some(page.items[30].seq.unwrap()), 10)
        .await
        .unwrap();
    assert_eq!(older.items.len(), 10);
    assert!(older.has_more_local);
    let log = server_log(&server, room);
    let mine = client_log(dir.path(), "bob", room);
    assert_eq!(mine.len(), log.len());
    let _ = first;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newer_pages_walk_forward_to_the_newest_and_its_local_echoes() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let (_, room) = room_with(&alice, &[], "forward").await;
    for i in 0..25 {
        let id = alice.send(room, &format!("m{i}")).await.unwrap();
        // Reactions take seqs too: message seqs are not consecutive.
        if i % 5 == 0 {
            alice.react(id, "👍").await.unwrap();
        }
    }
    wait_outbox_empty(&alice, 20).await;
    server.stop().await;
    alice.send(room, "queued").await.unwrap();

    let bodies = |items: &[tern_client_core::TimelineItem]| {
        items.iter().map(|i| i.body.clone()).collect::<Vec<_>>()
    };
    let newest = alice.timeline(room, None, 100).await.unwrap();
    let seq_of = |body: &str| {
        newest
            .items
            .iter()
            .find(|i| i.body == body)
            .and_then(|i| i.seq)
            .unwrap()
    };
    let page = alice.timeline_after(room, seq_of("m4"), 10).await.unwrap();
    assert_eq!(
        bodies(&page.items),
        (5..15).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    assert!(!page.at_newest);
    let last = page.items.last().and_then(|i| i.seq).unwrap();
    // Exactly the ten left: the newest, with the echo after them.
    let page = alice.timeline_after(room, last, 10).await.unwrap();
    let mut want = (15..25).map(|i| format!("m{i}")).collect::<Vec<_>>();
    want.push("queued".into());
    assert_eq!(bodies(&page.items), want);
    assert!(page.at_newest);
    assert!(page.items[10].seq.is_none(), "the echo has no seq yet");
    let page = alice
        .timeline_after(room, page.items[9].seq.unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(bodies(&page.items), vec!["queued"]);
    assert!(page.at_newest);
    // Fewer than asked: the newest, with the echo.
    let page = alice.timeline_after(room, seq_of("m19"), 5).await.unwrap();
    assert_eq!(
        bodies(&page.items),
        vec!["m20", "m21", "m22", "m23", "m24", "queued"]
    );
    assert!(page.at_newest);
}
