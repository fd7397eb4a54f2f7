//! The sync engine: one task per client that keeps the store caught up.
//!
//! Each round opens the WebSocket first, then asks `POST /sync` for
//! everything missed, then applies the frames that arrived meanwhile,
//! dropping the seqs already held: nothing slips between the catch-up and
//! the live stream. While online, a frame whose seq is more than one past
//! the room's cursor triggers a gap fill (`GET .../events?after=`). A
//! `limited` sync leaves a recorded gap that [`crate::Client::backfill`]
//! fills on demand.
//!
//! When the socket closes the engine reconnects: at once for a resync
//! request (4000) or a ping timeout (4008), after refreshing the token for
//! 4001, never for a revoked session (4003), and otherwise with exponential
//! backoff and jitter.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use reqwest::Method;
use rusqlite::OptionalExtension;
use tern_protocol::event::EventsPage;
use tern_protocol::sync::{SyncRequest, SyncResponse};
use tern_protocol::ws::{
    CLOSE_RESYNC, CLOSE_REVOKED, CLOSE_TIMEOUT, CLOSE_UNAUTHORIZED, ClientFrame, RoomChange,
    ServerFrame,
};
use tern_protocol::{ErrorBody, ErrorCode, Event, RoomId, UserId};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::client::Shared;
use crate::error::{Error, Result};
use crate::events::ClientEvent;
use crate::outbox;
use crate::store::apply::{self, Changes};
use crate::types::{ConnectionProblem, ConnectionState};

const RECONNECT_BASE_MS: u64 = 250;
const RECONNECT_MAX_MS: u64 = 30_000;
const PING_EVERY: Duration = Duration::from_secs(20);
const GAP_PAGE: u32 = tern_protocol::limits::EVENTS_PAGE_MAX;
/// Most frames taken off the socket and applied as one batch.
const BURST_MAX: usize = 1000;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Why a connected round ended.
enum End {
    /// Reconnect at once.
    Now,
    /// Reconnect after a backoff.
    Backoff(String),
    /// The server's certificate is not trusted: retry only at the slowest
    /// pace, and say why.
    Untrusted(String),
    /// The access token was refused: refresh, then reconnect.
    Unauthorized,
    /// The session is over: stop until the user signs in again.
    SessionEnded(String),
    Shutdown,
}

fn reconnect_delay(attempt: u32) -> Duration {
    let exp = RECONNECT_BASE_MS.saturating_mul(1u64 << attempt.min(16));
    let capped = exp.min(RECONNECT_MAX_MS);
    Duration::from_millis(capped / 2 + fastrand::u64(0..=capped / 2))
}

pub(crate) async fn run(shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown_rx();
    let mut attempt: u32 = 0;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let Some(me) = shared.me().filter(|_| !shared.api.has_ended()) else {
            shared.set_state(ConnectionState::Offline);
            tokio::select! {
                _ = shared.sync_wake.notified() => {}
                _ = shared.reconnect.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = shutdown.changed() => return,
            }
            continue;
        };
        shared.set_state(ConnectionState::Connecting);
        let end = tokio::select! {
            e = round(&shared, me, &mut attempt) => e,
            _ = shutdown.changed() => End::Shutdown,
        };
        let delay = match end {
            End::Shutdown => return,
            End::Now => None,
            End::Unauthorized => {
                let stale = shared.api.access_token().unwrap_or_default();
                match shared.api.refresh(&stale).await {
                    Ok(()) => None,
                    Err(Error::SessionEnded(r)) => {
                        session_ended(&shared, r);
                        continue;
                    }
                    Err(e) => Some(e.to_string()),
                }
            }
            End::SessionEnded(r) => {
                session_ended(&shared, r);
                continue;
            }
            End::Backoff(why) => Some(why),
            End::Untrusted(detail) => {
                tracing::warn!(%detail, "sync: the server's certificate is not trusted");
                shared.set_problem(Some(ConnectionProblem::UntrustedCertificate { detail }));
                shared.set_state(ConnectionState::Offline);
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(RECONNECT_MAX_MS)) => {}
                    _ = shared.reconnect.notified() => {}
                    _ = shutdown.changed() => return,
                }
                continue;
            }
        };
        if let Some(why) = delay {
            shared.set_problem(Some(ConnectionProblem::Unreachable {
                detail: why.clone(),
            }));
            shared.set_state(ConnectionState::Offline);
            let wait = reconnect_delay(attempt);
            attempt = attempt.saturating_add(1);
            tracing::debug!(reason = %why, wait_ms = wait.as_millis() as u64, "sync: reconnecting later");
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shared.reconnect.notified() => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}

