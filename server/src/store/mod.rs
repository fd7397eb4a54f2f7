//! Storage behind one trait, so that the HTTP layer never knows which
//! database it talks to. [`sqlite::SqliteStore`] is the embedded default; a
//! PostgreSQL store implements the same trait and passes the same
//! [`conformance`] suite.
//!
//! The store keeps data integrity (gapless seqs, idempotent sends, one direct
//! room per pair, the last owner); *who may* do a thing is decided before the
//! call, in [`crate::authz`].

pub mod conformance;
mod db;
pub mod sqlite;

use std::collections::BTreeMap;

use async_trait::async_trait;
use tern_protocol::auth::{ServerRole, SessionInfo, User, UserKind};
use tern_protocol::event::{EventContent, MessageContent};
use tern_protocol::files::{ApiKeyInfo, ApiPermission, MetaEntry};
use tern_protocol::room::{
    DirectoryRoom, MemberState, Membership, NotifyLevel, Room, RoomKind, RoomMember, RoomRole,
    Visibility,
};
use tern_protocol::sync::{SyncRequest, SyncResponse};
use tern_protocol::workspace::{Workspace, WorkspaceKind, WorkspaceMember, WorkspaceRole};
use tern_protocol::{
    Event, EventId, FileId, RoomId, Seq, SessionId, Timestamp, UserId, WorkspaceId,
};

pub use db::migrate;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("username is taken")]
    UsernameTaken,
    #[error("email is taken")]
    EmailTaken,
    #[error("slug is taken")]
    SlugTaken,
    #[error("the last owner cannot leave or be demoted")]
    LastOwner,
    #[error("txn id {0:?} was already used for another request")]
    TxnConflict(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("invite has expired or was already used")]
    InviteExpired,
    #[error("schema: {0}")]
    Schema(String),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("io: {0}")]
    Io(String),
}

pub type StoreResult<T, E = StoreError> = std::result::Result<T, E>;

/// A user row as auth needs it.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub user: User,
    pub email: String,
    pub password_hash: String,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub kind: UserKind,
    pub server_role: ServerRole,
}

#[derive(Clone, Debug)]
pub struct NewSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub device_name: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub refresh_hash: String,
}

#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub info: SessionInfo,
    pub user_id: UserId,
    pub revoked: bool,
}

/// What a presented refresh token turned out to be.
#[derive(Clone, Debug)]
pub enum RefreshLookup {
    /// The session's current token.
    Current(SessionRecord),
    /// The token rotated away last, `rotated_ms_ago` milliseconds ago.
    Previous {
        session: SessionRecord,
        rotated_ms_ago: i64,
    },
    /// A token rotated away earlier: replay.
    Replayed(SessionId),
    Unknown,
}

#[derive(Clone, Debug)]
pub struct NewRoom {
    pub workspace_id: WorkspaceId,
    pub kind: RoomKind,
    pub visibility: Visibility,
    pub name: Option<String>,
    pub topic: Option<String>,
    pub created_by: UserId,
    pub read_only: bool,
    pub secret: bool,
    /// Joined at once, as members (the creator is the owner).
    pub members: Vec<UserId>,
    /// A retry with the same creator and txn id answers the first room.
    pub txn_id: Option<String>,
}

/// A member row as permission checks need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberRecord {
    pub role: RoomRole,
    pub state: MemberState,
}

/// A message as permission checks need it.
#[derive(Clone, Debug)]
pub struct MessageRecord {
    pub id: EventId,
    pub room_id: RoomId,
    pub seq: Seq,
    pub sender_id: UserId,
    pub deleted: bool,
    pub content: MessageContent,
}

/// A stored file: its visible row and the blob under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    pub id: FileId,
    pub sha256: String,
    pub size: u64,
    pub mime: String,
    pub name: String,
    pub owner_id: UserId,
    pub storage_key: String,
}

