//! The public [`Client`]: configuration, sign-in, reads from the store and
//! writes through the outbox.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use rusqlite::{OptionalExtension, params};
use tern_protocol::auth::{LoginRequest, RegisterRequest, TokenPair};
use tern_protocol::room::{
    CreateRoom, DirectoryRoom, MemberState, NotifyLevel, RoomDirectory, RoomKind, RoomRole,
    SetRoomMember,
};
use tern_protocol::workspace::{
    CreateWorkspace, SetWorkspaceMember, Workspace, WorkspaceList, WorkspaceMember,
    WorkspaceMemberList, WorkspaceRole,
};
use tern_protocol::ws::ClientFrame;
use tern_protocol::{RoomId, UserId};
use tokio::sync::{Notify, mpsc, watch};
use uuid::Uuid;

use crate::api::{Api, Tokens};
use crate::error::{Error, Invalid, Result};
use crate::events::{ClientEvent, Emitter, EventStream, TimelineChange};
use crate::outbox::{self, Payload};
use crate::secrets::{self, SecretsBackend};
use crate::store::apply::{self, Changes};
use crate::store::{Store, now_ms, parse_uuid, query, search};
use crate::types::{
    Account, Attachment, ConnectionProblem, ConnectionState, ConnectionStatus, MemberInfo, NewRoom,
    NewerPage, OutboxItem, RoomSummary, SearchHit, SearchQuery, ThumbnailSize, TimelineItem,
    TimelinePage,
};

/// How a [`Client`] is set up. Built by the front end; the library reads no
/// environment variables.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `http://host:port` (or `https://`) of the Tern server.
    pub server_url: String,
    /// The folder holding every profile; each profile gets its own
    /// sub-folder (`<data_dir>/<profile>/`).
    pub data_dir: PathBuf,
    /// Profile name: 1 to 64 of `A-Z a-z 0-9 _ . -`.
    pub profile: String,
    /// Shown in the server's list of signed-in devices.
    pub device_name: Option<String>,
    pub secrets: SecretsBackend,
    /// Events per room a sync fetches before answering `limited`.
    pub timeline_limit: u32,
    /// How often to look for writes by another client on the profile.
    pub store_watch_interval: Duration,
    /// The most bytes the file cache (`files/`) keeps, pinned files aside;
    /// least recently used files and thumbnails go first.
    pub file_cache_max_bytes: u64,
    /// A PEM file with one or more CA certificates to trust for `https://`
    /// and `wss://`, in addition to the platform's roots: for a
    /// self-hosted server with its own CA or a self-signed certificate.
    pub extra_root_certificate: Option<PathBuf>,
}

impl ClientConfig {
    pub fn new(
        server_url: impl Into<String>,
        data_dir: impl Into<PathBuf>,
        profile: impl Into<String>,
    ) -> Self {
        Self {
            server_url: server_url.into(),
            data_dir: data_dir.into(),
            profile: profile.into(),
            device_name: None,
            secrets: SecretsBackend::Auto,
            timeline_limit: tern_protocol::limits::TIMELINE_LIMIT_DEFAULT,
            store_watch_interval: Duration::from_millis(500),
            file_cache_max_bytes: 1 << 30,
            extra_root_certificate: None,
        }
    }

    /// The profile's own folder: `tern.db`, `secrets.json`, `files/`.
    pub fn profile_dir(&self) -> PathBuf {
        self.data_dir.join(&self.profile)
    }
}

fn valid_profile(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 64
        && p != "."
        && p != ".."
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// What the background tasks share with the [`Client`] handles.
pub(crate) struct Shared {
    pub config: ClientConfig,
    pub store: Store,
    pub api: Api,
    pub events: Emitter,
    /// This client instance, for outbox claims and the refresh lease.
    pub instance: String,
    pub outbox_wake: Notify,
    /// Rows claimed for the outbox worker by the transaction that stored them.
    pub outbox_handoff: outbox::Handoff,
    /// Counts the times the connection came back; an attempt that failed
    /// while it did is retried at once instead of after its backoff.
    pub online_epoch: std::sync::atomic::AtomicU64,
    pub sync_wake: Notify,
    pub reconnect: Notify,
    /// The file cache's cap, starting at the configured one; see
    /// [`Client::set_file_cache_max_bytes`].
    pub file_cache_max_bytes: std::sync::atomic::AtomicU64,
    me: Mutex<Option<UserId>>,
    status: watch::Sender<ConnectionStatus>,
    problem: Mutex<Option<ConnectionProblem>>,
    shutdown: watch::Sender<bool>,
    ws_out_tx: mpsc::Sender<ClientFrame>,
    ws_out_rx: tokio::sync::Mutex<mpsc::Receiver<ClientFrame>>,
}

impl Shared {
    pub(crate) fn me(&self) -> Option<UserId> {
        self.me.lock().ok().and_then(|m| *m)
    }

    fn set_me(&self, me: Option<UserId>) {
        if let Ok(mut m) = self.me.lock() {
            *m = me;
        }
    }

    pub(crate) fn shutdown_rx(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Records why the last attempt failed (`None` once online); set
    /// before the state changes, so a listener hearing the change reads it.
    pub(crate) fn set_problem(&self, problem: Option<ConnectionProblem>) {
        if let Ok(mut p) = self.problem.lock() {
            *p = problem;
        }
    }

    pub(crate) fn set_state(&self, state: ConnectionState) {
        let mut changed = None;
        self.status.send_if_modified(|s| {
            if s.state == state {
                return false;
            }
            s.state = state;
            changed = Some(*s);
            true
        });
        if let Some(s) = changed {
            self.events.emit(ClientEvent::ConnectionChanged(s));
        }
    }

    pub(crate) fn mark_synced(&self) {
        self.status.send_modify(|s| {
            s.last_sync = Some(time::OffsetDateTime::now_utc());
        });
    }

    pub(crate) fn take_ws_out(
        &self,
    ) -> Option<tokio::sync::MutexGuard<'_, mpsc::Receiver<ClientFrame>>> {
        self.ws_out_rx.try_lock().ok()
    }
}

/// Stops the background tasks when the last [`Client`] handle goes.
struct Handle {
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _ = self.shared.shutdown.send(true);
        for t in &self.tasks {
            t.abort();
        }
        // Rows this instance was sending go back to the queue at once, so
        // the next client on the profile need not wait for the lease.
        let inst = self.shared.instance.clone();
        if let Err(e) = self
            .shared
            .store
            .write_blocking(|tx| outbox::release_claims(tx, &inst))
        {
            tracing::warn!(error = %e, "cannot release outbox claims");
        }
    }
}

