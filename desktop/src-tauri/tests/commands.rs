//! The command layer, driven through Tauri's IPC (mock runtime) against
//! the real server started in process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, WebviewWindow, WebviewWindowBuilder};
use tempfile::TempDir;
use tern_client_core::protocol::room::RoomKind;
use tern_client_core::{Client, ClientConfig, SecretsBackend};
use tern_desktop::dto::{
    Account, Connection, ConnectionState, Event, OutboxItem, RoomSummary, Session, TimelinePage,
};
use tern_desktop::{AppState, EVENT, Paths};
use tern_server::Running;
use tern_server::auth::PasswordCost;
use tern_server::config::Config;

#[path = "commands/citizen.rs"]
mod citizen;

const PASSWORD: &str = "correct horse battery";

struct Server {
    running: Option<Running>,
    addr: SocketAddr,
    config: Config,
    _dir: TempDir,
}

impl Server {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::new(dir.path().to_path_buf());
        config.password_cost = PasswordCost {
            memory_kib: 64,
            passes: 1,
        };
        config.auth_per_ip_per_minute = 100_000;
        config.auth_per_account_per_minute = 100_000;
        let c = config.clone();
        let running = tauri::async_runtime::block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tern_server::start(c, l).await.unwrap()
        });
        Self {
            addr: running.addr,
            running: Some(running),
            config,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            tauri::async_runtime::block_on(r.stop());
        }
    }

    fn start_again(&mut self) {
        let (addr, c) = (self.addr, self.config.clone());
        self.running = Some(tauri::async_runtime::block_on(async move {
            let mut tries = 0;
            let l = loop {
                match tokio::net::TcpListener::bind(addr).await {
                    Ok(l) => break l,
                    Err(e) if tries < 100 => {
                        tries += 1;
                        let _ = e;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(e) => panic!("cannot bind {addr} again: {e}"),
                }
            };
            tern_server::start(c, l).await.unwrap()
        }));
    }
}

struct Desktop {
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    events: Arc<Mutex<Vec<Event>>>,
    _dir: TempDir,
}

impl Desktop {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(Paths::under(dir.path()), SecretsBackend::File);
        let app = tern_desktop::with_commands(mock_builder(), state)
            .build(mock_context(noop_assets()))
            .unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        app.listen_any(EVENT, move |e| {
            let ev: Event =
                serde_json::from_str(e.payload()).expect("an event the window can read");
            sink.lock().unwrap().push(ev);
        });
        Self {
            _app: app,
            window,
            events,
            _dir: dir,
        }
    }

    fn call<T: DeserializeOwned>(&self, cmd: &str, args: Value) -> Result<T, Value> {
        let res = get_ipc_response(
            &self.window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                // The app's own origin on Linux and macOS.
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )?;
        Ok(res
            .deserialize::<T>()
            .unwrap_or_else(|e| panic!("{cmd}: {e}")))
    }

    fn ok<T: DeserializeOwned>(&self, cmd: &str, args: Value) -> T {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call::<Value>(cmd, args) {
            Ok(v) => panic!("{cmd} should fail, answered {v}"),
            Err(e) => e,
        }
    }

    fn saw(&self, f: impl Fn(&Event) -> bool) -> bool {
        self.events.lock().unwrap().iter().any(f)
    }
}

fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Registers a user, makes a workspace and a channel; answers the room.
fn signed_in_with_room(d: &Desktop, s: &Server, name: &str) -> (Account, RoomSummary) {
    let account: Account = d.ok(
        "auth_register",
        json!({"server_url": s.url(), "username": name, "email": format!("{name}@example.test"),
               "password": PASSWORD, "display_name": name}),
    );
    let ws: Value = d.ok(
        "workspaces_create",
        json!({"slug": format!("ws-{name}"), "name": "Work"}),
    );
    let local: String = d.ok(
        "rooms_create",
        json!({"room": {"workspace_id": ws["id"], "kind": "channel", "name": "general",
                        "visibility": "public", "topic": "Chat"}}),
    );
    let room = wait_for(20, "the room on the server", || {
        let rooms: Vec<RoomSummary> = d.ok("rooms_list", json!({}));
        rooms
            .into_iter()
            .find(|r| r.name == "general" && !r.local_only && r.id.to_string() != local)
    });
    (account, room)
}

