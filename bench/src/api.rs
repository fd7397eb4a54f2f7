//! Setting the stage over the real v1 API: users, a workspace, rooms and
//! their members; and the pre-built send request the generator fires.
//!
//! Registration goes through `POST /api/v1/auth/register` with the server's
//! own password cost, like any client. The server counts auth requests per
//! source IP; the generator spreads them over source addresses in
//! 127.0.0.0/8 (all of it is this machine) so that a few hundred users can
//! be made in seconds without switching the limit off.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tern_protocol::auth::TokenPair;
use tokio::sync::Semaphore;

use crate::http::{self, Conn};

/// Registrations per source address: under the server's 60 a minute.
const PER_SOURCE_IP: u32 = 50;

/// Every timestamp in a txn id counts from here.
static EPOCH: OnceLock<Instant> = OnceLock::new();

pub fn now_ns() -> u64 {
    u64::try_from(EPOCH.get_or_init(Instant::now).elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Every bench user's password.
pub const PASSWORD: &str = "bench-password-1";

static REGISTERED: AtomicU32 = AtomicU32::new(0);

/// The next source address for a registration: 127.a.b.c, a and b fixed
/// per run (so two runs against one `--server` do not share a budget).
fn source_ip() -> IpAddr {
    static BASE: OnceLock<(u8, u8)> = OnceLock::new();
    let (a, b) = *BASE.get_or_init(|| {
        let seed = std::process::id() ^ (now_ns() as u32);
        (1 + (seed % 250) as u8, ((seed >> 8) % 256) as u8)
    });
    let slot = REGISTERED.fetch_add(1, Ordering::Relaxed) / PER_SOURCE_IP;
    let c = 2 + (slot % 250) as u8;
    let b = b.wrapping_add((slot / 250) as u8);
    IpAddr::V4(Ipv4Addr::new(127, a, b, c))
}

#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    pub user_id: String,
    pub token: String,
}

pub type Res<T> = Result<T, String>;

/// One JSON request on a fresh connection from `local`.
async fn call(
    addr: SocketAddr,
    local: Option<IpAddr>,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Res<(u16, Value)> {
    let mut conn = Conn::connect(addr, local)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let body = body.map(|b| b.to_string());
    let req = http::request(
        method,
        path,
        &addr,
        token,
        body.as_deref().map(str::as_bytes),
    );
    let r = conn
        .roundtrip(&req)
        .await
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let v = if r.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(r.body).unwrap_or(Value::Null)
    };
    Ok((r.status, v))
}

fn expect(what: &str, got: (u16, Value), want: u16) -> Res<Value> {
    if got.0 == want {
        Ok(got.1)
    } else {
        Err(format!("{what}: answered {} {}", got.0, got.1))
    }
}

fn id_of(v: &Value, what: &str) -> Res<String> {
    v["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{what}: no id in {v}"))
}

pub async fn register(addr: SocketAddr, name: &str) -> Res<User> {
    let body = json!({
        "username": name,
        "email": format!("{name}@bench.test"),
        "password": PASSWORD,
    });
    let v = expect(
        &format!("register {name}"),
        call(
            addr,
            Some(source_ip()),
            "POST",
            "/api/v1/auth/register",
            None,
            Some(&body),
        )
        .await?,
        201,
    )?;
    let pair: TokenPair =
        serde_json::from_value(v).map_err(|e| format!("register {name}: token pair: {e}"))?;
    Ok(User {
        name: name.to_owned(),
        user_id: pair.user_id.to_string(),
        token: pair.access_token,
    })
}

/// A workspace owned by `owner`, a public room in it, and `n` more users
/// who joined the room. Users are made `parallel` at a time (argon2 runs
/// on the server's blocking threads).
pub struct Team {
    pub owner: User,
    pub members: Vec<User>,
    pub rooms: Vec<String>,
}

static TEAMS: AtomicU32 = AtomicU32::new(0);

pub async fn team(addr: SocketAddr, n: usize, rooms: usize) -> Res<Team> {
    let t = TEAMS.fetch_add(1, Ordering::Relaxed);
    let tag = format!("{:x}{t}", (now_ns() / 1000) % 0xfffff);
    let owner = register(addr, &format!("o{tag}")).await?;
    let ws = expect(
        "create workspace",
        call(
            addr,
            None,
            "POST",
            "/api/v1/workspaces",
            Some(&owner.token),
            Some(&json!({"slug": format!("w{tag}"), "name": "bench"})),
        )
        .await?,
        201,
    )?;
    let workspace = id_of(&ws, "create workspace")?;
    let mut room_ids = Vec::with_capacity(rooms);
    for i in 0..rooms.max(1) {
        let r = expect(
            "create room",
            call(
                addr,
                None,
                "POST",
                &format!("/api/v1/workspaces/{workspace}/rooms"),
                Some(&owner.token),
                Some(
                    &json!({"kind": "group", "name": format!("bench {i}"), "visibility": "public"}),
                ),
            )
            .await?,
            201,
        )?;
        room_ids.push(id_of(&r, "create room")?);
    }
    let gate = Arc::new(Semaphore::new(4));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let gate = gate.clone();
        let name = format!("u{tag}x{i}");
        let (owner_token, workspace, room_ids) =
            (owner.token.clone(), workspace.clone(), room_ids.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
            let user = register(addr, &name).await?;
            expect(
                "add workspace member",
                call(
                    addr,
                    None,
                    "PUT",
                    &format!("/api/v1/workspaces/{workspace}/members/{}", user.user_id),
                    Some(&owner_token),
                    Some(&json!({"role": "member"})),
                )
                .await?,
                204,
            )?;
            for room in &room_ids {
                expect(
                    "join room",
                    call(
                        addr,
                        None,
                        "POST",
                        &format!("/api/v1/rooms/{room}/join"),
                        Some(&user.token),
                        None,
                    )
                    .await?,
                    200,
                )?;
            }
            Ok::<User, String>(user)
        }));
    }
    let mut members = Vec::with_capacity(n);
    for t in tasks {
        members.push(t.await.map_err(|e| format!("setup task: {e}"))??);
    }
    Ok(Team {
        owner,
        members,
        rooms: room_ids,
    })
}

