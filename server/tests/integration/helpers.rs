//! A test server and a small HTTP/WebSocket client for it.

#![allow(dead_code)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use tern_server::Running;
use tern_server::auth::PasswordCost;
use tern_server::config::Config;
use tokio_tungstenite::tungstenite::Message;

pub struct TestServer {
    pub running: Option<Running>,
    pub base: String,
    pub config: Config,
    _dir: TempDir,
}

pub fn test_config(dir: &std::path::Path) -> Config {
    let mut c = Config::new(dir.to_path_buf());
    c.password_cost = PasswordCost {
        memory_kib: 64,
        passes: 1,
    };
    c.auth_per_ip_per_minute = 100_000;
    c.auth_per_account_per_minute = 100_000;
    c
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(f: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = test_config(dir.path());
        f(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let running = tern_server::start(config.clone(), listener)
            .await
            .expect("server starts");
        Self {
            base: format!("http://{}", running.addr),
            running: Some(running),
            config,
            _dir: dir,
        }
    }

    /// Stops the server and starts it again on the same data dir and port.
    pub async fn restart(&mut self) {
        let addr = self.running.as_ref().expect("running").addr;
        self.running.take().expect("running").stop().await;
        let listener = bind_retry(addr).await;
        self.running = Some(
            tern_server::start(self.config.clone(), listener)
                .await
                .expect("server restarts"),
        );
    }

    /// Waits until the fan-out has applied the room's membership (it
    /// follows the commits a moment later), so live tests start from a
    /// known point.
    pub async fn settled(&self, room: &str, members: usize) {
        let fanout = self.running.as_ref().expect("running").state.fanout.clone();
        let room: uuid::Uuid = room.parse().expect("room id");
        for _ in 0..200 {
            if fanout.member_count(room) == members {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the fan-out never saw {members} members in {room}");
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.config.data_dir
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn ws_url(&self) -> String {
        format!("{}/api/v1/ws", self.base.replacen("http", "ws", 1))
    }

    pub fn anon(&self) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: self.base.clone(),
            token: None,
            user_id: String::new(),
            session_id: String::new(),
            refresh: String::new(),
            username: String::new(),
        }
    }

    /// Registers `name` (password `password-123`) and signs in.
    pub async fn user(&self, name: &str) -> Api {
        let mut api = self.anon();
        let (status, body) = api
            .post(
                "/api/v1/auth/register",
                json!({"username": name, "email": format!("{name}@example.test"), "password": "password-123"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "register {name}: {body}");
        api.adopt(&body);
        api.username = name.to_owned();
        api
    }
}

pub async fn bind_retry(addr: std::net::SocketAddr) -> tokio::net::TcpListener {
    for _ in 0..50 {
        if let Ok(l) = tokio::net::TcpListener::bind(addr).await {
            return l;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot bind {addr} again");
}

#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
    pub user_id: String,
    pub session_id: String,
    pub refresh: String,
    pub username: String,
}

impl Api {
    pub fn adopt(&mut self, pair: &Value) {
        self.token = Some(
            pair["access_token"]
                .as_str()
                .expect("access token")
                .to_owned(),
        );
        self.user_id = pair["user_id"].as_str().expect("user id").to_owned();
        self.session_id = pair["session_id"].as_str().expect("session id").to_owned();
        self.refresh = pair["refresh_token"].as_str().expect("refresh").to_owned();
    }

    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// Uploads `bytes` as a file named `name`.
    pub async fn upload(&self, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}/api/v1/files", self.base))
            .query(&[("name", name)])
            .header("content-type", "application/octet-stream")
            .body(bytes);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("upload sent");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Downloads a file with extra headers; answers status, headers, bytes.
    pub async fn download(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("download sent");
        let status = resp.status();
        let h = resp.headers().clone();
        (status, h, resp.bytes().await.expect("bytes").to_vec())
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.raw(reqwest::Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.raw(reqwest::Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.raw(reqwest::Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.raw(reqwest::Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.raw(reqwest::Method::DELETE, path, None).await
    }

    /// Creates a workspace the caller owns; returns its id.
    pub async fn workspace(&self, slug: &str) -> String {
        let (s, b) = self
            .post("/api/v1/workspaces", json!({"slug": slug, "name": slug}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "create workspace: {b}");
        b["id"].as_str().expect("id").to_owned()
    }

    /// Adds `who` to workspace `ws` with `role`.
    pub async fn add_member(&self, ws: &str, who: &Api, role: &str) {
        let (s, b) = self
            .put(
                &format!("/api/v1/workspaces/{ws}/members/{}", who.user_id),
                json!({"role": role}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "add member: {b}");
    }

    /// Creates a room; returns its id.
    pub async fn room(&self, ws: &str, name: &str, visibility: &str, members: &[&Api]) -> String {
        let ids: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
        let (s, b) = self
            .post(
                &format!("/api/v1/workspaces/{ws}/rooms"),
                json!({"kind": "group", "name": name, "visibility": visibility, "members": ids}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "create room: {b}");
        b["id"].as_str().expect("id").to_owned()
    }

    /// Sends a text message with a fresh txn id; returns the event.
    pub async fn send(&self, room: &str, body: &str) -> Value {
        let txn = uuid::Uuid::now_v7().to_string();
        let (s, b) = self
            .put(
                &format!("/api/v1/rooms/{room}/messages/{txn}"),
                json!({"body": body}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "send: {b}");
        b
    }

    pub async fn events(&self, room: &str, query: &str) -> Vec<Value> {
        let (s, b) = self
            .get(&format!("/api/v1/rooms/{room}/events{query}"))
            .await;
        assert_eq!(s, StatusCode::OK, "events: {b}");
        b["events"].as_array().expect("events").clone()
    }

    pub async fn ws(&self, server: &TestServer) -> Ws {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = server.ws_url().into_client_request().expect("request");
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {}", self.token.as_deref().expect("token"))
                .parse()
                .expect("header"),
        );
        let (stream, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("ws connects");
        let mut ws = Ws { stream };
        let ready = ws.next().await.expect("ready frame");
        assert_eq!(ready["type"], "ready", "first frame: {ready}");
        ws
    }
}

pub struct Ws {
    pub stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

pub enum Frame {
    Json(Value),
    Closed(Option<u16>),
}

impl Ws {
    /// The next frame within 5 s (pings are answered on the way).
    pub async fn recv(&mut self, within: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()?;
            match msg {
                Some(Ok(Message::Text(t))) => {
                    return Some(Frame::Json(serde_json::from_str(&t).expect("json frame")));
                }
                Some(Ok(Message::Close(c))) => {
                    return Some(Frame::Closed(c.map(|c| c.code.into())));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Some(Frame::Closed(None)),
            }
        }
    }

    pub async fn next(&mut self) -> Option<Value> {
        match self.recv(Duration::from_secs(5)).await? {
            Frame::Json(v) => Some(v),
            Frame::Closed(_) => None,
        }
    }

    /// The next frame of `ty`, skipping others.
    pub async fn next_of(&mut self, ty: &str) -> Value {
        loop {
            let f = self
                .next()
                .await
                .unwrap_or_else(|| panic!("no {ty} frame came"));
            if f["type"] == ty {
                return f;
            }
        }
    }

    /// The next room event, skipping other frames.
    pub async fn next_event(&mut self) -> Value {
        self.next_of("event").await["event"].clone()
    }

    /// The next message event, skipping other frames and events.
    pub async fn next_message(&mut self) -> Value {
        loop {
            let e = self.next_event().await;
            if e["type"] == "message" {
                return e;
            }
        }
    }

    pub async fn send(&mut self, v: Value) {
        self.stream
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("ws send");
    }
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

/// Owner, with a workspace and a public room holding `others` as members.
pub struct Team {
    pub owner: Api,
    pub others: Vec<Api>,
    pub ws: String,
    pub room: String,
}

pub async fn team(server: &TestServer, prefix: &str, n: usize) -> Team {
    let owner = server.user(&format!("{prefix}-owner")).await;
    let ws = owner.workspace(&format!("{prefix}-ws")).await;
    let mut others = Vec::new();
    for i in 0..n {
        let u = server.user(&format!("{prefix}-u{i}")).await;
        owner.add_member(&ws, &u, "member").await;
        others.push(u);
    }
    let refs: Vec<&Api> = others.iter().collect();
    let room = owner.room(&ws, "general", "public", &refs).await;
    server.settled(&room, n + 1).await;
    Team {
        owner,
        others,
        ws,
        room,
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The real `tern-server` binary, serving a data dir; killed on drop.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base: String,
}

impl ServerProcess {
    pub async fn spawn(data_dir: &str, port: u16, extra: &[&str]) -> Self {
        Self::spawn_with(data_dir, port, extra, std::process::Stdio::null()).await
    }

    /// With extra environment variables for the server.
    pub async fn spawn_env(
        data_dir: &str,
        port: u16,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        Self::spawn_full(data_dir, port, extra, std::process::Stdio::null(), env).await
    }

    pub async fn spawn_with(
        data_dir: &str,
        port: u16,
        extra: &[&str],
        stdout: std::process::Stdio,
    ) -> Self {
        Self::spawn_full(data_dir, port, extra, stdout, &[]).await
    }

    async fn spawn_full(
        data_dir: &str,
        port: u16,
        extra: &[&str],
        stdout: std::process::Stdio,
        env: &[(&str, &str)],
    ) -> Self {
        let listen = format!("127.0.0.1:{port}");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_tern-server"))
            .args(["serve", "--data-dir", data_dir, "--listen", &listen])
            .args(extra)
            .envs(env.iter().copied())
            .env("TERN_LOG", "warn")
            .stdout(stdout)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("tern-server starts");
        let me = Self {
            child,
            base: format!("http://{listen}"),
        };
        for _ in 0..100 {
            if reqwest::get(format!("{}/healthz", me.base))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return me;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("tern-server at {} never became healthy", me.base);
    }

    /// SIGKILL, as `kill -9`.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
