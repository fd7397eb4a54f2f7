//! Files: streamed upload, one blob per content, download with Range and
//! ETag, who may read, attachments, forwards, secret deletes, thumbnails,
//! avatars, garbage collection.

use std::io::Cursor;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestServer, code, team};

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

fn png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    if alpha {
        image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 90, 128]))
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
    } else {
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 90]))
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
    }
    out.into_inner()
}

fn encode(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 400, |x, y| image::Rgb([x as u8, y as u8, 200]));
    let mut out = Cursor::new(Vec::new());
    match format {
        image::ImageFormat::WebP => {
            image::DynamicImage::ImageRgba8(image::DynamicImage::ImageRgb8(img).to_rgba8())
                .write_to(&mut out, format)
                .unwrap()
        }
        _ => img.write_to(&mut out, format).unwrap(),
    }
    out.into_inner()
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A tiny PNG whose header claims 100,000 x 100,000 pixels.
fn bomb() -> Vec<u8> {
    let mut p = png(8, 8, false);
    // IHDR data starts at byte 16: width, height (big-endian).
    p[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    p[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&p[12..29]);
    p[29..33].copy_from_slice(&crc.to_be_bytes());
    p
}

#[tokio::test]
async fn round_trips_and_types() {
    let s = TestServer::start().await;
    let u = s.user("uploader").await;
    for (name, bytes) in [
        ("empty.bin", Vec::new()),
        ("one.bin", vec![7u8]),
        ("five.bin", pattern(5 * 1024 * 1024)),
    ] {
        let (st, f) = u.upload(name, bytes.clone()).await;
        assert_eq!(st, StatusCode::CREATED, "{name}: {f}");
        assert_eq!(f["size"], bytes.len());
        assert_eq!(f["sha256"], sha(&bytes));
        assert_eq!(f["name"], name);
        let (st, h, got) = u
            .download(&format!("/api/v1/files/{}", f["id"].as_str().unwrap()), &[])
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(got.len(), bytes.len(), "{name}");
        assert_eq!(sha(&got), sha(&bytes), "{name}");
        assert_eq!(h["content-length"], bytes.len().to_string().as_str());
    }
    let (_, f) = u.upload("info.bin", vec![1, 2, 3]).await;
    let (st, info) = u
        .get(&format!("/api/v1/files/{}/info", f["id"].as_str().unwrap()))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(info, f, "the details as the upload answered them");
    let stranger = s.user("info-stranger").await;
    let (st, _) = stranger
        .get(&format!("/api/v1/files/{}/info", f["id"].as_str().unwrap()))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The type comes from the bytes, not the name.
    let (_, f) = u.upload("evil.txt", png(4, 4, false)).await;
    assert_eq!(f["mime"], "image/png");
    let (_, f) = u
        .upload("notes.png", "Привет, мир".as_bytes().to_vec())
        .await;
    assert_eq!(f["mime"], "text/plain; charset=utf-8");
    let (st, b) = u.upload("", vec![1]).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    let (st, b) = u.raw(reqwest::Method::POST, "/api/v1/files", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "a missing name: {b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("name"));
    let (st, _) = u
        .get(&format!("/api/v1/files/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.join("blobs")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn over_the_limit_is_413_and_leaves_nothing() {
    let s = TestServer::start_with(|c| c.max_upload_bytes = 1024 * 1024).await;
    let u = s.user("big").await;
    let (st, b) = u.upload("big.bin", pattern(2 * 1024 * 1024)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&b), "payload_too_large");
    // Without a Content-Length the limit holds while streaming.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..20).map(|_| Ok(pattern(128 * 1024))).collect();
    let resp = u
        .http
        .post(s.url("/api/v1/files?name=stream.bin"))
        .bearer_auth(u.token.as_deref().unwrap())
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        leftovers(s.data_dir()),
        Vec::<String>::new(),
        "no temp file left"
    );
    let conn = rusqlite::Connection::open(s.data_dir().join("tern.db")).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "no record");
}

#[tokio::test]
async fn identical_uploads_share_one_blob_even_concurrently() {
    let s = TestServer::start().await;
    let u = s.user("dedup").await;
    let bytes = pattern(1024 * 1024 + 17);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (u, b) = (u.clone(), bytes.clone());
        tasks.push(tokio::spawn(async move {
            u.upload(&format!("copy-{i}.bin"), b).await
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for t in tasks {
        let (st, f) = t.await.unwrap();
        assert_eq!(st, StatusCode::CREATED, "{f}");
        assert_eq!(f["sha256"], sha(&bytes));
        ids.insert(f["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 8, "eight file records");
    let stored = leftovers(s.data_dir());
    assert_eq!(stored.len(), 1, "one blob: {stored:?}");
    let conn = rusqlite::Connection::open(s.data_dir().join("tern.db")).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn ranges_etags_and_names() {
    let s = TestServer::start().await;
    let u = s.user("rng").await;
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend(pattern(991));
    let (_, f) = u.upload("Отчёт за 2026 год.pdf", bytes.clone()).await;
    let path = format!("/api/v1/files/{}", f["id"].as_str().unwrap());
    let (st, h, body) = u.download(&path, &[("range", "bytes=0-9")]).await;
    assert_eq!(st, StatusCode::PARTIAL_CONTENT);
    assert_eq!(h["content-range"], "bytes 0-9/1000");
    assert_eq!(body, bytes[..10]);
    let (st, h, body) = u.download(&path, &[("range", "bytes=990-")]).await;
    assert_eq!(st, StatusCode::PARTIAL_CONTENT);
    assert_eq!(h["content-range"], "bytes 990-999/1000");
    assert_eq!(body, bytes[990..]);
    let (st, _, body) = u.download(&path, &[("range", "bytes=-5")]).await;
    assert_eq!(st, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, bytes[995..]);
    let (st, h, body) = u.download(&path, &[("range", "bytes=500-5000")]).await;
    assert_eq!(st, StatusCode::PARTIAL_CONTENT);
    assert_eq!(h["content-range"], "bytes 500-999/1000");
    assert_eq!(body.len(), 500);
    let (st, h, _) = u.download(&path, &[("range", "bytes=1000-")]).await;
    assert_eq!(st, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(h["content-range"], "bytes */1000");
    let (st, _, body) = u.download(&path, &[("range", "bytes=0-1,5-6")]).await;
    assert_eq!(st, StatusCode::OK, "several ranges: the whole file");
    assert_eq!(body.len(), 1000);
    let (st, h, _) = u.download(&path, &[]).await;
    assert_eq!(st, StatusCode::OK);
    let etag = h["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", sha(&bytes)));
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-type"], "application/pdf");
    let cd = h["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment; filename=\""), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20%D0%B7%D0%B0%202026"),
        "{cd}"
    );
    let (st, _, body) = u.download(&path, &[("if-none-match", &etag)]).await;
    assert_eq!(st, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    // A name is only a name.
    let (st, f) = u.upload("../../etc/passwd", b"root:x:0:0".to_vec()).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(f["name"], "../../etc/passwd");
    let (st, _, body) = u
        .download(&format!("/api/v1/files/{}", f["id"].as_str().unwrap()), &[])
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body, b"root:x:0:0");
    assert!(
        leftovers(s.data_dir())
            .iter()
            .all(|p| p.starts_with("blobs/blobs/"))
    );
}

#[tokio::test]
async fn who_may_read_attachments_and_kinds() {
    let s = TestServer::start().await;
    let t = team(&s, "acl", 2).await;
    let (bob, carol) = (&t.others[0], &t.others[1]);
    let outsider = s.user("acl-out").await;
    let (_, img) = bob.upload("cat.png", png(32, 32, false)).await;
    let img_id = img["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/files/{img_id}");
    assert_eq!(bob.get(&path).await.0, StatusCode::OK, "the owner reads it");
    assert_eq!(
        carol.get(&path).await.0,
        StatusCode::NOT_FOUND,
        "not yet shared"
    );
    // Share it in a private room with carol only.
    let private = t.owner.room(&t.ws, "priv", "private", &[bob, carol]).await;
    let (st, ev) = bob
        .put(
            &format!("/api/v1/rooms/{private}/messages/att1"),
            json!({"body": "", "attachments": [img_id]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ev}");
    assert_eq!(ev["content"]["kind"], "image", "the kind follows the type");
    assert_eq!(
        carol.get(&path).await.0,
        StatusCode::OK,
        "a room member reads it"
    );
    assert_eq!(outsider.get(&path).await.0, StatusCode::NOT_FOUND);
    // A file carol cannot read cannot be attached by her.
    let (_, secret_doc) = bob.upload("doc.txt", b"just text".to_vec()).await;
    let (st, b) = carol
        .put(
            &format!("/api/v1/rooms/{}/messages/att2", t.room),
            json!({"body": "look", "attachments": [secret_doc["id"]]}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    let (_, ev) = bob
        .put(
            &format!("/api/v1/rooms/{}/messages/att3", t.room),
            json!({"body": "notes", "attachments": [secret_doc["id"]]}),
        )
        .await;
    assert_eq!(ev["content"]["kind"], "file");
}

#[tokio::test]
async fn forwards_outlive_a_secret_delete_and_orphans_are_removed() {
    let s = TestServer::start().await;
    let t = team(&s, "fwd", 1).await;
    let bob = &t.others[0];
    let (_, secret) = t
        .owner
        .post(
            &format!("/api/v1/workspaces/{}/rooms", t.ws),
            json!({"kind": "group", "name": "s", "visibility": "hidden", "secret": true, "members": [bob.user_id]}),
        )
        .await;
    let secret = secret["id"].as_str().unwrap().to_owned();
    let bytes = png(16, 16, true);
    let (_, f) = t.owner.upload("shared.png", bytes.clone()).await;
    let (_, orig) = t
        .owner
        .put(
            &format!("/api/v1/rooms/{secret}/messages/o1"),
            json!({"body": "photo", "attachments": [f["id"]]}),
        )
        .await;
    let (st, fwd) = bob
        .put(
            &format!("/api/v1/rooms/{}/messages/f1", t.room),
            json!({"body": "", "forward_of": orig["id"]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{fwd}");
    let fwd_file = fwd["content"]["attachments"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(fwd_file, f["id"].as_str().unwrap(), "a new file record");
    assert_eq!(fwd["content"]["forward_of"], orig["id"]);
    // The original is deleted in the secret room: its file record goes.
    let (st, _) = t
        .owner
        .delete(&format!(
            "/api/v1/rooms/{secret}/messages/{}",
            orig["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = t
        .owner
        .get(&format!("/api/v1/files/{}", f["id"].as_str().unwrap()))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "the original file is gone");
    let (st, _, got) = t
        .owner
        .download(&format!("/api/v1/files/{fwd_file}"), &[])
        .await;
    assert_eq!(st, StatusCode::OK, "the forward stays readable");
    assert_eq!(got, bytes);
    assert_eq!(leftovers(s.data_dir()).len(), 1, "its blob stays");
    // Content nobody else references goes with a secret delete.
    let (_, lone) = t.owner.upload("lone.bin", pattern(4096)).await;
    let (_, m) = t
        .owner
        .put(
            &format!("/api/v1/rooms/{secret}/messages/o2"),
            json!({"body": "", "attachments": [lone["id"]]}),
        )
        .await;
    assert_eq!(leftovers(s.data_dir()).len(), 2);
    t.owner
        .delete(&format!(
            "/api/v1/rooms/{secret}/messages/{}",
            m["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        leftovers(s.data_dir()).len(),
        1,
        "the orphaned blob was removed"
    );
}

#[tokio::test]
async fn thumbnails() {
    let s = TestServer::start().await;
    let u = s.user("thumb").await;
    for (name, bytes, fmt) in [
        ("a.png", png(1000, 500, true), "image/png"),
        ("b.jpg", encode(image::ImageFormat::Jpeg), "image/jpeg"),
        ("c.webp", encode(image::ImageFormat::WebP), "image/png"),
        ("d.gif", encode(image::ImageFormat::Gif), "image/png"),
    ] {
        let (st, f) = u.upload(name, bytes).await;
        assert_eq!(st, StatusCode::CREATED);
        let path = format!(
            "/api/v1/files/{}/thumbnail?size=small",
            f["id"].as_str().unwrap()
        );
        let (st, h, body) = u.download(&path, &[]).await;
        assert_eq!(
            st,
            StatusCode::OK,
            "{name}: {}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(h["content-type"], fmt, "{name}");
        let img = image::load_from_memory(&body).unwrap();
        assert!(
            img.width() <= 64 && img.height() <= 64,
            "{name}: {}x{}",
            img.width(),
            img.height()
        );
        assert!(
            img.width() == 64 || img.height() == 64,
            "{name}: keeps the aspect ratio at 64 px"
        );
        let (_, _, again) = u.download(&path, &[]).await;
        assert_eq!(again, body, "cached");
    }
    let conn = rusqlite::Connection::open(s.data_dir().join("tern.db")).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM thumbnails", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 4);
    // A corrupt image uploads fine; its thumbnail is a clear 422.
    let mut corrupt = png(8, 8, false);
    corrupt.truncate(40);
    corrupt.extend_from_slice(b"garbage garbage garbage");
    let (st, f) = u.upload("broken.png", corrupt).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(f["mime"], "image/png");
    let (st, b) = u
        .get(&format!(
            "/api/v1/files/{}/thumbnail",
            f["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // A decompression bomb is refused before decoding.
    let (_, f) = u.upload("bomb.png", bomb()).await;
    let (st, b) = u
        .get(&format!(
            "/api/v1/files/{}/thumbnail",
            f["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large"),
        "{b}"
    );
    // Not an image; an unknown size.
    let (_, f) = u.upload("t.txt", b"text".to_vec()).await;
    let (st, _) = u
        .get(&format!(
            "/api/v1/files/{}/thumbnail",
            f["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = u
        .get(&format!(
            "/api/v1/files/{}/thumbnail?size=huge",
            f["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn avatars() {
    let s = TestServer::start().await;
    let t = team(&s, "av", 1).await;
    let bob = &t.others[0];
    let (_, pic) = bob.upload("me.png", png(64, 64, false)).await;
    let (st, me) = bob
        .patch("/api/v1/users/me", json!({"avatar_file_id": pic["id"]}))
        .await;
    assert_eq!(st, StatusCode::OK, "{me}");
    assert_eq!(me["avatar_file_id"], pic["id"]);
    let (st, _) = t
        .owner
        .get(&format!("/api/v1/files/{}", pic["id"].as_str().unwrap()))
        .await;
    assert_eq!(st, StatusCode::OK, "others may fetch an avatar");
    let (_, txt) = bob.upload("me.txt", b"not a picture".to_vec()).await;
    let (st, _) = bob
        .patch("/api/v1/users/me", json!({"avatar_file_id": txt["id"]}))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, me) = bob
        .patch("/api/v1/users/me", json!({"avatar_file_id": null}))
        .await;
    assert_eq!(me["avatar_file_id"], Value::Null, "null clears it");
    let (_, rpic) = t.owner.upload("room.png", png(64, 64, false)).await;
    let (st, room) = t
        .owner
        .patch(
            &format!("/api/v1/rooms/{}", t.room),
            json!({"avatar_file_id": rpic["id"]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{room}");
    assert_eq!(room["avatar_file_id"], rpic["id"]);
    let last = t.owner.events(&t.room, "?limit=1").await;
    assert_eq!(last[0]["content"]["avatar_file_id"], rpic["id"]);
}

#[tokio::test]
async fn garbage_collection_never_removes_a_referenced_blob() {
    let s = TestServer::start().await;
    let t = team(&s, "gc", 0).await;
    let (_, secret) = t
        .owner
        .post(
            &format!("/api/v1/workspaces/{}/rooms", t.ws),
            json!({"kind": "group", "name": "s", "visibility": "hidden", "secret": true}),
        )
        .await;
    let secret = secret["id"].as_str().unwrap().to_owned();
    let state = s.running.as_ref().unwrap().state.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let gc = {
        let (state, stop) = (state.clone(), stop.clone());
        tokio::spawn(async move {
            let mut runs = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                state
                    .blobs
                    .collect_garbage(state.store.as_ref())
                    .await
                    .unwrap();
                runs += 1;
                tokio::task::yield_now().await;
            }
            runs
        })
    };
    let bytes = pattern(200 * 1024);
    for i in 0..15 {
        // One copy is attached and erased (its record goes) while another
        // upload of the same content is in flight.
        let (_, a) = t.owner.upload("a.bin", bytes.clone()).await;
        let (_, m) = t
            .owner
            .put(
                &format!("/api/v1/rooms/{secret}/messages/gc{i}"),
                json!({"body": "", "attachments": [a["id"]]}),
            )
            .await;
        let owner = t.owner.clone();
        let b = bytes.clone();
        let in_flight = tokio::spawn(async move { owner.upload("b.bin", b).await });
        t.owner
            .delete(&format!(
                "/api/v1/rooms/{secret}/messages/{}",
                m["id"].as_str().unwrap()
            ))
            .await;
        let (st, f) = in_flight.await.unwrap();
        assert_eq!(st, StatusCode::CREATED);
        let (st, _, got) = t
            .owner
            .download(&format!("/api/v1/files/{}", f["id"].as_str().unwrap()), &[])
            .await;
        assert_eq!(st, StatusCode::OK, "round {i}");
        assert_eq!(got.len(), bytes.len(), "round {i}: the blob is whole");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(gc.await.unwrap() > 15, "the collector ran all along");
}
