//! The embedded store: one SQLite file in WAL mode (see [`super::db`] for
//! the writer thread and group commit).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use tern_protocol::auth::{ServerRole, SessionInfo, User, UserKind};
use tern_protocol::event::{EventContent, MemberContent, ReactionContent, RoomContent};
use tern_protocol::files::{ApiKeyInfo, MetaEntry, MetaType};
use tern_protocol::room::{
    DirectoryRoom, MemberState, Membership, NotifyLevel, Room, RoomKind, RoomMember, RoomRole,
    Visibility,
};
use tern_protocol::sync::{RoomSync, SyncRequest, SyncResponse};
use tern_protocol::workspace::{Workspace, WorkspaceKind, WorkspaceMember, WorkspaceRole};
use tern_protocol::{
    Event, EventId, FileId, MessageContent, RoomId, Seq, SessionId, Timestamp, UserId, WorkspaceId,
    limits,
};
use uuid::Uuid;

use super::db::{CommitHook, Db, WriteCtx};
use super::{
    FileRecord, MemberRecord, MembershipChange, MessageRecord, NewApiKey, NewFile, NewRoom,
    NewSession, NewUser, Page, RefreshLookup, RoomChanges, SessionRecord, Store, StoreError,
    StoreResult, UserRecord,
};

pub struct SqliteStore {
    db: Db,
    txns: Arc<Mutex<PendingTxns>>,
}

impl SqliteStore {
    /// Opens the store at `path`, migrating it; `hook` receives every
    /// committed batch of events, in seq order.
    pub fn open(path: &Path, hook: CommitHook) -> StoreResult<Self> {
        let db = Db::open(path, 4, hook)?;
        // Before the first write: index the txn ids a crash left behind.
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut txns = PendingTxns::default();
        flush_txns(&tx, &mut txns)?;
        tx.commit()?;
        Ok(Self {
            db,
            txns: Arc::new(Mutex::new(txns)),
        })
    }

    pub fn path(&self) -> &Path {
        self.db.path()
    }
}

// ---------------------------------------------------------------------------
// Conversions

pub(crate) fn now_ms() -> i64 {
    ts_ms(time::OffsetDateTime::now_utc())
}

fn ts_ms(t: Timestamp) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn ms_ts(ms: i64) -> Timestamp {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

fn bad_column(idx: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("bad {what}").into(),
    )
}

fn uuid_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    let s: String = row.get(idx)?;
    Uuid::parse_str(&s).map_err(|_| bad_column(idx, "uuid"))
}

fn opt_uuid_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Uuid>> {
    let s: Option<String> = row.get(idx)?;
    s.map(|s| Uuid::parse_str(&s).map_err(|_| bad_column(idx, "uuid")))
        .transpose()
}

/// Enums stored as their wire names.
trait SqlEnum: Sized + Copy {
    fn as_sql(self) -> &'static str;
    fn from_sql(s: &str) -> Option<Self>;
}

macro_rules! sql_enum {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl SqlEnum for $t {
            fn as_sql(self) -> &'static str {
                match self { $(<$t>::$v => $s),+ }
            }
            fn from_sql(s: &str) -> Option<Self> {
                match s { $($s => Some(<$t>::$v),)+ _ => None }
            }
        }
    };
}

sql_enum!(UserKind { Human => "human", Bot => "bot" });
sql_enum!(ServerRole { User => "user", Admin => "admin" });
sql_enum!(WorkspaceKind { System => "system", Client => "client" });
sql_enum!(WorkspaceRole { Owner => "owner", Admin => "admin", Member => "member", Guest => "guest" });
sql_enum!(RoomKind { Direct => "direct", Group => "group", Channel => "channel" });
sql_enum!(Visibility { Public => "public", Private => "private", Hidden => "hidden" });
sql_enum!(RoomRole { Owner => "owner", Moderator => "moderator", Member => "member" });
sql_enum!(MemberState { Joined => "joined", Invited => "invited", Left => "left", Banned => "banned" });
sql_enum!(NotifyLevel { All => "all", Mentions => "mentions", None => "none" });

fn enum_at<E: SqlEnum>(row: &Row<'_>, idx: usize) -> rusqlite::Result<E> {
    let s: String = row.get(idx)?;
    E::from_sql(&s).ok_or_else(|| bad_column(idx, "enum value"))
}

fn opt_ts_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    Ok(row.get::<_, Option<i64>>(idx)?.map(ms_ts))
}

fn ts_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Timestamp> {
    Ok(ms_ts(row.get(idx)?))
}

fn unique_violation(e: &rusqlite::Error) -> Option<String> {
    match e {
        rusqlite::Error::SqliteFailure(err, Some(msg))
            if err.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Some(msg.clone())
        }
        _ => None,
    }
}

const USER_COLS: &str = "u.id, u.username, u.display_name, u.avatar_file_id, u.kind, \
     u.server_role, u.active, u.last_seen_at, u.created_at";

fn user_at(row: &Row<'_>, o: usize) -> rusqlite::Result<User> {
    Ok(User {
        id: uuid_at(row, o)?,
        username: row.get(o + 1)?,
        display_name: row.get(o + 2)?,
        avatar_file_id: opt_uuid_at(row, o + 3)?,
        kind: enum_at(row, o + 4)?,
        server_role: enum_at(row, o + 5)?,
        active: row.get(o + 6)?,
        last_seen_at: opt_ts_at(row, o + 7)?,
        created_at: ts_at(row, o + 8)?,
    })
}

fn user_record(conn: &Connection, where_: &str, arg: &str) -> StoreResult<Option<UserRecord>> {
    let sql = format!("SELECT {USER_COLS}, u.email, u.password_hash FROM users u WHERE {where_}");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([arg], |r| {
            Ok(UserRecord {
                user: user_at(r, 0)?,
                email: r.get(9)?,
                password_hash: r.get(10)?,
            })
        })
        .optional()?)
}

const ROOM_COLS: &str = "r.id, r.workspace_id, r.kind, r.visibility, r.name, r.topic, \
     r.created_by, r.read_only, r.secret, r.archived, r.last_seq, r.last_message_at, \
     r.created_at, r.member_count, r.avatar_file_id";

fn room_at(row: &Row<'_>, o: usize) -> rusqlite::Result<Room> {
    Ok(Room {
        id: uuid_at(row, o)?,
        workspace_id: uuid_at(row, o + 1)?,
        kind: enum_at(row, o + 2)?,
        visibility: enum_at(row, o + 3)?,
        name: row.get(o + 4)?,
        topic: row.get(o + 5)?,
        created_by: uuid_at(row, o + 6)?,
        read_only: row.get(o + 7)?,
        secret: row.get(o + 8)?,
        archived: row.get(o + 9)?,
        last_seq: row.get(o + 10)?,
        last_message_at: opt_ts_at(row, o + 11)?,
        created_at: ts_at(row, o + 12)?,
        member_count: row.get(o + 13)?,
        avatar_file_id: opt_uuid_at(row, o + 14)?,
    })
}

fn load_room(conn: &Connection, id: RoomId) -> StoreResult<Option<Room>> {
    let sql = format!("SELECT {ROOM_COLS} FROM rooms r WHERE r.id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id.to_string()], |r| room_at(r, 0))
        .optional()?)
}

const WS_COLS: &str = "w.id, w.slug, w.name, w.kind, w.settings, w.active, w.created_at";

fn workspace_at(row: &Row<'_>, role_idx: Option<usize>) -> rusqlite::Result<Workspace> {
    let settings: String = row.get(4)?;
    let role = match role_idx {
        Some(i) => row
            .get::<_, Option<String>>(i)?
            .and_then(|s| WorkspaceRole::from_sql(&s)),
        None => None,
    };
    Ok(Workspace {
        id: uuid_at(row, 0)?,
        slug: row.get(1)?,
        name: row.get(2)?,
        kind: enum_at(row, 3)?,
        settings: serde_json::from_str(&settings).map_err(|_| bad_column(4, "settings"))?,
        active: row.get(5)?,
        created_at: ts_at(row, 6)?,
        role,
    })
}

const EVENT_COLS: &str =
    "e.id, e.room_id, e.seq, e.sender_id, e.type, e.content, e.txn_id, e.created_at";

fn event_at(row: &Row<'_>) -> rusqlite::Result<Event> {
    let ty: String = row.get(4)?;
    let content: String = row.get(5)?;
    let content = decode_content(&ty, &content).map_err(|_| bad_column(5, "event content"))?;
    Ok(Event {
        id: uuid_at(row, 0)?,
        room_id: uuid_at(row, 1)?,
        seq: row.get(2)?,
        sender_id: uuid_at(row, 3)?,
        content,
        txn_id: row.get(6)?,
        created_at: ts_at(row, 7)?,
    })
}

fn decode_content(ty: &str, content: &str) -> serde_json::Result<EventContent> {
    Ok(match ty {
        "message" => EventContent::Message(serde_json::from_str(content)?),
        "edit" => EventContent::Edit(serde_json::from_str(content)?),
        "delete" => EventContent::Delete(serde_json::from_str(content)?),
        "reaction" => EventContent::Reaction(serde_json::from_str(content)?),
        "member" => EventContent::Member(serde_json::from_str(content)?),
        "room" => EventContent::Room(serde_json::from_str(content)?),
        "call" => EventContent::Call(serde_json::from_str(content)?),
        other => {
            return Err(serde::de::Error::custom(format!(
                "unknown event type {other}"
            )));
        }
    })
}

fn encode_content(content: &EventContent) -> serde_json::Result<String> {
    match content {
        EventContent::Message(c) => serde_json::to_string(c),
        EventContent::Edit(c) => serde_json::to_string(c),
        EventContent::Delete(c) => serde_json::to_string(c),
        EventContent::Reaction(c) => serde_json::to_string(c),
        EventContent::Member(c) => serde_json::to_string(c),
        EventContent::Room(c) => serde_json::to_string(c),
        EventContent::Call(c) => serde_json::to_string(c),
    }
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Io(format!("json: {e}"))
}

fn event_at_seq(conn: &Connection, room: RoomId, seq: Seq) -> StoreResult<Event> {
    let sql = format!("SELECT {EVENT_COLS} FROM events e WHERE e.room_id = ?1 AND e.seq = ?2");
    conn.prepare_cached(&sql)?
        .query_row(params![room.to_string(), seq], event_at)
        .optional()?
        .ok_or(StoreError::NotFound)
}

