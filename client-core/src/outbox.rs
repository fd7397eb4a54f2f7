//! The outbox: every write the user makes, stored before it is sent.
//!
//! A write (send, edit, delete, react, mark read, create/join/leave room)
//! is one row here, written in the same transaction as its local echo, with
//! a transaction id made on this device. One worker per client delivers the
//! rows: per room, strictly in the order they were made; across rooms,
//! whichever is due. Because the server treats a repeated txn id (or a
//! repeated delete, reaction, read marker) as the same request, a row may
//! be sent again after any failure without landing twice: an answer lost
//! on the way back costs a retry, never a duplicate.
//!
//! A row is `pending`, then `sending` while a request is out, then gone
//! once the server has it. A failure that may pass (network, 5xx, 429)
//! makes it `retrying` with the time of the next attempt (exponential
//! backoff with jitter; reset when the connection comes back). A failure
//! that will not pass (a 4xx) makes it `failed` with the reason; a failed
//! row no longer counts as its room's head, so the rest of the room moves
//! on, and the user may retry or discard it.
//!
//! Two clients on one profile (the TUI and the desktop app) share the
//! table. A row is claimed (`claimed_by`, `claimed_until`) before it is
//! sent and only the claimer sends it; a claim left by a client that died
//! expires after a lease.

use std::time::Duration;

use reqwest::Method;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use tern_protocol::event::{EditMessage, SendMessage};
use tern_protocol::room::{CreateRoom, Room};
use tern_protocol::{Event, RoomId, UserId};
use uuid::Uuid;

use crate::client::Shared;
use crate::error::{Error, Invalid, RetryKind};
use crate::events::{ClientEvent, TimelineChange};
use crate::store::apply::{self, Changes};
use crate::store::{from_ms, now_ms, parse_uuid};
use crate::types::{OutboxItem, OutboxKind, OutboxState};

/// How long a claim holds if its client dies mid-send.
const CLAIM_LEASE_MS: i64 = 10_000;
const BACKOFF_BASE_MS: u64 = 500;
const BACKOFF_MAX_MS: u64 = 30_000;

/// What a row asks of the server. Targets are ids as known when the user
/// acted; a target that was still a local echo also names its txn id, and
/// is resolved to the server's id when the row is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Payload {
    Send {
        local_id: Uuid,
        body: String,
        #[serde(default)]
        reply_to: Option<Uuid>,
        #[serde(default)]
        reply_to_txn: Option<String>,
        #[serde(default)]
        thread_root: Option<Uuid>,
    },
    /// A message with a file: the file is uploaded first (its server id
    /// is written back into the row), then the message is sent.
    SendFile {
        local_id: Uuid,
        /// The provisional `files` row the local echo shows.
        local_file: Uuid,
        body: String,
        /// The file on disk (absolute).
        source: String,
        name: String,
        /// Set once the upload is done, so a retry only sends the message.
        #[serde(default)]
        file_id: Option<Uuid>,
    },
    Edit {
        target: Uuid,
        target_txn: Option<String>,
        body: String,
    },
    Delete {
        target: Uuid,
        target_txn: Option<String>,
    },
    React {
        target: Uuid,
        target_txn: Option<String>,
        emoji: String,
    },
    Unreact {
        target: Uuid,
        target_txn: Option<String>,
        emoji: String,
    },
    MarkRead {
        seq: i64,
    },
    CreateRoom {
        workspace_id: Uuid,
        request: CreateRoom,
    },
    Join,
    Leave,
}

impl Payload {
    pub(crate) fn kind(&self) -> OutboxKind {
        match self {
            Self::Send { .. } | Self::SendFile { .. } => OutboxKind::Send,
            Self::Edit { .. } => OutboxKind::Edit,
            Self::Delete { .. } => OutboxKind::Delete,
            Self::React { .. } => OutboxKind::React,
            Self::Unreact { .. } => OutboxKind::Unreact,
            Self::MarkRead { .. } => OutboxKind::MarkRead,
            Self::CreateRoom { .. } => OutboxKind::CreateRoom,
            Self::Join => OutboxKind::Join,
            Self::Leave => OutboxKind::Leave,
        }
    }

