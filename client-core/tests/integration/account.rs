//! The account's own things: profile and avatar, devices and revoking
//! them, finding people, a room's notification setting, and the file
//! cache's cap changed while running.

use std::time::Duration;

use tern_client_core::protocol::room::NotifyLevel;
use tern_client_core::{Client, Error, FILE_CACHE_MIN_BYTES};

use crate::helpers::*;

fn is_invalid<T: std::fmt::Debug>(r: tern_client_core::Result<T>) -> bool {
    matches!(r, Err(Error::InvalidInput(_)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_changes_name_and_avatar_and_refuses_bad_input() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "profile").await;

    let me = alice.profile().await.unwrap();
    assert_eq!(me.user.username, "alice");
    assert_eq!(me.email, "alice@example.test");
    assert_eq!(me.user.avatar_file_id, None);

    let me = alice.update_profile("  Alice Liddell ").await.unwrap();
    assert_eq!(me.user.display_name, "Alice Liddell");
    // The local copy follows at once: the member list shows the new name.
    let members = alice.members(room).await.unwrap();
    assert!(
        members
            .iter()
            .any(|m| m.username == "alice" && m.name == "Alice Liddell"),
        "{members:?}"
    );

    // Bad names change nothing, and never reach the server.
    for bad in ["", "   ", &"x".repeat(65), "tab\there"] {
        assert!(is_invalid(alice.update_profile(bad).await), "{bad:?}");
    }
    assert_eq!(
        alice.profile().await.unwrap().user.display_name,
        "Alice Liddell"
    );

    // An avatar: a real image, readable by a member of a shared room.
    let png = dir.path().join("face.png");
    image::RgbaImage::from_pixel(64, 64, image::Rgba([200, 80, 40, 255]))
        .save(&png)
        .unwrap();
    let me = alice.set_avatar(Some(&png)).await.unwrap();
    let avatar = me.user.avatar_file_id.expect("an avatar");
    let got = bob.download(avatar).await.unwrap();
    assert_eq!(
        std::fs::read(got).unwrap(),
        std::fs::read(&png).unwrap(),
        "bob reads alice's avatar"
    );

    // Not an image, empty, missing: refused, the avatar stays.
    let pdf = dir.path().join("doc.png");
    std::fs::write(&pdf, b"%PDF-1.7 not a picture").unwrap();
    assert!(is_invalid(alice.set_avatar(Some(&pdf)).await));
    let empty = dir.path().join("empty.png");
    std::fs::write(&empty, b"").unwrap();
    assert!(is_invalid(alice.set_avatar(Some(&empty)).await));
    assert!(is_invalid(
        alice
            .set_avatar(Some(&dir.path().join("missing.png")))
            .await
    ));
    assert_eq!(
        alice.profile().await.unwrap().user.avatar_file_id,
        Some(avatar)
    );

    // Cleared.
    let me = alice.set_avatar(None).await.unwrap();
    assert_eq!(me.user.avatar_file_id, None);

    // Signed out: nothing to ask.
    let stranger = open(&server, dir.path(), "stranger").await;
    assert!(matches!(
        stranger.update_profile("Who").await,
        Err(Error::NotSignedIn)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_are_listed_and_others_revoked_but_not_this_one() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let laptop = user(&server, dir.path(), "carol").await;
    let phone = open(&server, dir.path(), "carol-phone").await;
    phone.login("carol", PASSWORD).await.unwrap();
    let tablet = open(&server, dir.path(), "carol-tablet").await;
    tablet.login("carol", PASSWORD).await.unwrap();

    let sessions = laptop.sessions().await.unwrap();
    assert_eq!(sessions.len(), 3);
    let current: Vec<_> = sessions.iter().filter(|s| s.current).collect();
    assert_eq!(current.len(), 1);
    let me = laptop.account().unwrap();
    assert_eq!(current[0].id, me.session_id);

    // This device's own session is refused: that is signing out.
    assert!(is_invalid(laptop.revoke_session(me.session_id).await));
    assert_eq!(laptop.sessions().await.unwrap().len(), 3);
    // A session that is not the caller's is not found.
    let err = laptop.revoke_session(uuid::Uuid::now_v7()).await;
    assert_eq!(err.as_ref().err().and_then(Error::status), Some(404));

    // The phone goes.
    let phone_session = phone.account().unwrap().session_id;
    laptop.revoke_session(phone_session).await.unwrap();
    let left = laptop.sessions().await.unwrap();
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|s| s.id != phone_session));
    // The phone learns on its next request.
    assert!(matches!(
        phone.sessions().await,
        Err(Error::SessionEnded(_))
    ));

    // Every other device goes; this one stays signed in.
    assert_eq!(laptop.revoke_other_sessions().await.unwrap(), 1);
    let left = laptop.sessions().await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].current);
    assert!(tablet.profile().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_found_by_name_and_a_direct_room_opened() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bobby").await;
    let _outsider = user(&server, dir.path(), "bobcat").await;
    let (ws, _) = room_with(&alice, &[&bob], "people").await;
    bob.update_profile("Robert").await.unwrap();

    // Only people who share a workspace, by username or display name.
    let found = alice.search_users("bob", 20).await.unwrap();
    assert_eq!(
        found
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["bobby"]
    );
    let by_name = alice.search_users("rob", 20).await.unwrap();
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].id, bob.account().unwrap().user_id);

    // Bad input is refused here.
    assert!(is_invalid(alice.search_users(&"b".repeat(101), 20).await));
    assert!(is_invalid(alice.search_users("bob", 0).await));
    assert!(is_invalid(alice.search_users("bob", 101).await));

    let dm = alice.open_direct(ws, by_name[0].id).await.unwrap();
    wait_for(20, "the direct room at bob", || async {
        bob.rooms()
            .await
            .ok()?
            .iter()
            .any(|r| r.id == dm)
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rooms_notification_setting_is_read_back_after_sync() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "quiet").await;

    // A room (not direct) starts at mentions, in the room list too.
    let n = alice.room_notifications(room).await.unwrap();
    assert!(!n.muted);
    assert_eq!(n.notify, NotifyLevel::Mentions);
    let level = |c: &Client| {
        let c = c.clone();
        async move {
            c.rooms()
                .await
                .ok()?
                .into_iter()
                .find(|r| r.id == room)
                .map(|r| r.notify)
        }
    };
    assert_eq!(level(&alice).await, Some(NotifyLevel::Mentions));

    alice
        .set_room_notifications(room, Some(false), Some(NotifyLevel::All))
        .await
        .unwrap();
    wait_for(20, "every message", || async {
        let n = alice.room_notifications(room).await.ok()?;
        (n.notify == NotifyLevel::All && !n.muted).then_some(())
    })
    .await;
    assert_eq!(level(&alice).await, Some(NotifyLevel::All));
    // The other member's level is their own.
    wait_for(20, "bob's room", || async {
        (level(&bob).await == Some(NotifyLevel::Mentions)).then_some(())
    })
    .await;
    alice
        .set_room_notifications(room, Some(true), None)
        .await
        .unwrap();
    wait_for(20, "muted", || async {
        let n = alice.room_notifications(room).await.ok()?;
        n.muted.then_some(())
    })
    .await;

    // A room this device does not know.
    assert!(matches!(
        alice.room_notifications(uuid::Uuid::now_v7()).await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_cap_changes_while_running_and_evicts_at_once() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "cache").await;

    // Three files of 600 KiB each.
    let mut ids = Vec::new();
    for i in 0..3u8 {
        let path = dir.path().join(format!("f{i}.bin"));
        std::fs::write(&path, vec![i; 600 * 1024]).unwrap();
        let local = alice.send_file(room, &path, "").await.unwrap();
        let id = wait_for(20, "the file on the server", || async {
            let m = alice.message(local).await.ok()??;
            m.seq.is_some().then(|| m.attachments[0])
        })
        .await;
        ids.push(id);
    }
    let empty = bob.file_cache_usage().await.unwrap();
    assert_eq!((empty.bytes, empty.entries), (0, 0));
    assert_eq!(empty.max_bytes, 1 << 30);
    for id in &ids {
        bob.download(*id).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bob.pin(ids[0], true).await.unwrap();
    let full = bob.file_cache_usage().await.unwrap();
    assert_eq!(full.entries, 3);
    assert_eq!(full.bytes, 3 * 600 * 1024);
    assert_eq!(full.pinned_bytes, 600 * 1024);

    // Too small: refused, nothing changes.
    assert!(is_invalid(
        bob.set_file_cache_max_bytes(FILE_CACHE_MIN_BYTES - 1).await
    ));
    assert_eq!(bob.file_cache_usage().await.unwrap(), full);

    // 1 MiB: only the pinned file fits beside nothing else.
    let now = bob.set_file_cache_max_bytes(1 << 20).await.unwrap();
    assert_eq!(now.max_bytes, 1 << 20);
    assert_eq!(now.entries, 1, "{now:?}");
    assert!(bob.file_info(ids[0]).await.unwrap().cached);
    assert!(!bob.file_info(ids[1]).await.unwrap().cached);
    assert!(!bob.file_info(ids[2]).await.unwrap().cached);

    // Later downloads keep to the new cap: the file just fetched stays
    // (with the pinned one), the one before it goes.
    bob.download(ids[1]).await.unwrap();
    bob.download(ids[2]).await.unwrap();
    let after = bob.file_cache_usage().await.unwrap();
    assert_eq!(after.entries, 2, "{after:?}");
    assert!(bob.file_info(ids[0]).await.unwrap().cached);
    assert!(!bob.file_info(ids[1]).await.unwrap().cached);
    assert!(bob.file_info(ids[2]).await.unwrap().cached);
}
