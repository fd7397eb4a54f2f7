//! The user's config file (TOML) and where Tern keeps its files.
//!
//! The file lives at `$XDG_CONFIG_HOME/tern/config.toml` unless `--config`
//! names another. Every field is optional. A file that cannot be read or
//! parsed never stops the app: [`load`] returns the defaults together with
//! a message naming the file and the line, which the caller prints and the
//! UI shows in its status bar.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tern_client_core::i18n::Translator;

/// Light or dark colours.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Notifications {
    /// Raise a terminal notification (OSC 777 / OSC 9) for mentions and DMs.
    pub enabled: bool,
    /// Ring the terminal bell as well.
    pub bell: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            enabled: true,
            bell: true,
        }
    }
}

/// One key or several for an action: `quit = "q"` or `quit = ["q", "ctrl-q"]`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Self::One(k) => vec![k.as_str()],
            Self::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The server to use when neither `--server` nor the profile says.
    pub server: Option<String>,
    /// `en` or `ru`; the system's locale when absent.
    pub locale: Option<String>,
    pub theme: ThemeName,
    pub notifications: Notifications,
    /// Action name to key(s), replacing that action's default keys.
    pub keys: BTreeMap<String, KeyList>,
}

/// The config in use and, when the file was bad, what to tell the user.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub config: Config,
    pub problem: Option<ConfigProblem>,
}

/// Why the config file was not used. Told in the user's language once the
/// language is known (the file itself may be what names it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigProblem {
    /// The file could not be read.
    Unreadable { path: PathBuf, error: String },
    /// The file is not a valid config; `line` when the parser knows it.
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        what: String,
    },
}

impl ConfigProblem {
    /// The message for the user, through the catalogs.
    pub fn message(&self, tr: &Translator) -> String {
        match self {
            Self::Unreadable { path, error } => tr.tr_args(
                "config-unreadable",
                &[
                    ("path", path.display().to_string().into()),
                    ("error", error.clone().into()),
                ],
            ),
            Self::Invalid { path, line, what } => tr.tr_args(
                "config-invalid",
                &[
                    ("path", path.display().to_string().into()),
                    ("line", line.map_or(0, |l| l as i64).into()),
                    ("what", fault(what, tr).into()),
                ],
            ),
        }
    }
}

/// The parser's complaint in the user's language. The parser words it in
/// English; the kinds a hand-written config meets are told through the
/// catalogs with the names they quote, anything else as a syntax error.
fn fault(what: &str, tr: &Translator) -> String {
    // The first `quoted` name after `prefix`, and the text after it.
    let quoted = |prefix: &str| -> Option<(String, String)> {
        let rest = what.strip_prefix(prefix)?.strip_prefix('`')?;
        let (name, after) = rest.split_once('`')?;
        Some((name.to_owned(), after.to_owned()))
    };
    // "expected `a`, `b` or `c`" (or "one of ...") as "a, b, c".
    let expected = |after: &str| -> String {
        let list = after.split_once("expected").map_or("", |(_, l)| l);
        let list = list
            .split('`')
            .skip(1)
            .step_by(2)
            .collect::<Vec<_>>()
            .join(", ");
        // The catalogs select on "none" when the parser listed nothing.
        if list.is_empty() {
            "none".to_owned()
        } else {
            list
        }
    };
    if let Some((value, after)) = quoted("unknown variant ") {
        let allowed = expected(&after);
        return tr.tr_args(
            "config-fault-value",
            &[("value", value.into()), ("allowed", allowed.into())],
        );
    }
    if let Some((key, after)) = quoted("unknown field ") {
        let allowed = expected(&after);
        return tr.tr_args(
            "config-fault-key",
            &[("key", key.into()), ("allowed", allowed.into())],
        );
    }
    if let Some((key, _)) = quoted("missing field ") {
        return tr.tr_args("config-fault-missing", &[("key", key.into())]);
    }
    if what.starts_with("invalid type") || what.starts_with("invalid value") {
        return tr.tr("config-fault-type");
    }
    tr.tr("config-fault-syntax")
}

/// The default config file: `$XDG_CONFIG_HOME/tern/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("tern").join("config.toml"))
}

/// Reads the config. A missing default file is not a problem; a missing
/// file named with `--config` is.
pub fn load(explicit: Option<&Path>) -> Loaded {
    let (path, must_exist) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match default_path() {
            Some(p) => (p, false),
            None => return Loaded::default(),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => Loaded::default(),
        Err(e) => Loaded {
            config: Config::default(),
            problem: Some(ConfigProblem::Unreadable {
                path,
                error: e.to_string(),
            }),
        },
    }
}