/// The library's entry point: one per profile, cheap to clone.
///
/// Reads come from the local store and never wait on the network. Writes
/// go into the outbox, show at once as local echoes, and are delivered in
/// the background. Listen to [`Client::events`] to hear what changed.
#[derive(Clone)]
pub struct Client {
    pub(crate) shared: Arc<Shared>,
    _handle: Arc<Handle>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("profile", &self.shared.config.profile)
            .field("instance", &self.shared.instance)
            .finish()
    }
}

/// Where a message stands for a write aimed at it.
struct Target {
    room: RoomId,
    id: Uuid,
    txn: Option<String>,
    sender: UserId,
}

impl Client {
    /// Opens the profile (creating it if new) and restores its session, if
    /// one was saved. Needs a running tokio runtime.
    pub async fn open(config: ClientConfig) -> Result<Self> {
        if !valid_profile(&config.profile) {
            return Err(Invalid::ProfileName {
                name: config.profile.clone(),
            }
            .into());
        }
        let dir = config.profile_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let db = dir.join("tern.db");
        let store = tokio::task::spawn_blocking(move || Store::open(&db))
            .await
            .map_err(|e| Error::Store(e.to_string()))??;
        let secrets = secrets::open(&config.secrets, &dir);
        let instance = Uuid::now_v7().simple().to_string();
        // Reads the platform's CA bundle: off the async threads.
        let (url, extra_root) = (
            config.server_url.clone(),
            config.extra_root_certificate.clone(),
        );
        let tls = tokio::task::spawn_blocking(move || {
            crate::tls::client_config(&url, extra_root.as_deref())
        })
        .await
        .map_err(|e| Error::Network(e.to_string()))??;
        let api = Api::new(
            &config.server_url,
            secrets,
            format!("tern-session:{}", dir.display()),
            store.clone(),
            instance.clone(),
            tls,
        )?;
        let account: Option<(String, String)> = store
            .read(|c| {
                Ok(
                    c.query_row("SELECT user_id, session_id FROM account", [], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?,
                )
            })
            .await?;
        let mut me = None;
        if let Some((user, _session)) = account {
            match api.load_saved() {
                Ok(Some(t)) if t.user_id.to_string() == user => me = Some(t.user_id),
                Ok(_) => tracing::info!("no saved tokens for the profile's account"),
                Err(e) => tracing::warn!(error = %e, "cannot restore the saved session"),
            }
        }
        let (ws_out_tx, ws_out_rx) = mpsc::channel(64);
        let shared = Arc::new(Shared {
            file_cache_max_bytes: std::sync::atomic::AtomicU64::new(config.file_cache_max_bytes),
            config,
            store,
            api,
            events: Emitter::new(),
            instance,
            outbox_wake: Notify::new(),
            outbox_handoff: outbox::Handoff::default(),
            online_epoch: std::sync::atomic::AtomicU64::new(0),
            sync_wake: Notify::new(),
            reconnect: Notify::new(),
            me: Mutex::new(me),
            status: watch::channel(ConnectionStatus {
                state: ConnectionState::Offline,
                last_sync: None,
            })
            .0,
            problem: Mutex::new(None),
            shutdown: watch::channel(false).0,
            ws_out_tx,
            ws_out_rx: tokio::sync::Mutex::new(ws_out_rx),
        });
        let tasks = vec![
            tokio::spawn(crate::sync::run(shared.clone())),
            tokio::spawn(outbox::run(shared.clone())),
            tokio::spawn(watch_store(shared.clone())),
            tokio::spawn(search::run_indexer(
                shared.store.clone(),
                shared.shutdown_rx(),
            )),
        ];
        let handle = Arc::new(Handle {
            shared: shared.clone(),
            tasks,
        });
        Ok(Self {
            shared,
            _handle: handle,
        })
    }

    /// The signed-in account, if any.
    pub fn account(&self) -> Option<Account> {
        let t = self.shared.api.tokens()?;
        self.shared.me()?;
        Some(Account {
            user_id: t.user_id,
            session_id: t.session_id,
            server_url: self.shared.api.base().to_owned(),
        })
    }

    fn me(&self) -> Result<UserId> {
        self.shared.me().ok_or(Error::NotSignedIn)
    }

    /// Creates an account and signs in.
    pub async fn register(
        &self,
        username: &str,
        email: &str,
        password: &str,
        display_name: Option<&str>,
    ) -> Result<Account> {
        let req = RegisterRequest {
            username: username.to_owned(),
            email: email.to_owned(),
            password: password.to_owned(),
            display_name: display_name.map(str::to_owned),
            device_name: self.shared.config.device_name.clone(),
        };
        let pair: TokenPair = self
            .shared
            .api
            .anon(Method::POST, "/api/v1/auth/register", &req)
            .await?;
        self.signed_in(pair).await
    }

    /// Signs in with a username or email.
    pub async fn login(&self, login: &str, password: &str) -> Result<Account> {
        let req = LoginRequest {
            login: login.to_owned(),
            password: password.to_owned(),
            device_name: self.shared.config.device_name.clone(),
        };
        let pair: TokenPair = self
            .shared
            .api
            .anon(Method::POST, "/api/v1/auth/login", &req)
            .await?;
        self.signed_in(pair).await
    }

    async fn signed_in(&self, pair: TokenPair) -> Result<Account> {
        let t: Tokens = pair.into();
        let (user, session) = (t.user_id, t.session_id);
        let url = self.shared.api.base().to_owned();
        self.shared
            .store
            .write(move |tx| {
                let prior: Option<String> = tx
                    .query_row("SELECT user_id FROM account", [], |r| r.get(0))
                    .optional()?;
                if prior.is_some_and(|p| p != user.to_string()) {
                    // Another person's data never mixes with this one's.
                    wipe(tx)?;
                }
                tx.execute(
                    "INSERT INTO account (id, user_id, session_id, server_url, signed_in_at)
                     VALUES (1, ?1, ?2, ?3, ?4)
                     ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id,
                         session_id = excluded.session_id, server_url = excluded.server_url,
                         signed_in_at = excluded.signed_in_at",
                    params![user.to_string(), session.to_string(), url, now_ms()],
                )?;
                Ok(())
            })
            .await?;
        self.shared.api.set_tokens(t)?;
        self.shared.set_me(Some(user));
        self.shared.sync_wake.notify_one();
        self.shared.reconnect.notify_one();
        self.shared.outbox_wake.notify_one();
        self.shared.events.emit(ClientEvent::RoomListChanged);
        self.account().ok_or(Error::NotSignedIn)
    }

    /// Signs out: tells the server (if it can be reached), forgets the
    /// tokens and wipes the profile's local data.
    pub async fn logout(&self) -> Result<()> {
        if self.shared.me().is_some()
            && let Err(e) = self
                .shared
                .api
                .call_unit(Method::POST, "/api/v1/auth/logout", None)
                .await
        {
            tracing::info!(error = %e, "the server did not hear the sign-out");
        }
        self.shared.set_me(None);
        self.shared.api.clear_tokens()?;
        self.shared.store.write(wipe).await?;
        let files = crate::files::files_dir(&self.shared);
        if let Err(e) = tokio::fs::remove_dir_all(&files).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %files.display(), error = %e, "cannot empty the file cache");
        }
        self.shared.reconnect.notify_one();
        self.shared.events.emit(ClientEvent::RoomListChanged);
        Ok(())
    }

    /// A new listener on the event stream.
    pub fn events(&self) -> EventStream {
        self.shared.events.subscribe()
    }

    pub fn connection(&self) -> ConnectionStatus {
        *self.shared.status.borrow()
    }

    /// Why the last connection attempt failed, until the client is online
    /// again (see [`ConnectionProblem`]).
    pub fn connection_problem(&self) -> Option<ConnectionProblem> {
        self.shared.problem.lock().ok().and_then(|p| p.clone())
    }

    /// Follows the connection state.
    pub fn connection_watch(&self) -> watch::Receiver<ConnectionStatus> {
        self.shared.status.subscribe()
    }

    /// Drops the socket and connects again at once (a "retry now" button).
    pub fn reconnect(&self) {
        self.shared.reconnect.notify_one();
    }

    /// Asks the sync engine to catch up now.
    pub fn sync_now(&self) {
        self.shared.sync_wake.notify_one();
    }

    // ---- reads: the local store only ----

    /// Rooms the caller is in, most recently active first.
    pub async fn rooms(&self) -> Result<Vec<RoomSummary>> {
        let me = self.me()?;
        self.shared
            .store
            .read(move |c| query::room_list(c, me))
            .await
    }

    /// A page of a room's timeline, oldest first; see [`TimelinePage`].
    pub async fn timeline(
        &self,
        room: RoomId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<TimelinePage> {
        let me = self.me()?;
        let limit = limit.clamp(1, 1000);
        self.shared
            .store
            .read(move |c| query::timeline(c, me, room, before, limit))
            .await
    }

    /// The page after seq `after`, oldest first: what a reader scrolled
    /// back into history sees next, down to the newest message.
    pub async fn timeline_after(&self, room: RoomId, after: i64, limit: u32) -> Result<NewerPage> {
        let me = self.me()?;
        let limit = limit.clamp(1, 1000);
        self.shared
            .store
            .read(move |c| query::timeline_after(c, me, room, after, limit))
            .await
    }

    /// One message, by its server id or provisional id.
    pub async fn message(&self, id: Uuid) -> Result<Option<TimelineItem>> {
        let me = self.me()?;
        self.shared
            .store
            .read(move |c| query::message(c, me, id))
            .await
    }

    /// Full-text search over every message held locally, newest first.
    pub async fn search(&self, q: SearchQuery) -> Result<Vec<SearchHit>> {
        self.shared.store.read(move |c| search::search(c, &q)).await
    }

    /// How many stored messages the full-text index has still to take in
    /// (after a catch-up, for a few seconds). Search already finds them,
    /// by checking each directly; this is for progress displays and
    /// benchmarks.
    pub async fn search_backlog(&self) -> Result<u64> {
        self.shared.store.read(search::backlog).await
    }

    /// Every write not yet delivered, oldest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxItem>> {
        self.shared.store.read(outbox::list).await
    }

    // ---- writes: through the outbox ----

    async fn enqueue_with<F>(&self, room: RoomId, payload: Payload, echo: F) -> Result<String>
    where
        F: FnOnce(&rusqlite::Transaction<'_>, i64, &str, &mut Changes) -> Result<()>
            + Send
            + 'static,
    {
        let txn = outbox::new_txn_id();
        let t = txn.clone();
        let shared = self.shared.clone();
        let (ch, handed) = self
            .shared
            .store
            .write(move |tx| {
                let order = outbox::enqueue(tx, room, &t, &payload)?;
                let mut ch = Changes::default();
                echo(tx, order, &t, &mut ch)?;
                // Last, so that nothing after it can fail but the commit.
                let stopping = *shared.shutdown_rx().borrow();
                let handed = outbox::claim_for_idle_worker(
                    tx,
                    &shared.outbox_handoff,
                    &shared.instance,
                    stopping,
                )?;
                Ok((ch, handed))
            })
            .await?;
        if let Some(h) = handed {
            self.shared.outbox_handoff.give(h);
        }
        for e in ch.into_events() {
            self.shared.events.emit(e);
        }
        self.shared.events.emit(ClientEvent::OutboxItem {
            txn_id: txn.clone(),
            room_id: room,
            state: crate::types::OutboxState::Pending,
        });
        self.shared.events.emit(ClientEvent::RoomListChanged);
        self.shared.outbox_wake.notify_one();
        Ok(txn)
    }

    async fn joined_room(&self, room: RoomId) -> Result<()> {
        let ok = self.shared.store.read(move |c| joined_in(c, room)).await?;
        if ok {
            Ok(())
        } else {
            Err(Error::NotFound(format!("room {room}")))
        }
    }

    async fn target(&self, id: Uuid) -> Result<Target> {
        self.shared
            .store
            .read(move |c| {
                type Row = (String, String, Option<i64>, Option<String>, String);
                let row: Option<Row> = c
                    .query_row(
                        "SELECT room_id, id, seq, txn_id, sender_id
                         FROM messages WHERE id = ?1 OR local_id = ?1
                         ORDER BY local_id IS NULL DESC LIMIT 1",
                        [id.to_string()],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                    )
                    .optional()?;
                let Some((room, real, seq, txn, sender)) = row else {
                    return Err(Error::NotFound(format!("message {id}")));
                };
                Ok(Target {
                    room: parse_uuid(&room),
                    id: parse_uuid(&real),
                    // A local echo is found again by its txn id.
                    txn: if seq.is_none() { txn } else { None },
                    sender: parse_uuid(&sender),
                })
            })
            .await
    }

    /// Sends a text message; returns the local echo's provisional id.
    pub async fn send(&self, room: RoomId, body: &str) -> Result<Uuid> {
        self.send_message(room, body, None).await
    }

    /// Replies to a message (which may itself still be a local echo).
    pub async fn reply(&self, reply_to: Uuid, body: &str) -> Result<Uuid> {
        let t = self.target(reply_to).await?;
        self.send_message(t.room, body, Some(t)).await
    }

    async fn send_message(&self, room: RoomId, body: &str, reply: Option<Target>) -> Result<Uuid> {
        let me = self.me()?;
        check_body(body)?;
        let local_id = Uuid::now_v7();
        let (reply_to, reply_to_txn) = match &reply {
            Some(t) => (Some(t.id), t.txn.clone()),
            None => (None, None),
        };
        let payload = Payload::Send {
            local_id,
            body: body.to_owned(),
            reply_to,
            reply_to_txn,
            thread_root: None,
        };
        let body = body.to_owned();
        self.enqueue_with(room, payload, move |tx, order, txn, ch| {
            // Checked in the transaction that stores the send: no read of
            // its own (a thread hand-off) on the way to the server.
            if !joined_in(tx, room)? {
                return Err(Error::NotFound(format!("room {room}")));
            }
            let echo = Echo {
                id: local_id,
                room,
                sender: me,
                kind: "text",
                body: &body,
                reply_to,
                attachments: "[]".to_owned(),
            };
            insert_echo(tx, &echo, txn, order, ch)
        })
        .await?;
        Ok(local_id)
    }

    /// Sends a file with a caption (which may be empty) through the outbox;
    /// returns the local echo's provisional id.
    ///
    /// The echo shows at once with the file as its attachment (see
    /// [`Client::attachments`]). The file is read from `path` when its turn
    /// comes, streamed (never held whole in memory) with
    /// [`ClientEvent::UploadProgress`] events; if the file is gone by then,
    /// the item fails with the reason. Keep the file in place until the
    /// item is delivered.
    pub async fn send_file(
        &self,
        room: RoomId,
        path: impl AsRef<Path>,
        caption: &str,
    ) -> Result<Uuid> {
        let me = self.me()?;
        let path = path.as_ref();
        if caption.chars().count() > tern_protocol::limits::BODY_MAX_CHARS {
            return Err(Invalid::CaptionTooLong {
                max: tern_protocol::limits::BODY_MAX_CHARS,
            }
            .into());
        }
        let md = tokio::fs::metadata(path).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::SourceGone(path.display().to_string())
            } else {
                Error::io(path, e)
            }
        })?;
        if !md.is_file() {
            return Err(Invalid::NotAFile {
                path: path.display().to_string(),
            }
            .into());
        }
        let abs = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
        let source = abs
            .to_str()
            .ok_or_else(|| Invalid::PathNotUtf8 {
                path: path.display().to_string(),
            })?
            .to_owned();
        let name: String = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "file".to_owned())
            .chars()
            .take(255)
            .collect();
        self.joined_room(room).await?;
        let mime = crate::files::guess_mime(&name);
        let kind = crate::store::enum_str(&crate::files::kind_of(mime));
        let size = i64::try_from(md.len()).unwrap_or(i64::MAX);
        let local_id = Uuid::now_v7();
        let local_file = Uuid::now_v7();
        let payload = Payload::SendFile {
            local_id,
            local_file,
            body: caption.to_owned(),
            source: source.clone(),
            name: name.clone(),
            file_id: None,
        };
        let body = caption.to_owned();
        self.enqueue_with(room, payload, move |tx, order, txn, ch| {
            tx.execute(
                "INSERT INTO files (id, name, mime, size, upload_source, known)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)",
                params![local_file.to_string(), name, mime, size, source],
            )?;
            let echo = Echo {
                id: local_id,
                room,
                sender: me,
                kind: &kind,
                body: &body,
                reply_to: None,
                attachments: serde_json::to_string(&[local_file])?,
            };
            insert_echo(tx, &echo, txn, order, ch)
        })
        .await?;
        Ok(local_id)
    }

    // ---- files ----

    /// The attachments of a message (server or provisional id), as far as
    /// this device knows them. Local only.
    pub async fn attachments(&self, message: Uuid) -> Result<Vec<Attachment>> {
        self.shared
            .store
            .read(move |c| crate::files::message_attachments(c, message))
            .await
    }

    /// What this device knows of a file. Local only; see
    /// [`Client::fetch_file_info`] for a file known only by its id.
    pub async fn file_info(&self, file: Uuid) -> Result<Attachment> {
        self.shared
            .store
            .read(move |c| crate::files::attachment(c, file))
            .await
    }

    /// Asks the server for a file's name, size and type, without its bytes.
    pub async fn fetch_file_info(&self, file: Uuid) -> Result<Attachment> {
        crate::files::fetch_info(&self.shared, file).await
    }

    /// The path of a file in the local cache, downloading it first if it
    /// is not there ([`ClientEvent::DownloadProgress`] as it comes). A
    /// cached file is answered with no network.
    pub async fn download(&self, file: Uuid) -> Result<PathBuf> {
        crate::files::download(&self.shared, file).await
    }

    /// The path of an image file's thumbnail in the local cache, fetching
    /// it first if it is not there.
    pub async fn thumbnail(&self, file: Uuid, size: ThumbnailSize) -> Result<PathBuf> {
        crate::files::thumbnail(&self.shared, file, size).await
    }

    /// Pins a file in the cache (never evicted) or unpins it.
    pub async fn pin(&self, file: Uuid, pinned: bool) -> Result<()> {
        crate::files::pin(&self.shared, file, pinned).await
    }

    /// Replaces the body of one of the caller's messages.
    pub async fn edit(&self, message: Uuid, body: &str) -> Result<String> {
        let me = self.me()?;
        check_body(body)?;
        let t = self.target(message).await?;
        if t.sender != me {
            return Err(Invalid::NotOwnMessage.into());
        }
        let room = t.room;
        let payload = Payload::Edit {
            target: t.id,
            target_txn: t.txn,
            body: body.to_owned(),
        };
        self.enqueue_with(room, payload, move |_, _, _, ch| {
            ch.updated.entry(room).or_default().push(message);
            Ok(())
        })
        .await
    }

    /// Deletes a message (one's own, or any as a moderator).
    pub async fn delete(&self, message: Uuid) -> Result<String> {
        let t = self.target(message).await?;
        let room = t.room;
        let payload = Payload::Delete {
            target: t.id,
            target_txn: t.txn,
        };
        self.enqueue_with(room, payload, move |_, _, _, ch| {
            ch.updated.entry(room).or_default().push(message);
            ch.room_list = true;
            Ok(())
        })
        .await
    }

    /// Adds a reaction.
    pub async fn react(&self, message: Uuid, emoji: &str) -> Result<String> {
        self.reaction(message, emoji, true).await
    }

    /// Takes a reaction back.
    pub async fn unreact(&self, message: Uuid, emoji: &str) -> Result<String> {
        self.reaction(message, emoji, false).await
    }

    async fn reaction(&self, message: Uuid, emoji: &str, add: bool) -> Result<String> {
        if emoji.is_empty() || emoji.len() > tern_protocol::limits::EMOJI_MAX_BYTES {
            return Err(Invalid::Reaction {
                emoji: emoji.to_owned(),
                max: tern_protocol::limits::EMOJI_MAX_BYTES,
            }
            .into());
        }
        let t = self.target(message).await?;
        let room = t.room;
        let (target, target_txn, emoji) = (t.id, t.txn, emoji.to_owned());
        let payload = if add {
            Payload::React {
                target,
                target_txn,
                emoji,
            }
        } else {
            Payload::Unreact {
                target,
                target_txn,
                emoji,
            }
        };
        self.enqueue_with(room, payload, move |_, _, _, ch| {
            ch.updated.entry(room).or_default().push(message);
            Ok(())
        })
        .await
    }

    /// Marks a room read up to `seq`, or up to its newest message held.
    pub async fn mark_read(&self, room: RoomId, seq: Option<i64>) -> Result<()> {
        let me = self.me()?;
        let changed = self
            .shared
            .store
            .write(move |tx| {
                let seq = match seq {
                    Some(s) => s,
                    None => tx.query_row(
                        // `seq IS NOT NULL` lets the partial index
                        // `messages_room_seq` answer; without it every
                        // message of the profile is read.
                        "SELECT coalesce(max(seq), 0) FROM messages
                         WHERE room_id = ?1 AND seq IS NOT NULL",
                        [room.to_string()],
                        |r| r.get(0),
                    )?,
                };
                if seq <= apply::read_marker(tx, room, me)? {
                    return Ok(false);
                }
                apply::set_read_marker(tx, room, me, seq)?;
                apply::recount_unread(tx, me, room)?;
                // One read marker in the outbox per room is enough.
                let waiting: Option<i64> = tx
                    .query_row(
                        "SELECT id FROM outbox WHERE room_id = ?1 AND kind = 'mark_read'
                             AND state IN ('pending', 'retrying')",
                        [room.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?;
                let payload = serde_json::to_string(&Payload::MarkRead { seq })?;
                match waiting {
                    Some(id) => {
                        tx.execute(
                            "UPDATE outbox SET payload = ?2 WHERE id = ?1",
                            params![id, payload],
                        )?;
                    }
                    None => {
                        outbox::enqueue(
                            tx,
                            room,
                            &outbox::new_txn_id(),
                            &Payload::MarkRead { seq },
                        )?;
                    }
                }
                Ok(true)
            })
            .await?;
        if changed {
            self.shared.events.emit(ClientEvent::RoomListChanged);
            self.shared.outbox_wake.notify_one();
        }
        Ok(())
    }

    /// Creates a group or channel. It shows in the room list at once under
    /// a provisional id; [`ClientEvent::RoomIdAssigned`] tells the real one.
    pub async fn create_room(&self, room: NewRoom) -> Result<RoomId> {
        let me = self.me()?;
        if room.kind == RoomKind::Direct {
            return Err(Invalid::DirectRoom.into());
        }
        let name = room.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > tern_protocol::limits::ROOM_NAME_MAX {
            return Err(Invalid::RoomName {
                name: room.name.clone(),
                max: tern_protocol::limits::ROOM_NAME_MAX,
            }
            .into());
        }
        let local = Uuid::now_v7();
        let request = CreateRoom {
            kind: room.kind,
            name: name.clone(),
            visibility: room.visibility,
            topic: room.topic.clone(),
            members: (!room.members.is_empty()).then(|| room.members.clone()),
            read_only: None,
            secret: None,
            // The provisional id doubles as the txn id: a retried create
            // answers the room the first attempt made.
            txn_id: Some(local.to_string()),
        };
        let payload = Payload::CreateRoom {
            workspace_id: room.workspace_id,
            request,
        };
        let r = room.clone();
        self.enqueue_with(local, payload, move |tx, _, _, ch| {
            let now = now_ms();
            tx.execute(
                "INSERT INTO rooms (id, workspace_id, kind, visibility, name, topic, created_by,
                     created_at, last_activity, membership, role, local_only, notify)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 'joined', 'owner', 1,
                     CASE ?3 WHEN 'direct' THEN 'all' ELSE 'mentions' END)",
                params![
                    local.to_string(),
                    r.workspace_id.to_string(),
                    crate::store::enum_str(&r.kind),
                    crate::store::enum_str(&r.visibility),
                    name,
                    r.topic,
                    me.to_string(),
                    now
                ],
            )?;
            ch.room_list = true;
            Ok(())
        })
        .await?;
        Ok(local)
    }

    /// Joins a public room, or one the caller was invited to.
    pub async fn join(&self, room: RoomId) -> Result<String> {
        self.me()?;
        self.enqueue_with(room, Payload::Join, |_, _, _, _| Ok(()))
            .await
    }

    /// Leaves a room; it leaves the room list at once.
    pub async fn leave(&self, room: RoomId) -> Result<String> {
        self.me()?;
        self.enqueue_with(room, Payload::Leave, move |tx, _, _, ch| {
            tx.execute(
                "UPDATE rooms SET membership = 'left' WHERE id = ?1",
                [room.to_string()],
            )?;
            ch.room_list = true;
            Ok(())
        })
        .await
    }

    /// Tells the room the caller is (or stopped) typing. Not queued: a
    /// typing notice that cannot go now is worthless later.
    pub fn typing(&self, room: RoomId, typing: bool) {
        let _ = self.shared.ws_out_tx.try_send(ClientFrame::Typing {
            room_id: room,
            typing,
        });
    }

    /// Puts a failed outbox item back in the queue.
    pub async fn retry(&self, txn_id: &str) -> Result<()> {
        let txn = txn_id.to_owned();
        let room = self
            .shared
            .store
            .write(move |tx| {
                let room: Option<String> = tx
                    .query_row(
                        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = 0,
                             error = NULL WHERE txn_id = ?1 AND state IN ('failed', 'retrying')
                         RETURNING room_id",
                        [&txn],
                        |r| r.get(0),
                    )
                    .optional()?;
                room.map(|r| parse_uuid(&r))
                    .ok_or_else(|| Error::NotFound(format!("failed outbox item {txn}")))
            })
            .await?;
        self.shared.events.emit(ClientEvent::OutboxItem {
            txn_id: txn_id.to_owned(),
            room_id: room,
            state: crate::types::OutboxState::Pending,
        });
        self.shared.events.emit(ClientEvent::RoomListChanged);
        self.shared.outbox_wake.notify_one();
        Ok(())
    }

    /// Drops an outbox item that is not being sent right now, with its
    /// local echo.
    pub async fn discard(&self, txn_id: &str) -> Result<()> {
        let txn = txn_id.to_owned();
        let (room, removed) = self
            .shared
            .store
            .write(move |tx| {
                let row: Option<(String, String, String)> = tx
                    .query_row(
                        "SELECT room_id, state, kind FROM outbox WHERE txn_id = ?1",
                        [&txn],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                let Some((room, state, kind)) = row else {
                    return Err(Error::NotFound(format!("outbox item {txn}")));
                };
                if state == "sending" {
                    return Err(Invalid::OutboxItemSending { txn: txn.clone() }.into());
                }
                tx.execute("DELETE FROM outbox WHERE txn_id = ?1", [&txn])?;
                // An upload's provisional file row goes with its echo.
                tx.execute(
                    "DELETE FROM files WHERE upload_source IS NOT NULL AND id IN (
                         SELECT j.value FROM messages m, json_each(m.attachments) j
                         WHERE m.txn_id = ?1 AND m.seq IS NULL)",
                    [&txn],
                )?;
                let removed: Option<String> = tx
                    .query_row(
                        "DELETE FROM messages WHERE txn_id = ?1 AND seq IS NULL RETURNING id",
                        [&txn],
                        |r| r.get(0),
                    )
                    .optional()?;
                if kind == "create_room" {
                    tx.execute("DELETE FROM outbox WHERE room_id = ?1", [&room])?;
                    tx.execute("DELETE FROM messages WHERE room_id = ?1", [&room])?;
                    tx.execute(
                        "DELETE FROM rooms WHERE id = ?1 AND local_only = 1",
                        [&room],
                    )?;
                }
                Ok((parse_uuid(&room), removed.map(|r| parse_uuid(&r))))
            })
            .await?;
        let change = match removed {
            Some(id) => TimelineChange::Removed(vec![id]),
            None => TimelineChange::Reset,
        };
        self.shared.events.emit(ClientEvent::TimelineChanged {
            room_id: room,
            change,
        });
        self.shared.events.emit(ClientEvent::OutboxItem {
            txn_id: txn_id.to_owned(),
            room_id: room,
            state: crate::types::OutboxState::Discarded,
        });
        self.shared.events.emit(ClientEvent::RoomListChanged);
        Ok(())
    }

    // ---- history ----

    /// Fetches older messages of a room into the store, filling the newest
    /// gap first. Returns how many events arrived (0: nothing is missing).
    pub async fn backfill(&self, room: RoomId, limit: u32) -> Result<usize> {
        let me = self.me()?;
        let gap: Option<(i64, i64)> = self
            .shared
            .store
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT from_seq, to_seq FROM gaps WHERE room_id = ?1
                     ORDER BY to_seq DESC LIMIT 1",
                    [room.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
            })
            .await?;
        let Some((from, to)) = gap else {
            return Ok(0);
        };
        let want = u32::try_from(to - from + 1)
            .unwrap_or(u32::MAX)
            .clamp(1, limit.clamp(1, tern_protocol::limits::EVENTS_PAGE_MAX));
        let page: tern_protocol::event::EventsPage = self
            .shared
            .api
            .call(
                Method::GET,
                &format!("/api/v1/rooms/{room}/events?before={}&limit={want}", to + 1),
                None,
            )
            .await?;
        let n = page.events.len();
        let events = page.events;
        let ch = self
            .shared
            .store
            .write(move |tx| {
                let mut ch = Changes::default();
                apply::apply_batch(tx, me, &events, false, &mut ch)?;
                let low = events.first().map(|e| e.seq).unwrap_or(from).max(from);
                let low = if events.is_empty() { from } else { low };
                apply::fill_gap(tx, room, low, to)?;
                ch.reset.push(room);
                Ok(ch)
            })
            .await?;
        for e in ch.into_events() {
            self.shared.events.emit(e);
        }
        Ok(n)
    }

    /// Stores a run of one room's log obtained outside the sync engine (an
    /// export, a bulk import), through the path synced events take: the
    /// raw log and the message projection, in one transaction (the
    /// full-text index takes a large run in the background; search finds
    /// it meanwhile, see [`Client::search_backlog`]). The events must be the room's, with consecutive seqs.
    /// Events already held are skipped; the run fills the gap it falls in,
    /// seqs missing between what the room held and the run are recorded as
    /// a gap (as after a `limited` sync), and the room's sync cursor moves
    /// to the run's end. Unread counts are left to the server. Returns how
    /// many events were new.
    pub async fn import_events(
        &self,
        room: RoomId,
        events: Vec<tern_protocol::Event>,
    ) -> Result<usize> {
        let me = self.me()?;
        if let Some(e) = events.iter().find(|e| e.room_id != room) {
            return Err(Invalid::EventInOtherRoom {
                event: e.id.to_string(),
                room: e.room_id.to_string(),
                expected: room.to_string(),
            }
            .into());
        }
        if events.windows(2).any(|w| w[1].seq != w[0].seq + 1) {
            return Err(Invalid::EventSeqGap.into());
        }
        let Some(first) = events.first().map(|e| e.seq) else {
            return Ok(0);
        };
        let (ch, n) = self
            .shared
            .store
            .write(move |tx| {
                let held = apply::cursor(tx, room)?;
                if first > held + 1 {
                    apply::add_gap(tx, room, held + 1, first - 1)?;
                }
                let mut ch = Changes::default();
                let mut n = 0;
                for ev in &events {
                    n += usize::from(apply::apply_event(tx, me, ev, false, &mut ch)?);
                }
                if let Some(last) = events.last() {
                    apply::fill_gap(tx, room, first, last.seq)?;
                    apply::set_cursor(tx, room, last.seq)?;
                }
                // One reset instead of an id per event: a front end
                // reloads the room.
                ch.added.clear();
                ch.updated.clear();
                ch.reset.push(room);
                Ok((ch, n))
            })
            .await?;
        for e in ch.into_events() {
            self.shared.events.emit(e);
        }
        Ok(n)
    }

    // ---- online-only operations (no local echo) ----

    /// The caller's workspaces (asks the server).
    pub async fn workspaces(&self) -> Result<Vec<Workspace>> {
        let list: WorkspaceList = self
            .shared
            .api
            .call(Method::GET, "/api/v1/workspaces", None)
            .await?;
        Ok(list.workspaces)
    }

    /// Creates a workspace (asks the server).
    pub async fn create_workspace(&self, slug: &str, name: &str) -> Result<Workspace> {
        let req = CreateWorkspace {
            slug: slug.to_owned(),
            name: name.to_owned(),
            kind: None,
            settings: None,
        };
        self.shared
            .api
            .call(
                Method::POST,
                "/api/v1/workspaces",
                Some(serde_json::to_value(req)?),
            )
            .await
    }

    /// Adds a user to a workspace or changes their role (asks the server).
    pub async fn set_workspace_member(
        &self,
        workspace: Uuid,
        user: UserId,
        role: WorkspaceRole,
    ) -> Result<()> {
        let req = SetWorkspaceMember { role };
        self.shared
            .api
            .call_unit(
                Method::PUT,
                &format!("/api/v1/workspaces/{workspace}/members/{user}"),
                Some(serde_json::to_value(req)?),
            )
            .await
    }

    /// Opens (or finds) the direct room with another workspace member.
    /// Asks the server: the server makes one direct room per pair, and only
    /// it can tell whether it exists already.
    pub async fn open_direct(&self, workspace: Uuid, user: UserId) -> Result<RoomId> {
        let me = self.me()?;
        let req = tern_protocol::room::CreateDirect { user_id: user };
        let room: tern_protocol::room::Room = self
            .shared
            .api
            .call(
                Method::POST,
                &format!("/api/v1/workspaces/{workspace}/direct"),
                Some(serde_json::to_value(req)?),
            )
            .await?;
        let id = room.id;
        // The members come with the room, so the direct room is named after
        // the other person at once, whatever the socket brings and when.
        let members: tern_protocol::room::RoomMemberList = self
            .shared
            .api
            .call(Method::GET, &format!("/api/v1/rooms/{id}/members"), None)
            .await?;
        self.shared
            .store
            .write(move |tx| {
                apply::upsert_room(tx, &room)?;
                for m in &members.members {
                    apply::upsert_member(tx, room.id, m)?;
                }
                tx.execute(
                    "UPDATE rooms SET membership = 'joined' WHERE id = ?1",
                    [room.id.to_string()],
                )?;
                apply::set_read_marker(tx, room.id, me, 0)?;
                Ok(())
            })
            .await?;
        self.shared.sync_wake.notify_one();
        self.shared.events.emit(ClientEvent::RoomListChanged);
        Ok(id)
    }

    /// The rooms of a workspace the caller may see (asks the server).
    pub async fn directory(&self, workspace: Uuid) -> Result<Vec<DirectoryRoom>> {
        let d: RoomDirectory = self
            .shared
            .api
            .call(
                Method::GET,
                &format!("/api/v1/workspaces/{workspace}/rooms"),
                None,
            )
            .await?;
        Ok(d.rooms)
    }

    /// The members of a room as this device knows them (local only),
    /// joined first, then by name.
    pub async fn members(&self, room: RoomId) -> Result<Vec<MemberInfo>> {
        self.shared
            .store
            .read(move |c| {
                let mut st = c.prepare(
                    "SELECT m.user_id, coalesce(u.username, ''), coalesce(u.display_name, ''),
                         m.role, m.state
                     FROM members m LEFT JOIN users u ON u.id = m.user_id
                     WHERE m.room_id = ?1 AND m.state IN ('joined', 'invited')",
                )?;
                let rows = st.query_map([room.to_string()], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })?;
                let mut out = Vec::new();
                for row in rows {
                    let (id, username, display, role, state) = row?;
                    let name = if display.trim().is_empty() {
                        username.clone()
                    } else {
                        display
                    };
                    out.push(MemberInfo {
                        user_id: parse_uuid(&id),
                        username,
                        name,
                        role: serde_json::from_value(serde_json::Value::String(role))
                            .unwrap_or(RoomRole::Member),
                        state: serde_json::from_value(serde_json::Value::String(state))
                            .unwrap_or(MemberState::Joined),
                    });
                }
                out.sort_by(|a, b| {
                    (a.state != MemberState::Joined, a.name.to_lowercase())
                        .cmp(&(b.state != MemberState::Joined, b.name.to_lowercase()))
                });
                Ok(out)
            })
            .await
    }

    /// Thread replies per thread root among the messages of a room with
    /// seqs `from..=to`, as far as this device holds them (local only;
    /// roots with none are left out). A reply always comes after its
    /// root, so `from` at the oldest message shown counts the replies of
    /// every message shown that came up to `to`; the range keeps the cost
    /// bounded in a room of any length.
    pub async fn thread_counts(
        &self,
        room: RoomId,
        from: i64,
        to: i64,
    ) -> Result<HashMap<Uuid, u32>> {
        self.shared
            .store
            .read(move |c| {
                let mut st = c.prepare(
                    "SELECT thread_root, count(*) FROM messages
                     WHERE room_id = ?1 AND seq BETWEEN ?2 AND ?3
                         AND thread_root IS NOT NULL AND deleted_at IS NULL
                     GROUP BY thread_root",
                )?;
                let rows = st.query_map(params![room.to_string(), from, to], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
                })?;
                let mut out = HashMap::new();
                for row in rows {
                    let (root, n) = row?;
                    out.insert(parse_uuid(&root), n);
                }
                Ok(out)
            })
            .await
    }

    /// Invites a user to a room (asks the server).
    pub async fn invite(&self, room: RoomId, user: UserId) -> Result<()> {
        let req = SetRoomMember {
            state: Some(MemberState::Invited),
            ..SetRoomMember::default()
        };
        self.shared
            .api
            .call_unit(
                Method::PUT,
                &format!("/api/v1/rooms/{room}/members/{user}"),
                Some(serde_json::to_value(req)?),
            )
            .await?;
        self.shared.sync_wake.notify_one();
        Ok(())
    }

    /// Sets the caller's own mute and notification level in a room on the
    /// server, so that other devices follow (asks the server).
    pub async fn set_room_notifications(
        &self,
        room: RoomId,
        muted: Option<bool>,
        notify: Option<NotifyLevel>,
    ) -> Result<()> {
        let me = self.me()?;
        let req = SetRoomMember {
            muted,
            notify,
            ..SetRoomMember::default()
        };
        self.shared
            .api
            .call_unit(
                Method::PUT,
                &format!("/api/v1/rooms/{room}/members/{me}"),
                Some(serde_json::to_value(req)?),
            )
            .await?;
        self.shared.sync_wake.notify_one();
        Ok(())
    }

    /// The members of a workspace: the people one can open a direct room
    /// with or invite (asks the server).
    pub async fn workspace_members(&self, workspace: Uuid) -> Result<Vec<WorkspaceMember>> {
        let list: WorkspaceMemberList = self
            .shared
            .api
            .call(
                Method::GET,
                &format!("/api/v1/workspaces/{workspace}/members"),
                None,
            )
            .await?;
        Ok(list.members)
    }

    /// Stops the background tasks now (dropping the last handle does the
    /// same).
    pub async fn shutdown(self) {
        let _ = self.shared.shutdown.send(true);
    }
}

