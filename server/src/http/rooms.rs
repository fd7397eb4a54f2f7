//! Rooms: creation, the directory, settings and membership.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tern_protocol::room::{
    CreateDirect, CreateRoom, MemberState, Room, RoomDirectory, RoomKind, RoomMemberList, RoomRole,
    SetRoomMember, UpdateRoom,
};
use tern_protocol::workspace::WorkspaceRole;
use tern_protocol::{ErrorBody, Event, RoomId, UserId, WorkspaceId, limits};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, Auth};
use super::{AppState, access};
use crate::authz::{self, Cap};
use crate::error::{AppError, AppResult};
use crate::store::{MembershipChange, NewRoom, RoomChanges};
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_room, directory))
        .routes(routes!(create_direct))
        .routes(routes!(get_room, update_room))
        .routes(routes!(join_room))
        .routes(routes!(leave_room))
        .routes(routes!(list_members))
        .routes(routes!(set_member, kick_member))
}

/// The room as it is now (after a change).
async fn reload(state: &AppState, id: RoomId) -> AppResult<Room> {
    state
        .store
        .room(id)
        .await?
        .ok_or_else(|| AppError::not_found("room"))
}

/// Moves the caller's own membership to `to`.
async fn move_self(state: &AppState, auth: &Auth, id: RoomId, to: MemberState) -> AppResult<()> {
    state
        .store
        .set_membership(
            auth.user_id,
            MembershipChange {
                room_id: id,
                target: auth.user_id,
                state: to,
                role: None,
            },
        )
        .await?;
    Ok(())
}

fn topic(t: Option<&str>) -> AppResult<Option<String>> {
    t.map(|t| validate::text("topic", t, 0, limits::TOPIC_MAX))
        .transpose()
}

