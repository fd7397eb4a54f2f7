//! The server under test: a `tern-server` child process on a temp data dir
//! and a port of its own, or a server somewhere else given by `--server`.
//!
//! A child process, not a server inside the generator, so that its CPU
//! seconds and peak memory can be read from `/proc/<pid>` apart from the
//! generator's own.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::procfs::{self, ProcSample};

pub struct Server {
    pub addr: SocketAddr,
    child: Option<Child>,
    data: Option<tempfile::TempDir>,
    bin: Option<PathBuf>,
    /// More `serve` flags, kept for a restart.
    extra: Vec<String>,
}

/// Where the `tern-server` binary is: `--server-bin`, else next to this
/// executable (same cargo target dir and profile).
pub fn find_binary(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = given {
        return if p.is_file() {
            Ok(p.to_owned())
        } else {
            Err(format!("--server-bin {}: no such file", p.display()))
        };
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate this executable: {e}"))?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let bin = dir.join("tern-server");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "tern-server not found in {}; build it with the bench: \
             `cargo build --release -p tern-server -p tern-bench`",
            dir.display()
        ))
    }
}

impl Server {
    /// Starts `bin serve` on 127.0.0.1 with a fresh data dir and waits until
    /// it answers `/healthz`.
    pub async fn spawn(bin: &Path, extra: &[String]) -> Result<Self, String> {
        let data = tempfile::Builder::new()
            .prefix("tern-bench-")
            .tempdir()
            .map_err(|e| format!("cannot make a temp data dir: {e}"))?;
        Self::spawn_in(bin, data, extra.to_vec()).await
    }

    async fn spawn_in(
        bin: &Path,
        data: tempfile::TempDir,
        extra: Vec<String>,
    ) -> Result<Self, String> {
        let mut child = Command::new(bin)
            .arg("serve")
            .arg("--data-dir")
            .arg(data.path())
            .args(["--listen", "127.0.0.1:0", "--log", "warn"])
            .args(&extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdout = child.stdout.take();
        let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
        // Reads the address line, then keeps draining stdout so the server
        // never blocks on a full pipe; ends with the server.
        std::thread::spawn(move || {
            let Some(out) = stdout else { return };
            let mut tx = Some(tx);
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on http://").nth(1)
                    && let Ok(addr) = rest.trim().parse::<SocketAddr>()
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = match tokio::time::timeout(Duration::from_secs(30), rx).await {
            Ok(Ok(a)) => a,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("tern-server did not say where it listens within 30 s".into());
            }
        };
        let server = Self {
            addr,
            child: Some(child),
            data: Some(data),
            bin: Some(bin.to_owned()),
            extra,
        };
        server.wait_healthy().await?;
        Ok(server)
    }

    /// A server that runs elsewhere (`--server http://127.0.0.1:8080`).
    pub async fn external(url: &str) -> Result<Self, String> {
        let hostport = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("--server {url}: only http://127.0.0.1:PORT is supported"))?
            .trim_end_matches('/');
        let addr: SocketAddr = hostport
            .parse()
            .map_err(|_| format!("--server {url}: give an IP address and port"))?;
        if !addr.ip().is_loopback() {
            return Err(format!(
                "--server {url}: the generator only sends to this machine (127.0.0.1)"
            ));
        }
        let server = Self {
            addr,
            child: None,
            data: None,
            bin: None,
            extra: Vec::new(),
        };
        server.wait_healthy().await?;
        Ok(server)
    }

    async fn wait_healthy(&self) -> Result<(), String> {
        for _ in 0..100 {
            if let Ok(mut c) = crate::http::Conn::connect(self.addr, None).await {
                let req = crate::http::request("GET", "/healthz", &self.addr, None, None);
                if let Ok(r) = c.roundtrip(&req).await
                    && r.status == 200
                {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("the server at {} is not healthy", self.addr))
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The child's CPU and memory now; `None` for an external server.
    pub fn sample(&self) -> Option<ProcSample> {
        procfs::sample(&self.pid()?.to_string())
    }

    /// Starts the peak-RSS count afresh (before the measured part).
    pub fn reset_peak(&self) {
        if let Some(pid) = self.pid() {
            procfs::reset_peak(pid);
        }
    }

    /// Restarts a child server on the same data dir (users, rooms and
    /// tokens stay valid; the port may change). Setting up a scenario
    /// registers users, and each registration's argon2 buffer (19 MiB)
    /// stays in the server's heap; a restart measures the server as it
    /// runs in steady state, not as it looks right after a burst of sign-ups.
    /// An external server is left alone.
    pub async fn restart(self) -> Result<Self, String> {
        let (Some(bin), Some(_)) = (self.bin.clone(), self.child.as_ref()) else {
            return Ok(self);
        };
        let mut this = self;
        let data = this.data.take().ok_or("no data dir to restart on")?;
        let extra = std::mem::take(&mut this.extra);
        this.terminate().await;
        Self::spawn_in(&bin, data, extra).await
    }

    /// Stops the child (SIGTERM, then SIGKILL after 5 s).
    pub async fn stop(mut self) {
        self.terminate().await;
    }

    async fn terminate(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        for _ in 0..100 {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Server {
    /// A scenario that failed midway still leaves no server behind.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
