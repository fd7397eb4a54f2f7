//! Colours: a dark and a light palette, and none at all under `NO_COLOR`
//! (bold, dim and reverse still mark what matters).

use ratatui::style::{Color, Modifier, Style};
use uuid::Uuid;

use crate::config::ThemeName;

#[derive(Clone, Debug)]
pub struct Theme {
    pub no_color: bool,
    pub base: Style,
    pub dim: Style,
    pub heading: Style,
    pub selected: Style,
    pub focused_border: Style,
    pub border: Style,
    pub unread: Style,
    pub mention: Style,
    pub error: Style,
    pub ok: Style,
    pub status: Style,
    pub separator: Style,
    pub new_line: Style,
    pub highlight: Style,
    senders: Vec<Color>,
}

impl Theme {
    pub fn new(name: ThemeName, no_color: bool) -> Self {
        if no_color {
            let plain = Style::default();
            return Self {
                no_color,
                base: plain,
                dim: plain.add_modifier(Modifier::DIM),
                heading: plain.add_modifier(Modifier::BOLD),
                selected: plain.add_modifier(Modifier::REVERSED),
                focused_border: plain.add_modifier(Modifier::BOLD),
                border: plain,
                unread: plain.add_modifier(Modifier::BOLD),
                mention: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                error: plain.add_modifier(Modifier::BOLD),
                ok: plain,
                status: plain.add_modifier(Modifier::REVERSED),
                separator: plain.add_modifier(Modifier::DIM),
                new_line: plain.add_modifier(Modifier::BOLD),
                highlight: plain.add_modifier(Modifier::UNDERLINED),
                senders: Vec::new(),
            };
        }
        let (fg, dim, accent, sel_bg, status_bg) = match name {
            ThemeName::Dark => (
                Color::White,
                Color::DarkGray,
                Color::Cyan,
                Color::Blue,
                Color::DarkGray,
            ),
            ThemeName::Light => (
                Color::Black,
                Color::Gray,
                Color::Blue,
                Color::LightBlue,
                Color::Gray,
            ),
        };
        let senders = match name {
            ThemeName::Dark => vec![
                Color::LightRed,
                Color::LightGreen,
                Color::LightYellow,
                Color::LightBlue,
                Color::LightMagenta,
                Color::LightCyan,
                Color::Yellow,
                Color::Green,
            ],
            ThemeName::Light => vec![
                Color::Red,
                Color::Green,
                Color::Magenta,
                Color::Blue,
                Color::Cyan,
                Color::Rgb(150, 90, 0),
                Color::Rgb(0, 110, 110),
                Color::Rgb(120, 0, 160),
            ],
        };
        Self {
            no_color,
            base: Style::default().fg(fg),
            dim: Style::default().fg(dim),
            heading: Style::default().fg(accent).add_modifier(Modifier::BOLD),
            selected: Style::default().bg(sel_bg).fg(Color::White),
            focused_border: Style::default().fg(accent),
            border: Style::default().fg(dim),
            unread: Style::default().fg(fg).add_modifier(Modifier::BOLD),
            mention: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            error: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            ok: Style::default().fg(Color::Green),
            status: Style::default().bg(status_bg).fg(fg),
            separator: Style::default().fg(dim),
            new_line: Style::default().fg(Color::Red),
            highlight: Style::default().fg(Color::Black).bg(Color::Yellow),
            senders,
        }
    }

    /// A sender's colour: the same for the same user, every run.
    pub fn sender(&self, id: Uuid) -> Style {
        if self.senders.is_empty() {
            return Style::default().add_modifier(Modifier::BOLD);
        }
        // FNV-1a over the id: stable across runs and platforms.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.as_bytes() {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let c = self.senders[(h % self.senders.len() as u64) as usize];
        Style::default().fg(c).add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Point 3: a sender keeps their colour across runs (a fixed hash, not
    /// a seeded one) and themes, and different senders get different ones.
    #[test]
    fn sender_colours_are_stable() {
        let id = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002);
        let dark = Theme::new(ThemeName::Dark, false);
        assert_eq!(
            dark.sender(id),
            Theme::new(ThemeName::Dark, false).sender(id)
        );
        let index = |t: &Theme, id: Uuid| {
            let fg = t.sender(id).fg.unwrap();
            t.senders.iter().position(|c| *c == fg).unwrap()
        };
        let light = Theme::new(ThemeName::Light, false);
        assert_eq!(index(&dark, id), index(&light, id));
        // Pinned (FNV-1a of the id, worked out by hand): a change of hash
        // would recolour everyone.
        assert_eq!(dark.sender(id).fg, Some(Color::LightYellow));
        assert_eq!(light.sender(id).fg, Some(Color::Magenta));
        let colours: std::collections::BTreeSet<usize> = (0..64u128)
            .map(|n| index(&dark, Uuid::from_u128(n * 7919)))
            .collect();
        assert!(colours.len() >= dark.senders.len() / 2, "{colours:?}");
        // Without colour, names are bold and nothing else.
        let plain = Theme::new(ThemeName::Dark, true);
        assert_eq!(plain.sender(id).fg, None);
    }
}