    /// The timeline item this row shows on, if any.
    fn shown_on(&self) -> Option<Uuid> {
        match self {
            Self::Send { local_id, .. } | Self::SendFile { local_id, .. } => Some(*local_id),
            Self::Edit { target, .. }
            | Self::Delete { target, .. }
            | Self::React { target, .. }
            | Self::Unreact { target, .. } => Some(*target),
            _ => None,
        }
    }
}

/// A row as the timeline overlay needs it.
#[derive(Clone, Debug)]
pub(crate) struct PendingItem {
    pub txn_id: String,
    pub payload: Payload,
    pub state: OutboxState,
}

/// A new txn id: unique per device and sortable.
pub(crate) fn new_txn_id() -> String {
    format!("t{}", Uuid::now_v7().simple())
}

/// Adds a row in the caller's transaction; returns its order number.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    room: RoomId,
    txn_id: &str,
    payload: &Payload,
) -> crate::Result<i64> {
    let now = now_ms();
    tx.prepare_cached(
        "INSERT INTO outbox (txn_id, room_id, kind, payload, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
    )?
    .execute(params![
        txn_id,
        room.to_string(),
        payload.kind().as_str(),
        serde_json::to_string(payload)?,
        now
    ])?;
    Ok(tx.last_insert_rowid())
}

fn state_of(state: &str, attempts: u32, next: i64, error: Option<String>) -> OutboxState {
    match state {
        "sending" => OutboxState::Sending,
        "retrying" => OutboxState::Retrying {
            attempts,
            next_attempt_at: from_ms(next),
            last_error: error.unwrap_or_default(),
        },
        "failed" => OutboxState::Failed {
            reason: error.unwrap_or_default(),
        },
        _ => OutboxState::Pending,
    }
}

/// The rows of one room, in order.
pub(crate) fn room_items(conn: &Connection, room: RoomId) -> crate::Result<Vec<PendingItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT txn_id, payload, state, attempts, next_attempt_at, error FROM outbox
         WHERE room_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([room.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, u32>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (txn_id, payload, state, attempts, next, error) = row?;
        let Ok(payload) = serde_json::from_str(&payload) else {
            continue;
        };
        out.push(PendingItem {
            txn_id,
            payload,
            state: state_of(&state, attempts, next, error),
        });
    }
    Ok(out)
}

/// Every row, oldest first.
pub(crate) fn list(conn: &Connection) -> crate::Result<Vec<OutboxItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT txn_id, room_id, kind, state, attempts, next_attempt_at, error, created_at
         FROM outbox ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, u32>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, i64>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (txn_id, room, kind, state, attempts, next, error, created) = row?;
        let Some(kind) = OutboxKind::parse(&kind) else {
            continue;
        };
        out.push(OutboxItem {
            txn_id,
            room_id: parse_uuid(&room),
            kind,
            state: state_of(&state, attempts, next, error),
            created_at: from_ms(created),
        });
    }
    Ok(out)
}

/// A row this worker has claimed.
#[derive(Debug)]
struct Claimed {
    id: i64,
    txn_id: String,
    room: RoomId,
    payload: Payload,
    attempts: u32,
}

enum Next {
    Claimed(Claimed),
    /// Nothing due; the earliest due time, if anything waits.
    Idle(Option<i64>),
}

