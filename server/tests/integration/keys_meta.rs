//! Workspace API keys (scope, permissions, expiry, revocation, bot users)
//! and the metadata API (types, visibility, limits).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Api, TestServer, code, team};

fn with_key(s: &TestServer, key: &str) -> Api {
    let mut a = s.anon();
    a.token = Some(key.to_owned());
    a
}

#[tokio::test]
async fn api_keys() {
    let s = TestServer::start().await;
    let t = team(&s, "key", 1).await;
    let bob = &t.others[0];
    let path = format!("/api/v1/workspaces/{}/api-keys", t.ws);
    let (st, _) = bob
        .post(&path, json!({"name": "x", "permissions": ["read"]}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "members do not make keys");
    let (st, created) = t
        .owner
        .post(
            &path,
            json!({"name": "Reporter", "permissions": ["read", "write"]}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("tern_sk_"));
    let (_, list) = t.owner.get(&path).await;
    let listed = &list["api_keys"][0];
    assert!(listed.get("key").is_none(), "the key is shown once only");
    assert_eq!(listed["name"], "Reporter");
    assert_eq!(listed["last_used_at"], Value::Null);
    let conn = rusqlite::Connection::open(s.data_dir().join("tern.db")).unwrap();
    let stored: String = conn
        .query_row("SELECT key_hash FROM api_keys", [], |r| r.get(0))
        .unwrap();
    assert!(!stored.contains(&key[8..]), "stored hashed");
    drop(conn);
    // The key acts as its bot user, inside its workspace.
    let bot = with_key(&s, &key);
    t.owner
        .post(
            &format!(
                "/api/v1/rooms/{}/members/{}",
                t.room,
                created["bot_user_id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    t.owner
        .put(
            &format!(
                "/api/v1/rooms/{}/members/{}",
                t.room,
                created["bot_user_id"].as_str().unwrap()
            ),
            json!({"state": "invited"}),
        )
        .await;
    let (st, _) = bot
        .post(&format!("/api/v1/rooms/{}/join", t.room), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, ev) = bot
        .put(
            &format!("/api/v1/rooms/{}/messages/bot-1", t.room),
            json!({"body": "beep"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ev}");
    assert_eq!(ev["sender_id"], created["bot_user_id"]);
    let (_, me) = bot.get("/api/v1/users/me").await;
    assert_eq!(me["kind"], "bot");
    let (st, sync) = bot.post("/api/v1/sync", json!({})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(sync["rooms"].as_object().unwrap().len(), 1);
    // Another workspace does not exist for it.
    let other_ws = t.owner.workspace("key-other").await;
    t.owner
        .put(
            &format!(
                "/api/v1/workspaces/{other_ws}/members/{}",
                created["bot_user_id"].as_str().unwrap()
            ),
            json!({"role": "member"}),
        )
        .await;
    let other_room = t.owner.room(&other_ws, "elsewhere", "public", &[]).await;
    assert_eq!(
        bot.get(&format!("/api/v1/workspaces/{other_ws}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bot.get(&format!("/api/v1/rooms/{other_room}/events"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Permissions are enforced per method.
    let (st, b) = bot
        .delete(&format!(
            "/api/v1/rooms/{}/messages/{}",
            t.room,
            ev["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    let (_, ro) = t
        .owner
        .post(&path, json!({"name": "RO", "permissions": ["read"]}))
        .await;
    let ro_bot = with_key(&s, ro["key"].as_str().unwrap());
    assert_eq!(
        ro_bot.get(&format!("/api/v1/workspaces/{}", t.ws)).await.0,
        StatusCode::OK
    );
    let (st, _) = ro_bot
        .post(&format!("/api/v1/rooms/{}/join", t.room), json!({}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Keys have no sessions and make no keys.
    assert_eq!(bot.get("/api/v1/sessions").await.0, StatusCode::FORBIDDEN);
    // last_used_at is kept.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, list) = t.owner.get(&path).await;
    assert!(list["api_keys"][0]["last_used_at"].is_string(), "{list}");
    // Revoked: refused at once.
    let (st, _) = t
        .owner
        .delete(&format!("{path}/{}", created["id"].as_str().unwrap()))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, b) = bot.get("/api/v1/users/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&b), "session_revoked");
    let (st, _) = t
        .owner
        .delete(&format!("{path}/{}", created["id"].as_str().unwrap()))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Expired.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(1);
    let soon = soon
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (st, short) = t
        .owner
        .post(
            &path,
            json!({"name": "Short", "permissions": ["read"], "expires_at": soon}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{short}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (st, b) = with_key(&s, short["key"].as_str().unwrap())
        .get("/api/v1/users/me")
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&b), "token_expired");
    // Bad input.
    for bad in [
        json!({"name": "", "permissions": ["read"]}),
        json!({"name": "x", "permissions": []}),
        json!({"name": "x", "permissions": ["admin"]}),
        json!({"name": "x", "permissions": ["read"], "expires_at": "2001-01-01T00:00:00Z"}),
    ] {
        let (st, b) = t.owner.post(&path, bad.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {b}");
    }
    let (st, _) = with_key(&s, "tern_sk_made-up")
        .get("/api/v1/users/me")
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn metadata() {
    let s = TestServer::start().await;
    let t = team(&s, "meta", 1).await;
    let bob = &t.others[0];
    let stranger = s.user("meta-stranger").await;
    let me = format!("/api/v1/meta/user/{}", bob.user_id);
    let (st, e) = bob
        .put(
            &format!("{me}/timezone"),
            json!({"value": "Europe/Berlin", "public": true}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    assert_eq!(e["data_type"], "string");
    let (st, e) = bob
        .put(
            &format!("{me}/age"),
            json!({"value": 41, "data_type": "integer"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    // Types are checked: given, and kept.
    let (st, b) = bob.put(&format!("{me}/age"), json!({"value": "old"})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    let (st, _) = bob
        .put(
            &format!("{me}/born"),
            json!({"value": "yesterday", "data_type": "datetime"}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = bob
        .put(
            &format!("{me}/born"),
            json!({"value": "1985-02-03T04:05:06Z", "data_type": "datetime"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // Public entries: workspace peers read; private: only the owner.
    let (st, e) = t.owner.get(&format!("{me}/timezone")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(e["value"], "Europe/Berlin");
    assert_eq!(
        t.owner.get(&format!("{me}/age")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(bob.get(&format!("{me}/age")).await.1["value"], 41);
    let (_, list) = t.owner.get(&me).await;
    assert_eq!(
        list["entries"].as_array().unwrap().len(),
        1,
        "only the public one"
    );
    let (_, list) = bob.get(&me).await;
    assert_eq!(list["entries"].as_array().unwrap().len(), 3);
    assert_eq!(stranger.get(&me).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        t.owner.put(&format!("{me}/x"), json!({"value": 1})).await.0,
        StatusCode::FORBIDDEN
    );
    // Rooms: moderators write, readers read public entries.
    let room = format!("/api/v1/meta/room/{}", t.room);
    assert_eq!(
        bob.put(&format!("{room}/pinned"), json!({"value": "x"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.owner
            .put(
                &format!("{room}/pinned"),
                json!({"value": {"text": "Be kind"}, "public": true})
            )
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        bob.get(&format!("{room}/pinned")).await.1["value"]["text"],
        "Be kind"
    );
    assert_eq!(
        stranger.get(&format!("{room}/pinned")).await.0,
        StatusCode::NOT_FOUND
    );
    // Messages: the sender writes.
    let m = bob.send(&t.room, "meta me").await;
    let msg = format!("/api/v1/meta/message/{}", m["id"].as_str().unwrap());
    assert_eq!(
        bob.put(
            &format!("{msg}/mood"),
            json!({"value": "happy", "public": true})
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(t.owner.get(&format!("{msg}/mood")).await.0, StatusCode::OK);
    // Workspaces: admins; system: server admins.
    let ws = format!("/api/v1/meta/workspace/{}", t.ws);
    assert_eq!(
        bob.put(&format!("{ws}/plan"), json!({"value": "pro"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.owner
            .put(
                &format!("{ws}/plan"),
                json!({"value": "pro", "public": true})
            )
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(bob.get(&format!("{ws}/plan")).await.1["value"], "pro");
    assert_eq!(
        bob.put("/api/v1/meta/system/tern/motd", json!({"value": "hi"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // Delete.
    assert_eq!(
        bob.delete(&format!("{me}/age")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        bob.delete(&format!("{me}/age")).await.0,
        StatusCode::NOT_FOUND
    );
    // Bad input.
    for (path, body) in [
        ("/api/v1/meta/planet/x/k".to_owned(), json!({"value": 1})),
        (format!("{me}/Bad Key"), json!({"value": 1})),
        (format!("{me}/k"), json!({"value": null})),
        (format!("{me}/k"), json!({"value": "x".repeat(17 * 1024)})),
        (format!("{me}/k"), json!({"value": 1, "data_type": "float"})),
        (
            "/api/v1/meta/user/not-a-uuid/k".to_owned(),
            json!({"value": 1}),
        ),
    ] {
        let (st, b) = bob.put(&path, body).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{path}: {b}");
    }
    // At most 100 entries per entity.
    for i in 0..98 {
        assert_eq!(
            bob.put(&format!("{me}/k{i}"), json!({"value": i})).await.0,
            StatusCode::OK,
            "{i}"
        );
    }
    let (st, b) = bob
        .put(&format!("{me}/one-too-many"), json!({"value": 1}))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
}

#[tokio::test]
async fn cli_creates_api_keys_and_collects_garbage() {
    let s = TestServer::start().await;
    let t = team(&s, "clikey", 0).await;
    let slug = "clikey-ws";
    let dir = s.data_dir().to_str().unwrap().to_owned();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tern-server"))
        .args([
            "admin",
            "create-api-key",
            "--data-dir",
            &dir,
            "--workspace",
            slug,
            "--name",
            "CI bot",
            "--permissions",
            "read",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let key = stdout
        .lines()
        .find(|l| l.starts_with("tern_sk_"))
        .expect("the key is printed");
    let bot = with_key(&s, key);
    let (st, ws) = bot.get(&format!("/api/v1/workspaces/{}", t.ws)).await;
    assert_eq!(st, StatusCode::OK, "{ws}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tern-server"))
        .args([
            "admin",
            "create-api-key",
            "--data-dir",
            &dir,
            "--workspace",
            slug,
            "--name",
            "x",
            "--permissions",
            "root",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tern-server"))
        .args(["admin", "gc", "--data-dir", &dir])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("removed 0"));
}