/// The room's log after `after`, every page (for the correctness checks).
pub async fn events_after(
    addr: SocketAddr,
    token: &str,
    room: &str,
    after: i64,
) -> Res<Vec<Value>> {
    let mut out = Vec::new();
    let mut cursor = after;
    for _ in 0..10_000 {
        let v = expect(
            "list events",
            call(
                addr,
                None,
                "GET",
                &format!("/api/v1/rooms/{room}/events?after={cursor}&limit=1000"),
                Some(token),
                None,
            )
            .await?,
            200,
        )?;
        let page = v["events"].as_array().cloned().unwrap_or_default();
        let more = v["has_more"].as_bool().unwrap_or(false);
        if let Some(last) = page.last().and_then(|e| e["seq"].as_i64()) {
            cursor = last;
        }
        let empty = page.is_empty();
        out.extend(page);
        if !more || empty {
            break;
        }
    }
    Ok(out)
}

pub async fn room_last_seq(addr: SocketAddr, token: &str, room: &str) -> Res<i64> {
    let v = expect(
        "get room",
        call(
            addr,
            None,
            "GET",
            &format!("/api/v1/rooms/{room}"),
            Some(token),
            None,
        )
        .await?,
        200,
    )?;
    v["last_seq"]
        .as_i64()
        .ok_or_else(|| format!("get room: no last_seq in {v}"))
}

/// The send request of one sender, built once. Each send writes a fresh
/// txn id into the path in place: `b<sender>.<count>.<sent at, ns>`, fixed
/// width, so receivers learn who sent it, which of theirs it was and when
/// it left, from the event itself.
pub struct Sender {
    conn: Conn,
    req: Vec<u8>,
    txn_at: usize,
    pub index: u32,
    pub sent: u64,
}

/// `b` + 4 + `.` + 9 + `.` + 15.
const TXN_LEN: usize = 31;

fn write_digits(out: &mut [u8], mut v: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

pub const BODY: &str = "tern bench: the quick brown fox jumps over the lazy dog. 0123456789";

impl Sender {
    pub async fn new(addr: SocketAddr, user: &User, room: &str, index: u32) -> Res<Self> {
        let conn = Conn::connect(addr, None)
            .await
            .map_err(|e| format!("sender connect: {e}"))?;
        let placeholder = "0".repeat(TXN_LEN);
        let path = format!("/api/v1/rooms/{room}/messages/{placeholder}");
        let body = json!({ "body": BODY }).to_string();
        let req = http::request(
            "PUT",
            &path,
            &addr,
            Some(&user.token),
            Some(body.as_bytes()),
        );
        let prefix = format!("PUT /api/v1/rooms/{room}/messages/");
        Ok(Self {
            conn,
            req,
            txn_at: prefix.len(),
            index,
            sent: 0,
        })
    }

    /// Sends the next message; the status and the time to the answer.
    pub async fn send(&mut self) -> Res<(u16, Duration)> {
        let t = &mut self.req[self.txn_at..self.txn_at + TXN_LEN];
        t[0] = b'b';
        write_digits(&mut t[1..5], u64::from(self.index));
        t[5] = b'.';
        write_digits(&mut t[6..15], self.sent);
        t[15] = b'.';
        let start = Instant::now();
        write_digits(&mut t[16..31], now_ns());
        self.sent += 1;
        let r = self
            .conn
            .roundtrip(&self.req)
            .await
            .map_err(|e| format!("send: {e}"))?;
        Ok((r.status, start.elapsed()))
    }
}

/// Sender, count and send time from a bench txn id.
pub fn parse_txn(txn: &str) -> Option<(u32, u64, u64)> {
    let b = txn.as_bytes();
    if b.len() != TXN_LEN || b[0] != b'b' || b[5] != b'.' || b[15] != b'.' {
        return None;
    }
    Some((
        txn.get(1..5)?.parse().ok()?,
        txn.get(6..15)?.parse().ok()?,
        txn.get(16..31)?.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txn_round_trip() {
        let mut buf = [0u8; TXN_LEN];
        buf[0] = b'b';
        write_digits(&mut buf[1..5], 7);
        buf[5] = b'.';
        write_digits(&mut buf[6..15], 123_456);
        buf[15] = b'.';
        write_digits(&mut buf[16..31], 987_654_321_012);
        let s = std::str::from_utf8(&buf).expect("ascii");
        assert_eq!(s, "b0007.000123456.000987654321012");
        assert_eq!(parse_txn(s), Some((7, 123_456, 987_654_321_012)));
    }

    #[test]
    fn foreign_txn_is_ignored() {
        assert_eq!(parse_txn("0190f1e2-aaaa-7bbb-8ccc-123456789abc"), None);
    }
}