/// Whether the user is a joined member of `room` on this profile.
fn joined_in(c: &rusqlite::Connection, room: RoomId) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT 1 FROM rooms WHERE id = ?1 AND membership = 'joined'")?
            .query_row([room.to_string()], |_| Ok(true))
            .optional()?
            .unwrap_or(false),
    )
}

fn check_body(body: &str) -> Result<()> {
    let n = body.chars().count();
    if body.trim().is_empty() || n > tern_protocol::limits::BODY_MAX_CHARS {
        return Err(Invalid::MessageBody {
            max: tern_protocol::limits::BODY_MAX_CHARS,
        }
        .into());
    }
    Ok(())
}

/// Empties every table of the profile.
fn wipe(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM account; DELETE FROM users; DELETE FROM rooms; DELETE FROM members;
         DELETE FROM sync_cursors; DELETE FROM gaps; DELETE FROM events; DELETE FROM messages;
         DELETE FROM reactions; DELETE FROM outbox; DELETE FROM files;
         DELETE FROM file_thumbnails;",
    )?;
    Ok(())
}

/// Tells the UI when another client on the profile wrote to the store.
async fn watch_store(shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown_rx();
    let mut last = shared.store.data_version().await.ok();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(shared.config.store_watch_interval) => {}
            _ = shutdown.changed() => return,
        }
        let now = shared.store.data_version().await.ok();
        if now.is_some() && now != last {
            if last.is_some() {
                shared.events.emit(ClientEvent::StoreChanged);
                shared.outbox_wake.notify_one();
            }
            last = now;
        }
    }
}