#[test]
fn errors_cross_with_stable_codes() {
    let s = Server::start();
    let d = Desktop::new();
    let e = d.err("rooms_list", json!({}));
    assert_eq!(e["code"], "not_signed_in");
    let e = d.err(
        "auth_login",
        json!({"server_url": "ftp://nowhere", "login": "a", "password": "b"}),
    );
    assert_eq!(e["code"], "invalid_input");
    let e = d.err(
        "auth_login",
        json!({"server_url": s.url(), "login": "", "password": "b"}),
    );
    assert_eq!(e["code"], "invalid_input");
    let e = d.err(
        "auth_login",
        json!({"server_url": s.url(), "login": "nobody", "password": "wrong password"}),
    );
    assert_eq!(e["code"], "server");
    assert_eq!(e["server_code"], "invalid_credentials");
    assert_eq!(e["transient"], false);
    // Missing or mistyped arguments are refused, not a crash.
    let e = d.err(
        "timeline_send",
        json!({"room_id": "not-a-uuid", "body": "x"}),
    );
    assert!(e.is_string() || e.is_object(), "{e}");
    // A server that is not there.
    let e = d.err(
        "auth_login",
        json!({"server_url": "http://127.0.0.1:9", "login": "a", "password": "b"}),
    );
    assert_eq!(e["code"], "network");
    assert_eq!(e["transient"], true);
}

#[test]
fn sign_in_read_send_and_hear_events() {
    let s = Server::start();
    let d = Desktop::new();
    let (account, room) = signed_in_with_room(&d, &s, "alice");

    // The server is remembered and the session restores.
    let session: Session = d.ok("session_get", json!({}));
    assert_eq!(session.server_url.as_deref(), Some(s.url().as_str()));
    assert_eq!(
        session.account.as_ref().map(|a| a.user_id),
        Some(account.user_id)
    );

    let local: String = d.ok(
        "timeline_send",
        json!({"room_id": room.id, "body": "hello from the desktop"}),
    );
    let page = wait_for(20, "the message delivered", || {
        let p: TimelinePage = d.ok("timeline_page", json!({"room_id": room.id}));
        p.items
            .iter()
            .any(|i| i.body == "hello from the desktop" && i.local.is_none() && i.seq.is_some())
            .then_some(p)
    });
    assert_eq!(page.items.len(), 1);
    let id = page.items[0].id;
    assert_ne!(id.to_string(), local);

    // Edit, react, reply, delete: each a thin call, each seen in the page.
    let _: String = d.ok(
        "timeline_edit",
        json!({"message_id": id, "body": "hello, edited"}),
    );
    let _: String = d.ok("timeline_react", json!({"message_id": id, "emoji": "👍"}));
    let _: String = d.ok("timeline_reply", json!({"reply_to": id, "body": "a reply"}));
    wait_for(20, "edit, reaction and reply", || {
        let p: TimelinePage = d.ok("timeline_page", json!({"room_id": room.id}));
        let first = p.items.iter().find(|i| i.id == id)?;
        let reply = p.items.iter().find(|i| i.body == "a reply")?;
        (first.edited
            && first.body == "hello, edited"
            && first
                .reactions
                .iter()
                .any(|r| r.emoji == "👍" && r.me && !r.pending)
            && reply.reply_to.as_ref().map(|r| r.id) == Some(id)
            && reply.local.is_none())
        .then_some(())
    });
    let e = d.err("timeline_react", json!({"message_id": id, "emoji": ""}));
    assert_eq!(e["code"], "invalid_input");

    // The page after a seq: the reply, the newest, so at_newest.
    let seq = wait_for(10, "the message's seq", || {
        let p: TimelinePage = d.ok("timeline_page", json!({"room_id": room.id}));
        p.items.iter().find(|i| i.id == id).and_then(|i| i.seq)
    });
    let newer: Value = d.ok(
        "timeline_after",
        json!({"room_id": room.id, "after": seq, "limit": 10}),
    );
    assert_eq!(newer["at_newest"], json!(true));
    let bodies: Vec<&str> = newer["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["body"].as_str())
        .collect();
    assert_eq!(bodies, vec!["a reply"]);
    let e = d.err(
        "timeline_after",
        json!({"room_id": room.id, "after": "soon"}),
    );
    assert!(e.to_string().contains("after"), "{e}");

    // A picked or dropped file (both hand the window a path): sent once,
    // with upload progress; a path that is not there changes nothing.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, vec![b'n'; 300_000]).unwrap();
    let _: String = d.ok(
        "files_send",
        json!({"room_id": room.id, "path": path, "caption": "the notes"}),
    );
    let sent = wait_for(20, "the file delivered", || {
        let p: TimelinePage = d.ok("timeline_page", json!({"room_id": room.id}));
        p.items
            .into_iter()
            .find(|i| i.body == "the notes" && i.local.is_none() && i.attachments.len() == 1)
    });
    let info: Value = d.ok("files_info", json!({"file_id": sent.attachments[0]}));
    assert_eq!(info["name"], "notes.txt");
    assert_eq!(info["size"], 300_000);
    assert!(d.saw(|e| matches!(e, Event::UploadProgress { sent, total, .. } if *sent == *total && *total == 300_000)));
    let e = d.err(
        "files_send",
        json!({"room_id": room.id, "path": dir.path().join("gone.txt")}),
    );
    assert_eq!(e["code"], "source_gone", "{e}");
    let p: TimelinePage = d.ok("timeline_page", json!({"room_id": room.id}));
    assert_eq!(
        p.items.iter().filter(|i| !i.attachments.is_empty()).count(),
        1
    );

    // Search over the local store.
    let hits: Vec<Value> = d.ok("search_messages", json!({"query": {"text": "edited"}}));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["message_id"], json!(id));

    // The events reached the window.
    wait_for(10, "events", || {
        (d.saw(|e| matches!(e, Event::RoomListChanged))
            && d.saw(|e| matches!(e, Event::TimelineChanged { room_id, .. } if *room_id == room.id))
            && d.saw(|e| matches!(e, Event::ConnectionChanged { connection } if connection.state == ConnectionState::Online))
            && d.saw(|e| matches!(e, Event::OutboxItem { .. })))
        .then_some(())
    });

    // Sign out: the session is gone.
    let () = d.ok("auth_logout", json!({}));
    let session: Session = d.ok("session_get", json!({}));
    assert!(session.account.is_none());
}