fn session_ended(shared: &Shared, reason: String) {
    tracing::warn!(%reason, "sync: the session has ended");
    shared.set_state(ConnectionState::Offline);
    shared.events.emit(ClientEvent::SessionEnded { reason });
}

async fn connect(shared: &Shared) -> std::result::Result<Ws, End> {
    let token = shared
        .api
        .access_token()
        .map_err(|e| End::SessionEnded(e.to_string()))?;
    let mut req = shared
        .api
        .ws_url()
        .into_client_request()
        .map_err(|e| End::Backoff(format!("bad server URL: {e}")))?;
    let value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|e| End::Backoff(e.to_string()))?;
    req.headers_mut().insert("authorization", value);
    let tls = tokio_tungstenite::Connector::Rustls(shared.api.tls());
    match tokio::time::timeout(
        Duration::from_secs(15),
        tokio_tungstenite::connect_async_tls_with_config(req, None, false, Some(tls)),
    )
    .await
    {
        Err(_) => Err(End::Backoff("connect timed out".into())),
        Ok(Ok((ws, _))) => Ok(ws),
        Ok(Err(tokio_tungstenite::tungstenite::Error::Http(resp))) => {
            if resp.status().as_u16() == 401 {
                let code = resp
                    .body()
                    .as_ref()
                    .and_then(|b| serde_json::from_slice::<ErrorBody>(b).ok())
                    .map(|b| b.error.code);
                match code {
                    Some(ErrorCode::SessionRevoked | ErrorCode::UserDeactivated) => {
                        Err(End::SessionEnded("the server refused the session".into()))
                    }
                    _ => Err(End::Unauthorized),
                }
            } else {
                Err(End::Backoff(format!("upgrade refused: {}", resp.status())))
            }
        }
        Ok(Err(e)) => Err(match crate::tls::tls_failure(&e) {
            Some(crate::tls::TlsFailure::Certificate(why)) => End::Untrusted(why),
            Some(crate::tls::TlsFailure::Handshake(why)) => {
                End::Backoff(format!("TLS handshake failed: {why}"))
            }
            None => End::Backoff(crate::api::error_chain(&e)),
        }),
    }
}

fn end_of_close(code: u16) -> End {
    match code {
        CLOSE_RESYNC | CLOSE_TIMEOUT => End::Now,
        CLOSE_UNAUTHORIZED => End::Unauthorized,
        CLOSE_REVOKED => End::SessionEnded("the session was revoked".into()),
        other => End::Backoff(format!("socket closed ({other})")),
    }
}

