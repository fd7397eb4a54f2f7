//! `GET /api/v1/ws`: the live connection. See [`crate::fanout`] for how
//! frames reach it.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use tern_protocol::ws::{
    CLOSE_RESYNC, CLOSE_REVOKED, CLOSE_TIMEOUT, CLOSE_UNAUTHORIZED, ClientFrame, ServerFrame,
};
use tern_protocol::{ErrorBody, ErrorCode};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{Auth, ClientInfo, bearer};
use crate::error::AppError;
use crate::fanout::{KICK_RESYNC, KICK_REVOKED};

/// Largest frame a client may send.
const MAX_CLIENT_FRAME: usize = 64 * 1024;
/// Time allowed for the `auth` frame when no header was sent.
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ws))
}

struct Headers(Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Headers {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(bearer(parts).map(str::to_owned)))
    }
}

/// Upgrades to a WebSocket. Authenticate with the `Authorization` header,
/// or with an `auth` frame first. Frames are JSON text (`ServerFrame`,
/// `ClientFrame`); close code 4000 asks the client to resync.
#[utoipa::path(get, path = "/api/v1/ws", tag = "sync",
    responses((status = 101, description = "switching to the WebSocket protocol"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn ws(
    State(state): State<AppState>,
    Headers(token): Headers,
    client: ClientInfo,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    let upgrade = upgrade.map_err(|e| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidInput,
            format!("a WebSocket upgrade is required here: {e}"),
        )
    })?;
    // A bad header token is refused before the upgrade.
    let auth = match token {
        Some(t) => Some(state.authenticate(&t, &axum::http::Method::GET).await?),
        None => None,
    };
    // Small buffers: most sockets are idle most of the time, and the
    // default 128 KiB read buffer per socket would dominate memory.
    Ok(upgrade
        .read_buffer_size(1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(MAX_CLIENT_FRAME)
        .on_upgrade(move |socket| run(state, socket, auth, client)))
}

fn text(frame: &ServerFrame) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(frame).unwrap_or_default(),
    ))
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    }))
}

/// Waits for the first frame to be `auth`.
async fn auth_frame(state: &AppState, socket: &mut WebSocket) -> Option<Auth> {
    let first = tokio::time::timeout(AUTH_TIMEOUT, socket.recv())
        .await
        .ok()??
        .ok()?;
    let Message::Text(t) = first else { return None };
    match serde_json::from_str::<ClientFrame>(&t) {
        Ok(ClientFrame::Auth { token }) => state
            .authenticate(&token, &axum::http::Method::GET)
            .await
            .ok(),
        _ => None,
    }
}

async fn run(state: AppState, mut socket: WebSocket, auth: Option<Auth>, client: ClientInfo) {
    let auth = match auth {
        Some(a) => a,
        None => match auth_frame(&state, &mut socket).await {
            Some(a) => a,
            None => {
                let _ = socket
                    .send(close(CLOSE_UNAUTHORIZED, "authentication failed"))
                    .await;
                return;
            }
        },
    };
    let reg = state.fanout.register(auth.user_id, auth.session_id);
    state.metrics.ws_connections.fetch_add(1, Ordering::Relaxed);
    {
        let store = state.store.clone();
        let (sid, ip) = (auth.session_id, client.ip);
        tokio::spawn(async move {
            let _ = store.touch_session(sid, ip).await;
        });
    }
    let conn_id = reg.id;
    let reader = serve(&state, socket, auth, reg).await;
    state.fanout.unregister(auth.user_id, conn_id);
    state.metrics.ws_connections.fetch_sub(1, Ordering::Relaxed);
    // Closing handshake: give the peer a moment to answer our close frame
    // (the read half ends when it does) before the connection is dropped;
    // dropping at once can reset the connection under the unread close.
    if let Some(mut reader) = reader
        && tokio::time::timeout(Duration::from_secs(1), &mut reader)
            .await
            .is_err()
    {
        reader.abort();
    }
}

