//! The commands the window calls, grouped by area. Each is a thin call
//! into client-core: check the input, call, convert the answer, and word
//! a failure for the window ([`crate::AppState::worded`]).

pub mod account;
pub mod auth;
pub mod files;
pub mod outbox;
pub mod rooms;
pub mod search;
pub mod settings;
pub mod timeline;

#[cfg(test)]
mod tests {
    /// Every command words its error for the window (an error left
    /// unworded would reach it with no text).
    #[test]
    fn every_command_words_its_error() {
        for (file, src) in [
            ("account", include_str!("account.rs")),
            ("auth", include_str!("auth.rs")),
            ("files", include_str!("files.rs")),
            ("outbox", include_str!("outbox.rs")),
            ("rooms", include_str!("rooms.rs")),
            ("search", include_str!("search.rs")),
            ("settings", include_str!("settings.rs")),
            ("timeline", include_str!("timeline.rs")),
        ] {
            let commands = src.matches("#[tauri::command").count();
            assert!(commands > 0, "{file}");
            assert_eq!(
                src.matches("    state.worded(result)\n}\n").count(),
                commands,
                "a command in commands/{file}.rs does not end with state.worded(result)"
            );
        }
    }
}