fn session_at(row: &Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        info: SessionInfo {
            id: uuid_at(row, 0)?,
            device_name: row.get(2)?,
            ip: row.get(3)?,
            user_agent: row.get(4)?,
            created_at: ts_at(row, 5)?,
            last_seen_at: ts_at(row, 6)?,
            current: false,
        },
        user_id: uuid_at(row, 1)?,
        revoked: row.get::<_, Option<i64>>(7)?.is_some(),
    })
}

const SESSION_COLS: &str =
    "id, user_id, device_name, ip, user_agent, created_at, last_seen_at, revoked_at";

fn member_at(row: &Row<'_>) -> rusqlite::Result<RoomMember> {
    Ok(RoomMember {
        user: user_at(row, 0)?,
        role: enum_at(row, 9)?,
        state: enum_at(row, 10)?,
        joined_at: ts_at(row, 11)?,
        left_at: opt_ts_at(row, 12)?,
        last_read_seq: row.get(13)?,
    })
}

fn room_members_in(conn: &Connection, room: RoomId) -> StoreResult<Vec<RoomMember>> {
    let sql = format!(
        "SELECT {USER_COLS}, m.role, m.state, m.joined_at, m.left_at, m.last_read_seq
         FROM room_members m JOIN users u ON u.id = m.user_id
         WHERE m.room_id = ?1 AND m.state IN ('joined', 'invited')
         ORDER BY m.joined_at, u.username"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([room.to_string()], member_at)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------
// Txn ids
//
// A retried write names the txn id of its first attempt and is answered
// with the event that attempt appended. The pairs live in `event_txns`,
// which the writer fills from `events` in bulk (every row past the events
// rowid `server_meta.event_txns_upto`), not one insert per append: an index
// keyed by sender took one page per sender per commit. Pairs appended since
// the last bulk pass are kept in memory, by the writer.

/// Pairs appended since the last bulk pass, at most this many.
const TXNS_FLUSH_AT: usize = 4096;

/// The writer's txn ids not yet in `event_txns` for certain.
#[derive(Default)]
struct PendingTxns {
    /// (sender, txn id) -> (room, seq, events rowid).
    map: HashMap<(UserId, String), (RoomId, Seq, i64)>,
    /// `event_txns` holds every txn id of events up to this rowid.
    upto: i64,
    /// Appended since the last bulk pass.
    since_flush: usize,
}

fn txns_upto(conn: &Connection) -> StoreResult<i64> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM server_meta WHERE key = 'event_txns_upto'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Adds the txn ids of every event past `upto` to `event_txns` and moves
/// the mark. Pairs stay in memory until the pass after the one that wrote
/// them, so a reader that missed one in memory finds it in the table.
fn flush_txns(conn: &Connection, p: &mut PendingTxns) -> StoreResult<()> {
    let top: i64 = conn
        .prepare_cached("SELECT coalesce(max(rowid), 0) FROM events")?
        .query_row([], |r| r.get(0))?;
    // From the committed mark, not the one in memory: should the pass
    // before have been rolled back with its batch, this one redoes it.
    let from = txns_upto(conn)?;
    if top > from {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO event_txns (sender_id, txn_id, room_id, seq)
             SELECT sender_id, txn_id, room_id, seq FROM events
             WHERE rowid > ?1 AND rowid <= ?2 AND txn_id IS NOT NULL",
        )?
        .execute([from, top])?;
        conn.prepare_cached(
            "INSERT INTO server_meta (key, value) VALUES ('event_txns_upto', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?
        .execute([top.to_string()])?;
    }
    let before = p.upto;
    p.map.retain(|_, &mut (_, _, rowid)| rowid > before);
    p.upto = top;
    p.since_flush = 0;
    Ok(())
}

/// The event a sender appended under `txn`, if any.
fn event_by_txn_in(
    conn: &Connection,
    pending: &Mutex<PendingTxns>,
    sender: UserId,
    txn: &str,
) -> StoreResult<Option<Event>> {
    // Memory first: a pair leaves it only a pass after reaching the table.
    let held = pending
        .lock()
        .map_err(|_| StoreError::Io("txn ids poisoned".into()))?
        .map
        .get(&(sender, txn.to_owned()))
        .map(|&(room, seq, _)| (room.to_string(), seq));
    let at = match held {
        Some(at) => Some(at),
        None => conn
            .prepare_cached(
                "SELECT room_id, seq FROM event_txns WHERE sender_id = ?1 AND txn_id = ?2",
            )?
            .query_row([sender.to_string(), txn.to_owned()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Seq>(1)?))
            })
            .optional()?,
    };
    let Some((room, seq)) = at else {
        return Ok(None);
    };
    let sql = format!("SELECT {EVENT_COLS} FROM events e WHERE e.room_id = ?1 AND e.seq = ?2");
    let event = conn
        .prepare_cached(&sql)?
        .query_row(params![room, seq], event_at)
        .optional()?;
    // A pair in memory may be from a write that was rolled back, or not
    // committed yet as seen from a reader.
    Ok(event.filter(|e| e.sender_id == sender && e.txn_id.as_deref() == Some(txn)))
}

// ---------------------------------------------------------------------------
// Writes inside the writer's transaction

/// Appends an event with the room's next seq and keeps the projection true.
fn append_in(
    ctx: &mut WriteCtx<'_>,
    room_id: RoomId,
    sender: UserId,
    content: EventContent,
    txn_id: Option<&str>,
) -> StoreResult<Event> {
    append_at(ctx, room_id, sender, content, txn_id).map(|(e, _)| e)
}

/// [`append_in`], also answering the event's rowid.
fn append_at(
    ctx: &mut WriteCtx<'_>,
    room_id: RoomId,
    sender: UserId,
    content: EventContent,
    txn_id: Option<&str>,
) -> StoreResult<(Event, i64)> {
    let conn = ctx.conn;
    let now = now_ms();
    let room_key = room_id.to_string();
    let is_message = matches!(content, EventContent::Message(_));
    let seq: Seq = conn
        .prepare_cached(
            "UPDATE rooms SET last_seq = last_seq + 1,
                 last_message_at = CASE WHEN ?2 THEN ?3 ELSE last_message_at END
             WHERE id = ?1 RETURNING last_seq",
        )?
        .query_row(params![room_key, is_message, now], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let id = Uuid::now_v7();
    let encoded = encode_content(&content).map_err(json_err)?;
    conn.prepare_cached(
        "INSERT INTO events (room_id, seq, id, sender_id, type, content, txn_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        room_key,
        seq,
        id.to_string(),
        sender.to_string(),
        content.type_name(),
        encoded,
        txn_id,
        now
    ])?;
    let rowid = conn.last_insert_rowid();
    project(conn, room_id, seq, id, sender, &content, now)?;
    let event = Event {
        id,
        room_id,
        seq,
        sender_id: sender,
        content,
        txn_id: txn_id.map(str::to_owned),
        created_at: ms_ts(now),
    };
    ctx.events.push(event.clone());
    Ok((event, rowid))
}

/// Updates the `messages` projection for one new event.
fn project(
    conn: &Connection,
    room_id: RoomId,
    seq: Seq,
    id: EventId,
    sender: UserId,
    content: &EventContent,
    now: i64,
) -> StoreResult<()> {
    let room_key = room_id.to_string();
    match content {
        EventContent::Message(m) => {
            let attachments = serde_json::to_string(&m.attachments).map_err(json_err)?;
            conn.prepare_cached(
                "INSERT INTO messages (id, room_id, seq, sender_id, kind, body, reply_to,
                     thread_root, attachments, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                id.to_string(),
                room_key,
                seq,
                sender.to_string(),
                message_kind_sql(m.kind),
                m.body,
                m.reply_to.map(|u| u.to_string()),
                m.thread_root.map(|u| u.to_string()),
                attachments,
                now
            ])?;
            if let Some(root) = m.thread_root {
                conn.prepare_cached(
                    "UPDATE messages SET thread_count = thread_count + 1 WHERE id = ?1",
                )?
                .execute([root.to_string()])?;
            }
            insert_mentions(conn, &room_key, seq, &m.mentions)?;
            for file in &m.attachments {
                conn.prepare_cached(
                    "INSERT OR IGNORE INTO message_files (file_id, message_id, room_id)
                     VALUES (?1, ?2, ?3)",
                )?
                .execute(params![file.to_string(), id.to_string(), room_key])?;
            }
        }
        EventContent::Edit(e) => {
            conn.prepare_cached("UPDATE messages SET body = ?2, edited_at = ?3 WHERE id = ?1")?
                .execute(params![e.target.to_string(), e.body, now])?;
            insert_mentions(conn, &room_key, seq, &e.mentions)?;
        }
        EventContent::Delete(d) => {
            conn.prepare_cached(
                "UPDATE messages SET deleted_at = ?2, deleted_seq = ?3 WHERE id = ?1",
            )?
            .execute(params![d.target.to_string(), now, seq])?;
            let secret: bool = conn
                .prepare_cached("SELECT secret FROM rooms WHERE id = ?1")?
                .query_row([&room_key], |r| r.get(0))?;
            if secret {
                erase(conn, &room_key, d.target)?;
            }
        }
        EventContent::Reaction(_)
        | EventContent::Member(_)
        | EventContent::Room(_)
        | EventContent::Call(_) => {}
    }
    Ok(())
}

fn insert_mentions(conn: &Connection, room_key: &str, seq: Seq, who: &[UserId]) -> StoreResult<()> {
    for user in who {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO mentions (user_id, room_id, seq) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![user.to_string(), room_key, seq])?;
    }
    Ok(())
}

/// Erases a message and its edits from the projection and the log, and
/// removes its files (their blobs go when nothing else references them).
fn erase(conn: &Connection, room_key: &str, target: EventId) -> StoreResult<()> {
    let key = target.to_string();
    conn.prepare_cached(
        "DELETE FROM files WHERE id IN (SELECT file_id FROM message_files WHERE message_id = ?1)",
    )?
    .execute([&key])?;
    conn.prepare_cached("DELETE FROM message_files WHERE message_id = ?1")?
        .execute([&key])?;
    conn.prepare_cached("UPDATE messages SET body = '', attachments = '[]' WHERE id = ?1")?
        .execute([&key])?;
    let row: Option<String> = conn
        .prepare_cached("SELECT content FROM events WHERE id = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?;
    if let Some(json) = row {
        let mut m: MessageContent = serde_json::from_str(&json).map_err(json_err)?;
        m.body.clear();
        m.attachments.clear();
        m.mentions.clear();
        m.erased = true;
        conn.prepare_cached("UPDATE events SET content = ?2 WHERE id = ?1")?
            .execute(params![key, serde_json::to_string(&m).map_err(json_err)?])?;
    }
    conn.prepare_cached(
        "UPDATE events SET content = json_set(json_remove(content, '$.mentions'), '$.body', '')
         WHERE room_id = ?1 AND type = 'edit' AND json_extract(content, '$.target') = ?2",
    )?
    .execute(params![room_key, key])?;
    Ok(())
}

fn message_kind_sql(k: tern_protocol::MessageKind) -> &'static str {
    use tern_protocol::MessageKind as K;
    match k {
        K::Text => "text",
        K::Image => "image",
        K::Video => "video",
        K::Audio => "audio",
        K::File => "file",
        K::System => "system",
    }
}

