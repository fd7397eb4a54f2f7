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
    let system = tern_client_core::i18n::system_locale().unwrap_or_default();
    Ok(SettingsView {
        settings: state.settings(),
        system_language: tern_client_core::i18n::negotiate(&system),
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_set(state: State<'_, AppState>, settings: Settings) -> CmdResult<()> {
    state.set_settings(settings)
}
