//! Register, login, refresh rotation and replay, logout, sessions, limits.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestServer, code};

#[tokio::test]
async fn register_login_by_username_or_email() {
    let s = TestServer::start().await;
    let alice = s.user("alice").await;
    let anon = s.anon();
    for login in ["alice", "ALICE", "alice@example.test", "Alice@Example.Test"] {
        let (st, b) = anon
            .post(
                "/api/v1/auth/login",
                json!({"login": login, "password": "password-123", "device_name": "laptop"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "login as {login}: {b}");
        assert_eq!(b["user_id"], alice.user_id.as_str());
        assert_eq!(b["expires_in"], 900, "access tokens last 15 minutes");
    }
    let (st, b) = anon
        .post(
            "/api/v1/auth/login",
            json!({"login": "alice", "password": "nope-nope"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&b), "invalid_credentials");
    let (st, b) = anon
        .post(
            "/api/v1/auth/login",
            json!({"login": "nobody", "password": "password-123"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(
        code(&b),
        "invalid_credentials",
        "unknown users look like wrong passwords"
    );
    let (st, me) = alice.get("/api/v1/users/me").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(me["username"], "alice");
    assert_eq!(me["email"], "alice@example.test");
    assert_eq!(me["kind"], "human");
}

#[tokio::test]
async fn passwords_are_argon2id_hashes() {
    let s = TestServer::start().await;
    s.user("hashy").await;
    let conn = rusqlite::Connection::open(s.data_dir().join("tern.db")).unwrap();
    let hash: String = conn
        .query_row(
            "SELECT password_hash FROM users WHERE username = 'hashy'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("password-123"));
}

#[tokio::test]
async fn duplicates_are_conflicts() {
    let s = TestServer::start().await;
    s.user("dup").await;
    let anon = s.anon();
    let (st, b) = anon
        .post(
            "/api/v1/auth/register",
            json!({"username": "DUP", "email": "other@example.test", "password": "password-123"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(code(&b), "username_taken");
    let (st, b) = anon
        .post(
            "/api/v1/auth/register",
            json!({"username": "dup2", "email": "DUP@example.test", "password": "password-123"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(code(&b), "email_taken");
}

#[tokio::test]
async fn refresh_rotates_and_replay_revokes_the_session() {
    let s = TestServer::start_with(|c| c.refresh_grace = Duration::ZERO).await;
    let mut alice = s.user("rot").await;
    let first = alice.refresh.clone();
    let anon = s.anon();
    let (st, pair) = anon
        .post("/api/v1/auth/refresh", json!({"refresh_token": first}))
        .await;
    assert_eq!(st, StatusCode::OK, "{pair}");
    assert_ne!(pair["refresh_token"], first.as_str(), "rotated");
    assert_eq!(
        pair["session_id"],
        alice.session_id.as_str(),
        "same session"
    );
    alice.adopt(&pair);
    let (st, _) = alice.get("/api/v1/users/me").await;
    assert_eq!(st, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(20)).await;
    // The rotated-away token comes back: theft. The whole session ends.
    let (st, b) = anon
        .post("/api/v1/auth/refresh", json!({"refresh_token": first}))
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&b), "token_reused");
    let (st, b) = anon
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": alice.refresh}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the current token died too");
    assert_eq!(code(&b), "session_revoked");
    let (st, b) = alice.get("/api/v1/users/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "so did the access token");
    assert_eq!(code(&b), "session_revoked");
}

#[tokio::test]
async fn a_lost_refresh_answer_may_be_retried_within_the_grace() {
    let s = TestServer::start().await;
    let alice = s.user("grace").await;
    let anon = s.anon();
    let (st, lost) = anon
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": alice.refresh}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, retry) = anon
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": alice.refresh}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "retry within the grace: {retry}");
    // The answer that was lost carried a token the client never saw; it is
    // no longer valid, while the retry's one is.
    let (st, b) = anon
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": lost["refresh_token"]}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{b}");
    let _ = retry;
}

#[tokio::test]
async fn unknown_refresh_tokens_are_refused() {
    let s = TestServer::start().await;
    let (st, b) = s
        .anon()
        .post("/api/v1/auth/refresh", json!({"refresh_token": "made-up"}))
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&b), "unauthorized");
}

#[tokio::test]
async fn expired_access_tokens_say_so() {
    let s = TestServer::start_with(|c| c.access_ttl = Duration::from_secs(1)).await;
    let alice = s.user("exp").await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (st, b) = alice.get("/api/v1/users/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&b), "token_expired");
}

#[tokio::test]
async fn logout_and_sessions() {
    let s = TestServer::start().await;
    let phone = s.user("sess").await;
    let mut laptop = s.anon();
    let (st, pair) = laptop
        .post(
            "/api/v1/auth/login",
            json!({"login": "sess", "password": "password-123", "device_name": "Laptop"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    laptop.adopt(&pair);
    let (st, list) = laptop.get("/api/v1/sessions").await;
    assert_eq!(st, StatusCode::OK);
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let mine = sessions.iter().find(|x| x["current"] == true).unwrap();
    assert_eq!(mine["id"], laptop.session_id.as_str());
    assert_eq!(mine["device_name"], "Laptop");
    assert_eq!(mine["ip"], "127.0.0.1");
    assert!(mine["last_seen_at"].is_string());
    // Revoke the phone from the laptop.
    let (st, _) = laptop
        .delete(&format!("/api/v1/sessions/{}", phone.session_id))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, b) = phone.get("/api/v1/users/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&b), "session_revoked");
    // Someone else's session or an unknown one: 404.
    let other = s.user("other").await;
    let (st, _) = other
        .delete(&format!("/api/v1/sessions/{}", laptop.session_id))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = laptop.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = laptop.get("/api/v1/users/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, b) = s
        .anon()
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": laptop.refresh}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&b), "session_revoked");
}

#[tokio::test]
async fn login_is_rate_limited_per_account_and_per_ip() {
    let s = TestServer::start_with(|c| {
        c.auth_per_account_per_minute = 3;
        c.auth_per_ip_per_minute = 8;
    })
    .await;
    s.user("limited").await;
    let http = reqwest::Client::new();
    let mut last = None;
    for _ in 0..4 {
        last = Some(
            http.post(s.url("/api/v1/auth/login"))
                .json(&json!({"login": "limited", "password": "wrong-password"}))
                .send()
                .await
                .unwrap(),
        );
    }
    let resp = last.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    let b: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(code(&b), "rate_limited");
    // Another account from the same IP still works until the IP limit.
    let mut statuses = Vec::new();
    for i in 0..4 {
        let r = http
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"login": format!("someone{i}"), "password": "wrong-password"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status());
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn profile_updates() {
    let s = TestServer::start().await;
    let mut u = s.user("prof").await;
    let (st, me) = u
        .patch("/api/v1/users/me", json!({"display_name": "  Проф  "}))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(me["display_name"], "Проф");
    let (st, b) = u
        .patch(
            "/api/v1/users/me",
            json!({"new_password": "brand-new-pass"}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    let (st, _) = u
        .patch(
            "/api/v1/users/me",
            json!({"new_password": "brand-new-pass", "current_password": "wrong-one"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = u
        .patch(
            "/api/v1/users/me",
            json!({"new_password": "brand-new-pass", "current_password": "password-123"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, pair) = s
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"login": "prof", "password": "brand-new-pass"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    u.adopt(&pair);
}

#[tokio::test]
async fn user_search_sees_only_shared_workspaces() {
    let s = TestServer::start().await;
    let a = s.user("srch-a").await;
    let b = s.user("srch-b").await;
    let _c = s.user("srch-c").await;
    let ws = a.workspace("srch").await;
    a.add_member(&ws, &b, "member").await;
    let (st, list) = a.get("/api/v1/users?query=srch").await;
    assert_eq!(st, StatusCode::OK);
    let names: Vec<&str> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["srch-a", "srch-b"],
        "srch-c shares no workspace"
    );
    assert!(
        list["users"][0].get("email").is_none(),
        "emails stay private"
    );
}
