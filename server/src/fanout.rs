//! Live delivery to WebSocket connections.
//!
//! The store's commit hook hands every committed batch of events to one
//! fan-out thread, in seq order. For each event the thread serialises the
//! frame once and queues the same bytes (a cheap reference-counted clone) to
//! every connection of every joined member. Each connection has a bounded
//! queue: when it is full, that connection alone is cut off with the resync
//! close code, so a slow consumer never slows anyone else; its client
//! reconnects and catches up through `sync`, losing nothing.
//!
//! Membership is mirrored here (room -> joined users) from the member events
//! themselves, so a user added to a room receives its events at once.
//! Typing, receipts and presence go through the same queues but are not in
//! the log.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use tern_protocol::event::EventContent;
use tern_protocol::room::MemberState;
use tern_protocol::ws::{PresenceStatus, RoomChange, ServerFrame};
use tern_protocol::{Event, RoomId, SessionId, UserId};
use tokio::sync::mpsc;

use crate::metrics::Metrics;

/// Why a connection was cut off by the server.
pub const KICK_NONE: u8 = 0;
pub const KICK_RESYNC: u8 = 1;
pub const KICK_REVOKED: u8 = 2;

/// How long a typing notice lasts unless renewed.
const TYPING_TTL: Duration = Duration::from_secs(6);

#[derive(Clone)]
struct Conn {
    id: u64,
    session: SessionId,
    tx: mpsc::Sender<Utf8Bytes>,
    kicked: Arc<AtomicU8>,
}

/// A registered connection's receiving end.
pub struct Registration {
    pub id: u64,
    pub rx: mpsc::Receiver<Utf8Bytes>,
    pub kicked: Arc<AtomicU8>,
}

#[derive(Default)]
struct Inner {
    room_members: HashMap<RoomId, HashSet<UserId>>,
    user_rooms: HashMap<UserId, HashSet<RoomId>>,
    conns: HashMap<UserId, Vec<Conn>>,
    typing: HashMap<RoomId, HashMap<UserId, Instant>>,
}

pub struct Fanout {
    inner: RwLock<Inner>,
    queue: usize,
    next_id: AtomicU64,
    metrics: Arc<Metrics>,
}

#[derive(Serialize)]
struct EventFrame<'a> {
    #[serde(rename = "type")]
    ty: &'static str,
    event: &'a Event,
}

fn encode<T: Serialize>(v: &T) -> Option<Utf8Bytes> {
    serde_json::to_string(v).ok().map(Utf8Bytes::from)
}

