//! The one error type that crosses into the window.
//!
//! Every command fails with a [`CmdError`]: a stable `code` the front end
//! matches on, `text` to show the user in the app's language, the
//! server's own error code when the server answered, and whether trying
//! again may help. `message` is English with every detail, for logs,
//! never for matching or showing.
//!
//! The words come from client-core's catalogs (`tern.ftl`), so the
//! terminal and the desktop say the same thing: a client-core error is
//! worded by [`Error::localized`] (each `Invalid` reason with its own
//! message), the desktop's own refusals by `desktop-*` messages. An error
//! is built without a language; every command words it on the way out
//! with [`CmdError::worded`] (through [`crate::AppState::worded`]), in
//! the language the settings choose.

use serde::Serialize;
use tern_client_core::Error;
use tern_client_core::i18n::{FluentValue, Translator};

#[derive(Clone, Debug, Serialize)]
pub struct CmdError {
    /// One of [`CODES`].
    pub code: &'static str,
    /// English, with every detail (for logs).
    pub message: String,
    /// What the window shows: the failure in the app's language. Empty
    /// until [`CmdError::worded`].
    pub text: String,
    /// The server's error code (`invalid_credentials`, `forbidden`, …) when
    /// the server answered.
    pub server_code: Option<String>,
    pub status: Option<u16>,
    /// Trying again later may succeed.
    pub transient: bool,
    #[serde(skip)]
    wording: Box<Wording>,
}

/// How to word an error once the language is known.
#[derive(Clone, Debug)]
enum Wording {
    /// client-core's own words for it.
    Core(std::sync::Arc<Error>),
    /// A catalog message and its arguments.
    Message {
        id: &'static str,
        args: Vec<(&'static str, Arg)>,
    },
}

/// An argument of a catalog message.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Number(u64),
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}

impl From<u64> for Arg {
    fn from(v: u64) -> Self {
        Self::Number(v)
    }
}

impl From<usize> for Arg {
    fn from(v: usize) -> Self {
        Self::Number(u64::try_from(v).unwrap_or(u64::MAX))
    }
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

/// The catalog messages of the desktop's own errors (each in every
/// catalog: see the tests).
pub const MESSAGES: &[&str] = &[
    "desktop-error-io",
    "desktop-invalid-language",
    "desktop-invalid-cache-size",
    "desktop-invalid-server-url-scheme",
    "desktop-invalid-server-url-host",
    "desktop-invalid-login-required",
    "desktop-invalid-nothing-to-change",
    "desktop-invalid-avatar-not-chosen",
    "desktop-invalid-pasted-size",
    "desktop-invalid-save-not-chosen",
];

impl CmdError {
    fn message(code: &'static str, id: &'static str, message: String) -> Self {
        debug_assert!(CODES.contains(&code));
        debug_assert!(MESSAGES.contains(&id));
        Self {
            code,
            message,
            text: String::new(),
            server_code: None,
            status: None,
            transient: false,
            wording: Box::new(Wording::Message {
                id,
                args: Vec::new(),
            }),
        }
    }

    /// Refused input: the catalog message `id` (one of [`MESSAGES`]) to
    /// show, `message` for the log.
    pub fn invalid(id: &'static str, message: impl Into<String>) -> Self {
        Self::message("invalid_input", id, message.into())
    }

    /// A local file could not be read or written.
    pub fn io(e: impl std::fmt::Display) -> Self {
        Self::message("io", "desktop-error-io", e.to_string())
    }

    /// Gives the catalog message an argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        if let Wording::Message { args, .. } = &mut *self.wording {
            args.push((name, value.into()));
        }
        self
    }

    /// Fills in `text` in `tr`'s language.
    pub fn worded(mut self, tr: &Translator) -> Self {
        self.text = match &*self.wording {
            Wording::Core(e) => e.localized(tr),
            Wording::Message { id, args } => {
                let args: Vec<(&str, FluentValue<'_>)> = args
                    .iter()
                    .map(|(name, v)| {
                        let v = match v {
                            Arg::Text(t) => FluentValue::from(t.as_str()),
                            Arg::Number(n) => FluentValue::from(*n),
                        };
                        (*name, v)
                    })
                    .collect();
                tr.tr_args(id, &args)
            }
        };
        self
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
            text: String::new(),
            server_code,
            status: e.status(),
            transient: e.is_transient(),
            wording: Box::new(Wording::Core(std::sync::Arc::new(e))),
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
        // Refused input keeps its code and English log message; the
        // window's text is worded in the language asked for.
        let e: CmdError = Error::from(tern_client_core::Invalid::NotOwnMessage).into();
        assert_eq!(e.code, "invalid_input");
        assert_eq!(
            e.message,
            "invalid input: only your own messages can be edited"
        );
        assert!(!e.transient);
        assert_eq!(e.text, "");
        let ru = e.clone().worded(&Translator::for_locale("ru"));
        assert_eq!(ru.text, "Изменять можно только свои сообщения");
        let en = e.worded(&Translator::for_locale("en"));
        assert_eq!(en.text, "Only your own messages can be edited");
        assert_eq!(en.code, "invalid_input");
        let json = serde_json::to_value(CmdError::from(Error::NotSignedIn)).unwrap_or_default();
        assert_eq!(json["code"], "not_signed_in");
        assert!(CODES.iter().all(|c| !c.is_empty()));
    }

    #[test]
    fn the_desktops_own_errors_are_worded_in_every_language() {
        let ru = Translator::for_locale("ru");
        let en = Translator::for_locale("en");
        for id in MESSAGES {
            let (r, e) = (ru.tr(id), en.tr(id));
            // A missing message is answered with its id.
            assert_ne!(e, *id, "en lacks {id}");
            assert_ne!(r, *id, "ru lacks {id}");
            assert_ne!(r, e, "{id} is not translated");
        }
        let e = CmdError::invalid("desktop-invalid-cache-size", "cache size: 16 to 64 MB")
            .arg("min", 16_u64)
            .arg("max", 64_u64);
        assert_eq!(e.code, "invalid_input");
        assert_eq!(e.message, "cache size: 16 to 64 MB");
        let text = e.worded(&ru).text;
        assert!(text.contains("16") && text.contains("64"), "{text}");
        assert!(!text.chars().any(|c| c.is_ascii_alphabetic()), "{text}");
    }
}
