//! Errors, classified the way retries need them.
//!
//! Every failure answers one question for the outbox and the sync engine:
//! is it worth trying again? [`Error::retry_kind`] says so: transient
//! failures (the network, a 5xx, a 429) are retried with backoff; permanent
//! ones (any other 4xx, bad local input) are not.

use std::time::Duration;

use tern_protocol::ErrorCode;

mod invalid;
pub use invalid::Invalid;

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
    /// The caller asked for something that cannot be done; the reason
    /// says which check refused it.
    #[error("invalid input: {0}")]
    InvalidInput(Invalid),
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

impl From<Invalid> for Error {
    fn from(reason: Invalid) -> Self {
        Self::InvalidInput(reason)
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

/// What to tell the user, in their language.
///
/// `Display` is for logs: English, with every technical detail. A front
/// end shows [`Error::localized`] instead: one stable catalog message per
/// variant (and per server error code), carrying only what the user can
/// act on: a path, the reason input was refused (the server's words, or
/// for [`Error::InvalidInput`] its [`Invalid`] reason's own message). The
/// messages are the `core-error-*` and `core-invalid-*` ids of the
/// catalogs; a new variant fails to compile until it has one.
impl Error {
    pub fn localized(&self, tr: &crate::i18n::Translator) -> String {
        use crate::i18n::FluentValue;
        let one = |id: &str, key: &str, v: &str| tr.tr_args(id, &[(key, v.to_owned().into())]);
        match self {
            Self::Network(_) => tr.tr("core-error-network"),
            Self::Certificate(_) => tr.tr("core-error-certificate"),
            Self::Server {
                status,
                code,
                message,
                ..
            } => {
                let id = match code {
                    ErrorCode::InvalidCredentials => "core-error-server-invalid-credentials",
                    ErrorCode::Unauthorized | ErrorCode::TokenExpired => {
                        "core-error-server-unauthorized"
                    }
                    ErrorCode::TokenReused | ErrorCode::SessionRevoked => {
                        "core-error-server-session-revoked"
                    }
                    ErrorCode::UserDeactivated => "core-error-server-user-deactivated",
                    ErrorCode::Forbidden => "core-error-server-forbidden",
                    ErrorCode::ReadOnly => "core-error-server-read-only",
                    ErrorCode::Archived => "core-error-server-archived",
                    ErrorCode::NotFound => "core-error-server-not-found",
                    ErrorCode::UsernameTaken => "core-error-server-username-taken",
                    ErrorCode::EmailTaken => "core-error-server-email-taken",
                    ErrorCode::SlugTaken => "core-error-server-slug-taken",
                    ErrorCode::LastOwner => "core-error-server-last-owner",
                    ErrorCode::InviteExpired => "core-error-server-invite-expired",
                    ErrorCode::RateLimited => "core-error-server-rate-limited",
                    ErrorCode::PayloadTooLarge => "core-error-server-too-large",
                    ErrorCode::UnsupportedMediaType => "core-error-server-media-type",
                    ErrorCode::InvalidInput
                    | ErrorCode::InvalidJson
                    | ErrorCode::InvalidParameter => "core-error-server-invalid-input",
                    ErrorCode::Conflict | ErrorCode::TxnConflict => "core-error-server-conflict",
                    ErrorCode::Internal | ErrorCode::Unavailable => "core-error-server-unavailable",
                    _ => "core-error-server-other",
                };
                tr.tr_args(
                    id,
                    &[
                        ("status", FluentValue::from(*status)),
                        ("code", code.as_str().into()),
                        ("detail", message.clone().into()),
                    ],
                )
            }
            Self::SessionEnded(_) => tr.tr("core-error-session-ended"),
            Self::NotSignedIn => tr.tr("core-error-not-signed-in"),
            Self::Store(_) => tr.tr("core-error-store"),
            Self::Io { path, .. } => one("core-error-io", "path", path),
            Self::Protocol(_) => tr.tr("core-error-protocol"),
            Self::InvalidInput(reason) => reason.localized(tr),
            Self::NotFound(_) => tr.tr("core-error-not-found"),
            Self::Secrets(_) => tr.tr("core-error-secrets"),
            Self::SourceGone(path) => one("core-error-source-gone", "path", path),
            Self::Shutdown => tr.tr("core-error-shutdown"),
        }
    }
}

/// Reading an error back from its `Display`: the outbox keeps why an item
/// failed as that text (`OutboxState::Failed::reason`), in rows that may
/// predate any other form, so a front end words a stored reason with
/// [`Error::localized_reason`]. Each arm undoes one `#[error]` format
/// above; the round-trip test keeps them in step.
impl Error {
    pub fn from_display(text: &str) -> Option<Self> {
        let after = |prefix: &str| text.strip_prefix(prefix).map(str::to_owned);
        if text == "not signed in" {
            return Some(Self::NotSignedIn);
        }
        if text == "the client has shut down" {
            return Some(Self::Shutdown);
        }
        if let Some(rest) = text.strip_prefix("server answered ") {
            let (head, message) = rest.split_once(": ")?;
            let (status, code) = head.split_once(' ')?;
            let code: ErrorCode =
                serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()?;
            return Some(Self::Server {
                status: status.parse().ok()?,
                code,
                message: message.to_owned(),
                retry_after: None,
            });
        }
        if let Some(rest) = text.strip_prefix("invalid input: ") {
            // A reason of an older build that no check words so now is
            // no error here: shown as it was stored.
            return Invalid::from_display(rest).map(Self::InvalidInput);
        }
        if let Some(rest) = text.strip_prefix("cannot use ") {
            let (path, message) = rest.rsplit_once(": ")?;
            return Some(Self::Io {
                path: path.to_owned(),
                message: message.to_owned(),
            });
        }
        None.or_else(|| after("network error: ").map(Self::Network))
            .or_else(|| after("the server's certificate is not trusted: ").map(Self::Certificate))
            .or_else(|| after("the session has ended: ").map(Self::SessionEnded))
            .or_else(|| after("local store error: ").map(Self::Store))
            .or_else(|| after("unexpected answer from the server: ").map(Self::Protocol))
            .or_else(|| after("secret store error: ").map(Self::Secrets))
            .or_else(|| after("the file to upload is gone: ").map(Self::SourceGone))
            .or_else(|| {
                text.strip_suffix(" not found")
                    .map(|w| Self::NotFound(w.to_owned()))
            })
    }

    /// A stored failure reason in the user's language; a text that is no
    /// error's `Display` is shown as it is.
    pub fn localized_reason(reason: &str, tr: &crate::i18n::Translator) -> String {
        match Self::from_display(reason) {
            Some(e) => e.localized(tr),
            None => reason.to_owned(),
        }
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

    /// One message per variant and server code, in both languages, with
    /// none of `Display`'s English detail where it is only technical.
    #[test]
    fn localized_messages_per_variant() {
        use crate::i18n::Translator;
        let server = |status, code| Error::Server {
            status,
            code,
            message: "username must be 3 to 32 characters".into(),
            retry_after: None,
        };
        let all = [
            Error::Network("error sending request: connection refused".into()),
            Error::Certificate("invalid peer certificate: UnknownIssuer".into()),
            server(401, ErrorCode::InvalidCredentials),
            server(401, ErrorCode::Unauthorized),
            server(401, ErrorCode::SessionRevoked),
            server(403, ErrorCode::UserDeactivated),
            server(403, ErrorCode::Forbidden),
            server(403, ErrorCode::ReadOnly),
            server(403, ErrorCode::Archived),
            server(404, ErrorCode::NotFound),
            server(409, ErrorCode::UsernameTaken),
            server(409, ErrorCode::EmailTaken),
            server(409, ErrorCode::SlugTaken),
            server(409, ErrorCode::LastOwner),
            server(410, ErrorCode::InviteExpired),
            server(429, ErrorCode::RateLimited),
            server(413, ErrorCode::PayloadTooLarge),
            server(415, ErrorCode::UnsupportedMediaType),
            server(422, ErrorCode::InvalidInput),
            server(409, ErrorCode::Conflict),
            server(503, ErrorCode::Unavailable),
            server(418, ErrorCode::Unknown),
            Error::SessionEnded("the refresh token was reused".into()),
            Error::NotSignedIn,
            Error::Store("database is locked".into()),
            Error::io(std::path::Path::new("/data/tern.db"), "permission denied"),
            Error::Protocol("expected value at line 1".into()),
            Invalid::MessageBody { max: 16_000 }.into(),
            Error::NotFound("room 0190".into()),
            Error::Secrets("the OS keyring failed".into()),
            Error::SourceGone("/tmp/gone.bin".into()),
            Error::Shutdown,
        ];
        for locale in ["en", "ru"] {
            let tr = Translator::for_locale(locale);
            let mut seen = std::collections::BTreeSet::new();
            for e in &all {
                let text = e.localized(&tr);
                assert!(
                    !text.starts_with("core-error-"),
                    "{locale}: no message for {e:?}"
                );
                assert!(!text.contains("connection refused"), "{text}");
                assert!(!text.contains("UnknownIssuer"), "{text}");
                assert!(!text.contains("database is locked"), "{text}");
                assert!(!text.contains("keyring failed"), "{text}");
                seen.insert(text);
            }
            assert_eq!(seen.len(), all.len(), "{locale}: two variants say the same");
        }
        // A stored reason (the `Display`) reads back to the same words.
        for e in &all {
            let back = Error::from_display(&e.to_string())
                .unwrap_or_else(|| panic!("{e} does not read back"));
            for locale in ["en", "ru"] {
                let tr = Translator::for_locale(locale);
                assert_eq!(back.localized(&tr), e.localized(&tr), "{e}");
                assert_eq!(
                    Error::localized_reason(&e.to_string(), &tr),
                    e.localized(&tr)
                );
            }
        }
        let ru = Translator::for_locale("ru");
        assert_eq!(
            Error::localized_reason("server answered 403 archived: room is archived", &ru),
            "Эта комната в архиве"
        );
        assert_eq!(
            Error::localized_reason("something else", &ru),
            "something else"
        );
        let en = Translator::for_locale("en");
        let wrong = server(401, ErrorCode::InvalidCredentials);
        assert_eq!(wrong.localized(&en), "Wrong username or password");
        assert_eq!(wrong.localized(&ru), "Неверное имя пользователя или пароль");
        assert_eq!(
            Error::Network("x".into()).localized(&ru),
            "Нет связи с сервером"
        );
        // What the user can act on stays: a path, the server's reason.
        assert!(
            Error::io(std::path::Path::new("/data/tern.db"), "denied")
                .localized(&ru)
                .contains("/data/tern.db")
        );
        let refused = server(422, ErrorCode::InvalidInput).localized(&ru);
        assert!(refused.contains("username must be 3 to 32"), "{refused}");
        assert!(
            server(503, ErrorCode::Unavailable)
                .localized(&en)
                .contains("503")
        );
    }

    const PATH: &str = "/дом/фото: лето/кот.png";
    const NAME: &str = "имя \"в кавычках\"\n";
    const ID: &str = "0190a8e2-7c4b-7d2e-9f00-5b7c1e2d3a4f";
    const OTHER_ID: &str = "0190a8e2-7c4b-7d2e-9f00-000000000002";
    const OS_ERROR: &str = "No such file or directory (os error 2)";

    /// One of every reason, with values that test the reading back: a
    /// path with `: ` in it, a name with quotes and a newline.
    fn every_reason() -> Vec<Invalid> {
        let path = || PATH.to_owned();
        vec![
            Invalid::FileCacheTooSmall {
                bytes: 1000,
                min: 1 << 20,
            },
            Invalid::ProfileName { name: NAME.into() },
            Invalid::MessageBody { max: 16_000 },
            Invalid::CaptionTooLong { max: 16_000 },
            Invalid::NotAFile { path: path() },
            Invalid::PathNotUtf8 { path: path() },
            Invalid::NotOwnMessage,
            Invalid::Reaction {
                emoji: NAME.into(),
                max: 32,
            },
            Invalid::DirectRoom,
            Invalid::RoomName {
                name: NAME.into(),
                max: 80,
            },
            Invalid::OutboxItemSending { txn: ID.into() },
            Invalid::EventInOtherRoom {
                event: ID.into(),
                room: OTHER_ID.into(),
                expected: ID.into(),
            },
            Invalid::EventSeqGap,
            Invalid::DisplayName {
                name: NAME.into(),
                max: 64,
            },
            Invalid::AvatarMissing { path: path() },
            Invalid::AvatarSize {
                path: path(),
                max: 10 << 20,
            },
            Invalid::AvatarNotImage { path: path() },
            Invalid::RevokeOwnSession { session: ID.into() },
            Invalid::UserSearchTooLong { max: 100 },
            Invalid::UserSearchLimit { limit: 500 },
            Invalid::TargetNeverSent,
            Invalid::CertificateNotPem {
                path: path(),
                detail: "section end not found".into(),
            },
            Invalid::CertificateEmpty { path: path() },
            Invalid::CertificateUnreadable {
                path: path(),
                detail: OS_ERROR.into(),
            },
        ]
    }

    /// Every reason input is refused for: its `Display` (what the outbox
    /// stores) reads back to the same reason, and it is told in English
    /// and in Russian from its own catalog entry, the Russian with no
    /// English in it.
    #[test]
    fn every_invalid_reason_reads_back_and_is_told_in_both_languages() {
        use std::collections::BTreeSet;

        use crate::i18n::Translator;
        let all = every_reason();
        let ids: BTreeSet<&str> = all.iter().map(Invalid::id).collect();
        assert_eq!(ids.len(), all.len(), "two examples of one reason");
        assert_eq!(
            ids,
            Invalid::IDS.iter().copied().collect::<BTreeSet<_>>(),
            "every reason needs an example here"
        );
        let (en, ru) = (Translator::for_locale("en"), Translator::for_locale("ru"));
        let mut told = BTreeSet::new();
        for reason in &all {
            for locale in ["en", "ru"] {
                // Checked by id: a missing Russian entry would otherwise
                // fall back to the English one.
                assert!(
                    Translator::message_ids(locale)
                        .iter()
                        .any(|m| m == reason.id()),
                    "{locale} has no {}",
                    reason.id()
                );
            }
            let e = Error::from(reason.clone());
            let stored = e.to_string();
            assert!(stored.starts_with("invalid input: "), "{stored}");
            assert!(!stored.contains("core-invalid"), "{stored}");
            let back = Error::from_display(&stored)
                .unwrap_or_else(|| panic!("{stored:?} does not read back"));
            assert!(
                matches!(&back, Error::InvalidInput(r) if r == reason),
                "{stored:?} read back as {back:?}"
            );
            for tr in [&en, &ru] {
                let text = e.localized(tr);
                assert!(!text.starts_with("core-"), "no message for {reason:?}");
                assert!(!text.contains('{'), "{text}");
                assert_eq!(Error::localized_reason(&stored, tr), text);
                assert!(told.insert(text.clone()), "said twice: {text}");
            }
            // What is left of the Russian once the values are taken out:
            // Russian words, and Latin only for names of formats and
            // characters.
            let mut rest = e.localized(&ru);
            for value in [PATH, NAME, ID, OTHER_ID] {
                rest = rest.replace(value, " ");
            }
            let latin: Vec<&str> = rest
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
                .filter(|w| {
                    ![
                        "PNG", "JPEG", "GIF", "WebP", "PEM", "UTF", "A", "Z", "a", "z",
                    ]
                    .contains(w)
                })
                .collect();
            assert!(latin.is_empty(), "English in {rest:?}: {latin:?}");
            assert!(
                rest.chars().any(|c| ('а'..='я').contains(&c)),
                "not Russian: {rest:?}"
            );
        }
        // The values reach the message as arguments.
        let big = Error::from(Invalid::AvatarSize {
            path: PATH.into(),
            max: 10 << 20,
        });
        assert_eq!(
            big.localized(&ru),
            format!("Аватар должен быть файлом изображения от 1 до 10485760 байт: {PATH}")
        );
        assert_eq!(
            big.localized(&en),
            format!("An avatar must be an image file of 1 to 10485760 bytes: {PATH}")
        );
        assert_eq!(
            Error::from(Invalid::RoomName {
                name: String::new(),
                max: 21
            })
            .localized(&ru),
            "В названии комнаты должно быть от 1 до 21 символа"
        );
        // A reason stored by an older build reads back.
        assert_eq!(
            Error::localized_reason(
                "invalid input: the message it refers to was never sent",
                &ru
            ),
            "Сообщение, к которому это относится, так и не было отправлено"
        );
        // A free-text reason no check words so now is shown as stored.
        for old in [
            "invalid input: the message is empty",
            "invalid input: room name \"x: 1 to 80 characters",
            "invalid input: ",
        ] {
            assert!(Error::from_display(old).is_none(), "{old}");
            assert_eq!(Error::localized_reason(old, &ru), old);
        }
    }
}