/// Runs a connection until it ends; answers its read half, still waiting
/// for the peer's close frame.
async fn serve(
    state: &AppState,
    socket: WebSocket,
    auth: Auth,
    reg: crate::fanout::Registration,
) -> Option<tokio::task::JoinHandle<()>> {
    let (mut tx, rx) = socket.split();
    let crate::fanout::Registration {
        rx: mut queue,
        kicked,
        ..
    } = reg;
    let ready = ServerFrame::Ready {
        user_id: auth.user_id,
        session_id: auth.session_id,
    };
    if tx.send(text(&ready)).await.is_err() {
        return None;
    }
    // The read half lives in a task of its own, polled only when bytes
    // arrive; it tells the writer when it last heard anything and hands it
    // the replies to write.
    let start = Instant::now();
    let heard = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    // Replies travel serialised: a channel block of small `Utf8Bytes` rather
    // than of large frames keeps an idle socket's memory down.
    let (reply_tx, mut replies) = tokio::sync::mpsc::channel::<Utf8Bytes>(16);
    let reader = tokio::spawn(read_loop(
        state.clone(),
        auth,
        rx,
        heard.clone(),
        start,
        reply_tx,
    ));
    let every = state.config.ws_ping_interval;
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let mut shutdown = state.shutdown.clone();
    loop {
        tokio::select! {
            out = queue.recv() => match out {
                Some(bytes) => {
                    // Write everything already queued, then flush once: one
                    // syscall for a burst instead of one per frame.
                    if tx.feed(Message::Text(bytes)).await.is_err() {
                        break;
                    }
                    let mut more = 0;
                    while more < 256 {
                        match queue.try_recv() {
                            Ok(b) => {
                                if tx.feed(Message::Text(b)).await.is_err() {
                                    break;
                                }
                                more += 1;
                            }
                            Err(_) => break,
                        }
                    }
                    if tx.flush().await.is_err() {
                        break;
                    }
                }
                None => {
                    let frame = match kicked.load(Ordering::Relaxed) {
                        KICK_RESYNC => close(CLOSE_RESYNC, "resync"),
                        KICK_REVOKED => close(CLOSE_REVOKED, "session revoked"),
                        _ => close(1011, "closed"),
                    };
                    let _ = tx.send(frame).await;
                    break;
                }
            },
            reply = replies.recv() => match reply {
                Some(bytes) => {
                    if tx.send(Message::Text(bytes)).await.is_err() {
                        break;
                    }
                }
                // The client closed the connection or it broke.
                None => break,
            },
            _ = ticker.tick() => {
                let silent_ms = (start.elapsed().as_millis() as u64)
                    .saturating_sub(heard.load(Ordering::Relaxed));
                if Duration::from_millis(silent_ms) > every * 2 {
                    let _ = tx.send(close(CLOSE_TIMEOUT, "no answer to ping")).await;
                    break;
                }
                if tx.send(Message::Ping(bytes::Bytes::new())).await.is_err() {
                    break;
                }
            },
            _ = shutdown.changed() => {
                let _ = tx.send(close(1001, "server shutting down")).await;
                break;
            },
        }
    }
    Some(reader)
}

/// Reads client frames until the connection closes.
async fn read_loop(
    state: AppState,
    auth: Auth,
    mut rx: futures_util::stream::SplitStream<WebSocket>,
    heard: std::sync::Arc<std::sync::atomic::AtomicU64>,
    start: Instant,
    replies: tokio::sync::mpsc::Sender<Utf8Bytes>,
) {
    while let Some(Ok(msg)) = rx.next().await {
        heard.store(start.elapsed().as_millis() as u64, Ordering::Relaxed);
        let reply = match msg {
            Message::Text(t) => handle(&state, &auth, &t),
            Message::Binary(_) => Some(ServerFrame::Error {
                code: "invalid_json".into(),
                message: "frames are JSON text, not binary".into(),
            }),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => None,
        };
        if let Some(r) = reply
            && replies
                .send(Utf8Bytes::from(
                    serde_json::to_string(&r).unwrap_or_default(),
                ))
                .await
                .is_err()
        {
            break;
        }
    }
}

/// Acts on one client frame; answers a frame for this connection, if any.
fn handle(state: &AppState, auth: &Auth, raw: &str) -> Option<ServerFrame> {
    let frame = match serde_json::from_str::<ClientFrame>(raw) {
        Ok(f) => f,
        Err(e) => {
            return Some(ServerFrame::Error {
                code: "invalid_json".into(),
                message: format!("cannot read frame: {e}"),
            });
        }
    };
    match frame {
        ClientFrame::Auth { .. } => Some(ServerFrame::Error {
            code: "invalid_input".into(),
            message: "already authenticated".into(),
        }),
        ClientFrame::Typing { room_id, typing } => {
            state.fanout.typing(room_id, auth.user_id, typing);
            None
        }
        ClientFrame::Presence { status } => {
            state.fanout.presence(auth.user_id, status);
            None
        }
        ClientFrame::Ping { nonce } => Some(ServerFrame::Pong { nonce }),
    }
}
