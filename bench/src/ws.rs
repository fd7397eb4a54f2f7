//! Receivers: WebSockets on `/api/v1/ws` that time and check every event.
//!
//! All of a scenario's receiving sockets are read by one thread of their
//! own ([`Hub`]), on one epoll set, with the frame layer written out here:
//! a thousand sockets cost the generator one system call per ready socket
//! and no task wake-ups, so the figures are the server's and not the
//! generator's. (Read through a WebSocket library, one task per socket,
//! the generator took 0.7 of the 2 cores in `fanout` at R = 1,000.)
//!
//! A receiver picks the room event's `seq` and `txn_id` out of each text
//! frame without building a JSON tree (the frame layout is the server's
//! `{"type":"event","event":{...}}`), and records: the delivery latency
//! (now minus the send time carried in the txn id), and any break of the
//! delivery contract: an event lost (a gap in the room's seqs), repeated or
//! out of order, or a sender's messages out of their order. Pings are
//! answered with pongs as they are read.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mio::{Events, Interest, Poll, Token};
use tokio::sync::Notify;

use crate::api::{self, Res};
use crate::stats::Samples;

/// Frames the server may send at once (a sync-sized burst) fit easily;
/// a larger frame is read in pieces into the socket's own buffer.
const SCRATCH: usize = 64 * 1024;

/// An open, upgraded socket that has had its `ready` frame, with any bytes
/// that arrived after it.
pub struct Socket {
    stream: TcpStream,
    pending: Vec<u8>,
}

/// Opens a socket with a bearer token and waits for the `ready` frame.
pub async fn connect(addr: SocketAddr, token: &str) -> Res<Socket> {
    let token = token.to_owned();
    tokio::task::spawn_blocking(move || open(addr, &token))
        .await
        .map_err(|e| format!("ws connect task: {e}"))?
}

fn open(addr: SocketAddr, token: &str) -> Res<Socket> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .map_err(|e| format!("ws connect: {e}"))?;
    stream
        .set_nodelay(true)
        .and_then(|()| stream.set_read_timeout(Some(Duration::from_secs(10))))
        .map_err(|e| format!("ws connect: {e}"))?;
    let request = format!(
        "GET /api/v1/ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Authorization: Bearer {token}\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("ws upgrade: {e}"))?;
    let mut buf = Vec::with_capacity(1024);
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        read_more(&mut stream, &mut buf).map_err(|e| format!("ws upgrade: {e}"))?;
    };
    let head = String::from_utf8_lossy(&buf[..head_end]);
    if !head.starts_with("HTTP/1.1 101") {
        let line = head.lines().next().unwrap_or_default();
        return Err(format!("ws upgrade refused: {line}"));
    }
    buf.drain(..head_end);
    let (frame, used) = loop {
        match next_frame(&buf).map_err(|e| format!("ws: {e}"))? {
            Some((f, used)) => break (f, used),
            None => read_more(&mut stream, &mut buf).map_err(|e| format!("ws ready: {e}"))?,
        }
    };
    match frame {
        Frame {
            op: Op::Text,
            payload,
        } if buf[payload.clone()].starts_with(br#"{"type":"ready""#) => {}
        f => {
            let text = String::from_utf8_lossy(&buf[f.payload]);
            return Err(format!("expected a ready frame, got {:?} {text}", f.op));
        }
    }
    buf.drain(..used);
    stream
        .set_nonblocking(true)
        .map_err(|e| format!("ws: {e}"))?;
    Ok(Socket {
        stream,
        pending: buf,
    })
}

fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk)?;
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Text,
    Binary,
    Close,
    Ping,
    Pong,
}

#[derive(Debug, PartialEq, Eq)]
struct Frame {
    op: Op,
    /// Where the payload lies in the buffer.
    payload: std::ops::Range<usize>,
}

/// The first whole frame in `buf` and the bytes it takes, `None` when more
/// must be read. A frame from the server is never masked; this client never
/// offers an extension, so no reserved bit may be set, and the server does
/// not split messages into fragments: any of these is an error.
fn next_frame(buf: &[u8]) -> Result<Option<(Frame, usize)>, String> {
    let [b0, b1, ..] = *buf else { return Ok(None) };
    if b0 & 0x70 != 0 || b1 & 0x80 != 0 {
        return Err(format!("unexpected frame header {b0:#04x} {b1:#04x}"));
    }
    let op = match b0 & 0x0f {
        0x1 => Op::Text,
        0x2 => Op::Binary,
        0x8 => Op::Close,
        0x9 => Op::Ping,
        0xa => Op::Pong,
        other => {
            return Err(format!(
                "unexpected opcode {other:#x} (fragments are not used)"
            ));
        }
    };
    if b0 & 0x80 == 0 {
        return Err("a fragmented message (the server sends whole ones)".into());
    }
    let (len, at) = match b1 & 0x7f {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(b) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                (u64::from_be_bytes(a), 10)
            }
            None => return Ok(None),
        },
        n => (u64::from(n), 2),
    };
    let len = usize::try_from(len).map_err(|_| "frame too large".to_owned())?;
    let end = at + len;
    if buf.len() < end {
        return Ok(None);
    }
    Ok(Some((
        Frame {
            op,
            payload: at..end,
        },
        end,
    )))
}