/// Claims the next due head of any room.
fn claim_next(tx: &Transaction<'_>, instance: &str) -> crate::Result<Next> {
    let now = now_ms();
    let heads: Vec<(i64, String, String, String, u32, i64, i64)> = tx
        .prepare_cached(
            "SELECT o.id, o.txn_id, o.room_id, o.payload, o.attempts, o.next_attempt_at,
                    o.claimed_until
             FROM outbox o
             WHERE o.state != 'failed' AND o.id = (SELECT min(o2.id) FROM outbox o2
                 WHERE o2.room_id = o.room_id AND o2.state != 'failed')
             ORDER BY o.next_attempt_at, o.id",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut earliest: Option<i64> = None;
    for (id, txn_id, room, payload, attempts, next, claimed_until) in heads {
        let due = next.max(claimed_until);
        if due > now {
            earliest = Some(earliest.map_or(due, |e: i64| e.min(due)));
            continue;
        }
        let Ok(payload) = serde_json::from_str::<Payload>(&payload) else {
            tx.execute(
                "UPDATE outbox SET state = 'failed', error = 'unreadable outbox row' WHERE id = ?1",
                [id],
            )?;
            continue;
        };
        tx.prepare_cached(
            "UPDATE outbox SET state = 'sending', claimed_by = ?2, claimed_until = ?3,
                 attempts = attempts + 1, updated_at = ?4
             WHERE id = ?1",
        )?
        .execute(params![id, instance, now + CLAIM_LEASE_MS, now])?;
        return Ok(Next::Claimed(Claimed {
            id,
            txn_id,
            room: parse_uuid(&room),
            payload,
            attempts: attempts + 1,
        }));
    }
    Ok(Next::Idle(earliest))
}

/// Puts back every row this instance claimed (on shutdown).
pub(crate) fn release_claims(tx: &Transaction<'_>, instance: &str) -> crate::Result<()> {
    tx.execute(
        "UPDATE outbox SET state = CASE WHEN state = 'sending' THEN 'pending' ELSE state END,
             claimed_by = NULL, claimed_until = 0
         WHERE claimed_by = ?1",
        [instance],
    )?;
    Ok(())
}

/// Makes every retrying row due now (the network came back).
pub(crate) fn retry_now(tx: &Transaction<'_>) -> crate::Result<usize> {
    Ok(tx.execute(
        "UPDATE outbox SET next_attempt_at = 0 WHERE state IN ('retrying', 'pending')
             AND next_attempt_at > 0",
        [],
    )?)
}

fn backoff(attempts: u32, retry_after: Option<Duration>) -> i64 {
    let exp = BACKOFF_BASE_MS.saturating_mul(1u64 << attempts.saturating_sub(1).min(16));
    let capped = exp.min(BACKOFF_MAX_MS);
    // Full jitter over the upper half: spread clients out, never hammer.
    let jittered = capped / 2 + fastrand::u64(0..=capped / 2);
    let floor = retry_after.map(|d| d.as_millis() as u64).unwrap_or(0);
    jittered.max(floor) as i64
}

/// What came of one delivery.
enum Outcome {
    Delivered(Delivered),
    Retry(Error),
    Fail(String),
    /// No session: put the row back untouched.
    Paused,
}

enum Delivered {
    Event(Event),
    Room(Room),
    Nothing,
}

/// The id the server knows for a message the user pointed at.
fn resolve(
    conn: &Connection,
    target: Uuid,
    target_txn: &Option<String>,
) -> crate::Result<Option<Uuid>> {
    let Some(txn) = target_txn else {
        return Ok(Some(target));
    };
    let id: Option<String> = conn
        .prepare_cached("SELECT id FROM messages WHERE txn_id = ?1 AND seq IS NOT NULL")?
        .query_row([txn], |r| r.get(0))
        .optional()?;
    Ok(id.map(|s| parse_uuid(&s)))
}

async fn deliver(shared: &Shared, item: &Claimed) -> Outcome {
    match deliver_inner(shared, item).await {
        Ok(d) => Outcome::Delivered(d),
        Err(Error::SessionEnded(_) | Error::NotSignedIn) => Outcome::Paused,
        Err(e) => match e.retry_kind() {
            RetryKind::Transient { .. } => Outcome::Retry(e),
            RetryKind::Permanent => {
                // A few permanent answers mean the wish already holds.
                let done = matches!(
                    (&item.payload, e.code(), e.status()),
                    (Payload::Unreact { .. }, _, Some(404))
                );
                if done {
                    Outcome::Delivered(Delivered::Nothing)
                } else {
                    Outcome::Fail(e.to_string())
                }
            }
        },
    }
}

/// Sends a message under the item's txn id (a retry answers the same event).
async fn put_message(
    api: &crate::api::Api,
    room: RoomId,
    txn_id: &str,
    req: SendMessage,
) -> crate::Result<Delivered> {
    let ev: Event = api
        .call(
            Method::PUT,
            &format!("/api/v1/rooms/{room}/messages/{}", enc(txn_id)),
            Some(serde_json::to_value(req)?),
        )
        .await?;
    Ok(Delivered::Event(ev))
}

/// Percent-encodes a path segment or query value.
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Runs `work` while renewing the claim on `item`: an upload may outlast
/// the lease, and another client on the profile must not take the row
/// meanwhile.
async fn holding_claim<T>(
    shared: &Shared,
    item: &Claimed,
    work: impl std::future::Future<Output = crate::Result<T>>,
) -> crate::Result<T> {
    let mut work = std::pin::pin!(work);
    let period = Duration::from_millis((CLAIM_LEASE_MS / 3) as u64);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = tick.tick() => {
                let (id, inst) = (item.id, shared.instance.clone());
                let renewed = shared
                    .store
                    .write(move |tx| {
                        Ok(tx.execute(
                            "UPDATE outbox SET claimed_until = ?3
                             WHERE id = ?1 AND claimed_by = ?2",
                            params![id, inst, now_ms() + CLAIM_LEASE_MS],
                        )?)
                    })
                    .await;
                if let Err(e) = renewed {
                    tracing::warn!(error = %e, "outbox: cannot renew a claim");
                }
            }
        }
    }
}

