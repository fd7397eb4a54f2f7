//! Workspaces, their members and invites.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tern_protocol::workspace::{
    CreateInvite, CreateWorkspace, InviteCreated, SetWorkspaceMember, UpdateWorkspace, Workspace,
    WorkspaceKind, WorkspaceList, WorkspaceMemberList, WorkspaceRole,
};
use tern_protocol::{ErrorBody, UserId, WorkspaceId, limits};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use super::{AppState, access};
use crate::auth::{random_token, sha256_hex};
use crate::authz::Cap;
use crate::error::{AppError, AppResult};
use crate::validate;

/// How long an invite stays valid.
const INVITE_TTL: time::Duration = time::Duration::days(7);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_workspace, list_workspaces))
        .routes(routes!(get_workspace, update_workspace))
        .routes(routes!(list_members))
        .routes(routes!(set_member, remove_member))
        .routes(routes!(create_invite))
        .routes(routes!(accept_invite))
}

async fn load(state: &AppState, auth: &Auth, id: WorkspaceId) -> AppResult<Workspace> {
    state
        .store
        .workspace(id, auth.user_id)
        .await?
        .ok_or_else(|| AppError::not_found("workspace"))
}

/// Creates a workspace; the caller becomes its owner.
#[utoipa::path(post, path = "/api/v1/workspaces", tag = "workspaces",
    security(("bearer" = [])), request_body = CreateWorkspace,
    responses((status = 201, body = Workspace), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn create_workspace(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateWorkspace>,
) -> AppResult<(StatusCode, axum::Json<Workspace>)> {
    let slug = validate::slug(&req.slug)?;
    let name = validate::text("name", &req.name, 1, limits::WORKSPACE_NAME_MAX)?;
    let kind = req.kind.unwrap_or(WorkspaceKind::Client);
    if kind == WorkspaceKind::System && !auth.is_admin() {
        return Err(AppError::forbidden(
            "only server admins create system workspaces",
        ));
    }
    let settings = req.settings.unwrap_or_else(|| serde_json::json!({}));
    validate::settings(&settings)?;
    let ws = state
        .store
        .create_workspace(auth.user_id, &slug, &name, kind, settings)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(ws)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Server admins: list every workspace.
    #[serde(default)]
    all: bool,
}

/// The caller's workspaces.
#[utoipa::path(get, path = "/api/v1/workspaces", tag = "workspaces",
    security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = WorkspaceList)))]
