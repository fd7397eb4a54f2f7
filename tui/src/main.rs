//! The `tern` binary: everything lives in the library so tests can drive it.

fn main() -> std::process::ExitCode {
    tern_tui::main_entry()
}
