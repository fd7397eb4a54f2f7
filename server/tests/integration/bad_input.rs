//! Bad input gets a 4xx naming the problem, never a 500, and changes
//! nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestServer, code, team};

async fn raw(
    s: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut req = reqwest::Client::new()
        .request(method, s.url(path))
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.unwrap();
    let st = resp.status();
    let text = resp.text().await.unwrap();
    (
        st,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

#[tokio::test]
async fn a_table_of_bad_requests() {
    let s = TestServer::start().await;
    let t = team(&s, "bad", 1).await;
    let tok = t.owner.token.clone();
    let tok = tok.as_deref();
    let room = t.room.clone();
    let msg = t.owner.send(&room, "target").await;
    let mid = msg["id"].as_str().unwrap().to_owned();
    let before_events = t.owner.events(&room, "?limit=1000").await.len();
    let (_, users_before) = t.owner.get("/api/v1/users?query=").await;
    let json_ct = Some("application/json");
    use reqwest::Method as M;
    let long = |n: usize| "x".repeat(n);
    type Case<'a> = (
        &'a str,
        M,
        String,
        Option<&'a str>,
        Option<&'a str>,
        Vec<u8>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        ("malformed json", M::POST, "/api/v1/auth/register".into(), None, json_ct, b"{\"username\":".to_vec(), 400, "invalid_json"),
        ("wrong type", M::POST, "/api/v1/auth/register".into(), None, json_ct,
            json!({"username": 5, "email": "a@b.co", "password": "password-123"}).to_string().into_bytes(), 400, "invalid_json"),
        ("missing field", M::POST, "/api/v1/auth/register".into(), None, json_ct,
            json!({"username": "newbie"}).to_string().into_bytes(), 400, "invalid_json"),
        ("unknown field", M::POST, "/api/v1/auth/register".into(), None, json_ct,
            json!({"username": "newbie", "email": "n@b.co", "password": "password-123", "admin": true}).to_string().into_bytes(), 400, "invalid_json"),
        ("no content type", M::POST, "/api/v1/auth/register".into(), None, None,
            json!({"username": "newbie", "email": "n@b.co", "password": "password-123"}).to_string().into_bytes(), 415, "unsupported_media_type"),
        ("bad utf-8", M::POST, "/api/v1/auth/register".into(), None, json_ct,
            b"{\"username\":\"\xff\xfe\",\"email\":\"n@b.co\",\"password\":\"password-123\"}".to_vec(), 400, "invalid_json"),
        ("too large", M::PUT, format!("/api/v1/rooms/{room}/messages/big"), tok, json_ct,
            json!({"body": long(2 * 1024 * 1024)}).to_string().into_bytes(), 413, "payload_too_large"),
        ("short password", M::POST, "/api/v1/auth/register".into(), None, json_ct,
            json!({"username": "newbie", "email": "n@b.co", "password": "short"}).to_string().into_bytes(), 400, "invalid_input"),
        ("bad email", M::POST, "/api/v1/auth/register".into(), None, json_ct,
            json!({"username": "newbie", "email": "not-an-email", "password": "password-123"}).to_string().into_bytes(), 400, "invalid_input"),
        ("long username", M::POST, "/api/v1/auth/register".into(), None, json_ct,
            json!({"username": long(33), "email": "n@b.co", "password": "password-123"}).to_string().into_bytes(), 400, "invalid_input"),
        ("long display name", M::POST, "/api/v1/auth/register".into(), None, json_ct,
            json!({"username": "newbie", "email": "n@b.co", "password": "password-123", "display_name": long(65)}).to_string().into_bytes(), 400, "invalid_input"),
        ("bad id in path", M::GET, "/api/v1/rooms/not-a-uuid".into(), tok, None, vec![], 400, "invalid_parameter"),
        ("unknown room", M::GET, format!("/api/v1/rooms/{}", uuid::Uuid::now_v7()), tok, None, vec![], 404, "not_found"),
        ("no token", M::GET, "/api/v1/users/me".into(), None, None, vec![], 401, "unauthorized"),
        ("garbage token", M::GET, "/api/v1/users/me".into(), Some("abc.def.ghi"), None, vec![], 401, "unauthorized"),
        ("unknown route", M::GET, "/api/v1/nothing-here".into(), tok, None, vec![], 404, "not_found"),
        ("wrong method", M::DELETE, "/api/v1/sync".into(), tok, None, vec![], 405, "method_not_allowed"),
        ("long body", M::PUT, format!("/api/v1/rooms/{room}/messages/b1"), tok, json_ct,
            json!({"body": long(16_001)}).to_string().into_bytes(), 400, "invalid_input"),
        ("empty body", M::PUT, format!("/api/v1/rooms/{room}/messages/b2"), tok, json_ct,
            json!({"body": "   "}).to_string().into_bytes(), 400, "invalid_input"),
        ("NUL in body", M::PUT, format!("/api/v1/rooms/{room}/messages/b3"), tok, json_ct,
            json!({"body": "a\u{0}b"}).to_string().into_bytes(), 400, "invalid_input"),
        ("bad txn id", M::PUT, format!("/api/v1/rooms/{room}/messages/{}", long(65)), tok, json_ct,
            json!({"body": "x"}).to_string().into_bytes(), 400, "invalid_input"),
        ("system kind", M::PUT, format!("/api/v1/rooms/{room}/messages/b4"), tok, json_ct,
            json!({"body": "x", "kind": "system"}).to_string().into_bytes(), 400, "invalid_input"),
        ("unknown attachment", M::PUT, format!("/api/v1/rooms/{room}/messages/b5"), tok, json_ct,
            json!({"body": "x", "attachments": [uuid::Uuid::now_v7()]}).to_string().into_bytes(), 400, "invalid_input"),
        ("bad uuid in body", M::PUT, format!("/api/v1/rooms/{room}/messages/b6"), tok, json_ct,
            json!({"body": "x", "reply_to": "nope"}).to_string().into_bytes(), 400, "invalid_json"),
        ("long room name", M::POST, format!("/api/v1/workspaces/{}/rooms", t.ws), tok, json_ct,
            json!({"kind": "group", "name": long(81), "visibility": "public"}).to_string().into_bytes(), 400, "invalid_input"),
        ("control chars in name", M::POST, format!("/api/v1/workspaces/{}/rooms", t.ws), tok, json_ct,
            json!({"kind": "group", "name": "a\u{7}b", "visibility": "public"}).to_string().into_bytes(), 400, "invalid_input"),
        ("bad visibility", M::POST, format!("/api/v1/workspaces/{}/rooms", t.ws), tok, json_ct,
            json!({"kind": "group", "name": "ok", "visibility": "secretive"}).to_string().into_bytes(), 400, "invalid_json"),
        ("long topic", M::PATCH, format!("/api/v1/rooms/{room}"), tok, json_ct,
            json!({"topic": long(501)}).to_string().into_bytes(), 400, "invalid_input"),
        ("long emoji", M::PUT, format!("/api/v1/rooms/{room}/messages/{mid}/reactions/{}", long(40)), tok, None, vec![], 400, "invalid_input"),
        ("bad slug", M::POST, "/api/v1/workspaces".into(), tok, json_ct,
            json!({"slug": "Not A Slug!", "name": "x"}).to_string().into_bytes(), 400, "invalid_input"),
        ("bad query", M::GET, format!("/api/v1/rooms/{room}/events?limit=abc"), tok, None, vec![], 400, "invalid_parameter"),
        ("negative sync seq", M::POST, "/api/v1/sync".into(), tok, json_ct,
            json!({"rooms": {room.clone(): -5}}).to_string().into_bytes(), 400, "invalid_input"),
        ("bad sync room id", M::POST, "/api/v1/sync".into(), tok, json_ct,
            json!({"rooms": {"zzz": 1}}).to_string().into_bytes(), 400, "invalid_json"),
        ("huge timeline limit", M::POST, "/api/v1/sync".into(), tok, json_ct,
            json!({"timeline_limit": 100_000}).to_string().into_bytes(), 400, "invalid_input"),
        ("json array body", M::POST, "/api/v1/auth/login".into(), None, json_ct, b"[1,2,3]".to_vec(), 400, "invalid_json"),
    ];
    for (name, method, path, token, ct, body, want, want_code) in cases {
        let (st, b) = raw(&s, method, &path, token, ct, body).await;
        assert_eq!(st.as_u16(), want, "{name}: {b}");
        assert_eq!(code(&b), want_code, "{name}: {b}");
        let message = b["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !message.is_empty(),
            "{name}: the message says what is wrong"
        );
    }
    // Nothing changed.
    assert_eq!(
        t.owner.events(&room, "?limit=1000").await.len(),
        before_events
    );
    let (_, users_after) = t.owner.get("/api/v1/users?query=").await;
    assert_eq!(users_before, users_after);
    let (st, _) = s
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"login": "newbie", "password": "password-123"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "no half-made account");
}

