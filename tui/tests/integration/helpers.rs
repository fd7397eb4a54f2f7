//! An in-process server with the demo data, a runner for the `tern`
//! binary, and a hand-made app state for snapshots.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use tempfile::TempDir;
use tern_client_core::{Client, ClientConfig, SecretsBackend};
use tern_server::Running;
use tern_server::auth::PasswordCost;
use tern_server::config::Config;

pub const PASSWORD: &str = "tern-demo";

pub struct TestServer {
    running: Option<Running>,
    pub addr: SocketAddr,
    pub config: Config,
    _dir: TempDir,
}

impl TestServer {
    /// A server on a free port with the demo data (alice, bob, carol,
    /// room `general` in workspace `demo`).
    pub async fn demo() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::new(dir.path().to_path_buf());
        config.password_cost = PasswordCost {
            memory_kib: 64,
            passes: 1,
        };
        config.auth_per_ip_per_minute = 100_000;
        config.auth_per_account_per_minute = 100_000;
        tern_server::prepare_data_dir(&config.data_dir).unwrap();
        {
            let store = tern_server::open_store(&config).unwrap();
            tern_server::demo::seed(&*store, config.password_cost)
                .await
                .unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = tern_server::start(config.clone(), listener).await.unwrap();
        Self {
            addr: running.addr,
            running: Some(running),
            config,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    /// Starts again on the same data dir and port.
    pub async fn start_again(&mut self) {
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) => {
                    tries += 1;
                    assert!(tries < 100, "cannot bind {} again: {e}", self.addr);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        self.running = Some(
            tern_server::start(self.config.clone(), listener)
                .await
                .unwrap(),
        );
    }
}

/// A client-core client for another user (the "other client").
pub async fn other_client(server: &TestServer, dir: &Path, user: &str) -> Client {
    let mut c = ClientConfig::new(server.url(), dir, user);
    c.secrets = SecretsBackend::File;
    c.store_watch_interval = Duration::from_millis(100);
    let client = Client::open(c).await.unwrap();
    client.login(user, PASSWORD).await.unwrap();
    client
}

/// Waits until `f` holds, or panics after `secs`.
pub async fn eventually<F, Fut>(secs: u64, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if f().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The id of the room named `name` once `c` has synced it (10 s at most).
pub async fn room_named(c: &Client, name: &str) -> uuid::Uuid {
    for _ in 0..200 {
        if let Some(r) = c
            .rooms()
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.name == name)
        {
            return r.id;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no room {name}");
}

pub fn tern_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tern"))
}

/// A profile of the `tern` binary in its own temp dirs.
pub struct Tern {
    pub dir: TempDir,
    pub server: String,
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Tern {
    pub fn new(server: &TestServer) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            server: server.url(),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(tern_bin());
        c.arg("--data-dir")
            .arg(self.data_dir())
            .arg("--server")
            .arg(&self.server)
            .args(args)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            // Tests keep tokens in the profile's 0600 file, never in the
            // machine's keyring.
            .env("TERN_SECRETS", "file")
            .env_remove("TERN_SERVER")
            .env_remove("TERN_PROFILE")
            .env_remove("NO_COLOR")
            // English unless a test asks for another language.
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("TERN_LOCALE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        c
    }

    /// Runs `tern ARGS` with `stdin`, waits for it.
    pub async fn run(&self, args: &[&str], stdin: &str) -> Out {
        use tokio::io::AsyncWriteExt;
        let mut child = self.command(args).spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).await.unwrap();
        drop(input);
        let out: Output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("tern finishes")
            .unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub async fn ok(&self, args: &[&str], stdin: &str) -> String {
        let o = self.run(args, stdin).await;
        assert_eq!(
            o.code, 0,
            "tern {args:?} failed: {}\n{}",
            o.stderr, o.stdout
        );
        o.stdout
    }

    pub async fn login(&self, user: &str) {
        let out = self
            .ok(&["login", "--username", user], &format!("{PASSWORD}\n"))
            .await;
        assert!(out.contains("signed in as"), "{out}");
    }
}