/// A client frame: masked, as the protocol requires (with a zero key, which
/// leaves the payload as it is). Only small control frames are sent.
fn client_frame(op: u8, payload: &[u8]) -> Vec<u8> {
    let len = payload.len().min(125);
    let mut out = Vec::with_capacity(6 + len);
    out.extend_from_slice(&[0x80 | op, 0x80 | len as u8, 0, 0, 0, 0]);
    out.extend_from_slice(&payload[..len]);
    out
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

/// The receiving sockets of a scenario, read by one thread until
/// [`Hub::stop`]. Each socket's [`Tally`] is shared with the scenario.
pub struct Hub {
    pub tallies: Vec<Arc<Mutex<Tally>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Conn {
    stream: mio::net::TcpStream,
    /// The start of a frame whose end has not arrived yet.
    partial: Vec<u8>,
    tally: Arc<Mutex<Tally>>,
    done: bool,
}

impl Hub {
    /// Starts reading `sockets` (each one's bytes already read are parsed
    /// first).
    pub fn start(sockets: Vec<Socket>, shared: Arc<Shared>) -> Res<Self> {
        let poll = Poll::new().map_err(|e| format!("epoll: {e}"))?;
        let mut conns = Vec::with_capacity(sockets.len());
        for (i, s) in sockets.into_iter().enumerate() {
            let mut stream = mio::net::TcpStream::from_std(s.stream);
            poll.registry()
                .register(&mut stream, Token(i), Interest::READABLE)
                .map_err(|e| format!("epoll: {e}"))?;
            conns.push(Conn {
                stream,
                partial: s.pending,
                tally: Arc::new(Mutex::new(Tally::default())),
                done: false,
            });
        }
        let tallies = conns.iter().map(|c| c.tally.clone()).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("bench-receivers".into())
            .spawn(move || run_hub(poll, conns, &shared, &flag))
            .map_err(|e| format!("receiver thread: {e}"))?;
        Ok(Self {
            tallies,
            stop,
            thread: Some(thread),
        })
    }

    /// Closes every socket (a close frame, then the connection) and waits
    /// for the thread.
    pub async fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
    }
}

fn run_hub(mut poll: Poll, mut conns: Vec<Conn>, shared: &Shared, stop: &AtomicBool) {
    let mut events = Events::with_capacity(1024);
    let mut scratch = vec![0u8; SCRATCH];
    // Bytes read with the upgrade come first.
    for c in &mut conns {
        let mut buf = std::mem::take(&mut c.partial);
        let len = buf.len();
        consume(c, &mut buf, len, shared);
    }
    while !stop.load(Ordering::Relaxed) {
        if let Err(e) = poll.poll(&mut events, Some(Duration::from_millis(20))) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            for c in &conns {
                if let Ok(mut t) = c.tally.lock() {
                    t.closed.get_or_insert_with(|| format!("epoll failed: {e}"));
                }
            }
            return;
        }
        for ev in &events {
            let Some(c) = conns.get_mut(ev.token().0) else {
                continue;
            };
            drain(c, &mut scratch, shared);
        }
    }
    let close = client_frame(0x8, &1000u16.to_be_bytes());
    for c in &mut conns {
        if !c.done {
            let _ = c.stream.write(&close);
        }
        let _ = poll.registry().deregister(&mut c.stream);
    }
}

