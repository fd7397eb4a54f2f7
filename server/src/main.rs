//! `tern-server`: see [`tern_server::cli`].

fn main() -> std::process::ExitCode {
    tern_server::cli::main()
}
