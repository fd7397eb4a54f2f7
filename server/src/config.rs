//! Server configuration, built by the command line (or by tests directly).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::PasswordCost;

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Holds `tern.db` and `secret.key`.
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// Largest JSON request body.
    pub max_body_bytes: usize,
    pub access_ttl: Duration,
    /// A session unused this long can no longer refresh.
    pub refresh_ttl: Duration,
    /// How long after a rotation the previous refresh token may be presented
    /// again (a retry whose answer was lost) without being taken for theft.
    pub refresh_grace: Duration,
    pub password_cost: PasswordCost,
    /// Auth requests per minute from one IP address.
    pub auth_per_ip_per_minute: u32,
    /// Login attempts per minute for one account.
    pub auth_per_account_per_minute: u32,
    /// Frames queued per WebSocket before it is cut off.
    pub ws_queue: usize,
    pub ws_ping_interval: Duration,
    /// Signs access tokens; generated into the data dir when not given.
    pub jwt_secret: Option<Secret>,
    /// Where blobs live: a directory (default `<data dir>/blobs`),
    /// `file:///dir`, or `s3://bucket/prefix` (builds with the `s3` feature).
    pub blob_store: Option<String>,
    /// Largest upload, in bytes.
    pub max_upload_bytes: u64,
    /// How often unreferenced blobs are removed; `None` turns it off.
    pub gc_interval: Option<Duration>,
}

impl Config {
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 1024 * 1024,
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            refresh_grace: Duration::from_secs(20),
            password_cost: PasswordCost::default(),
            auth_per_ip_per_minute: 60,
            auth_per_account_per_minute: 10,
            ws_queue: 1024,
            ws_ping_interval: Duration::from_secs(30),
            jwt_secret: None,
            blob_store: None,
            max_upload_bytes: 100 * 1024 * 1024,
            gc_interval: Some(Duration::from_secs(3600)),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("tern.db")
    }
}
