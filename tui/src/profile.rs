//! What the terminal client remembers per profile beside client-core's
//! store: the server it signed in to, when it last caught up, and the
//! workspaces' names (client-core keeps only their ids), so that later runs
//! and headless commands need no `--server` and can name rooms
//! `workspace/room` offline; and the user's mute and notification level
//! per room.
//!
//! The file is `<data dir>/<profile>/tui-state.json`. It is a cache: a
//! missing or broken file is the same as an empty one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tern_client_core::protocol::room::NotifyLevel;
use uuid::Uuid;

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct WorkspaceName {
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct ProfileState {
    pub server_url: Option<String>,
    /// Unix seconds of the last finished sync by any `tern` on this profile.
    pub last_sync: Option<i64>,
    pub workspaces: BTreeMap<Uuid, WorkspaceName>,
    /// Mute and notification level per room.
    pub rooms: BTreeMap<Uuid, RoomPrefs>,
}

/// The user's choices for one room: muted, and which messages notify.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct RoomPrefs {
    pub muted: Option<bool>,
    pub notify: Option<NotifyLevel>,
}

pub fn path(data_dir: &Path, profile: &str) -> PathBuf {
    data_dir.join(profile).join("tui-state.json")
}

impl ProfileState {
    pub fn load(data_dir: &Path, profile: &str) -> Self {
        std::fs::read(path(data_dir, profile))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes the file (atomically, through a temp file). Failures are
    /// logged: the file is only a cache.
    pub fn save(&self, data_dir: &Path, profile: &str) {
        let p = path(data_dir, profile);
        let tmp = p.with_extension("json.tmp");
        let res = serde_json::to_vec_pretty(self)
            .map_err(std::io::Error::other)
            .and_then(|b| {
                if let Some(dir) = p.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(&tmp, b)?;
                std::fs::rename(&tmp, &p)
            });
        if let Err(e) = res {
            tracing::warn!(path = %p.display(), error = %e, "cannot save the profile state");
        }
    }

    /// Loads, changes and saves in one step.
    pub fn update(data_dir: &Path, profile: &str, f: impl FnOnce(&mut Self)) {
        let mut s = Self::load(data_dir, profile);
        f(&mut s);
        s.save(data_dir, profile);
    }
}
