//! Blobs in an S3-compatible store: the real server binary with
//! `--blob-store s3://...` against moto's S3 server, which speaks the S3
//! wire protocol (no S3 service can run here). Skipped, saying so, when
//! moto is not installed (`pip install 'moto[server]'`; scripts/test does).

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::helpers::{ServerProcess, free_port};

struct Moto(std::process::Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn uploads_and_downloads_through_an_s3_store() {
    let port = free_port();
    let Ok(child) = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        println!(
            "SKIPPED: moto_server is not installed, so there is no S3 endpoint to test against"
        );
        return;
    };
    let _moto = Moto(child);
    let endpoint = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if http
            .put(format!("{endpoint}/tern-blobs"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "moto answered and made the bucket");
    let dir = tempfile::tempdir().unwrap();
    // The S3 client takes its settings from the usual AWS_* variables.
    let env = [
        ("AWS_ENDPOINT", endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
    ];
    let server = ServerProcess::spawn_env(
        dir.path().to_str().unwrap(),
        free_port(),
        &["--blob-store", "s3://tern-blobs/prefix"],
        &env,
    )
    .await;
    let base = server.base.clone();
    let pair: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(
            &json!({"username": "s3user", "email": "s3@example.test", "password": "password-123"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap().to_owned();
    let bytes: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let mut ids = Vec::new();
    for name in ["one.bin", "two.bin"] {
        let f: serde_json::Value = http
            .post(format!("{base}/api/v1/files?name={name}"))
            .bearer_auth(&token)
            .body(bytes.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(f["size"], bytes.len(), "{f}");
        ids.push(f["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        let got = http
            .get(format!("{base}/api/v1/files/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(got.status(), 200);
        assert_eq!(got.bytes().await.unwrap().to_vec(), bytes);
        let part = http
            .get(format!("{base}/api/v1/files/{id}"))
            .bearer_auth(&token)
            .header("range", "bytes=10-19")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), 206);
        assert_eq!(part.bytes().await.unwrap().to_vec(), bytes[10..20]);
    }
    // Both uploads are one object in the bucket.
    let listing = http
        .get(format!(
            "{endpoint}/tern-blobs?list-type=2&prefix=prefix/blobs/"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(listing.matches("<Key>").count(), 1, "{listing}");
    assert!(
        !std::path::Path::new(dir.path()).join("blobs").exists(),
        "nothing on local disk"
    );
}
