//! What the kernel says about a process and the machine: CPU seconds and
//! resident memory from `/proc`, cores, memory, kernel, load and the git
//! commit the figures belong to.

use serde::Serialize;
use std::time::Instant;

/// CPU and memory of one process at one moment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcSample {
    /// User + system CPU seconds since the process started.
    pub cpu_secs: f64,
    pub rss_kib: u64,
    /// Peak RSS (VmHWM) since start or since the last [`reset_peak`].
    pub hwm_kib: u64,
}

fn ticks_per_second() -> f64 {
    rustix::param::clock_ticks_per_second() as f64
}

/// `/proc/<pid>/stat` fields 14 and 15 (utime, stime) in seconds.
fn cpu_secs(stat: &str) -> Option<f64> {
    // The command name (field 2) may hold spaces and parentheses: split
    // after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    // `rest` starts at field 3 (state); utime is field 14.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / ticks_per_second())
}

fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_ascii_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Reads `pid` ("self" for this process); `None` when it is gone.
pub fn sample(pid: &str) -> Option<ProcSample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some(ProcSample {
        cpu_secs: cpu_secs(&stat)?,
        rss_kib: status_kib(&status, "VmRSS:").unwrap_or(0),
        hwm_kib: status_kib(&status, "VmHWM:").unwrap_or(0),
    })
}

/// Resets the peak RSS (VmHWM) of `pid` to its current RSS, so a scenario's
/// peak is its own. Needs to own the process, which a child we started is.
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), b"5").is_ok()
}

/// This process's CPU use over a stretch of wall time.
#[derive(Debug, Clone, Copy)]
pub struct SelfMeter {
    start_cpu: f64,
    start: Instant,
}

/// The generator's own cost, reported with every scenario.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct GeneratorCpu {
    pub cpu_secs: f64,
    pub wall_secs: f64,
    /// Cores used on average (1.0 = one core busy all the time).
    pub cores: f64,
    /// More than half a core: the generator may have limited the figures.
    pub busy: bool,
}

impl SelfMeter {
    pub fn start() -> Self {
        Self {
            start_cpu: sample("self").map(|s| s.cpu_secs).unwrap_or(0.0),
            start: Instant::now(),
        }
    }

    pub fn stop(&self) -> GeneratorCpu {
        let cpu = sample("self").map(|s| s.cpu_secs).unwrap_or(0.0) - self.start_cpu;
        let wall = self.start.elapsed().as_secs_f64();
        let cores = if wall > 0.0 { cpu / wall } else { 0.0 };
        GeneratorCpu {
            cpu_secs: cpu,
            wall_secs: wall,
            cores,
            busy: cores > 0.5,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub memory_mib: u64,
    pub kernel: String,
    /// `/proc/loadavg`'s 1-minute figure when the scenario started.
    pub load_1m: f64,
}

pub fn machine() -> Machine {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let memory_mib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| status_kib(&m, "MemTotal:"))
        .unwrap_or(0)
        / 1024;
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    Machine {
        cores,
        memory_mib,
        kernel,
        load_1m: load_1m(),
    }
}

pub fn load_1m() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_ascii_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// `git rev-parse HEAD`, with `-dirty` when the tree has changes.
pub fn git_commit() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let head = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    let dirty = std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .ok()
        .is_some_and(|o| o.status.success() && !o.stdout.is_empty());
    Some(if dirty { format!("{head}-dirty") } else { head })
}

/// Raises this process's open-file limit to its hard limit (children
/// inherit it). Answers the limit now in force.
pub fn raise_nofile() -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut lim = getrlimit(Resource::Nofile);
    if lim.current != lim.maximum {
        lim.current = lim.maximum;
        let _ = setrlimit(Resource::Nofile, lim);
    }
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_spaces_in_the_name() {
        let stat = "1234 (tern (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1";
        let secs = cpu_secs(stat).expect("parses");
        assert!((secs - 300.0 / ticks_per_second()).abs() < 1e-9);
    }

    #[test]
    fn self_is_readable() {
        let s = sample("self").expect("/proc/self");
        assert!(s.rss_kib > 0 && s.hwm_kib >= s.rss_kib);
    }
}
