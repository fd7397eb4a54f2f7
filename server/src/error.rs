//! One error type for every handler: a status, a stable code and a message
//! naming what was wrong. Internal failures are logged in full and answered
//! with a bare 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tern_protocol::{ErrorBody, ErrorCode, ErrorDetail};

use crate::authz::Denied;
use crate::store::StoreError;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub retry_after: Option<u64>,
}

pub type AppResult<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("{what} not found"),
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }

    pub fn unauthorized(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                format!("too many attempts; try again in {} s", retry_after.max(1)),
            )
        }
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal server error",
        )
    }

    /// A denial about `what` (e.g. "room").
    pub fn denied(d: Denied, what: &str) -> Self {
        match d {
            Denied::NotFound => Self::not_found(what),
            Denied::Forbidden(why) => Self::forbidden(why),
            Denied::ReadOnly => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::ReadOnly,
                "the room is read-only: only moderators may send",
            ),
            Denied::Archived => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Archived,
                "the room is archived",
            ),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        use StoreError as S;
        match e {
            S::NotFound => Self::not_found("resource"),
            S::UsernameTaken => Self::conflict(ErrorCode::UsernameTaken, "username is taken"),
            S::EmailTaken => Self::conflict(ErrorCode::EmailTaken, "email is already registered"),
            S::SlugTaken => Self::conflict(ErrorCode::SlugTaken, "workspace slug is taken"),
            S::LastOwner => Self::conflict(
                ErrorCode::LastOwner,
                "the last owner cannot leave or be demoted; make someone else owner first",
            ),
            S::TxnConflict(t) => Self::conflict(
                ErrorCode::TxnConflict,
                format!("txn id {t:?} was already used for another request"),
            ),
            S::Conflict(m) => Self::conflict(ErrorCode::Conflict, m),
            S::Invalid(m) => Self::invalid(m),
            S::Forbidden(m) => Self::forbidden(m),
            S::InviteExpired => Self::new(
                StatusCode::GONE,
                ErrorCode::InviteExpired,
                "the invite has expired or was already used",
            ),
            other => Self::internal(other),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}
