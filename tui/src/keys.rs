//! Key bindings: named commands, their default keys (arrows and vim-style),
//! and the config's `[keys]` table, which replaces an action's keys.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::KeyList;

/// What a bound key does (outside text fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bound {
    Quit,
    Help,
    Command,
    Search,
    FocusNext,
    FocusPrev,
    FocusRooms,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Open,
    Compose,
    Reply,
    Edit,
    Delete,
    React,
    MarkRead,
    NextRoom,
    PrevRoom,
    OpenFile,
    SaveFile,
    Mute,
    Members,
    Directory,
}

impl Bound {
    pub const ALL: [Bound; 27] = [
        Bound::Quit,
        Bound::Help,
        Bound::Command,
        Bound::Search,
        Bound::FocusNext,
        Bound::FocusPrev,
        Bound::FocusRooms,
        Bound::Up,
        Bound::Down,
        Bound::Top,
        Bound::Bottom,
        Bound::PageUp,
        Bound::PageDown,
        Bound::Open,
        Bound::Compose,
        Bound::Reply,
        Bound::Edit,
        Bound::Delete,
        Bound::React,
        Bound::MarkRead,
        Bound::NextRoom,
        Bound::PrevRoom,
        Bound::OpenFile,
        Bound::SaveFile,
        Bound::Mute,
        Bound::Members,
        Bound::Directory,
    ];

    /// The name used in the config file and the help's catalog id.
    /// Whether the key does something while the room list has the focus;
    /// other letters there go into the filter.
    pub fn acts_on_rooms(self) -> bool {
        !matches!(
            self,
            Self::Reply
                | Self::Edit
                | Self::Delete
                | Self::React
                | Self::OpenFile
                | Self::SaveFile
                | Self::Members
                | Self::Directory
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::Help => "help",
            Self::Command => "command",
            Self::Search => "search",
            Self::FocusNext => "focus-next",
            Self::FocusPrev => "focus-prev",
            Self::FocusRooms => "focus-rooms",
            Self::Up => "up",
            Self::Down => "down",
            Self::Top => "top",
            Self::Bottom => "bottom",
            Self::PageUp => "page-up",
            Self::PageDown => "page-down",
            Self::Open => "open",
            Self::Compose => "compose",
            Self::Reply => "reply",
            Self::Edit => "edit",
            Self::Delete => "delete",
            Self::React => "react",
            Self::MarkRead => "mark-read",
            Self::NextRoom => "next-room",
            Self::PrevRoom => "prev-room",
            Self::OpenFile => "open-file",
            Self::SaveFile => "save-file",
            Self::Mute => "mute",
            Self::Members => "members",
            Self::Directory => "directory",
        }
    }

    fn defaults(self) -> &'static [&'static str] {
        match self {
            Self::Quit => &["q"],
            Self::Help => &["?", "f1"],
            Self::Command => &[":"],
            Self::Search => &["/"],
            Self::FocusNext => &["tab"],
            Self::FocusPrev => &["backtab"],
            Self::FocusRooms => &["h", "left"],
            Self::Up => &["k", "up"],
            Self::Down => &["j", "down"],
            Self::Top => &["g", "home"],
            Self::Bottom => &["G", "end"],
            Self::PageUp => &["pageup", "ctrl-b"],
            Self::PageDown => &["pagedown", "ctrl-f"],
            Self::Open => &["enter", "l", "right"],
            Self::Compose => &["i"],
            Self::Reply => &["r"],
            Self::Edit => &["e"],
            Self::Delete => &["d"],
            Self::React => &["+"],
            Self::MarkRead => &["R"],
            Self::NextRoom => &["alt-down", "ctrl-n"],
            Self::PrevRoom => &["alt-up", "ctrl-p"],
            Self::OpenFile => &["o"],
            Self::SaveFile => &["s"],
            Self::Mute => &["alt-m"],
            Self::Members => &["M"],
            Self::Directory => &["D"],
        }
    }
}

