//! The caller's profile and the user search.

use axum::extract::State;
use serde::Deserialize;
use tern_protocol::auth::{Me, UpdateMe, UserList};
use tern_protocol::{ErrorBody, ErrorCode, limits};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, ApiQuery, Auth};
use crate::auth::{hash_password, verify_password};
use crate::error::{AppError, AppResult};
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_me, update_me))
        .routes(routes!(search_users))
}

fn me(rec: crate::store::UserRecord) -> Me {
    Me {
        user: rec.user,
        email: rec.email,
    }
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users",
    security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn get_me(State(state): State<AppState>, auth: Auth) -> AppResult<axum::Json<Me>> {
    let rec = state
        .store
        .user_by_id(auth.user_id)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    Ok(axum::Json(me(rec)))
}

/// Changes the caller's display name or password.
#[utoipa::path(patch, path = "/api/v1/users/me", tag = "users",
    security(("bearer" = [])), request_body = UpdateMe,
    responses((status = 200, body = Me), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
async fn update_me(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<UpdateMe>,
) -> AppResult<axum::Json<Me>> {
    let display_name = req
        .display_name
        .as_deref()
        .map(|d| validate::text("display_name", d, 1, limits::DISPLAY_NAME_MAX))
        .transpose()?;
    let password_hash = match req.new_password {
        None => None,
        Some(new) => {
            validate::password(&new)?;
            let current = req.current_password.ok_or_else(|| {
                AppError::invalid("current_password is required to change the password")
            })?;
            let rec = state
                .store
                .user_by_id(auth.user_id)
                .await?
                .ok_or_else(|| AppError::not_found("user"))?;
            if !verify_password(current, rec.password_hash).await {
                return Err(AppError::unauthorized(
                    ErrorCode::InvalidCredentials,
                    "current_password is wrong",
                ));
            }
            Some(
                hash_password(new, state.config.password_cost)
                    .await
                    .map_err(AppError::internal)?,
            )
        }
    };
    if let Some(avatar) = req.avatar_file_id {
        let avatar = match avatar {
            Some(f) => Some(super::files::avatar(&state, &auth, f).await?),
            None => None,
        };
        state.store.set_user_avatar(auth.user_id, avatar).await?;
    }
    let rec = state
        .store
        .update_user(auth.user_id, display_name, password_hash)
        .await?;
    Ok(axum::Json(me(rec)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct UserQuery {
    /// Prefix of a username or display name.
    #[serde(default)]
    query: String,
    /// At most this many (default 20, at most 100).
    limit: Option<u32>,
}

/// Users who share a workspace with the caller, by name prefix.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    security(("bearer" = [])), params(UserQuery),
    responses((status = 200, body = UserList), (status = 400, body = ErrorBody)))]
async fn search_users(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> AppResult<axum::Json<UserList>> {
    let query = q.query.trim();
    if query.chars().count() > limits::SEARCH_QUERY_MAX {
        return Err(AppError::invalid(format!(
            "query is too long (at most {} characters)",
            limits::SEARCH_QUERY_MAX
        )));
    }
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let viewer = (!auth.is_admin()).then_some(auth.user_id);
    let users = state.store.search_users(viewer, query, limit).await?;
    Ok(axum::Json(UserList { users }))
}
