//! The account: profile and avatar, signed-in devices, finding people.

use tauri::State;
use uuid::Uuid;

use crate::dto::{Device, Person, Profile};
use crate::error::{CmdError, CmdResult};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn account_profile(state: State<'_, AppState>) -> CmdResult<Profile> {
    let result: CmdResult<_> = async { Ok(state.client().await?.profile().await?.into()) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn account_set_name(
    state: State<'_, AppState>,
    display_name: String,
) -> CmdResult<Profile> {
    let result: CmdResult<_> = async {
        Ok(state
            .client()
            .await?
            .update_profile(&display_name)
            .await?
            .into())
    }
    .await;
    state.worded(result)
}

/// Makes the image at `path` the avatar; `null` clears it.
#[tauri::command(rename_all = "snake_case")]
pub async fn account_set_avatar(
    state: State<'_, AppState>,
    path: Option<String>,
) -> CmdResult<Profile> {
    let result: CmdResult<_> = async {
        if path.as_deref().is_some_and(|p| p.trim().is_empty()) {
            return Err(CmdError::invalid(
                "desktop-invalid-avatar-not-chosen",
                "choose an image for the avatar",
            ));
        }
        let path = path.map(std::path::PathBuf::from);
        Ok(state
            .client()
            .await?
            .set_avatar(path.as_deref())
            .await?
            .into())
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn account_sessions(state: State<'_, AppState>) -> CmdResult<Vec<Device>> {
    let result: CmdResult<_> = async {
        let s = state.client().await?.sessions().await?;
        Ok(s.into_iter().map(Into::into).collect())
    }
    .await;
    state.worded(result)
}

/// Signs another device out (this one's own session is refused: that is
/// `auth_logout`).
#[tauri::command(rename_all = "snake_case")]
pub async fn account_revoke_session(state: State<'_, AppState>, session_id: Uuid) -> CmdResult<()> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.revoke_session(session_id).await?) }.await;
    state.worded(result)
}

/// Signs every other device out; answers how many.
#[tauri::command(rename_all = "snake_case")]
pub async fn account_revoke_other_sessions(state: State<'_, AppState>) -> CmdResult<usize> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.revoke_other_sessions().await?) }.await;
    state.worded(result)
}

/// People who share a workspace with the caller, by name prefix.
#[tauri::command(rename_all = "snake_case")]
pub async fn users_search(
    state: State<'_, AppState>,
    query: String,
    limit: Option<u32>,
) -> CmdResult<Vec<Person>> {
    let result: CmdResult<_> = async {
        let users = state
            .client()
            .await?
            .search_users(&query, limit.unwrap_or(20))
            .await?;
        Ok(users.into_iter().map(Into::into).collect())
    }
    .await;
    state.worded(result)
}
