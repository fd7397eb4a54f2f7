//! Rooms and people through the real app, worker and client against a
//! real server: the user directory completes `:dm`, `:directory` joins a
//! public room, `:invite` and `:members`, thread counts on messages with
//! replies in a thread, and mute / notification levels that are kept in
//! the profile and decide what notifies.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tern_client_core::NewRoom;
use tern_client_core::protocol::room::{MemberState, NotifyLevel, RoomKind, Visibility};
use tern_tui::app::{Action, App, Cmd, Overlay, complete_command};
use tern_tui::cli::Global;
use tern_tui::config::Loaded;
use tern_tui::profile::ProfileState;
use tern_tui::session::Session;
use tern_tui::worker::WorkerHandle;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::helpers::{PASSWORD, Tern, TestServer, other_client, room_named};

struct Ui {
    app: App,
    worker: WorkerHandle,
    events: mpsc::UnboundedReceiver<Action>,
    notified: Vec<String>,
}

impl Ui {
    /// Runs `cmds` and whatever they lead to; takes the client's events
    /// as they come.
    async fn run(&mut self, cmds: Vec<Cmd>) {
        let mut q: VecDeque<Cmd> = cmds.into();
        loop {
            while let Ok(a) = self.events.try_recv() {
                q.extend(self.app.update(a));
            }
            let Some(c) = q.pop_front() else { break };
            if let Cmd::Notify { title, .. } = &c {
                self.notified.push(title.clone());
                continue;
            }
            if let Ok(actions) = self.worker.request(c).await {
                for a in actions {
                    q.extend(self.app.update(a));
                }
            }
        }
    }

    async fn command(&mut self, line: &str) {
        let cmds = self.app.run_command(line);
        self.run(cmds).await;
    }

