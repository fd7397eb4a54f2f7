//! Why input was refused: the reason of an [`Error::InvalidInput`].
//!
//! One variant per check. Each has a catalog message (`core-invalid-*`)
//! that receives the variant's fields (a path, a limit, a name) as Fluent
//! arguments, and an English `Display` for logs that
//! [`Invalid::from_display`] reads back: the outbox keeps a failure's
//! reason as `Display` text. Both come from one table below, so a variant
//! cannot lack either.
//!
//! [`Error::InvalidInput`]: super::Error::InvalidInput

use std::fmt;

use crate::i18n::{FluentValue, Translator};

/// A field of a reason: written into `Display`, read back from it, and
/// passed to the catalog.
trait Arg: Sized {
    fn show(&self) -> String;
    fn read(text: &str) -> Option<Self>;
    fn fluent(&self) -> FluentValue<'static>;
}

impl Arg for String {
    fn show(&self) -> String {
        self.clone()
    }
    fn read(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
    fn fluent(&self) -> FluentValue<'static> {
        self.clone().into()
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn show(&self) -> String {
                self.to_string()
            }
            fn read(text: &str) -> Option<Self> {
                text.parse().ok()
            }
            fn fluent(&self) -> FluentValue<'static> {
                (*self).into()
            }
        }
    )*};
}
number_arg!(u64, usize);

/// The table: each reason's fields, catalog id and `Display` template.
/// A template names fields as `{name}`, or `{name:?}` for a quoted string
/// (Rust's `Debug` form, so spaces, quotes and control characters stay
/// readable and unambiguous). `from_display` tries the templates in this
/// order: a more specific one must come before a more general one.
macro_rules! reasons {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident $({ $($field:ident: $ty:ty),* $(,)? })? => $id:literal, $template:literal;
    )*) => {
        /// Why input was refused; see the module docs.
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Invalid {
            $( $(#[doc = $doc])* $variant $({ $($field: $ty),* })?, )*
        }

        impl Invalid {
            /// The catalog id of every reason, in table order.
            pub const IDS: &'static [&'static str] = &[$($id),*];

            /// This reason's catalog id.
            pub fn id(&self) -> &'static str {
                match self {
                    $( Self::$variant { .. } => $id, )*
                }
            }

            fn template(&self) -> &'static str {
                match self {
                    $( Self::$variant { .. } => $template, )*
                }
            }

            /// Each field's name, `Display` text and catalog value.
            fn fields(&self) -> Vec<(&'static str, String, FluentValue<'static>)> {
                match self {
                    $( Self::$variant $({ $($field),* })? => vec![
                        $($( (stringify!($field), Arg::show($field), Arg::fluent($field)) ),*)?
                    ], )*
                }
            }

            /// The reason whose `Display` is `text`, if any.
            pub fn from_display(text: &str) -> Option<Self> {
                $(
                    'variant: {
                        #[allow(unused_variables)] // a reason without fields
                        let Some(values) = capture($template, text) else {
                            break 'variant;
                        };
                        $($(
                            let Some($field) = values
                                .iter()
                                .find(|(name, _)| *name == stringify!($field))
                                .and_then(|(_, v)| <$ty as Arg>::read(v))
                            else {
                                break 'variant;
                            };
                        )*)?
                        let reason = Self::$variant $({ $($field),* })?;
                        // A value may hold a template's words; only an
                        // exact rewrite is this reason.
                        if reason.to_string() == text {
                            return Some(reason);
                        }
                    }
                )*
                None
            }
        }
    };
}

