//! The scenarios, each with its budget (DESIGN and issue 7), and what they
//! share: the server to drive, the time limit, and the cost bookkeeping.

mod client;
mod coldstart;
mod connections;
mod corpus;
mod fanout;
mod files;
mod latency;
mod search;
mod throughput;

use std::path::PathBuf;
use std::time::Duration;

use crate::procfs::{ProcSample, SelfMeter};
use crate::report::{Report, ServerCost};
use crate::server::Server;

pub use coldstart::pty_run;

pub const SCENARIOS: &[&str] = &[
    "latency",
    "fanout",
    "send-throughput",
    "connections",
    "files",
    "latency-client",
    "catchup",
    "search",
    "coldstart",
];

pub struct Ctx {
    pub quick: bool,
    pub server_url: Option<String>,
    pub server_bin: Option<PathBuf>,
    /// The open-file limit in force (raised to the hard limit).
    pub nofile: u64,
}

impl Ctx {
    /// A fresh server for one scenario (or the external one).
    pub async fn server(&self) -> Result<Server, String> {
        self.server_with(&[]).await
    }

    /// A fresh server started with more `serve` flags (an external server
    /// must have been started with them).
    pub async fn server_with(&self, extra: &[&str]) -> Result<Server, String> {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        match (&self.server_url, &self.server_bin) {
            (Some(url), _) => Server::external(url).await,
            (None, Some(bin)) => Server::spawn(bin, &extra).await,
            (None, None) => Err("no server to run against".into()),
        }
    }
}

/// The measured stretch: server and generator CPU from here on.
pub struct Meter {
    server_before: Option<ProcSample>,
    generator: SelfMeter,
}

impl Meter {
    pub fn start(server: &Server) -> Self {
        server.reset_peak();
        Self {
            server_before: server.sample(),
            generator: SelfMeter::start(),
        }
    }

    pub fn stop(self, server: &Server, report: &mut Report) {
        report.generator = Some(self.generator.stop());
        report.server = ServerCost::between(self.server_before, server.sample());
    }
}

/// Runs one scenario within its time limit; never panics the runner.
pub async fn run(name: &str, ctx: &Ctx) -> Report {
    let limit = if ctx.quick {
        Duration::from_secs(90)
    } else {
        Duration::from_secs(900)
    };
    let q = ctx.quick;
    let fut = async {
        match name {
            "latency" => latency::run(ctx).await,
            "fanout" => fanout::run(ctx).await,
            "send-throughput" => throughput::run(ctx).await,
            "connections" => connections::run(ctx).await,
            "files" => files::run(ctx).await,
            "latency-client" => client::latency(ctx).await,
            "catchup" => client::catchup(ctx).await,
            "search" => search::run(ctx).await,
            "coldstart" => coldstart::run(ctx).await,
            other => Err(format!("no scenario {other:?}")),
        }
    };
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Report::error(name, q, e),
        Err(_) => Report::error(name, q, format!("did not finish within {limit:?}")),
    }
}
