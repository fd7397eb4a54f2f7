//! Loading what a permission check needs, then asking [`crate::authz`].

use tern_protocol::room::Room;
use tern_protocol::workspace::WorkspaceRole;
use tern_protocol::{RoomId, WorkspaceId};

use super::AppState;
use super::extract::Auth;
use crate::authz::{self, Cap, RoomCtx, Subject};
use crate::error::{AppError, AppResult};
use crate::store::MemberRecord;

/// A room the caller may act on, with what was learnt on the way.
pub struct RoomAccess {
    pub room: Room,
    pub member: Option<MemberRecord>,
    pub workspace_role: Option<WorkspaceRole>,
}

impl RoomAccess {
    pub fn is_moderator(&self, auth: &Auth) -> bool {
        let joined_mod = self.member.is_some_and(|m| {
            m.state == tern_protocol::room::MemberState::Joined
                && m.role >= tern_protocol::room::RoomRole::Moderator
        });
        auth.is_admin()
            || joined_mod
            || (self.room.kind != tern_protocol::room::RoomKind::Direct
                && self.workspace_role >= Some(WorkspaceRole::Admin))
    }
}

pub async fn room(state: &AppState, auth: &Auth, id: RoomId, cap: Cap) -> AppResult<RoomAccess> {
    let (room, member, workspace_role) = state
        .store
        .room_access(id, auth.user_id)
        .await?
        .filter(|(r, ..)| auth.scope.is_none_or(|ws| ws == r.workspace_id))
        .ok_or_else(|| AppError::not_found("room"))?;
    let subject = Subject {
        server_role: auth.server_role,
        workspace_role,
        room: Some(RoomCtx {
            kind: room.kind,
            visibility: room.visibility,
            read_only: room.read_only,
            archived: room.archived,
            member: member.map(|m| (m.role, m.state)),
        }),
    };
    authz::check(&subject, cap).map_err(|d| AppError::denied(d, "room"))?;
    Ok(RoomAccess {
        room,
        member,
        workspace_role,
    })
}

/// Checks a workspace-level capability; answers the caller's role.
pub async fn workspace(
    state: &AppState,
    auth: &Auth,
    id: WorkspaceId,
    cap: Cap,
) -> AppResult<Option<WorkspaceRole>> {
    if auth.scope.is_some_and(|ws| ws != id) {
        return Err(AppError::not_found("workspace"));
    }
    let role = state.store.workspace_role(id, auth.user_id).await?;
    if role.is_none() && auth.is_admin() {
        // Admins pass every check, but the workspace must exist.
        state
            .store
            .workspace(id, auth.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("workspace"))?;
    }
    let subject = Subject {
        server_role: auth.server_role,
        workspace_role: role,
        room: None,
    };
    authz::check(&subject, cap).map_err(|d| AppError::denied(d, "workspace"))?;
    Ok(role)
}
