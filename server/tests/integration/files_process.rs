//! A 200 MiB upload and download through a real server process: the bytes
//! come back the same, and the server's peak memory grows by less than
//! 50 MiB (uploads stream; nothing holds a whole file).

use futures_util::StreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{ServerProcess, free_port};

const SIZE: usize = 200 * 1024 * 1024;
const CHUNK: usize = 256 * 1024;

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

fn chunk(i: usize) -> Vec<u8> {
    (0..CHUNK).map(|j| ((i * 7 + j * 13) % 251) as u8).collect()
}

#[tokio::test]
async fn a_200_mib_round_trip_streams_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let limit = (300 * 1024 * 1024).to_string();
    let server = ServerProcess::spawn(
        dir.path().to_str().unwrap(),
        free_port(),
        &["--max-upload-bytes", &limit],
    )
    .await;
    let base = server.base.clone();
    let http = reqwest::Client::new();
    let pair: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(
            &json!({"username": "huge", "email": "huge@example.test", "password": "password-123"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap().to_owned();
    // Warm up the upload path so that fixed costs are not counted.
    http.post(format!("{base}/api/v1/files?name=warm.bin"))
        .bearer_auth(&token)
        .body(vec![1u8; 8 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    let before = peak_rss_kib(server.child.id());
    let mut expected = Sha256::new();
    for i in 0..SIZE / CHUNK {
        expected.update(chunk(i));
    }
    let expected: String = expected
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let body =
        futures_util::stream::iter((0..SIZE / CHUNK).map(|i| Ok::<_, std::io::Error>(chunk(i))));
    let resp = http
        .post(format!("{base}/api/v1/files?name=big.bin"))
        .bearer_auth(&token)
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let f: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(f["size"], SIZE);
    assert_eq!(f["sha256"], expected.as_str());
    let resp = http
        .get(format!("{base}/api/v1/files/{}", f["id"].as_str().unwrap()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut got = Sha256::new();
    let mut n = 0usize;
    let mut stream = resp.bytes_stream();
    while let Some(c) = stream.next().await {
        let c = c.unwrap();
        n += c.len();
        got.update(&c);
    }
    let got: String = got.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(n, SIZE);
    assert_eq!(got, expected);
    let after = peak_rss_kib(server.child.id());
    let growth_mib = (after.saturating_sub(before)) as f64 / 1024.0;
    println!("server peak RSS {before} KiB -> {after} KiB (+{growth_mib:.1} MiB)");
    assert!(growth_mib < 50.0, "peak RSS grew by {growth_mib:.1} MiB");
}