reasons! {
    /// The file cache's cap is below [`crate::FILE_CACHE_MIN_BYTES`].
    FileCacheTooSmall { bytes: u64, min: u64 } =>
        "core-invalid-file-cache-too-small", "file cache size {bytes} bytes: at least {min}";
    /// A profile name other than 1 to 64 of `A-Z a-z 0-9 _ . -`.
    ProfileName { name: String } =>
        "core-invalid-profile-name", "profile name {name:?}: use 1 to 64 of A-Z a-z 0-9 _ . -";
    /// A message body empty, only spaces, or too long.
    MessageBody { max: usize } =>
        "core-invalid-message-body", "message body: 1 to {max} characters, not only spaces";
    /// A file's caption is too long.
    CaptionTooLong { max: usize } =>
        "core-invalid-caption-too-long", "caption: at most {max} characters";
    /// The path to send is not a regular file.
    NotAFile { path: String } =>
        "core-invalid-not-a-file", "{path} is not a file";
    /// The path to send cannot be stored (it is not UTF-8).
    PathNotUtf8 { path: String } =>
        "core-invalid-path-not-utf8", "{path}: the path is not UTF-8";
    /// Someone else's message cannot be edited.
    NotOwnMessage => "core-invalid-not-own-message", "only your own messages can be edited";
    /// A reaction empty or too long.
    Reaction { emoji: String, max: usize } =>
        "core-invalid-reaction", "reaction {emoji:?}: 1 to {max} bytes";
    /// Direct rooms are opened with `Client::open_direct`, not created.
    DirectRoom => "core-invalid-direct-room", "direct rooms are opened with Client::open_direct";
    /// A room name empty or too long.
    RoomName { name: String, max: usize } =>
        "core-invalid-room-name", "room name {name:?}: 1 to {max} characters";
    /// An outbox item cannot be cancelled while it is being sent.
    OutboxItemSending { txn: String } =>
        "core-invalid-outbox-item-sending", "outbox item {txn} is being sent; try again in a moment";
    /// An imported event belongs to another room.
    EventInOtherRoom { event: String, room: String, expected: String } =>
        "core-invalid-event-in-other-room", "event {event} belongs to room {room}, not {expected}";
    /// Imported events leave a gap between seqs.
    EventSeqGap => "core-invalid-event-seq-gap", "imported events must have consecutive seqs";
    /// A display name empty, too long or with control characters.
    DisplayName { name: String, max: usize } =>
        "core-invalid-display-name",
        "display name {name:?}: 1 to {max} characters, no control characters";
    /// The avatar's file is not there.
    AvatarMissing { path: String } =>
        "core-invalid-avatar-missing", "avatar {path}: no such file";
    /// The avatar's file is empty, too large, or not a file.
    AvatarSize { path: String, max: u64 } =>
        "core-invalid-avatar-size", "avatar {path}: an image file of 1 to {max} bytes";
    /// The avatar's file is not an image.
    AvatarNotImage { path: String } =>
        "core-invalid-avatar-not-image", "avatar {path}: not a PNG, JPEG, GIF or WebP image";
    /// This device's own session is signed out with `Client::logout`.
    RevokeOwnSession { session: String } =>
        "core-invalid-revoke-own-session", "session {session} is this device's: sign out instead";
    /// A search for people is too long.
    UserSearchTooLong { max: usize } =>
        "core-invalid-user-search-too-long", "user search: at most {max} characters";
    /// A search for people asks for too few or too many.
    UserSearchLimit { limit: u64 } =>
        "core-invalid-user-search-limit", "user search limit {limit}: 1 to 100";
    /// An edit, reaction or reply refers to a message that was never sent.
    TargetNeverSent => "core-invalid-target-never-sent", "the message it refers to was never sent";
    /// The extra root certificate's file is not PEM.
    CertificateNotPem { path: String, detail: String } =>
        "core-invalid-certificate-not-pem",
        "extra root certificate {path}: not a readable PEM file ({detail})";
    /// The extra root certificate's file holds no certificate.
    CertificateEmpty { path: String } =>
        "core-invalid-certificate-empty", "extra root certificate {path}: no certificate in the file";
    /// The extra root certificate's file cannot be read (after the two
    /// above: its template matches their texts too).
    CertificateUnreadable { path: String, detail: String } =>
        "core-invalid-certificate-unreadable", "extra root certificate {path}: {detail}";
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields = self.fields();
        for seg in segments(self.template()) {
            match seg {
                Seg::Text(t) => f.write_str(t)?,
                Seg::Field { name, quoted } => {
                    let value = fields
                        .iter()
                        .find(|(n, _, _)| *n == name)
                        .map_or("", |(_, v, _)| v.as_str());
                    if quoted {
                        write!(f, "{value:?}")?;
                    } else {
                        f.write_str(value)?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl Invalid {
    /// The reason in the user's language, its fields as arguments.
    pub fn localized(&self, tr: &Translator) -> String {
        let args: Vec<(&str, FluentValue<'static>)> = self
            .fields()
            .into_iter()
            .map(|(name, _, value)| (name, value))
            .collect();
        tr.tr_args(self.id(), &args)
    }
}

#[derive(Clone, Copy, Debug)]
enum Seg<'a> {
    Text(&'a str),
    Field { name: &'a str, quoted: bool },
}

/// A template cut into its words and fields.
fn segments(template: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            out.push(Seg::Text(&rest[..open]));
        }
        let inner = &rest[open + 1..close];
        out.push(match inner.strip_suffix(":?") {
            Some(name) => Seg::Field { name, quoted: true },
            None => Seg::Field {
                name: inner,
                quoted: false,
            },
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Seg::Text(rest));
    }
    out
}

/// The field values that make `text` out of `template`, each field as
/// long as it can be (a path may hold `: `); `None` when it does not fit.
fn capture(template: &'static str, text: &str) -> Option<Vec<(&'static str, String)>> {
    fn go(segs: &[Seg<'static>], text: &str, out: &mut Vec<(&'static str, String)>) -> bool {
        match segs.split_first() {
            None => text.is_empty(),
            Some((Seg::Text(t), rest)) => text
                .strip_prefix(t)
                .is_some_and(|after| go(rest, after, out)),
            Some((Seg::Field { name, quoted }, rest)) => {
                // Where the field may end: before the next words, or at
                // the end of the text.
                let ends: Vec<usize> = match rest.first() {
                    None => vec![text.len()],
                    Some(Seg::Text(next)) => text.match_indices(next).map(|(i, _)| i).collect(),
                    // Two fields in a row cannot be told apart.
                    Some(Seg::Field { .. }) => vec![],
                };
                for end in ends.into_iter().rev() {
                    let raw = &text[..end];
                    let value = if *quoted {
                        match unquote(raw) {
                            Some(v) => v,
                            None => continue,
                        }
                    } else {
                        raw.to_owned()
                    };
                    out.push((*name, value));
                    if go(rest, &text[end..], out) {
                        return true;
                    }
                    out.pop();
                }
                false
            }
        }
    }
    let segs = segments(template);
    let mut out = Vec::new();
    go(&segs, text, &mut out).then_some(out)
}

/// A string from its `Debug` form (`"a \"b\"\n"` → `a "b"` and a newline).
fn unquote(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '0' => '\0',
            '\\' => '\\',
            '"' => '"',
            '\'' => '\'',
            'u' => {
                if chars.next()? != '{' {
                    return None;
                }
                let mut hex = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        c => hex.push(c),
                    }
                }
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
            }
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_read_back() {
        for s in [
            "",
            "plain",
            "with \"quotes\" and \\",
            "tab\tnew\nline\r\0",
            "bell\u{7}\u{1b}[31m",
            "«ёлка»: да",
            "e\u{301}",
        ] {
            assert_eq!(unquote(&format!("{s:?}")).as_deref(), Some(s), "{s:?}");
        }
        assert_eq!(unquote("no quotes"), None);
        assert_eq!(unquote("\"bad \\q escape\""), None);
        assert_eq!(unquote("\"cut \\u{41\""), None);
    }

    #[test]
    fn a_field_takes_the_longest_value_that_fits() {
        let e = Invalid::CertificateUnreadable {
            path: "/etc/a: b/ca.pem".into(),
            detail: "No such file or directory (os error 2)".into(),
        };
        assert_eq!(Invalid::from_display(&e.to_string()), Some(e));
        assert_eq!(
            Invalid::from_display("extra root certificate /x.pem: no certificate in the file"),
            Some(Invalid::CertificateEmpty {
                path: "/x.pem".into()
            })
        );
        // Numbers read back only as `Display` writes them.
        assert_eq!(
            Invalid::from_display("user search limit +5: 1 to 100"),
            None
        );
        assert_eq!(
            Invalid::from_display("user search limit 05: 1 to 100"),
            None
        );
        assert_eq!(
            Invalid::from_display("caption: at most many characters"),
            None
        );
        assert_eq!(
            Invalid::from_display("room name bare: 1 to 80 characters"),
            None
        );
    }
}
