//! The outbox (writes still to deliver) and the connection.

use tauri::State;

use crate::dto::{Connection, OutboxItem};
use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn outbox_list(state: State<'_, AppState>) -> CmdResult<Vec<OutboxItem>> {
    let result: CmdResult<_> = async {
        let items = state.client().await?.outbox().await?;
        let tr = state.translator();
        Ok(items
            .into_iter()
            .map(|i| OutboxItem::from(i).worded(&tr))
            .collect())
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn outbox_retry(state: State<'_, AppState>, txn_id: String) -> CmdResult<()> {
    let result: CmdResult<_> = async { Ok(state.client().await?.retry(&txn_id).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn outbox_discard(state: State<'_, AppState>, txn_id: String) -> CmdResult<()> {
    let result: CmdResult<_> = async { Ok(state.client().await?.discard(&txn_id).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn connection_get(state: State<'_, AppState>) -> CmdResult<Connection> {
    let result: CmdResult<_> = async {
        Ok(match state.client_if_open().await {
            Some(c) => c.connection().into(),
            None => Connection {
                state: crate::dto::ConnectionState::Offline,
                last_sync: None,
            },
        })
    }
    .await;
    state.worded(result)
}

/// Drops the socket and connects again now.
#[tauri::command(rename_all = "snake_case")]
pub async fn connection_reconnect(state: State<'_, AppState>) -> CmdResult<()> {
    let result: CmdResult<_> = async {
        state.client().await?.reconnect();
        Ok(())
    }
    .await;
    state.worded(result)
}
