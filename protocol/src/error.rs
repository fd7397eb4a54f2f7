//! The error body every failing request answers with.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "..."}}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// Human text naming what was wrong.
    pub message: String,
}

/// Stable, machine-readable error codes. Clients decide retries on these and
/// on the HTTP status, never on the message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// Input is well-formed but not acceptable (a field out of range ...).
    InvalidInput,
    /// The body is not valid JSON, or not of the expected shape.
    InvalidJson,
    /// A path or query parameter could not be read.
    InvalidParameter,
    UnsupportedMediaType,
    PayloadTooLarge,
    /// No or bad credentials.
    Unauthorized,
    InvalidCredentials,
    /// The access token has expired: refresh it.
    TokenExpired,
    /// A rotated refresh token was presented again: the session is revoked.
    TokenReused,
    /// The session was revoked (logout, revoke, theft detection).
    SessionRevoked,
    UserDeactivated,
    Forbidden,
    /// The room is read-only for the caller.
    ReadOnly,
    /// The room is archived.
    Archived,
    NotFound,
    MethodNotAllowed,
    Conflict,
    UsernameTaken,
    EmailTaken,
    SlugTaken,
    /// The last owner cannot leave or be demoted.
    LastOwner,
    /// The txn id was already used for something else.
    TxnConflict,
    InviteExpired,
    RateLimited,
    RangeNotSatisfiable,
    Internal,
    Unavailable,
    /// A code this build does not know yet.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::InvalidJson => "invalid_json",
            Self::InvalidParameter => "invalid_parameter",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::TokenExpired => "token_expired",
            Self::TokenReused => "token_reused",
            Self::SessionRevoked => "session_revoked",
            Self::UserDeactivated => "user_deactivated",
            Self::Forbidden => "forbidden",
            Self::ReadOnly => "read_only",
            Self::Archived => "archived",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::UsernameTaken => "username_taken",
            Self::EmailTaken => "email_taken",
            Self::SlugTaken => "slug_taken",
            Self::LastOwner => "last_owner",
            Self::TxnConflict => "txn_conflict",
            Self::InviteExpired => "invite_expired",
            Self::RateLimited => "rate_limited",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