/// Parses config text; on error the defaults and a message with the line.
pub fn parse(path: &Path, text: &str) -> Loaded {
    match toml::from_str::<Config>(text) {
        Ok(config) => Loaded {
            config,
            problem: None,
        },
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            Loaded {
                config: Config::default(),
                problem: Some(ConfigProblem::Invalid {
                    path: path.to_owned(),
                    line,
                    what: e.message().trim().to_owned(),
                }),
            }
        }
    }
}

/// The folder holding every profile: `--data-dir` or `$XDG_DATA_HOME/tern`.
pub fn data_dir(explicit: Option<&Path>) -> PathBuf {
    explicit.map(Path::to_path_buf).unwrap_or_else(|| {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("tern")
    })
}

/// The log file: under `--data-dir` when one is given (tests stay in their
/// temp dir), else `$XDG_STATE_HOME/tern/tern.log`.
pub fn log_path(explicit_data_dir: Option<&Path>) -> PathBuf {
    match explicit_data_dir {
        Some(d) => d.join("tern.log"),
        None => dirs::state_dir()
            .or_else(dirs::data_dir)
            .unwrap_or_else(|| PathBuf::from("."))
            .join("tern")
            .join("tern.log"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_file_parses() {
        let l = parse(
            Path::new("c.toml"),
            "locale = \"ru\"\ntheme = \"light\"\n[keys]\nquit = [\"q\", \"ctrl-q\"]\nhelp = \"f1\"\n",
        );
        assert_eq!(l.problem, None);
        assert_eq!(l.config.locale.as_deref(), Some("ru"));
        assert_eq!(l.config.theme, ThemeName::Light);
        assert_eq!(l.config.keys["quit"].keys(), vec!["q", "ctrl-q"]);
        assert!(l.config.notifications.enabled);
    }

    #[test]
    fn a_bad_file_names_the_line_and_gives_defaults() {
        let l = parse(
            Path::new("/x/config.toml"),
            "locale = \"en\"\n\ntheme = \"purple\"\n",
        );
        let problem = l.problem.unwrap();
        let en = problem.message(&Translator::for_locale("en"));
        assert!(en.contains("/x/config.toml, line 3"), "{en}");
        assert!(en.contains("using the defaults"), "{en}");
        assert!(
            en.contains("no value “purple” here (allowed: dark, light)"),
            "{en}"
        );
        let ru = problem.message(&Translator::for_locale("ru"));
        assert!(ru.contains("/x/config.toml, строка 3"), "{ru}");
        assert!(
            ru.contains("недопустимое значение «purple» (можно: dark, light)"),
            "{ru}"
        );
        assert_eq!(l.config, Config::default());
        let l = parse(Path::new("c.toml"), "a = [\n");
        assert!(matches!(
            l.problem,
            Some(ConfigProblem::Invalid { line: Some(_), .. })
        ));
    }

    /// Every kind of complaint is told in Russian with no English word
    /// but the names the user wrote.
    #[test]
    fn parser_complaints_are_told_in_the_users_language() {
        let cases = [
            ("theme = \"purple\"\n", "purple"),
            ("colour = 1\n", "colour"),
            ("theme = 5\n", ""),
            ("locale = \"en\n", ""),
            ("a = [\n", ""),
        ];
        for (text, name) in cases {
            let p = parse(Path::new("/c.toml"), text).problem.unwrap();
            let ru = p.message(&Translator::for_locale("ru"));
            // Names a config holds are Latin in every language.
            let names = [
                "c",
                "toml",
                "TOML",
                "dark",
                "light",
                "server",
                "locale",
                "theme",
                "notifications",
                "keys",
            ];
            let latin: Vec<&str> = ru
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty() && !names.contains(w))
                .filter(|w| *w != name)
                .collect();
            assert!(latin.is_empty(), "{text:?}: {ru} has {latin:?}");
            let en = p.message(&Translator::for_locale("en"));
            assert!(!name.is_empty() || !en.contains('`'), "{en}");
            if !name.is_empty() {
                assert!(en.contains(name) && ru.contains(name), "{en} / {ru}");
            }
        }
    }

    #[test]
    fn a_missing_explicit_file_is_reported() {
        let l = load(Some(Path::new("/nonexistent/tern.toml")));
        let p = l.problem.unwrap();
        assert!(matches!(p, ConfigProblem::Unreadable { .. }));
        assert!(
            p.message(&Translator::for_locale("en"))
                .contains("/nonexistent/tern.toml")
        );
    }
}
