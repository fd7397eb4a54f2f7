//! Reading the store for the UI: the room list, timeline pages with local
//! echoes laid over the server's state, and full-text search.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use tern_protocol::room::{MemberState, NotifyLevel};
use tern_protocol::{MessageKind, RoomId, UserId};
use uuid::Uuid;

use super::{from_ms, parse_enum, parse_uuid};
use crate::error::Result;
use crate::outbox::{self, Payload};
use crate::types::{
    EchoState, MessagePreview, NewerPage, OutboxState, ReactionSummary, ReplyPreview, RoomSummary,
    TimelineItem, TimelinePage,
};

/// A user's name as shown: display name, else username, else a short id.
pub(crate) fn user_name(conn: &Connection, id: &str) -> Result<String> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT display_name, username FROM users WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match row {
        Some((d, _)) if !d.is_empty() => d,
        Some((_, u)) if !u.is_empty() => u,
        _ => id.chars().take(8).collect(),
    })
}

pub(crate) fn room_list(conn: &Connection, me: UserId) -> Result<Vec<RoomSummary>> {
    let me_s = me.to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.workspace_id, r.kind, r.name, r.topic, r.membership, r.muted,
                r.unread_count, r.mention_count, r.last_activity, r.local_only,
                (SELECT u.id FROM members m JOIN users u ON u.id = m.user_id
                  WHERE m.room_id = r.id AND m.user_id != ?1 LIMIT 1),
                (SELECT count(*) FROM outbox o WHERE o.room_id = r.id AND o.state != 'failed'),
                (SELECT count(*) FROM outbox o WHERE o.room_id = r.id AND o.state = 'failed'),
                r.notify
         FROM rooms r WHERE r.membership IN ('joined', 'invited')
         ORDER BY r.last_activity DESC, r.id",
    )?;
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        bool,
        u32,
        u32,
        i64,
        bool,
        Option<String>,
        u32,
        u32,
        String,
    )> = stmt
        .query_map([&me_s], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
                r.get(14)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (
        id,
        ws,
        kind,
        name,
        topic,
        membership,
        muted,
        unread,
        mentions,
        activity,
        local,
        other,
        pending,
        failed,
        notify,
    ) in rows
    {
        let kind = parse_enum(&kind).unwrap_or(tern_protocol::room::RoomKind::Group);
        let name = match (name, other) {
            (Some(n), _) => n,
            (None, Some(o)) => user_name(conn, &o)?,
            (None, None) => String::new(),
        };
        // The newest local echo, else the newest message from the server:
        // two index look-ups (`messages_local`, `messages_room_seq`), where
        // one query ordering both kinds would read the room's every row.
        let row = |r: &rusqlite::Row<'_>| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        };
        let last_message = match conn
            .prepare_cached(
                "SELECT id, sender_id, body, deleted_at IS NOT NULL FROM messages
                 WHERE room_id = ?1 AND seq IS NULL ORDER BY local_order DESC LIMIT 1",
            )?
            .query_row([&id], row)
            .optional()?
        {
            Some(m) => Some(m),
            None => conn
                .prepare_cached(
                    "SELECT id, sender_id, body, deleted_at IS NOT NULL FROM messages
                     WHERE room_id = ?1 AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
                )?
                .query_row([&id], row)
                .optional()?,
        };
        let last_message = match last_message {
            Some((mid, sender, body, deleted)) => Some(MessagePreview {
                id: parse_uuid(&mid),
                sender_id: parse_uuid(&sender),
                sender_name: user_name(conn, &sender)?,
                body,
                deleted,
            }),
            None => None,
        };
        out.push(RoomSummary {
            id: parse_uuid(&id),
            workspace_id: parse_uuid(&ws),
            kind,
            name,
            topic,
            membership: parse_enum(&membership).unwrap_or(MemberState::Joined),
            muted,
            notify: parse_enum(&notify).unwrap_or(NotifyLevel::Mentions),
            unread_count: unread,
            mention_count: mentions,
            last_activity: from_ms(activity),
            last_message,
            local_only: local,
            pending_count: pending,
            failed_count: failed,
        });
    }
    Ok(out)
}

struct MsgRow {
    id: String,
    seq: Option<i64>,
    sender: String,
    kind: String,
    body: String,
    reply_to: Option<String>,
    thread_root: Option<String>,
    attachments: String,
    mentions: String,
    created_at: i64,
    edited: bool,
    deleted: bool,
    txn_id: Option<String>,
}

const MSG_COLS: &str = "id, seq, sender_id, kind, body, reply_to, thread_root, attachments, \
     mentions, created_at, edited_at IS NOT NULL, deleted_at IS NOT NULL, txn_id";

fn msg_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MsgRow> {
    Ok(MsgRow {
        id: r.get(0)?,
        seq: r.get(1)?,
        sender: r.get(2)?,
        kind: r.get(3)?,
        body: r.get(4)?,
        reply_to: r.get(5)?,
        thread_root: r.get(6)?,
        attachments: r.get(7)?,
        mentions: r.get(8)?,
        created_at: r.get(9)?,
        edited: r.get(10)?,
        deleted: r.get(11)?,
        txn_id: r.get(12)?,
    })
}

