//! The outbox (writes still to deliver) and the connection.

use tauri::State;

use crate::dto::{Connection, OutboxItem};
use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn outbox_list(state: State<'_, AppState>) -> CmdResult<Vec<OutboxItem>> {
    let items = state.client().await?.outbox().await?;
    Ok(items.into_iter().map(Into::into).collect())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn outbox_retry(state: State<'_, AppState>, txn_id: String) -> CmdResult<()> {
    Ok(state.client().await?.retry(&txn_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn outbox_discard(state: State<'_, AppState>, txn_id: String) -> CmdResult<()> {
    Ok(state.client().await?.discard(&txn_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn connection_get(state: State<'_, AppState>) -> CmdResult<Connection> {
    Ok(match state.client_if_open().await {
        Some(c) => c.connection().into(),
        None => Connection {
            state: crate::dto::ConnectionState::Offline,
            last_sync: None,
        },
    })
}

/// Drops the socket and connects again now.
#[tauri::command(rename_all = "snake_case")]
pub async fn connection_reconnect(state: State<'_, AppState>) -> CmdResult<()> {
    state.client().await?.reconnect();
    Ok(())
}
