//! The desktop citizen's duties, driven by real events: the window title
//! and tray follow the unread count, and messages from another client
//! raise notifications as the room's level says (mentions and direct
//! messages by default) unless they are off or muted.

use tauri::Manager;
use tern_desktop::desktop::{Badge, Citizen, Notice, Notifier};

use super::*;

const DEMO_PASSWORD: &str = "tern-demo";

/// A server holding the demo data set (alice, bob, carol; `general`).
fn demo_server() -> Server {
    let s = Server::start();
    let store = s.running.as_ref().unwrap().state.store.clone();
    let cost = s.config.password_cost;
    tauri::async_runtime::block_on(async move {
        tern_server::demo::seed(&*store, cost).await.unwrap();
    });
    s
}

/// Another user's client-core client, signed in.
fn other_client(s: &Server, dir: &TempDir, login: &str) -> Client {
    let url = s.url();
    let path = dir.path().to_owned();
    let login = login.to_owned();
    tauri::async_runtime::block_on(async move {
        let mut c = ClientConfig::new(url, path, "other");
        c.secrets = SecretsBackend::File;
        let client = Client::open(c).await.unwrap();
        client.login(&login, DEMO_PASSWORD).await.unwrap();
        client
    })
}

fn shown(d: &Desktop) -> Option<Badge> {
    d._app.state::<Citizen>().shown()
}

fn rooms(d: &Desktop) -> Vec<RoomSummary> {
    d.ok("rooms_list", json!({}))
}