async fn deliver_inner(shared: &Shared, item: &Claimed) -> crate::Result<Delivered> {
    let api = &shared.api;
    let room = item.room;
    let resolve_target = |target: Uuid, txn: Option<String>| async move {
        shared
            .store
            .read(move |c| resolve(c, target, &txn))
            .await?
            .ok_or_else(|| Error::from(Invalid::TargetNeverSent))
    };
    let msg_path = |id: Uuid| format!("/api/v1/rooms/{room}/messages/{id}");
    Ok(match &item.payload {
        Payload::Send {
            body,
            reply_to,
            reply_to_txn,
            thread_root,
            ..
        } => {
            let reply_to = match reply_to {
                Some(r) => Some(resolve_target(*r, reply_to_txn.clone()).await?),
                None => None,
            };
            let req = SendMessage {
                body: body.clone(),
                reply_to,
                thread_root: *thread_root,
                ..Default::default()
            };
            put_message(api, room, &item.txn_id, req).await?
        }
        Payload::SendFile {
            local_file,
            body,
            source,
            name,
            file_id,
            ..
        } => {
            let file_id = match file_id {
                Some(f) => *f,
                None => {
                    let upload = crate::files::upload(
                        shared,
                        &item.txn_id,
                        room,
                        *local_file,
                        std::path::Path::new(source),
                        name,
                    );
                    let info = holding_claim(shared, item, upload).await?;
                    let id = info.id;
                    let mut payload = item.payload.clone();
                    if let Payload::SendFile { file_id, .. } = &mut payload {
                        *file_id = Some(id);
                    }
                    let (row, local, json) =
                        (item.id, *local_file, serde_json::to_string(&payload)?);
                    shared
                        .store
                        .write(move |tx| {
                            tx.execute(
                                "UPDATE outbox SET payload = ?2 WHERE id = ?1",
                                params![row, json],
                            )?;
                            crate::files::record_uploaded(tx, &info, local)
                        })
                        .await?;
                    id
                }
            };
            let req = SendMessage {
                body: body.clone(),
                attachments: Some(vec![file_id]),
                ..Default::default()
            };
            put_message(api, room, &item.txn_id, req).await?
        }
        Payload::Edit {
            target,
            target_txn,
            body,
        } => {
            let id = resolve_target(*target, target_txn.clone()).await?;
            let req = EditMessage {
                body: body.clone(),
                txn_id: Some(item.txn_id.clone()),
            };
            Delivered::Event(
                api.call(
                    Method::PATCH,
                    &msg_path(id),
                    Some(serde_json::to_value(req)?),
                )
                .await?,
            )
        }
        Payload::Delete { target, target_txn } => {
            let id = resolve_target(*target, target_txn.clone()).await?;
            Delivered::Event(api.call(Method::DELETE, &msg_path(id), None).await?)
        }
        Payload::React {
            target,
            target_txn,
            emoji,
        } => {
            let id = resolve_target(*target, target_txn.clone()).await?;
            let path = format!("{}/reactions/{}", msg_path(id), enc(emoji));
            Delivered::Event(api.call(Method::PUT, &path, None).await?)
        }
        Payload::Unreact {
            target,
            target_txn,
            emoji,
        } => {
            let id = resolve_target(*target, target_txn.clone()).await?;
            let path = format!("{}/reactions/{}", msg_path(id), enc(emoji));
            // 204: there was no such reaction, so the wish already holds.
            match api.call_opt(Method::DELETE, &path, None).await? {
                Some(event) => Delivered::Event(event),
                None => Delivered::Nothing,
            }
        }
        Payload::MarkRead { seq } => {
            api.call_unit(
                Method::POST,
                &format!("/api/v1/rooms/{room}/read"),
                Some(serde_json::json!({ "seq": seq })),
            )
            .await?;
            Delivered::Nothing
        }
        Payload::CreateRoom {
            workspace_id,
            request,
        } => Delivered::Room(
            api.call(
                Method::POST,
                &format!("/api/v1/workspaces/{workspace_id}/rooms"),
                Some(serde_json::to_value(request)?),
            )
            .await?,
        ),
        Payload::Join => Delivered::Room(
            api.call(Method::POST, &format!("/api/v1/rooms/{room}/join"), None)
                .await?,
        ),
        Payload::Leave => {
            api.call_unit(Method::POST, &format!("/api/v1/rooms/{room}/leave"), None)
                .await?;
            Delivered::Nothing
        }
    })
}