/// A new file row; its blob row is made when missing.
#[derive(Clone, Debug)]
pub struct NewFile {
    pub sha256: String,
    pub size: u64,
    pub mime: String,
    pub storage_key: String,
    pub owner_id: UserId,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct NewApiKey {
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub key_hash: String,
    pub permissions: Vec<ApiPermission>,
    pub bot_user_id: UserId,
    pub created_by: UserId,
    pub expires_at: Option<Timestamp>,
}

#[derive(Clone, Debug, Default)]
pub struct RoomChanges {
    pub name: Option<String>,
    pub topic: Option<String>,
    pub visibility: Option<Visibility>,
    pub read_only: Option<bool>,
    pub archived: Option<bool>,
    pub avatar_file_id: Option<Option<FileId>>,
}

/// A membership change: the new state and role of `target`.
#[derive(Clone, Copy, Debug)]
pub struct MembershipChange {
    pub room_id: RoomId,
    pub target: UserId,
    pub state: MemberState,
    pub role: Option<RoomRole>,
}

/// Which way to page a room's log.
#[derive(Clone, Copy, Debug)]
pub enum Page {
    /// Events with seq < this, newest of them first taken (answered ascending).
    Before(Seq),
    /// Events with seq > this, ascending.
    After(Seq),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The store answers queries (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;
    /// A server-wide flag (e.g. that the demo set was seeded).
    async fn server_flag(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_server_flag(&self, key: &str, value: &str) -> StoreResult<()>;

    // --- users and sessions ---
    async fn create_user(&self, user: NewUser) -> StoreResult<UserRecord>;
    /// By username, or by email when `login` holds an `@`.
    async fn user_by_login(&self, login: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>>;
    async fn update_user(
        &self,
        id: UserId,
        display_name: Option<String>,
        password_hash: Option<String>,
    ) -> StoreResult<UserRecord>;
    async fn set_server_role(&self, id: UserId, role: ServerRole) -> StoreResult<()>;
    /// Deactivating also revokes every session; returns the revoked ids.
    async fn set_user_active(&self, id: UserId, active: bool) -> StoreResult<Vec<SessionId>>;
    /// Users whose username or display name starts with `query`, among those
    /// sharing a workspace with `viewer` (everyone, when `viewer` is None).
    async fn search_users(
        &self,
        viewer: Option<UserId>,
        query: &str,
        limit: u32,
    ) -> StoreResult<Vec<User>>;
    async fn create_session(&self, session: NewSession) -> StoreResult<()>;
    async fn session(&self, id: SessionId) -> StoreResult<Option<SessionRecord>>;
    async fn lookup_refresh(&self, hash: &str) -> StoreResult<RefreshLookup>;
    /// Swaps the refresh hash if `expected` is still current (or previous,
    /// for the grace retry). False when another refresh won the race.
    async fn rotate_refresh(
        &self,
        id: SessionId,
        expected: &str,
        new_hash: &str,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> StoreResult<bool>;
    /// True when the session existed, belonged to `user` and was live.
    async fn revoke_session(&self, id: SessionId, user: Option<UserId>) -> StoreResult<bool>;
    async fn list_sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>>;
    async fn touch_session(&self, id: SessionId, ip: Option<String>) -> StoreResult<()>;
    /// Sessions revoked after `since` (to warm the revocation cache).
    async fn revoked_sessions_since(&self, since: Timestamp) -> StoreResult<Vec<SessionId>>;

    // --- workspaces ---
    async fn create_workspace(
        &self,
        owner: UserId,
        slug: &str,
        name: &str,
        kind: WorkspaceKind,
        settings: serde_json::Value,
    ) -> StoreResult<Workspace>;
    /// The workspace with `viewer`'s role filled in.
    async fn workspace(&self, id: WorkspaceId, viewer: UserId) -> StoreResult<Option<Workspace>>;
    async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>>;
    /// The viewer's workspaces, or all of them when `all`.
    async fn list_workspaces(&self, viewer: UserId, all: bool) -> StoreResult<Vec<Workspace>>;
    async fn update_workspace(
        &self,
        id: WorkspaceId,
        name: Option<String>,
        settings: Option<serde_json::Value>,
    ) -> StoreResult<()>;
    async fn workspace_role(
        &self,
        ws: WorkspaceId,
        user: UserId,
    ) -> StoreResult<Option<WorkspaceRole>>;
    async fn workspace_members(&self, ws: WorkspaceId) -> StoreResult<Vec<WorkspaceMember>>;
    /// Adds `user` or changes their role; refuses to demote the last owner.
    async fn set_workspace_member(
        &self,
        ws: WorkspaceId,
        user: UserId,
        role: WorkspaceRole,
    ) -> StoreResult<()>;
    /// Removes `user` from the workspace and from its rooms; refuses the last
    /// owner.
    async fn remove_workspace_member(&self, ws: WorkspaceId, user: UserId) -> StoreResult<()>;
    async fn create_invite(
        &self,
        ws: WorkspaceId,
        email: &str,
        role: WorkspaceRole,
        inviter: UserId,
        token_hash: &str,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// Accepts the invite for `user`, whose email must match; returns the
    /// workspace joined.
    async fn accept_invite(
        &self,
        token_hash: &str,
        user: UserId,
        email: &str,
    ) -> StoreResult<WorkspaceId>;

    // --- rooms ---
    async fn create_room(&self, room: NewRoom) -> StoreResult<Room>;
    /// The direct room of the pair, created when missing; true when created.
    async fn create_direct(
        &self,
        ws: WorkspaceId,
        a: UserId,
        b: UserId,
    ) -> StoreResult<(Room, bool)>;
    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>>;
    /// A number that changes whenever a committed write may have changed a
    /// permission fact (membership, roles, room settings). `None` when the
    /// store cannot tell, and then nothing may cache such facts.
    fn access_generation(&self) -> Option<u64> {
        None
    }
    /// The room with `user`'s membership and workspace role, in one read
    /// (every permission check about a room needs all three).
    async fn room_access(
        &self,
        id: RoomId,
        user: UserId,
    ) -> StoreResult<Option<(Room, Option<MemberRecord>, Option<WorkspaceRole>)>>;
    async fn room_member(&self, room: RoomId, user: UserId) -> StoreResult<Option<MemberRecord>>;
    async fn membership(&self, room: RoomId, user: UserId) -> StoreResult<Option<Membership>>;
    /// Rooms of `ws` the viewer may see: public and private ones always,
    /// hidden ones only where the viewer is joined or invited (all when
    /// `all`).
    async fn directory(
        &self,
        ws: WorkspaceId,
        viewer: UserId,
        all: bool,
    ) -> StoreResult<Vec<DirectoryRoom>>;
    async fn update_room(
        &self,
        id: RoomId,
        actor: UserId,
        changes: RoomChanges,
    ) -> StoreResult<Option<Event>>;
    /// Applies a membership change and appends its `member` event (None when
    /// nothing changed).
    async fn set_membership(
        &self,
        actor: UserId,
        change: MembershipChange,
    ) -> StoreResult<Option<Event>>;
    async fn set_member_prefs(
        &self,
        room: RoomId,
        user: UserId,
        muted: Option<bool>,
        notify: Option<NotifyLevel>,
    ) -> StoreResult<()>;
    async fn room_members(&self, room: RoomId) -> StoreResult<Vec<RoomMember>>;
    /// `(room, user)` for every joined membership (to warm the fan-out).
    async fn all_joined(&self) -> StoreResult<Vec<(RoomId, UserId)>>;
    /// Map of username to user id for the joined members of a room.
    async fn member_usernames(&self, room: RoomId) -> StoreResult<BTreeMap<String, UserId>>;

    // --- the log ---
    /// Appends `content` to the room's log and updates the message
    /// projection. With a txn id, a retry returns the first event instead of
    /// appending again. Deleting a deleted message returns the first delete;
    /// in a secret room a delete erases the target's content everywhere.
    async fn append(
        &self,
        room: RoomId,
        sender: UserId,
        content: EventContent,
        txn_id: Option<String>,
    ) -> StoreResult<Event>;
    async fn event_by_txn(&self, sender: UserId, txn_id: &str) -> StoreResult<Option<Event>>;
    async fn message(&self, room: RoomId, id: EventId) -> StoreResult<Option<MessageRecord>>;
    /// A message wherever it is (for forwards).
    async fn message_anywhere(&self, id: EventId) -> StoreResult<Option<MessageRecord>>;
    /// Adds or takes back a reaction. Idempotent: when the reaction is
    /// already in the asked state, the event that put it there is returned.
    /// `NotFound` when taking back a reaction that never was.
    async fn react(
        &self,
        room: RoomId,
        user: UserId,
        target: EventId,
        emoji: &str,
        add: bool,
    ) -> StoreResult<Event>;
    /// Moves the read marker forward (never back); the new marker, or None
    /// when it did not move.
    async fn mark_read(&self, room: RoomId, user: UserId, seq: Seq) -> StoreResult<Option<Seq>>;
    async fn events(&self, room: RoomId, page: Page, limit: u32)
    -> StoreResult<(Vec<Event>, bool)>;
    async fn sync(&self, user: UserId, req: &SyncRequest) -> StoreResult<SyncResponse>;

    // --- files ---
    async fn add_file(&self, file: NewFile) -> StoreResult<FileRecord>;
    async fn file(&self, id: FileId) -> StoreResult<Option<FileRecord>>;
    /// Rooms holding a message that references the file.
    async fn file_rooms(&self, id: FileId) -> StoreResult<Vec<RoomId>>;
    /// Whether the file is some user's or room's avatar.
    async fn file_is_avatar(&self, id: FileId) -> StoreResult<bool>;
    /// New file rows for `owner` on the same blobs (forwarding).
    async fn copy_files(&self, ids: Vec<FileId>, owner: UserId) -> StoreResult<Vec<FileRecord>>;
    /// Blobs no file references, at most `limit`.
    async fn unreferenced_blobs(&self, limit: u32) -> StoreResult<Vec<String>>;
    /// Deletes the blob row (and its thumbnails' rows) if nothing references
    /// it; answers the storage keys to delete.
    async fn take_unreferenced_blob(&self, sha256: &str) -> StoreResult<Vec<String>>;
    async fn thumbnail(&self, sha256: &str, size: &str) -> StoreResult<Option<(String, String)>>;
    async fn put_thumbnail(
        &self,
        sha256: &str,
        size: &str,
        key: &str,
        mime: &str,
    ) -> StoreResult<()>;
    async fn set_user_avatar(&self, user: UserId, file: Option<FileId>) -> StoreResult<()>;

    // --- API keys ---
    async fn create_api_key(&self, key: NewApiKey) -> StoreResult<ApiKeyInfo>;
    async fn api_keys(&self, ws: WorkspaceId) -> StoreResult<Vec<ApiKeyInfo>>;
    /// True when the key existed in `ws` and was active.
    async fn revoke_api_key(&self, ws: WorkspaceId, id: uuid::Uuid) -> StoreResult<bool>;
    async fn api_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKeyInfo>>;
    async fn touch_api_key(&self, id: uuid::Uuid) -> StoreResult<()>;

    // --- meta ---
    /// Sets an entry; answers it as stored.
    #[allow(clippy::too_many_arguments)]
    async fn put_meta(
        &self,
        entity_type: &str,
        entity_id: &str,
        key: &str,
        value: serde_json::Value,
        data_type: tern_protocol::files::MetaType,
        public: bool,
        owner: Option<UserId>,
    ) -> StoreResult<MetaEntry>;
    async fn meta(
        &self,
        entity_type: &str,
        entity_id: &str,
        key: &str,
    ) -> StoreResult<Option<MetaEntry>>;
    async fn list_meta(&self, entity_type: &str, entity_id: &str) -> StoreResult<Vec<MetaEntry>>;
    async fn delete_meta(&self, entity_type: &str, entity_id: &str, key: &str)
    -> StoreResult<bool>;
}
