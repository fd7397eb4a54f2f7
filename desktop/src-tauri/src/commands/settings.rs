//! The app's settings.

use serde::Serialize;
use tauri::State;

use crate::error::CmdResult;
use crate::settings::Settings;
use crate::state::AppState;

#[derive(Clone, Debug, Serialize)]
pub struct SettingsView {
    pub settings: Settings,
    /// The catalog the system's locale picks (`en`, `ru`).
    pub system_language: &'static str,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_get(state: State<'_, AppState>) -> CmdResult<SettingsView> {
    let result: CmdResult<_> = async {
        let system = tern_client_core::i18n::system_locale().unwrap_or_default();
        Ok(SettingsView {
            settings: state.settings(),
            system_language: tern_client_core::i18n::negotiate(&system),
        })
    }
    .await;
    state.worded(result)
}

/// Saves the settings. A new cache size applies at once: the cache is
/// trimmed to it now, and later downloads keep to it.
#[tauri::command(rename_all = "snake_case")]
pub async fn settings_set(state: State<'_, AppState>, settings: Settings) -> CmdResult<()> {
    let result: CmdResult<_> = async {
        let before = state.settings().cache_size_mb;
        let cache_mb = settings.cache_size_mb;
        // The server is chosen by signing in, never by the settings screen,
        // whose copy may be older than the last sign-in.
        state.set_settings(Settings {
            server_url: state.settings().server_url,
            ..settings
        })?;
        if cache_mb != before
            && let Some(client) = state.client_if_open().await
        {
            client
                .set_file_cache_max_bytes(cache_mb.saturating_mul(1 << 20))
                .await?;
        }
        Ok(())
    }
    .await;
    state.worded(result)
}
