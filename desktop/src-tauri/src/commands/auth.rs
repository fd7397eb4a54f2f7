//! Signing in and out, and the session the window starts with.

use tauri::{AppHandle, Runtime, State};
use tern_client_core::protocol::workspace::Workspace;

use crate::dto::{Account, Session};
use crate::error::{CmdError, CmdResult};
use crate::settings::check_server_url;
use crate::state::AppState;

/// The remembered server and the restored account, if any. Opens the
/// client for the remembered server, so that everything cached reads at
/// once, online or not.
#[tauri::command(rename_all = "snake_case")]
pub async fn session_get<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CmdResult<Session> {
    let result: CmdResult<_> = async {
        let server_url = state.settings().server_url;
        let account = match &server_url {
            Some(url) => state
                .open_client(&app, url)
                .await?
                .account()
                .map(Into::into),
            None => None,
        };
        Ok(Session {
            server_url,
            account,
        })
    }
    .await;
    state.worded(result)
}

async fn remember<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    server_url: &str,
) -> CmdResult<(String, tern_client_core::Client)> {
    let url = check_server_url(server_url)?;
    let client = state.open_client(app, &url).await?;
    Ok((url, client))
}

fn save_url(state: &AppState, url: String) -> CmdResult<()> {
    let mut s = state.settings();
    s.server_url = Some(url);
    state.set_settings(s)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn auth_login<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    server_url: String,
    login: String,
    password: String,
) -> CmdResult<Account> {
    let result: CmdResult<_> = async {
        if login.trim().is_empty() || password.is_empty() {
            return Err(CmdError::invalid(
                "desktop-invalid-login-required",
                "login and password are required",
            ));
        }
        let (url, client) = remember(&app, &state, &server_url).await?;
        let account = client.login(login.trim(), &password).await?;
        save_url(&state, url)?;
        Ok(account.into())
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn auth_register<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    server_url: String,
    username: String,
    email: String,
    password: String,
    display_name: Option<String>,
) -> CmdResult<Account> {
    let result: CmdResult<_> = async {
        let (url, client) = remember(&app, &state, &server_url).await?;
        let display = display_name
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        let account = client
            .register(username.trim(), email.trim(), &password, display)
            .await?;
        save_url(&state, url)?;
        Ok(account.into())
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn auth_logout(state: State<'_, AppState>) -> CmdResult<()> {
    let result: CmdResult<_> = async { Ok(state.client().await?.logout().await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn workspaces_list(state: State<'_, AppState>) -> CmdResult<Vec<Workspace>> {
    let result: CmdResult<_> = async { Ok(state.client().await?.workspaces().await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn workspaces_create(
    state: State<'_, AppState>,
    slug: String,
    name: String,
) -> CmdResult<Workspace> {
    let result: CmdResult<_> = async {
        Ok(state
            .client()
            .await?
            .create_workspace(slug.trim(), name.trim())
            .await?)
    }
    .await;
    state.worded(result)
}
