//! Receivers: WebSockets on `/api/v1/ws` that time and check every event.
//!
//! A receiver reads frames as they come, picks the room event's `seq` and
//! `txn_id` out of the text without building a JSON tree (the frame layout
//! is the server's `{"type":"event","event":{...}}`), and records:
//! the delivery latency (now minus the send time carried in the txn id),
//! and any break of the delivery contract: an event lost (a gap in the
//! room's seqs), repeated or out of order, or a sender's messages out of
//! their order. Pings are answered by the WebSocket layer as frames are
//! read.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio::sync::{Notify, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::api::{self, Res};
use crate::stats::Samples;

pub type Socket = WebSocketStream<TcpStream>;

/// Opens a socket with a bearer token and waits for the `ready` frame.
pub async fn connect(addr: SocketAddr, token: &str) -> Res<Socket> {
    let mut req = format!("ws://{addr}/api/v1/ws")
        .into_client_request()
        .map_err(|e| format!("ws request: {e}"))?;
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token}")
            .parse()
            .map_err(|e| format!("ws header: {e}"))?,
    );
    let tcp = crate::http::connect_tcp(addr, None)
        .await
        .map_err(|e| format!("ws connect: {e}"))?;
    // Frames are small: a 128 KiB read buffer per socket (the default)
    // would cost the generator 1.3 GB at 10,000 sockets.
    let config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(req, tcp, Some(config))
        .await
        .map_err(|e| format!("ws upgrade: {e}"))?;
    let first = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .map_err(|_| "no ready frame within 10 s".to_owned())?;
    match first {
        Some(Ok(Message::Text(t))) if t.as_str().starts_with(r#"{"type":"ready""#) => Ok(ws),
        other => Err(format!("expected a ready frame, got {other:?}")),
    }
}

/// What one event frame says, for the bench's own messages.
#[derive(Debug, PartialEq, Eq)]
pub struct Delivery {
    pub seq: i64,
    pub sender: u32,
    pub n: u64,
    pub sent_ns: u64,
}

