//! `kill -9` during a burst of writes loses no acknowledged write.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::helpers::{ServerProcess, free_port};

#[tokio::test]
async fn kill_9_during_a_burst_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_owned();
    let port = free_port();
    let mut server = ServerProcess::spawn(&d, port, &[]).await;
    let base = server.base.clone();
    let http = reqwest::Client::new();
    let pair: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"username": "crash", "email": "crash@example.test", "password": "password-123"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap().to_owned();
    let ws: serde_json::Value = http
        .post(format!("{base}/api/v1/workspaces"))
        .bearer_auth(&token)
        .json(&json!({"slug": "crash", "name": "crash"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let room: serde_json::Value = http
        .post(format!(
            "{base}/api/v1/workspaces/{}/rooms",
            ws["id"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .json(&json!({"kind": "group", "name": "r", "visibility": "public"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let room = room["id"].as_str().unwrap().to_owned();
    let acked: Arc<Mutex<BTreeMap<String, (String, i64)>>> = Arc::default();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (http, base, token, room, acked) = (
            http.clone(),
            base.clone(),
            token.clone(),
            room.clone(),
            acked.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for i in 0.. {
                let txn = format!("w{w}-{i}");
                let r = http
                    .put(format!("{base}/api/v1/rooms/{room}/messages/{txn}"))
                    .bearer_auth(&token)
                    .json(&json!({"body": txn}))
                    .send()
                    .await;
                let Ok(r) = r else { break };
                if !r.status().is_success() {
                    break;
                }
                let Ok(ev) = r.json::<serde_json::Value>().await else {
                    break;
                };
                acked.lock().unwrap().insert(
                    txn,
                    (
                        ev["id"].as_str().unwrap().to_owned(),
                        ev["seq"].as_i64().unwrap(),
                    ),
                );
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill(); // SIGKILL
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "the burst was under way ({} acked)",
        acked.len()
    );
    let _server = ServerProcess::spawn(&d, port, &[]).await;
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page: serde_json::Value = http
            .get(format!(
                "{base}/api/v1/rooms/{room}/events?after={after}&limit=1000"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let batch = page["events"].as_array().unwrap().clone();
        if batch.is_empty() {
            break;
        }
        after = batch.last().unwrap()["seq"].as_i64().unwrap();
        events.extend(batch);
    }
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "still gapless"
    );
    let by_txn: BTreeMap<String, (String, i64)> = events
        .iter()
        .filter_map(|e| {
            Some((
                e["txn_id"].as_str()?.to_owned(),
                (e["id"].as_str()?.to_owned(), e["seq"].as_i64()?),
            ))
        })
        .collect();
    for (txn, ev) in &acked {
        assert_eq!(
            by_txn.get(txn),
            Some(ev),
            "acknowledged {txn} survived the kill"
        );
    }
}
