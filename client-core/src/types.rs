//! What the client hands to front ends: rooms, timeline items, outbox
//! states, connection state, search hits. Plain data, no UI types.

use tern_protocol::MessageKind;
use tern_protocol::room::{MemberState, NotifyLevel, RoomKind};
use time::OffsetDateTime;
use uuid::Uuid;

/// The live connection to the server, as the sync engine sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Not connected (no session, or waiting to reconnect).
    Offline,
    /// Opening the socket.
    Connecting,
    /// The socket is open; catching up with `sync`.
    Syncing,
    /// Caught up and receiving live events.
    Online,
}

/// The connection state and the time the store last caught up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionStatus {
    pub state: ConnectionState,
    pub last_sync: Option<OffsetDateTime>,
}

/// Why the client is not connected, when an attempt failed: read it with
/// [`crate::Client::connection_problem`] when the connection changes.
/// Cleared once the client is online again.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionProblem {
    /// The server's TLS certificate is not trusted (self-signed or a
    /// private CA, expired, another host's). Retrying cannot help until
    /// the certificate or the client's trusted roots change, so the engine
    /// only tries again at its slowest pace (or on
    /// [`crate::Client::reconnect`]). Fluent id
    /// `connection-problem-certificate`.
    UntrustedCertificate { detail: String },
    /// Any other failure: the network, the TLS handshake, the server.
    /// Fluent id `connection-problem-network`.
    Unreachable { detail: String },
}

impl ConnectionProblem {
    /// The Fluent message id that tells the user; it takes `$detail`.
    pub fn message_id(&self) -> &'static str {
        match self {
            Self::UntrustedCertificate { .. } => "connection-problem-certificate",
            Self::Unreachable { .. } => "connection-problem-network",
        }
    }

    /// The technical detail (in English, as the libraries say it).
    pub fn detail(&self) -> &str {
        match self {
            Self::UntrustedCertificate { detail } | Self::Unreachable { detail } => detail,
        }
    }
}

/// One row of the room list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomSummary {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub kind: RoomKind,
    /// The room's name; for a direct room, the other member's name.
    pub name: String,
    pub topic: Option<String>,
    pub membership: MemberState,
    pub muted: bool,
    /// Which messages notify (the account's level for the room, as synced):
    /// `Mentions` also covers every message of a direct room.
    pub notify: NotifyLevel,
    pub unread_count: u32,
    pub mention_count: u32,
    /// Newest message (or creation) time: the list is sorted on it.
    pub last_activity: OffsetDateTime,
    pub last_message: Option<MessagePreview>,
    /// Created offline; not on the server yet.
    pub local_only: bool,
    /// Outbox items for this room still to deliver.
    pub pending_count: u32,
    /// Outbox items for this room that failed for good.
    pub failed_count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessagePreview {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub sender_name: String,
    pub body: String,
    pub deleted: bool,
}

/// Where an outbox item stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutboxState {
    /// Stored; waiting for its turn.
    Pending,
    /// On the way to the server now.
    Sending,
    /// The last attempt failed for a reason that may pass; the next attempt
    /// is due at this time.
    Retrying {
        attempts: u32,
        next_attempt_at: OffsetDateTime,
        last_error: String,
    },
    /// Failed for good; retry or discard it.
    Failed { reason: String },
    /// The server has it (reported once, then the item is gone).
    Delivered,
    /// The user discarded it.
    Discarded,
}

/// What an outbox item does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutboxKind {
    Send,
    Edit,
    Delete,
    React,
    Unreact,
    MarkRead,
    CreateRoom,
    Join,
    Leave,
}

impl OutboxKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Edit => "edit",
            Self::Delete => "delete",
            Self::React => "react",
            Self::Unreact => "unreact",
            Self::MarkRead => "mark_read",
            Self::CreateRoom => "create_room",
            Self::Join => "join",
            Self::Leave => "leave",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "send" => Self::Send,
            "edit" => Self::Edit,
            "delete" => Self::Delete,
            "react" => Self::React,
            "unreact" => Self::Unreact,
            "mark_read" => Self::MarkRead,
            "create_room" => Self::CreateRoom,
            "join" => Self::Join,
            "leave" => Self::Leave,
            _ => return None,
        })
    }
}

/// One write waiting in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    pub txn_id: String,
    pub room_id: Uuid,
    pub kind: OutboxKind,
    pub state: OutboxState,
    pub created_at: OffsetDateTime,
}