/// `Some` for an event frame; `delivery` is `None` for events the bench did
/// not send (joins, say), which still count in the seq order.
pub fn parse_event(text: &str) -> Option<(i64, Option<Delivery>)> {
    let ev = text.strip_prefix(r#"{"type":"event","event":"#)?;
    let seq_at = ev.find(r#""seq":"#)? + 6;
    let seq_end = ev[seq_at..].find([',', '}'])? + seq_at;
    let seq: i64 = ev[seq_at..seq_end].parse().ok()?;
    let delivery = ev.find(r#""txn_id":""#).and_then(|i| {
        let start = i + 10;
        let end = ev[start..].find('"')? + start;
        let (sender, n, sent_ns) = api::parse_txn(&ev[start..end])?;
        Some(Delivery {
            seq,
            sender,
            n,
            sent_ns,
        })
    });
    Some((seq, delivery))
}

/// What a receiver saw; drained by the scenario between steps.
#[derive(Debug, Default)]
pub struct Tally {
    pub latencies: Samples,
    pub deliveries: u64,
    pub errors: Vec<String>,
    /// Set when the socket ended, with the close code if any.
    pub closed: Option<String>,
    last_seq: Option<i64>,
    next_n: Vec<u64>,
}

impl Tally {
    fn error(&mut self, e: String) {
        if self.errors.len() < 5 {
            self.errors.push(e);
        }
    }

    fn record(&mut self, seq: i64, d: Option<Delivery>, now_ns: u64) {
        if let Some(last) = self.last_seq
            && seq != last + 1
        {
            let what = if seq <= last {
                "repeated or out of order"
            } else {
                "after a gap (events lost)"
            };
            self.error(format!("seq {seq} {what}: previous was {last}"));
        }
        self.last_seq = Some(seq);
        let Some(d) = d else { return };
        let s = d.sender as usize;
        if self.next_n.len() <= s {
            self.next_n.resize(s + 1, 0);
        }
        if d.n != self.next_n[s] {
            self.error(format!(
                "sender {s}: message {} arrived when {} was due",
                d.n, self.next_n[s]
            ));
        }
        self.next_n[s] = d.n + 1;
        self.deliveries += 1;
        self.latencies.push_nanos(now_ns.saturating_sub(d.sent_ns));
    }

    /// Takes the latencies gathered so far.
    pub fn take_latencies(&mut self) -> Samples {
        std::mem::take(&mut self.latencies)
    }
}

/// Counters every receiver of a scenario shares.
#[derive(Debug, Default)]
pub struct Shared {
    /// Bench messages delivered, over all receivers.
    pub delivered: AtomicU64,
    /// Woken on every delivery (a single waiter: the latency scenario).
    pub notify: Notify,
}

pub struct Receiver {
    pub tally: Arc<Mutex<Tally>>,
    pub task: tokio::task::JoinHandle<()>,
}

/// Reads `ws` until `stop` turns true or the socket ends.
pub fn spawn_receiver(
    mut ws: Socket,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> Receiver {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let t = tally.clone();
    let task = tokio::spawn(async move {
        loop {
            let msg = tokio::select! {
                m = ws.next() => m,
                _ = stop.wait_for(|s| *s) => break,
            };
            match msg {
                Some(Ok(Message::Text(text))) => {
                    let Some((seq, d)) = parse_event(text.as_str()) else {
                        continue;
                    };
                    let now = api::now_ns();
                    let ours = d.is_some();
                    if let Ok(mut t) = t.lock() {
                        t.record(seq, d, now);
                    }
                    if ours {
                        shared.delivered.fetch_add(1, Ordering::Relaxed);
                        shared.notify.notify_one();
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    if let Ok(mut t) = t.lock() {
                        t.closed = Some(match frame {
                            Some(f) => format!("closed by the server: {} {}", f.code, f.reason),
                            None => "closed by the server".into(),
                        });
                    }
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    if let Ok(mut t) = t.lock() {
                        t.closed = Some(format!("socket error: {e}"));
                    }
                    break;
                }
                None => {
                    if let Ok(mut t) = t.lock() {
                        t.closed = Some("socket ended".into());
                    }
                    break;
                }
            }
        }
        let _ = ws.close(None).await;
    });
    Receiver { tally, task }
}

/// Waits until `shared.delivered` reaches `want` or `within` passes;
/// answers the count reached.
pub async fn wait_delivered(shared: &Shared, want: u64, within: Duration) -> u64 {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let got = shared.delivered.load(Ordering::Relaxed);
        if got >= want {
            return got;
        }
        if tokio::time::timeout_at(deadline, tokio::time::sleep(Duration::from_millis(5)))
            .await
            .is_err()
        {
            return shared.delivered.load(Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: &str = r#"{"type":"event","event":{"id":"0190","room_id":"r","seq":42,"sender_id":"s","type":"message","content":{"kind":"text","body":"x \"txn_id\":\"b9999\""},"txn_id":"b0003.000000007.000000000001000","created_at":"2026-01-01T00:00:00Z"}}"#;

    #[test]
    fn reads_seq_and_txn() {
        let (seq, d) = parse_event(FRAME).expect("an event");
        assert_eq!(seq, 42);
        assert_eq!(
            d,
            Some(Delivery {
                seq: 42,
                sender: 3,
                n: 7,
                sent_ns: 1000
            })
        );
    }

    #[test]
    fn other_frames_are_not_events() {
        assert!(parse_event(r#"{"type":"presence","user_id":"u","status":"online"}"#).is_none());
    }

    #[test]
    fn tally_flags_gaps_repeats_and_order() {
        let mut t = Tally::default();
        let d = |seq, n| {
            Some(Delivery {
                seq,
                sender: 0,
                n,
                sent_ns: 0,
            })
        };
        t.record(10, d(10, 0), 5);
        t.record(11, d(11, 1), 5);
        assert!(t.errors.is_empty());
        t.record(11, d(11, 1), 5);
        t.record(13, d(13, 3), 5);
        assert_eq!(t.errors.len(), 4, "{:?}", t.errors);
    }
}
