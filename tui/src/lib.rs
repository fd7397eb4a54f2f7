//! `tern`, the terminal client: a full-screen UI (ratatui + crossterm) and
//! headless commands for scripts, both over client-core.
//!
//! The full-screen client keeps state, input and drawing apart: keys become
//! [`app::Action`]s, [`app::App::update`] applies them and returns
//! [`app::Cmd`]s for the [`worker`], which owns the client and answers over
//! oneshot channels; [`draw`] only reads the state. The loop in [`run`] is
//! generic over the ratatui backend, so tests draw into a `TestBackend`.

pub mod app;
pub mod cli;
pub mod config;
pub mod draw;
pub mod headless;
pub mod input;
pub mod keys;
pub mod logging;
pub mod profile;
pub mod resolve;
pub mod run;
pub mod session;
pub mod theme;
pub mod worker;

use std::process::ExitCode;

/// The binary's `main`: parse, log to a file, run a command or the UI.
pub fn main_entry() -> ExitCode {
    // Read before any thread exists: the time crate refuses later.
    let offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match cli::parse(args.clone(), &cli::early_translator(&args)) {
        cli::Parsed::Run(c) => *c,
        cli::Parsed::Exit {
            text,
            to_stdout,
            code,
        } => {
            if to_stdout {
                print!("{text}");
            } else {
                eprint!("{text}");
            }
            return ExitCode::from(code);
        }
    };
    let loaded = config::load(cli.global.config.as_deref());
    let log_path = config::log_path(cli.global.data_dir.as_deref());
    logging::init(&log_path);
    let session = session::Session::new(cli.global, loaded, offset);
    if let Some(p) = &session.config.problem {
        eprintln!("tern: {}", p.message(&session.tr));
        tracing::warn!(problem = ?p, "config");
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!(
                "tern: {}",
                session
                    .tr
                    .tr_args("cli-cannot-start", &[("error", e.to_string().into())])
            );
            return ExitCode::from(1);
        }
    };
    let code = match cli.command {
        Some(cmd) => match rt.block_on(headless::run(&session, cmd)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::info!(error = %e, "command failed");
                eprintln!("tern: {}", e.message(&session.tr));
                ExitCode::from(e.exit_code())
            }
        },
        None => match rt.block_on(run::run(session, &log_path)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tern: {e}");
                ExitCode::from(1)
            }
        },
    };
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}
