//! Tern's client library: everything a front end needs, and nothing it
//! draws.
//!
//! **The store.** Each profile has its own folder with a SQLite database
//! (`tern.db`, WAL mode). Rooms, members, users, the raw room logs, the
//! message projection (edits, deletes, reactions and replies resolved),
//! read markers, the outbox and a full-text index all live there, so that
//! everything the user has seen can be read, listed and searched with no
//! network at all. Reads go to the store and never wait on the network.
//!
//! **The sync engine** (see [`sync`](crate::sync)) keeps the store caught
//! up. It opens the WebSocket first, then asks the server (`POST /sync`)
//! for everything after the last seq it holds in each room, and only then
//! applies the frames that arrived meanwhile, dropping the seqs it already
//! has, so nothing falls between the catch-up and the live stream. A live
//! event more than one past what a room holds makes it fetch the missing
//! run (gap fill). When the server answers a room with `limited` (too much
//! was missed), the newest events are shown at once and the hole behind
//! them is recorded; [`Client::backfill`] fills it on demand. A broken
//! socket is reopened with exponential backoff and jitter, an expired
//! access token is refreshed without the caller noticing, and
//! [`Client::connection`] tells offline / connecting / syncing / online and
//! when the last sync finished.
//!
//! **The outbox** (see [`outbox`](crate::outbox)) carries every write:
//! send, reply, edit, delete, react, mark read, create, join and leave a
//! room. The write is stored first, with a transaction id made here, in the
//! same transaction as its local echo, so it shows at once and survives a
//! crash or a restart. A background worker delivers the items of each room
//! strictly in order; the server treats a repeated txn id as the same
//! request, so a retry after a lost answer never lands twice. Failures that
//! may pass are retried with backoff and jitter (at once when the network
//! returns); failures that will not are marked failed with their reason,
//! stop blocking their room, and wait for the user to retry or discard
//! them. Two clients on one profile share the outbox through a claim on
//! each row, so an item is never sent by both.
//!
//! **Files** (see [`files`](crate::files)) go through the outbox too: a
//! file sent is stored as an item naming it on disk, shown at once, and
//! streamed to the server when its turn comes, with progress events.
//! Downloads and thumbnails land in a content-addressed cache under the
//! profile's `files/` folder, with a size cap, least-recently-used
//! eviction and pinning; what is cached opens offline.
//!
//! **For front ends**: a cloneable async [`Client`], one bounded event
//! stream of small diffs ([`ClientEvent`]), search ([`SearchQuery`]),
//! secrets in a [`SecretStore`], and translations ([`i18n::Translator`]).
//! The library reads no environment variables and installs no tracing
//! subscriber: the front end configures it through [`ClientConfig`].

mod account;
mod api;
mod cache;
mod client;
mod error;
mod events;
pub mod files;
pub mod i18n;
pub mod outbox;
mod secrets;
mod store;
pub mod sync;
mod tls;
mod types;

pub use account::{AVATAR_MAX_BYTES, RoomNotifications};
pub use cache::{CacheUsage, FILE_CACHE_MIN_BYTES};
pub use client::{Client, ClientConfig};
pub use error::{Error, Invalid, Result, RetryKind};
pub use events::{ClientEvent, EventStream, TimelineChange};
pub use secrets::{
    FileSecretStore, KEYRING_SERVICE, KeyringSecretStore, SecretStore, SecretsBackend,
};
pub use types::{
    Account, Attachment, ConnectionProblem, ConnectionState, ConnectionStatus, EchoState,
    MemberInfo, MessagePreview, NewRoom, NewerPage, OutboxItem, OutboxKind, OutboxState,
    ReactionSummary, ReplyPreview, RoomSummary, SearchHit, SearchQuery, Span, ThumbnailSize,
    TimelineItem, TimelinePage,
};

pub use tern_protocol as protocol;
