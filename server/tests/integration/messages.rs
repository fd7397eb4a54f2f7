//! The room log: idempotent sends, gapless seqs, replies and threads,
//! edits, deletes (soft and secret), reactions, read markers, paging.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestServer, code, team};

#[tokio::test]
async fn send_is_idempotent_even_across_a_restart() {
    let mut s = TestServer::start().await;
    let t = team(&s, "idem", 1).await;
    let path = format!("/api/v1/rooms/{}/messages/txn-42", t.room);
    let (st, first) = t.owner.put(&path, json!({"body": "hello"})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(first["type"], "message");
    assert_eq!(first["txn_id"], "txn-42");
    let (st, again) = t.owner.put(&path, json!({"body": "hello"})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(first, again);
    s.restart().await;
    let (st, after) = t.owner.put(&path, json!({"body": "hello, changed"})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        first, after,
        "a retry after a restart answers the first event"
    );
    let messages = t
        .owner
        .events(&t.room, "")
        .await
        .into_iter()
        .filter(|e| e["type"] == "message")
        .count();
    assert_eq!(messages, 1);
    // The same txn id in another room is a conflict, not a send.
    let other = t.owner.room(&t.ws, "other", "public", &[]).await;
    let (st, b) = t
        .owner
        .put(
            &format!("/api/v1/rooms/{other}/messages/txn-42"),
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(code(&b), "txn_conflict");
}

#[tokio::test]
async fn seqs_are_gapless_under_concurrency() {
    let s = TestServer::start().await;
    let t = team(&s, "gap", 3).await;
    let mut tasks = Vec::new();
    for (i, u) in t.others.iter().chain(std::iter::once(&t.owner)).enumerate() {
        for j in 0..50 {
            let u = u.clone();
            let room = t.room.clone();
            tasks.push(tokio::spawn(async move {
                u.send(&room, &format!("{i}-{j}")).await["seq"]
                    .as_i64()
                    .unwrap()
            }));
        }
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    let first = seqs[0];
    assert_eq!(seqs, (first..first + 200).collect::<Vec<_>>());
    let all = t.owner.events(&t.room, "?limit=1000").await;
    let log: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        log,
        (1..=log.len() as i64).collect::<Vec<_>>(),
        "the log has no holes"
    );
}

#[tokio::test]
async fn replies_threads_and_edits() {
    let s = TestServer::start().await;
    let t = team(&s, "thr", 1).await;
    let bob = &t.others[0];
    let root = t.owner.send(&t.room, "root").await;
    let root_id = root["id"].as_str().unwrap();
    let (st, reply) = bob
        .put(
            &format!("/api/v1/rooms/{}/messages/r1", t.room),
            json!({"body": "a reply", "reply_to": root_id}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(reply["content"]["reply_to"], root_id);
    let (_, in_thread) = bob
        .put(
            &format!("/api/v1/rooms/{}/messages/r2", t.room),
            json!({"body": "in thread", "thread_root": root_id}),
        )
        .await;
    let (_, nested) = t
        .owner
        .put(
            &format!("/api/v1/rooms/{}/messages/r3", t.room),
            json!({"body": "deeper", "thread_root": in_thread["id"]}),
        )
        .await;
    assert_eq!(
        nested["content"]["thread_root"], root_id,
        "threads are one level deep"
    );
    let (st, b) = bob
        .put(
            &format!("/api/v1/rooms/{}/messages/r4", t.room),
            json!({"body": "x", "reply_to": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("reply_to"));
    // Edits: only by the sender.
    let msg = format!(
        "/api/v1/rooms/{}/messages/{}",
        t.room,
        reply["id"].as_str().unwrap()
    );
    let (st, _) = t.owner.patch(&msg, json!({"body": "hijack"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, edit) = bob
        .patch(&msg, json!({"body": "a better reply", "txn_id": "e1"}))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(edit["type"], "edit");
    assert_eq!(edit["content"]["target"], reply["id"]);
    let (_, again) = bob
        .patch(&msg, json!({"body": "a better reply", "txn_id": "e1"}))
        .await;
    assert_eq!(edit, again, "an edit retried with its txn id is one edit");
}

#[tokio::test]
async fn deletes_soft_and_secret() {
    let s = TestServer::start().await;
    let t = team(&s, "del", 2).await;
    let (bob, carol) = (&t.others[0], &t.others[1]);
    let m = bob.send(&t.room, "oops").await;
    let path = format!(
        "/api/v1/rooms/{}/messages/{}",
        t.room,
        m["id"].as_str().unwrap()
    );
    let (st, _) = carol.delete(&path).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "members delete only their own");
    let (st, d1) = bob.delete(&path).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(d1["type"], "delete");
    let (_, d2) = t.owner.delete(&path).await;
    assert_eq!(d1, d2, "deleting again answers the first delete");
    let (st, _) = bob.patch(&path, json!({"body": "edit after delete"})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // Soft: the original stays in the log for a normal room.
    let log = t.owner.events(&t.room, "").await;
    let orig = log.iter().find(|e| e["id"] == m["id"]).unwrap();
    assert_eq!(orig["content"]["body"], "oops");
    // A moderator deletes anyone's message.
    let m2 = carol.send(&t.room, "spam").await;
    let (st, _) = t
        .owner
        .delete(&format!(
            "/api/v1/rooms/{}/messages/{}",
            t.room,
            m2["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    // Secret room: the content is erased.
    let (_, secret) = t
        .owner
        .post(
            &format!("/api/v1/workspaces/{}/rooms", t.ws),
            json!({"kind": "group", "name": "secret", "visibility": "hidden", "secret": true,
                   "members": [bob.user_id]}),
        )
        .await;
    let sid = secret["id"].as_str().unwrap();
    let sm = bob.send(sid, "the launch code is 1234").await;
    let spath = format!(
        "/api/v1/rooms/{sid}/messages/{}",
        sm["id"].as_str().unwrap()
    );
    bob.patch(&spath, json!({"body": "the launch code is 5678"}))
        .await;
    let (st, _) = bob.delete(&spath).await;
    assert_eq!(st, StatusCode::OK);
    let log = t.owner.events(sid, "").await;
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains("launch code"), "erased everywhere: {text}");
    let erased = log.iter().find(|e| e["id"] == sm["id"]).unwrap();
    assert_eq!(erased["content"]["erased"], true);
    assert_eq!(erased["content"]["body"], "");
}

#[tokio::test]
async fn reactions_are_idempotent() {
    let s = TestServer::start().await;
    let t = team(&s, "rx", 1).await;
    let bob = &t.others[0];
    let m = t.owner.send(&t.room, "react to me").await;
    let base = format!(
        "/api/v1/rooms/{}/messages/{}/reactions",
        t.room,
        m["id"].as_str().unwrap()
    );
    let (st, a) = bob.put(&format!("{base}/%F0%9F%91%8D"), json!(null)).await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(a["content"]["emoji"], "👍");
    assert_eq!(a["content"]["added"], true);
    let (_, b) = bob.put(&format!("{base}/%F0%9F%91%8D"), json!(null)).await;
    assert_eq!(a, b);
    let (st, r) = bob.delete(&format!("{base}/%F0%9F%91%8D")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(r["content"]["added"], false);
    let (_, r2) = bob.delete(&format!("{base}/%F0%9F%91%8D")).await;
    assert_eq!(r, r2);
    let (st, _) = bob.delete(&format!("{base}/%E2%9D%A4")).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "never added: nothing to do");
    let (st, _) = bob.put(&format!("{base}/has%20space"), json!(null)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let reactions = t
        .owner
        .events(&t.room, "")
        .await
        .into_iter()
        .filter(|e| e["type"] == "reaction")
        .count();
    assert_eq!(reactions, 2, "one add, one remove");
}

#[tokio::test]
async fn unread_and_mention_counts_follow_the_read_marker() {
    let s = TestServer::start().await;
    let t = team(&s, "unr", 1).await;
    let bob = &t.others[0];
    let owner_name = "unr-owner";
    bob.send(&t.room, "one").await;
    bob.send(&t.room, &format!("hey @{owner_name}, look")).await;
    let last = bob.send(&t.room, "three").await;
    t.owner.send(&t.room, "my own message is not unread").await;
    let room_sync = |v: &Value| v["rooms"][&t.room].clone();
    let (_, sync) = t.owner.post("/api/v1/sync", json!({})).await;
    assert_eq!(room_sync(&sync)["unread_count"], 3);
    assert_eq!(room_sync(&sync)["mention_count"], 1);
    let (st, _) = t
        .owner
        .post(
            &format!("/api/v1/rooms/{}/read", t.room),
            json!({"seq": last["seq"]}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, sync) = t.owner.post("/api/v1/sync", json!({})).await;
    assert_eq!(room_sync(&sync)["unread_count"], 0);
    assert_eq!(room_sync(&sync)["mention_count"], 0);
    assert_eq!(room_sync(&sync)["membership"]["last_read_seq"], last["seq"]);
    // Never backwards; beyond the end is clamped.
    t.owner
        .post(&format!("/api/v1/rooms/{}/read", t.room), json!({"seq": 1}))
        .await;
    t.owner
        .post(
            &format!("/api/v1/rooms/{}/read", t.room),
            json!({"seq": 1_000_000}),
        )
        .await;
    let (_, sync) = t.owner.post("/api/v1/sync", json!({})).await;
    let last_seq = room_sync(&sync)["room"]["last_seq"].clone();
    assert_eq!(room_sync(&sync)["membership"]["last_read_seq"], last_seq);
    let (st, _) = t
        .owner
        .post(
            &format!("/api/v1/rooms/{}/read", t.room),
            json!({"seq": -1}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn paging_the_log() {
    let s = TestServer::start().await;
    let t = team(&s, "page", 0).await;
    for i in 0..30 {
        t.owner.send(&t.room, &format!("m{i}")).await;
    }
    // 2 creation events + 30 messages = seq 1..=32
    let (_, page) = t
        .owner
        .get(&format!("/api/v1/rooms/{}/events?limit=10", t.room))
        .await;
    let seqs: Vec<i64> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (23..=32).collect::<Vec<_>>());
    assert_eq!(page["has_more"], true);
    let (_, page) = t
        .owner
        .get(&format!(
            "/api/v1/rooms/{}/events?before=5&limit=10",
            t.room
        ))
        .await;
    let seqs: Vec<i64> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
    assert_eq!(page["has_more"], false);
    let (_, page) = t
        .owner
        .get(&format!("/api/v1/rooms/{}/events?after=30", t.room))
        .await;
    let seqs: Vec<i64> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![31, 32]);
    for bad in [
        "?before=1&after=2",
        "?limit=0",
        "?limit=5000",
        "?before=-3",
        "?after=x",
        "?nope=1",
    ] {
        let (st, b) = t
            .owner
            .get(&format!("/api/v1/rooms/{}/events{bad}", t.room))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {b}");
    }
}
