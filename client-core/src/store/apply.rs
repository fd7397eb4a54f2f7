//! Writing what the server says into the store: rooms, members, users and
//! events, with the message projection (edits, deletes, reactions) kept in
//! the same transaction. Every function takes the open write transaction
//! and records what changed in a [`Changes`] so the caller can tell the UI
//! after the commit.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Transaction, params};
use tern_protocol::auth::User;
use tern_protocol::event::{EventContent, MessageContent};
use tern_protocol::room::{MemberState, Membership, Room, RoomMember};
use tern_protocol::sync::SyncResponse;
use tern_protocol::{Event, RoomId, UserId};
use uuid::Uuid;

use super::{enum_str, now_ms, to_ms};
use crate::error::Result;
use crate::events::{ClientEvent, TimelineChange};

/// What a write changed, told to the UI after the commit.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    pub room_list: bool,
    pub added: BTreeMap<RoomId, Vec<Uuid>>,
    pub updated: BTreeMap<RoomId, Vec<Uuid>>,
    pub replaced: Vec<(RoomId, Uuid, Uuid)>,
    pub reset: Vec<RoomId>,
    /// Rooms joined or left: the sync engine should sync again.
    pub membership_changed: bool,
}

impl Changes {
    pub(crate) fn into_events(self) -> Vec<ClientEvent> {
        let mut out = Vec::new();
        if self.room_list {
            out.push(ClientEvent::RoomListChanged);
        }
        for (room_id, local, remote) in self.replaced {
            out.push(ClientEvent::TimelineChanged {
                room_id,
                change: TimelineChange::Replaced { local, remote },
            });
        }
        for (room_id, ids) in self.added {
            out.push(ClientEvent::TimelineChanged {
                room_id,
                change: TimelineChange::Added(ids),
            });
        }
        for (room_id, ids) in self.updated {
            out.push(ClientEvent::TimelineChanged {
                room_id,
                change: TimelineChange::Updated(ids),
            });
        }
        for room_id in self.reset {
            out.push(ClientEvent::TimelineChanged {
                room_id,
                change: TimelineChange::Reset,
            });
        }
        out
    }

    fn add(&mut self, room: RoomId, id: Uuid) {
        self.added.entry(room).or_default().push(id);
    }

    fn update(&mut self, room: RoomId, id: Uuid) {
        let v = self.updated.entry(room).or_default();
        if !v.contains(&id) {
            v.push(id);
        }
    }
}

pub(crate) fn upsert_user(tx: &Transaction<'_>, u: &User) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO users (id, username, display_name, kind, avatar_file_id, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET username = excluded.username,
             display_name = excluded.display_name, kind = excluded.kind,
             avatar_file_id = excluded.avatar_file_id, updated_at = excluded.updated_at",
    )?
    .execute(params![
        u.id.to_string(),
        u.username,
        u.display_name,
        enum_str(&u.kind),
        u.avatar_file_id.map(|f| f.to_string()),
        now_ms()
    ])?;
    Ok(())
}

/// Stores the server's view of a room, keeping the caller's own fields.
/// A room new here starts at the level the server gives a new membership
/// (every message in a direct room, else mentions) until the sync brings
/// the caller's own.
pub(crate) fn upsert_room(tx: &Transaction<'_>, r: &Room) -> Result<()> {
    let activity = r.last_message_at.map(to_ms).unwrap_or(to_ms(r.created_at));
    tx.prepare_cached(
        "INSERT INTO rooms (id, workspace_id, kind, visibility, name, topic, created_by,
             read_only, secret, archived, member_count, created_at, last_activity, notify)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
             CASE ?3 WHEN 'direct' THEN 'all' ELSE 'mentions' END)
         ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id,
             kind = excluded.kind, visibility = excluded.visibility, name = excluded.name,
             topic = excluded.topic, read_only = excluded.read_only, secret = excluded.secret,
             archived = excluded.archived, member_count = excluded.member_count,
             last_activity = max(rooms.last_activity, excluded.last_activity),
             local_only = 0",
    )?
    .execute(params![
        r.id.to_string(),
        r.workspace_id.to_string(),
        enum_str(&r.kind),
        enum_str(&r.visibility),
        r.name,
        r.topic,
        r.created_by.to_string(),
        r.read_only,
        r.secret,
        r.archived,
        r.member_count,
        to_ms(r.created_at),
        activity
    ])?;
    Ok(())
}

pub(crate) fn set_membership(
    tx: &Transaction<'_>,
    me: UserId,
    room: RoomId,
    m: &Membership,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE rooms SET membership = ?2, role = ?3, muted = ?4, notify = ?5 WHERE id = ?1",
    )?
    .execute(params![
        room.to_string(),
        enum_str(&m.state),
        enum_str(&m.role),
        m.muted,
        enum_str(&m.notify)
    ])?;
    set_read_marker(tx, room, me, m.last_read_seq)?;
    Ok(())
}