/// One page of a room's timeline, oldest first. Without `before`, the
/// newest messages and every local echo; with it, messages older than
/// that seq. A page never reaches across a gap: below a gap the caller must
/// backfill first.
pub(crate) fn timeline(
    conn: &Connection,
    me: UserId,
    room: RoomId,
    before: Option<i64>,
    limit: u32,
) -> Result<TimelinePage> {
    let key = room.to_string();
    let upper = before.unwrap_or(i64::MAX);
    let floor: i64 = conn
        .prepare_cached(
            "SELECT coalesce(max(to_seq), 0) FROM gaps WHERE room_id = ?1 AND to_seq < ?2",
        )?
        .query_row(params![key, upper], |r| r.get(0))?;
    let sql = format!(
        "SELECT {MSG_COLS} FROM messages WHERE room_id = ?1 AND seq IS NOT NULL
         AND seq < ?2 AND seq > ?3 ORDER BY seq DESC LIMIT ?4"
    );
    let mut rows: Vec<MsgRow> = conn
        .prepare_cached(&sql)?
        .query_map(params![key, upper, floor, limit], msg_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.reverse();
    let oldest = rows.first().and_then(|r| r.seq).unwrap_or(upper);
    let has_more_local: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE room_id = ?1 AND seq < ?2 AND seq > ?3)",
        )?
        .query_row(params![key, oldest, floor], |r| r.get(0))?;
    let needs_backfill = !has_more_local && floor > 0;
    if before.is_none() {
        rows.extend(local_echoes(conn, &key)?);
    }
    let items = build_items(conn, me, room, rows)?;
    Ok(TimelinePage {
        items,
        has_more_local,
        needs_backfill,
    })
}

/// The messages after seq `after`, oldest first: the next page for a
/// reader scrolled back into history. When the page reaches the newest
/// stored message it also holds the room's local echoes.
pub(crate) fn timeline_after(
    conn: &Connection,
    me: UserId,
    room: RoomId,
    after: i64,
    limit: u32,
) -> Result<NewerPage> {
    let key = room.to_string();
    let sql = format!(
        "SELECT {MSG_COLS} FROM messages WHERE room_id = ?1 AND seq IS NOT NULL
         AND seq > ?2 ORDER BY seq LIMIT ?3"
    );
    let mut rows: Vec<MsgRow> = conn
        .prepare_cached(&sql)?
        .query_map(params![key, after, i64::from(limit) + 1], msg_row)?
        .collect::<rusqlite::Result<_>>()?;
    // One row more than asked tells whether newer ones follow.
    let at_newest = rows.len() <= limit as usize;
    rows.truncate(limit as usize);
    if at_newest {
        rows.extend(local_echoes(conn, &key)?);
    }
    let items = build_items(conn, me, room, rows)?;
    Ok(NewerPage { items, at_newest })
}