/// A message's local echo: what the timeline shows until the server's copy
/// replaces it.
struct Echo<'a> {
    id: Uuid,
    room: RoomId,
    sender: UserId,
    kind: &'a str,
    body: &'a str,
    reply_to: Option<Uuid>,
    /// The attachments' ids, as JSON.
    attachments: String,
}

/// Stores a local echo in the outbox's transaction (`txn`, `order`) and
/// tells the timeline.
fn insert_echo(
    tx: &rusqlite::Transaction<'_>,
    echo: &Echo<'_>,
    txn: &str,
    order: i64,
    ch: &mut Changes,
) -> Result<()> {
    let now = now_ms();
    tx.execute(
        "INSERT INTO messages (id, room_id, seq, sender_id, kind, body, reply_to, attachments,
             created_at, txn_id, local_order, pk)
         VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            echo.id.to_string(),
            echo.room.to_string(),
            echo.sender.to_string(),
            echo.kind,
            echo.body,
            echo.reply_to.map(|r| r.to_string()),
            echo.attachments,
            now,
            txn,
            order,
            crate::store::message_pk(tx, now)?
        ],
    )?;
    search::index_backlog(tx, search::INDEX_AT_ONCE)?;
    apply::touch_room(tx, &echo.room.to_string(), now)?;
    ch.added.entry(echo.room).or_default().push(echo.id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_are_checked() {
        assert!(valid_profile("work"));
        assert!(valid_profile("a.b-c_1"));
        assert!(!valid_profile(""));
        assert!(!valid_profile(".."));
        assert!(!valid_profile("a/b"));
        assert!(!valid_profile(&"x".repeat(65)));
    }
}