fn member_record(conn: &Connection, room: &str, user: &str) -> StoreResult<Option<MemberRecord>> {
    Ok(conn
        .prepare_cached("SELECT role, state FROM room_members WHERE room_id = ?1 AND user_id = ?2")?
        .query_row([room, user], |r| {
            Ok(MemberRecord {
                role: enum_at(r, 0)?,
                state: enum_at(r, 1)?,
            })
        })
        .optional()?)
}

/// Applies a membership change in the writer; appends the member event.
fn set_membership_in(
    ctx: &mut WriteCtx<'_>,
    actor: UserId,
    change: MembershipChange,
) -> StoreResult<Option<Event>> {
    let conn = ctx.conn;
    let room = change.room_id.to_string();
    let user = change.target.to_string();
    let now = now_ms();
    let current = member_record(conn, &room, &user)?;
    let role = change
        .role
        .or(current.map(|c| c.role))
        .unwrap_or(RoomRole::Member);
    if let Some(c) = current
        && c.state == change.state
        && c.role == role
    {
        return Ok(None);
    }
    if current.is_none() && change.state == MemberState::Left {
        return Ok(None);
    }
    let was_joined = current.map(|c| c.state) == Some(MemberState::Joined);
    match current {
        None => {
            conn.prepare_cached(
                // The notification level a membership starts with: every
                // message in a direct room (all of them are addressed to
                // the member), mentions elsewhere. Leaving and coming back
                // keeps the member's choice (the row stays).
                "INSERT INTO room_members (room_id, user_id, role, state, joined_at, notify)
                 VALUES (?1, ?2, ?3, ?4, ?5,
                     (SELECT CASE kind WHEN 'direct' THEN 'all' ELSE 'mentions' END
                      FROM rooms WHERE id = ?1))",
            )?
            .execute(params![
                room,
                user,
                role.as_sql(),
                change.state.as_sql(),
                now
            ])?;
        }
        Some(_) => {
            let joining = change.state == MemberState::Joined && !was_joined;
            let leaving = matches!(change.state, MemberState::Left | MemberState::Banned);
            conn.prepare_cached(
                "UPDATE room_members SET role = ?3, state = ?4,
                     joined_at = CASE WHEN ?5 THEN ?7 ELSE joined_at END,
                     left_at = CASE WHEN ?6 THEN ?7 WHEN ?5 THEN NULL ELSE left_at END
                 WHERE room_id = ?1 AND user_id = ?2",
            )?
            .execute(params![
                room,
                user,
                role.as_sql(),
                change.state.as_sql(),
                joining,
                leaving,
                now
            ])?;
        }
    }
    conn.prepare_cached(
        "UPDATE rooms SET member_count =
             (SELECT count(*) FROM room_members WHERE room_id = ?1 AND state = 'joined')
         WHERE id = ?1",
    )?
    .execute([&room])?;
    let event = append_in(
        ctx,
        change.room_id,
        actor,
        EventContent::Member(MemberContent {
            user_id: change.target,
            state: change.state,
            role,
        }),
        None,
    )?;
    ctx.conn
        .prepare_cached(
            "UPDATE room_members SET member_seq = ?3 WHERE room_id = ?1 AND user_id = ?2",
        )?
        .execute(params![room, user, event.seq])?;
    Ok(Some(event))
}

fn workspace_role_in(
    conn: &Connection,
    ws: &str,
    user: &str,
) -> StoreResult<Option<WorkspaceRole>> {
    Ok(conn
        .prepare_cached(
            "SELECT role FROM workspace_members WHERE workspace_id = ?1 AND user_id = ?2",
        )?
        .query_row([ws, user], |r| enum_at(r, 0))
        .optional()?)
}

fn owner_count(conn: &Connection, ws: &str) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM workspace_members WHERE workspace_id = ?1 AND role = 'owner'",
        )?
        .query_row([ws], |r| r.get(0))?)
}

fn insert_room(conn: &Connection, id: RoomId, r: &NewRoom, now: i64) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO rooms (id, workspace_id, kind, visibility, name, topic, created_by,
             read_only, secret, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        id.to_string(),
        r.workspace_id.to_string(),
        r.kind.as_sql(),
        r.visibility.as_sql(),
        r.name,
        r.topic,
        r.created_by.to_string(),
        r.read_only,
        r.secret,
        now
    ])?;
    Ok(())
}

fn create_room_in(ctx: &mut WriteCtx<'_>, r: &NewRoom) -> StoreResult<RoomId> {
    let id = Uuid::now_v7();
    let ws = r.workspace_id.to_string();
    // The creator was checked by the caller (server admins may create rooms
    // in workspaces they are not in); initial members must belong.
    for m in &r.members {
        if workspace_role_in(ctx.conn, &ws, &m.to_string())?.is_none() {
            return Err(StoreError::Invalid(format!(
                "user {m} is not a member of this workspace"
            )));
        }
    }
    insert_room(ctx.conn, id, r, now_ms())?;
    append_in(
        ctx,
        id,
        r.created_by,
        EventContent::Room(RoomContent {
            created: true,
            name: r.name.clone(),
            topic: r.topic.clone(),
            visibility: Some(r.visibility),
            read_only: Some(r.read_only),
            archived: Some(false),
            avatar_file_id: None,
        }),
        None,
    )?;
    let owner_role = if r.kind == RoomKind::Direct {
        RoomRole::Member
    } else {
        RoomRole::Owner
    };
    set_membership_in(
        ctx,
        r.created_by,
        MembershipChange {
            room_id: id,
            target: r.created_by,
            state: MemberState::Joined,
            role: Some(owner_role),
        },
    )?;
    let unique: BTreeSet<UserId> = r
        .members
        .iter()
        .copied()
        .filter(|m| *m != r.created_by)
        .collect();
    for m in unique {
        set_membership_in(
            ctx,
            r.created_by,
            MembershipChange {
                room_id: id,
                target: m,
                state: MemberState::Joined,
                role: Some(RoomRole::Member),
            },
        )?;
    }
    Ok(id)
}

