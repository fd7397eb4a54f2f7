//! Sync and live push: two users chatting, membership news, typing,
//! receipts, presence, reconnect catch-up, the slow consumer, keep-alive.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::SinkExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{Frame, TestServer, Ws, team};

#[tokio::test]
async fn two_users_chat_live() {
    let s = TestServer::start().await;
    let t = team(&s, "live", 1).await;
    let bob = &t.others[0];
    let mut bob_ws = bob.ws(&s).await;
    let mut owner_ws = t.owner.ws(&s).await;
    let sent = t.owner.send(&t.room, "ping from owner").await;
    let got = bob_ws.next_message().await;
    assert_eq!(
        got, sent,
        "the receiver gets exactly the event the sender got"
    );
    let echo = owner_ws.next_message().await;
    assert_eq!(
        echo["id"], sent["id"],
        "the sender's other devices hear it too"
    );
    let reply = bob.send(&t.room, "pong from bob").await;
    assert_eq!(owner_ws.next_message().await, reply);
}

#[tokio::test]
async fn the_socket_authenticates_by_header_or_first_frame() {
    let s = TestServer::start().await;
    let alice = s.user("wsauth").await;
    // First-frame auth.
    let (mut raw, _) = tokio_tungstenite::connect_async(s.ws_url()).await.unwrap();
    raw.send(Message::Text(
        json!({"type": "auth", "token": alice.token})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let mut ws = Ws { stream: raw };
    assert_eq!(ws.next().await.unwrap()["type"], "ready");
    ws.send(json!({"type": "ping", "nonce": 7})).await;
    assert_eq!(ws.next_of("pong").await["nonce"], 7);
    ws.send(json!({"type": "nonsense"})).await;
    assert_eq!(ws.next_of("error").await["code"], "invalid_json");
    // A bad first frame closes with 4001.
    let (raw, _) = tokio_tungstenite::connect_async(s.ws_url()).await.unwrap();
    let mut ws = Ws { stream: raw };
    ws.send(json!({"type": "auth", "token": "garbage"})).await;
    match ws.recv(Duration::from_secs(5)).await {
        Some(Frame::Closed(code)) => assert_eq!(code, Some(4001)),
        _ => panic!("expected a close"),
    }
    // A bad header token is refused before the upgrade.
    let mut req = s.ws_url().into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", "Bearer garbage".parse().unwrap());
    let err = tokio_tungstenite::connect_async(req).await.unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
    // A plain GET is a clear 400.
    let (st, b) = alice.get("/api/v1/ws").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
}

#[tokio::test]
async fn a_user_added_to_a_room_learns_of_it_at_once() {
    let s = TestServer::start().await;
    let t = team(&s, "add", 0).await;
    let carol = s.user("add-carol").await;
    t.owner.add_member(&t.ws, &carol, "member").await;
    let mut ws = carol.ws(&s).await;
    let room = t.owner.room(&t.ws, "new", "private", &[&carol]).await;
    let news = ws.next_of("room").await;
    assert_eq!(news["room_id"], room.as_str());
    assert_eq!(news["change"], "joined");
    let m = t.owner.send(&room, "welcome, carol").await;
    assert_eq!(ws.next_message().await["id"], m["id"]);
    // Invited to another: told at once too.
    let other = t.owner.room(&t.ws, "later", "private", &[]).await;
    t.owner
        .put(
            &format!("/api/v1/rooms/{other}/members/{}", carol.user_id),
            json!({"state": "invited"}),
        )
        .await;
    let news = ws.next_of("room").await;
    assert_eq!(news["change"], "invited");
    assert_eq!(news["room_id"], other.as_str());
    // Kicked: told, and hears nothing more.
    t.owner
        .delete(&format!("/api/v1/rooms/{room}/members/{}", carol.user_id))
        .await;
    assert_eq!(ws.next_of("room").await["change"], "left");
    t.owner.send(&room, "carol cannot hear this").await;
    let quiet = t.owner.send(&other, "nor this, while only invited").await;
    while let Some(Frame::Json(f)) = ws.recv(Duration::from_millis(500)).await {
        assert_ne!(f["type"], "event", "no events after leaving: {f} ({quiet})");
    }
}

#[tokio::test]
async fn typing_receipts_and_presence() {
    let s = TestServer::start().await;
    let t = team(&s, "typ", 1).await;
    let bob = &t.others[0];
    let mut owner_ws = t.owner.ws(&s).await;
    let mut bob_ws = bob.ws(&s).await;
    let p = owner_ws.next_of("presence").await;
    assert_eq!(
        (p["user_id"].as_str(), p["status"].as_str()),
        (Some(bob.user_id.as_str()), Some("online"))
    );
    bob_ws
        .send(json!({"type": "typing", "room_id": t.room, "typing": true}))
        .await;
    let f = owner_ws.next_of("typing").await;
    assert_eq!(f["user_ids"], json!([bob.user_id]));
    bob_ws
        .send(json!({"type": "typing", "room_id": t.room, "typing": false}))
        .await;
    assert_eq!(owner_ws.next_of("typing").await["user_ids"], json!([]));
    let m = t.owner.send(&t.room, "read me").await;
    bob.post(
        &format!("/api/v1/rooms/{}/read", t.room),
        json!({"seq": m["seq"]}),
    )
    .await;
    let r = owner_ws.next_of("receipt").await;
    assert_eq!(r["user_id"], bob.user_id.as_str());
    assert_eq!(r["seq"], m["seq"]);
    drop(bob_ws);
    let p = owner_ws.next_of("presence").await;
    assert_eq!(p["status"], "offline");
}

#[tokio::test]
async fn typing_expires_by_itself() {
    let s = TestServer::start().await;
    let t = team(&s, "typx", 1).await;
    let mut owner_ws = t.owner.ws(&s).await;
    let mut bob_ws = t.others[0].ws(&s).await;
    bob_ws
        .send(json!({"type": "typing", "room_id": t.room, "typing": true}))
        .await;
    assert_eq!(
        owner_ws.next_of("typing").await["user_ids"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let start = std::time::Instant::now();
    let mut cleared = false;
    while start.elapsed() < Duration::from_secs(10) {
        if let Some(Frame::Json(f)) = owner_ws.recv(Duration::from_secs(10)).await
            && f["type"] == "typing"
        {
            assert_eq!(f["user_ids"], json!([]));
            cleared = true;
            break;
        }
    }
    assert!(cleared, "a typing notice that is not renewed ends");
    assert!(start.elapsed() >= Duration::from_secs(4));
}

fn seqs(events: &[Value]) -> Vec<i64> {
    events.iter().map(|e| e["seq"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn reconnect_catches_up_through_sync_with_nothing_lost_or_doubled() {
    let s = TestServer::start().await;
    let t = team(&s, "cu", 1).await;
    let bob = &t.others[0];
    let (_, first) = bob.post("/api/v1/sync", json!({})).await;
    let held = first["rooms"][&t.room]["room"]["last_seq"]
        .as_i64()
        .unwrap();
    assert!(
        first["rooms"][&t.room]["members"].is_array(),
        "a new room comes with members"
    );
    // Socket first, then sync, then the frames buffered meanwhile.
    let mut ws = bob.ws(&s).await;
    for i in 0..20 {
        t.owner.send(&t.room, &format!("while away {i}")).await;
    }
    let (_, sync) = bob
        .post("/api/v1/sync", json!({"rooms": {&t.room: held}}))
        .await;
    let rs = &sync["rooms"][&t.room];
    assert_eq!(rs["limited"], false);
    assert!(rs.get("members").is_none(), "members unchanged: not resent");
    let mut have: Vec<i64> = seqs(rs["events"].as_array().unwrap());
    assert_eq!(have, ((held + 1)..=(held + 20)).collect::<Vec<_>>());
    let last = *have.last().unwrap();
    let mut seen: HashSet<i64> = have.iter().copied().collect();
    for _ in 0..20 {
        let e = ws.next_event().await;
        let seq = e["seq"].as_i64().unwrap();
        if seq > last {
            panic!("no events beyond the sync were sent");
        }
        seen.insert(seq); // duplicates dropped by seq, as a client does
    }
    assert_eq!(seen.len(), 20);
    // A later message arrives live only.
    let live = t.owner.send(&t.room, "live").await;
    assert_eq!(ws.next_message().await["seq"], live["seq"]);
    have.push(live["seq"].as_i64().unwrap());
    // Limited: more missing than the limit gives the newest, then backfill.
    let (_, sync) = bob
        .post(
            "/api/v1/sync",
            json!({"rooms": {&t.room: held}, "timeline_limit": 5}),
        )
        .await;
    let rs = &sync["rooms"][&t.room];
    assert_eq!(rs["limited"], true);
    let newest = seqs(rs["events"].as_array().unwrap());
    assert_eq!(newest, have[have.len() - 5..].to_vec());
    let back = bob
        .events(&t.room, &format!("?before={}&limit=100", newest[0]))
        .await;
    let mut all = seqs(&back);
    all.extend(newest);
    assert_eq!(all, (1..=*have.last().unwrap()).collect::<Vec<_>>());
    // Rooms left come back in `left`.
    bob.post(&format!("/api/v1/rooms/{}/leave", t.room), json!({}))
        .await;
    let (_, sync) = bob
        .post("/api/v1/sync", json!({"rooms": {&t.room: last}}))
        .await;
    assert_eq!(sync["left"], json!([t.room]));
    assert!(sync["rooms"].get(&t.room).is_none());
}

/// A socket whose owner reads nothing, with a tiny receive buffer.
async fn stalled_socket(s: &TestServer, token: &str) -> Ws {
    let addr: std::net::SocketAddr = s.base.trim_start_matches("http://").parse().unwrap();
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    let tcp = sock.connect(addr).await.unwrap();
    let mut req = s.ws_url().into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (stream, _) =
        tokio_tungstenite::client_async(req, tokio_tungstenite::MaybeTlsStream::Plain(tcp))
            .await
            .unwrap();
    Ws { stream }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_consumer_is_cut_off_without_slowing_others() {
    let s = TestServer::start_with(|c| c.ws_queue = 64).await;
    let t = team(&s, "slow", 2).await;
    let (fast, slow) = (&t.others[0], &t.others[1]);
    let mut fast_ws = fast.ws(&s).await;
    let mut slow_ws = stalled_socket(&s, slow.token.as_deref().unwrap()).await;
    let big = "x".repeat(15_000);
    let n = 600;
    let mut sends = Vec::new();
    for w in 0..6 {
        let owner = t.owner.clone();
        let (room, big) = (t.room.clone(), big.clone());
        sends.push(tokio::spawn(async move {
            for i in 0..n / 6 {
                owner.send(&room, &format!("{w}-{i} {big}")).await;
            }
        }));
    }
    let start = std::time::Instant::now();
    let mut got = HashSet::new();
    while got.len() < n {
        let e = fast_ws.next_event().await;
        if e["type"] == "message" {
            got.insert(e["seq"].as_i64().unwrap());
        }
    }
    for h in sends {
        h.await.unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "the fast reader kept up"
    );
    // The slow one, when it finally reads, finds a resync close.
    let mut closed = None;
    let mut read = 0;
    while let Some(f) = slow_ws.recv(Duration::from_secs(5)).await {
        match f {
            Frame::Json(_) => read += 1,
            Frame::Closed(code) => {
                closed = code;
                break;
            }
        }
    }
    assert_eq!(
        closed,
        Some(4000),
        "cut off with the resync code after {read} frames"
    );
    assert!(read < n, "it did not get everything live");
    let (_, metrics) = s.anon().get("/metrics").await;
    let text = metrics.as_str().unwrap();
    let drops: u64 = text
        .lines()
        .find(|l| l.starts_with("tern_fanout_queue_drops_total "))
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(drops >= 1);
    // It loses nothing: its next sync, then a backfill, has every message.
    let (_, sync) = slow
        .post("/api/v1/sync", json!({"timeline_limit": 500}))
        .await;
    let newest = sync["rooms"][&t.room]["events"].as_array().unwrap().clone();
    assert_eq!(sync["rooms"][&t.room]["limited"], true);
    let first = newest[0]["seq"].as_i64().unwrap();
    let mut all = slow
        .events(&t.room, &format!("?before={first}&limit=1000"))
        .await;
    all.extend(newest);
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    let msgs = all.iter().filter(|e| e["type"] == "message").count();
    assert_eq!(msgs, n);
}

#[tokio::test]
async fn dead_connections_are_reaped_and_live_ones_kept() {
    let s = TestServer::start_with(|c| c.ws_ping_interval = Duration::from_millis(300)).await;
    let t = team(&s, "reap", 1).await;
    // This one reads (and so answers pings) all along.
    let mut alive = t.owner.ws(&s).await;
    // This one never reads: no pongs.
    let mut dead = stalled_socket(&s, t.others[0].token.as_deref().unwrap()).await;
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_millis(1500) {
        if let Some(Frame::Closed(c)) = alive.recv(Duration::from_millis(100)).await {
            panic!("a live connection was closed: {c:?}");
        }
    }
    let conns = s.running.as_ref().unwrap().state.fanout.connection_count();
    assert_eq!(conns, 1, "the silent connection was reaped");
    match dead.recv(Duration::from_secs(2)).await {
        Some(Frame::Json(f)) => assert_eq!(f["type"], "ready"),
        other => panic!("expected the ready frame first, got {:?}", other.is_some()),
    }
    let mut code = None;
    while let Some(f) = dead.recv(Duration::from_secs(2)).await {
        if let Frame::Closed(c) = f {
            code = c;
            break;
        }
    }
    assert_eq!(code, Some(4008));
}

#[tokio::test]
async fn a_revoked_session_is_disconnected() {
    let s = TestServer::start().await;
    let alice = s.user("revk").await;
    let mut ws = alice.ws(&s).await;
    alice.post("/api/v1/auth/logout", json!({})).await;
    let mut code = None;
    while let Some(f) = ws.recv(Duration::from_secs(3)).await {
        if let Frame::Closed(c) = f {
            code = c;
            break;
        }
    }
    assert_eq!(code, Some(4003));
}