#[test]
fn offline_reads_queue_and_delivers_once() {
    let mut s = Server::start();
    let d = Desktop::new();
    let (_, room) = signed_in_with_room(&d, &s, "carol");
    let _: String = d.ok(
        "timeline_send",
        json!({"room_id": room.id, "body": "before the outage"}),
    );
    wait_for(20, "an empty outbox", || {
        d.ok::<Vec<OutboxItem>>("outbox_list", json!({}))
            .is_empty()
            .then_some(())
    });

    s.stop();
    wait_for(20, "offline", || {
        let c: Connection = d.ok("connection_get", json!({}));
        (c.state != ConnectionState::Online).then_some(())
    });
    // Reading still works from the store.
    let p: TimelinePage = d.ok("timeline_page", json!({"room_id": room.id}));
    assert!(p.items.iter().any(|i| i.body == "before the outage"));
    let rooms: Vec<RoomSummary> = d.ok("rooms_list", json!({}));
    assert!(rooms.iter().any(|r| r.id == room.id));
    // A write waits in the outbox.
    let _: String = d.ok(
        "timeline_send",
        json!({"room_id": room.id, "body": "sent while offline"}),
    );
    let queued: Vec<OutboxItem> = d.ok("outbox_list", json!({}));
    assert_eq!(queued.iter().filter(|o| o.kind == "send").count(), 1);

    s.start_again();
    let () = d.ok("connection_reconnect", json!({}));
    wait_for(40, "the queued message delivered", || {
        let p: TimelinePage = d.ok("timeline_page", json!({"room_id": room.id}));
        p.items
            .iter()
            .any(|i| i.body == "sent while offline" && i.local.is_none())
            .then_some(())
    });
    wait_for(20, "an empty outbox", || {
        d.ok::<Vec<OutboxItem>>("outbox_list", json!({}))
            .is_empty()
            .then_some(())
    });

    // Another client sees it exactly once.
    let other = tempfile::tempdir().unwrap();
    let url = s.url();
    let room_id = room.id;
    let bodies = tauri::async_runtime::block_on(async move {
        let mut c = ClientConfig::new(url, other.path(), "other");
        c.secrets = SecretsBackend::File;
        let client = Client::open(c).await.unwrap();
        client.login("carol", PASSWORD).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let p = client.timeline(room_id, None, 100).await;
            if let Ok(p) = p
                && p.items.iter().any(|i| i.body == "sent while offline")
            {
                client.shutdown().await;
                return p.items.into_iter().map(|i| i.body).collect::<Vec<_>>();
            }
            assert!(Instant::now() < deadline, "the other client never saw it");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    assert_eq!(
        bodies.iter().filter(|b| *b == "sent while offline").count(),
        1,
        "{bodies:?}"
    );
}

#[test]
fn settings_round_trip_and_refuse_bad_values() {
    let d = Desktop::new();
    let v: Value = d.ok("settings_get", json!({}));
    assert_eq!(v["settings"]["theme"], "system");
    assert!(v["system_language"] == "en" || v["system_language"] == "ru");
    let mut s = v["settings"].clone();
    s["theme"] = json!("dark");
    s["language"] = json!("ru");
    let () = d.ok("settings_set", json!({"settings": s}));
    let v: Value = d.ok("settings_get", json!({}));
    assert_eq!(v["settings"]["theme"], "dark");
    assert_eq!(v["settings"]["language"], "ru");
    s["language"] = json!("tlh");
    let e = d.err("settings_set", json!({"settings": s}));
    assert_eq!(e["code"], "invalid_input");
}

/// Refused input is told in the app's language (the settings' `language`),
/// whole: Russian when it is ru, English when en; the code and the English
/// log message stay as they are.
#[test]
fn refused_input_is_worded_in_the_apps_language() {
    let s = Server::start();
    let d = Desktop::new();
    let (_, room) = signed_in_with_room(&d, &s, "lang");
    let sent: String = d.ok(
        "timeline_send",
        json!({"room_id": room.id, "body": "react to me"}),
    );
    let set_language = |language: &str| {
        let v: Value = d.ok("settings_get", json!({}));
        let mut settings = v["settings"].clone();
        settings["language"] = json!(language);
        let () = d.ok("settings_set", json!({"settings": settings}));
    };
    let refusals = || {
        let too_long = d.err(
            "timeline_send",
            json!({"room_id": room.id, "body": "ж".repeat(16_001)}),
        );
        let blank = d.err("timeline_send", json!({"room_id": room.id, "body": "  "}));
        let no_emoji = d.err("timeline_react", json!({"message_id": sent, "emoji": ""}));
        let mut settings = d.ok::<Value>("settings_get", json!({}))["settings"].clone();
        settings["cache_size_mb"] = json!(1);
        let cache = d.err("settings_set", json!({"settings": settings}));
        for e in [&too_long, &blank, &no_emoji, &cache] {
            assert_eq!(e["code"], "invalid_input", "{e}");
        }
        assert_eq!(
            too_long["message"],
            "invalid input: message body: 1 to 16000 characters, not only spaces"
        );
        [too_long, blank, no_emoji, cache]
            .map(|e| e["text"].as_str().unwrap_or_default().to_owned())
    };

    set_language("ru");
    let [too_long, blank, no_emoji, cache] = refusals();
    assert_eq!(
        too_long,
        "В сообщении должно быть от 1 до 16000 символов, не только пробелы"
    );
    assert_eq!(blank, too_long);
    assert!(
        no_emoji.starts_with("Реакция должна занимать от 1 до "),
        "{no_emoji}"
    );
    assert_eq!(cache, "Файловый кэш может занимать от 16 до 1048576 МБ");
    for text in [&too_long, &no_emoji, &cache] {
        assert!(
            !text.chars().any(|c| c.is_ascii_alphabetic()),
            "English left in {text:?}"
        );
    }

    set_language("en");
    let [too_long, blank, no_emoji, cache] = refusals();
    assert_eq!(
        too_long,
        "A message must have 1 to 16000 characters, not only spaces"
    );
    assert_eq!(blank, too_long);
    assert!(
        no_emoji.starts_with("A reaction must be 1 to "),
        "{no_emoji}"
    );
    assert_eq!(cache, "The file cache must be 16 to 1048576 MB");
}

/// A write the server refuses fails in the outbox with its reason kept in
/// English; the window gets it in the app's language too, in the outbox
/// list and in the event that tells of it.
#[test]
fn a_refused_write_is_told_in_the_apps_language() {
    use tern_desktop::dto::OutboxState;
    let s = Server::start();
    let d = Desktop::new();
    let _ = signed_in_with_room(&d, &s, "nowhere");
    let v: Value = d.ok("settings_get", json!({}));
    let mut settings = v["settings"].clone();
    settings["language"] = json!("ru");
    let () = d.ok("settings_set", json!({"settings": settings}));
    // A room in a workspace that is not there: queued, then refused.
    let local: String = d.ok(
        "rooms_create",
        json!({"room": {"workspace_id": "01a212b9-0000-7000-8000-000000000000",
                        "kind": "channel", "name": "nowhere", "visibility": "public",
                        "topic": null}}),
    );
    let failed = |state: &OutboxState| match state {
        OutboxState::Failed { reason, text } => Some((reason.clone(), text.clone())),
        _ => None,
    };
    let (txn, (reason, text)) = wait_for(20, "the room's creation to fail", || {
        d.ok::<Vec<OutboxItem>>("outbox_list", json!({}))
            .into_iter()
            .filter(|o| o.room_id.to_string() == local)
            .find_map(|o| Some((o.txn_id.clone(), failed(&o.state)?)))
    });
    assert_eq!(reason, "server answered 404 not_found: workspace not found");
    assert_eq!(text, "На сервере этого нет, или вам это не видно");
    wait_for(20, "the event of the failure", || {
        d.saw(|e| {
            matches!(e, Event::OutboxItem { txn_id, state, .. }
            if *txn_id == txn && failed(state).is_some_and(|(_, t)| t == text))
        })
        .then_some(())
    });
}

/// A valid 1×1 PNG.
const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

#[test]
fn profile_devices_people_and_room_info() {
    use base64::Engine as _;
    let s = Server::start();
    let d = Desktop::new();
    let (account, room) = signed_in_with_room(&d, &s, "dora");

    // Profile: name, avatar, and bad input refused without a change.
    let p: Value = d.ok("account_profile", json!({}));
    assert_eq!(p["username"], "dora");
    assert_eq!(p["email"], "dora@example.test");
    let p: Value = d.ok("account_set_name", json!({"display_name": " Dora E. "}));
    assert_eq!(p["display_name"], "Dora E.");
    let e = d.err("account_set_name", json!({"display_name": "   "}));
    assert_eq!(e["code"], "invalid_input");
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("me.png");
    std::fs::write(
        &png,
        base64::engine::general_purpose::STANDARD
            .decode(PNG_1X1)
            .unwrap(),
    )
    .unwrap();
    let p: Value = d.ok("account_set_avatar", json!({"path": png}));
    let avatar = p["avatar_file_id"].clone();
    assert!(avatar.is_string(), "{p}");
    let e = d.err(
        "account_set_avatar",
        json!({"path": dir.path().join("missing.png")}),
    );
    assert_eq!(e["code"], "invalid_input");
    let e = d.err("account_set_avatar", json!({"path": ""}));
    assert_eq!(e["code"], "invalid_input");
    let p: Value = d.ok("account_profile", json!({}));
    assert_eq!(p["display_name"], "Dora E.");
    assert_eq!(p["avatar_file_id"], avatar);
    let thumb: String = d.ok(
        "files_thumbnail",
        json!({"file_id": avatar, "size": "small"}),
    );
    assert!(thumb.starts_with("data:image/"), "{}", &thumb[..30]);
    let p: Value = d.ok("account_set_avatar", json!({"path": null}));
    assert_eq!(p["avatar_file_id"], Value::Null);

    // A second device for dora, and eve in dora's workspace.
    let (url, ws) = (s.url(), room.workspace_id);
    let other = tempfile::tempdir().unwrap();
    let (phone, eve_id) = tauri::async_runtime::block_on(async {
        let open = |profile: &str| {
            let mut c = ClientConfig::new(url.clone(), other.path(), profile);
            c.secrets = SecretsBackend::File;
            Client::open(c)
        };
        let phone = open("phone").await.unwrap();
        phone.login("dora", PASSWORD).await.unwrap();
        let eve = open("eve").await.unwrap();
        let eve_id = eve
            .register("eve", "eve@example.test", PASSWORD, Some("Eve"))
            .await
            .unwrap()
            .user_id;
        phone
            .set_workspace_member(
                ws,
                eve_id,
                tern_client_core::protocol::workspace::WorkspaceRole::Member,
            )
            .await
            .unwrap();
        eve.shutdown().await;
        (phone, eve_id)
    });

    // Devices: this one is marked, cannot be revoked from the list; the
    // other can.
    let devices: Vec<Value> = d.ok("account_sessions", json!({}));
    assert_eq!(devices.len(), 2);
    let mine: Vec<&Value> = devices.iter().filter(|x| x["current"] == true).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["id"], json!(account.session_id));
    assert_eq!(mine[0]["device_name"], "Tern Desktop");
    let e = d.err(
        "account_revoke_session",
        json!({"session_id": account.session_id}),
    );
    assert_eq!(e["code"], "invalid_input");
    let phone_session = phone.account().unwrap().session_id;
    let () = d.ok(
        "account_revoke_session",
        json!({"session_id": phone_session}),
    );
    let devices: Vec<Value> = d.ok("account_sessions", json!({}));
    assert_eq!(devices.len(), 1);
    assert_eq!(d.ok::<usize>("account_revoke_other_sessions", json!({})), 0);
    drop(phone);

    // People: found by name, invited, then a direct room.
    let people: Vec<Value> = d.ok("users_search", json!({"query": "ev"}));
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["user_id"], json!(eve_id));
    assert_eq!(people[0]["display_name"], "Eve");
    let e = d.err("users_search", json!({"query": "e".repeat(101)}));
    assert_eq!(e["code"], "invalid_input");
    let () = d.ok(
        "rooms_invite",
        json!({"room_id": room.id, "user_id": eve_id}),
    );
    wait_for(20, "eve invited", || {
        let m: Vec<Value> = d.ok("rooms_members", json!({"room_id": room.id}));
        m.iter()
            .any(|x| x["user_id"] == json!(eve_id) && x["state"] == "invited")
            .then_some(())
    });
    let dm: String = d.ok(
        "rooms_open_direct",
        json!({"workspace_id": ws, "user_id": eve_id}),
    );
    let rooms: Vec<RoomSummary> = d.ok("rooms_list", json!({}));
    assert!(
        rooms
            .iter()
            .any(|r| r.id.to_string() == dm && r.kind == RoomKind::Direct)
    );

    // The room's notification setting.
    let n: Value = d.ok("rooms_notifications", json!({"room_id": room.id}));
    assert_eq!(n, json!({"muted": false, "notify": "mentions"}));
    let () = d.ok(
        "rooms_set_notifications",
        json!({"room_id": room.id, "notify": "all"}),
    );
    wait_for(20, "every message", || {
        let n: Value = d.ok("rooms_notifications", json!({"room_id": room.id}));
        (n["notify"] == "all").then_some(())
    });
    let e = d.err("rooms_set_notifications", json!({"room_id": room.id}));
    assert_eq!(e["code"], "invalid_input");
    let e = d.err(
        "rooms_set_notifications",
        json!({"room_id": room.id, "notify": "sometimes"}),
    );
    assert!(e.is_string() || e["code"] == "invalid_input", "{e}");

    // The cache size applies to the running client at once.
    let u: Value = d.ok("files_cache_usage", json!({}));
    assert_eq!(u["max_bytes"], 1024u64 << 20);
    let v: Value = d.ok("settings_get", json!({}));
    let mut settings = v["settings"].clone();
    settings["cache_size_mb"] = json!(16);
    let () = d.ok("settings_set", json!({"settings": settings}));
    let u: Value = d.ok("files_cache_usage", json!({}));
    assert_eq!(u["max_bytes"], 16u64 << 20);
    settings["cache_size_mb"] = json!(1);
    let e = d.err("settings_set", json!({"settings": settings}));
    assert_eq!(e["code"], "invalid_input");
    let u: Value = d.ok("files_cache_usage", json!({}));
    assert_eq!(u["max_bytes"], 16u64 << 20);
}
