//! Size limits every party checks the same way.

/// Usernames: 3 to 32 of `a-z 0-9 _ . -`, starting with a letter or digit.
pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;
pub const EMAIL_MAX: usize = 254;
pub const DISPLAY_NAME_MAX: usize = 64;
pub const DEVICE_NAME_MAX: usize = 128;
/// Workspace slugs: 2 to 40 of `a-z 0-9 -`.
pub const SLUG_MIN: usize = 2;
pub const SLUG_MAX: usize = 40;
pub const WORKSPACE_NAME_MAX: usize = 80;
/// Serialized size of a workspace's settings object.
pub const SETTINGS_MAX_BYTES: usize = 16 * 1024;
pub const ROOM_NAME_MAX: usize = 80;
pub const TOPIC_MAX: usize = 500;
/// Characters in a message body.
pub const BODY_MAX_CHARS: usize = 16_000;
/// Bytes in a reaction key.
pub const EMOJI_MAX_BYTES: usize = 32;
/// A txn id: 1 to 64 of `A-Z a-z 0-9 . _ ~ -`.
pub const TXN_ID_MAX: usize = 64;
pub const ATTACHMENTS_MAX: usize = 20;
pub const INITIAL_MEMBERS_MAX: usize = 500;
pub const TIMELINE_LIMIT_DEFAULT: u32 = 50;
pub const TIMELINE_LIMIT_MAX: u32 = 500;
pub const EVENTS_PAGE_MAX: u32 = 1000;
pub const SEARCH_QUERY_MAX: usize = 100;
