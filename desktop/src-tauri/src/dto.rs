//! What crosses into the window: serialisable mirrors of client-core's
//! types. Times are Unix milliseconds; ids are UUID strings.

use serde::{Deserialize, Serialize};
use tern_client_core as core;
use tern_client_core::i18n::Translator;
use tern_client_core::protocol::MessageKind;
use tern_client_core::protocol::room::{MemberState, RoomKind, Visibility};
use time::OffsetDateTime;
use uuid::Uuid;

pub fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub fn from_ms(v: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1_000_000).ok()
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Account {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub server_url: String,
}

impl From<core::Account> for Account {
    fn from(a: core::Account) -> Self {
        Self {
            user_id: a.user_id,
            session_id: a.session_id,
            server_url: a.server_url,
        }
    }
}

/// What the window needs at start: the remembered server and, when a
/// session was restored, the account.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Session {
    pub server_url: Option<String>,
    pub account: Option<Account>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Offline,
    Connecting,
    Syncing,
    Online,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Connection {
    pub state: ConnectionState,
    pub last_sync: Option<i64>,
}

impl From<core::ConnectionStatus> for Connection {
    fn from(s: core::ConnectionStatus) -> Self {
        Self {
            state: match s.state {
                core::ConnectionState::Offline => ConnectionState::Offline,
                core::ConnectionState::Connecting => ConnectionState::Connecting,
                core::ConnectionState::Syncing => ConnectionState::Syncing,
                core::ConnectionState::Online => ConnectionState::Online,
            },
            last_sync: s.last_sync.map(ms),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MessagePreview {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub sender_name: String,
    pub body: String,
    pub deleted: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoomSummary {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub kind: RoomKind,
    pub name: String,
    pub topic: Option<String>,
    pub membership: MemberState,
    pub muted: bool,
    pub unread_count: u32,
    pub mention_count: u32,
    pub last_activity: i64,
    pub last_message: Option<MessagePreview>,
    pub local_only: bool,
    pub pending_count: u32,
    pub failed_count: u32,
}

impl From<core::RoomSummary> for RoomSummary {
    fn from(r: core::RoomSummary) -> Self {
        Self {
            id: r.id,
            workspace_id: r.workspace_id,
            kind: r.kind,
            name: r.name,
            topic: r.topic,
            membership: r.membership,
            muted: r.muted,
            unread_count: r.unread_count,
            mention_count: r.mention_count,
            last_activity: ms(r.last_activity),
            last_message: r.last_message.map(|m| MessagePreview {
                id: m.id,
                sender_id: m.sender_id,
                sender_name: m.sender_name,
                body: m.body,
                deleted: m.deleted,
            }),
            local_only: r.local_only,
            pending_count: r.pending_count,
            failed_count: r.failed_count,
        }
    }
}

/// Where an outbox item (or a local echo) stands.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Sending,
    Retrying {
        attempts: u32,
        next_attempt_at: i64,
        last_error: String,
    },
    Failed {
        /// Why, in English, as the outbox keeps it (for logs).
        reason: String,
        /// Why, in the app's language: what the window shows. Empty
        /// until [`OutboxState::worded`].
        #[serde(default)]
        text: String,
    },
    Delivered,
    Discarded,
}

impl OutboxState {
    /// With a failure's reason worded in `tr`'s language (client-core
    /// reads the stored English back with `Error::localized_reason`).
    pub fn worded(self, tr: &Translator) -> Self {
        match self {
            Self::Failed { reason, .. } => Self::Failed {
                text: core::Error::localized_reason(&reason, tr),
                reason,
            },
            s => s,
        }
    }
}

impl From<core::OutboxState> for OutboxState {
    fn from(s: core::OutboxState) -> Self {
        match s {
            core::OutboxState::Pending => Self::Pending,
            core::OutboxState::Sending => Self::Sending,
            core::OutboxState::Retrying {
                attempts,
                next_attempt_at,
                last_error,
            } => Self::Retrying {
                attempts,
                next_attempt_at: ms(next_attempt_at),
                last_error,
            },
            core::OutboxState::Failed { reason } => Self::Failed {
                reason,
                text: String::new(),
            },
            core::OutboxState::Delivered => Self::Delivered,
            core::OutboxState::Discarded => Self::Discarded,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutboxItem {
    pub txn_id: String,
    pub room_id: Uuid,
    pub kind: String,
    pub state: OutboxState,
    pub created_at: i64,
}

impl OutboxItem {
    /// With its state worded (see [`OutboxState::worded`]).
    pub fn worded(self, tr: &Translator) -> Self {
        Self {
            state: self.state.worded(tr),
            ..self
        }
    }
}

impl From<core::OutboxItem> for OutboxItem {
    fn from(o: core::OutboxItem) -> Self {
        let kind = match o.kind {
            core::OutboxKind::Send => "send",
            core::OutboxKind::Edit => "edit",
            core::OutboxKind::Delete => "delete",
            core::OutboxKind::React => "react",
            core::OutboxKind::Unreact => "unreact",
            core::OutboxKind::MarkRead => "mark_read",
            core::OutboxKind::CreateRoom => "create_room",
            core::OutboxKind::Join => "join",
            core::OutboxKind::Leave => "leave",
        };
        Self {
            txn_id: o.txn_id,
            room_id: o.room_id,
            kind: kind.to_owned(),
            state: o.state.into(),
            created_at: ms(o.created_at),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReplyPreview {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub sender_name: String,
    pub body: String,
    pub deleted: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reaction {
    pub emoji: String,
    pub count: u32,
    pub me: bool,
    pub pending: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TimelineItem {
    pub id: Uuid,
    pub room_id: Uuid,
    pub seq: Option<i64>,
    pub sender_id: Uuid,
    pub sender_name: String,
    pub kind: MessageKind,
    pub body: String,
    pub reply_to: Option<ReplyPreview>,
    pub thread_root: Option<Uuid>,
    pub attachments: Vec<Uuid>,
    pub mentions_me: bool,
    pub created_at: i64,
    pub edited: bool,
    pub deleted: bool,
    pub reactions: Vec<Reaction>,
    /// `None` once the server has it; else the outbox state of the echo.
    pub local: Option<OutboxState>,
    pub pending_edit: Option<OutboxState>,
    pub pending_delete: Option<OutboxState>,
    pub txn_id: Option<String>,
}

impl TimelineItem {
    /// With its outbox states worded (see [`OutboxState::worded`]).
    pub fn worded(self, tr: &Translator) -> Self {
        Self {
            local: self.local.map(|s| s.worded(tr)),
            pending_edit: self.pending_edit.map(|s| s.worded(tr)),
            pending_delete: self.pending_delete.map(|s| s.worded(tr)),
            ..self
        }
    }
}

impl From<core::TimelineItem> for TimelineItem {
    fn from(i: core::TimelineItem) -> Self {
        Self {
            id: i.id,
            room_id: i.room_id,
            seq: i.seq,
            sender_id: i.sender_id,
            sender_name: i.sender_name,
            kind: i.kind,
            body: i.body,
            reply_to: i.reply_to.map(|r| ReplyPreview {
                id: r.id,
                sender_id: r.sender_id,
                sender_name: r.sender_name,
                body: r.body,
                deleted: r.deleted,
            }),
            thread_root: i.thread_root,
            attachments: i.attachments,
            mentions_me: i.mentions_me,
            created_at: ms(i.created_at),
            edited: i.edited,
            deleted: i.deleted,
            reactions: i
                .reactions
                .into_iter()
                .map(|r| Reaction {
                    emoji: r.emoji,
                    count: r.count,
                    me: r.me,
                    pending: r.pending,
                })
                .collect(),
            local: match i.echo {
                core::EchoState::Remote => None,
                core::EchoState::Local(s) => Some(s.into()),
            },
            pending_edit: i.pending_edit.map(Into::into),
            pending_delete: i.pending_delete.map(Into::into),
            txn_id: i.txn_id,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TimelinePage {
    pub items: Vec<TimelineItem>,
    pub has_more_local: bool,
    pub needs_backfill: bool,
}

impl TimelinePage {
    /// With every item worded (see [`OutboxState::worded`]).
    pub fn worded(self, tr: &Translator) -> Self {
        Self {
            items: self.items.into_iter().map(|i| i.worded(tr)).collect(),
            ..self
        }
    }
}

impl From<core::TimelinePage> for TimelinePage {
    fn from(p: core::TimelinePage) -> Self {
        Self {
            items: p.items.into_iter().map(Into::into).collect(),
            has_more_local: p.has_more_local,
            needs_backfill: p.needs_backfill,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct NewerPage {
    pub items: Vec<TimelineItem>,
    pub at_newest: bool,
}

impl NewerPage {
    /// With every item worded (see [`OutboxState::worded`]).
    pub fn worded(self, tr: &Translator) -> Self {
        Self {
            items: self.items.into_iter().map(|i| i.worded(tr)).collect(),
            ..self
        }
    }
}

impl From<core::NewerPage> for NewerPage {
    fn from(p: core::NewerPage) -> Self {
        Self {
            items: p.items.into_iter().map(Into::into).collect(),
            at_newest: p.at_newest,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SearchQuery {
    pub text: String,
    pub room_id: Option<Uuid>,
    pub sender_id: Option<Uuid>,
    pub has_file: Option<bool>,
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

impl From<SearchQuery> for core::SearchQuery {
    fn from(q: SearchQuery) -> Self {
        Self {
            text: q.text,
            room_id: q.room_id,
            sender_id: q.sender_id,
            has_file: q.has_file,
            after: q.after.and_then(from_ms),
            before: q.before.and_then(from_ms),
            limit: q.limit,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub matched: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SearchHit {
    pub message_id: Uuid,
    pub room_id: Uuid,
    pub sender_id: Uuid,
    pub created_at: i64,
    pub body: String,
    pub highlighted: Vec<Span>,
}

impl From<core::SearchHit> for SearchHit {
    fn from(h: core::SearchHit) -> Self {
        Self {
            message_id: h.message_id,
            room_id: h.room_id,
            sender_id: h.sender_id,
            created_at: ms(h.created_at),
            body: h.body,
            highlighted: h
                .highlighted
                .into_iter()
                .map(|s| Span {
                    text: s.text,
                    matched: s.matched,
                })
                .collect(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Attachment {
    pub id: Uuid,
    pub name: String,
    pub size: u64,
    pub mime: String,
    pub known: bool,
    pub cached: bool,
    pub pinned: bool,
    pub uploading: bool,
}

impl From<core::Attachment> for Attachment {
    fn from(a: core::Attachment) -> Self {
        Self {
            id: a.id,
            name: a.name,
            size: a.size,
            mime: a.mime,
            known: a.known,
            cached: a.cached,
            pinned: a.pinned,
            uploading: a.uploading,
        }
    }
}

/// A room to create.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct NewRoom {
    pub workspace_id: Uuid,
    pub kind: RoomKind,
    pub name: String,
    pub visibility: Visibility,
    pub topic: Option<String>,
    #[serde(default)]
    pub members: Vec<Uuid>,
}

/// A change in one room's timeline.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimelineChange {
    Added { ids: Vec<Uuid> },
    Updated { ids: Vec<Uuid> },
    Replaced { local: Uuid, remote: Uuid },
    Removed { ids: Vec<Uuid> },
    Reset,
}

/// client-core's events, as the window hears them (event name
/// [`crate::EVENT`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    RoomListChanged,
    TimelineChanged {
        room_id: Uuid,
        change: TimelineChange,
    },
    OutboxItem {
        txn_id: String,
        room_id: Uuid,
        state: OutboxState,
    },
    RoomIdAssigned {
        local: Uuid,
        remote: Uuid,
    },
    ConnectionChanged {
        connection: Connection,
    },
    Typing {
        room_id: Uuid,
        user_ids: Vec<Uuid>,
    },
    StoreChanged,
    SessionEnded {
        reason: String,
    },
    UploadProgress {
        txn_id: String,
        room_id: Uuid,
        file_id: Uuid,
        sent: u64,
        total: u64,
    },
    DownloadProgress {
        file_id: Uuid,
        received: u64,
        total: Option<u64>,
    },
    FileCacheChanged {
        file_id: Uuid,
    },
    Lagged {
        missed: u64,
    },
}

impl Event {
    /// With an outbox state worded (see [`OutboxState::worded`]).
    pub fn worded(self, tr: &Translator) -> Self {
        match self {
            Self::OutboxItem {
                txn_id,
                room_id,
                state,
            } => Self::OutboxItem {
                txn_id,
                room_id,
                state: state.worded(tr),
            },
            e => e,
        }
    }

    /// `None` for events this build does not forward.
    pub fn from_core(e: core::ClientEvent) -> Option<Self> {
        use core::ClientEvent as E;
        Some(match e {
            E::RoomListChanged => Self::RoomListChanged,
            E::TimelineChanged { room_id, change } => Self::TimelineChanged {
                room_id,
                change: match change {
                    core::TimelineChange::Added(ids) => TimelineChange::Added { ids },
                    core::TimelineChange::Updated(ids) => TimelineChange::Updated { ids },
                    core::TimelineChange::Replaced { local, remote } => {
                        TimelineChange::Replaced { local, remote }
                    }
                    core::TimelineChange::Removed(ids) => TimelineChange::Removed { ids },
                    core::TimelineChange::Reset => TimelineChange::Reset,
                },
            },
            E::OutboxItem {
                txn_id,
                room_id,
                state,
            } => Self::OutboxItem {
                txn_id,
                room_id,
                state: state.into(),
            },
            E::RoomIdAssigned { local, remote } => Self::RoomIdAssigned { local, remote },
            E::ConnectionChanged(s) => Self::ConnectionChanged {
                connection: s.into(),
            },
            E::Typing { room_id, user_ids } => Self::Typing { room_id, user_ids },
            E::StoreChanged => Self::StoreChanged,
            E::SessionEnded { reason } => Self::SessionEnded { reason },
            E::UploadProgress {
                txn_id,
                room_id,
                file_id,
                sent,
                total,
            } => Self::UploadProgress {
                txn_id,
                room_id,
                file_id,
                sent,
                total,
            },
            E::DownloadProgress {
                file_id,
                received,
                total,
            } => Self::DownloadProgress {
                file_id,
                received,
                total,
            },
            E::FileCacheChanged { file_id } => Self::FileCacheChanged { file_id },
            E::Lagged(missed) => Self::Lagged { missed },
            _ => return None,
        })
    }
}

/// The caller's profile.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Profile {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub avatar_file_id: Option<Uuid>,
}

impl From<core::protocol::auth::Me> for Profile {
    fn from(m: core::protocol::auth::Me) -> Self {
        Self {
            user_id: m.user.id,
            username: m.user.username,
            display_name: m.user.display_name,
            email: m.email,
            avatar_file_id: m.user.avatar_file_id,
        }
    }
}

/// Another person, as a search finds them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Person {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub avatar_file_id: Option<Uuid>,
    pub bot: bool,
}

impl From<core::protocol::auth::User> for Person {
    fn from(u: core::protocol::auth::User) -> Self {
        Self {
            user_id: u.id,
            username: u.username,
            display_name: u.display_name,
            avatar_file_id: u.avatar_file_id,
            bot: u.kind == core::protocol::auth::UserKind::Bot,
        }
    }
}

/// One signed-in device.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Device {
    pub id: Uuid,
    pub device_name: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// This app's own session.
    pub current: bool,
}

impl From<core::protocol::auth::SessionInfo> for Device {
    fn from(s: core::protocol::auth::SessionInfo) -> Self {
        Self {
            id: s.id,
            device_name: s.device_name,
            ip: s.ip,
            user_agent: s.user_agent,
            created_at: ms(s.created_at),
            last_seen_at: ms(s.last_seen_at),
            current: s.current,
        }
    }
}

/// A member of a room.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Member {
    pub user_id: Uuid,
    pub username: String,
    pub name: String,
    pub role: core::protocol::room::RoomRole,
    pub state: MemberState,
}

impl From<core::MemberInfo> for Member {
    fn from(m: core::MemberInfo) -> Self {
        Self {
            user_id: m.user_id,
            username: m.username,
            name: m.name,
            role: m.role,
            state: m.state,
        }
    }
}

/// The caller's notification setting in a room.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoomNotifications {
    pub muted: bool,
    pub notify: core::protocol::room::NotifyLevel,
}

impl From<core::RoomNotifications> for RoomNotifications {
    fn from(n: core::RoomNotifications) -> Self {
        Self {
            muted: n.muted,
            notify: n.notify,
        }
    }
}

/// What the file cache holds.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CacheUsage {
    pub bytes: u64,
    pub pinned_bytes: u64,
    pub entries: u64,
    pub max_bytes: u64,
}

impl From<core::CacheUsage> for CacheUsage {
    fn from(u: core::CacheUsage) -> Self {
        Self {
            bytes: u.bytes,
            pinned_bytes: u.pinned_bytes,
            entries: u.entries,
            max_bytes: u.max_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(reason: String) -> OutboxState {
        core::OutboxState::Failed { reason }.into()
    }

    fn text(s: &OutboxState) -> &str {
        match s {
            OutboxState::Failed { text, .. } => text,
            _ => "",
        }
    }

    /// A failed send's reason, kept in English by the outbox, reaches
    /// the window in the app's language; the English stays for logs.
    #[test]
    fn a_failed_sends_reason_is_worded_in_the_apps_language() {
        let (ru, en) = (Translator::for_locale("ru"), Translator::for_locale("en"));
        let refused = core::Error::from(core::Invalid::MessageBody { max: 16_000 }).to_string();
        let s = failed(refused.clone());
        assert_eq!(text(&s), "");
        assert_eq!(
            text(&s.clone().worded(&ru)),
            "В сообщении должно быть от 1 до 16000 символов, не только пробелы"
        );
        assert_eq!(
            text(&s.clone().worded(&en)),
            "A message must have 1 to 16000 characters, not only spaces"
        );
        let OutboxState::Failed { reason, .. } = s.worded(&ru) else {
            panic!("still failed");
        };
        assert_eq!(reason, refused);
        let forbidden = failed("server answered 403 forbidden: not a member".to_owned());
        assert_eq!(text(&forbidden.worded(&ru)), "Вам это не разрешено");
        // A text client-core cannot read back is shown as kept.
        assert_eq!(text(&failed("odd".to_owned()).worded(&ru)), "odd");
        assert_eq!(OutboxState::Pending.worded(&ru), OutboxState::Pending);
    }
}