/// One connection: socket, sync, buffered frames, then live frames.
async fn round(shared: &Shared, me: UserId, attempt: &mut u32) -> End {
    let ws = match connect(shared).await {
        Ok(ws) => ws,
        Err(e) => return e,
    };
    let (mut sink, mut stream) = ws.split();
    shared.set_state(ConnectionState::Syncing);
    // Catch up while buffering what the socket brings meanwhile.
    let mut buffered: Vec<ServerFrame> = Vec::new();
    {
        let sync = sync_once(shared, me);
        tokio::pin!(sync);
        loop {
            tokio::select! {
                r = &mut sync => match r {
                    Ok(()) => break,
                    Err(Error::SessionEnded(r)) => return End::SessionEnded(r),
                    Err(Error::Certificate(why)) => return End::Untrusted(why),
                    Err(e) => return End::Backoff(format!("sync failed: {e}")),
                },
                msg = stream.next() => match read_frame(msg) {
                    Ok(Some(f)) => buffered.push(f),
                    Ok(None) => {}
                    Err(end) => return end,
                },
            }
        }
    }
    let mut resync = false;
    if let Err(e) = handle_frames(shared, me, buffered, &mut resync).await {
        return End::Backoff(format!("applying a frame failed: {e}"));
    }
    *attempt = 0;
    shared.mark_synced();
    shared.set_problem(None);
    shared.set_state(ConnectionState::Online);
    shared
        .online_epoch
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    if shared
        .store
        .write(outbox::retry_now)
        .await
        .is_ok_and(|n| n > 0)
    {
        tracing::debug!("sync: online again, retrying the outbox now");
    }
    shared.outbox_wake.notify_one();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let mut out_rx = shared.take_ws_out();
    loop {
        if resync {
            resync = false;
            if let Err(e) = sync_once(shared, me).await {
                return match e {
                    Error::SessionEnded(r) => End::SessionEnded(r),
                    e => End::Backoff(format!("sync failed: {e}")),
                };
            }
            shared.mark_synced();
            shared.set_state(ConnectionState::Online);
        }
        tokio::select! {
            msg = stream.next() => {
                // A burst (a busy room, a reconnect) is applied as one batch:
                // one transaction and one UI event per room, not one each.
                let mut frames = Vec::new();
                let mut end = None;
                let mut next = Some(msg);
                while let Some(msg) = next.take() {
                    match read_frame(msg) {
                        Ok(Some(f)) => frames.push(f),
                        Ok(None) => {}
                        Err(e) => {
                            end = Some(e);
                            break;
                        }
                    }
                    if frames.len() < BURST_MAX {
                        next = stream.next().now_or_never();
                    }
                }
                if let Err(e) = handle_frames(shared, me, frames, &mut resync).await {
                    return match e {
                        Error::SessionEnded(r) => End::SessionEnded(r),
                        e => End::Backoff(format!("applying a frame failed: {e}")),
                    };
                }
                if let Some(end) = end {
                    return end;
                }
            },
            _ = ping.tick() => {
                let frame = ClientFrame::Ping { nonce: None };
                let text = serde_json::to_string(&frame).unwrap_or_default();
                if sink.send(Message::text(text)).await.is_err() {
                    return End::Backoff("cannot send a ping".into());
                }
            },
            out = recv_out(&mut out_rx) => {
                if let Some(frame) = out {
                    let text = serde_json::to_string(&frame).unwrap_or_default();
                    if sink.send(Message::text(text)).await.is_err() {
                        return End::Backoff("cannot send a frame".into());
                    }
                }
            },
            _ = shared.sync_wake.notified() => resync = true,
            _ = shared.reconnect.notified() => {
                let _ = sink.close().await;
                return End::Now;
            }
        }
    }
}

async fn recv_out(
    rx: &mut Option<tokio::sync::MutexGuard<'_, tokio::sync::mpsc::Receiver<ClientFrame>>>,
) -> Option<ClientFrame> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

type Incoming = Option<std::result::Result<Message, tokio_tungstenite::tungstenite::Error>>;

/// A server frame, nothing (a control message), or why the round ends.
fn read_frame(msg: Incoming) -> std::result::Result<Option<ServerFrame>, End> {
    match msg {
        None => Err(End::Backoff("socket ended".into())),
        Some(Err(e)) => Err(End::Backoff(format!("socket error: {e}"))),
        Some(Ok(Message::Text(t))) => match serde_json::from_str::<ServerFrame>(&t) {
            Ok(f) => Ok(Some(f)),
            Err(e) => {
                tracing::debug!(error = %e, "sync: unknown frame skipped");
                Ok(None)
            }
        },
        Some(Ok(Message::Close(frame))) => Err(match frame {
            Some(f) => end_of_close(f.code.into()),
            None => End::Backoff("socket closed".into()),
        }),
        Some(Ok(_)) => Ok(None),
    }
}