/// A key as written in config: `q`, `G`, `ctrl-b`, `alt-up`, `enter`, `f1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeySpec {
    pub code: KeyCodeKey,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` is not `Ord`; this is the part of it bindings use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyCodeKey {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Delete,
}

impl KeySpec {
    pub fn parse(s: &str) -> Option<Self> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.len() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCodeKey::Enter,
            "esc" | "escape" => KeyCodeKey::Esc,
            "tab" => KeyCodeKey::Tab,
            "backtab" | "shift-tab" => KeyCodeKey::BackTab,
            "backspace" => KeyCodeKey::Backspace,
            "up" => KeyCodeKey::Up,
            "down" => KeyCodeKey::Down,
            "left" => KeyCodeKey::Left,
            "right" => KeyCodeKey::Right,
            "home" => KeyCodeKey::Home,
            "end" => KeyCodeKey::End,
            "pageup" => KeyCodeKey::PageUp,
            "pagedown" => KeyCodeKey::PageDown,
            "delete" | "del" => KeyCodeKey::Delete,
            "space" => KeyCodeKey::Char(' '),
            l if l.len() > 1 && l.starts_with('f') => KeyCodeKey::F(l[1..].parse().ok()?),
            _ => {
                let mut cs = rest.chars();
                let c = cs.next()?;
                if cs.next().is_some() {
                    return None;
                }
                // Ctrl combinations arrive lower-case.
                KeyCodeKey::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
        };
        Some(Self { code, ctrl, alt })
    }

    pub fn from_event(k: &KeyEvent) -> Option<Self> {
        let code = match k.code {
            KeyCode::Char(c) => KeyCodeKey::Char(c),
            KeyCode::F(n) => KeyCodeKey::F(n),
            KeyCode::Enter => KeyCodeKey::Enter,
            KeyCode::Esc => KeyCodeKey::Esc,
            KeyCode::Tab => KeyCodeKey::Tab,
            KeyCode::BackTab => KeyCodeKey::BackTab,
            KeyCode::Backspace => KeyCodeKey::Backspace,
            KeyCode::Up => KeyCodeKey::Up,
            KeyCode::Down => KeyCodeKey::Down,
            KeyCode::Left => KeyCodeKey::Left,
            KeyCode::Right => KeyCodeKey::Right,
            KeyCode::Home => KeyCodeKey::Home,
            KeyCode::End => KeyCodeKey::End,
            KeyCode::PageUp => KeyCodeKey::PageUp,
            KeyCode::PageDown => KeyCodeKey::PageDown,
            KeyCode::Delete => KeyCodeKey::Delete,
            _ => return None,
        };
        Some(Self {
            code,
            ctrl: k.modifiers.contains(KeyModifiers::CONTROL),
            alt: k.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// As shown in the help.
    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.ctrl {
            s.push_str("Ctrl-");
        }
        if self.alt {
            s.push_str("Alt-");
        }
        match self.code {
            KeyCodeKey::Char(' ') => s.push_str("Space"),
            KeyCodeKey::Char(c) => s.push(c),
            KeyCodeKey::F(n) => s.push_str(&format!("F{n}")),
            other => s.push_str(&format!("{other:?}")),
        }
        s
    }
}

/// Key to action, built from the defaults and the config.
#[derive(Clone, Debug)]
pub struct Keymap {
    map: BTreeMap<KeySpec, Bound>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::new(&BTreeMap::new()).0
    }
}

/// A `[keys]` entry of the config that made no sense.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyProblem {
    /// No action has this name.
    UnknownAction(String),
    /// The key cannot be read (`ctrl-`, `alt-`, `shift-` and a key name).
    UnknownKey { key: String, action: &'static str },
}

impl KeyProblem {
    /// The message for the user, through the catalogs.
    pub fn message(&self, tr: &tern_client_core::i18n::Translator) -> String {
        match self {
            Self::UnknownAction(name) => tr.tr_args(
                "tui-keys-unknown-action",
                &[("action", name.clone().into())],
            ),
            Self::UnknownKey { key, action } => tr.tr_args(
                "tui-keys-unknown-key",
                &[("key", key.clone().into()), ("action", (*action).into())],
            ),
        }
    }
}

impl Keymap {
    /// The defaults with the config's bindings over them; also the names
    /// and keys in the config that made no sense.
    pub fn new(config: &BTreeMap<String, KeyList>) -> (Self, Vec<KeyProblem>) {
        let mut problems = Vec::new();
        for name in config.keys() {
            if !Bound::ALL.iter().any(|b| b.name() == name) {
                problems.push(KeyProblem::UnknownAction(name.clone()));
            }
        }
        let mut map = BTreeMap::new();
        for b in Bound::ALL {
            let keys: Vec<&str> = match config.get(b.name()) {
                Some(list) => list.keys(),
                None => b.defaults().to_vec(),
            };
            for k in keys {
                match KeySpec::parse(k) {
                    Some(spec) => {
                        map.insert(spec, b);
                    }
                    None => problems.push(KeyProblem::UnknownKey {
                        key: k.to_owned(),
                        action: b.name(),
                    }),
                }
            }
        }
        (Self { map }, problems)
    }

    pub fn get(&self, k: &KeyEvent) -> Option<Bound> {
        let spec = KeySpec::from_event(k)?;
        self.map.get(&spec).copied()
    }

    /// The keys bound to an action, for the help.
    pub fn keys_for(&self, b: Bound) -> Vec<String> {
        self.map
            .iter()
            .filter(|(_, v)| **v == b)
            .map(|(k, _)| k.label())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn defaults_and_rebinding() {
        let km = Keymap::default();
        assert_eq!(
            km.get(&ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Bound::Down)
        );
        assert_eq!(
            km.get(&ev(KeyCode::Down, KeyModifiers::NONE)),
            Some(Bound::Down)
        );
        assert_eq!(
            km.get(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Bound::Bottom)
        );
        assert_eq!(
            km.get(&ev(KeyCode::Char('b'), KeyModifiers::CONTROL)),
            Some(Bound::PageUp)
        );
        let mut cfg = BTreeMap::new();
        cfg.insert("quit".to_owned(), KeyList::One("ctrl-q".into()));
        cfg.insert(
            "down".to_owned(),
            KeyList::Many(vec!["n".into(), "down".into()]),
        );
        cfg.insert("fly".to_owned(), KeyList::One("x".into()));
        let (km, problems) = Keymap::new(&cfg);
        assert_eq!(km.get(&ev(KeyCode::Char('q'), KeyModifiers::NONE)), None);
        assert_eq!(
            km.get(&ev(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Bound::Quit)
        );
        assert_eq!(
            km.get(&ev(KeyCode::Char('n'), KeyModifiers::NONE)),
            Some(Bound::Down)
        );
        assert_eq!(km.get(&ev(KeyCode::Char('j'), KeyModifiers::NONE)), None);
        assert_eq!(problems, vec![KeyProblem::UnknownAction("fly".into())]);
        let ru = tern_client_core::i18n::Translator::for_locale("ru");
        assert_eq!(
            problems[0].message(&ru),
            "Неизвестное действие «fly» в [keys] файла настроек"
        );
        cfg.insert("help".to_owned(), KeyList::One("hyper-x".into()));
        let (_, problems) = Keymap::new(&cfg);
        let en = tern_client_core::i18n::Translator::for_locale("en");
        assert_eq!(
            problems[1].message(&en),
            "Unknown key “hyper-x” for help in [keys] of the config"
        );
    }
}
