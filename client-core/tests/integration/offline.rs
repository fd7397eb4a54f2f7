//! Offline: 100 mixed actions queued with the server down, the client
//! restarted, the server started again: every action lands once, in order.

use std::collections::HashMap;

use tern_client_core::ConnectionState;
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_actions_land_exactly_once_in_order_after_a_restart() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "offline").await;
    // Something from bob to read and react to.
    bob.send(room, "from bob").await.unwrap();
    let bobs = wait_for(10, "bob's message at alice", || async {
        alice
            .timeline(room, None, 50)
            .await
            .ok()?
            .items
            .into_iter()
            .find(|i| i.body == "from bob")
            .map(|i| i.id)
    })
    .await;
    wait_online(&alice).await;

    server.stop().await;
    wait_for(20, "alice to notice", || async {
        (alice.connection().state != ConnectionState::Online).then_some(())
    })
    .await;

    // 100 mixed actions. `expected` is what the server log must show from
    // alice, in this order: (type, body or target's first body).
    let mut expected: Vec<(&'static str, String)> = Vec::new();
    let mut sent: Vec<(Uuid, String)> = Vec::new();
    let mut deleted: Vec<Uuid> = Vec::new();
    // Adding the same reaction twice is one event: each pair once.
    let mut reacted: std::collections::HashSet<(Uuid, &str)> = Default::default();
    let mut first_body: HashMap<Uuid, String> = HashMap::new();
    first_body.insert(bobs, "from bob".into());
    for i in 0..100 {
        let live: Vec<&(Uuid, String)> = sent
            .iter()
            .filter(|(id, _)| !deleted.contains(id))
            .collect();
        match (i % 10, live.len()) {
            (6, n) if n > 0 => {
                let (id, _) = live[i % n];
                let body = format!("edit {i}");
                alice.edit(*id, &body).await.unwrap();
                expected.push(("edit", body));
            }
            (7, n) if n > 0 && reacted.insert((live[(i * 7) % n].0, ["👍", "🎉", "❤"][i % 3])) =>
            {
                let (id, _) = live[(i * 7) % n];
                let emoji = ["👍", "🎉", "❤"][i % 3];
                alice.react(*id, emoji).await.unwrap();
                expected.push(("reaction", first_body[id].clone()));
            }
            (8, n) if n > 2 => {
                let (id, _) = live[0];
                alice.delete(*id).await.unwrap();
                deleted.push(*id);
                expected.push(("delete", first_body[id].clone()));
            }
            (9, _) => {
                alice.mark_read(room, None).await.unwrap();
            }
            (3, _) => {
                let body = format!("reply {i}");
                let id = alice.reply(bobs, &body).await.unwrap();
                sent.push((id, body.clone()));
                first_body.insert(id, body.clone());
                expected.push(("message", body));
            }
            _ => {
                let body = format!("message {i}");
                let id = alice.send(room, &body).await.unwrap();
                sent.push((id, body.clone()));
                first_body.insert(id, body.clone());
                expected.push(("message", body));
            }
        }
    }
    // Everything shows locally at once.
    let page = alice.timeline(room, None, 200).await.unwrap();
    let local = page.items.iter().filter(|i| i.seq.is_none()).count();
    assert!(local >= 50, "local echoes: {local}");
    let pending = alice.outbox().await.unwrap();
    assert!(pending.len() >= 90, "queued: {}", pending.len());
    let alice_id = alice.account().unwrap().user_id;

    // Restart the client while offline, then bring the server back.
    drop(alice);
    let alice = open(&server, dir.path(), "alice").await;
    assert_eq!(
        alice.account().unwrap().user_id,
        alice_id,
        "session restored"
    );
    assert_eq!(alice.outbox().await.unwrap().len(), pending.len());
    server.start_again().await;
    // Bob has been retrying with exponential backoff all the while the
    // server was down, so his next attempt may be many seconds away (up to
    // 30 s after a long outage): the waits for bob below would race that
    // random delay. A front end tells the client when the network is back
    // (the OS says so); here the test does.
    bob.reconnect();
    wait_outbox_empty(&alice, 60).await;

    // The server's log: alice's events, in order, each once.
    let log = server_log(&server, room);
    let mut body_of: HashMap<String, String> = HashMap::new();
    for e in &log {
        if e.ty == "message" {
            body_of.insert(e.id.clone(), e.body.clone().unwrap_or_default());
        }
    }
    let actual: Vec<(&str, String)> = log
        .iter()
        .filter(|e| e.sender == alice_id.to_string())
        .filter(|e| e.ty != "member" && e.ty != "room")
        .map(|e| match e.ty.as_str() {
            "message" => ("message", e.body.clone().unwrap_or_default()),
            "edit" => ("edit", e.body.clone().unwrap_or_default()),
            "delete" => ("delete", body_of[e.target.as_ref().unwrap()].clone()),
            "reaction" => ("reaction", body_of[e.target.as_ref().unwrap()].clone()),
            other => panic!("unexpected event {other}"),
        })
        .collect();
    assert_eq!(actual.len(), expected.len(), "exactly once each");
    assert_eq!(actual, expected, "in the order they were made");

    // Alice's store converges to the server's log.
    wait_for(20, "alice's log to converge", || async {
        (client_log(dir.path(), "alice", room).len() == log.len()).then_some(())
    })
    .await;
    let page = alice.timeline(room, None, 500).await.unwrap();
    assert!(page.items.iter().all(|i| i.seq.is_some()), "no echo left");
    // The read marker went through.
    // Bob missed more than a sync's timeline while the server was down:
    // he backfills what the limited sync left out.
    let bob_view = wait_for(20, "bob to see everything", || async {
        while bob.backfill(room, 100).await.ok()? > 0 {}
        let items = bob.timeline(room, None, 500).await.ok()?.items;
        (items.len() == page.items.len()).then_some(items)
    })
    .await;
    let bodies: Vec<_> = bob_view.iter().map(|i| (&i.body, i.deleted)).collect();
    let mine: Vec<_> = page.items.iter().map(|i| (&i.body, i.deleted)).collect();
    assert_eq!(bodies, mine);
}
