//! A test server that can be stopped and restarted on the same port and
//! data dir, and helpers to open clients and wait for them.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;
use tern_client_core::protocol::room::{RoomKind, Visibility};
use tern_client_core::{Client, ClientConfig, NewRoom, SecretsBackend};
use tern_server::Running;
use tern_server::auth::PasswordCost;
use tern_server::config::Config;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestServer {
    running: Option<Running>,
    pub addr: SocketAddr,
    pub config: Config,
    _dir: TempDir,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(f: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::new(dir.path().to_path_buf());
        config.password_cost = PasswordCost {
            memory_kib: 64,
            passes: 1,
        };
        config.auth_per_ip_per_minute = 100_000;
        config.auth_per_account_per_minute = 100_000;
        f(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let running = tern_server::start(config.clone(), listener)
            .await
            .expect("server starts");
        Self {
            addr: running.addr,
            running: Some(running),
            config,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    /// Starts again on the same data dir and port.
    pub async fn start_again(&mut self) {
        assert!(self.running.is_none(), "already running");
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tries < 100 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot bind {} again: {e}", self.addr),
            }
        };
        self.running = Some(
            tern_server::start(self.config.clone(), listener)
                .await
                .expect("server restarts"),
        );
    }

    pub async fn restart(&mut self) {
        self.stop().await;
        self.start_again().await;
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.config.db_path()
    }
}

pub fn config(server: &TestServer, dir: &Path, profile: &str) -> ClientConfig {
    let mut c = ClientConfig::new(server.url(), dir, profile);
    c.secrets = SecretsBackend::File;
    c.store_watch_interval = Duration::from_millis(100);
    c
}

pub async fn open(server: &TestServer, dir: &Path, profile: &str) -> Client {
    Client::open(config(server, dir, profile))
        .await
        .expect("client opens")
}

/// Registers `name` in a fresh profile.
pub async fn user(server: &TestServer, dir: &Path, name: &str) -> Client {
    let c = open(server, dir, name).await;
    c.register(name, &format!("{name}@example.test"), PASSWORD, None)
        .await
        .expect("register");
    c
}

/// Polls `f` until it answers `Some`, or panics after `secs`.
pub async fn wait_for<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

pub async fn wait_online(c: &Client) {
    wait_for(20, "online", || async {
        (c.connection().state == tern_client_core::ConnectionState::Online).then_some(())
    })
    .await;
}

pub async fn wait_outbox_empty(c: &Client, secs: u64) {
    wait_for(secs, "an empty outbox", || async {
        c.outbox().await.ok().filter(|o| o.is_empty()).map(|_| ())
    })
    .await;
}

/// A workspace owned by `owner` with every other client as a member, and
/// a group room holding them all. Returns (workspace, room).
pub async fn room_with(owner: &Client, others: &[&Client], name: &str) -> (Uuid, Uuid) {
    let slug = format!("ws-{}", &Uuid::now_v7().simple().to_string()[20..]);
    let ws = owner
        .create_workspace(&slug, "Test")
        .await
        .expect("workspace");
    let mut members = Vec::new();
    for o in others {
        let id = o.account().expect("signed in").user_id;
        owner
            .set_workspace_member(
                ws.id,
                id,
                tern_client_core::protocol::workspace::WorkspaceRole::Member,
            )
            .await
            .expect("add member");
        members.push(id);
    }
    owner
        .create_room(NewRoom {
            workspace_id: ws.id,
            kind: RoomKind::Group,
            name: name.to_owned(),
            visibility: Visibility::Public,
            topic: None,
            members,
        })
        .await
        .expect("create room");
    let room = wait_for(20, "the room on the server", || async {
        owner
            .rooms()
            .await
            .ok()?
            .into_iter()
            .find(|r| r.name == name && !r.local_only)
            .map(|r| r.id)
    })
    .await;
    for o in others {
        wait_for(20, "the room at a member", || async {
            o.rooms()
                .await
                .ok()?
                .iter()
                .any(|r| r.id == room)
                .then_some(())
        })
        .await;
    }
    (ws.id, room)
}

/// Message bodies of a room's newest page, oldest first, server-held only.
pub async fn remote_bodies(c: &Client, room: Uuid) -> Vec<String> {
    c.timeline(room, None, 1000)
        .await
        .expect("timeline")
        .items
        .into_iter()
        .filter(|i| i.seq.is_some())
        .map(|i| i.body)
        .collect()
}

/// One event of a room's log, as a test reads it from a database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEvent {
    pub seq: i64,
    pub id: String,
    pub sender: String,
    pub ty: String,
    pub body: Option<String>,
    pub target: Option<String>,
    pub txn_id: Option<String>,
}

fn read_log(path: &Path, room: Uuid, target_col: &str) -> Vec<LogEvent> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let sql = format!(
        "SELECT seq, id, sender_id, type, json_extract(content, '$.body'), {target_col}, txn_id
         FROM events WHERE room_id = ?1 ORDER BY seq"
    );
    let mut stmt = conn.prepare(&sql).unwrap();
    stmt.query_map([room.to_string()], |r| {
        Ok(LogEvent {
            seq: r.get(0)?,
            id: r.get(1)?,
            sender: r.get(2)?,
            ty: r.get(3)?,
            body: r.get(4)?,
            target: r.get(5)?,
            txn_id: r.get(6)?,
        })
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// The server's log of a room, read from its database.
pub fn server_log(server: &TestServer, room: Uuid) -> Vec<LogEvent> {
    read_log(&server.db_path(), room, "json_extract(content, '$.target')")
}

/// A client's copy of a room's log.
pub fn client_log(dir: &Path, profile: &str, room: Uuid) -> Vec<LogEvent> {
    read_log(&dir.join(profile).join("tern.db"), room, "target")
}

/// Waits for an event matching `pred` on `stream`.
pub async fn wait_event(
    stream: &mut tern_client_core::EventStream,
    secs: u64,
    what: &str,
    pred: impl Fn(&tern_client_core::ClientEvent) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(deadline, stream.recv()).await {
            Ok(Some(e)) if pred(&e) => return,
            Ok(Some(_)) => {}
            Ok(None) => panic!("event stream closed waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }
}
