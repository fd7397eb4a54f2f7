//! The one error type that crosses into the window.
//!
//! Every command fails with a [`CmdError`]: a stable `code` the front end
//! matches on (and translates), the server's own error code when the server
//! answered, and whether trying again may help. `message` is for logs and
//! details, never for matching.

use serde::Serialize;
use tern_client_core::Error;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CmdError {
    /// One of [`CODES`].
    pub code: &'static str,
    pub message: String,
    /// The server's error code (`invalid_credentials`, `forbidden`, …) when
    /// the server answered.
    pub server_code: Option<String>,
    pub status: Option<u16>,
    /// Trying again later may succeed.
    pub transient: bool,
}

/// Every `code` a command may fail with.
pub const CODES: &[&str] = &[
    "network",
    "server",
    "session_ended",
    "not_signed_in",
    "store",
    "io",
    "protocol",
    "invalid_input",
    "not_found",
    "secrets",
    "source_gone",
    "shutdown",
    "unknown",
];

impl CmdError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(CODES.contains(&code));
        Self {
            code,
            message: message.into(),
            server_code: None,
            status: None,
            transient: false,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("invalid_input", message)
    }

    pub fn io(e: impl std::fmt::Display) -> Self {
        Self::new("io", e.to_string())
    }
}

impl From<Error> for CmdError {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Network(_) => "network",
            Error::Server { .. } => "server",
            Error::SessionEnded(_) => "session_ended",
            Error::NotSignedIn => "not_signed_in",
            Error::Store(_) => "store",
            Error::Io { .. } => "io",
            Error::Protocol(_) => "protocol",
            Error::InvalidInput(_) => "invalid_input",
            Error::NotFound(_) => "not_found",
            Error::Secrets(_) => "secrets",
            Error::SourceGone(_) => "source_gone",
            Error::Shutdown => "shutdown",
            _ => "unknown",
        };
        let server_code = e
            .code()
            .and_then(|c| serde_json::to_value(c).ok())
            .and_then(|v| v.as_str().map(str::to_owned));
        Self {
            code,
            message: e.to_string(),
            server_code,
            status: e.status(),
            transient: e.is_transient(),
        }
    }
}

pub type CmdResult<T> = Result<T, CmdError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_map_to_stable_codes() {
        let e: CmdError = Error::Network("reset".into()).into();
        assert_eq!(e.code, "network");
        assert!(e.transient);
        let e: CmdError = Error::Server {
            status: 401,
            code: tern_client_core::protocol::ErrorCode::InvalidCredentials,
            message: "no".into(),
            retry_after: None,
        }
        .into();
        assert_eq!(e.code, "server");
        assert_eq!(e.server_code.as_deref(), Some("invalid_credentials"));
        assert_eq!(e.status, Some(401));
        assert!(!e.transient);
        // Refused input: its code, and its English `Display` as the
        // message (what the window shows for `invalid_input`).
        let e: CmdError = Error::from(tern_client_core::Invalid::NotOwnMessage).into();
        assert_eq!(e.code, "invalid_input");
        assert_eq!(
            e.message,
            "invalid input: only your own messages can be edited"
        );
        assert!(!e.transient);
        let json = serde_json::to_value(CmdError::from(Error::NotSignedIn)).unwrap_or_default();
        assert_eq!(json["code"], "not_signed_in");
        assert!(CODES.iter().all(|c| !c.is_empty()));
    }
}