/// Creates a group or channel; the caller becomes its owner.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/rooms", tag = "rooms",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)), request_body = CreateRoom,
    responses((status = 201, body = Room), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_room(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(req): ApiJson<CreateRoom>,
) -> AppResult<(StatusCode, axum::Json<Room>)> {
    access::workspace(&state, &auth, ws, Cap::CreateRoom).await?;
    if req.kind == RoomKind::Direct {
        return Err(AppError::invalid(
            "direct rooms are made with POST /api/v1/workspaces/{id}/direct",
        ));
    }
    let name = validate::text("name", &req.name, 1, limits::ROOM_NAME_MAX)?;
    let topic = topic(req.topic.as_deref())?.filter(|t| !t.is_empty());
    if let Some(t) = &req.txn_id {
        validate::txn_id(t)?;
    }
    let members = req.members.unwrap_or_default();
    if members.len() > limits::INITIAL_MEMBERS_MAX {
        return Err(AppError::invalid(format!(
            "at most {} initial members",
            limits::INITIAL_MEMBERS_MAX
        )));
    }
    let room = state
        .store
        .create_room(NewRoom {
            workspace_id: ws,
            kind: req.kind,
            visibility: req.visibility,
            name: Some(name),
            topic,
            created_by: auth.user_id,
            read_only: req.read_only.unwrap_or(false),
            secret: req.secret.unwrap_or(false),
            members,
            txn_id: req.txn_id,
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(room)))
}

/// Opens (or finds) the direct room with another workspace member.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/direct", tag = "rooms",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)), request_body = CreateDirect,
    responses((status = 201, body = Room, description = "created"),
        (status = 200, body = Room, description = "already existed"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_direct(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(req): ApiJson<CreateDirect>,
) -> AppResult<(StatusCode, axum::Json<Room>)> {
    access::workspace(&state, &auth, ws, Cap::StartDirect).await?;
    if req.user_id == auth.user_id {
        return Err(AppError::invalid("a direct room needs another user"));
    }
    if state.store.workspace_role(ws, req.user_id).await?.is_none() {
        return Err(AppError::not_found("user"));
    }
    let (room, created) = state
        .store
        .create_direct(ws, auth.user_id, req.user_id)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(room)))
}

/// The rooms of a workspace the caller may see: public and private ones
/// (private ones by name only), and hidden ones the caller is in.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/rooms", tag = "rooms",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = RoomDirectory), (status = 404, body = ErrorBody)))]
async fn directory(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
) -> AppResult<axum::Json<RoomDirectory>> {
    let role = access::workspace(&state, &auth, ws, Cap::ViewWorkspace).await?;
    let all = auth.is_admin() || role >= Some(WorkspaceRole::Admin);
    let rooms = state.store.directory(ws, auth.user_id, all).await?;
    Ok(axum::Json(RoomDirectory { rooms }))
}

/// One room.
#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "rooms",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Room), (status = 404, body = ErrorBody)))]
async fn get_room(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<RoomId>,
) -> AppResult<axum::Json<Room>> {
    Ok(axum::Json(
        access::room(&state, &auth, id, Cap::SeeRoom).await?.room,
    ))
}

/// Changes name, topic, visibility, read-only or archived (moderators).
#[utoipa::path(patch, path = "/api/v1/rooms/{id}", tag = "rooms",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)), request_body = UpdateRoom,
    responses((status = 200, body = Room), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_room(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<RoomId>,
    ApiJson(req): ApiJson<UpdateRoom>,
) -> AppResult<axum::Json<Room>> {
    let acc = access::room(&state, &auth, id, Cap::ChangeRoomSettings).await?;
    if acc.room.kind == RoomKind::Direct && (req.name.is_some() || req.visibility.is_some()) {
        return Err(AppError::invalid("direct rooms have no name or visibility"));
    }
    let changes = RoomChanges {
        name: req
            .name
            .as_deref()
            .map(|n| validate::text("name", n, 1, limits::ROOM_NAME_MAX))
            .transpose()?,
        topic: topic(req.topic.as_deref())?,
        visibility: req.visibility,
        read_only: req.read_only,
        archived: req.archived,
        avatar_file_id: match req.avatar_file_id {
            Some(Some(f)) => Some(Some(super::files::avatar(&state, &auth, f).await?)),
            other => other,
        },
    };
    state.store.update_room(id, auth.user_id, changes).await?;
    Ok(axum::Json(reload(&state, id).await?))
}

/// Joins a public room, or one the caller was invited to.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/join", tag = "rooms",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Room), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn join_room(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<RoomId>,
) -> AppResult<axum::Json<Room>> {
    access::room(&state, &auth, id, Cap::JoinRoom).await?;
    move_self(&state, &auth, id, MemberState::Joined).await?;
    Ok(axum::Json(reload(&state, id).await?))
}

/// Leaves a room (or declines an invite). Leaving a room one is not in
/// changes nothing and answers 204 too.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/leave", tag = "rooms",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn leave_room(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<RoomId>,
) -> AppResult<StatusCode> {
    let acc = access::room(&state, &auth, id, Cap::SeeRoom).await?;
    if !acc
        .member
        .is_some_and(|m| matches!(m.state, MemberState::Joined | MemberState::Invited))
    {
        // Already out: leaving is idempotent.
        return Ok(StatusCode::NO_CONTENT);
    }
    move_self(&state, &auth, id, MemberState::Left).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Joined and invited members.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/members", tag = "rooms",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = RoomMemberList), (status = 404, body = ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<RoomId>,
) -> AppResult<axum::Json<RoomMemberList>> {
    access::room(&state, &auth, id, Cap::SeeRoom).await?;
    let members = state.store.room_members(id).await?;
    Ok(axum::Json(RoomMemberList { members }))
}

