//! `POST /api/v1/sync` (DESIGN section 4).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::room::{Membership, Room, RoomMember};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Event;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// The last seq the client holds for each room it knows.
    #[serde(default)]
    pub rooms: BTreeMap<Uuid, i64>,
    /// At most this many events per room; more missing means `limited`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline_limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    /// Every room the caller is joined to or invited to.
    pub rooms: BTreeMap<Uuid, RoomSync>,
    /// Rooms the client listed that the caller is no longer in.
    pub left: Vec<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub server_time: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomSync {
    pub room: Room,
    pub membership: Membership,
    /// Messages from others after the read marker.
    pub unread_count: u32,
    /// Of those, the ones that mention the caller.
    pub mention_count: u32,
    /// All members, when the room is new to the client, the timeline is
    /// limited, or membership changed since the client's seq.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<RoomMember>>,
    /// Events after the client's seq, ascending.
    pub events: Vec<Event>,
    /// More events were missing than `timeline_limit`: these are the newest,
    /// and the client backfills the rest with `?before=`.
    pub limited: bool,
}