/// Reads a ready socket until it is drained and handles every whole frame.
/// The poll is edge-triggered: a read that fills less than the buffer has
/// emptied the socket, and bytes arriving after it raise a new edge, so it
/// needs no further read to see `WouldBlock` (one system call per ready
/// socket instead of two).
fn drain(c: &mut Conn, scratch: &mut [u8], shared: &Shared) {
    while !c.done {
        let asked;
        let got = if c.partial.is_empty() {
            asked = scratch.len();
            c.stream.read(scratch)
        } else {
            // A partial frame's bytes go first, the rest is read after them.
            let at = c.partial.len();
            c.partial.resize(at + SCRATCH, 0);
            asked = SCRATCH;
            let r = c.stream.read(&mut c.partial[at..]);
            c.partial.truncate(at + *r.as_ref().unwrap_or(&0));
            r
        };
        let n = match got {
            Ok(0) => return end(c, "socket ended".into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return end(c, format!("socket error: {e}")),
        };
        if c.partial.is_empty() {
            let used = parse_frames(c, &scratch[..n], shared);
            if used < n {
                c.partial.extend_from_slice(&scratch[used..n]);
            }
        } else {
            let mut buf = std::mem::take(&mut c.partial);
            let len = buf.len();
            consume(c, &mut buf, len, shared);
        }
        if n < asked {
            return;
        }
    }
}

/// Handles the whole frames in `buf[..len]` and keeps the rest as the
/// socket's partial frame.
fn consume(c: &mut Conn, buf: &mut Vec<u8>, len: usize, shared: &Shared) {
    let used = parse_frames(c, &buf[..len], shared);
    buf.drain(..used);
    c.partial = std::mem::take(buf);
}

fn end(c: &mut Conn, why: String) {
    c.done = true;
    if let Ok(mut t) = c.tally.lock() {
        t.closed.get_or_insert(why);
    }
}

/// Handles every whole frame at the start of `bytes`; answers the bytes
/// used.
fn parse_frames(c: &mut Conn, bytes: &[u8], shared: &Shared) -> usize {
    let mut at = 0;
    let Ok(mut tally) = c.tally.lock() else {
        c.done = true;
        return bytes.len();
    };
    let mut ours = 0u64;
    while !c.done {
        let (frame, used) = match next_frame(&bytes[at..]) {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                c.done = true;
                tally
                    .closed
                    .get_or_insert(format!("bad frame from the server: {e}"));
                break;
            }
        };
        let payload = &bytes[at + frame.payload.start..at + frame.payload.end];
        at += used;
        match frame.op {
            Op::Text => {
                let Ok(text) = std::str::from_utf8(payload) else {
                    tally.error("a text frame that is not UTF-8".into());
                    continue;
                };
                if let Some((seq, d)) = parse_event(text) {
                    let now = api::now_ns();
                    if d.is_some() {
                        ours += 1;
                    }
                    tally.record(seq, d, now);
                }
            }
            Op::Ping => {
                if let Err(e) = c.stream.write_all(&client_frame(0xa, payload)) {
                    tally.error(format!("could not answer a ping: {e}"));
                }
            }
            Op::Close => {
                c.done = true;
                let code = payload
                    .get(..2)
                    .map(|b| u16::from_be_bytes([b[0], b[1]]).to_string())
                    .unwrap_or_default();
                let reason = String::from_utf8_lossy(payload.get(2..).unwrap_or_default());
                tally
                    .closed
                    .get_or_insert(format!("closed by the server: {code} {reason}"));
                let _ = c
                    .stream
                    .write_all(&client_frame(0x8, payload.get(..2).unwrap_or_default()));
            }
            Op::Binary | Op::Pong => {}
        }
    }
    drop(tally);
    if ours > 0 {
        shared.delivered.fetch_add(ours, Ordering::Relaxed);
        shared.notify.notify_one();
    }
    if c.done { bytes.len() } else { at }
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
    fn frames_are_read_whole_with_every_length_form_and_wrong_ones_refused() {
        let text = |payload: &[u8]| {
            let mut f = vec![0x81];
            match payload.len() {
                n if n < 126 => f.push(n as u8),
                n if n <= 0xffff => {
                    f.push(126);
                    f.extend_from_slice(&(n as u16).to_be_bytes());
                }
                n => {
                    f.push(127);
                    f.extend_from_slice(&(n as u64).to_be_bytes());
                }
            }
            f.extend_from_slice(payload);
            f
        };
        for len in [0, 125, 126, 300, 70_000] {
            let body = vec![b'a'; len];
            let mut buf = text(&body);
            let whole = buf.len();
            buf.extend_from_slice(&[0x89, 0]);
            let (f, used) = next_frame(&buf).unwrap().expect("a whole frame");
            assert_eq!((f.op, used, f.payload.len()), (Op::Text, whole, len));
            // Cut anywhere inside, it waits for more.
            for cut in [1, whole / 2, whole - 1] {
                if cut > 0 {
                    assert_eq!(
                        next_frame(&buf[..cut]).unwrap(),
                        None,
                        "len {len} cut {cut}"
                    );
                }
            }
            let (ping, n) = next_frame(&buf[used..]).unwrap().unwrap();
            assert_eq!((ping.op, n), (Op::Ping, 2));
        }
        assert!(next_frame(&[0x81, 0x85, 0, 0, 0, 0, 1]).is_err(), "masked");
        assert!(next_frame(&[0x01, 1, b'a']).is_err(), "fragment");
        assert!(next_frame(&[0xc1, 1, b'a']).is_err(), "compressed");
        assert_eq!(
            client_frame(0xa, b"hi"),
            [0x8a, 0x82, 0, 0, 0, 0, b'h', b'i'],
            "a pong, masked with a zero key"
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
