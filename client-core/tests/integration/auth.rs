//! Sessions: restore at start, profiles side by side, logout, and access
//! tokens expiring in the middle of syncing.

use std::time::Duration;

use tern_client_core::{ClientEvent, ConnectionState};

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_restore_and_profiles_live_side_by_side() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let a_id = alice.account().unwrap().user_id;
    let b_id = bob.account().unwrap().user_id;
    assert_ne!(a_id, b_id);
    drop(alice);
    let alice = open(&server, dir.path(), "alice").await;
    assert_eq!(alice.account().unwrap().user_id, a_id);
    wait_online(&alice).await;
    assert_eq!(bob.account().unwrap().user_id, b_id);

    // Tokens are in a 0600 file in the profile, never in the database.
    let secrets = dir.path().join("alice").join("secrets.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secrets).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let db = std::fs::read(dir.path().join("alice").join("tern.db")).unwrap();
    let saved: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(&secrets).unwrap()).unwrap();
    let tokens: serde_json::Value = serde_json::from_str(saved.values().next().unwrap()).unwrap();
    let needle = tokens["refresh_token"].as_str().unwrap();
    assert!(needle.len() > 20);
    assert!(!db.windows(needle.len()).any(|w| w == needle.as_bytes()));

    // A wrong password is a permanent error; logging in again works.
    let other = open(&server, dir.path(), "alice-laptop").await;
    let err = other.login("alice", "wrong password!").await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!err.is_transient());
    other.login("alice@example.test", PASSWORD).await.unwrap();
    assert_eq!(other.account().unwrap().user_id, a_id);

    // Logout forgets the session and the data.
    alice.logout().await.unwrap();
    assert!(alice.account().is_none());
    drop(alice);
    let alice = open(&server, dir.path(), "alice").await;
    assert!(alice.account().is_none());
    assert!(alice.rooms().await.is_err());
    // The other profile of the same user is untouched.
    wait_online(&other).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expiring_mid_sync_are_refreshed_transparently() {
    let server = TestServer::start_with(|c| c.access_ttl = Duration::from_secs(1)).await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "tokens").await;
    let mut events = bob.events();
    for i in 0..12 {
        alice.send(room, &format!("tick {i}")).await.unwrap();
        if i % 3 == 0 {
            // New sockets and syncs present expired tokens.
            bob.reconnect();
            alice.reconnect();
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    wait_outbox_empty(&alice, 30).await;
    wait_for(30, "bob to receive every tick", || async {
        let b = remote_bodies(&bob, room).await;
        (b.iter().filter(|x| x.starts_with("tick")).count() == 12).then_some(())
    })
    .await;
    wait_online(&bob).await;
    while let Some(e) = events.try_recv() {
        assert!(
            !matches!(e, ClientEvent::SessionEnded { .. }),
            "the session must survive expiry"
        );
    }
    assert!(bob.connection().last_sync.is_some());
    // The rotated refresh token was saved: a restarted client goes on.
    drop(bob);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let bob = open(&server, dir.path(), "bob").await;
    wait_online(&bob).await;
    alice.send(room, "after restart").await.unwrap();
    wait_for(20, "bob after restart", || async {
        remote_bodies(&bob, room)
            .await
            .iter()
            .any(|b| b == "after restart")
            .then_some(())
    })
    .await;
    assert_eq!(bob.connection().state, ConnectionState::Online);
}
