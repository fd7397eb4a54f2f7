//! Where tokens live: the OS keyring when there is one, else a 0600 file.
//!
//! The keyring test needs a session keyring, which a plain headless shell
//! lacks: `scripts/test` runs it under `keyctl session -` with
//! `TERN_TEST_KEYRING=1`. Without that variable it passes at once, and the
//! file test runs instead (it, in turn, stands aside where a keyring
//! works, as on a desktop).

use tern_client_core::{Client, KeyringSecretStore, SecretStore, SecretsBackend};

use crate::helpers::*;

const UNDER_KEYRING: &str = "TERN_TEST_KEYRING";

async fn open_auto(server: &TestServer, dir: &std::path::Path, profile: &str) -> Client {
    let mut cfg = config(server, dir, profile);
    cfg.secrets = SecretsBackend::Auto;
    Client::open(cfg).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyring_keeps_the_session_under_a_session_keyring() {
    if std::env::var_os(UNDER_KEYRING).is_none() {
        eprintln!(
            "skipped: run under `keyctl session -` with {UNDER_KEYRING}=1 (scripts/test does)"
        );
        return;
    }
    let store = KeyringSecretStore::new(format!("tern-test-{}", uuid::Uuid::now_v7().simple()));
    store
        .probe()
        .expect("the keyring answers under keyctl session");
    assert_eq!(store.load("k").unwrap(), None);
    store.save("k", "v1").unwrap();
    store.save("k", "v2").unwrap();
    assert_eq!(store.load("k").unwrap().as_deref(), Some("v2"));
    store.delete("k").unwrap();
    store.delete("k").unwrap();
    assert_eq!(store.load("k").unwrap(), None);

    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    // Tokens an earlier run left in the file move into the keyring.
    let old = tern_client_core::FileSecretStore::new(dir.path().join("carol/secrets.json"));
    std::fs::create_dir_all(dir.path().join("carol")).unwrap();
    old.save("left-over", "x").unwrap();
    let carol = open_auto(&server, dir.path(), "carol").await;
    carol
        .register("carol", "carol@example.test", PASSWORD, None)
        .await
        .unwrap();
    let user_id = carol.account().unwrap().user_id;
    assert!(
        !dir.path().join("carol/secrets.json").exists(),
        "no token file when the keyring works"
    );
    drop(carol);
    let carol = open_auto(&server, dir.path(), "carol").await;
    assert_eq!(
        carol.account().map(|a| a.user_id),
        Some(user_id),
        "restored from the keyring"
    );
    wait_online(&carol).await;
    carol.logout().await.unwrap();
    drop(carol);
    let carol = open_auto(&server, dir.path(), "carol").await;
    assert!(
        carol.account().is_none(),
        "sign-out removes the keyring entry"
    );
    KeyringSecretStore::new(tern_client_core::KEYRING_SERVICE)
        .delete("left-over")
        .unwrap();
}

/// In a plain shell: `Auto` takes the keyring exactly when it answers,
/// and otherwise keeps the tokens in a 0600 file; either way the session
/// is restored at the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_uses_the_keyring_when_it_answers_else_a_0600_file() {
    if std::env::var_os(UNDER_KEYRING).is_some() {
        return;
    }
    let keyring_works = KeyringSecretStore::new(tern_client_core::KEYRING_SERVICE)
        .probe()
        .is_ok();
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let dave = open_auto(&server, dir.path(), "dave").await;
    dave.register("dave", "dave@example.test", PASSWORD, None)
        .await
        .unwrap();
    let user_id = dave.account().unwrap().user_id;
    let file = dir.path().join("dave/secrets.json");
    if keyring_works {
        eprintln!(
            "this machine has a working keyring: the file fallback is covered by a unit test"
        );
        assert!(!file.exists());
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
    drop(dave);
    let dave = open_auto(&server, dir.path(), "dave").await;
    assert_eq!(dave.account().map(|a| a.user_id), Some(user_id));
    wait_online(&dave).await;
    dave.logout().await.unwrap();
}
