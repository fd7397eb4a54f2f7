//! Tern's wire types: what the server, client-core, the bench and outside
//! tools say to each other.
//!
//! Everything here is plain data with `serde` derives and no I/O. The REST
//! bodies follow the v1 contract (DESIGN section 10); [`ws`] holds the
//! WebSocket frames, [`event`] the room log. Field names are `snake_case` and
//! never renamed: add fields, do not rename them. With the `openapi` feature
//! every type also derives its OpenAPI schema.

pub mod auth;
pub mod error;
pub mod event;
pub mod files;
pub mod limits;
pub mod room;
pub mod sync;
pub mod workspace;
pub mod ws;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use event::{Event, EventContent, MessageContent, MessageKind};

/// Every id is a UUIDv7 (time-ordered).
pub type UserId = uuid::Uuid;
pub type SessionId = uuid::Uuid;
pub type WorkspaceId = uuid::Uuid;
pub type RoomId = uuid::Uuid;
pub type EventId = uuid::Uuid;
pub type FileId = uuid::Uuid;
/// Position of an event in its room's log: 1, 2, 3 ... with no gaps.
pub type Seq = i64;
/// A UTC instant, RFC 3339 on the wire.
pub type Timestamp = time::OffsetDateTime;

/// Answer of `GET /healthz` and `GET /readyz`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
}
