//! The account's own things on the server: the profile (display name and
//! avatar), the signed-in devices, people to talk to, and the caller's
//! notification setting in a room.
//!
//! These are online-only operations: they ask the server and answer what
//! it says. None goes through the outbox, since a profile change or a
//! revoked device that waits offline would be a surprise later. Input is
//! checked here first, so a bad value never reaches the network.

use std::path::Path;

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use rusqlite::OptionalExtension;
use tern_protocol::auth::{Me, SessionInfo, SessionList, UpdateMe, User, UserList};
use tern_protocol::files::FileInfo;
use tern_protocol::limits;
use tern_protocol::room::NotifyLevel;
use tern_protocol::{RoomId, UserId};
use uuid::Uuid;

use crate::client::Client;
use crate::error::{Error, Invalid, Result};
use crate::events::ClientEvent;
use crate::store::apply;

/// The largest avatar image accepted, in bytes.
pub const AVATAR_MAX_BYTES: u64 = 10 << 20;

/// The caller's notification setting in a room, as this device knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomNotifications {
    pub muted: bool,
    pub notify: NotifyLevel,
}

impl Client {
    /// The caller's profile (asks the server); the local copy of the user
    /// is brought up to date on the way.
    pub async fn profile(&self) -> Result<Me> {
        let me: Me = self
            .shared
            .api
            .call(Method::GET, "/api/v1/users/me", None)
            .await?;
        self.remember_user(me.user.clone()).await?;
        Ok(me)
    }

    /// Changes the caller's display name: 1 to 64 characters, not only
    /// spaces (surrounding spaces are dropped).
    pub async fn update_profile(&self, display_name: &str) -> Result<Me> {
        let name = display_name.trim();
        let n = name.chars().count();
        if n == 0 || n > limits::DISPLAY_NAME_MAX || name.chars().any(char::is_control) {
            return Err(Invalid::DisplayName {
                name: display_name.to_owned(),
                max: limits::DISPLAY_NAME_MAX,
            }
            .into());
        }
        self.patch_me(UpdateMe {
            display_name: Some(name.to_owned()),
            ..UpdateMe::default()
        })
        .await
    }

