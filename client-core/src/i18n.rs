//! Translations: Fluent catalogs built into the library, so the TUI and
//! the desktop app say the same words.
//!
//! The catalogs are `i18n/<locale>/tern.ftl` (English and Russian). A
//! [`Translator`] picks a locale (an override, else the system's, else
//! English) and answers [`Translator::tr`]; a message missing from the
//! chosen catalog falls back to English, and one missing everywhere is
//! answered with its id so a gap shows instead of crashing.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::FluentValue;

const CATALOGS: &[(&str, &str)] = &[
    ("en", include_str!("../i18n/en/tern.ftl")),
    ("ru", include_str!("../i18n/ru/tern.ftl")),
];

/// The locales this build has catalogs for.
pub fn available_locales() -> Vec<&'static str> {
    CATALOGS.iter().map(|(l, _)| *l).collect()
}

/// The system's locale (e.g. `ru-RU`), if it can be told.
pub fn system_locale() -> Option<String> {
    sys_locale::get_locale()
}

/// The best catalog for a language tag (`ru_RU.UTF-8`, `ru-RU`, `en`).
pub fn negotiate(tag: &str) -> &'static str {
    let clean = tag
        .split(['.', '@'])
        .next()
        .unwrap_or_default()
        .replace('_', "-");
    let lang = clean
        .parse::<LanguageIdentifier>()
        .map(|l| l.language.as_str().to_owned())
        .unwrap_or_default();
    CATALOGS
        .iter()
        .map(|(l, _)| *l)
        .find(|l| *l == lang)
        .unwrap_or("en")
}

fn bundle(locale: &str) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = locale.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No bidi isolation marks: terminals show them as junk.
    b.set_use_isolating(false);
    let source = CATALOGS
        .iter()
        .find(|(l, _)| *l == locale)
        .map(|(_, s)| *s)
        .unwrap_or_default();
    let res = match FluentResource::try_new(source.to_owned()) {
        Ok(r) => r,
        Err((r, errors)) => {
            tracing::warn!(locale, ?errors, "the catalog has errors");
            r
        }
    };
    if let Err(errors) = b.add_resource(res) {
        tracing::warn!(locale, ?errors, "the catalog has duplicate messages");
    }
    b
}

/// Formats user-visible strings in one locale.
pub struct Translator {
    locale: &'static str,
    main: FluentBundle<FluentResource>,
    fallback: Option<FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Translator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Translator")
            .field("locale", &self.locale)
            .finish()
    }
}

impl Translator {
    /// The override if given, else the system's locale, else English.
    pub fn new(override_locale: Option<&str>) -> Self {
        let tag = override_locale
            .map(str::to_owned)
            .or_else(system_locale)
            .unwrap_or_else(|| "en".to_owned());
        Self::for_locale(&tag)
    }

    /// Exactly this locale (negotiated to the catalogs there are).
    pub fn for_locale(tag: &str) -> Self {
        let locale = negotiate(tag);
        Self {
            locale,
            main: bundle(locale),
            fallback: (locale != "en").then(|| bundle("en")),
        }
    }

    /// The catalog in use: `en` or `ru`.
    pub fn locale(&self) -> &'static str {
        self.locale
    }

    /// The message `id` without arguments.
    pub fn tr(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with arguments, e.g. `&[("count", 3.into())]`.
    pub fn tr_args(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.format(id, Some(&fa))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for b in std::iter::once(&self.main).chain(self.fallback.as_ref()) {
            if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let s = b.format_pattern(pattern, args, &mut errors);
                if !errors.is_empty() {
                    tracing::debug!(id, ?errors, "formatting a message");
                }
                return s.into_owned();
            }
        }
        id.to_owned()
    }

    /// Ids of every message in a catalog (for completeness checks).
    pub fn message_ids(locale: &str) -> Vec<String> {
        let source = CATALOGS
            .iter()
            .find(|(l, _)| *l == locale)
            .map(|(_, s)| *s)
            .unwrap_or_default();
        // A message starts a line with its id; attributes, variants and
        // comments start otherwise.
        source
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_tags() {
        assert_eq!(negotiate("ru_RU.UTF-8"), "ru");
        assert_eq!(negotiate("ru-RU"), "ru");
        assert_eq!(negotiate("en-GB"), "en");
        assert_eq!(negotiate("de-DE"), "en");
        assert_eq!(negotiate("C"), "en");
        assert_eq!(negotiate(""), "en");
    }

    #[test]
    fn every_catalog_parses_and_has_every_english_message() {
        let en = Translator::message_ids("en");
        assert!(en.len() > 20);
        for (locale, source) in CATALOGS {
            assert!(
                FluentResource::try_new((*source).to_owned()).is_ok(),
                "{locale} has syntax errors"
            );
            let ids = Translator::message_ids(locale);
            for id in &en {
                assert!(ids.contains(id), "{locale} lacks {id}");
            }
        }
    }

    #[test]
    fn formats_with_plurals_and_falls_back() {
        let en = Translator::for_locale("en");
        assert_eq!(en.tr("connection-online"), "Online");
        assert_eq!(
            en.tr_args("unread-count", &[("count", 1.into())]),
            "1 unread message"
        );
        assert_eq!(
            en.tr_args("unread-count", &[("count", 5.into())]),
            "5 unread messages"
        );
        let ru = Translator::for_locale("ru-RU");
        assert_eq!(ru.locale(), "ru");
        assert_eq!(ru.tr("connection-online"), "В сети");
        assert_eq!(
            ru.tr_args("unread-count", &[("count", 1.into())]),
            "1 непрочитанное сообщение"
        );
        assert_eq!(
            ru.tr_args("unread-count", &[("count", 3.into())]),
            "3 непрочитанных сообщения"
        );
        assert_eq!(
            ru.tr_args("unread-count", &[("count", 11.into())]),
            "11 непрочитанных сообщений"
        );
        assert_eq!(ru.tr("no-such-message"), "no-such-message");
        // An override wins over the system.
        assert_eq!(Translator::new(Some("ru")).locale(), "ru");
        assert_eq!(Translator::new(Some("en")).locale(), "en");
    }
}
