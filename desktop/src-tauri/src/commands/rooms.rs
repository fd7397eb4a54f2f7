//! The room list, rooms joined, left, created, found and opened.

use tauri::State;
use tern_client_core::protocol::room::DirectoryRoom;
use uuid::Uuid;

use crate::dto::{NewRoom, RoomSummary};
use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_list(state: State<'_, AppState>) -> CmdResult<Vec<RoomSummary>> {
    let rooms = state.client().await?.rooms().await?;
    Ok(rooms.into_iter().map(Into::into).collect())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_create(state: State<'_, AppState>, room: NewRoom) -> CmdResult<Uuid> {
    let room = tern_client_core::NewRoom {
        workspace_id: room.workspace_id,
        kind: room.kind,
        name: room.name,
        visibility: room.visibility,
        topic: room.topic.filter(|t| !t.trim().is_empty()),
        members: room.members,
    };
    Ok(state.client().await?.create_room(room).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_join(state: State<'_, AppState>, room_id: Uuid) -> CmdResult<String> {
    Ok(state.client().await?.join(room_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_leave(state: State<'_, AppState>, room_id: Uuid) -> CmdResult<String> {
    Ok(state.client().await?.leave(room_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_directory(
    state: State<'_, AppState>,
    workspace_id: Uuid,
) -> CmdResult<Vec<DirectoryRoom>> {
    Ok(state.client().await?.directory(workspace_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_open_direct(
    state: State<'_, AppState>,
    workspace_id: Uuid,
    user_id: Uuid,
) -> CmdResult<Uuid> {
    Ok(state
        .client()
        .await?
        .open_direct(workspace_id, user_id)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_mark_read(
    state: State<'_, AppState>,
    room_id: Uuid,
    seq: Option<i64>,
) -> CmdResult<()> {
    Ok(state.client().await?.mark_read(room_id, seq).await?)
}
