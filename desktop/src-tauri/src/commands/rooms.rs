//! The room list, rooms joined, left, created, found and opened; a room's
//! members, invitations and the caller's notification setting.

use tauri::State;
use tern_client_core::protocol::room::{DirectoryRoom, NotifyLevel};
use uuid::Uuid;

use crate::dto::{Member, NewRoom, RoomNotifications, RoomSummary};
use crate::error::{CmdError, CmdResult};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_list(state: State<'_, AppState>) -> CmdResult<Vec<RoomSummary>> {
    let result: CmdResult<_> = async {
        let rooms = state.client().await?.rooms().await?;
        Ok(rooms.into_iter().map(Into::into).collect())
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_create(state: State<'_, AppState>, room: NewRoom) -> CmdResult<Uuid> {
    let result: CmdResult<_> = async {
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
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_join(state: State<'_, AppState>, room_id: Uuid) -> CmdResult<String> {
    let result: CmdResult<_> = async { Ok(state.client().await?.join(room_id).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_leave(state: State<'_, AppState>, room_id: Uuid) -> CmdResult<String> {
    let result: CmdResult<_> = async { Ok(state.client().await?.leave(room_id).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_directory(
    state: State<'_, AppState>,
    workspace_id: Uuid,
) -> CmdResult<Vec<DirectoryRoom>> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.directory(workspace_id).await?) }.await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_open_direct(
    state: State<'_, AppState>,
    workspace_id: Uuid,
    user_id: Uuid,
) -> CmdResult<Uuid> {
    let result: CmdResult<_> = async {
        Ok(state
            .client()
            .await?
            .open_direct(workspace_id, user_id)
            .await?)
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_mark_read(
    state: State<'_, AppState>,
    room_id: Uuid,
    seq: Option<i64>,
) -> CmdResult<()> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.mark_read(room_id, seq).await?) }.await;
    state.worded(result)
}

/// A room's members as this device knows them, joined first.
#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_members(state: State<'_, AppState>, room_id: Uuid) -> CmdResult<Vec<Member>> {
    let result: CmdResult<_> = async {
        let m = state.client().await?.members(room_id).await?;
        Ok(m.into_iter().map(Into::into).collect())
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_invite(
    state: State<'_, AppState>,
    room_id: Uuid,
    user_id: Uuid,
) -> CmdResult<()> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.invite(room_id, user_id).await?) }.await;
    state.worded(result)
}

/// The caller's mute and notification level in a room.
#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_notifications(
    state: State<'_, AppState>,
    room_id: Uuid,
) -> CmdResult<RoomNotifications> {
    let result: CmdResult<_> = async {
        Ok(state
            .client()
            .await?
            .room_notifications(room_id)
            .await?
            .into())
    }
    .await;
    state.worded(result)
}

/// Sets the caller's mute and notification level in a room, for every
/// device (fields left out stay as they are).
#[tauri::command(rename_all = "snake_case")]
pub async fn rooms_set_notifications(
    state: State<'_, AppState>,
    room_id: Uuid,
    muted: Option<bool>,
    notify: Option<NotifyLevel>,
) -> CmdResult<()> {
    let result: CmdResult<_> = async {
        if muted.is_none() && notify.is_none() {
            return Err(CmdError::invalid(
                "desktop-invalid-nothing-to-change",
                "nothing to change: give muted or notify",
            ));
        }
        Ok(state
            .client()
            .await?
            .set_room_notifications(room_id, muted, notify)
            .await?)
    }
    .await;
    state.worded(result)
}
