//! WebSocket frames on `GET /api/v1/ws`. Every frame is a JSON text message
//! `{"type": "<frame type>", ...}`.

use serde::{Deserialize, Serialize};

use crate::room::Room;
use uuid::Uuid;

use crate::Event;

/// Close code sent to a consumer that fell behind: reconnect and sync.
pub const CLOSE_RESYNC: u16 = 4000;
/// Close code for a missing, bad or expired token.
pub const CLOSE_UNAUTHORIZED: u16 = 4001;
/// Close code for a session that was revoked while connected.
pub const CLOSE_REVOKED: u16 = 4003;
/// Close code for a connection that stopped answering pings.
pub const CLOSE_TIMEOUT: u16 = 4008;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RoomChange {
    Joined,
    Invited,
    Left,
    Updated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatus {
    Online,
    Away,
    Offline,
}

/// Frames the server sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame after a successful authentication.
    Ready { user_id: Uuid, session_id: Uuid },
    /// A new event in one of the caller's rooms.
    Event { event: Event },
    /// The caller's relation to a room changed, or the room did.
    Room {
        room_id: Uuid,
        change: RoomChange,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<Room>,
    },
    /// A member's read marker moved.
    Receipt {
        room_id: Uuid,
        user_id: Uuid,
        seq: i64,
    },
    /// Who is typing in a room now (the whole list, each time).
    Typing { room_id: Uuid, user_ids: Vec<Uuid> },
    Presence {
        user_id: Uuid,
        status: PresenceStatus,
    },
    Pong {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<u64>,
    },
    /// A client frame could not be used; the connection stays open.
    Error { code: String, message: String },
}

/// Frames the client sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Authenticates a socket opened without an `Authorization` header; must
    /// be the first frame.
    Auth {
        token: String,
    },
    Typing {
        room_id: Uuid,
        typing: bool,
    },
    Presence {
        status: PresenceStatus,
    },
    Ping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<u64>,
    },
}