/// Writes what came of a delivery; returns the UI events to send.
fn settle(
    tx: &Transaction<'_>,
    me: UserId,
    item: &Claimed,
    outcome: Outcome,
    retry_at_once: bool,
) -> crate::Result<(Vec<ClientEvent>, bool)> {
    let now = now_ms();
    let mut events = Vec::new();
    let mut resync = false;
    let room = item.room;
    let state = match outcome {
        Outcome::Delivered(d) => {
            tx.execute("DELETE FROM outbox WHERE id = ?1", [item.id])?;
            if let Payload::SendFile { local_file, .. } = &item.payload {
                // The message now names the server's file.
                tx.execute(
                    "DELETE FROM files WHERE id = ?1 AND upload_source IS NOT NULL",
                    [local_file.to_string()],
                )?;
            }
            let mut ch = Changes::default();
            match d {
                Delivered::Event(ev) => {
                    // Stored now so the echo turns remote at once; the sync
                    // engine's cursor still moves only over contiguous seqs.
                    apply::apply_event(tx, me, &ev, true, &mut ch)?;
                }
                Delivered::Room(r) => {
                    let local = room;
                    apply::upsert_room(tx, &r)?;
                    tx.execute(
                        "UPDATE rooms SET membership = 'joined' WHERE id = ?1",
                        [r.id.to_string()],
                    )?;
                    if local != r.id {
                        // A room made offline: everything queued for it now
                        // goes to the server's id.
                        let (l, rid) = (local.to_string(), r.id.to_string());
                        tx.execute(
                            "UPDATE outbox SET room_id = ?2 WHERE room_id = ?1",
                            [&l, &rid],
                        )?;
                        tx.execute(
                            "UPDATE messages SET room_id = ?2 WHERE room_id = ?1",
                            [&l, &rid],
                        )?;
                        tx.execute("DELETE FROM rooms WHERE id = ?1", [&l])?;
                        events.push(ClientEvent::RoomIdAssigned {
                            local,
                            remote: r.id,
                        });
                    }
                    ch.room_list = true;
                    resync = true;
                }
                Delivered::Nothing => {
                    if matches!(item.payload, Payload::Leave) {
                        resync = true;
                    }
                }
            }
            events.extend(ch.into_events());
            OutboxState::Delivered
        }
        Outcome::Retry(e) => {
            let retry_after = match e.retry_kind() {
                RetryKind::Transient { retry_after } => retry_after,
                RetryKind::Permanent => None,
            };
            let next = if retry_at_once {
                now
            } else {
                now + backoff(item.attempts, retry_after)
            };
            let msg = e.to_string();
            tx.execute(
                "UPDATE outbox SET state = 'retrying', next_attempt_at = ?2, error = ?3,
                     claimed_by = NULL, claimed_until = 0, updated_at = ?4 WHERE id = ?1",
                params![item.id, next, msg, now],
            )?;
            OutboxState::Retrying {
                attempts: item.attempts,
                next_attempt_at: from_ms(next),
                last_error: msg,
            }
        }
        Outcome::Fail(reason) => {
            tx.execute(
                "UPDATE outbox SET state = 'failed', error = ?2, claimed_by = NULL,
                     claimed_until = 0, updated_at = ?3 WHERE id = ?1",
                params![item.id, reason, now],
            )?;
            OutboxState::Failed { reason }
        }
        Outcome::Paused => {
            tx.execute(
                "UPDATE outbox SET state = 'pending', attempts = max(attempts - 1, 0),
                     claimed_by = NULL, claimed_until = 0 WHERE id = ?1",
                [item.id],
            )?;
            OutboxState::Pending
        }
    };
    let room_now: Option<String> = tx
        .query_row("SELECT room_id FROM outbox WHERE id = ?1", [item.id], |r| {
            r.get(0)
        })
        .optional()?;
    let room = room_now.map(|r| parse_uuid(&r)).unwrap_or(room);
    if let Some(id) = item.payload.shown_on()
        && !matches!(state, OutboxState::Delivered)
    {
        events.push(ClientEvent::TimelineChanged {
            room_id: room,
            change: TimelineChange::Updated(vec![id]),
        });
    }
    events.push(ClientEvent::OutboxItem {
        txn_id: item.txn_id.clone(),
        room_id: room,
        state,
    });
    events.push(ClientEvent::RoomListChanged);
    Ok((events, resync))
}

