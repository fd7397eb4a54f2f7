//! Register, login, refresh (rotation with replay detection), logout and
//! the sessions (devices) list.

use axum::extract::State;
use axum::http::StatusCode;
use tern_protocol::auth::{
    LoginRequest, RefreshRequest, RegisterRequest, ServerRole, SessionList, TokenPair, UserKind,
};
use tern_protocol::{ErrorBody, ErrorCode, SessionId, UserId, limits};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, ApiPath, Auth, ClientInfo};
use crate::auth::{hash_password, random_token, sha256_hex, verify_password};
use crate::error::{AppError, AppResult};
use crate::store::{NewSession, NewUser, RefreshLookup};
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(list_sessions))
        .routes(routes!(revoke_session))
}

fn limit_ip(state: &AppState, client: &ClientInfo) -> AppResult<()> {
    let key = client.ip.as_deref().unwrap_or("unknown");
    state
        .ip_limiter
        .hit(&format!("ip:{key}"))
        .map_err(AppError::rate_limited)
}

fn device_name(raw: Option<&str>) -> AppResult<Option<String>> {
    raw.map(|d| validate::text("device_name", d, 1, limits::DEVICE_NAME_MAX))
        .transpose()
}

/// Opens a session and answers its token pair.
pub(super) async fn open_session(
    state: &AppState,
    user: UserId,
    role: ServerRole,
    device: Option<String>,
    client: ClientInfo,
) -> AppResult<TokenPair> {
    let session_id = uuid::Uuid::now_v7();
    let refresh_token = random_token(32);
    state
        .store
        .create_session(NewSession {
            id: session_id,
            user_id: user,
            device_name: device,
            ip: client.ip,
            user_agent: client.user_agent,
            refresh_hash: sha256_hex(refresh_token.as_bytes()),
        })
        .await?;
    Ok(pair(state, user, session_id, role, refresh_token))
}

fn pair(
    state: &AppState,
    user: UserId,
    session: SessionId,
    role: ServerRole,
    refresh_token: String,
) -> TokenPair {
    TokenPair {
        user_id: user,
        session_id: session,
        access_token: state.jwt.issue(user, session, role == ServerRole::Admin),
        refresh_token,
        expires_in: state.jwt.ttl.as_secs(),
    }
}

/// Creates an account and signs it in.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth",
    request_body = RegisterRequest,
    responses((status = 201, body = TokenPair), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> AppResult<(StatusCode, axum::Json<TokenPair>)> {
    limit_ip(&state, &client)?;
    let username = validate::username(&req.username)?;
    let email = validate::email(&req.email)?;
    validate::password(&req.password)?;
    let display_name = match req.display_name.as_deref() {
        Some(d) => validate::text("display_name", d, 1, limits::DISPLAY_NAME_MAX)?,
        None => username.clone(),
    };
    let device = device_name(req.device_name.as_deref())?;
    let password_hash = hash_password(req.password, state.config.password_cost)
        .await
        .map_err(AppError::internal)?;
    let user = state
        .store
        .create_user(NewUser {
            username,
            email,
            password_hash,
            display_name,
            kind: UserKind::Human,
            server_role: ServerRole::User,
        })
        .await?;
    let tokens = open_session(&state, user.user.id, user.user.server_role, device, client).await?;
    Ok((StatusCode::CREATED, axum::Json(tokens)))
}

/// Signs in with a username or an email.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<axum::Json<TokenPair>> {
    limit_ip(&state, &client)?;
    let login = req.login.trim().to_lowercase();
    if login.is_empty()
        || login.len() > limits::EMAIL_MAX
        || req.password.len() > 4 * limits::PASSWORD_MAX
    {
        return Err(AppError::invalid("login and password are required"));
    }
    state
        .account_limiter
        .hit(&format!("acct:{login}"))
        .map_err(AppError::rate_limited)?;
    let device = device_name(req.device_name.as_deref())?;
    let user = state.store.user_by_login(&login).await?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.clone());
    let ok = verify_password(req.password, hash).await;
    let Some(user) = user.filter(|_| ok) else {
        return Err(AppError::unauthorized(
            ErrorCode::InvalidCredentials,
            "wrong login or password",
        ));
    };
    if !user.user.active {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::UserDeactivated,
            "this account is deactivated",
        ));
    }
    let tokens = open_session(&state, user.user.id, user.user.server_role, device, client).await?;
    Ok(axum::Json(tokens))
}