/// A simple deterministic generator, so a failure can be replayed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[tokio::test]
async fn random_bodies_never_cause_a_server_error() {
    let s = TestServer::start().await;
    let t = team(&s, "fz", 1).await;
    let tok = t.owner.token.clone();
    let paths = [
        (reqwest::Method::POST, "/api/v1/auth/register".to_owned()),
        (reqwest::Method::POST, "/api/v1/auth/login".to_owned()),
        (reqwest::Method::POST, "/api/v1/auth/refresh".to_owned()),
        (reqwest::Method::POST, "/api/v1/sync".to_owned()),
        (reqwest::Method::POST, "/api/v1/workspaces".to_owned()),
        (reqwest::Method::PATCH, "/api/v1/users/me".to_owned()),
        (
            reqwest::Method::PUT,
            format!("/api/v1/rooms/{}/messages/fz", t.room),
        ),
        (reqwest::Method::PATCH, format!("/api/v1/rooms/{}", t.room)),
        (
            reqwest::Method::POST,
            format!("/api/v1/workspaces/{}/rooms", t.ws),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/rooms/{}/read", t.room),
        ),
    ];
    let fragments: [&[u8]; 12] = [
        b"{",
        b"}",
        b"\"body\"",
        b":",
        b"null",
        b"[",
        b"]",
        b"\"\xff\"",
        b"1e999",
        b"-1",
        b"\"kind\":\"image\"",
        b",",
    ];
    let mut rng = Lcg(0x7e57);
    for i in 0..300 {
        let (m, p) = &paths[i % paths.len()];
        let mut body = Vec::new();
        for _ in 0..rng.next() % 12 {
            if rng.next().is_multiple_of(3) {
                body.push((rng.next() % 256) as u8);
            } else {
                body.extend_from_slice(fragments[(rng.next() % 12) as usize]);
            }
        }
        let (st, b) = raw(
            &s,
            m.clone(),
            p,
            tok.as_deref(),
            Some("application/json"),
            body.clone(),
        )
        .await;
        assert!(
            st.is_success() || st.is_client_error(),
            "{m} {p} with {:?} -> {st}: {b}",
            String::from_utf8_lossy(&body)
        );
    }
}