impl Fanout {
    pub fn new(queue: usize, metrics: Arc<Metrics>) -> Self {
        Self {
            inner: RwLock::new(Inner::default()),
            queue: queue.max(1),
            next_id: AtomicU64::new(1),
            metrics,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Loads the joined memberships at start.
    pub fn load_memberships(&self, pairs: Vec<(RoomId, UserId)>) {
        let mut inner = self.write();
        for (room, user) in pairs {
            inner.room_members.entry(room).or_default().insert(user);
            inner.user_rooms.entry(user).or_default().insert(room);
        }
    }

    pub fn register(&self, user: UserId, session: SessionId) -> Registration {
        let (tx, rx) = mpsc::channel(self.queue);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let kicked = Arc::new(AtomicU8::new(KICK_NONE));
        let first = {
            let mut inner = self.write();
            let list = inner.conns.entry(user).or_default();
            list.push(Conn {
                id,
                session,
                tx,
                kicked: kicked.clone(),
            });
            list.len() == 1
        };
        if first {
            self.presence(user, PresenceStatus::Online);
        }
        Registration { id, rx, kicked }
    }

    pub fn unregister(&self, user: UserId, id: u64) {
        let last = {
            let mut inner = self.write();
            let Some(list) = inner.conns.get_mut(&user) else {
                return;
            };
            list.retain(|c| c.id != id);
            if list.is_empty() {
                inner.conns.remove(&user);
                true
            } else {
                false
            }
        };
        if last {
            self.presence(user, PresenceStatus::Offline);
        }
    }

    pub fn is_online(&self, user: UserId) -> bool {
        self.read().conns.contains_key(&user)
    }

    /// Closes every connection of a session (it was revoked).
    pub fn kick_session(&self, session: SessionId) {
        let mut inner = self.write();
        for list in inner.conns.values_mut() {
            list.retain(|c| {
                if c.session == session {
                    c.kicked.store(KICK_REVOKED, Ordering::Relaxed);
                    false
                } else {
                    true
                }
            });
        }
        inner.conns.retain(|_, l| !l.is_empty());
    }

    /// Queues `bytes` to every connection of `users`; cuts off the ones that
    /// are full.
    fn deliver<'a>(&self, users: impl Iterator<Item = &'a UserId>, bytes: &Utf8Bytes) {
        let mut overflow: Vec<(UserId, u64)> = Vec::new();
        let mut delivered = 0u64;
        {
            let inner = self.read();
            for user in users {
                let Some(conns) = inner.conns.get(user) else {
                    continue;
                };
                for c in conns {
                    match c.tx.try_send(bytes.clone()) {
                        Ok(()) => delivered += 1,
                        Err(mpsc::error::TrySendError::Full(_)) => overflow.push((*user, c.id)),
                        Err(mpsc::error::TrySendError::Closed(_)) => {}
                    }
                }
            }
        }
        self.metrics
            .fanout_deliveries
            .fetch_add(delivered, Ordering::Relaxed);
        if !overflow.is_empty() {
            self.metrics
                .fanout_drops
                .fetch_add(overflow.len() as u64, Ordering::Relaxed);
            let mut inner = self.write();
            for (user, id) in overflow {
                if let Some(list) = inner.conns.get_mut(&user) {
                    list.retain(|c| {
                        if c.id == id {
                            c.kicked.store(KICK_RESYNC, Ordering::Relaxed);
                            tracing::info!(%user, conn = id, "slow consumer cut off");
                            false
                        } else {
                            true
                        }
                    });
                    if list.is_empty() {
                        inner.conns.remove(&user);
                    }
                }
            }
        }
    }

    pub fn send_to_user(&self, user: UserId, frame: &ServerFrame) {
        if let Some(bytes) = encode(frame) {
            self.deliver(std::iter::once(&user), &bytes);
        }
    }

    pub fn send_to_room(&self, room: RoomId, frame: &ServerFrame) {
        let Some(bytes) = encode(frame) else { return };
        let members: Vec<UserId> = self
            .read()
            .room_members
            .get(&room)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        self.deliver(members.iter(), &bytes);
    }

    /// Publishes committed events, in order.
    pub fn publish(&self, events: Vec<Event>) {
        for event in &events {
            let mut extra: Option<(UserId, RoomChange)> = None;
            if let EventContent::Member(m) = &event.content {
                let mut inner = self.write();
                match m.state {
                    MemberState::Joined => {
                        inner
                            .room_members
                            .entry(event.room_id)
                            .or_default()
                            .insert(m.user_id);
                        inner
                            .user_rooms
                            .entry(m.user_id)
                            .or_default()
                            .insert(event.room_id);
                        extra = Some((m.user_id, RoomChange::Joined));
                    }
                    state => {
                        if let Some(s) = inner.room_members.get_mut(&event.room_id) {
                            s.remove(&m.user_id);
                        }
                        if let Some(r) = inner.user_rooms.get_mut(&m.user_id) {
                            r.remove(&event.room_id);
                        }
                        let change = if state == MemberState::Invited {
                            RoomChange::Invited
                        } else {
                            RoomChange::Left
                        };
                        extra = Some((m.user_id, change));
                    }
                }
            }
            let Some(bytes) = encode(&EventFrame { ty: "event", event }) else {
                continue;
            };
            let members: Vec<UserId> = self
                .read()
                .room_members
                .get(&event.room_id)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
            self.deliver(members.iter(), &bytes);
            if let Some((user, change)) = extra {
                if !members.contains(&user) {
                    // The user left or was invited: they still hear of it.
                    self.deliver(std::iter::once(&user), &bytes);
                }
                self.send_to_user(
                    user,
                    &ServerFrame::Room {
                        room_id: event.room_id,
                        change,
                        room: None,
                    },
                );
            }
        }
    }

    /// Records a typing notice and tells the room who is typing now.
    pub fn typing(&self, room: RoomId, user: UserId, typing: bool) {
        let list = {
            let mut inner = self.write();
            if !inner
                .room_members
                .get(&room)
                .is_some_and(|m| m.contains(&user))
            {
                return;
            }
            let now = Instant::now();
            let entry = inner.typing.entry(room).or_default();
            let changed = if typing {
                entry.insert(user, now + TYPING_TTL).is_none()
            } else {
                entry.remove(&user).is_some()
            };
            if !changed && typing {
                // A renewal: no need to tell anyone again.
                return;
            }
            let list: Vec<UserId> = entry.keys().copied().collect();
            if entry.is_empty() {
                inner.typing.remove(&room);
            }
            list
        };
        self.send_to_room(
            room,
            &ServerFrame::Typing {
                room_id: room,
                user_ids: list,
            },
        );
    }

    /// Drops typing notices that were not renewed; called every second.
    pub fn expire_typing(&self) {
        let now = Instant::now();
        let mut changed: Vec<(RoomId, Vec<UserId>)> = Vec::new();
        {
            let mut inner = self.write();
            for (room, users) in inner.typing.iter_mut() {
                let before = users.len();
                users.retain(|_, until| *until > now);
                if users.len() != before {
                    changed.push((*room, users.keys().copied().collect()));
                }
            }
            inner.typing.retain(|_, u| !u.is_empty());
        }
        for (room, user_ids) in changed {
            self.send_to_room(
                room,
                &ServerFrame::Typing {
                    room_id: room,
                    user_ids,
                },
            );
        }
    }

    /// Tells everyone who shares a room with `user`.
    pub fn presence(&self, user: UserId, status: PresenceStatus) {
        let Some(bytes) = encode(&ServerFrame::Presence {
            user_id: user,
            status,
        }) else {
            return;
        };
        let peers: HashSet<UserId> = {
            let inner = self.read();
            inner
                .user_rooms
                .get(&user)
                .into_iter()
                .flatten()
                .filter_map(|r| inner.room_members.get(r))
                .flatten()
                .copied()
                .filter(|u| *u != user)
                .collect()
        };
        self.deliver(peers.iter(), &bytes);
    }

    /// Joined members of `room` as the fan-out knows them (it learns from
    /// committed member events, a moment after the commit).
    pub fn member_count(&self, room: RoomId) -> usize {
        self.read().room_members.get(&room).map_or(0, HashSet::len)
    }

    pub fn connection_count(&self) -> usize {
        self.read().conns.values().map(Vec::len).sum()
    }
}

/// Starts the thread that publishes committed events; returns the sender the
/// store's commit hook uses.
pub fn spawn_publisher(fanout: Arc<Fanout>) -> std::sync::mpsc::Sender<Vec<Event>> {
    let (tx, rx) = std::sync::mpsc::channel::<Vec<Event>>();
    let spawned = std::thread::Builder::new()
        .name("tern-fanout".into())
        .spawn(move || {
            while let Ok(batch) = rx.recv() {
                fanout.publish(batch);
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the fan-out thread");
    }
    tx
}