async fn revoke(state: &AppState, session: SessionId) -> AppResult<()> {
    state.store.revoke_session(session, None).await?;
    state.revoked.insert(session);
    state.fanout.kick_session(session);
    Ok(())
}

/// Trades a refresh token for a new pair; the old token stops working.
/// Presenting a token that was already rotated away signs the whole
/// session out (it was stolen, or the client is confused).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
async fn refresh(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> AppResult<axum::Json<TokenPair>> {
    limit_ip(&state, &client)?;
    if req.refresh_token.is_empty() || req.refresh_token.len() > 256 {
        return Err(AppError::unauthorized(
            ErrorCode::Unauthorized,
            "refresh token is not valid",
        ));
    }
    let presented = sha256_hex(req.refresh_token.as_bytes());
    let revoked =
        || AppError::unauthorized(ErrorCode::SessionRevoked, "this session was signed out");
    let reused = || {
        AppError::unauthorized(
            ErrorCode::TokenReused,
            "this refresh token was already used; the session is signed out for safety",
        )
    };
    let session = match state.store.lookup_refresh(&presented).await? {
        RefreshLookup::Current(s) => s,
        RefreshLookup::Previous {
            session,
            rotated_ms_ago,
        } => {
            if session.revoked {
                return Err(revoked());
            }
            if rotated_ms_ago > state.config.refresh_grace.as_millis() as i64 {
                revoke(&state, session.info.id).await?;
                return Err(reused());
            }
            session
        }
        RefreshLookup::Replayed(id) => {
            revoke(&state, id).await?;
            return Err(reused());
        }
        RefreshLookup::Unknown => {
            return Err(AppError::unauthorized(
                ErrorCode::Unauthorized,
                "refresh token is not valid",
            ));
        }
    };
    if session.revoked {
        return Err(revoked());
    }
    let idle = time::OffsetDateTime::now_utc() - session.info.last_seen_at;
    if idle.whole_seconds() > state.config.refresh_ttl.as_secs() as i64 {
        revoke(&state, session.info.id).await?;
        return Err(AppError::unauthorized(
            ErrorCode::SessionRevoked,
            "this session expired; sign in again",
        ));
    }
    let user = state
        .store
        .user_by_id(session.user_id)
        .await?
        .ok_or_else(revoked)?;
    if !user.user.active {
        return Err(AppError::unauthorized(
            ErrorCode::UserDeactivated,
            "this account is deactivated",
        ));
    }
    let new_token = random_token(32);
    let rotated = state
        .store
        .rotate_refresh(
            session.info.id,
            &presented,
            &sha256_hex(new_token.as_bytes()),
            client.ip,
            client.user_agent,
        )
        .await?;
    if !rotated {
        // Another refresh with the same token won the race.
        return Err(reused());
    }
    Ok(axum::Json(pair(
        &state,
        user.user.id,
        session.info.id,
        user.user.server_role,
        new_token,
    )))
}

/// Signs this session out.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(State(state): State<AppState>, auth: Auth) -> AppResult<StatusCode> {
    auth.require_session()?;
    revoke(&state, auth.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's signed-in devices, most recently seen first.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = SessionList), (status = 401, body = ErrorBody)))]
async fn list_sessions(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<axum::Json<SessionList>> {
    auth.require_session()?;
    let sessions = state
        .store
        .list_sessions(auth.user_id)
        .await?
        .into_iter()
        .map(|mut s| {
            s.info.current = s.info.id == auth.session_id;
            s.info
        })
        .collect();
    Ok(axum::Json(SessionList { sessions }))
}

/// Signs one of the caller's devices out.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "auth",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "session id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_session(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SessionId>,
) -> AppResult<StatusCode> {
    auth.require_session()?;
    if !state.store.revoke_session(id, Some(auth.user_id)).await? {
        return Err(AppError::not_found("session"));
    }
    state.revoked.insert(id);
    state.fanout.kick_session(id);
    Ok(StatusCode::NO_CONTENT)
}
