//! Rooms and their members.

use serde::{Deserialize, Serialize};

use crate::auth::User;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    /// Exactly two members; one per pair of users in a workspace.
    Direct,
    /// A conversation among its members.
    Group,
    /// A topic room where many read and some write.
    Channel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Listed in the directory; any workspace member may join.
    Public,
    /// Listed by name; joined only by invitation; content only for members.
    Private,
    /// Not listed: only its members know it exists.
    Hidden,
}

/// Ordered from least to most powerful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RoomRole {
    Member,
    Moderator,
    Owner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberState {
    Joined,
    Invited,
    Left,
    Banned,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotifyLevel {
    #[default]
    All,
    Mentions,
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Room {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub kind: RoomKind,
    pub visibility: Visibility,
    /// `None` for direct rooms: clients show the other member's name.
    pub name: Option<String>,
    pub topic: Option<String>,
    pub created_by: Uuid,
    /// Only moderators and owners send.
    pub read_only: bool,
    /// Deletes erase content everywhere.
    pub secret: bool,
    pub archived: bool,
    /// The newest event's seq (0 when the log is empty).
    pub last_seq: i64,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_message_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Joined members.
    pub member_count: u32,
    #[serde(default)]
    pub avatar_file_id: Option<Uuid>,
}

/// `POST /api/v1/workspaces/{id}/rooms`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRoom {
    /// `group` or `channel` (direct rooms come from `POST .../direct`).
    pub kind: RoomKind,
    pub name: String,
    pub visibility: Visibility,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Workspace members to add at once (joined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<bool>,
    /// Makes the create idempotent: a retry with the same txn id answers
    /// the room the first request made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_id: Option<String>,
}

/// `POST /api/v1/workspaces/{id}/direct`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateDirect {
    pub user_id: Uuid,
}

/// `PATCH /api/v1/rooms/{id}`: fields left out stay as they are; an empty
/// topic clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRoom {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// An image file the caller may read; `null` clears the avatar.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::files::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub avatar_file_id: Option<Option<Uuid>>,
}

/// A member as everyone in the room sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomMember {
    pub user: User,
    pub role: RoomRole,
    pub state: MemberState,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub left_at: Option<OffsetDateTime>,
    /// How far this member has read.
    pub last_read_seq: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomMemberList {
    pub members: Vec<RoomMember>,
}

/// `PUT /api/v1/rooms/{id}/members/{user_id}`. `state` invites
/// (`invited`), bans (`banned`) or unbans (`left`); `role` changes the role.
/// `muted` and `notify` are personal and only set on oneself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetRoomMember {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<MemberState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoomRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<NotifyLevel>,
}

/// The caller's own membership of a room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    pub role: RoomRole,
    pub state: MemberState,
    pub muted: bool,
    pub notify: NotifyLevel,
    pub last_read_seq: i64,
}

/// A room as the directory shows it. For a private room the caller is not
/// in, only the name and size are shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryRoom {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub kind: RoomKind,
    pub visibility: Visibility,
    pub name: Option<String>,
    pub topic: Option<String>,
    pub member_count: u32,
    pub archived: bool,
    /// The caller's state in the room, if any.
    pub membership: Option<MemberState>,
}

/// `GET /api/v1/workspaces/{id}/rooms`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomDirectory {
    pub rooms: Vec<DirectoryRoom>,
}
