//! Two clients chatting live: local echoes, replies, edits, reactions,
//! deletes, unread counts, typing and the event stream.

use tern_client_core::{ClientEvent, EchoState, TimelineChange};

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_chat_live() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (ws, room) = room_with(&alice, &[&bob], "general").await;
    wait_online(&alice).await;
    wait_online(&bob).await;
    let mut bob_events = bob.events();

    // A send shows at once as a local echo, then turns remote.
    let local = alice.send(room, "hello bob").await.unwrap();
    let echo = alice.message(local).await.unwrap().expect("echo");
    assert_eq!(echo.body, "hello bob");
    assert!(matches!(echo.echo, EchoState::Local(_)) || echo.seq.is_some());
    let hello = wait_for(10, "bob to receive", || async {
        bob.timeline(room, None, 50)
            .await
            .ok()?
            .items
            .into_iter()
            .find(|i| i.body == "hello bob")
    })
    .await;
    assert_eq!(hello.echo, EchoState::Remote);
    assert_eq!(hello.sender_name, "alice");
    wait_for(10, "alice's echo to turn remote", || async {
        let items = alice.timeline(room, None, 50).await.ok()?.items;
        let it = items.iter().find(|i| i.body == "hello bob")?;
        (it.echo == EchoState::Remote && it.id == hello.id).then_some(())
    })
    .await;
    // Bob heard of it on the event stream.
    let mut heard = false;
    while let Some(e) = bob_events.try_recv() {
        if let ClientEvent::TimelineChanged {
            room_id,
            change: TimelineChange::Added(ids),
        } = e
            && room_id == room
            && ids.contains(&hello.id)
        {
            heard = true;
        }
    }
    assert!(heard, "bob's event stream told of the new message");
    let bob_room = bob
        .rooms()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id == room)
        .unwrap();
    assert_eq!(bob_room.unread_count, 1);

    // Bob replies, reacts and reads; alice sees it all.
    let reply = bob.reply(hello.id, "hi alice @alice").await.unwrap();
    bob.react(hello.id, "👍").await.unwrap();
    bob.mark_read(room, None).await.unwrap();
    assert_eq!(
        bob.rooms()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.id == room)
            .unwrap()
            .unread_count,
        0
    );
    let got = wait_for(10, "alice to see the reply and reaction", || async {
        let items = alice.timeline(room, None, 50).await.ok()?.items;
        let r = items.iter().find(|i| i.body == "hi alice @alice")?.clone();
        let h = items.iter().find(|i| i.body == "hello bob")?.clone();
        (h.reactions.len() == 1).then_some((r, h))
    })
    .await;
    let (r, h) = got;
    assert_eq!(r.reply_to.as_ref().unwrap().id, hello.id);
    assert_eq!(r.reply_to.as_ref().unwrap().body, "hello bob");
    assert!(r.mentions_me);
    assert_eq!(h.reactions[0].emoji, "👍");
    assert_eq!(h.reactions[0].count, 1);
    assert!(!h.reactions[0].me);
    let alice_room = alice
        .rooms()
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.id == room)
        .unwrap();
    assert_eq!(alice_room.unread_count, 1);
    assert_eq!(alice_room.mention_count, 1);
    let _ = reply;

    // Edits and deletes travel too.
    let reply_id = r.id;
    bob.edit(reply_id, "hi alice (edited)").await.unwrap();
    wait_for(10, "alice to see the edit", || async {
        let m = alice.message(reply_id).await.ok()??;
        (m.body == "hi alice (edited)" && m.edited).then_some(())
    })
    .await;
    alice.delete(hello.id).await.unwrap();
    // At once, locally:
    let m = alice.message(hello.id).await.unwrap().unwrap();
    assert!(m.deleted && m.pending_delete.is_some());
    wait_for(10, "bob to see the delete", || async {
        let m = bob.message(hello.id).await.ok()??;
        (m.deleted && m.body.is_empty() && m.reactions.is_empty()).then_some(())
    })
    .await;

    // Typing reaches the other side.
    let mut alice_events = alice.events();
    bob.typing(room, true);
    wait_event(&mut alice_events, 10, "a typing notice", |e| {
        matches!(e, ClientEvent::Typing { room_id, user_ids } if *room_id == room && !user_ids.is_empty())
    })
    .await;
    wait_outbox_empty(&alice, 10).await;
    wait_outbox_empty(&bob, 10).await;

    // A direct room is named after the other member, on both sides.
    let bob_id = bob.account().unwrap().user_id;
    let dm = alice.open_direct(ws, bob_id).await.unwrap();
    assert_eq!(
        alice.open_direct(ws, bob_id).await.unwrap(),
        dm,
        "one per pair"
    );
    alice.send(dm, "just us").await.unwrap();
    let at_bob = wait_for(10, "the direct room at bob", || async {
        bob.rooms()
            .await
            .ok()?
            .into_iter()
            .find(|r| r.id == dm && r.last_message.is_some())
    })
    .await;
    assert_eq!(at_bob.name, "alice");
    assert_eq!(bob.rooms().await.unwrap()[0].id, dm, "most recent first");
    wait_for(10, "the direct room at alice", || async {
        let r = alice.rooms().await.ok()?.into_iter().find(|r| r.id == dm)?;
        (r.name == "bob").then_some(())
    })
    .await;
}
