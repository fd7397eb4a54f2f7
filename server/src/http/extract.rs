//! Extractors whose rejections are our JSON errors: bearer auth, JSON
//! bodies, path and query parameters, and the caller's address.

use std::net::SocketAddr;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use serde::de::DeserializeOwned;
use tern_protocol::auth::ServerRole;
use tern_protocol::files::ApiPermission;
use tern_protocol::{ErrorCode, SessionId, UserId, WorkspaceId};

use super::AppState;
use crate::auth::{TokenError, sha256_hex};
use crate::error::AppError;

/// The authenticated caller: a signed-in session, or an API key acting as
/// its bot user.
#[derive(Clone, Copy, Debug)]
pub struct Auth {
    pub user_id: UserId,
    /// The session, or the API key's id.
    pub session_id: SessionId,
    pub server_role: ServerRole,
    /// An API key sees only its own workspace.
    pub scope: Option<WorkspaceId>,
}

impl Auth {
    pub fn is_admin(&self) -> bool {
        self.server_role == ServerRole::Admin
    }

    pub fn is_api_key(&self) -> bool {
        self.scope.is_some()
    }

    /// API keys have no sessions to list or sign out.
    pub fn require_session(&self) -> Result<(), AppError> {
        if self.is_api_key() {
            return Err(AppError::forbidden("API keys have no sessions"));
        }
        Ok(())
    }
}

/// Prefix of every API key.
pub const API_KEY_PREFIX: &str = "tern_sk_";

pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl AppState {
    /// Checks a bearer token: an access token or an API key. `method`
    /// decides which API key permission is needed.
    pub async fn authenticate(&self, token: &str, method: &Method) -> Result<Auth, AppError> {
        if token.starts_with(API_KEY_PREFIX) {
            return self.authenticate_key(token, method).await;
        }
        self.authenticate_jwt(token)
    }

    async fn authenticate_key(&self, token: &str, method: &Method) -> Result<Auth, AppError> {
        let bad = || AppError::unauthorized(ErrorCode::Unauthorized, "API key is not valid");
        if token.len() > 128 {
            return Err(bad());
        }
        let key = self
            .store
            .api_key_by_hash(&sha256_hex(token.as_bytes()))
            .await?
            .ok_or_else(bad)?;
        if !key.active {
            return Err(AppError::unauthorized(
                ErrorCode::SessionRevoked,
                "this API key was revoked",
            ));
        }
        if key
            .expires_at
            .is_some_and(|t| t <= time::OffsetDateTime::now_utc())
        {
            return Err(AppError::unauthorized(
                ErrorCode::TokenExpired,
                "this API key has expired",
            ));
        }
        let need = if *method == Method::GET || *method == Method::HEAD {
            ApiPermission::Read
        } else if *method == Method::DELETE {
            ApiPermission::Delete
        } else {
            ApiPermission::Write
        };
        if !key.permissions.contains(&need) {
            return Err(AppError::forbidden(format!(
                "this API key lacks the {need:?} permission"
            )));
        }
        self.note_key_use(key.id);
        Ok(Auth {
            user_id: key.bot_user_id,
            session_id: key.id,
            server_role: ServerRole::User,
            scope: Some(key.workspace_id),
        })
    }

    /// Keeps `last_used_at`, writing at most once a minute per key.
    fn note_key_use(&self, id: uuid::Uuid) {
        let now = std::time::Instant::now();
        let due = match self.key_seen.lock() {
            Ok(mut seen) => match seen.get(&id) {
                Some(t) if now.duration_since(*t) < std::time::Duration::from_secs(60) => false,
                _ => {
                    seen.insert(id, now);
                    true
                }
            },
            Err(_) => false,
        };
        if due {
            let store = self.store.clone();
            tokio::spawn(async move {
                let _ = store.touch_api_key(id).await;
            });
        }
    }

    /// Checks an access token: signature, expiry, revocation.
    pub fn authenticate_jwt(&self, token: &str) -> Result<Auth, AppError> {
        let claims = self.jwt.verify(token).map_err(|e| match e {
            TokenError::Expired => AppError::unauthorized(
                ErrorCode::TokenExpired,
                "access token has expired; refresh it",
            ),
            TokenError::Invalid => {
                AppError::unauthorized(ErrorCode::Unauthorized, "access token is not valid")
            }
        })?;
        if self.revoked.contains(&claims.sid) {
            return Err(AppError::unauthorized(
                ErrorCode::SessionRevoked,
                "this session was signed out",
            ));
        }
        Ok(Auth {
            user_id: claims.sub,
            session_id: claims.sid,
            server_role: if claims.adm {
                ServerRole::Admin
            } else {
                ServerRole::User
            },
            scope: None,
        })
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer(parts).ok_or_else(|| {
            AppError::unauthorized(
                ErrorCode::Unauthorized,
                "missing credentials: send Authorization: Bearer <access token>",
            )
        })?;
        state.authenticate(token, &parts.method).await
    }
}

/// A JSON body; every way it can be wrong is a 4xx naming the problem.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> AppError {
    match r {
        JsonRejection::MissingJsonContentType(_) => AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "expected a JSON body with Content-Type: application/json",
        ),
        JsonRejection::JsonDataError(e) => AppError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidJson,
            clean_serde(&e.body_text()),
        ),
        JsonRejection::JsonSyntaxError(e) => AppError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidJson,
            clean_serde(&e.body_text()),
        ),
        JsonRejection::BytesRejection(e) => {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    "request body is too large",
                )
            } else {
                AppError::new(e.status(), ErrorCode::InvalidJson, e.body_text())
            }
        }
        other => AppError::new(other.status(), ErrorCode::InvalidJson, other.body_text()),
    }
}

/// axum prefixes serde's message with its own; keep the part that helps.
fn clean_serde(text: &str) -> String {
    let t = text
        .trim_start_matches("Failed to deserialize the JSON body into the target type: ")
        .trim_start_matches("Failed to parse the request body as JSON: ");
    format!("invalid JSON body: {t}")
}

/// Path parameters; a malformed id is a 400 that says so.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(r) => Err(path_rejection(r)),
        }
    }
}

fn path_rejection(r: PathRejection) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidParameter,
        format!("invalid path parameter: {}", r.body_text()),
    )
}

/// Query parameters.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(r) => Err(query_rejection(r)),
        }
    }
}

fn query_rejection(r: QueryRejection) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidParameter,
        format!(
            "invalid query: {}",
            r.body_text()
                .trim_start_matches("Failed to deserialize query string: ")
        ),
    )
}

/// Where a request came from.
#[derive(Clone, Debug)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect());
        Ok(Self { ip, user_agent })
    }
}