fn message_in(c: &Connection, id: EventId) -> StoreResult<Option<MessageRecord>> {
    let row = c
        .prepare_cached(
            "SELECT m.room_id, m.seq, m.sender_id, m.deleted_at IS NOT NULL, e.content
             FROM messages m JOIN events e ON e.id = m.id WHERE m.id = ?1",
        )?
        .query_row([id.to_string()], |r| {
            Ok((
                uuid_at(r, 0)?,
                r.get::<_, Seq>(1)?,
                uuid_at(r, 2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .optional()?;
    let Some((room_id, seq, sender_id, deleted, content)) = row else {
        return Ok(None);
    };
    let content: MessageContent = serde_json::from_str(&content).map_err(json_err)?;
    Ok(Some(MessageRecord {
        id,
        room_id,
        seq,
        sender_id,
        deleted,
        content,
    }))
}

// ---------------------------------------------------------------------------
// Reads

fn sync_in(conn: &Connection, user: UserId, req: &SyncRequest) -> StoreResult<SyncResponse> {
    let limit = i64::from(
        req.timeline_limit
            .unwrap_or(limits::TIMELINE_LIMIT_DEFAULT)
            .clamp(1, limits::TIMELINE_LIMIT_MAX),
    );
    let me = user.to_string();
    let mut mine: Vec<(RoomId, Membership)> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT room_id, role, state, muted, notify, last_read_seq FROM room_members
             WHERE user_id = ?1 AND state IN ('joined', 'invited')",
        )?;
        let rows = stmt.query_map([&me], |r| {
            Ok((
                uuid_at(r, 0)?,
                Membership {
                    role: enum_at(r, 1)?,
                    state: enum_at(r, 2)?,
                    muted: r.get(3)?,
                    notify: enum_at(r, 4)?,
                    last_read_seq: r.get(5)?,
                },
            ))
        })?;
        for row in rows {
            mine.push(row?);
        }
    }
    let mut rooms = BTreeMap::new();
    for (room_id, membership) in mine {
        let Some(room) = load_room(conn, room_id)? else {
            continue;
        };
        let key = room_id.to_string();
        let since = req.rooms.get(&room_id).copied();
        let known = since.unwrap_or(0).max(0);
        let joined = membership.state == MemberState::Joined;
        let (events, limited) = if !joined || known >= room.last_seq {
            (Vec::new(), false)
        } else if room.last_seq - known > limit {
            let sql = format!(
                "SELECT {EVENT_COLS} FROM events e WHERE e.room_id = ?1 AND e.seq > ?2 ORDER BY e.seq"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let evs = stmt
                .query_map(params![key, room.last_seq - limit], event_at)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            (evs, true)
        } else {
            let sql = format!(
                "SELECT {EVENT_COLS} FROM events e WHERE e.room_id = ?1 AND e.seq > ?2 ORDER BY e.seq"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let evs = stmt
                .query_map(params![key, known], event_at)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            (evs, false)
        };
        let members_changed: i64 = conn
            .prepare_cached(
                "SELECT coalesce(max(member_seq), 0) FROM room_members WHERE room_id = ?1",
            )?
            .query_row([&key], |r| r.get(0))?;
        let members = if since.is_none() || limited || members_changed > known {
            Some(room_members_in(conn, room_id)?)
        } else {
            None
        };
        let (unread_count, mention_count) = if joined {
            let unread: u32 = conn
                .prepare_cached(
                    "SELECT count(*) FROM messages WHERE room_id = ?1 AND seq > ?2
                     AND sender_id != ?3 AND deleted_at IS NULL",
                )?
                .query_row(params![key, membership.last_read_seq, me], |r| r.get(0))?;
            let mentions: u32 = conn
                .prepare_cached(
                    "SELECT count(*) FROM mentions WHERE user_id = ?1 AND room_id = ?2 AND seq > ?3",
                )?
                .query_row(params![me, key, membership.last_read_seq], |r| r.get(0))?;
            (unread, mentions)
        } else {
            (0, 0)
        };
        rooms.insert(
            room_id,
            RoomSync {
                room,
                membership,
                unread_count,
                mention_count,
                members,
                events,
                limited,
            },
        );
    }
    let left = req
        .rooms
        .keys()
        .filter(|id| !rooms.contains_key(*id))
        .copied()
        .collect();
    Ok(SyncResponse {
        rooms,
        left,
        server_time: time::OffsetDateTime::now_utc(),
    })
}

fn directory_in(
    conn: &Connection,
    ws: WorkspaceId,
    viewer: UserId,
    all: bool,
) -> StoreResult<Vec<DirectoryRoom>> {
    let sql = format!(
        "SELECT {ROOM_COLS}, m.state FROM rooms r
         LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = ?2
         WHERE r.workspace_id = ?1 AND r.kind != 'direct'
           AND (?3 OR r.visibility != 'hidden' OR m.state IN ('joined', 'invited'))
         ORDER BY r.name COLLATE NOCASE, r.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![ws.to_string(), viewer.to_string(), all], |r| {
        let room = room_at(r, 0)?;
        let state: Option<String> = r.get(15)?;
        Ok((room, state.and_then(|s| MemberState::from_sql(&s))))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (room, membership) = row?;
        let inside = matches!(
            membership,
            Some(MemberState::Joined) | Some(MemberState::Invited)
        );
        let show_topic = all || inside || room.visibility == Visibility::Public;
        out.push(DirectoryRoom {
            id: room.id,
            workspace_id: room.workspace_id,
            kind: room.kind,
            visibility: room.visibility,
            name: room.name,
            topic: if show_topic { room.topic } else { None },
            member_count: room.member_count,
            archived: room.archived,
            membership,
        });
    }
    Ok(out)
}

fn workspace_members_in(conn: &Connection, ws: WorkspaceId) -> StoreResult<Vec<WorkspaceMember>> {
    let sql = format!(
        "SELECT {USER_COLS}, m.role, m.joined_at FROM workspace_members m
         JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ?1 ORDER BY u.username"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([ws.to_string()], |r| {
        Ok(WorkspaceMember {
            user: user_at(r, 0)?,
            role: enum_at(r, 9)?,
            joined_at: ts_at(r, 10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.db
            .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .await
            .map(|_| ())
    }

    async fn server_flag(&self, key: &str) -> StoreResult<Option<String>> {
        let key = key.to_owned();
        self.db
            .read(move |c| {
                Ok(
                    c.prepare_cached("SELECT value FROM server_meta WHERE key = ?1")?
                        .query_row([key], |r| r.get(0))
                        .optional()?,
                )
            })
            .await
    }

    async fn set_server_flag(&self, key: &str, value: &str) -> StoreResult<()> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.db
            .write(move |ctx| {
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO server_meta (key, value) VALUES (?1, ?2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )?
                    .execute([key, value])?;
                Ok(())
            })
            .await
    }

    async fn create_user(&self, u: NewUser) -> StoreResult<UserRecord> {
        self.db
            .write(move |ctx| {
                let id = Uuid::now_v7();
                let res = ctx
                    .conn
                    .prepare_cached(
                        "INSERT INTO users (id, username, email, password_hash, display_name,
                             kind, server_role, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )?
                    .execute(params![
                        id.to_string(),
                        u.username,
                        u.email,
                        u.password_hash,
                        u.display_name,
                        u.kind.as_sql(),
                        u.server_role.as_sql(),
                        now_ms()
                    ]);
                if let Err(e) = res {
                    return Err(match unique_violation(&e) {
                        Some(m) if m.contains("users.username") => StoreError::UsernameTaken,
                        Some(m) if m.contains("users.email") => StoreError::EmailTaken,
                        _ => e.into(),
                    });
                }
                user_record(ctx.conn, "u.id = ?1", &id.to_string())?.ok_or(StoreError::NotFound)
            })
            .await
    }

    async fn user_by_login(&self, login: &str) -> StoreResult<Option<UserRecord>> {
        let login = login.to_owned();
        self.db
            .read(move |c| {
                if login.contains('@') {
                    user_record(c, "u.email = ?1", &login)
                } else {
                    user_record(c, "u.username = ?1", &login)
                }
            })
            .await
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        self.db
            .read(move |c| user_record(c, "u.id = ?1", &id.to_string()))
            .await
    }

    async fn update_user(
        &self,
        id: UserId,
        display_name: Option<String>,
        password_hash: Option<String>,
    ) -> StoreResult<UserRecord> {
        self.db
            .write(move |ctx| {
                let key = id.to_string();
                ctx.conn
                    .prepare_cached(
                        "UPDATE users SET display_name = coalesce(?2, display_name),
                             password_hash = coalesce(?3, password_hash)
                         WHERE id = ?1",
                    )?
                    .execute(params![key, display_name, password_hash])?;
                user_record(ctx.conn, "u.id = ?1", &key)?.ok_or(StoreError::NotFound)
            })
            .await
    }

    async fn set_server_role(&self, id: UserId, role: ServerRole) -> StoreResult<()> {
        self.db
            .write(move |ctx| {
                let n = ctx
                    .conn
                    .prepare_cached("UPDATE users SET server_role = ?2 WHERE id = ?1")?
                    .execute(params![id.to_string(), role.as_sql()])?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }

    async fn set_user_active(&self, id: UserId, active: bool) -> StoreResult<Vec<SessionId>> {
        self.db
            .write(move |ctx| {
                let key = id.to_string();
                let n = ctx
                    .conn
                    .prepare_cached("UPDATE users SET active = ?2 WHERE id = ?1")?
                    .execute(params![key, active])?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                if active {
                    return Ok(Vec::new());
                }
                let mut stmt = ctx.conn.prepare_cached(
                    "UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL
                     RETURNING id",
                )?;
                let ids = stmt
                    .query_map(params![key, now_ms()], |r| uuid_at(r, 0))?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(ids)
            })
            .await
    }

    async fn search_users(
        &self,
        viewer: Option<UserId>,
        query: &str,
        limit: u32,
    ) -> StoreResult<Vec<User>> {
        let pattern = format!(
            "{}%",
            query
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        self.db
            .read(move |c| {
                let sql = format!(
                    "SELECT {USER_COLS} FROM users u
                     WHERE (lower(u.username) LIKE ?1 ESCAPE '\\'
                            OR lower(u.display_name) LIKE ?1 ESCAPE '\\')
                       AND (?2 IS NULL OR u.id = ?2 OR EXISTS (
                            SELECT 1 FROM workspace_members a
                            JOIN workspace_members b ON a.workspace_id = b.workspace_id
                            WHERE a.user_id = ?2 AND b.user_id = u.id))
                     ORDER BY u.username LIMIT ?3"
                );
                let mut stmt = c.prepare_cached(&sql)?;
                let rows = stmt.query_map(
                    params![pattern, viewer.map(|v| v.to_string()), limit],
                    |r| user_at(r, 0),
                )?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn create_session(&self, s: NewSession) -> StoreResult<()> {
        self.db
            .write(move |ctx| {
                let now = now_ms();
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO sessions (id, user_id, device_name, ip, user_agent,
                             created_at, last_seen_at, refresh_hash, refresh_family)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?1)",
                    )?
                    .execute(params![
                        s.id.to_string(),
                        s.user_id.to_string(),
                        s.device_name,
                        s.ip,
                        s.user_agent,
                        now,
                        s.refresh_hash
                    ])?;
                ctx.conn
                    .prepare_cached("UPDATE users SET last_seen_at = ?2 WHERE id = ?1")?
                    .execute(params![s.user_id.to_string(), now])?;
                Ok(())
            })
            .await
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<SessionRecord>> {
        self.db
            .read(move |c| {
                let sql = format!("SELECT {SESSION_COLS} FROM sessions WHERE id = ?1");
                Ok(c.prepare_cached(&sql)?
                    .query_row([id.to_string()], session_at)
                    .optional()?)
            })
            .await
    }

    async fn lookup_refresh(&self, hash: &str) -> StoreResult<RefreshLookup> {
        let hash = hash.to_owned();
        // Read through the writer so that a rotation that just committed is
        // always seen: refresh races are exactly what this must judge.
        self.db
            .write(move |ctx| {
                let c = ctx.conn;
                let sql = format!("SELECT {SESSION_COLS} FROM sessions WHERE refresh_hash = ?1");
                if let Some(s) = c
                    .prepare_cached(&sql)?
                    .query_row([&hash], session_at)
                    .optional()?
                {
                    return Ok(RefreshLookup::Current(s));
                }
                let sql = format!(
                    "SELECT {SESSION_COLS}, rotated_at FROM sessions WHERE previous_hash = ?1"
                );
                if let Some((s, rotated)) = c
                    .prepare_cached(&sql)?
                    .query_row([&hash], |r| {
                        Ok((session_at(r)?, r.get::<_, Option<i64>>(8)?))
                    })
                    .optional()?
                {
                    return Ok(RefreshLookup::Previous {
                        session: s,
                        rotated_ms_ago: now_ms() - rotated.unwrap_or(0),
                    });
                }
                let used: Option<String> = c
                    .prepare_cached("SELECT session_id FROM refresh_used WHERE hash = ?1")?
                    .query_row([&hash], |r| r.get(0))
                    .optional()?;
                Ok(match used.and_then(|s| Uuid::parse_str(&s).ok()) {
                    Some(id) => RefreshLookup::Replayed(id),
                    None => RefreshLookup::Unknown,
                })
            })
            .await
    }

    async fn rotate_refresh(
        &self,
        id: SessionId,
        expected: &str,
        new_hash: &str,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> StoreResult<bool> {
        let (expected, new_hash) = (expected.to_owned(), new_hash.to_owned());
        self.db
            .write(move |ctx| {
                let c = ctx.conn;
                let key = id.to_string();
                let now = now_ms();
                let current: Option<(String, Option<String>)> = c
                    .prepare_cached(
                        "SELECT refresh_hash, previous_hash FROM sessions
                         WHERE id = ?1 AND revoked_at IS NULL",
                    )?
                    .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let Some((current, previous)) = current else {
                    return Ok(false);
                };
                let keep_previous = if current == expected {
                    // A normal rotation: the current token becomes the previous.
                    if let Some(p) = previous {
                        c.prepare_cached(
                            "INSERT OR IGNORE INTO refresh_used (hash, session_id, used_at)
                             VALUES (?1, ?2, ?3)",
                        )?
                        .execute(params![p, key, now])?;
                    }
                    current
                } else if previous.as_deref() == Some(expected.as_str()) {
                    // The grace retry: the answer to the last rotation was
                    // lost. The token it carried was never seen by the client.
                    c.prepare_cached(
                        "INSERT OR IGNORE INTO refresh_used (hash, session_id, used_at)
                         VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![current, key, now])?;
                    expected
                } else {
                    return Ok(false);
                };
                c.prepare_cached(
                    "UPDATE sessions SET refresh_hash = ?2, previous_hash = ?3, rotated_at = ?4,
                         last_seen_at = ?4, ip = coalesce(?5, ip), user_agent = coalesce(?6, user_agent)
                     WHERE id = ?1",
                )?
                .execute(params![key, new_hash, keep_previous, now, ip, user_agent])?;
                Ok(true)
            })
            .await
    }

    async fn revoke_session(&self, id: SessionId, user: Option<UserId>) -> StoreResult<bool> {
        self.db
            .write(move |ctx| {
                let n = ctx
                    .conn
                    .prepare_cached(
                        "UPDATE sessions SET revoked_at = ?3
                         WHERE id = ?1 AND (?2 IS NULL OR user_id = ?2) AND revoked_at IS NULL",
                    )?
                    .execute(params![
                        id.to_string(),
                        user.map(|u| u.to_string()),
                        now_ms()
                    ])?;
                Ok(n == 1)
            })
            .await
    }

    async fn list_sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        self.db
            .read(move |c| {
                let sql = format!(
                    "SELECT {SESSION_COLS} FROM sessions WHERE user_id = ?1 AND revoked_at IS NULL
                     ORDER BY last_seen_at DESC"
                );
                let mut stmt = c.prepare_cached(&sql)?;
                let rows = stmt.query_map([user.to_string()], session_at)?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn touch_session(&self, id: SessionId, ip: Option<String>) -> StoreResult<()> {
        self.db
            .write(move |ctx| {
                let now = now_ms();
                let user: Option<String> = ctx
                    .conn
                    .prepare_cached(
                        "UPDATE sessions SET last_seen_at = ?2, ip = coalesce(?3, ip)
                         WHERE id = ?1 RETURNING user_id",
                    )?
                    .query_row(params![id.to_string(), now, ip], |r| r.get(0))
                    .optional()?;
                if let Some(user) = user {
                    ctx.conn
                        .prepare_cached("UPDATE users SET last_seen_at = ?2 WHERE id = ?1")?
                        .execute(params![user, now])?;
                }
                Ok(())
            })
            .await
    }

    async fn revoked_sessions_since(&self, since: Timestamp) -> StoreResult<Vec<SessionId>> {
        let since = ts_ms(since);
        self.db
            .read(move |c| {
                let mut stmt =
                    c.prepare_cached("SELECT id FROM sessions WHERE revoked_at >= ?1")?;
                let rows = stmt.query_map([since], |r| uuid_at(r, 0))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn create_workspace(
        &self,
        owner: UserId,
        slug: &str,
        name: &str,
        kind: WorkspaceKind,
        settings: serde_json::Value,
    ) -> StoreResult<Workspace> {
        let (slug, name) = (slug.to_owned(), name.to_owned());
        self.db
            .write(move |ctx| {
                let id = Uuid::now_v7();
                let now = now_ms();
                let settings_json = serde_json::to_string(&settings).map_err(json_err)?;
                let res = ctx
                    .conn
                    .prepare_cached(
                        "INSERT INTO workspaces (id, slug, name, kind, settings, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        id.to_string(),
                        slug,
                        name,
                        kind.as_sql(),
                        settings_json,
                        now
                    ]);
                if let Err(e) = res {
                    return Err(match unique_violation(&e) {
                        Some(m) if m.contains("workspaces.slug") => StoreError::SlugTaken,
                        _ => e.into(),
                    });
                }
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO workspace_members (workspace_id, user_id, role, joined_at)
                         VALUES (?1, ?2, 'owner', ?3)",
                    )?
                    .execute(params![id.to_string(), owner.to_string(), now])?;
                Ok(Workspace {
                    id,
                    slug,
                    name,
                    kind,
                    settings,
                    active: true,
                    created_at: ms_ts(now),
                    role: Some(WorkspaceRole::Owner),
                })
            })
            .await
    }

    async fn workspace(&self, id: WorkspaceId, viewer: UserId) -> StoreResult<Option<Workspace>> {
        self.db
            .read(move |c| {
                let sql = format!(
                    "SELECT {WS_COLS}, m.role FROM workspaces w
                     LEFT JOIN workspace_members m ON m.workspace_id = w.id AND m.user_id = ?2
                     WHERE w.id = ?1"
                );
                Ok(c.prepare_cached(&sql)?
                    .query_row([id.to_string(), viewer.to_string()], |r| {
                        workspace_at(r, Some(7))
                    })
                    .optional()?)
            })
            .await
    }

    async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>> {
        let slug = slug.to_owned();
        self.db
            .read(move |c| {
                let sql = format!("SELECT {WS_COLS} FROM workspaces w WHERE w.slug = ?1");
                Ok(c.prepare_cached(&sql)?
                    .query_row([slug], |r| workspace_at(r, None))
                    .optional()?)
            })
            .await
    }

    async fn list_workspaces(&self, viewer: UserId, all: bool) -> StoreResult<Vec<Workspace>> {
        self.db
            .read(move |c| {
                let sql = format!(
                    "SELECT {WS_COLS}, m.role FROM workspaces w
                     LEFT JOIN workspace_members m ON m.workspace_id = w.id AND m.user_id = ?1
                     WHERE ?2 OR m.role IS NOT NULL ORDER BY w.slug"
                );
                let mut stmt = c.prepare_cached(&sql)?;
                let rows = stmt.query_map(params![viewer.to_string(), all], |r| {
                    workspace_at(r, Some(7))
                })?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn update_workspace(
        &self,
        id: WorkspaceId,
        name: Option<String>,
        settings: Option<serde_json::Value>,
    ) -> StoreResult<()> {
        self.db
            .write(move |ctx| {
                let settings = settings
                    .map(|s| serde_json::to_string(&s))
                    .transpose()
                    .map_err(json_err)?;
                let n = ctx
                    .conn
                    .prepare_cached(
                        "UPDATE workspaces SET name = coalesce(?2, name),
                             settings = coalesce(?3, settings) WHERE id = ?1",
                    )?
                    .execute(params![id.to_string(), name, settings])?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }

    async fn workspace_role(
        &self,
        ws: WorkspaceId,
        user: UserId,
    ) -> StoreResult<Option<WorkspaceRole>> {
        self.db
            .read(move |c| workspace_role_in(c, &ws.to_string(), &user.to_string()))
            .await
    }

    async fn workspace_members(&self, ws: WorkspaceId) -> StoreResult<Vec<WorkspaceMember>> {
        self.db.read(move |c| workspace_members_in(c, ws)).await
    }

    async fn set_workspace_member(
        &self,
        ws: WorkspaceId,
        user: UserId,
        role: WorkspaceRole,
    ) -> StoreResult<()> {
        self.db
            .write(move |ctx| {
                let (w, u) = (ws.to_string(), user.to_string());
                let current = workspace_role_in(ctx.conn, &w, &u)?;
                if current == Some(WorkspaceRole::Owner)
                    && role != WorkspaceRole::Owner
                    && owner_count(ctx.conn, &w)? <= 1
                {
                    return Err(StoreError::LastOwner);
                }
                let exists: bool = ctx
                    .conn
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)")?
                    .query_row([&u], |r| r.get(0))?;
                if !exists {
                    return Err(StoreError::NotFound);
                }
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO workspace_members (workspace_id, user_id, role, joined_at)
                         VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
                    )?
                    .execute(params![w, u, role.as_sql(), now_ms()])?;
                Ok(())
            })
            .await
    }

    async fn remove_workspace_member(&self, ws: WorkspaceId, user: UserId) -> StoreResult<()> {
        self.db
            .write(move |ctx| {
                let (w, u) = (ws.to_string(), user.to_string());
                match workspace_role_in(ctx.conn, &w, &u)? {
                    None => return Err(StoreError::NotFound),
                    Some(WorkspaceRole::Owner) if owner_count(ctx.conn, &w)? <= 1 => {
                        return Err(StoreError::LastOwner);
                    }
                    Some(_) => {}
                }
                ctx.conn
                    .prepare_cached(
                        "DELETE FROM workspace_members WHERE workspace_id = ?1 AND user_id = ?2",
                    )?
                    .execute([&w, &u])?;
                let rooms: Vec<RoomId> = {
                    let mut stmt = ctx.conn.prepare_cached(
                        "SELECT m.room_id FROM room_members m JOIN rooms r ON r.id = m.room_id
                         WHERE r.workspace_id = ?1 AND m.user_id = ?2
                           AND m.state IN ('joined', 'invited')",
                    )?;
                    stmt.query_map([&w, &u], |r| uuid_at(r, 0))?
                        .collect::<rusqlite::Result<_>>()?
                };
                for room_id in rooms {
                    set_membership_in(
                        ctx,
                        user,
                        MembershipChange {
                            room_id,
                            target: user,
                            state: MemberState::Left,
                            role: None,
                        },
                    )?;
                }
                Ok(())
            })
            .await
    }

    async fn create_invite(
        &self,
        ws: WorkspaceId,
        email: &str,
        role: WorkspaceRole,
        inviter: UserId,
        token_hash: &str,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        let (email, token_hash) = (email.to_owned(), token_hash.to_owned());
        self.db
            .write(move |ctx| {
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO invites (id, workspace_id, email, token_hash, role, inviter_id,
                             created_at, expires_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )?
                    .execute(params![
                        Uuid::now_v7().to_string(),
                        ws.to_string(),
                        email,
                        token_hash,
                        role.as_sql(),
                        inviter.to_string(),
                        now_ms(),
                        ts_ms(expires_at)
                    ])?;
                Ok(())
            })
            .await
    }

    async fn accept_invite(
        &self,
        token_hash: &str,
        user: UserId,
        email: &str,
    ) -> StoreResult<WorkspaceId> {
        let (token_hash, email) = (token_hash.to_owned(), email.to_owned());
        self.db
            .write(move |ctx| {
                let c = ctx.conn;
                let row: Option<(String, WorkspaceId, String, i64, Option<i64>)> = c
                    .prepare_cached(
                        "SELECT id, workspace_id, email, expires_at, accepted_at FROM invites
                         WHERE token_hash = ?1",
                    )?
                    .query_row([&token_hash], |r| {
                        Ok((r.get(0)?, uuid_at(r, 1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })
                    .optional()?;
                let Some((id, ws, invite_email, expires, accepted)) = row else {
                    return Err(StoreError::NotFound);
                };
                if accepted.is_some() || expires < now_ms() {
                    return Err(StoreError::InviteExpired);
                }
                if !invite_email.eq_ignore_ascii_case(&email) {
                    return Err(StoreError::Forbidden(
                        "this invite was sent to another email address".into(),
                    ));
                }
                let role: WorkspaceRole = c
                    .prepare_cached("SELECT role FROM invites WHERE id = ?1")?
                    .query_row([&id], |r| enum_at(r, 0))?;
                let (w, u) = (ws.to_string(), user.to_string());
                let current = workspace_role_in(c, &w, &u)?;
                if current.is_none_or(|cur| cur < role) {
                    c.prepare_cached(
                        "INSERT INTO workspace_members (workspace_id, user_id, role, joined_at)
                         VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
                    )?
                    .execute(params![w, u, role.as_sql(), now_ms()])?;
                }
                c.prepare_cached(
                    "UPDATE invites SET accepted_at = ?2, accepted_by = ?3 WHERE id = ?1",
                )?
                .execute(params![id, now_ms(), u])?;
                Ok(ws)
            })
            .await
    }

    async fn create_room(&self, room: NewRoom) -> StoreResult<Room> {
        self.db
            .write(move |ctx| {
                let creator = room.created_by.to_string();
                if let Some(txn) = &room.txn_id {
                    let prior: Option<RoomId> = ctx
                        .conn
                        .prepare_cached(
                            "SELECT room_id FROM room_txns WHERE user_id = ?1 AND txn_id = ?2",
                        )?
                        .query_row([&creator, txn], |r| uuid_at(r, 0))
                        .optional()?;
                    if let Some(id) = prior {
                        let existing = load_room(ctx.conn, id)?.ok_or(StoreError::NotFound)?;
                        if existing.workspace_id != room.workspace_id {
                            return Err(StoreError::TxnConflict(txn.clone()));
                        }
                        return Ok(existing);
                    }
                }
                let id = create_room_in(ctx, &room)?;
                if let Some(txn) = &room.txn_id {
                    ctx.conn
                        .prepare_cached(
                            "INSERT INTO room_txns (user_id, txn_id, room_id) VALUES (?1, ?2, ?3)",
                        )?
                        .execute([&creator, txn, &id.to_string()])?;
                }
                load_room(ctx.conn, id)?.ok_or(StoreError::NotFound)
            })
            .await
    }

    async fn create_direct(
        &self,
        ws: WorkspaceId,
        a: UserId,
        b: UserId,
    ) -> StoreResult<(Room, bool)> {
        self.db
            .write(move |ctx| {
                let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                let existing: Option<RoomId> = ctx
                    .conn
                    .prepare_cached(
                        "SELECT room_id FROM direct_pairs
                         WHERE workspace_id = ?1 AND user_a = ?2 AND user_b = ?3",
                    )?
                    .query_row([ws.to_string(), lo.to_string(), hi.to_string()], |r| {
                        uuid_at(r, 0)
                    })
                    .optional()?;
                if let Some(room_id) = existing {
                    // Bring back whoever left; a ban stays a ban.
                    for user in [a, b] {
                        let rec = member_record(ctx.conn, &room_id.to_string(), &user.to_string())?;
                        if rec.is_some_and(|r| r.state == MemberState::Left) {
                            set_membership_in(
                                ctx,
                                a,
                                MembershipChange {
                                    room_id,
                                    target: user,
                                    state: MemberState::Joined,
                                    role: None,
                                },
                            )?;
                        }
                    }
                    let room = load_room(ctx.conn, room_id)?.ok_or(StoreError::NotFound)?;
                    return Ok((room, false));
                }
                let new = NewRoom {
                    workspace_id: ws,
                    kind: RoomKind::Direct,
                    visibility: Visibility::Hidden,
                    name: None,
                    topic: None,
                    created_by: a,
                    read_only: false,
                    secret: false,
                    members: vec![b],
                    txn_id: None,
                };
                let id = create_room_in(ctx, &new)?;
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO direct_pairs (workspace_id, user_a, user_b, room_id)
                         VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![
                        ws.to_string(),
                        lo.to_string(),
                        hi.to_string(),
                        id.to_string()
                    ])?;
                let room = load_room(ctx.conn, id)?.ok_or(StoreError::NotFound)?;
                Ok((room, true))
            })
            .await
    }

    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        self.db.read(move |c| load_room(c, id)).await
    }

    fn access_generation(&self) -> Option<u64> {
        Some(self.db.access_generation())
    }

    async fn room_access(
        &self,
        id: RoomId,
        user: UserId,
    ) -> StoreResult<Option<(Room, Option<MemberRecord>, Option<WorkspaceRole>)>> {
        self.db
            .read(move |c| {
                let Some(room) = load_room(c, id)? else {
                    return Ok(None);
                };
                let u = user.to_string();
                let member = member_record(c, &id.to_string(), &u)?;
                let role = workspace_role_in(c, &room.workspace_id.to_string(), &u)?;
                Ok(Some((room, member, role)))
            })
            .await
    }

    async fn room_member(&self, room: RoomId, user: UserId) -> StoreResult<Option<MemberRecord>> {
        self.db
            .read(move |c| member_record(c, &room.to_string(), &user.to_string()))
            .await
    }

    async fn membership(&self, room: RoomId, user: UserId) -> StoreResult<Option<Membership>> {
        self.db
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT role, state, muted, notify, last_read_seq FROM room_members
                     WHERE room_id = ?1 AND user_id = ?2",
                )?
                .query_row([room.to_string(), user.to_string()], |r| {
                    Ok(Membership {
                        role: enum_at(r, 0)?,
                        state: enum_at(r, 1)?,
                        muted: r.get(2)?,
                        notify: enum_at(r, 3)?,
                        last_read_seq: r.get(4)?,
                    })
                })
                .optional()?)
            })
            .await
    }

    async fn directory(
        &self,
        ws: WorkspaceId,
        viewer: UserId,
        all: bool,
    ) -> StoreResult<Vec<DirectoryRoom>> {
        self.db
            .read(move |c| directory_in(c, ws, viewer, all))
            .await
    }

    async fn update_room(
        &self,
        id: RoomId,
        actor: UserId,
        ch: RoomChanges,
    ) -> StoreResult<Option<Event>> {
        self.db
            .write(move |ctx| {
                let room = load_room(ctx.conn, id)?.ok_or(StoreError::NotFound)?;
                let topic_now = room.topic.clone().unwrap_or_default();
                let content = RoomContent {
                    created: false,
                    name: ch.name.filter(|n| Some(n) != room.name.as_ref()),
                    topic: ch.topic.filter(|t| *t != topic_now),
                    visibility: ch.visibility.filter(|v| *v != room.visibility),
                    read_only: ch.read_only.filter(|v| *v != room.read_only),
                    archived: ch.archived.filter(|v| *v != room.archived),
                    avatar_file_id: ch.avatar_file_id.filter(|a| *a != room.avatar_file_id),
                };
                if content == RoomContent::default() {
                    return Ok(None);
                }
                ctx.conn
                    .prepare_cached(
                        "UPDATE rooms SET name = coalesce(?2, name),
                             topic = CASE WHEN ?3 IS NULL THEN topic WHEN ?3 = '' THEN NULL ELSE ?3 END,
                             visibility = coalesce(?4, visibility),
                             read_only = coalesce(?5, read_only),
                             archived = coalesce(?6, archived),
                             avatar_file_id = CASE WHEN ?7 THEN ?8 ELSE avatar_file_id END
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        id.to_string(),
                        content.name,
                        content.topic,
                        content.visibility.map(|v| v.as_sql()),
                        content.read_only,
                        content.archived,
                        content.avatar_file_id.is_some(),
                        content.avatar_file_id.flatten().map(|f| f.to_string())
                    ])?;
                Ok(Some(append_in(ctx, id, actor, EventContent::Room(content), None)?))
            })
            .await
    }

    async fn set_membership(
        &self,
        actor: UserId,
        change: MembershipChange,
    ) -> StoreResult<Option<Event>> {
        self.db
            .write(move |ctx| set_membership_in(ctx, actor, change))
            .await
    }

    async fn set_member_prefs(
        &self,
        room: RoomId,
        user: UserId,
        muted: Option<bool>,
        notify: Option<NotifyLevel>,
    ) -> StoreResult<()> {
        self.db
            .write(move |ctx| {
                let n = ctx
                    .conn
                    .prepare_cached(
                        "UPDATE room_members SET muted = coalesce(?3, muted),
                             notify = coalesce(?4, notify)
                         WHERE room_id = ?1 AND user_id = ?2",
                    )?
                    .execute(params![
                        room.to_string(),
                        user.to_string(),
                        muted,
                        notify.map(|n| n.as_sql())
                    ])?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }

    async fn room_members(&self, room: RoomId) -> StoreResult<Vec<RoomMember>> {
        self.db.read(move |c| room_members_in(c, room)).await
    }

    async fn all_joined(&self) -> StoreResult<Vec<(RoomId, UserId)>> {
        self.db
            .read(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT room_id, user_id FROM room_members WHERE state = 'joined'",
                )?;
                let rows = stmt.query_map([], |r| Ok((uuid_at(r, 0)?, uuid_at(r, 1)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn member_usernames(&self, room: RoomId) -> StoreResult<BTreeMap<String, UserId>> {
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT u.username, u.id FROM room_members m JOIN users u ON u.id = m.user_id
                     WHERE m.room_id = ?1 AND m.state = 'joined'",
                )?;
                let rows =
                    stmt.query_map([room.to_string()], |r| Ok((r.get(0)?, uuid_at(r, 1)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn append(
        &self,
        room: RoomId,
        sender: UserId,
        content: EventContent,
        txn_id: Option<String>,
    ) -> StoreResult<Event> {
        // Messages and what hangs off them change no permission fact; room
        // and membership events do.
        let keeps_access = matches!(
            content,
            EventContent::Message(_)
                | EventContent::Edit(_)
                | EventContent::Delete(_)
                | EventContent::Reaction(_)
        );
        let txns = self.txns.clone();
        let job = move |ctx: &mut WriteCtx<'_>| {
            if let Some(txn) = txn_id.as_deref()
                && let Some(prior) = event_by_txn_in(ctx.conn, &txns, sender, txn)?
            {
                if prior.room_id == room && prior.content.type_name() == content.type_name() {
                    return Ok(prior);
                }
                return Err(StoreError::TxnConflict(txn.to_owned()));
            }
            if let EventContent::Delete(d) = &content {
                let deleted: Option<Option<Seq>> = ctx
                    .conn
                    .prepare_cached(
                        "SELECT deleted_seq FROM messages WHERE id = ?1 AND room_id = ?2",
                    )?
                    .query_row([d.target.to_string(), room.to_string()], |r| r.get(0))
                    .optional()?;
                match deleted {
                    None => return Err(StoreError::NotFound),
                    Some(Some(seq)) => return event_at_seq(ctx.conn, room, seq),
                    Some(None) => {}
                }
            }
            let (event, rowid) = append_at(ctx, room, sender, content, txn_id.as_deref())?;
            if let Some(txn) = txn_id {
                let mut p = txns
                    .lock()
                    .map_err(|_| StoreError::Io("txn ids poisoned".into()))?;
                p.map.insert((sender, txn), (room, event.seq, rowid));
                p.since_flush += 1;
                if p.since_flush >= TXNS_FLUSH_AT {
                    flush_txns(ctx.conn, &mut p)?;
                }
            }
            Ok(event)
        };
        if keeps_access {
            self.db.write_keeping_access(job).await
        } else {
            self.db.write(job).await
        }
    }

    async fn event_by_txn(&self, sender: UserId, txn_id: &str) -> StoreResult<Option<Event>> {
        let txn_id = txn_id.to_owned();
        let txns = self.txns.clone();
        self.db
            .read(move |c| event_by_txn_in(c, &txns, sender, &txn_id))
            .await
    }

    async fn message(&self, room: RoomId, id: EventId) -> StoreResult<Option<MessageRecord>> {
        self.db
            .read(move |c| Ok(message_in(c, id)?.filter(|m| m.room_id == room)))
            .await
    }

    async fn message_anywhere(&self, id: EventId) -> StoreResult<Option<MessageRecord>> {
        self.db.read(move |c| message_in(c, id)).await
    }

    async fn react(
        &self,
        room: RoomId,
        user: UserId,
        target: EventId,
        emoji: &str,
        add: bool,
    ) -> StoreResult<Event> {
        let emoji = emoji.to_owned();
        self.db
            .write(move |ctx| {
                let (t, u) = (target.to_string(), user.to_string());
                let row: Option<(Seq, bool)> = ctx
                    .conn
                    .prepare_cached(
                        "SELECT seq, active FROM reactions
                         WHERE message_id = ?1 AND user_id = ?2 AND emoji = ?3",
                    )?
                    .query_row(params![t, u, emoji], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                match row {
                    Some((seq, active)) if active == add => {
                        return event_at_seq(ctx.conn, room, seq);
                    }
                    None if !add => return Err(StoreError::NotFound),
                    _ => {}
                }
                let event = append_in(
                    ctx,
                    room,
                    user,
                    EventContent::Reaction(ReactionContent {
                        target,
                        emoji: emoji.clone(),
                        added: add,
                    }),
                    None,
                )?;
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO reactions (message_id, user_id, emoji, seq, active)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (message_id, user_id, emoji)
                         DO UPDATE SET seq = excluded.seq, active = excluded.active",
                    )?
                    .execute(params![t, u, emoji, event.seq, add])?;
                Ok(event)
            })
            .await
    }

    async fn mark_read(&self, room: RoomId, user: UserId, seq: Seq) -> StoreResult<Option<Seq>> {
        self.db
            .write(move |ctx| {
                let n = ctx
                    .conn
                    .prepare_cached(
                        "UPDATE room_members SET last_read_seq = ?3
                         WHERE room_id = ?1 AND user_id = ?2 AND last_read_seq < ?3",
                    )?
                    .execute(params![room.to_string(), user.to_string(), seq])?;
                Ok((n == 1).then_some(seq))
            })
            .await
    }

    async fn events(
        &self,
        room: RoomId,
        page: Page,
        limit: u32,
    ) -> StoreResult<(Vec<Event>, bool)> {
        self.db
            .read(move |c| {
                let take = i64::from(limit) + 1;
                let (sql, from) = match page {
                    Page::Before(seq) => (
                        format!(
                            "SELECT {EVENT_COLS} FROM events e WHERE e.room_id = ?1 AND e.seq < ?2
                             ORDER BY e.seq DESC LIMIT ?3"
                        ),
                        seq,
                    ),
                    Page::After(seq) => (
                        format!(
                            "SELECT {EVENT_COLS} FROM events e WHERE e.room_id = ?1 AND e.seq > ?2
                             ORDER BY e.seq ASC LIMIT ?3"
                        ),
                        seq,
                    ),
                };
                let mut stmt = c.prepare_cached(&sql)?;
                let mut events = stmt
                    .query_map(params![room.to_string(), from, take], event_at)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let has_more = events.len() as i64 > i64::from(limit);
                events.truncate(limit as usize);
                if matches!(page, Page::Before(_)) {
                    events.reverse();
                }
                Ok((events, has_more))
            })
            .await
    }

    async fn sync(&self, user: UserId, req: &SyncRequest) -> StoreResult<SyncResponse> {
        let req = req.clone();
        self.db.read(move |c| sync_in(c, user, &req)).await
    }

    async fn add_file(&self, f: NewFile) -> StoreResult<FileRecord> {
        self.db
            .write(move |ctx| {
                let now = now_ms();
                ctx.conn
                    .prepare_cached(
                        "INSERT OR IGNORE INTO blobs (sha256, size, mime, storage_key, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![f.sha256, f.size as i64, f.mime, f.storage_key, now])?;
                let id = Uuid::now_v7();
                insert_file_row(
                    ctx.conn, id, &f.sha256, f.owner_id, &f.name, f.size, &f.mime,
                )?;
                file_in(ctx.conn, id)?.ok_or(StoreError::NotFound)
            })
            .await
    }

    async fn file(&self, id: FileId) -> StoreResult<Option<FileRecord>> {
        self.db.read(move |c| file_in(c, id)).await
    }

    async fn file_rooms(&self, id: FileId) -> StoreResult<Vec<RoomId>> {
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT DISTINCT room_id FROM message_files WHERE file_id = ?1",
                )?;
                let rows = stmt.query_map([id.to_string()], |r| uuid_at(r, 0))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn file_is_avatar(&self, id: FileId) -> StoreResult<bool> {
        self.db
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE avatar_file_id = ?1)
                         OR EXISTS (SELECT 1 FROM rooms WHERE avatar_file_id = ?1)",
                )?
                .query_row([id.to_string()], |r| r.get(0))?)
            })
            .await
    }

    async fn copy_files(&self, ids: Vec<FileId>, owner: UserId) -> StoreResult<Vec<FileRecord>> {
        self.db
            .write(move |ctx| {
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    let src = file_in(ctx.conn, id)?.ok_or(StoreError::NotFound)?;
                    let new_id = Uuid::now_v7();
                    insert_file_row(
                        ctx.conn,
                        new_id,
                        &src.sha256,
                        owner,
                        &src.name,
                        src.size,
                        &src.mime,
                    )?;
                    out.push(file_in(ctx.conn, new_id)?.ok_or(StoreError::NotFound)?);
                }
                Ok(out)
            })
            .await
    }

    async fn unreferenced_blobs(&self, limit: u32) -> StoreResult<Vec<String>> {
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT b.sha256 FROM blobs b
                     WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = b.sha256)
                     LIMIT ?1",
                )?;
                let rows = stmt.query_map([limit], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn take_unreferenced_blob(&self, sha256: &str) -> StoreResult<Vec<String>> {
        let sha = sha256.to_owned();
        self.db
            .write(move |ctx| {
                let c = ctx.conn;
                let referenced: bool = c
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = ?1)")?
                    .query_row([&sha], |r| r.get(0))?;
                if referenced {
                    return Ok(Vec::new());
                }
                let mut keys: Vec<String> = {
                    let mut stmt =
                        c.prepare_cached("SELECT storage_key FROM thumbnails WHERE sha256 = ?1")?;
                    stmt.query_map([&sha], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?
                };
                let key: Option<String> = c
                    .prepare_cached("DELETE FROM blobs WHERE sha256 = ?1 RETURNING storage_key")?
                    .query_row([&sha], |r| r.get(0))
                    .optional()?;
                c.prepare_cached("DELETE FROM thumbnails WHERE sha256 = ?1")?
                    .execute([&sha])?;
                keys.extend(key);
                Ok(keys)
            })
            .await
    }

    async fn thumbnail(&self, sha256: &str, size: &str) -> StoreResult<Option<(String, String)>> {
        let (sha, size) = (sha256.to_owned(), size.to_owned());
        self.db
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT storage_key, mime FROM thumbnails WHERE sha256 = ?1 AND size = ?2",
                )?
                .query_row([sha, size], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?)
            })
            .await
    }

    async fn put_thumbnail(
        &self,
        sha256: &str,
        size: &str,
        key: &str,
        mime: &str,
    ) -> StoreResult<()> {
        let (sha, size, key, mime) = (
            sha256.to_owned(),
            size.to_owned(),
            key.to_owned(),
            mime.to_owned(),
        );
        self.db
            .write(move |ctx| {
                ctx.conn
                    .prepare_cached(
                        "INSERT OR REPLACE INTO thumbnails (sha256, size, storage_key, mime)
                         VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute([sha, size, key, mime])?;
                Ok(())
            })
            .await
    }

    async fn set_user_avatar(&self, user: UserId, file: Option<FileId>) -> StoreResult<()> {
        self.db
            .write(move |ctx| {
                ctx.conn
                    .prepare_cached("UPDATE users SET avatar_file_id = ?2 WHERE id = ?1")?
                    .execute(params![user.to_string(), file.map(|f| f.to_string())])?;
                Ok(())
            })
            .await
    }

    async fn create_api_key(&self, k: NewApiKey) -> StoreResult<ApiKeyInfo> {
        self.db
            .write(move |ctx| {
                let id = Uuid::now_v7();
                let perms = serde_json::to_string(&k.permissions).map_err(json_err)?;
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO api_keys (id, workspace_id, name, key_hash, permissions,
                             bot_user_id, created_by, expires_at, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(params![
                        id.to_string(),
                        k.workspace_id.to_string(),
                        k.name,
                        k.key_hash,
                        perms,
                        k.bot_user_id.to_string(),
                        k.created_by.to_string(),
                        k.expires_at.map(ts_ms),
                        now_ms()
                    ])?;
                api_key_in(ctx.conn, "id = ?1", &id.to_string())?.ok_or(StoreError::NotFound)
            })
            .await
    }

    async fn api_keys(&self, ws: WorkspaceId) -> StoreResult<Vec<ApiKeyInfo>> {
        self.db
            .read(move |c| {
                let sql = format!(
                    "SELECT {API_KEY_COLS} FROM api_keys WHERE workspace_id = ?1 ORDER BY created_at"
                );
                let mut stmt = c.prepare_cached(&sql)?;
                let rows = stmt.query_map([ws.to_string()], api_key_at)?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn revoke_api_key(&self, ws: WorkspaceId, id: Uuid) -> StoreResult<bool> {
        self.db
            .write(move |ctx| {
                let n = ctx
                    .conn
                    .prepare_cached(
                        "UPDATE api_keys SET active = 0
                         WHERE id = ?1 AND workspace_id = ?2 AND active = 1",
                    )?
                    .execute([id.to_string(), ws.to_string()])?;
                Ok(n == 1)
            })
            .await
    }

    async fn api_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKeyInfo>> {
        let hash = hash.to_owned();
        self.db
            .read(move |c| api_key_in(c, "key_hash = ?1", &hash))
            .await
    }

    async fn touch_api_key(&self, id: Uuid) -> StoreResult<()> {
        self.db
            .write(move |ctx| {
                ctx.conn
                    .prepare_cached("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1")?
                    .execute(params![id.to_string(), now_ms()])?;
                Ok(())
            })
            .await
    }

    async fn put_meta(
        &self,
        entity_type: &str,
        entity_id: &str,
        key: &str,
        value: serde_json::Value,
        data_type: MetaType,
        public: bool,
        owner: Option<UserId>,
    ) -> StoreResult<MetaEntry> {
        let (et, eid, key) = (entity_type.to_owned(), entity_id.to_owned(), key.to_owned());
        self.db
            .write(move |ctx| {
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO meta (entity_type, entity_id, key, value, data_type, public,
                             owner_id, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         ON CONFLICT (entity_type, entity_id, key) DO UPDATE SET
                             value = excluded.value, data_type = excluded.data_type,
                             public = excluded.public, updated_at = excluded.updated_at",
                    )?
                    .execute(params![
                        et,
                        eid,
                        key,
                        value.to_string(),
                        data_type.as_sql(),
                        public,
                        owner.map(|o| o.to_string()),
                        now_ms()
                    ])?;
                meta_in(ctx.conn, &et, &eid, &key)?.ok_or(StoreError::NotFound)
            })
            .await
    }

    async fn meta(
        &self,
        entity_type: &str,
        entity_id: &str,
        key: &str,
    ) -> StoreResult<Option<MetaEntry>> {
        let (et, eid, key) = (entity_type.to_owned(), entity_id.to_owned(), key.to_owned());
        self.db.read(move |c| meta_in(c, &et, &eid, &key)).await
    }

    async fn list_meta(&self, entity_type: &str, entity_id: &str) -> StoreResult<Vec<MetaEntry>> {
        let (et, eid) = (entity_type.to_owned(), entity_id.to_owned());
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT entity_type, entity_id, key, value, data_type, public, updated_at
                     FROM meta WHERE entity_type = ?1 AND entity_id = ?2 ORDER BY key",
                )?;
                let rows = stmt.query_map([et, eid], meta_at)?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn delete_meta(
        &self,
        entity_type: &str,
        entity_id: &str,
        key: &str,
    ) -> StoreResult<bool> {
        let (et, eid, key) = (entity_type.to_owned(), entity_id.to_owned(), key.to_owned());
        self.db
            .write(move |ctx| {
                let n = ctx
                    .conn
                    .prepare_cached(
                        "DELETE FROM meta WHERE entity_type = ?1 AND entity_id = ?2 AND key = ?3",
                    )?
                    .execute([et, eid, key])?;
                Ok(n == 1)
            })
            .await
    }
}

sql_enum!(MetaType {
    String => "string", Number => "number", Integer => "integer", Boolean => "boolean",
    Object => "object", Array => "array", Datetime => "datetime",
});

fn insert_file_row(
    c: &Connection,
    id: FileId,
    sha256: &str,
    owner: UserId,
    name: &str,
    size: u64,
    mime: &str,
) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO files (id, sha256, owner_id, name, size, mime, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id.to_string(),
        sha256,
        owner.to_string(),
        name,
        size as i64,
        mime,
        now_ms()
    ])?;
    Ok(())
}

fn file_in(c: &Connection, id: FileId) -> StoreResult<Option<FileRecord>> {
    Ok(c.prepare_cached(
        "SELECT f.id, f.sha256, f.size, f.mime, f.name, f.owner_id, b.storage_key
         FROM files f JOIN blobs b ON b.sha256 = f.sha256 WHERE f.id = ?1",
    )?
    .query_row([id.to_string()], |r| {
        Ok(FileRecord {
            id: uuid_at(r, 0)?,
            sha256: r.get(1)?,
            size: r.get::<_, i64>(2)? as u64,
            mime: r.get(3)?,
            name: r.get(4)?,
            owner_id: uuid_at(r, 5)?,
            storage_key: r.get(6)?,
        })
    })
    .optional()?)
}

const API_KEY_COLS: &str = "id, workspace_id, name, permissions, bot_user_id, active, expires_at, \
     last_used_at, created_at";

fn api_key_at(r: &Row<'_>) -> rusqlite::Result<ApiKeyInfo> {
    let perms: String = r.get(3)?;
    Ok(ApiKeyInfo {
        id: uuid_at(r, 0)?,
        workspace_id: uuid_at(r, 1)?,
        name: r.get(2)?,
        permissions: serde_json::from_str(&perms).map_err(|_| bad_column(3, "permissions"))?,
        bot_user_id: uuid_at(r, 4)?,
        active: r.get(5)?,
        expires_at: opt_ts_at(r, 6)?,
        last_used_at: opt_ts_at(r, 7)?,
        created_at: ts_at(r, 8)?,
    })
}

fn api_key_in(c: &Connection, where_: &str, arg: &str) -> StoreResult<Option<ApiKeyInfo>> {
    let sql = format!("SELECT {API_KEY_COLS} FROM api_keys WHERE {where_}");
    Ok(c.prepare_cached(&sql)?
        .query_row([arg], api_key_at)
        .optional()?)
}

fn meta_at(r: &Row<'_>) -> rusqlite::Result<MetaEntry> {
    let value: String = r.get(3)?;
    Ok(MetaEntry {
        entity_type: r.get(0)?,
        entity_id: r.get(1)?,
        key: r.get(2)?,
        value: serde_json::from_str(&value).map_err(|_| bad_column(3, "meta value"))?,
        data_type: enum_at(r, 4)?,
        public: r.get(5)?,
        updated_at: ts_at(r, 6)?,
    })
}

fn meta_in(c: &Connection, et: &str, eid: &str, key: &str) -> StoreResult<Option<MetaEntry>> {
    Ok(c.prepare_cached(
        "SELECT entity_type, entity_id, key, value, data_type, public, updated_at
         FROM meta WHERE entity_type = ?1 AND entity_id = ?2 AND key = ?3",
    )?
    .query_row([et, eid, key], meta_at)
    .optional()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use tern_protocol::MessageContent;

    use super::*;

    fn text(body: &str) -> EventContent {
        EventContent::Message(MessageContent {
            body: body.to_owned(),
            ..Default::default()
        })
    }

    async fn sender_and_room(store: &SqliteStore) -> (UserId, RoomId) {
        let (a, room) = super::super::conformance::user_and_group_room(store, "txn").await;
        (a, room.id)
    }

    fn count(path: &Path, sql: &str) -> i64 {
        Connection::open(path)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    /// Txn ids reach `event_txns` in bulk, not one index entry per append;
    /// a retry is answered the first event whether its pair is still in
    /// memory, in the table, or was left past the mark by a store that
    /// stopped before its next bulk pass.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn retries_find_their_event_across_bulk_passes_and_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = SqliteStore::open(&path, Box::new(|_| {})).unwrap();
        let (a, room) = sender_and_room(&store).await;
        let n = TXNS_FLUSH_AT + 10;
        let mut seqs = Vec::with_capacity(n);
        for chunk in 0..n.div_ceil(256) {
            let sends = (chunk * 256..((chunk + 1) * 256).min(n))
                .map(|i| store.append(room, a, text(&format!("m{i}")), Some(format!("t{i}"))));
            for e in futures_util::future::join_all(sends).await {
                seqs.push(e.unwrap().seq);
            }
        }
        let indexed = count(&path, "SELECT count(*) FROM event_txns");
        assert_eq!(
            indexed as usize, TXNS_FLUSH_AT,
            "one bulk pass after {TXNS_FLUSH_AT} appends, none per append"
        );
        for i in [0, TXNS_FLUSH_AT - 1, TXNS_FLUSH_AT, n - 1] {
            let again = store
                .append(room, a, text("again"), Some(format!("t{i}")))
                .await
                .unwrap();
            assert_eq!(again.seq, seqs[i], "retry of t{i}");
            let found = store.event_by_txn(a, &format!("t{i}")).await.unwrap();
            assert_eq!(found.map(|e| e.seq), Some(seqs[i]), "t{i} by txn");
        }
        let reaction = store
            .append(
                room,
                a,
                EventContent::Reaction(tern_protocol::event::ReactionContent {
                    target: Uuid::nil(),
                    emoji: "x".into(),
                    added: true,
                }),
                Some(format!("t{}", n - 1)),
            )
            .await;
        assert!(
            matches!(reaction, Err(StoreError::TxnConflict(_))),
            "a txn id reused for another kind of write: {reaction:?}"
        );
        let last_seq = store.room(room).await.unwrap().unwrap().last_seq;
        drop(store);
        // The last ten pairs never reached the table: the next open indexes them.
        let store = SqliteStore::open(&path, Box::new(|_| {})).unwrap();
        assert_eq!(
            count(&path, "SELECT count(*) FROM event_txns") as usize,
            n,
            "pairs past the mark indexed at open"
        );
        let again = store
            .append(room, a, text("again"), Some(format!("t{}", n - 1)))
            .await
            .unwrap();
        assert_eq!(again.seq, seqs[n - 1], "a retry after a restart");
        assert_eq!(
            store.room(room).await.unwrap().unwrap().last_seq,
            last_seq,
            "no retry appended anything"
        );
    }
}
