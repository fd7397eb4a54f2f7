//! The HTTP side: requests to the v1 API with the access token attached,
//! and the token refresh every other part of the client relies on.
//!
//! A request that answers 401 `token_expired` refreshes the tokens and is
//! sent once more, so callers never see an expiry. Refreshing is serialised
//! in this process (a mutex) and across processes sharing the profile (a
//! lease row in the store): the refresh token rotates on every use, and a
//! second client presenting the old one would look like a thief and get
//! the whole session revoked. A client that finds the tokens already
//! rotated by its neighbour adopts them from the secret store.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tern_protocol::auth::TokenPair;
use tern_protocol::{ErrorBody, ErrorCode};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use crate::store::{Store, now_ms};

/// Most time one HTTP request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Most time a file transfer may take: long enough for a large file on a
/// slow link, short enough that a dead connection is noticed some day.
pub(crate) const TRANSFER_TIMEOUT: Duration = Duration::from_secs(6 * 3600);
/// How long a refresh lease holds if its holder dies.
const REFRESH_LEASE_MS: i64 = 15_000;

/// The tokens of the signed-in session, as kept in the secret store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Tokens {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub access_token: String,
    pub refresh_token: String,
}

impl From<TokenPair> for Tokens {
    fn from(p: TokenPair) -> Self {
        Self {
            user_id: p.user_id,
            session_id: p.session_id,
            access_token: p.access_token,
            refresh_token: p.refresh_token,
        }
    }
}

pub(crate) struct Api {
    http: reqwest::Client,
    tls: Arc<rustls::ClientConfig>,
    base: String,
    tokens: Mutex<Option<Tokens>>,
    refresh_lock: tokio::sync::Mutex<()>,
    secrets: Arc<dyn SecretStore>,
    secret_key: String,
    store: Store,
    /// This client instance (for the refresh lease).
    instance: String,
    ended: AtomicBool,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("base", &self.base).finish()
    }
}

/// Turns a failed response into an [`Error::Server`].
async fn server_error(resp: reqwest::Response) -> Error {
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = resp.text().await.unwrap_or_default();
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(b) => Error::Server {
            status,
            code: b.error.code,
            message: b.error.message,
            retry_after,
        },
        Err(_) => Error::Server {
            status,
            code: ErrorCode::Unknown,
            message: text.chars().take(200).collect(),
            retry_after,
        },
    }
}

/// A request that got no answer: a certificate the client does not
/// trust, a failed TLS handshake, or the network, with the whole chain of
/// causes (reqwest's own message names only the URL).
pub(crate) fn network(e: reqwest::Error) -> Error {
    match crate::tls::tls_failure(&e) {
        Some(crate::tls::TlsFailure::Certificate(why)) => Error::Certificate(why),
        Some(crate::tls::TlsFailure::Handshake(why)) => {
            Error::Network(format!("TLS handshake failed: {why}"))
        }
        None => Error::Network(error_chain(&e)),
    }
}

/// An error and its sources, `a: b: c`.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = s.source();
    }
    out
}