    /// Keeps the UI running until `f` holds.
    async fn until(&mut self, what: &str, f: impl Fn(&App) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !f(&self.app) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; notice: {:?}",
                self.app.notice
            );
            self.run(vec![]).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn ui(t: &Tern) -> Ui {
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
    let (app, initial) = tern_tui::run::build_app(&session, client.account().map(|a| a.user_id));
    let (to_ui, events) = mpsc::unbounded_channel();
    let worker = tern_tui::worker::spawn(session, client, to_ui);
    let mut ui = Ui {
        app,
        worker,
        events,
        notified: Vec::new(),
    };
    ui.run(initial).await;
    ui
}

/// Sends a message into a thread the way any client of the API may.
async fn thread_reply(server: &TestServer, user: &str, room: Uuid, root: Uuid, body: &str) {
    let http = reqwest::Client::new();
    let pair: serde_json::Value = http
        .post(format!("{}/api/v1/auth/login", server.url()))
        .json(&serde_json::json!({"login": user, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap();
    let r = http
        .put(format!(
            "{}/api/v1/rooms/{room}/messages/{}",
            server.url(),
            Uuid::now_v7()
        ))
        .bearer_auth(token)
        .json(&serde_json::json!({"body": body, "thread_root": root}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn people_rooms_threads_and_notification_levels() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    t.login("alice").await;
    let mut ui = ui(&t).await;
    ui.until("online and general open", |a| {
        a.connection.state == tern_client_core::ConnectionState::Online
            && a.timeline.room.is_some()
            && !a.timeline.items.is_empty()
    })
    .await;
    let general = ui.app.timeline.room.unwrap();

    // The user directory: Tab completes `:dm` names.
    ui.until("the user directory", |a| a.users.len() >= 3).await;
    let line = complete_command("dm b", &ui.app.users, &ui.app.names, ui.app.me);
    assert_eq!(line.as_deref(), Some("dm bob"));
    let line = complete_command("di", &ui.app.users, &ui.app.names, ui.app.me);
    assert_eq!(line.as_deref(), Some("directory "));

    // Threads: two replies in bob's thread show as a count.
    let dir = tempfile::tempdir().unwrap();
    let bob = other_client(&server, dir.path(), "bob").await;
    let bob_general = room_named(&bob, "general").await;
    assert_eq!(bob_general, general);
    let root = bob.send(general, "a thread starts here").await.unwrap();
    ui.until("bob's message", |a| {
        a.timeline
            .items
            .iter()
            .any(|i| i.body == "a thread starts here" && i.seq.is_some())
    })
    .await;
    let root_id = ui
        .app
        .timeline
        .items
        .iter()
        .find(|i| i.body == "a thread starts here")
        .unwrap()
        .id;
    let _ = root;
    thread_reply(&server, "carol", general, root_id, "first reply").await;
    thread_reply(&server, "bob", general, root_id, "second reply").await;
    ui.until("the thread count", |a| {
        a.timeline.threads.get(&root_id) == Some(&2)
    })
    .await;

    // The directory lists a public room alice is not in; Enter joins it.
    let ws = bob.workspaces().await.unwrap()[0].id;
    bob.create_room(NewRoom {
        workspace_id: ws,
        kind: RoomKind::Channel,
        name: "design".into(),
        visibility: Visibility::Public,
        topic: Some("Shapes and colours".into()),
        members: vec![],
    })
    .await
    .unwrap();
    let _ = room_named(&bob, "design").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    ui.command("directory").await;
    ui.until("the directory", |a| {
        matches!(&a.overlay, Overlay::Directory(v) if v.items.iter().any(|d| d.name == "design" && !d.joined))
    })
    .await;
    if let Overlay::Directory(v) = &mut ui.app.overlay {
        v.sel = v.items.iter().position(|d| d.name == "design").unwrap();
    }
    let cmds = ui.app.update(Action::Submit);
    assert!(matches!(cmds.as_slice(), [Cmd::JoinId { .. }]), "{cmds:?}");
    ui.run(cmds).await;
    ui.until("design in the room list", |a| {
        a.rooms.iter().any(|r| r.name == "design")
    })
    .await;

    // Invite carol to a new private group, then the member list shows her
    // as invited.
    ui.command("create plans group").await;
    ui.until("the group on the server", |a| {
        a.rooms.iter().any(|r| r.name == "plans" && !r.local_only)
    })
    .await;
    let plans = ui.app.rooms.iter().find(|r| r.name == "plans").unwrap().id;
    let cmds = ui.app.update(Action::OpenRoom(plans));
    ui.run(cmds).await;
    ui.command("invite carol").await;
    ui.until("the invitation", |a| {
        a.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("invited"))
    })
    .await;
    assert!(!ui.app.notice.as_ref().unwrap().error);
    ui.command("invite nobody-here").await;
    assert!(ui.app.notice.as_ref().unwrap().error);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        ui.command("members").await;
        let found = matches!(&ui.app.overlay, Overlay::Members(v)
            if v.items.iter().any(|m| m.username == "carol" && m.state == MemberState::Invited));
        if found {
            break;
        }
        assert!(Instant::now() < deadline, "carol never shows as invited");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Mute: kept in the profile, dims the room, stops notifications;
    // `:notify all` makes every message notify.
    let cmds = ui.app.update(Action::OpenRoom(general));
    ui.run(cmds).await;
    ui.command("mute").await;
    let state = ProfileState::load(&t.data_dir(), "default");
    assert_eq!(state.rooms[&general].muted, Some(true));
    let r = ui
        .app
        .rooms
        .iter()
        .find(|r| r.id == general)
        .unwrap()
        .clone();
    assert!(ui.app.room_muted(&r));
    assert_eq!(ui.app.notify_level(general), NotifyLevel::None);
    let incoming = |mention: bool| Action::Incoming {
        room: general,
        sender: "Bob Builder".into(),
        body: "hello".into(),
        mention,
    };
    assert!(
        ui.app.update(incoming(true)).is_empty(),
        "muted: no notification"
    );
    ui.command("unmute").await;
    assert!(
        ui.app.update(incoming(false)).is_empty(),
        "mentions only by default"
    );
    assert_eq!(ui.app.update(incoming(true)).len(), 1);
    ui.command("notify all").await;
    assert_eq!(ui.app.update(incoming(false)).len(), 1);
    ui.command("notify none").await;
    assert!(ui.app.update(incoming(true)).is_empty());
    let state = ProfileState::load(&t.data_dir(), "default");
    assert_eq!(state.rooms[&general].notify, Some(NotifyLevel::None));
    assert_eq!(state.rooms[&general].muted, Some(false));

    // A real message from bob with `all`: the notifier hears it.
    ui.command("notify all").await;
    ui.notified.clear();
    bob.send(general, "every message notifies now")
        .await
        .unwrap();
    ui.until("bob's second message", |a| {
        a.timeline
            .items
            .iter()
            .any(|i| i.body == "every message notifies now")
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while ui.notified.is_empty() {
        assert!(Instant::now() < deadline, "no notification");
        ui.run(vec![]).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ui.notified[0].contains("Bob Builder"), "{:?}", ui.notified);
    // The next start reads the levels back.
    drop(ui);
    let ui2 = self::ui(&t).await;
    assert_eq!(ui2.app.notify_level(general), NotifyLevel::All);
}

/// Makes a room read-only or writable again, as its creator, through the
/// API.
async fn set_read_only(server: &TestServer, user: &str, room: Uuid, read_only: bool) {
    let http = reqwest::Client::new();
    let pair: serde_json::Value = http
        .post(format!("{}/api/v1/auth/login", server.url()))
        .json(&serde_json::json!({"login": user, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = http
        .patch(format!("{}/api/v1/rooms/{room}", server.url()))
        .bearer_auth(pair["access_token"].as_str().unwrap())
        .json(&serde_json::json!({ "read_only": read_only }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

/// Point 4: a send the server refuses for good shows as failed; `:retry`
/// queues it again and it is delivered once, `:discard` drops it (and its
/// local echo); `:leave` leaves the room.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_send_is_retried_or_discarded_and_a_room_left() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    // Carol: a plain member (alice owns the demo workspace, and owners
    // may write into read-only rooms).
    t.login("carol").await;
    let mut ui = ui(&t).await;
    ui.until("online", |a| {
        a.connection.state == tern_client_core::ConnectionState::Online
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let bob = other_client(&server, dir.path(), "bob").await;
    let ws = bob.workspaces().await.unwrap()[0].id;
    bob.create_room(NewRoom {
        workspace_id: ws,
        kind: RoomKind::Channel,
        name: "notes".into(),
        visibility: Visibility::Public,
        topic: None,
        members: vec![],
    })
    .await
    .unwrap();
    // Created locally first; the server's id replaces the local one.
    crate::helpers::eventually(10, "notes on the server", || {
        let bob = bob.clone();
        async move {
            bob.rooms()
                .await
                .unwrap()
                .iter()
                .any(|r| r.name == "notes" && !r.local_only)
        }
    })
    .await;
    let notes = bob
        .rooms()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == "notes" && !r.local_only)
        .unwrap()
        .id;
    ui.command("join notes").await;
    ui.until("notes in carol's list", |a| {
        a.rooms.iter().any(|r| r.id == notes)
    })
    .await;
    let cmds = ui.app.update(Action::OpenRoom(notes));
    ui.run(cmds).await;
    let has = |a: &App, body: &str| a.timeline.items.iter().any(|i| i.body == body);

    // Refused for good: the room is read-only for alice.
    set_read_only(&server, "bob", notes, true).await;
    let send = |body: &str| Cmd::Send {
        room: notes,
        body: body.into(),
        reply_to: None,
    };
    ui.run(vec![send("into a read-only room")]).await;
    ui.until("the send to fail", |a| a.failed == 1).await;
    assert!(has(&ui.app, "into a read-only room"));
    let notice = ui.app.notice.clone().unwrap();
    // The server's refusal, in the user's words.
    assert!(notice.error, "{notice:?}");
    assert_eq!(notice.text, "Not sent: This room is read-only for you");

    // Back open: :retry delivers it, once.
    set_read_only(&server, "bob", notes, false).await;
    ui.command("retry").await;
    ui.until("the retried message delivered", |a| {
        a.failed == 0
            && a.queued == 0
            && a.timeline
                .items
                .iter()
                .any(|i| i.body == "into a read-only room" && i.seq.is_some())
    })
    .await;
    crate::helpers::eventually(10, "bob to get it", || {
        let bob = bob.clone();
        async move {
            let page = bob.timeline(notes, None, 50).await.unwrap();
            page.items.iter().any(|i| i.body == "into a read-only room")
        }
    })
    .await;
    let page = bob.timeline(notes, None, 50).await.unwrap();
    let n = page
        .items
        .iter()
        .filter(|i| i.body == "into a read-only room")
        .count();
    assert_eq!(n, 1, "delivered once");

    // Refused again: :discard drops it and its echo.
    set_read_only(&server, "bob", notes, true).await;
    ui.run(vec![send("never to be sent")]).await;
    ui.until("the second send to fail", |a| a.failed == 1).await;
    ui.command("discard").await;
    ui.until("the failed message gone", |a| {
        a.failed == 0 && a.queued == 0 && !has(a, "never to be sent")
    })
    .await;
    set_read_only(&server, "bob", notes, false).await;
    ui.run(vec![send("after the discard")]).await;
    crate::helpers::eventually(10, "bob to get the next one", || {
        let bob = bob.clone();
        async move {
            let page = bob.timeline(notes, None, 50).await.unwrap();
            page.items.iter().any(|i| i.body == "after the discard")
        }
    })
    .await;
    let page = bob.timeline(notes, None, 50).await.unwrap();
    assert!(
        !page.items.iter().any(|i| i.body == "never to be sent"),
        "a discarded message reached the server"
    );

    // :leave
    ui.command("leave").await;
    ui.until("notes gone from the list", |a| {
        !a.rooms
            .iter()
            .any(|r| r.id == notes && r.membership == MemberState::Joined)
    })
    .await;
}

/// Point 6: a search hit older than the loaded page opens in context: the
/// timeline jumps to a stretch around it, with it selected and what came
/// before and after it on both sides.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_search_hit_opens_in_context() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    t.login("carol").await;
    let dir = tempfile::tempdir().unwrap();
    let bob = other_client(&server, dir.path(), "bob").await;
    let general = room_named(&bob, "general").await;
    // Carol is online while they arrive, so all of them are stored here.
    let mut ui = ui(&t).await;
    ui.until("online", |a| {
        a.connection.state == tern_client_core::ConnectionState::Online
    })
    .await;
    bob.send(general, "just before the needle").await.unwrap();
    bob.send(general, "the needle in the haystack")
        .await
        .unwrap();
    for n in 0..150 {
        bob.send(general, &format!("filler {n}")).await.unwrap();
    }
    crate::helpers::eventually(60, "bob's messages delivered", || {
        let bob = bob.clone();
        async move { bob.outbox().await.unwrap().is_empty() }
    })
    .await;

    let has = |a: &App, body: &str| a.timeline.items.iter().any(|i| i.body == body);
    ui.until("the newest page", |a| {
        a.timeline.room == Some(general) && has(a, "filler 149")
    })
    .await;
    assert!(
        !has(&ui.app, "the needle in the haystack"),
        "already loaded"
    );
    ui.command("search needle").await;
    ui.until(
        "the hit",
        |a| matches!(&a.overlay, Overlay::Search(s) if !s.results.is_empty()),
    )
    .await;
    let cmds = ui.app.update(Action::Submit);
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::JumpTo { .. })),
        "{cmds:?}"
    );
    ui.run(cmds).await;
    ui.until("the needle selected", |a| {
        a.selected_item()
            .is_some_and(|i| i.body == "the needle in the haystack")
    })
    .await;
    assert!(ui.app.timeline.detached, "scrolled back from the newest");
    assert!(has(&ui.app, "just before the needle"), "what came before");
    assert!(has(&ui.app, "filler 10"), "what came after");
    assert!(!has(&ui.app, "filler 149"), "a stretch, not everything");
}
