//! The app's own settings, kept as JSON in the config dir
//! (`<config>/tern-desktop/settings.json`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CmdError, CmdResult};

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Settings {
    /// The server last signed in to.
    pub server_url: Option<String>,
    pub theme: Theme,
    /// `system`, or a catalog (`en`, `ru`).
    pub language: String,
    /// Desktop notifications for mentions and direct messages.
    pub notifications: bool,
    /// Rooms whose notifications are off.
    pub muted_rooms: Vec<uuid::Uuid>,
    /// The file cache's size cap.
    pub cache_size_mb: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            server_url: None,
            theme: Theme::System,
            language: "system".to_owned(),
            notifications: true,
            muted_rooms: Vec::new(),
            cache_size_mb: 1024,
        }
    }
}

pub const CACHE_MB_MIN: u64 = 16;
pub const CACHE_MB_MAX: u64 = 1 << 20;

impl Settings {
    pub fn path(config_dir: &Path) -> PathBuf {
        config_dir.join("settings.json")
    }

    /// The saved settings; defaults when there are none or they cannot be
    /// read (a broken file is not fatal: it is replaced on the next save).
    pub fn load(config_dir: &Path) -> Self {
        let p = Self::path(config_dir);
        match std::fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|e| {
                tracing::warn!(path = %p.display(), error = %e, "unreadable settings; using defaults");
                Self::default()
            }),
            Err(_) => Self::default(),
        }
    }

    /// Words things in the chosen language (`system`: the system's).
    pub fn translator(&self) -> tern_client_core::i18n::Translator {
        tern_client_core::i18n::Translator::new(
            (self.language != "system").then_some(self.language.as_str()),
        )
    }

    pub fn validate(&self) -> CmdResult<()> {
        if !matches!(self.language.as_str(), "system" | "en" | "ru") {
            return Err(CmdError::invalid(
                "desktop-invalid-language",
                format!("language {:?}: system, en or ru", self.language),
            )
            .arg("language", self.language.as_str()));
        }
        if !(CACHE_MB_MIN..=CACHE_MB_MAX).contains(&self.cache_size_mb) {
            return Err(CmdError::invalid(
                "desktop-invalid-cache-size",
                format!("cache size: {CACHE_MB_MIN} to {CACHE_MB_MAX} MB"),
            )
            .arg("min", CACHE_MB_MIN)
            .arg("max", CACHE_MB_MAX));
        }
        if let Some(u) = &self.server_url {
            check_server_url(u)?;
        }
        Ok(())
    }

    /// Writes the settings (to a temporary file renamed over the old one).
    pub fn save(&self, config_dir: &Path) -> CmdResult<()> {
        std::fs::create_dir_all(config_dir).map_err(CmdError::io)?;
        let p = Self::path(config_dir);
        let tmp = p.with_extension("json.tmp");
        let body = serde_json::to_vec_pretty(self).map_err(CmdError::io)?;
        std::fs::write(&tmp, body).map_err(CmdError::io)?;
        std::fs::rename(&tmp, &p).map_err(CmdError::io)?;
        Ok(())
    }
}

/// A server URL: `http://` or `https://`, a host, no spaces. Returns it
/// without a trailing slash.
pub fn check_server_url(u: &str) -> CmdResult<String> {
    let u = u.trim().trim_end_matches('/');
    let rest = u
        .strip_prefix("http://")
        .or_else(|| u.strip_prefix("https://"))
        .ok_or_else(|| {
            CmdError::invalid(
                "desktop-invalid-server-url-scheme",
                format!("server URL {u:?}: start it with http:// or https://"),
            )
            .arg("url", u)
        })?;
    if rest.is_empty() || rest.contains(char::is_whitespace) || rest.starts_with('/') {
        return Err(CmdError::invalid(
            "desktop-invalid-server-url-host",
            format!("server URL {u:?}: name a host"),
        )
        .arg("url", u));
    }
    Ok(u.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_survive_a_broken_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Settings::load(dir.path()), Settings::default());
        let s = Settings {
            server_url: Some("http://127.0.0.1:8080".into()),
            theme: Theme::Dark,
            language: "ru".into(),
            ..Settings::default()
        };
        s.save(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(Settings::load(dir.path()), s);
        std::fs::write(Settings::path(dir.path()), "{not json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Settings::load(dir.path()), Settings::default());
    }

    #[test]
    fn bad_values_are_refused() {
        let bad_lang = Settings {
            language: "klingon".into(),
            ..Settings::default()
        };
        assert_eq!(
            bad_lang.validate().map_err(|e| e.code),
            Err("invalid_input")
        );
        let bad_cache = Settings {
            cache_size_mb: 1,
            ..Settings::default()
        };
        assert!(bad_cache.validate().is_err());
        assert!(check_server_url("ftp://x").is_err());
        assert!(check_server_url("http://").is_err());
        assert_eq!(
            check_server_url(" http://h:1/ ").ok().as_deref(),
            Some("http://h:1")
        );
    }
}