impl Api {
    pub(crate) fn new(
        base: &str,
        secrets: Arc<dyn SecretStore>,
        secret_key: String,
        store: Store,
        instance: String,
        tls: Arc<rustls::ClientConfig>,
    ) -> Result<Self> {
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(rustls::ClientConfig::clone(&tls))
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("tern-client-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Network(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            tls,
            base: base.trim_end_matches('/').to_owned(),
            tokens: Mutex::new(None),
            refresh_lock: tokio::sync::Mutex::new(()),
            secrets,
            secret_key,
            store,
            instance,
            ended: AtomicBool::new(false),
        })
    }

    /// The TLS configuration, shared with the WebSocket.
    pub(crate) fn tls(&self) -> Arc<rustls::ClientConfig> {
        self.tls.clone()
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The WebSocket URL of the server.
    pub(crate) fn ws_url(&self) -> String {
        let rest = self
            .base
            .strip_prefix("https://")
            .map(|r| format!("wss://{r}"))
            .or_else(|| {
                self.base
                    .strip_prefix("http://")
                    .map(|r| format!("ws://{r}"))
            })
            .unwrap_or_else(|| self.base.clone());
        format!("{rest}/api/v1/ws")
    }

    pub(crate) fn tokens(&self) -> Option<Tokens> {
        self.tokens.lock().ok().and_then(|t| t.clone())
    }

    pub(crate) fn access_token(&self) -> Result<String> {
        self.tokens()
            .map(|t| t.access_token)
            .ok_or(Error::NotSignedIn)
    }

    pub(crate) fn has_ended(&self) -> bool {
        self.ended.load(Ordering::Relaxed)
    }

    /// Takes new tokens and keeps them in the secret store.
    pub(crate) fn set_tokens(&self, t: Tokens) -> Result<()> {
        let json = serde_json::to_string(&t).map_err(|e| Error::Secrets(e.to_string()))?;
        self.secrets.save(&self.secret_key, &json)?;
        if let Ok(mut g) = self.tokens.lock() {
            *g = Some(t);
        }
        self.ended.store(false, Ordering::Relaxed);
        Ok(())
    }

    /// Loads the saved tokens, if any (restore at start).
    pub(crate) fn load_saved(&self) -> Result<Option<Tokens>> {
        let Some(json) = self.secrets.load(&self.secret_key)? else {
            return Ok(None);
        };
        let t: Tokens = serde_json::from_str(&json)
            .map_err(|e| Error::Secrets(format!("saved tokens are not readable: {e}")))?;
        if let Ok(mut g) = self.tokens.lock() {
            *g = Some(t.clone());
        }
        Ok(Some(t))
    }

    /// Forgets the tokens here and in the secret store.
    pub(crate) fn clear_tokens(&self) -> Result<()> {
        if let Ok(mut g) = self.tokens.lock() {
            *g = None;
        }
        self.secrets.delete(&self.secret_key)
    }

    /// Adopts tokens another client on this profile saved after rotating
    /// them. Returns whether there were any.
    fn adopt_saved(&self) -> Result<bool> {
        let mine = self.tokens();
        let Some(json) = self.secrets.load(&self.secret_key)? else {
            return Ok(false);
        };
        let Ok(saved) = serde_json::from_str::<Tokens>(&json) else {
            return Ok(false);
        };
        match mine {
            Some(m)
                if m.session_id == saved.session_id && m.refresh_token != saved.refresh_token =>
            {
                if let Ok(mut g) = self.tokens.lock() {
                    *g = Some(saved);
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request without credentials (register, login).
    pub(crate) async fn anon<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T> {
        let resp = self
            .http
            .request(method, self.url(path))
            .json(body)
            .send()
            .await
            .map_err(network)?;
        if !resp.status().is_success() {
            return Err(server_error(resp).await);
        }
        resp.json()
            .await
            .map_err(|e| Error::Protocol(e.to_string()))
    }

    /// An authenticated request answering JSON.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T> {
        let resp = self.send(method, path, body).await?;
        resp.json()
            .await
            .map_err(|e| Error::Protocol(e.to_string()))
    }

    /// An authenticated request answering JSON, or nothing (204).
    pub(crate) async fn call_opt<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Option<T>> {
        let resp = self.send(method, path, body).await?;
        if resp.status() == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        resp.json()
            .await
            .map(Some)
            .map_err(|e| Error::Protocol(e.to_string()))
    }

    /// An authenticated request whose answer body does not matter.
    pub(crate) async fn call_unit(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<()> {
        self.send(method, path, body).await.map(|_| ())
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<reqwest::Response> {
        self.send_with(method, path, |req| {
            Ok(match &body {
                Some(b) => req.json(b),
                None => req,
            })
        })
        .await
    }

    /// An authenticated request shaped by `build`, which is called once per
    /// attempt (a request whose token expired is sent again, so a streamed
    /// body must be made anew each time). Answers the successful response.
    pub(crate) async fn send_with<F>(
        &self,
        method: Method,
        path: &str,
        mut build: F,
    ) -> Result<reqwest::Response>
    where
        F: FnMut(reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder>,
    {
        for attempt in 0..2 {
            if self.has_ended() {
                return Err(Error::SessionEnded("the session has ended".into()));
            }
            let access = self.access_token()?;
            let req = self
                .http
                .request(method.clone(), self.url(path))
                .bearer_auth(&access);
            let resp = build(req)?.send().await.map_err(network)?;
            if resp.status().is_success() {
                return Ok(resp);
            }
            let err = server_error(resp).await;
            if err.status() == Some(401) {
                match err.code() {
                    Some(ErrorCode::TokenExpired) if attempt == 0 => {
                        self.refresh(&access).await?;
                        continue;
                    }
                    Some(ErrorCode::TokenExpired) => return Err(err),
                    _ => {
                        // Another client on this profile may have rotated
                        // the tokens and our access token went with them.
                        if attempt == 0 && self.adopt_saved()? {
                            continue;
                        }
                        self.ended.store(true, Ordering::Relaxed);
                        return Err(Error::SessionEnded(err.to_string()));
                    }
                }
            }
            return Err(err);
        }
        Err(Error::Protocol("the request was refused twice".into()))
    }

    /// Gets a new token pair, unless someone already did since `stale` was
    /// the access token.
    pub(crate) async fn refresh(&self, stale: &str) -> Result<()> {
        let _g = self.refresh_lock.lock().await;
        if self.access_token()? != stale {
            return Ok(());
        }
        // Take the profile-wide lease, or wait for its holder and adopt
        // what it saved.
        let deadline = now_ms() + 2 * REFRESH_LEASE_MS;
        loop {
            let inst = self.instance.clone();
            let got = self
                .store
                .write(move |tx| {
                    let now = now_ms();
                    let signed_in: i64 =
                        tx.query_row("SELECT count(*) FROM account", [], |r| r.get(0))?;
                    if signed_in == 0 {
                        return Ok(true);
                    }
                    Ok(tx.execute(
                        "UPDATE account SET refresh_claimed_by = ?1, refresh_claimed_until = ?2
                         WHERE refresh_claimed_until < ?3 OR refresh_claimed_by = ?1",
                        rusqlite::params![inst, now + REFRESH_LEASE_MS, now],
                    )? > 0)
                })
                .await?;
            if got {
                break;
            }
            if self.adopt_saved()? {
                return Ok(());
            }
            if now_ms() > deadline {
                return Err(Error::Network(
                    "another client on this profile is still refreshing the session".into(),
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let out = self.refresh_holding_lease().await;
        let inst = self.instance.clone();
        let _ = self
            .store
            .write(move |tx| {
                tx.execute(
                    "UPDATE account SET refresh_claimed_by = NULL, refresh_claimed_until = 0
                     WHERE refresh_claimed_by = ?1",
                    [inst],
                )?;
                Ok(())
            })
            .await;
        out
    }

    async fn refresh_holding_lease(&self) -> Result<()> {
        if self.adopt_saved()? {
            return Ok(());
        }
        let Some(mine) = self.tokens() else {
            return Err(Error::NotSignedIn);
        };
        let body = tern_protocol::auth::RefreshRequest {
            refresh_token: mine.refresh_token.clone(),
        };
        match self
            .anon::<TokenPair>(Method::POST, "/api/v1/auth/refresh", &body)
            .await
        {
            Ok(pair) => {
                tracing::debug!("access token refreshed");
                self.set_tokens(pair.into())
            }
            Err(e) if e.status() == Some(401) => {
                self.ended.store(true, Ordering::Relaxed);
                Err(Error::SessionEnded(e.to_string()))
            }
            Err(e) => Err(e),
        }
    }
}
