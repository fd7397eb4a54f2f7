//! Workspace API keys for bots and integrations. A key is shown once, at
//! creation, and stored as its SHA-256; it acts as its own bot user, within
//! its workspace only, with the permissions it was given.

use axum::extract::State;
use axum::http::StatusCode;
use tern_protocol::auth::{ServerRole, UserKind};
use tern_protocol::files::{ApiKeyCreated, ApiKeyInfo, ApiKeyList, ApiPermission, CreateApiKey};
use tern_protocol::workspace::WorkspaceRole;
use tern_protocol::{ErrorBody, Timestamp, UserId, WorkspaceId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{API_KEY_PREFIX, ApiJson, ApiPath, Auth};
use super::{AppState, access};
use crate::auth::{random_token, sha256_hex};
use crate::authz::Cap;
use crate::error::{AppError, AppResult};
use crate::store::{NewApiKey, NewUser, Store, StoreResult};
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_key, list_keys))
        .routes(routes!(revoke_key))
}

/// Makes the bot user and the key; answers the key (shown only now).
pub async fn issue(
    store: &dyn Store,
    ws: WorkspaceId,
    name: &str,
    mut permissions: Vec<ApiPermission>,
    expires_at: Option<Timestamp>,
    created_by: UserId,
) -> StoreResult<ApiKeyCreated> {
    permissions.sort();
    permissions.dedup();
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let tag = &tag[tag.len() - 10..];
    let bot = store
        .create_user(NewUser {
            username: format!("bot-{tag}"),
            email: format!("bot-{tag}@bots.tern.invalid"),
            // Not a hash of anything: no password signs a bot in.
            password_hash: "!".into(),
            display_name: name.to_owned(),
            kind: UserKind::Bot,
            server_role: ServerRole::User,
        })
        .await?;
    store
        .set_workspace_member(ws, bot.user.id, WorkspaceRole::Member)
        .await?;
    let key = format!("{API_KEY_PREFIX}{}", random_token(32));
    let info = store
        .create_api_key(NewApiKey {
            workspace_id: ws,
            name: name.to_owned(),
            key_hash: sha256_hex(key.as_bytes()),
            permissions,
            bot_user_id: bot.user.id,
            created_by,
            expires_at,
        })
        .await?;
    Ok(ApiKeyCreated {
        id: info.id,
        key,
        info,
    })
}

/// Creates a key (workspace admins). The key is in this answer only.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/api-keys", tag = "api-keys",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)), request_body = CreateApiKey,
    responses((status = 201, body = ApiKeyCreated), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_key(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(req): ApiJson<CreateApiKey>,
) -> AppResult<(StatusCode, axum::Json<ApiKeyCreated>)> {
    access::workspace(&state, &auth, ws, Cap::ManageApiKeys).await?;
    if auth.is_api_key() {
        return Err(AppError::forbidden("API keys do not make API keys"));
    }
    let name = validate::text("name", &req.name, 1, 80)?;
    if req.permissions.is_empty() {
        return Err(AppError::invalid(
            "permissions must name at least one of read, write, delete",
        ));
    }
    if req
        .expires_at
        .is_some_and(|t| t <= time::OffsetDateTime::now_utc())
    {
        return Err(AppError::invalid("expires_at must be in the future"));
    }
    let created = issue(
        state.store.as_ref(),
        ws,
        &name,
        req.permissions,
        req.expires_at,
        auth.user_id,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// The workspace's keys, without the keys themselves.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/api-keys", tag = "api-keys",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ApiKeyList), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn list_keys(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
) -> AppResult<axum::Json<ApiKeyList>> {
    access::workspace(&state, &auth, ws, Cap::ManageApiKeys).await?;
    let api_keys: Vec<ApiKeyInfo> = state.store.api_keys(ws).await?;
    Ok(axum::Json(ApiKeyList { api_keys }))
}

/// Revokes a key at once.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/api-keys/{key_id}", tag = "api-keys",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path), ("key_id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_key(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((ws, key)): ApiPath<(WorkspaceId, uuid::Uuid)>,
) -> AppResult<StatusCode> {
    access::workspace(&state, &auth, ws, Cap::ManageApiKeys).await?;
    if !state.store.revoke_api_key(ws, key).await? {
        return Err(AppError::not_found("API key"));
    }
    state.fanout.kick_session(key);
    Ok(StatusCode::NO_CONTENT)
}
