//! A text field: a string and a cursor (in chars), edited by [`TextOp`]s.
//! Used by the composer, the `:` line, search, the room filter and the
//! login form.

/// One editing step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextOp {
    Insert(char),
    Newline,
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    /// Delete the word before the cursor (Ctrl-W).
    DeleteWord,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
    /// Cursor position in chars, `0..=len`.
    pub cursor: usize,
}

impl TextInput {
    pub fn with(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            cursor: text.chars().count(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    pub fn set(&mut self, text: &str) {
        *self = Self::with(text);
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map(|(b, _)| b)
            .unwrap_or(self.text.len())
    }

    /// Applies an edit; `multiline` allows [`TextOp::Newline`].
    pub fn apply(&mut self, op: &TextOp, multiline: bool) {
        self.cursor = self.cursor.min(self.len());
        match op {
            TextOp::Insert(c) => {
                if c.is_control() {
                    return;
                }
                let b = self.byte(self.cursor);
                self.text.insert(b, *c);
                self.cursor += 1;
            }
            TextOp::Newline => {
                if multiline {
                    let b = self.byte(self.cursor);
                    self.text.insert(b, '\n');
                    self.cursor += 1;
                }
            }
            TextOp::Backspace => {
                if self.cursor > 0 {
                    let b = self.byte(self.cursor - 1);
                    self.text.remove(b);
                    self.cursor -= 1;
                }
            }
            TextOp::Delete => {
                if self.cursor < self.len() {
                    let b = self.byte(self.cursor);
                    self.text.remove(b);
                }
            }
            TextOp::Left => self.cursor = self.cursor.saturating_sub(1),
            TextOp::Right => self.cursor = (self.cursor + 1).min(self.len()),
            TextOp::Home => self.cursor = 0,
            TextOp::End => self.cursor = self.len(),
            TextOp::DeleteWord => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                while start > 0 && !chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                let (a, b) = (self.byte(start), self.byte(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = start;
            }
        }
    }

    /// The word the cursor ends (for completion) and where it starts.
    pub fn word_before_cursor(&self) -> (usize, String) {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut start = chars.len();
        while start > 0 && !chars[start - 1].is_whitespace() {
            start -= 1;
        }
        (start, chars[start..].iter().collect())
    }

    /// Replaces chars `start..cursor` with `with`.
    pub fn replace_before_cursor(&mut self, start: usize, with: &str) {
        let (a, b) = (self.byte(start), self.byte(self.cursor));
        self.text.replace_range(a..b, with);
        self.cursor = start + with.chars().count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_multibyte_text() {
        let mut t = TextInput::default();
        for c in "привет".chars() {
            t.apply(&TextOp::Insert(c), false);
        }
        t.apply(&TextOp::Left, false);
        t.apply(&TextOp::Backspace, false);
        assert_eq!(t.text, "привт");
        t.apply(&TextOp::Home, false);
        t.apply(&TextOp::Delete, false);
        assert_eq!(t.text, "ривт");
        t.apply(&TextOp::Newline, false);
        assert_eq!(t.text, "ривт");
        t.apply(&TextOp::End, true);
        t.apply(&TextOp::Newline, true);
        t.apply(&TextOp::Insert('x'), true);
        assert_eq!(t.text, "ривт\nx");
        t.apply(&TextOp::DeleteWord, true);
        assert_eq!(t.text, "ривт\n");
    }
}
