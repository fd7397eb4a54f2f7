//! A room's timeline and the writes aimed at its messages.

use tauri::State;
use uuid::Uuid;

use crate::dto::{NewerPage, TimelineItem, TimelinePage};
use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_page(
    state: State<'_, AppState>,
    room_id: Uuid,
    before: Option<i64>,
    limit: Option<u32>,
) -> CmdResult<TimelinePage> {
    let result: CmdResult<_> = async {
        let page = state
            .client()
            .await?
            .timeline(room_id, before, limit.unwrap_or(100))
            .await?;
        Ok(TimelinePage::from(page).worded(&state.translator()))
    }
    .await;
    state.worded(result)
}

/// The page after seq `after`: a reader scrolled back into history
/// scrolling down again.
#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_after(
    state: State<'_, AppState>,
    room_id: Uuid,
    after: i64,
    limit: Option<u32>,
) -> CmdResult<NewerPage> {
    let result: CmdResult<_> = async {
        let page = state
            .client()
            .await?
            .timeline_after(room_id, after, limit.unwrap_or(100))
            .await?;
        Ok(NewerPage::from(page).worded(&state.translator()))
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_message(
    state: State<'_, AppState>,
    id: Uuid,
) -> CmdResult<Option<TimelineItem>> {
    let result: CmdResult<_> = async {
        let item = state.client().await?.message(id).await?;
        Ok(item.map(|i| TimelineItem::from(i).worded(&state.translator())))
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_send(
    state: State<'_, AppState>,
    room_id: Uuid,
    body: String,
) -> CmdResult<Uuid> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.send(room_id, &body).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_reply(
    state: State<'_, AppState>,
    reply_to: Uuid,
    body: String,
) -> CmdResult<Uuid> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.reply(reply_to, &body).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_edit(
    state: State<'_, AppState>,
    message_id: Uuid,
    body: String,
) -> CmdResult<String> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.edit(message_id, &body).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_delete(state: State<'_, AppState>, message_id: Uuid) -> CmdResult<String> {
    let result: CmdResult<_> = async { Ok(state.client().await?.delete(message_id).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_react(
    state: State<'_, AppState>,
    message_id: Uuid,
    emoji: String,
) -> CmdResult<String> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.react(message_id, &emoji).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_unreact(
    state: State<'_, AppState>,
    message_id: Uuid,
    emoji: String,
) -> CmdResult<String> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.unreact(message_id, &emoji).await?) }.await;
    state.worded(result)
}

/// Fetches older history the store does not hold; the number of events.
#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_backfill(
    state: State<'_, AppState>,
    room_id: Uuid,
    limit: Option<u32>,
) -> CmdResult<usize> {
    let result: CmdResult<_> = async {
        Ok(state
            .client()
            .await?
            .backfill(room_id, limit.unwrap_or(100))
            .await?)
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_typing(
    state: State<'_, AppState>,
    room_id: Uuid,
    typing: bool,
) -> CmdResult<()> {
    let result: CmdResult<_> = async {
        state.client().await?.typing(room_id, typing);
        Ok(())
    }
    .await;
    state.worded(result)
}