/// A room's local echoes (messages the server has not given a seq yet),
/// in the order they were written: they follow the newest message.
fn local_echoes(conn: &Connection, room_key: &str) -> Result<Vec<MsgRow>> {
    let sql = format!(
        "SELECT {MSG_COLS} FROM messages WHERE room_id = ?1 AND seq IS NULL ORDER BY local_order"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([room_key], msg_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// One message by id (server or provisional).
pub(crate) fn message(conn: &Connection, me: UserId, id: Uuid) -> Result<Option<TimelineItem>> {
    // A provisional id keeps working after the echo turned remote.
    let sql = format!(
        "SELECT room_id, {MSG_COLS} FROM messages WHERE id = ?1 OR local_id = ?1
         ORDER BY local_id IS NULL DESC LIMIT 1"
    );
    let row = conn
        .prepare_cached(&sql)?
        .query_row([id.to_string()], |r| {
            let room: String = r.get(0)?;
            let m = MsgRow {
                id: r.get(1)?,
                seq: r.get(2)?,
                sender: r.get(3)?,
                kind: r.get(4)?,
                body: r.get(5)?,
                reply_to: r.get(6)?,
                thread_root: r.get(7)?,
                attachments: r.get(8)?,
                mentions: r.get(9)?,
                created_at: r.get(10)?,
                edited: r.get(11)?,
                deleted: r.get(12)?,
                txn_id: r.get(13)?,
            };
            Ok((room, m))
        })
        .optional()?;
    match row {
        Some((room, m)) => Ok(build_items(conn, me, parse_uuid(&room), vec![m])?.pop()),
        None => Ok(None),
    }
}

fn build_items(
    conn: &Connection,
    me: UserId,
    room: RoomId,
    rows: Vec<MsgRow>,
) -> Result<Vec<TimelineItem>> {
    let me_s = me.to_string();
    // What of this room is still in the outbox, to lay over the items.
    let pending = outbox::room_items(conn, room)?;
    let mut by_txn: HashMap<&str, &OutboxState> = HashMap::new();
    for p in &pending {
        by_txn.insert(p.txn_id.as_str(), &p.state);
    }
    let mut names: HashMap<String, String> = HashMap::new();
    let mut name = |conn: &Connection, id: &str| -> Result<String> {
        if let Some(n) = names.get(id) {
            return Ok(n.clone());
        }
        let n = user_name(conn, id)?;
        names.insert(id.to_owned(), n.clone());
        Ok(n)
    };
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let id = parse_uuid(&m.id);
        let echo = match (&m.seq, &m.txn_id) {
            (None, Some(txn)) => EchoState::Local(
                by_txn
                    .get(txn.as_str())
                    .map(|s| (*s).clone())
                    .unwrap_or(OutboxState::Pending),
            ),
            _ => EchoState::Remote,
        };
        let reply_to = match &m.reply_to {
            Some(r) => {
                let row: Option<(String, String, bool)> = conn
                    .prepare_cached(
                        "SELECT sender_id, body, deleted_at IS NOT NULL FROM messages WHERE id = ?1",
                    )?
                    .query_row([r], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                Some(match row {
                    Some((sender, body, deleted)) => ReplyPreview {
                        id: parse_uuid(r),
                        sender_id: parse_uuid(&sender),
                        sender_name: name(conn, &sender)?,
                        body,
                        deleted,
                    },
                    None => ReplyPreview {
                        id: parse_uuid(r),
                        sender_id: Uuid::nil(),
                        sender_name: String::new(),
                        body: String::new(),
                        deleted: false,
                    },
                })
            }
            None => None,
        };
        let mut reactions: Vec<ReactionSummary> = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT emoji, count(*), max(user_id = ?2) FROM reactions
                 WHERE message_id = ?1 AND added = 1
                 GROUP BY emoji ORDER BY min(seq)",
            )?;
            let rows = stmt.query_map(params![m.id, me_s], |r| {
                Ok(ReactionSummary {
                    emoji: r.get(0)?,
                    count: r.get(1)?,
                    me: r.get(2)?,
                    pending: false,
                })
            })?;
            for r in rows {
                reactions.push(r?);
            }
        }
        let mut item = TimelineItem {
            id,
            room_id: room,
            seq: m.seq,
            sender_id: parse_uuid(&m.sender),
            sender_name: name(conn, &m.sender)?,
            kind: parse_enum(&m.kind).unwrap_or(MessageKind::Text),
            body: m.body,
            reply_to,
            thread_root: m.thread_root.as_deref().map(parse_uuid),
            attachments: serde_json::from_str(&m.attachments).unwrap_or_default(),
            mentions_me: m.mentions.contains(&me_s),
            created_at: from_ms(m.created_at),
            edited: m.edited,
            deleted: m.deleted,
            reactions,
            echo,
            pending_edit: None,
            pending_delete: None,
            txn_id: m.txn_id.clone(),
        };
        // Lay the outbox over it, in order.
        for p in &pending {
            let targets = |target: &Uuid, target_txn: &Option<String>| {
                *target == item.id
                    || (target_txn.is_some() && target_txn.as_deref() == item.txn_id.as_deref())
            };
            let failed = matches!(p.state, OutboxState::Failed { .. });
            match &p.payload {
                Payload::Edit {
                    target,
                    target_txn,
                    body,
                } if targets(target, target_txn) => {
                    if !failed && !item.deleted {
                        item.body = body.clone();
                        item.edited = true;
                    }
                    item.pending_edit = Some(p.state.clone());
                }
                Payload::Delete { target, target_txn } if targets(target, target_txn) => {
                    if !failed {
                        item.deleted = true;
                        item.body.clear();
                    }
                    item.pending_delete = Some(p.state.clone());
                }
                Payload::React {
                    target,
                    target_txn,
                    emoji,
                } if targets(target, target_txn) && !failed => {
                    match item.reactions.iter_mut().find(|r| &r.emoji == emoji) {
                        Some(r) if r.me => r.pending = true,
                        Some(r) => {
                            r.count += 1;
                            r.me = true;
                            r.pending = true;
                        }
                        None => item.reactions.push(ReactionSummary {
                            emoji: emoji.clone(),
                            count: 1,
                            me: true,
                            pending: true,
                        }),
                    }
                }
                Payload::Unreact {
                    target,
                    target_txn,
                    emoji,
                } if targets(target, target_txn) && !failed => {
                    if let Some(r) = item.reactions.iter_mut().find(|r| &r.emoji == emoji)
                        && r.me
                    {
                        r.count = r.count.saturating_sub(1);
                        r.me = false;
                        r.pending = true;
                    }
                    item.reactions.retain(|r| r.count > 0 || r.pending);
                }
                _ => {}
            }
        }
        out.push(item);
    }
    Ok(out)
}