/// The delivery loop of one client; ends on shutdown.
pub(crate) async fn run(shared: std::sync::Arc<Shared>) {
    let mut shutdown = shared.shutdown_rx();
    loop {
        if *shutdown.borrow() {
            return;
        }
        let me = shared.me();
        let signed_in = me.is_some() && !shared.api.has_ended();
        let next = if signed_in {
            let inst = shared.instance.clone();
            let stopping = shared.shutdown_rx();
            // Aborting this task does not stop a write already handed to a
            // blocking thread: the claim is checked against shutdown under
            // the writer lock, the same lock `release_claims` takes after
            // shutdown is signalled, so no claim is made after the release.
            let claim = move |tx: &Transaction<'_>| {
                if *stopping.borrow() {
                    return Ok(Next::Idle(None));
                }
                claim_next(tx, &inst)
            };
            match shared.store.write(claim).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: cannot read the queue");
                    Next::Idle(Some(now_ms() + 1000))
                }
            }
        } else {
            Next::Idle(None)
        };
        match (next, me) {
            (Next::Claimed(item), Some(me)) => {
                shared.events.emit(ClientEvent::OutboxItem {
                    txn_id: item.txn_id.clone(),
                    room_id: item.room,
                    state: OutboxState::Sending,
                });
                let epoch = shared
                    .online_epoch
                    .load(std::sync::atomic::Ordering::SeqCst);
                let outcome = tokio::select! {
                    o = deliver(&shared, &item) => o,
                    _ = shutdown.changed() => return,
                };
                // The network came back while this attempt was failing: the
                // "retry everything now" it triggered missed this item.
                let came_back = shared
                    .online_epoch
                    .load(std::sync::atomic::Ordering::SeqCst)
                    != epoch;
                if let Outcome::Retry(e) = &outcome {
                    tracing::debug!(txn_id = %item.txn_id, error = %e, "outbox: will retry");
                }
                if let Outcome::Fail(reason) = &outcome {
                    tracing::warn!(txn_id = %item.txn_id, %reason, "outbox: item failed");
                }
                match shared
                    .store
                    .write(move |tx| {
                        let r = settle(tx, me, &item, outcome, came_back)?;
                        Ok(r)
                    })
                    .await
                {
                    Ok((events, resync)) => {
                        for e in events {
                            shared.events.emit(e);
                        }
                        if resync {
                            shared.sync_wake.notify_one();
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "outbox: cannot record a delivery"),
                }
            }
            (Next::Claimed(_), None) => {}
            (Next::Idle(due), _) => {
                let wait = due
                    .map(|d| Duration::from_millis((d - now_ms()).clamp(10, 30_000) as u64))
                    .unwrap_or(Duration::from_secs(30));
                tokio::select! {
                    _ = shared.outbox_wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => return,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        for attempts in 1..30 {
            let b = backoff(attempts, None) as u64;
            let cap = (BACKOFF_BASE_MS << (attempts - 1).min(16)).min(BACKOFF_MAX_MS);
            assert!(b >= cap / 2 && b <= cap, "attempt {attempts}: {b}");
        }
        assert!(backoff(1, Some(Duration::from_secs(5))) >= 5000);
    }

    #[test]
    fn payload_round_trips() {
        let p = Payload::Edit {
            target: Uuid::nil(),
            target_txn: Some("t1".into()),
            body: "x".into(),
        };
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Payload>(&s).unwrap(), p);
        assert_eq!(enc("👍"), "%F0%9F%91%8D");
    }
}
