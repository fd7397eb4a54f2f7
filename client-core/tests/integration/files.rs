//! Files: upload through the outbox with progress, downloads and
//! thumbnails in the cache (readable offline), eviction with pinning.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tern_client_core::protocol::MessageKind;
use tern_client_core::{
    Client, ClientEvent, ConnectionState, OutboxState, ThumbnailSize, TimelineItem,
};
use uuid::Uuid;

use crate::helpers::*;

fn random_bytes(n: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(n as u64 ^ 0x7e57);
    (0..n).map(|_| rng.u8(..)).collect()
}

fn decode(p: &Path) -> image::DynamicImage {
    image::ImageReader::open(p)
        .unwrap()
        .with_guessed_format()
        .unwrap()
        .decode()
        .unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The server's copy of a message, once `c` holds it.
async fn remote(c: &Client, id: Uuid) -> TimelineItem {
    wait_for(20, "the message on the server", || async {
        c.message(id).await.ok()?.filter(|m| m.seq.is_some())
    })
    .await
}

/// Sends `bytes` as a file from `alice` and answers the server's file id.
async fn upload(alice: &Client, room: Uuid, dir: &Path, name: &str, bytes: &[u8]) -> Uuid {
    let path = write(dir, name, bytes);
    let local = alice.send_file(room, &path, "").await.unwrap();
    let msg = remote(alice, local).await;
    assert_eq!(msg.attachments.len(), 1);
    msg.attachments[0]
}

/// The message carrying `file`, as `c` sees it.
async fn message_with(c: &Client, room: Uuid, file: Uuid) -> TimelineItem {
    wait_for(20, "the file's message", || async {
        c.timeline(room, None, 100)
            .await
            .ok()?
            .items
            .into_iter()
            .find(|i| i.attachments.contains(&file))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_uploaded_with_progress_and_sent_once() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "files").await;
    let bytes = random_bytes(1024 * 1024 + 123);
    let src = write(dir.path(), "notes.bin", &bytes);

    let mut events = alice.events();
    let local = alice.send_file(room, &src, "here it is").await.unwrap();
    // The echo shows at once, with its file.
    let echo = alice.message(local).await.unwrap().expect("local echo");
    assert_eq!(echo.body, "here it is");
    assert_eq!(echo.kind, MessageKind::File);
    let atts = alice.attachments(local).await.unwrap();
    assert_eq!(atts.len(), 1);
    assert_eq!(atts[0].name, "notes.bin");
    assert_eq!(atts[0].size, bytes.len() as u64);
    assert!(atts[0].known);

    let total = bytes.len() as u64;
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(ClientEvent::UploadProgress { sent, total: t, .. })) => {
                assert_eq!(t, total);
                seen.push(sent);
                if sent == total {
                    break;
                }
            }
            Ok(Some(_)) => {}
            other => panic!("no complete upload progress: {other:?} after {seen:?}"),
        }
    }
    assert!(seen.len() >= 3, "progress in steps: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");

    let msg = remote(&alice, local).await;
    wait_outbox_empty(&alice, 20).await;
    let file = msg.attachments[0];
    assert_ne!(
        file, atts[0].id,
        "the server's id replaces the provisional one"
    );
    let info = alice.file_info(file).await.unwrap();
    assert_eq!(
        (info.name.as_str(), info.size, info.uploading),
        ("notes.bin", total, false)
    );
    let sent: Vec<_> = server_log(&server, room)
        .into_iter()
        .filter(|e| e.body.as_deref() == Some("here it is"))
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");

    // Bob sees the message, learns the file's name, and downloads it.
    let at_bob = message_with(&bob, room, file).await;
    assert_eq!(at_bob.kind, MessageKind::File);
    assert!(!bob.file_info(file).await.unwrap().known);
    let fetched = bob.fetch_file_info(file).await.unwrap();
    assert_eq!((fetched.name.as_str(), fetched.size), ("notes.bin", total));
    let mut bob_events = bob.events();
    let path = bob.download(file).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let mut last = None;
    while let Some(e) = bob_events.try_recv() {
        if let ClientEvent::DownloadProgress {
            file_id, received, ..
        } = e
        {
            assert_eq!(file_id, file);
            last = Some(received);
        }
    }
    assert_eq!(last, Some(total));
    assert!(bob.file_info(file).await.unwrap().cached);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_queued_offline_lands_once_after_a_restart() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let (_, room) = room_with(&alice, &[], "offline files").await;
    wait_online(&alice).await;
    server.stop().await;
    wait_for(20, "alice to notice", || async {
        (alice.connection().state != ConnectionState::Online).then_some(())
    })
    .await;

    let bytes = random_bytes(300_000);
    let src = write(dir.path(), "photo.bin", &bytes);
    let local = alice.send_file(room, &src, "offline file").await.unwrap();
    alice.send(room, "after the file").await.unwrap();
    assert!(alice.message(local).await.unwrap().is_some());
    wait_for(20, "a failed attempt", || async {
        alice
            .outbox()
            .await
            .ok()?
            .into_iter()
            .any(|i| matches!(i.state, OutboxState::Retrying { .. }))
            .then_some(())
    })
    .await;
    // A restart of the client: the outbox carries the upload over.
    drop(alice);
    let alice = open(&server, dir.path(), "alice").await;
    assert_eq!(alice.outbox().await.unwrap().len(), 2);
    server.start_again().await;
    wait_outbox_empty(&alice, 40).await;

    let log = server_log(&server, room);
    let bodies: Vec<_> = log
        .iter()
        .filter(|e| e.ty == "message")
        .filter_map(|e| e.body.clone())
        .collect();
    assert_eq!(bodies, ["offline file", "after the file"], "{log:?}");
    let msg = remote(&alice, local).await;
    let path = alice.download(msg.attachments[0]).await.unwrap();
    assert_eq!(std::fs::read(path).unwrap(), bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vanished_source_fails_the_item_and_the_room_moves_on() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let (_, room) = room_with(&alice, &[], "gone").await;
    wait_online(&alice).await;
    server.stop().await;
    let src = write(dir.path(), "gone.bin", &random_bytes(1000));
    alice.send_file(room, &src, "lost").await.unwrap();
    alice.send(room, "still here").await.unwrap();
    std::fs::remove_file(&src).unwrap();
    server.start_again().await;
    let reason = wait_for(30, "the upload to fail", || async {
        alice
            .outbox()
            .await
            .ok()?
            .into_iter()
            .find_map(|i| match i.state {
                OutboxState::Failed { reason } => Some(reason),
                _ => None,
            })
    })
    .await;
    assert!(
        reason.contains("gone") && reason.contains("gone.bin"),
        "{reason}"
    );
    wait_for(20, "the next message", || async {
        remote_bodies(&alice, room)
            .await
            .contains(&"still here".to_owned())
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_and_thumbnails_open_offline() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "pictures").await;

    let img = image::RgbaImage::from_fn(400, 300, |x, y| {
        image::Rgba([
            (x % 256) as u8,
            (y % 256) as u8,
            128,
            if x < 200 { 255 } else { 128 },
        ])
    });
    let png = dir.path().join("picture.png");
    img.save(&png).unwrap();
    let png_bytes = std::fs::read(&png).unwrap();
    let local = alice.send_file(room, &png, "a picture").await.unwrap();
    assert_eq!(
        alice.message(local).await.unwrap().unwrap().kind,
        MessageKind::Image
    );
    let file = remote(&alice, local).await.attachments[0];
    let msg = message_with(&bob, room, file).await;
    assert_eq!(msg.kind, MessageKind::Image);

    let original = bob.download(file).await.unwrap();
    let thumb = bob.thumbnail(file, ThumbnailSize::Small).await.unwrap();
    let decoded = decode(&thumb);
    assert!(decoded.width() <= 64 && decoded.height() <= 64);
    assert_eq!(decoded.width(), 64, "the longer side is 64 px");

    server.stop().await;
    // Offline, and from a fresh client on the same profile.
    drop(bob);
    let bob = open(&server, dir.path(), "bob").await;
    assert_eq!(bob.download(file).await.unwrap(), original);
    assert_eq!(std::fs::read(&original).unwrap(), png_bytes);
    let again = bob.thumbnail(file, ThumbnailSize::Small).await.unwrap();
    assert_eq!(again, thumb);
    assert_eq!(decode(&again).width(), 64);
    // Not cached: the network is needed, and it is not there.
    assert!(
        bob.thumbnail(file, ThumbnailSize::Large).await.is_err(),
        "an uncached thumbnail needs the server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_evicts_least_recently_used_and_keeps_pinned_files() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let mut cfg = config(&server, dir.path(), "bob");
    cfg.file_cache_max_bytes = 130 * 1024;
    let bob = Client::open(cfg).await.unwrap();
    bob.register("bob", "bob@example.test", PASSWORD, None)
        .await
        .unwrap();
    let (_, room) = room_with(&alice, &[&bob], "cache").await;
    let mut ids = Vec::new();
    for (i, name) in ["a.bin", "b.bin", "c.bin", "d.bin"].iter().enumerate() {
        let bytes = random_bytes(40 * 1024 + i);
        ids.push(upload(&alice, room, dir.path(), name, &bytes).await);
    }
    let [a, b, c, d] = [ids[0], ids[1], ids[2], ids[3]];
    message_with(&bob, room, d).await;
    let pause = || tokio::time::sleep(Duration::from_millis(20));

    // a is the oldest but pinned; then b, c (120 KiB, under the cap).
    let pa = bob.download(a).await.unwrap();
    bob.pin(a, true).await.unwrap();
    pause().await;
    let pb = bob.download(b).await.unwrap();
    pause().await;
    let pc = bob.download(c).await.unwrap();
    pause().await;
    // b is used again: c is now the least recently used unpinned file.
    assert_eq!(bob.download(b).await.unwrap(), pb);
    pause().await;
    let pd = bob.download(d).await.unwrap();

    let cached = |id| {
        let bob = bob.clone();
        async move { bob.file_info(id).await.unwrap().cached }
    };
    assert!(cached(a).await, "pinned files stay");
    assert!(cached(b).await, "recently used files stay");
    assert!(!cached(c).await, "the least recently used file goes");
    assert!(cached(d).await, "the file just fetched stays");
    assert!(pa.exists() && pb.exists() && pd.exists());
    assert!(!pc.exists(), "the evicted blob is removed from disk");
    assert!(bob.file_info(a).await.unwrap().pinned);

    // Unpinned, a is now the oldest and goes at the next download.
    bob.pin(a, false).await.unwrap();
    pause().await;
    bob.download(c).await.unwrap();
    assert!(!cached(a).await);
    assert!(!pa.exists());
}