    /// Uploads the image at `path` and makes it the caller's avatar, or
    /// clears the avatar with `None`. Only images up to
    /// [`AVATAR_MAX_BYTES`] are taken; anything else is refused before a
    /// byte is sent.
    pub async fn set_avatar(&self, path: Option<&Path>) -> Result<Me> {
        let Some(path) = path else {
            return self
                .patch_me(UpdateMe {
                    avatar_file_id: Some(None),
                    ..UpdateMe::default()
                })
                .await;
        };
        self.me_id()?;
        let meta = tokio::fs::metadata(path).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::from(Invalid::AvatarMissing {
                    path: path.display().to_string(),
                })
            } else {
                Error::io(path, e)
            }
        })?;
        if !meta.is_file() || meta.len() == 0 || meta.len() > AVATAR_MAX_BYTES {
            return Err(Invalid::AvatarSize {
                path: path.display().to_string(),
                max: AVATAR_MAX_BYTES,
            }
            .into());
        }
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| Error::io(path, e))?;
        if !looks_like_image(&bytes) {
            return Err(Invalid::AvatarNotImage {
                path: path.display().to_string(),
            }
            .into());
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "avatar".to_owned());
        let url = format!("/api/v1/files?name={}", crate::outbox::enc(&name));
        let info: FileInfo = self
            .shared
            .api
            .send_with(Method::POST, &url, |r| {
                Ok(r.header(CONTENT_TYPE, "application/octet-stream")
                    .body(bytes.clone()))
            })
            .await?
            .json()
            .await
            .map_err(|e| Error::Protocol(e.to_string()))?;
        self.patch_me(UpdateMe {
            avatar_file_id: Some(Some(info.id)),
            ..UpdateMe::default()
        })
        .await
    }

    async fn patch_me(&self, req: UpdateMe) -> Result<Me> {
        self.me_id()?;
        let me: Me = self
            .shared
            .api
            .call(
                Method::PATCH,
                "/api/v1/users/me",
                Some(serde_json::to_value(req)?),
            )
            .await?;
        self.remember_user(me.user.clone()).await?;
        // Names in the room list and timelines come from the local users.
        self.shared.events.emit(ClientEvent::RoomListChanged);
        Ok(me)
    }

    async fn remember_user(&self, user: User) -> Result<()> {
        self.shared
            .store
            .write(move |tx| apply::upsert_user(tx, &user))
            .await
    }

    fn me_id(&self) -> Result<UserId> {
        self.shared.me().ok_or(Error::NotSignedIn)
    }

    /// The caller's signed-in devices, most recently seen first; the one
    /// this client uses has `current` set (asks the server).
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>> {
        self.me_id()?;
        let list: SessionList = self
            .shared
            .api
            .call(Method::GET, "/api/v1/sessions", None)
            .await?;
        Ok(list.sessions)
    }

    /// Signs another device out. This device's own session is refused:
    /// signing it out is [`Client::logout`], which also clears what this
    /// device keeps.
    pub async fn revoke_session(&self, session: Uuid) -> Result<()> {
        self.me_id()?;
        if self.account().map(|a| a.session_id) == Some(session) {
            return Err(Invalid::RevokeOwnSession {
                session: session.to_string(),
            }
            .into());
        }
        self.shared
            .api
            .call_unit(Method::DELETE, &format!("/api/v1/sessions/{session}"), None)
            .await
    }

    /// Signs every other device out; answers how many.
    pub async fn revoke_other_sessions(&self) -> Result<usize> {
        let mut n = 0;
        for s in self.sessions().await? {
            if !s.current {
                self.revoke_session(s.id).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// People who share a workspace with the caller whose username or
    /// display name starts with `query` (at most 100 characters), up to
    /// `limit` (1 to 100) of them (asks the server).
    pub async fn search_users(&self, query: &str, limit: u32) -> Result<Vec<User>> {
        self.me_id()?;
        let q = query.trim();
        if q.chars().count() > limits::SEARCH_QUERY_MAX {
            return Err(Invalid::UserSearchTooLong {
                max: limits::SEARCH_QUERY_MAX,
            }
            .into());
        }
        if !(1..=100).contains(&limit) {
            return Err(Invalid::UserSearchLimit {
                limit: limit.into(),
            }
            .into());
        }
        let url = format!(
            "/api/v1/users?query={}&limit={limit}",
            crate::outbox::enc(q)
        );
        let list: UserList = self.shared.api.call(Method::GET, &url, None).await?;
        Ok(list.users)
    }

    /// The caller's mute and notification level in a room, as last synced
    /// (local only); set them with [`Client::set_room_notifications`].
    pub async fn room_notifications(&self, room: RoomId) -> Result<RoomNotifications> {
        self.me_id()?;
        let row: Option<(bool, String)> = self
            .shared
            .store
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT muted, notify FROM rooms WHERE id = ?1",
                    [room.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
            })
            .await?;
        let (muted, notify) = row.ok_or_else(|| Error::NotFound(format!("room {room}")))?;
        Ok(RoomNotifications {
            muted,
            notify: serde_json::from_value(serde_json::Value::String(notify)).unwrap_or_default(),
        })
    }
}

/// PNG, JPEG, GIF or WebP by their first bytes: the server sniffs too, but
/// a file it would refuse is not worth uploading.
fn looks_like_image(b: &[u8]) -> bool {
    b.starts_with(b"\x89PNG\r\n\x1a\n")
        || b.starts_with(b"\xff\xd8\xff")
        || b.starts_with(b"GIF87a")
        || b.starts_with(b"GIF89a")
        || (b.len() > 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP")
}

#[cfg(test)]
mod tests {
    #[test]
    fn images_are_told_by_their_first_bytes() {
        assert!(super::looks_like_image(b"\x89PNG\r\n\x1a\nrest"));
        assert!(super::looks_like_image(b"\xff\xd8\xff\xe0"));
        assert!(super::looks_like_image(b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(!super::looks_like_image(b"%PDF-1.7"));
        assert!(!super::looks_like_image(b""));
    }
}
