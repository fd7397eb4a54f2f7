//! Tern's server: REST + WebSocket over an embedded SQLite store.
//!
//! [`start`] opens the store in a data dir, warms the fan-out and serves the
//! v1 API on a listener; [`cli`] wraps it in the `tern-server` command. The
//! request path is `http` (routes, extractors) -> [`authz`] (may the caller?)
//! -> [`store`] (one write transaction, events appended with their seq) ->
//! the commit hook -> [`fanout`] (every connection of every member).

pub mod auth;
pub mod authz;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod fanout;
pub mod files;
pub mod http;
pub mod metrics;
pub mod store;
pub mod validate;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::watch;

use crate::auth::{Jwt, RateLimiter, Revoked};
use crate::config::Config;
use crate::fanout::Fanout;
use crate::http::{AppInner, AppState};
use crate::metrics::Metrics;
use crate::store::sqlite::SqliteStore;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    #[error("cannot use data dir {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot serve: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Blobs(String),
}

/// Opens the blob store the config names.
pub fn open_blobs(config: &Config) -> Result<files::Blobs, StartError> {
    files::Blobs::open(config.blob_store.as_deref(), &config.data_dir).map_err(StartError::Blobs)
}

/// Creates the data dir and checks that it is writable.
pub fn prepare_data_dir(dir: &Path) -> Result<(), StartError> {
    let err = |source| StartError::DataDir {
        path: dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let probe = dir.join(".tern-write-test");
    std::fs::write(&probe, b"ok").map_err(err)?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Opens the store alone (for `migrate`, `seed`, `admin`).
pub fn open_store(config: &Config) -> Result<Arc<SqliteStore>, StartError> {
    prepare_data_dir(&config.data_dir)?;
    Ok(Arc::new(SqliteStore::open(
        &config.db_path(),
        Box::new(|_| {}),
    )?))
}

/// The key that signs access tokens: from the config, else from
/// `secret.key` in the data dir (made on first start, mode 0600).
fn signing_key(config: &Config) -> Result<Vec<u8>, StartError> {
    if let Some(s) = &config.jwt_secret {
        return Ok(s.0.as_bytes().to_vec());
    }
    let path = config.data_dir.join("secret.key");
    let err = |source| StartError::DataDir {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= 32 => return Ok(s.trim().as_bytes().to_vec()),
        Ok(_) | Err(_) => {}
    }
    let key = auth::random_token(48);
    write_private(&path, key.as_bytes()).map_err(err)?;
    Ok(key.into_bytes())
}

fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(data)
}

/// A server that is running.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, closes every socket and waits for the server to end.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.task).await;
    }

    /// Runs until the server ends (Ctrl-C or SIGTERM, see [`cli`]).
    pub async fn wait(self) -> Result<(), StartError> {
        match self.task.await {
            Ok(r) => r.map_err(StartError::Serve),
            Err(e) => Err(StartError::Serve(std::io::Error::other(e))),
        }
    }

    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }
}

/// Opens the store in the data dir and serves on `listener`.
pub async fn start(
    config: Config,
    listener: tokio::net::TcpListener,
) -> Result<Running, StartError> {
    prepare_data_dir(&config.data_dir)?;
    let key = signing_key(&config)?;
    let metrics = Arc::new(Metrics::default());
    let fanout = Arc::new(Fanout::new(config.ws_queue, metrics.clone()));
    let publisher = fanout::spawn_publisher(fanout.clone());
    let counted = metrics.clone();
    let store = SqliteStore::open(
        &config.db_path(),
        Box::new(move |events| {
            // Counted here, on the writer, before any caller hears back.
            counted
                .events_appended
                .fetch_add(events.len() as u64, std::sync::atomic::Ordering::Relaxed);
            let _ = publisher.send(events);
        }),
    )?;
    let store: Arc<dyn Store> = Arc::new(store);
    let blobs = open_blobs(&config)?;
    fanout.load_memberships(store.all_joined().await?);
    let revoked = Revoked::default();
    let since = time::OffsetDateTime::now_utc() - config.access_ttl;
    for id in store.revoked_sessions_since(since).await? {
        revoked.insert(id);
    }
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let cost = config.password_cost;
    let dummy_hash = tokio::task::spawn_blocking(move || auth::dummy_hash(cost))
        .await
        .unwrap_or_default();
    let state = AppState(Arc::new(AppInner {
        store,
        jwt: Jwt::new(key, config.access_ttl),
        fanout: fanout.clone(),
        metrics,
        revoked,
        ip_limiter: RateLimiter::new(config.auth_per_ip_per_minute, Duration::from_secs(60)),
        account_limiter: RateLimiter::new(
            config.auth_per_account_per_minute,
            Duration::from_secs(60),
        ),
        dummy_hash,
        openapi_json: OnceLock::new(),
        blobs,
        key_seen: std::sync::Mutex::new(std::collections::HashMap::new()),
        shutdown: shutdown_rx.clone(),
        access_cache: Default::default(),
        config,
    }));
    let app = http::app(state.clone());
    let addr = listener.local_addr().map_err(StartError::Serve)?;
    {
        let fanout = fanout.clone();
        let mut stop = shutdown_rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = tick.tick() => fanout.expire_typing(),
                    _ = stop.changed() => break,
                }
            }
        });
    }
    if let Some(every) = state.config.gc_interval {
        let state = state.clone();
        let mut stop = shutdown_rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        match state.blobs.collect_garbage(state.store.as_ref()).await {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(removed = n, "removed unreferenced blobs"),
                            Err(e) => tracing::warn!(error = %e, "blob collection failed"),
                        }
                    }
                    _ = stop.changed() => break,
                }
            }
        });
    }
    let mut stop = shutdown_rx;
    // Nagle's algorithm off: with it, a frame written while the previous
    // one is unacknowledged waits for the peer's delayed ACK (40 ms on
    // Linux), so two messages close together reached a client 40 ms late.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot turn Nagle's algorithm off on a connection");
        }
    });
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await
    });
    tracing::info!(%addr, "tern-server listening");
    Ok(Running {
        addr,
        state,
        shutdown: shutdown_tx,
        task,
    })
}