async fn list_workspaces(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<axum::Json<WorkspaceList>> {
    let mut workspaces = state
        .store
        .list_workspaces(auth.user_id, q.all && auth.is_admin())
        .await?;
    if let Some(ws) = auth.scope {
        workspaces.retain(|w| w.id == ws);
    }
    Ok(axum::Json(WorkspaceList { workspaces }))
}

/// One workspace.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}", tag = "workspaces",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Workspace), (status = 404, body = ErrorBody)))]
async fn get_workspace(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<WorkspaceId>,
) -> AppResult<axum::Json<Workspace>> {
    access::workspace(&state, &auth, id, Cap::ViewWorkspace).await?;
    Ok(axum::Json(load(&state, &auth, id).await?))
}

/// Renames a workspace or replaces its settings (admins).
#[utoipa::path(patch, path = "/api/v1/workspaces/{id}", tag = "workspaces",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)), request_body = UpdateWorkspace,
    responses((status = 200, body = Workspace), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn update_workspace(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<WorkspaceId>,
    ApiJson(req): ApiJson<UpdateWorkspace>,
) -> AppResult<axum::Json<Workspace>> {
    access::workspace(&state, &auth, id, Cap::ManageWorkspace).await?;
    let name = req
        .name
        .as_deref()
        .map(|n| validate::text("name", n, 1, limits::WORKSPACE_NAME_MAX))
        .transpose()?;
    if let Some(s) = &req.settings {
        validate::settings(s)?;
    }
    state.store.update_workspace(id, name, req.settings).await?;
    Ok(axum::Json(load(&state, &auth, id).await?))
}

/// Members with their roles.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/members", tag = "workspaces",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = WorkspaceMemberList), (status = 404, body = ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<WorkspaceId>,
) -> AppResult<axum::Json<WorkspaceMemberList>> {
    access::workspace(&state, &auth, id, Cap::ViewWorkspace).await?;
    let members = state.store.workspace_members(id).await?;
    Ok(axum::Json(WorkspaceMemberList { members }))
}

/// Owners alone grant or take the owner role.
fn may_assign(
    actor: Option<WorkspaceRole>,
    admin: bool,
    from: Option<WorkspaceRole>,
    to: WorkspaceRole,
) -> bool {
    admin
        || actor == Some(WorkspaceRole::Owner)
        || (from != Some(WorkspaceRole::Owner) && to != WorkspaceRole::Owner)
}

/// Adds an existing user, or changes a member's role (admins; owners for
/// the owner role). The last owner cannot be demoted.
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/members/{user_id}", tag = "workspaces",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    request_body = SetWorkspaceMember,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn set_member(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((id, user)): ApiPath<(WorkspaceId, UserId)>,
    ApiJson(req): ApiJson<SetWorkspaceMember>,
) -> AppResult<StatusCode> {
    let actor = access::workspace(&state, &auth, id, Cap::ManageWorkspaceMembers).await?;
    let from = state.store.workspace_role(id, user).await?;
    if !may_assign(actor, auth.is_admin(), from, req.role) {
        return Err(AppError::forbidden(
            "only owners grant or take the owner role",
        ));
    }
    if state.store.user_by_id(user).await?.is_none() {
        return Err(AppError::not_found("user"));
    }
    state.store.set_workspace_member(id, user, req.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (admins), or leaves (anyone, for themselves). The
/// member leaves every room of the workspace too.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/members/{user_id}", tag = "workspaces",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn remove_member(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((id, user)): ApiPath<(WorkspaceId, UserId)>,
) -> AppResult<StatusCode> {
    if user == auth.user_id {
        access::workspace(&state, &auth, id, Cap::ViewWorkspace).await?;
    } else {
        let actor = access::workspace(&state, &auth, id, Cap::ManageWorkspaceMembers).await?;
        let from = state.store.workspace_role(id, user).await?;
        if from.is_none() {
            return Err(AppError::not_found("member"));
        }
        if !may_assign(actor, auth.is_admin(), from, WorkspaceRole::Guest) {
            return Err(AppError::forbidden("only owners remove owners"));
        }
    }
    state.store.remove_workspace_member(id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invites an email address; answers the token to send them (admins).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/invites", tag = "workspaces",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)), request_body = CreateInvite,
    responses((status = 201, body = InviteCreated), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn create_invite(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<WorkspaceId>,
    ApiJson(req): ApiJson<CreateInvite>,
) -> AppResult<(StatusCode, axum::Json<InviteCreated>)> {
    let actor = access::workspace(&state, &auth, id, Cap::CreateInvite).await?;
    let email = validate::email(&req.email)?;
    if !may_assign(actor, auth.is_admin(), None, req.role) {
        return Err(AppError::forbidden("only owners invite owners"));
    }
    let token = random_token(24);
    let expires_at = time::OffsetDateTime::now_utc() + INVITE_TTL;
    state
        .store
        .create_invite(
            id,
            &email,
            req.role,
            auth.user_id,
            &sha256_hex(token.as_bytes()),
            expires_at,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(InviteCreated { token, expires_at }),
    ))
}

/// Accepts an invite sent to the caller's email; answers the workspace.
#[utoipa::path(post, path = "/api/v1/invites/{token}/accept", tag = "workspaces",
    security(("bearer" = [])), params(("token" = String, Path)),
    responses((status = 200, body = Workspace), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn accept_invite(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(token): ApiPath<String>,
) -> AppResult<axum::Json<Workspace>> {
    if token.is_empty() || token.len() > 128 {
        return Err(AppError::not_found("invite"));
    }
    let me = state
        .store
        .user_by_id(auth.user_id)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    let ws = state
        .store
        .accept_invite(&sha256_hex(token.as_bytes()), auth.user_id, &me.email)
        .await
        .map_err(|e| match e {
            crate::store::StoreError::NotFound => AppError::not_found("invite"),
            other => other.into(),
        })?;
    Ok(axum::Json(load(&state, &auth, ws).await?))
}