/// `POST /sync` with every cursor held, applied in one transaction.
pub(crate) async fn sync_once(shared: &Shared, me: UserId) -> Result<()> {
    let rooms: BTreeMap<RoomId, i64> = shared
        .store
        .read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT r.id, coalesce(s.seq, 0) FROM rooms r
                 LEFT JOIN sync_cursors s ON s.room_id = r.id
                 WHERE r.local_only = 0 AND r.membership IN ('joined', 'invited')",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            let mut out = BTreeMap::new();
            for row in rows {
                let (id, seq) = row?;
                out.insert(crate::store::parse_uuid(&id), seq);
            }
            Ok(out)
        })
        .await?;
    let req = SyncRequest {
        rooms,
        timeline_limit: Some(shared.config.timeline_limit),
    };
    let resp: SyncResponse = shared
        .api
        .call(
            Method::POST,
            "/api/v1/sync",
            Some(serde_json::to_value(req)?),
        )
        .await?;
    let changes = shared
        .store
        .write(move |tx| {
            let ch = apply::apply_sync(tx, me, &resp)?;
            // A leave still in the outbox wins over the server's
            // not-yet-told view.
            tx.execute(
                "UPDATE rooms SET membership = 'left' WHERE id IN
                     (SELECT room_id FROM outbox WHERE kind = 'leave')",
                [],
            )?;
            Ok(ch)
        })
        .await?;
    for e in changes.into_events() {
        shared.events.emit(e);
    }
    Ok(())
}

/// Applies frames in arrival order; each run of consecutive room events
/// goes through [`apply_live`] as one batch.
async fn handle_frames(
    shared: &Shared,
    me: UserId,
    frames: Vec<ServerFrame>,
    resync: &mut bool,
) -> Result<()> {
    let mut run: Vec<Event> = Vec::new();
    for f in frames {
        match f {
            ServerFrame::Event { event } => run.push(event),
            other => {
                if !run.is_empty() {
                    apply_live(shared, me, std::mem::take(&mut run), resync).await?;
                }
                handle_frame(shared, me, other, resync).await?;
            }
        }
    }
    if !run.is_empty() {
        apply_live(shared, me, run, resync).await?;
    }
    Ok(())
}

async fn handle_frame(
    shared: &Shared,
    me: UserId,
    f: ServerFrame,
    resync: &mut bool,
) -> Result<()> {
    match f {
        ServerFrame::Event { event } => apply_live(shared, me, vec![event], resync).await?,
        ServerFrame::Room {
            room_id,
            change,
            room,
        } => match (change, room) {
            (RoomChange::Updated, Some(room)) => {
                shared
                    .store
                    .write(move |tx| apply::upsert_room(tx, &room))
                    .await?;
                shared.events.emit(ClientEvent::RoomListChanged);
            }
            _ => {
                tracing::debug!(%room_id, ?change, "sync: membership changed, syncing");
                *resync = true;
            }
        },
        ServerFrame::Receipt {
            room_id,
            user_id,
            seq,
        } => {
            shared
                .store
                .write(move |tx| {
                    apply::set_read_marker(tx, room_id, user_id, seq)?;
                    if user_id == me {
                        apply::recount_unread(tx, me, room_id)?;
                    }
                    Ok(())
                })
                .await?;
            if user_id == me {
                shared.events.emit(ClientEvent::RoomListChanged);
            }
        }
        ServerFrame::Typing { room_id, user_ids } => {
            shared.events.emit(ClientEvent::Typing {
                room_id,
                user_ids: user_ids.into_iter().filter(|u| *u != me).collect(),
            });
        }
        ServerFrame::Error { code, message } => {
            tracing::debug!(%code, %message, "sync: the server refused a frame");
        }
        ServerFrame::Ready { .. } | ServerFrame::Pong { .. } | ServerFrame::Presence { .. } => {}
    }
    Ok(())
}

/// Where a batch of live events stopped short.
struct LiveStop {
    room: RoomId,
    /// The room's cursor: the gap runs from just after it.
    held: i64,
    /// The event that found the gap, and every one after it.
    rest: Vec<Event>,
}

