//! Errors, classified the way retries need them.
//!
//! Every failure answers one question for the outbox and the sync engine:
//! is it worth trying again? [`Error::retry_kind`] says so: transient
//! failures (the network, a 5xx, a 429) are retried with backoff; permanent
//! ones (any other 4xx, bad local input) are not.

use std::time::Duration;

use tern_protocol::ErrorCode;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Whether a failed operation may succeed if tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryKind {
    /// Try again after a backoff.
    Transient {
        /// The server asked for this much patience (429 `Retry-After`).
        retry_after: Option<Duration>,
    },
    /// Trying again will fail the same way.
    Permanent,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server could not be reached, or the connection broke.
    #[error("network error: {0}")]
    Network(String),
    /// The server's TLS certificate was refused: it is not signed by a
    /// trusted authority (add its CA with
    /// `ClientConfig::extra_root_certificate`), has expired, or names
    /// another host.
    #[error("the server's certificate is not trusted: {0}")]
    Certificate(String),
    /// The server answered with an error.
    #[error("server answered {status} {code}: {message}")]
    Server {
        status: u16,
        code: ErrorCode,
        message: String,
        retry_after: Option<Duration>,
    },
    /// The session is gone (signed out, revoked, refresh token reused):
    /// sign in again.
    #[error("the session has ended: {0}")]
    SessionEnded(String),
    /// The operation needs a signed-in account.
    #[error("not signed in")]
    NotSignedIn,
    /// The local database failed.
    #[error("local store error: {0}")]
    Store(String),
    /// A file in the data dir could not be read or written.
    #[error("cannot use {path}: {message}")]
    Io { path: String, message: String },
    /// The server's answer could not be read.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// The caller asked for something that cannot be done.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// No such room, message or outbox item here.
    #[error("{0} not found")]
    NotFound(String),
    /// The secret store (keyring or file) failed.
    #[error("secret store error: {0}")]
    Secrets(String),
    /// The file chosen for an upload is no longer there.
    #[error("the file to upload is gone: {0}")]
    SourceGone(String),
    /// The client is shutting down.
    #[error("the client has shut down")]
    Shutdown,
}

impl Error {
    /// Transient or permanent (see the module docs).
    pub fn retry_kind(&self) -> RetryKind {
        match self {
            Self::Network(_) => RetryKind::Transient { retry_after: None },
            // The server's operator may fix the certificate; the sync
            // engine then slows its retries down and says why.
            Self::Certificate(_) => RetryKind::Transient { retry_after: None },
            Self::Server {
                status,
                retry_after,
                ..
            } => {
                if *status >= 500 || *status == 429 || *status == 408 {
                    RetryKind::Transient {
                        retry_after: *retry_after,
                    }
                } else {
                    RetryKind::Permanent
                }
            }
            // Disk full, locked database: may clear up.
            Self::Store(_) | Self::Io { .. } => RetryKind::Transient { retry_after: None },
            // An unreadable answer may be a proxy's error page.
            Self::Protocol(_) => RetryKind::Transient { retry_after: None },
            Self::SessionEnded(_)
            | Self::NotSignedIn
            | Self::InvalidInput(_)
            | Self::NotFound(_)
            | Self::Secrets(_)
            | Self::SourceGone(_)
            | Self::Shutdown => RetryKind::Permanent,
        }
    }

    pub fn is_transient(&self) -> bool {
        matches!(self.retry_kind(), RetryKind::Transient { .. })
    }

    /// The server's error code, when the server answered.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Server { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Server { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn io(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Self::Protocol(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_status() {
        let server = |status| Error::Server {
            status,
            code: ErrorCode::Unknown,
            message: String::new(),
            retry_after: None,
        };
        assert!(server(500).is_transient());
        assert!(server(503).is_transient());
        assert!(server(429).is_transient());
        assert!(!server(400).is_transient());
        assert!(!server(403).is_transient());
        assert!(!server(404).is_transient());
        assert!(!server(409).is_transient());
        assert!(Error::Network("reset".into()).is_transient());
        assert!(!Error::SessionEnded("revoked".into()).is_transient());
    }
}