/// Whether a timeline item (or a change to it) has reached the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EchoState {
    /// The server has it.
    Remote,
    /// Only here so far: the outbox item's state.
    Local(OutboxState),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyPreview {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub sender_name: String,
    /// Empty when the replied-to message is not held locally.
    pub body: String,
    pub deleted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReactionSummary {
    pub emoji: String,
    pub count: u32,
    /// The caller is among those who reacted (counting pending reactions).
    pub me: bool,
    /// The caller's own reaction (or its removal) is still in the outbox.
    pub pending: bool,
}

/// One message in a room's timeline, with local edits, deletes and
/// reactions still in the outbox laid over the server's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineItem {
    /// The server's event id, or a provisional id while a local echo.
    pub id: Uuid,
    pub room_id: Uuid,
    /// `None` for a local echo.
    pub seq: Option<i64>,
    pub sender_id: Uuid,
    pub sender_name: String,
    pub kind: MessageKind,
    pub body: String,
    pub reply_to: Option<ReplyPreview>,
    pub thread_root: Option<Uuid>,
    pub attachments: Vec<Uuid>,
    pub mentions_me: bool,
    pub created_at: OffsetDateTime,
    pub edited: bool,
    pub deleted: bool,
    pub reactions: Vec<ReactionSummary>,
    /// The message itself.
    pub echo: EchoState,
    /// An edit of it waiting in the outbox.
    pub pending_edit: Option<OutboxState>,
    /// A delete of it waiting in the outbox.
    pub pending_delete: Option<OutboxState>,
    pub txn_id: Option<String>,
}

/// A page of a timeline, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelinePage {
    pub items: Vec<TimelineItem>,
    /// Older messages are held locally: ask again with `before`.
    pub has_more_local: bool,
    /// Older messages exist on the server but are not held: call
    /// [`crate::Client::backfill`].
    pub needs_backfill: bool,
}

/// A page of newer messages, oldest first; see [`crate::Client::timeline_after`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewerPage {
    pub items: Vec<TimelineItem>,
    /// The page reaches the newest stored message (and holds the room's
    /// local echoes after it); otherwise ask again after its last seq.
    pub at_newest: bool,
}

/// What search looks for. Empty filters match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Words; each matches as a prefix, accents and case ignored.
    pub text: String,
    pub room_id: Option<Uuid>,
    pub sender_id: Option<Uuid>,
    /// Only messages with (or without) attachments.
    pub has_file: Option<bool>,
    pub after: Option<OffsetDateTime>,
    pub before: Option<OffsetDateTime>,
    /// At most this many hits (default 50).
    pub limit: Option<u32>,
}

/// A stretch of a search hit's body, matched or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub matched: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchHit {
    pub message_id: Uuid,
    pub room_id: Uuid,
    pub sender_id: Uuid,
    pub created_at: OffsetDateTime,
    pub body: String,
    /// The body cut into spans, the matched words marked.
    pub highlighted: Vec<Span>,
}

/// The signed-in account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub server_url: String,
}

/// A room to create (through the outbox).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRoom {
    pub workspace_id: Uuid,
    pub kind: RoomKind,
    pub name: String,
    pub visibility: tern_protocol::room::Visibility,
    pub topic: Option<String>,
    pub members: Vec<Uuid>,
}

/// A file attached to a message, as far as this device knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The server's file id, or a provisional id while the upload waits in
    /// the outbox.
    pub id: Uuid,
    /// The visible name; empty while unknown (see `known`).
    pub name: String,
    pub size: u64,
    pub mime: String,
    /// Name, size and type are known here. A file seen only by its id in
    /// someone's message is not, until [`crate::Client::fetch_file_info`]
    /// or [`crate::Client::download`] asks the server.
    pub known: bool,
    /// The bytes are in the local cache: [`crate::Client::download`]
    /// answers at once, with no network.
    pub cached: bool,
    /// Kept in the cache whatever its size cap.
    pub pinned: bool,
    /// Still to be uploaded (a local echo's file).
    pub uploading: bool,
}

/// The thumbnail sizes the server makes (the longer side, in pixels).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ThumbnailSize {
    /// 64 px
    Small,
    /// 320 px
    #[default]
    Medium,
    /// 800 px
    Large,
}

impl ThumbnailSize {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }
}

/// A member of a room as this device knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberInfo {
    pub user_id: Uuid,
    pub username: String,
    /// The display name, else the username.
    pub name: String,
    pub role: tern_protocol::room::RoomRole,
    pub state: MemberState,
}