/// Applies live events (in arrival order) in one transaction: each is
/// dropped if its seq is already held, applied if it is the next one, and
/// stops the batch if it is further on (a gap, filled over the network
/// before the rest is applied). Events of a room not known here make the
/// engine sync.
async fn apply_live(
    shared: &Shared,
    me: UserId,
    mut events: Vec<Event>,
    resync: &mut bool,
) -> Result<()> {
    // After a gap fill the event that found the gap is normally held; if
    // the fill did not reach it, it is dropped rather than filled again
    // (it comes back with the next sync).
    let mut after_fill = false;
    while !events.is_empty() {
        let skip_gap_at_first = after_fill;
        let (ch, unknown, stop) = shared
            .store
            .write(move |tx| apply_live_in(tx, me, events, skip_gap_at_first))
            .await?;
        if unknown {
            *resync = true;
        }
        emit(shared, ch, resync);
        let Some(stop) = stop else {
            return Ok(());
        };
        tracing::debug!(room = %stop.room, from = stop.held, "sync: filling a gap");
        fill_after(shared, me, stop.room, stop.held, resync).await?;
        events = stop.rest;
        after_fill = true;
    }
    Ok(())
}

fn apply_live_in(
    tx: &rusqlite::Transaction<'_>,
    me: UserId,
    events: Vec<Event>,
    skip_gap_at_first: bool,
) -> Result<(Changes, bool, Option<LiveStop>)> {
    let mut ch = Changes::default();
    let mut unknown = false;
    // Per room: the cursor as this batch moves it (None: not a room here).
    let mut held: std::collections::HashMap<RoomId, Option<i64>> = Default::default();
    let mut moved: BTreeMap<RoomId, i64> = BTreeMap::new();
    let mut stop = None;
    // The events that are next in their rooms, applied together below.
    let mut next = Vec::new();
    let mut iter = events.into_iter().enumerate();
    while let Some((i, ev)) = iter.next() {
        let room = ev.room_id;
        let cur = match held.get(&room) {
            Some(c) => *c,
            None => {
                let known: bool = tx
                    .prepare_cached(
                        "SELECT 1 FROM rooms WHERE id = ?1 AND membership IN ('joined', 'invited')",
                    )?
                    .query_row([room.to_string()], |_| Ok(true))
                    .optional()?
                    .unwrap_or(false);
                let c = if known {
                    Some(apply::cursor(tx, room)?)
                } else {
                    None
                };
                held.insert(room, c);
                c
            }
        };
        let Some(cur) = cur else {
            unknown = true;
            continue;
        };
        if ev.seq <= cur {
            continue;
        }
        if ev.seq > cur + 1 {
            if i == 0 && skip_gap_at_first {
                continue;
            }
            let mut rest = vec![ev];
            rest.extend(iter.map(|(_, e)| e));
            stop = Some(LiveStop {
                room,
                held: cur,
                rest,
            });
            break;
        }
        held.insert(room, Some(ev.seq));
        moved.insert(room, ev.seq);
        next.push(ev);
    }
    apply::apply_batch(tx, me, &next, true, &mut ch)?;
    for (room, seq) in moved {
        apply::set_cursor(tx, room, seq)?;
    }
    Ok((ch, unknown, stop))
}

fn emit(shared: &Shared, ch: Changes, resync: &mut bool) {
    if ch.membership_changed {
        *resync = true;
    }
    for e in ch.into_events() {
        shared.events.emit(e);
    }
}

/// Fetches every event after `from` and applies them in order.
pub(crate) async fn fill_after(
    shared: &Shared,
    me: UserId,
    room: RoomId,
    from: i64,
    resync: &mut bool,
) -> Result<()> {
    let mut after = from;
    loop {
        let page: EventsPage = shared
            .api
            .call(
                Method::GET,
                &format!("/api/v1/rooms/{room}/events?after={after}&limit={GAP_PAGE}"),
                None,
            )
            .await?;
        let Some(last) = page.events.last().map(|e| e.seq) else {
            return Ok(());
        };
        let events = page.events;
        let ch = shared
            .store
            .write(move |tx| {
                let mut ch = Changes::default();
                apply::apply_events(tx, me, room, &events, &mut ch)?;
                Ok(ch)
            })
            .await?;
        emit(shared, ch, resync);
        after = last;
        if !page.has_more {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_delay_backs_off_with_jitter() {
        let d0 = reconnect_delay(0).as_millis() as u64;
        assert!((RECONNECT_BASE_MS / 2..=RECONNECT_BASE_MS).contains(&d0));
        let d20 = reconnect_delay(20).as_millis() as u64;
        assert!((RECONNECT_MAX_MS / 2..=RECONNECT_MAX_MS).contains(&d20));
    }
}