#[test]
fn the_title_and_tray_follow_unread_and_mentions_and_direct_messages_notify() {
    let s = demo_server();
    let d = Desktop::new();
    let notices: Arc<Mutex<Vec<Notice>>> = Arc::default();
    let sink = notices.clone();
    d._app
        .manage(Notifier::new(move |n| sink.lock().unwrap().push(n)));
    let got = |body: &str| notices.lock().unwrap().iter().any(|n| n.body == body);

    let _: Account = d.ok(
        "auth_login",
        json!({"server_url": s.url(), "login": "bob", "password": DEMO_PASSWORD}),
    );
    let general = wait_for(20, "general synced", || {
        rooms(&d).into_iter().find(|r| r.name == "general")
    });
    // What the title shows is the store's count, whatever it is after sync.
    wait_for(20, "the first count shown", || {
        let want = Badge {
            unread: rooms(&d).iter().map(|r| r.unread_count).sum(),
        };
        (shown(&d) == Some(want)).then_some(())
    });
    let () = d.ok("rooms_mark_read", json!({"room_id": general.id}));
    wait_for(20, "nothing unread", || {
        (shown(&d) == Some(Badge { unread: 0 })).then_some(())
    });
    assert_eq!(Badge { unread: 0 }.title(), "Tern");

    let alice_dir = tempfile::tempdir().unwrap();
    let alice = other_client(&s, &alice_dir, "alice");
    let bob_id = d
        .ok::<Session>("session_get", json!({}))
        .account
        .unwrap()
        .user_id;
    let (dm, alice_send) = {
        let a = alice.clone();
        let ws = general.workspace_id;
        let dm =
            tauri::async_runtime::block_on(async move { a.open_direct(ws, bob_id).await.unwrap() });
        let a = alice.clone();
        let send = move |room: uuid::Uuid, body: &str| {
            let a = a.clone();
            let body = body.to_owned();
            tauri::async_runtime::block_on(async move { a.send(room, &body).await.unwrap() });
        };
        (dm, send)
    };

    // A direct message: counted, and a notice titled with the sender.
    alice_send(dm, "are you there, Bob?");
    wait_for(30, "the direct message counted", || {
        (shown(&d) == Some(Badge { unread: 1 })).then_some(())
    });
    wait_for(10, "the direct message's notice", || {
        got("are you there, Bob?").then_some(())
    });
    let n = notices.lock().unwrap().last().cloned().unwrap();
    assert_eq!((n.room_id, n.title.as_str()), (dm, "Alice Liddell"));
    assert_eq!(shown(&d).unwrap().title(), "(1) Tern");
    assert_eq!(shown(&d).unwrap().tray_label().as_deref(), Some("1"));

    // A plain channel message counts but stays quiet; a mention speaks.
    alice_send(general.id, "lunch at noon");
    alice_send(general.id, "@bob can you review the slides?");
    wait_for(30, "the mention's notice", || {
        got("@bob can you review the slides?").then_some(())
    });
    let n = notices.lock().unwrap().last().cloned().unwrap();
    assert_eq!(n.title, "Alice Liddell · general");
    assert!(!got("lunch at noon"), "a plain channel message notified");
    wait_for(30, "three unread", || {
        (shown(&d) == Some(Badge { unread: 3 })).then_some(())
    });

    // Muted in the app's settings: the direct room stays quiet; the
    // mention after it shows the muted message was already handled.
    let mut settings: Value = d.ok::<Value>("settings_get", json!({}))["settings"].clone();
    settings["muted_rooms"] = json!([dm]);
    let () = d.ok("settings_set", json!({"settings": settings.clone()}));
    alice_send(dm, "muted direct message");
    alice_send(general.id, "@bob second mention");
    wait_for(30, "the second mention's notice", || {
        got("@bob second mention").then_some(())
    });
    assert!(!got("muted direct message"), "a muted room notified");

    // Notifications off: nothing at all, the count still moves.
    settings["muted_rooms"] = json!([]);
    settings["notifications"] = json!(false);
    let () = d.ok("settings_set", json!({"settings": settings.clone()}));
    alice_send(dm, "direct message while off");
    alice_send(general.id, "@bob mention while off");
    wait_for(30, "seven unread", || {
        (shown(&d) == Some(Badge { unread: 7 })).then_some(())
    });
    // Both rooms' timelines hold the messages, so their events were heard.
    wait_for(10, "the messages stored", || {
        let p: TimelinePage = d.ok("timeline_page", json!({"room_id": general.id}));
        p.items
            .iter()
            .any(|i| i.body == "@bob mention while off")
            .then_some(())
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(!got("direct message while off") && !got("@bob mention while off"));

    // Reading everything clears the title.
    let () = d.ok("rooms_mark_read", json!({"room_id": general.id}));
    let () = d.ok("rooms_mark_read", json!({"room_id": dm}));
    wait_for(20, "the count cleared", || {
        (shown(&d) == Some(Badge { unread: 0 })).then_some(())
    });
    assert_eq!(
        notices.lock().unwrap().len(),
        3,
        "{:?}",
        notices.lock().unwrap()
    );

    // The room's level on the account: at `all` every message in general
    // notifies; at `none` nothing does, not even a mention (the direct
    // message after it shows it was handled).
    settings["notifications"] = json!(true);
    let () = d.ok("settings_set", json!({"settings": settings}));
    let level = |notify: &str| {
        let () = d.ok(
            "rooms_set_notifications",
            json!({"room_id": general.id, "notify": notify}),
        );
        wait_for(20, "the level synced", || {
            let n: Value = d.ok("rooms_notifications", json!({"room_id": general.id}));
            (n["notify"] == notify).then_some(())
        });
    };
    level("all");
    alice_send(general.id, "a plain message at all");
    wait_for(30, "the plain message's notice", || {
        got("a plain message at all").then_some(())
    });
    level("none");
    alice_send(general.id, "@bob a mention at none");
    alice_send(dm, "a direct message after none");
    wait_for(30, "the direct message's notice", || {
        got("a direct message after none").then_some(())
    });
    assert!(!got("@bob a mention at none"), "a room at none notified");
    assert_eq!(notices.lock().unwrap().len(), 5);
    tauri::async_runtime::block_on(alice.shutdown());
}