/// Moves a member's read marker forward (never back).
pub(crate) fn set_read_marker(
    tx: &Transaction<'_>,
    room: RoomId,
    user: UserId,
    seq: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO members (room_id, user_id, last_read_seq) VALUES (?1, ?2, ?3)
         ON CONFLICT (room_id, user_id) DO UPDATE SET
             last_read_seq = max(members.last_read_seq, excluded.last_read_seq)",
    )?
    .execute(params![room.to_string(), user.to_string(), seq])?;
    Ok(())
}

pub(crate) fn read_marker(tx: &rusqlite::Connection, room: RoomId, user: UserId) -> Result<i64> {
    Ok(tx
        .prepare_cached("SELECT last_read_seq FROM members WHERE room_id = ?1 AND user_id = ?2")?
        .query_row(params![room.to_string(), user.to_string()], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Recounts unread messages and mentions from what is held locally (after
/// the caller read something, or another device did).
pub(crate) fn recount_unread(tx: &Transaction<'_>, me: UserId, room: RoomId) -> Result<()> {
    let seq = read_marker(tx, room, me)?;
    let me_s = me.to_string();
    tx.prepare_cached(
        "UPDATE rooms SET
             unread_count = (SELECT count(*) FROM messages WHERE room_id = ?1 AND seq > ?2
                 AND sender_id != ?3 AND deleted_at IS NULL),
             mention_count = (SELECT count(*) FROM messages WHERE room_id = ?1 AND seq > ?2
                 AND sender_id != ?3 AND deleted_at IS NULL AND instr(mentions, ?3) > 0)
         WHERE id = ?1",
    )?
    .execute(params![room.to_string(), seq, me_s])?;
    Ok(())
}

pub(crate) fn upsert_member(tx: &Transaction<'_>, room: RoomId, m: &RoomMember) -> Result<()> {
    upsert_user(tx, &m.user)?;
    tx.prepare_cached(
        "INSERT INTO members (room_id, user_id, role, state, last_read_seq)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (room_id, user_id) DO UPDATE SET role = excluded.role,
             state = excluded.state,
             last_read_seq = max(members.last_read_seq, excluded.last_read_seq)",
    )?
    .execute(params![
        room.to_string(),
        m.user.id.to_string(),
        enum_str(&m.role),
        enum_str(&m.state),
        m.last_read_seq
    ])?;
    Ok(())
}

/// Moves a room's last activity forward to `at` (never back).
pub(crate) fn touch_room(tx: &rusqlite::Connection, room: &str, at: i64) -> Result<()> {
    tx.prepare_cached("UPDATE rooms SET last_activity = max(last_activity, ?2) WHERE id = ?1")?
        .execute(params![room, at])?;
    Ok(())
}

pub(crate) fn cursor(tx: &rusqlite::Connection, room: RoomId) -> Result<i64> {
    Ok(tx
        .prepare_cached("SELECT seq FROM sync_cursors WHERE room_id = ?1")?
        .query_row([room.to_string()], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

pub(crate) fn set_cursor(tx: &Transaction<'_>, room: RoomId, seq: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_cursors (room_id, seq, synced_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (room_id) DO UPDATE SET seq = max(sync_cursors.seq, excluded.seq),
             synced_at = excluded.synced_at",
    )?
    .execute(params![room.to_string(), seq, now_ms()])?;
    Ok(())
}

/// Records that seqs `from..=to` of `room` are missing.
pub(crate) fn add_gap(tx: &Transaction<'_>, room: RoomId, from: i64, to: i64) -> Result<()> {
    if from > to {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT OR REPLACE INTO gaps (room_id, from_seq, to_seq) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![room.to_string(), from, to])?;
    Ok(())
}

/// Cuts seqs `from..=to` out of the recorded gaps (they were fetched).
pub(crate) fn fill_gap(tx: &Transaction<'_>, room: RoomId, from: i64, to: i64) -> Result<()> {
    let key = room.to_string();
    let overlapping: Vec<(i64, i64)> = tx
        .prepare_cached(
            "SELECT from_seq, to_seq FROM gaps WHERE room_id = ?1 AND to_seq >= ?2 AND from_seq <= ?3",
        )?
        .query_map(params![key, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (gf, gt) in overlapping {
        tx.prepare_cached("DELETE FROM gaps WHERE room_id = ?1 AND to_seq = ?2")?
            .execute(params![key, gt])?;
        add_gap(tx, room, gf, from - 1)?;
        add_gap(tx, room, to + 1, gt)?;
    }
    Ok(())
}

/// Applies one whole sync answer.
pub(crate) fn apply_sync(tx: &Transaction<'_>, me: UserId, resp: &SyncResponse) -> Result<Changes> {
    let mut ch = Changes::default();
    for (room_id, rs) in &resp.rooms {
        upsert_room(tx, &rs.room)?;
        set_membership(tx, me, *room_id, &rs.membership)?;
        if let Some(members) = &rs.members {
            for m in members {
                upsert_member(tx, *room_id, m)?;
            }
        }
        let held = cursor(tx, *room_id)?;
        if rs.limited
            && let Some(first) = rs.events.first()
        {
            add_gap(tx, *room_id, held + 1, first.seq - 1)?;
        }
        let any = apply_batch(tx, me, &rs.events, false, &mut ch)? > 0;
        if rs.limited && any {
            ch.reset.push(*room_id);
        }
        let top = rs.events.last().map(|e| e.seq).unwrap_or(held);
        set_cursor(tx, *room_id, top.max(held))?;
        tx.prepare_cached("UPDATE rooms SET unread_count = ?2, mention_count = ?3 WHERE id = ?1")?
            .execute(params![
                room_id.to_string(),
                rs.unread_count,
                rs.mention_count
            ])?;
        ch.room_list = true;
    }
    for room_id in &resp.left {
        tx.prepare_cached("UPDATE rooms SET membership = 'left' WHERE id = ?1")?
            .execute([room_id.to_string()])?;
        ch.room_list = true;
    }
    Ok(ch)
}

/// Applies a contiguous run of events (gap fill, live frames) and moves the
/// cursor; returns whether any was new.
pub(crate) fn apply_events(
    tx: &Transaction<'_>,
    me: UserId,
    room: RoomId,
    events: &[Event],
    ch: &mut Changes,
) -> Result<bool> {
    let any = apply_batch(tx, me, events, true, ch)? > 0;
    if let Some(last) = events.last() {
        set_cursor(tx, room, last.seq)?;
    }
    Ok(any)
}

/// Stores a run of events in log order, as [`apply_event`] would one by
/// one, and answers how many were new. Built for volume (a sync answer, a
/// backfill or gap-fill page, a burst of live frames):
///
/// - consecutive new messages go into `messages` with one statement. The
///   full-text index is kept by a trigger, and FTS5 writes its pending
///   terms out as a new segment at the start of every statement that may
///   need rolling back on its own (a statement savepoint): one `INSERT`
///   per message made one index segment per message, and merging those
///   segments was most of the cost of catching up. One statement per run
///   gives one segment per run;
/// - a room's last activity is moved once per run, not once per message;
/// - the caller's own messages (which may replace a local echo) and every
///   other kind of event still go one by one, in order, after the messages
///   before them are in.
pub(crate) fn apply_batch(
    tx: &Transaction<'_>,
    me: UserId,
    events: &[Event],
    live: bool,
    ch: &mut Changes,
) -> Result<usize> {
    let mut new = 0;
    let mut run: Vec<(&Event, &MessageContent)> = Vec::new();
    for ev in events {
        if !insert_event_row(tx, ev)? {
            continue;
        }
        new += 1;
        match &ev.content {
            EventContent::Message(m) if !(ev.sender_id == me && ev.txn_id.is_some()) => {
                run.push((ev, m));
            }
            _ => {
                insert_messages(tx, me, &run, live, ch)?;
                run.clear();
                apply_stored_event(tx, me, ev, live, ch)?;
            }
        }
    }
    insert_messages(tx, me, &run, live, ch)?;
    // A live message or a short burst goes into the full-text index in
    // this transaction; a catch-up's pages wait for the background indexer
    // (search checks them directly meanwhile).
    if new > 0 && new <= super::search::INDEX_AT_ONCE {
        super::search::index_backlog(tx, super::search::INDEX_AT_ONCE)?;
    }
    Ok(new)
}

/// Inserts a run of messages (none of them the caller's own), then does
/// per message what [`insert_message`] does after its insert. One cached
/// statement per row, its values bound as they are: the full-text index
/// takes new rows through the backlog (`fts_pending`), so a statement per
/// row no longer makes an index segment per row, and building a JSON array
/// for SQLite to take apart again cost more than the inserts themselves.
fn insert_messages(
    tx: &Transaction<'_>,
    me: UserId,
    run: &[(&Event, &MessageContent)],
    live: bool,
    ch: &mut Changes,
) -> Result<()> {
    match run {
        [] => return Ok(()),
        [(ev, m)] => return insert_message(tx, me, ev, m, live, ch),
        _ => {}
    }
    let mut activity: BTreeMap<RoomId, i64> = BTreeMap::new();
    let mut read: BTreeMap<RoomId, i64> = BTreeMap::new();
    let mut insert = tx.prepare_cached(INSERT_MESSAGE)?;
    let (mut id_buf, mut room_buf, mut sender_buf) = ([0u8; 36], [0u8; 36], [0u8; 36]);
    for (ev, m) in run {
        let created = to_ms(ev.created_at);
        let (lo, hi) = super::pk_range(created).unzip();
        let id = &*ev.id.hyphenated().encode_lower(&mut id_buf);
        let n = insert.execute(params![
            id,
            &*ev.room_id.hyphenated().encode_lower(&mut room_buf),
            ev.seq,
            &*ev.sender_id.hyphenated().encode_lower(&mut sender_buf),
            enum_str(&m.kind),
            m.body,
            m.reply_to.map(|r| r.to_string()),
            m.thread_root.map(|r| r.to_string()),
            json_list(&m.attachments)?,
            m.forward_of.map(|r| r.to_string()),
            json_list(&m.mentions)?,
            created,
            m.erased,
            // A transaction id means something only for the caller's own
            // sends (matching a local echo); none of these is.
            None::<&str>,
            lo,
            hi,
        ])?;
        if n == 0 {
            continue;
        }
        ch.add(ev.room_id, ev.id);
        if live && ev.sender_id != me {
            let read_seq = match read.get(&ev.room_id) {
                Some(s) => *s,
                None => {
                    let s = read_marker(tx, ev.room_id, me)?;
                    read.insert(ev.room_id, s);
                    s
                }
            };
            count_unread(tx, me, ev, m, read_seq)?;
        }
        let at = activity.entry(ev.room_id).or_insert(i64::MIN);
        *at = (*at).max(created);
        apply_earlier_relations(tx, me, ev, id, ch)?;
    }
    for (room, at) in activity {
        touch_room(tx, &room.to_string(), at)?;
        ch.room_list = true;
    }
    Ok(())
}

/// Inserts a message; `?15..?16` is its millisecond's range of `pk`s (see
/// [`super::message_pk`], of which the sub-select is the SQL form: the next
/// free one in the range, or NULL, for SQLite to pick, when the range is
/// full or absent). Picking it in the statement saves a statement per row.
/// Counts a live message from someone else as unread (and as a mention of
/// the caller) when it is past the caller's read marker `read_seq`.
fn count_unread(
    tx: &Transaction<'_>,
    me: UserId,
    ev: &Event,
    m: &MessageContent,
    read_seq: i64,
) -> Result<()> {
    if ev.seq > read_seq {
        tx.prepare_cached(
            "UPDATE rooms SET unread_count = unread_count + 1,
                 mention_count = mention_count + ?2 WHERE id = ?1",
        )?
        .execute(params![
            ev.room_id.to_string(),
            i64::from(m.mentions.contains(&me))
        ])?;
    }
    Ok(())
}

const INSERT_MESSAGE: &str = "INSERT OR IGNORE INTO messages (id, room_id, seq, sender_id, kind,
        body, reply_to, thread_root, attachments, forward_of, mentions, created_at, erased,
        txn_id, pk)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
        (SELECT CASE WHEN max(pk) IS NULL THEN ?15 WHEN max(pk) + 1 < ?16 THEN max(pk) + 1 END
         FROM messages WHERE pk >= ?15 AND pk < ?16))";

/// A list column (`attachments`, `mentions`): `[]` without serialising.
fn json_list<T: serde::Serialize>(
    items: &[T],
) -> serde_json::Result<std::borrow::Cow<'static, str>> {
    if items.is_empty() {
        Ok("[]".into())
    } else {
        serde_json::to_string(items).map(Into::into)
    }
}

/// The event's `content` object as stored in `events.content`, serialised
/// straight from the typed value (not through a `serde_json::Value`).
fn content_json(c: &EventContent) -> serde_json::Result<String> {
    match c {
        EventContent::Message(x) => serde_json::to_string(x),
        EventContent::Edit(x) => serde_json::to_string(x),
        EventContent::Delete(x) => serde_json::to_string(x),
        EventContent::Reaction(x) => serde_json::to_string(x),
        EventContent::Member(x) => serde_json::to_string(x),
        EventContent::Room(x) => serde_json::to_string(x),
        EventContent::Call(x) => serde_json::to_string(x),
    }
}

fn target_of(c: &EventContent) -> Option<Uuid> {
    match c {
        EventContent::Edit(e) => Some(e.target),
        EventContent::Delete(d) => Some(d.target),
        EventContent::Reaction(r) => Some(r.target),
        _ => None,
    }
}

/// Stores one event and updates the projection. `live` events count as
/// unread; events from a sync answer do not (the answer carries the
/// counts). Returns false when the event was already held.
pub(crate) fn apply_event(
    tx: &Transaction<'_>,
    me: UserId,
    ev: &Event,
    live: bool,
    ch: &mut Changes,
) -> Result<bool> {
    if !insert_event_row(tx, ev)? {
        return Ok(false);
    }
    apply_stored_event(tx, me, ev, live, ch)?;
    Ok(true)
}

/// Stores the raw event; false when it was already held.
fn insert_event_row(tx: &Transaction<'_>, ev: &Event) -> Result<bool> {
    let inner = content_json(&ev.content)?;
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO events (room_id, seq, id, sender_id, type, content, target,
                 txn_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            ev.room_id.to_string(),
            ev.seq,
            ev.id.to_string(),
            ev.sender_id.to_string(),
            ev.content.type_name(),
            inner,
            target_of(&ev.content).map(|t| t.to_string()),
            ev.txn_id,
            to_ms(ev.created_at)
        ])?;
    Ok(inserted > 0)
}

/// Updates the projection for an event just stored.
fn apply_stored_event(
    tx: &Transaction<'_>,
    me: UserId,
    ev: &Event,
    live: bool,
    ch: &mut Changes,
) -> Result<()> {
    match &ev.content {
        EventContent::Message(m) => {
            insert_message(tx, me, ev, m, live, ch)?;
        }
        EventContent::Edit(_) | EventContent::Delete(_) | EventContent::Reaction(_) => {
            apply_relation(tx, me, ev, ch)?;
        }
        EventContent::Member(m) => {
            tx.execute(
                "INSERT OR IGNORE INTO users (id) VALUES (?1)",
                [m.user_id.to_string()],
            )?;
            tx.prepare_cached(
                "INSERT INTO members (room_id, user_id, role, state) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (room_id, user_id) DO UPDATE SET role = excluded.role,
                     state = excluded.state",
            )?
            .execute(params![
                ev.room_id.to_string(),
                m.user_id.to_string(),
                enum_str(&m.role),
                enum_str(&m.state)
            ])?;
            if m.user_id == me {
                tx.prepare_cached("UPDATE rooms SET membership = ?2, role = ?3 WHERE id = ?1")?
                    .execute(params![
                        ev.room_id.to_string(),
                        enum_str(&m.state),
                        enum_str(&m.role)
                    ])?;
                ch.membership_changed = true;
            }
            let joined = m.state == MemberState::Joined;
            tx.prepare_cached(
                "UPDATE rooms SET member_count = (SELECT count(*) FROM members
                     WHERE room_id = ?1 AND state = 'joined') WHERE id = ?1",
            )?
            .execute([ev.room_id.to_string()])?;
            let _ = joined;
            ch.room_list = true;
        }
        EventContent::Room(r) => {
            let key = ev.room_id.to_string();
            if let Some(n) = &r.name {
                tx.execute("UPDATE rooms SET name = ?2 WHERE id = ?1", params![key, n])?;
            }
            if let Some(t) = &r.topic {
                let t = (!t.is_empty()).then_some(t);
                tx.execute("UPDATE rooms SET topic = ?2 WHERE id = ?1", params![key, t])?;
            }
            if let Some(v) = &r.visibility {
                tx.execute(
                    "UPDATE rooms SET visibility = ?2 WHERE id = ?1",
                    params![key, enum_str(v)],
                )?;
            }
            if let Some(v) = r.read_only {
                tx.execute(
                    "UPDATE rooms SET read_only = ?2 WHERE id = ?1",
                    params![key, v],
                )?;
            }
            if let Some(v) = r.archived {
                tx.execute(
                    "UPDATE rooms SET archived = ?2 WHERE id = ?1",
                    params![key, v],
                )?;
            }
            ch.room_list = true;
        }
        EventContent::Call(_) => {}
    }
    Ok(())
}

fn insert_message(
    tx: &Transaction<'_>,
    me: UserId,
    ev: &Event,
    m: &MessageContent,
    live: bool,
    ch: &mut Changes,
) -> Result<()> {
    let room = ev.room_id.to_string();
    let id = ev.id.to_string();
    let created = to_ms(ev.created_at);
    let (lo, hi) = super::pk_range(created).unzip();
    let attachments = serde_json::to_string(&m.attachments)?;
    let mentions = serde_json::to_string(&m.mentions)?;
    // Our own message coming back: it replaces its local echo.
    let echo: Option<String> = match (&ev.txn_id, ev.sender_id == me) {
        (Some(txn), true) => tx
            .prepare_cached(
                "SELECT id FROM messages WHERE txn_id = ?1 AND room_id = ?2 AND seq IS NULL",
            )?
            .query_row(params![txn, room], |r| r.get(0))
            .optional()?,
        _ => None,
    };
    if let Some(local) = echo {
        tx.prepare_cached(
            "UPDATE messages SET id = ?2, seq = ?3, body = ?4, kind = ?5, reply_to = ?6,
                 thread_root = ?7, attachments = ?8, forward_of = ?9, mentions = ?10,
                 created_at = ?11, erased = ?12, local_order = NULL, local_id = ?1
             WHERE id = ?1",
        )?
        .execute(params![
            local,
            id,
            ev.seq,
            m.body,
            enum_str(&m.kind),
            m.reply_to.map(|r| r.to_string()),
            m.thread_root.map(|r| r.to_string()),
            attachments,
            m.forward_of.map(|r| r.to_string()),
            mentions,
            created,
            m.erased
        ])?;
        // Local replies to the echo now point at the real message.
        tx.prepare_cached("UPDATE messages SET reply_to = ?2 WHERE reply_to = ?1")?
            .execute(params![local, id])?;
        tx.prepare_cached("UPDATE reactions SET message_id = ?2 WHERE message_id = ?1")?
            .execute(params![local, id])?;
        ch.replaced
            .push((ev.room_id, super::parse_uuid(&local), ev.id));
    } else {
        let n = tx.prepare_cached(INSERT_MESSAGE)?.execute(params![
            id,
            room,
            ev.seq,
            ev.sender_id.to_string(),
            enum_str(&m.kind),
            m.body,
            m.reply_to.map(|r| r.to_string()),
            m.thread_root.map(|r| r.to_string()),
            attachments,
            m.forward_of.map(|r| r.to_string()),
            mentions,
            created,
            m.erased,
            // Only the caller's own sends keep theirs (to match an echo).
            ev.txn_id.as_deref().filter(|_| ev.sender_id == me),
            lo,
            hi,
        ])?;
        if n == 0 {
            return Ok(());
        }
        ch.add(ev.room_id, ev.id);
        if live && ev.sender_id != me {
            count_unread(tx, me, ev, m, read_marker(tx, ev.room_id, me)?)?;
        }
    }
    touch_room(tx, &room, created)?;
    ch.room_list = true;
    apply_earlier_relations(tx, me, ev, &id, ch)
}

/// Edits, deletes and reactions that arrived before their message did (it
/// came by backfill): applied once it is in, in log order.
fn apply_earlier_relations(
    tx: &Transaction<'_>,
    me: UserId,
    ev: &Event,
    id: &str,
    ch: &mut Changes,
) -> Result<()> {
    let room = ev.room_id.to_string();
    let later: Vec<(i64, String, String, String, String, i64)> = tx
        .prepare_cached(
            "SELECT seq, id, sender_id, type, content, created_at FROM events
             WHERE target = ?1 AND room_id = ?2 AND seq > ?3 ORDER BY seq",
        )?
        .query_map(params![id, room, ev.seq], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (seq, eid, sender, ty, content, created_at) in later {
        let wrapped = serde_json::json!({
            "type": ty,
            "content": serde_json::from_str::<serde_json::Value>(&content)?,
        });
        let Ok(content) = serde_json::from_value::<EventContent>(wrapped) else {
            continue;
        };
        let rel = Event {
            id: super::parse_uuid(&eid),
            room_id: ev.room_id,
            seq,
            sender_id: super::parse_uuid(&sender),
            content,
            txn_id: None,
            created_at: super::from_ms(created_at),
        };
        apply_relation(tx, me, &rel, ch)?;
    }
    Ok(())
}

/// An edit, delete or reaction: changes its target if the target is held.
fn apply_relation(tx: &Transaction<'_>, me: UserId, ev: &Event, ch: &mut Changes) -> Result<()> {
    let _ = me;
    let room = ev.room_id.to_string();
    let at = to_ms(ev.created_at);
    match &ev.content {
        EventContent::Edit(e) => {
            let n = tx
                .prepare_cached(
                    "UPDATE messages SET body = ?3, mentions = ?4, edited_at = ?5, edited_seq = ?6
                     WHERE id = ?1 AND room_id = ?2 AND deleted_at IS NULL AND edited_seq < ?6",
                )?
                .execute(params![
                    e.target.to_string(),
                    room,
                    e.body,
                    serde_json::to_string(&e.mentions)?,
                    at,
                    ev.seq
                ])?;
            if n > 0 {
                ch.update(ev.room_id, e.target);
            }
        }
        EventContent::Delete(d) => {
            let secret: bool = tx
                .prepare_cached("SELECT secret FROM rooms WHERE id = ?1")?
                .query_row([&room], |r| r.get(0))
                .optional()?
                .unwrap_or(false);
            // The body leaves the full-text index with the message.
            let n = tx
                .prepare_cached(
                    "UPDATE messages SET deleted_at = ?3, body = '', attachments = '[]',
                         erased = ?4
                     WHERE id = ?1 AND room_id = ?2 AND deleted_at IS NULL",
                )?
                .execute(params![d.target.to_string(), room, at, secret])?;
            tx.prepare_cached("DELETE FROM reactions WHERE message_id = ?1")?
                .execute([d.target.to_string()])?;
            if n > 0 {
                ch.update(ev.room_id, d.target);
                ch.room_list = true;
            }
        }
        EventContent::Reaction(r) => {
            let held: bool = tx
                .prepare_cached("SELECT 1 FROM messages WHERE id = ?1 AND deleted_at IS NULL")?
                .query_row([r.target.to_string()], |_| Ok(true))
                .optional()?
                .unwrap_or(false);
            if held {
                tx.prepare_cached(
                    "INSERT INTO reactions (message_id, emoji, user_id, added, seq)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (message_id, emoji, user_id) DO UPDATE SET
                         added = excluded.added, seq = excluded.seq
                     WHERE excluded.seq > reactions.seq",
                )?
                .execute(params![
                    r.target.to_string(),
                    r.emoji,
                    ev.sender_id.to_string(),
                    r.added,
                    ev.seq
                ])?;
                ch.update(ev.room_id, r.target);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;
    use tern_protocol::event::EditContent;

    fn message(room: RoomId, seq: i64, sender: UserId, body: &str) -> Event {
        Event {
            id: Uuid::now_v7(),
            room_id: room,
            seq,
            sender_id: sender,
            content: EventContent::Message(MessageContent {
                body: body.to_owned(),
                ..Default::default()
            }),
            txn_id: Some(format!("t{seq}")),
            created_at: time::OffsetDateTime::now_utc(),
        }
    }

    fn store() -> (tempfile::TempDir, crate::store::Store, RoomId) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("tern.db")).unwrap();
        let room = Uuid::now_v7();
        store
            .write_blocking(|tx| {
                tx.execute(
                    "INSERT INTO rooms (id, workspace_id, kind, visibility, created_by, created_at)
                     VALUES (?1, 'w', 'group', 'public', 'u', 0)",
                    [room.to_string()],
                )?;
                Ok(())
            })
            .unwrap();
        (dir, store, room)
    }

    /// The `pk` picked inside the insert statement is what `message_pk`
    /// would give: the millisecond's next free one, in a run and one by
    /// one alike; a time outside the range gets one SQLite picks. Other
    /// senders' transaction ids stay in the log only.
    #[test]
    fn message_pks_are_picked_in_the_insert_and_only_own_txn_ids_are_kept() {
        let (_dir, store, room) = store();
        let (me, other) = (Uuid::now_v7(), Uuid::now_v7());
        let t = 1_700_000_000_000i64;
        let at = |ms: i64| {
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap()
        };
        let mut run: Vec<Event> = (1..=4).map(|seq| message(room, seq, other, "x")).collect();
        for (e, ms) in run.iter_mut().zip([t, t, t + 1, t]) {
            e.created_at = at(ms);
        }
        let mut single = message(room, 5, other, "y");
        single.created_at = at(t);
        let mut mine = message(room, 6, me, "z");
        mine.created_at = at(7);
        let rows: Vec<(i64, i64, Option<String>)> = store
            .write_blocking(|tx| {
                let mut ch = Changes::default();
                apply_batch(tx, me, &run, false, &mut ch)?;
                apply_batch(tx, me, std::slice::from_ref(&single), false, &mut ch)?;
                apply_batch(tx, me, std::slice::from_ref(&mine), false, &mut ch)?;
                Ok(tx
                    .prepare("SELECT seq, pk, txn_id FROM messages ORDER BY seq")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        let lo = t << crate::store::PK_SHIFT;
        let pks: Vec<i64> = rows.iter().map(|r| r.1).collect();
        assert_eq!(
            &pks[..5],
            [
                lo,
                lo + 1,
                (t + 1) << crate::store::PK_SHIFT,
                lo + 2,
                lo + 3
            ]
        );
        assert!(pks[5] > pks[3], "SQLite picks past the largest: {pks:?}");
        let txns: Vec<Option<&str>> = rows.iter().map(|r| r.2.as_deref()).collect();
        assert_eq!(txns, [None, None, None, None, None, Some("t6")]);
    }

    /// A batch is stored as the same events one by one would be: in log
    /// order, duplicates dropped, an edit aimed at a message of the same
    /// batch applied, an edit that came before its message (an older page
    /// arriving later) applied when the message comes, every body
    /// searchable.
    #[test]
    fn a_batch_lands_like_single_events_and_is_searchable() {
        let (_dir, store, room) = store();
        let (me, other) = (Uuid::now_v7(), Uuid::now_v7());
        let a = message(room, 1, other, "alpha one");
        let b = message(room, 2, other, "bravo two");
        let edit = |seq, target: Uuid, body: &str| Event {
            id: Uuid::now_v7(),
            room_id: room,
            seq,
            sender_id: other,
            content: EventContent::Edit(EditContent {
                target,
                body: body.to_owned(),
                mentions: Vec::new(),
            }),
            txn_id: None,
            created_at: time::OffsetDateTime::now_utc(),
        };
        let c = message(room, 4, other, "charlie four");
        let d = message(room, 5, other, "delta five");
        // Newer page first (backfill): the edit of `a` comes before `a`.
        let newer = vec![
            edit(3, b.id, "bravo edited"),
            c.clone(),
            d.clone(),
            edit(6, a.id, "alpha edited"),
        ];
        let older = vec![a.clone(), b.clone(), a.clone()];
        let (n1, n2, ch) = store
            .write_blocking(|tx| {
                let mut ch = Changes::default();
                let n1 = apply_batch(tx, me, &newer, false, &mut ch)?;
                let n2 = apply_batch(tx, me, &older, false, &mut ch)?;
                Ok((n1, n2, ch))
            })
            .unwrap();
        assert_eq!((n1, n2), (4, 2), "the repeated event is dropped");
        assert_eq!(ch.added[&room], vec![c.id, d.id, a.id, b.id]);
        let rows: Vec<(String, i64)> = store
            .write_blocking(|tx| {
                Ok(tx
                    .prepare("SELECT body, seq FROM messages ORDER BY seq")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        let bodies: Vec<&str> = rows.iter().map(|(b, _)| b.as_str()).collect();
        assert_eq!(
            bodies,
            ["alpha edited", "bravo edited", "charlie four", "delta five"]
        );
        let found: i64 = store
            .write_blocking(|tx| {
                Ok(tx.query_row(
                    "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'delta OR charlie OR edited'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(found, 4);
    }

    /// Messages of one millisecond in one batch each get a row id of their
    /// own, after any earlier message of that millisecond, in time order:
    /// none is dropped as a duplicate row and search lists them newest first.
    #[test]
    fn a_batch_of_one_millisecond_keeps_every_message_in_time_order() {
        let (_dir, store, room) = store();
        let (me, other) = (Uuid::now_v7(), Uuid::now_v7());
        let at = time::macros::datetime!(2026-11-25 10:00:00.123 UTC);
        let ms = |seq: i64| {
            let mut e = message(room, seq, other, &format!("tick {seq}"));
            e.created_at = at;
            e
        };
        let first = ms(1);
        let batch: Vec<Event> = (2..=6).map(ms).collect();
        let pks: Vec<(i64, i64)> = store
            .write_blocking(|tx| {
                let mut ch = Changes::default();
                apply_event(tx, me, &first, false, &mut ch)?;
                assert_eq!(apply_batch(tx, me, &batch, false, &mut ch)?, 5);
                Ok(tx
                    .prepare("SELECT seq, pk FROM messages ORDER BY seq")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        let base = to_ms(at) << crate::store::PK_SHIFT;
        let expected: Vec<(i64, i64)> = (1..=6).map(|s| (s, base + s - 1)).collect();
        assert_eq!(pks, expected);
    }

    /// Regression: the look-up of early relations was re-prepared on every
    /// message (its plan had looked at a bound value), a third of the cost
    /// of catching up. With stable plans it is prepared once.
    #[test]
    fn applying_events_does_not_re_prepare_statements() {
        let (_dir, store, room) = store();
        let me = Uuid::now_v7();
        store
            .write_blocking(|tx| {
                let mut ch = Changes::default();
                for seq in 1..=50 {
                    apply_event(
                        tx,
                        me,
                        &message(room, seq, Uuid::now_v7(), "x"),
                        false,
                        &mut ch,
                    )?;
                }
                let st = tx.prepare_cached(
                    "SELECT seq, id, sender_id, type, content, created_at FROM events
             WHERE target = ?1 AND room_id = ?2 AND seq > ?3 ORDER BY seq",
                )?;
                assert_eq!(st.get_status(StatementStatus::Run), 50);
                assert_eq!(st.get_status(StatementStatus::RePrepare), 0);
                Ok(())
            })
            .unwrap();
    }
}
