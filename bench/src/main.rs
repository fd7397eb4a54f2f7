//! `tern-bench`: Tern's load generator and benchmark runner.
//!
//! Each scenario starts its own `tern-server` as a child process (temp data
//! dir, free port on 127.0.0.1) unless `--server` names one, sets up users
//! and rooms through the real v1 API, warms up, then measures. It prints
//! median, p95, p99 and min-max, the server's CPU seconds and peak RSS from
//! `/proc`, and the generator's own CPU use, flagged when above half a core.
//! `--quick` runs tiny sizes and checks correctness only (every message
//! delivered exactly once and in order, counts that match); the exit status
//! is non-zero when a check fails. Budgets are reported, never enforced.
//! See BENCHMARKS.md for the figures and how to read them.

mod api;
mod http;
mod procfs;
mod report;
mod scenarios;
mod server;
mod stats;
mod ws;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use crate::scenarios::{Ctx, SCENARIOS};

#[derive(Parser, Debug)]
#[command(
    name = "tern-bench",
    about = "Benchmarks for Tern: drives a real tern-server and reports figures against the budgets",
    after_help = "Scenarios: latency, fanout, send-throughput, connections, files, latency-client, catchup, search, coldstart, or all.\nBuild the binaries first: cargo build --release -p tern-server -p tern-bench -p tern-tui"
)]
struct Cli {
    /// A scenario name, or `all`
    scenario: String,
    /// Small sizes; check correctness, do not judge speed
    #[arg(long)]
    quick: bool,
    /// One JSON object per scenario on stdout instead of text
    #[arg(long)]
    json: bool,
    /// Use a running server (http://127.0.0.1:PORT) instead of starting one
    #[arg(long)]
    server: Option<String>,
    /// The tern-server binary (default: next to this executable)
    #[arg(long)]
    server_bin: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("__pty-run") {
        return match scenarios::pty_run(&args[2..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let cli = Cli::parse();
    let names: Vec<&str> = if cli.scenario == "all" {
        SCENARIOS.to_vec()
    } else if SCENARIOS.contains(&cli.scenario.as_str()) {
        vec![cli.scenario.as_str()]
    } else {
        eprintln!(
            "error: no scenario {:?}; choose one of {} or all",
            cli.scenario,
            SCENARIOS.join(", ")
        );
        return ExitCode::from(2);
    };
    let server_bin = if cli.server.is_none() {
        match server::find_binary(cli.server_bin.as_deref()) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    let nofile = procfs::raise_nofile();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ctx = Ctx {
        quick: cli.quick,
        server_url: cli.server,
        server_bin,
        nofile,
    };
    let commit = procfs::git_commit();
    let mut all_correct = true;
    if !cli.json {
        let m = procfs::machine();
        println!(
            "tern-bench{}: {} cores, {} MiB, kernel {}, load {:.2}, commit {}\n",
            if cli.quick { " --quick" } else { "" },
            m.cores,
            m.memory_mib,
            m.kernel,
            m.load_1m,
            commit.as_deref().unwrap_or("unknown")
        );
    }
    for name in names {
        let machine = procfs::machine();
        let mut report = runtime.block_on(scenarios::run(name, &ctx));
        report.git_commit = commit.clone();
        report.machine = Some(machine);
        all_correct &= report.correct();
        if cli.json {
            report.print_json();
        } else {
            report.print_text();
        }
    }
    if all_correct {
        ExitCode::SUCCESS
    } else {
        eprintln!("tern-bench: a correctness check failed (see above)");
        ExitCode::FAILURE
    }
}