fn event_or_nothing(event: Option<Event>) -> Response {
    match event {
        Some(e) => axum::Json(e).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

/// Invites (`state: invited`), bans (`banned`), unbans (`left` on a banned
/// member) or changes a member's role; `muted` and `notify` set the caller's
/// own preferences. Answers the member event, or 204 when nothing changed.
#[utoipa::path(put, path = "/api/v1/rooms/{id}/members/{user_id}", tag = "rooms",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    request_body = SetRoomMember,
    responses((status = 200, body = Event), (status = 204), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_member(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((id, user)): ApiPath<(RoomId, UserId)>,
    ApiJson(req): ApiJson<SetRoomMember>,
) -> AppResult<Response> {
    if req.muted.is_some() || req.notify.is_some() {
        if user != auth.user_id {
            return Err(AppError::invalid(
                "muted and notify are set only on yourself",
            ));
        }
        let acc = access::room(&state, &auth, id, Cap::SeeRoom).await?;
        if acc.member.is_none() {
            return Err(AppError::invalid("you are not in this room"));
        }
        state
            .store
            .set_member_prefs(id, user, req.muted, req.notify)
            .await?;
        if req.state.is_none() && req.role.is_none() {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
    }
    let probe = access::room(&state, &auth, id, Cap::SeeRoom).await?;
    if probe.room.kind == RoomKind::Direct {
        return Err(AppError::invalid(
            "direct rooms have exactly two members; their membership cannot change",
        ));
    }
    let target = state.store.room_member(id, user).await?;
    let target_role = target.map(|t| t.role).unwrap_or(RoomRole::Member);
    let actor_role = if probe.is_moderator(&auth)
        && (auth.is_admin() || probe.workspace_role >= Some(WorkspaceRole::Admin))
    {
        RoomRole::Owner
    } else {
        probe.member.map(|m| m.role).unwrap_or(RoomRole::Member)
    };
    if state
        .store
        .workspace_role(probe.room.workspace_id, user)
        .await?
        .is_none()
    {
        return Err(AppError::not_found("user"));
    }
    let new_state = match (req.state, target.map(|t| t.state)) {
        (None, Some(current)) => current,
        (None, None) => return Err(AppError::not_found("member")),
        (Some(MemberState::Joined), _) => {
            return Err(AppError::invalid(
                "members join by themselves: invite them instead",
            ));
        }
        (Some(MemberState::Invited), _) => {
            access::room(&state, &auth, id, Cap::InviteToRoom).await?;
            match target.map(|t| t.state) {
                Some(MemberState::Banned) => {
                    return Err(AppError::forbidden("this user is banned; unban them first"));
                }
                Some(MemberState::Joined) => return Ok(StatusCode::NO_CONTENT.into_response()),
                _ => MemberState::Invited,
            }
        }
        (Some(s @ (MemberState::Banned | MemberState::Left)), _) => {
            access::room(&state, &auth, id, Cap::ModerateMembers).await?;
            if user != auth.user_id && target_role >= actor_role && actor_role != RoomRole::Owner {
                return Err(AppError::forbidden(
                    "you may only act on members below your own role",
                ));
            }
            s
        }
    };
    let mut role = None;
    if let Some(to) = req.role {
        access::room(&state, &auth, id, Cap::ModerateMembers).await?;
        if !authz::may_change_room_role(actor_role, target_role, to) {
            return Err(AppError::forbidden("you may not give or take that role"));
        }
        if new_state != MemberState::Joined && new_state != MemberState::Invited {
            return Err(AppError::invalid("roles are given to members of the room"));
        }
        role = Some(to);
    }
    let event = state
        .store
        .set_membership(
            auth.user_id,
            MembershipChange {
                room_id: id,
                target: user,
                state: new_state,
                role,
            },
        )
        .await?;
    Ok(event_or_nothing(event))
}

/// Removes a member from the room (moderators).
#[utoipa::path(delete, path = "/api/v1/rooms/{id}/members/{user_id}", tag = "rooms",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    responses((status = 200, body = Event), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn kick_member(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((id, user)): ApiPath<(RoomId, UserId)>,
) -> AppResult<Response> {
    let acc = access::room(&state, &auth, id, Cap::ModerateMembers).await?;
    if acc.room.kind == RoomKind::Direct {
        return Err(AppError::invalid(
            "nobody can be removed from a direct room",
        ));
    }
    let target = state
        .store
        .room_member(id, user)
        .await?
        .filter(|t| matches!(t.state, MemberState::Joined | MemberState::Invited))
        .ok_or_else(|| AppError::not_found("member"))?;
    let owner_like = auth.is_admin() || acc.workspace_role >= Some(WorkspaceRole::Admin);
    let actor_role = acc.member.map(|m| m.role).unwrap_or(RoomRole::Member);
    if !owner_like
        && user != auth.user_id
        && target.role >= actor_role
        && actor_role != RoomRole::Owner
    {
        return Err(AppError::forbidden(
            "you may only remove members below your own role",
        ));
    }
    let event = state
        .store
        .set_membership(
            auth.user_id,
            MembershipChange {
                room_id: id,
                target: user,
                state: MemberState::Left,
                role: None,
            },
        )
        .await?;
    Ok(event_or_nothing(event))
}
