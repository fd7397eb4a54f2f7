//! One scenario's result: figures, budgets, correctness checks, and what
//! the server and the generator cost; printed as text or as one JSON line.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::procfs::{GeneratorCpu, Machine, ProcSample};

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ran; see the checks.
    Ran,
    /// Could not run (setup failed, timed out).
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Budget {
    pub name: String,
    pub limit: String,
    pub measured: String,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// Server CPU and memory over the measured part of a scenario.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ServerCost {
    pub cpu_secs: f64,
    pub peak_rss_mib: f64,
    pub rss_mib: f64,
}

impl ServerCost {
    pub fn between(before: Option<ProcSample>, after: Option<ProcSample>) -> Option<Self> {
        let (b, a) = (before?, after?);
        Some(Self {
            cpu_secs: a.cpu_secs - b.cpu_secs,
            peak_rss_mib: a.hwm_kib as f64 / 1024.0,
            rss_mib: a.rss_kib as f64 / 1024.0,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scenario: String,
    pub status: Status,
    pub quick: bool,
    pub parameters: Map<String, Value>,
    pub figures: Map<String, Value>,
    pub budgets: Vec<Budget>,
    pub checks: Vec<Check>,
    pub server: Option<ServerCost>,
    pub generator: Option<GeneratorCpu>,
    pub note: Option<String>,
    pub git_commit: Option<String>,
    pub machine: Option<Machine>,
    /// False when nothing is measured on a server (local-only scenarios).
    #[serde(skip)]
    pub uses_server: bool,
    /// The human-readable lines, in order (not in the JSON).
    #[serde(skip)]
    pub lines: Vec<String>,
}

impl Report {
    pub fn new(scenario: &str, quick: bool) -> Self {
        Self {
            scenario: scenario.to_owned(),
            status: Status::Ran,
            quick,
            parameters: Map::new(),
            figures: Map::new(),
            budgets: Vec::new(),
            checks: Vec::new(),
            server: None,
            generator: None,
            note: None,
            git_commit: None,
            machine: None,
            uses_server: true,
            lines: Vec::new(),
        }
    }

    pub fn error(scenario: &str, quick: bool, why: String) -> Self {
        let mut r = Self::new(scenario, quick);
        r.status = Status::Error;
        r.note = Some(why);
        r
    }

    pub fn param(&mut self, k: &str, v: impl Into<Value>) {
        self.parameters.insert(k.to_owned(), v.into());
    }

    pub fn figure(&mut self, k: &str, v: impl Serialize) {
        self.figures
            .insert(k.to_owned(), serde_json::to_value(v).unwrap_or(Value::Null));
    }

    pub fn line(&mut self, s: impl Into<String>) {
        self.lines.push(s.into());
    }

    pub fn budget(&mut self, name: &str, limit: &str, measured: String, met: bool) {
        self.budgets.push(Budget {
            name: name.to_owned(),
            limit: limit.to_owned(),
            measured,
            met,
        });
    }

    pub fn check(&mut self, name: &str, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check {
            name: name.to_owned(),
            ok,
            detail: detail.into(),
        });
    }

    /// Did every correctness check pass (and did the scenario run)?
    pub fn correct(&self) -> bool {
        self.status != Status::Error && self.checks.iter().all(|c| c.ok)
    }

    pub fn print_text(&self) {
        println!("== {} ==", self.scenario);
        match self.status {
            Status::Error => {
                println!(
                    "  ERROR: {}",
                    self.note.as_deref().unwrap_or("the scenario failed")
                );
                println!();
                return;
            }
            Status::Ran => {}
        }
        if !self.parameters.is_empty() {
            let p: Vec<String> = self
                .parameters
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            println!("  parameters: {}", p.join(" "));
        }
        for l in &self.lines {
            println!("  {l}");
        }
        for b in &self.budgets {
            let verdict = if self.quick {
                "not judged (--quick)"
            } else if b.met {
                "met"
            } else {
                "MISSED"
            };
            println!(
                "  budget {}: {} (measured {}): {verdict}",
                b.name, b.limit, b.measured
            );
        }
        if let Some(s) = &self.server {
            println!(
                "  server: {:.2} CPU s, peak RSS {:.1} MiB, RSS at end {:.1} MiB",
                s.cpu_secs, s.peak_rss_mib, s.rss_mib
            );
        } else if self.uses_server {
            println!("  server: CPU and RSS not known (external server)");
        }
        if let Some(g) = &self.generator {
            println!(
                "  generator: {:.2} CPU s over {:.1} s = {:.2} cores{}",
                g.cpu_secs,
                g.wall_secs,
                g.cores,
                if g.busy {
                    "  [FLAG: generator used more than half a core; it may limit the figures]"
                } else {
                    ""
                }
            );
        }
        for c in &self.checks {
            println!(
                "  check {}: {}{}",
                c.name,
                if c.ok { "ok" } else { "FAILED" },
                if c.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", c.detail)
                }
            );
        }
        if let Some(n) = &self.note {
            println!("  note: {n}");
        }
        println!();
    }

    pub fn print_json(&self) {
        match serde_json::to_string(self) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("cannot serialise the {} report: {e}", self.scenario),
        }
    }
}
