//! https and wss: the in-process server behind a TLS-terminating proxy
//! whose certificate is issued, at test time, by a private CA. A client
//! given that CA as its extra root signs in, syncs, hears the WebSocket and
//! sends; a client without it gets a clear certificate error, and its
//! connection says why instead of retrying in silence.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use tern_client_core::{
    Client, ClientConfig, ConnectionProblem, ConnectionState, Error, SecretsBackend,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::helpers::*;

/// A TLS-terminating proxy to `upstream`, counting TLS handshakes begun.
struct TlsProxy {
    addr: SocketAddr,
    /// The CA that issued the proxy's certificate, as a PEM file.
    ca_pem: PathBuf,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsProxy {
    async fn start(upstream: SocketAddr, dir: &Path) -> Self {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Tern test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &ca)
            .unwrap();
        let ca_pem = dir.join("tern-test-ca.pem");
        std::fs::write(&ca_pem, ca.pem()).unwrap();

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), ca.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // An untrusting client aborts the handshake: not an error
                    // of the proxy's.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut up) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                });
            }
        });
        Self {
            addr,
            ca_pem,
            accepted,
            task,
        }
    }

    fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }
}

fn tls_config(proxy: &TlsProxy, dir: &Path, profile: &str, trusted: bool) -> ClientConfig {
    let mut c = ClientConfig::new(proxy.url(), dir, profile);
    c.secrets = SecretsBackend::File;
    c.store_watch_interval = Duration::from_millis(100);
    if trusted {
        c.extra_root_certificate = Some(proxy.ca_pem.clone());
    }
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sync_websocket_and_send_over_https_and_wss() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let proxy = TlsProxy::start(server.addr, dir.path()).await;

    // Alice talks to the server only through the TLS proxy.
    let alice = Client::open(tls_config(&proxy, dir.path(), "alice", true))
        .await
        .unwrap();
    alice
        .register("alice", "alice@example.test", PASSWORD, None)
        .await
        .expect("register over https");
    // Bob talks plain HTTP to the server itself.
    let bob = user(&server, dir.path(), "bob").await;
    let (_, room) = room_with(&alice, &[&bob], "tls").await;
    wait_online(&alice).await;
    assert_eq!(alice.connection_problem(), None);

    // The WebSocket (wss): bob's message reaches alice live.
    let mut events = alice.events();
    bob.send(room, "hello over plain http").await.unwrap();
    wait_event(&mut events, 20, "bob's message over wss", |e| {
        matches!(e, tern_client_core::ClientEvent::TimelineChanged { room_id, .. } if *room_id == room)
    })
    .await;
    wait_for(20, "bob's message stored at alice", || async {
        remote_bodies(&alice, room)
            .await
            .contains(&"hello over plain http".to_owned())
            .then_some(())
    })
    .await;

    // A send (https) lands on the server and reaches bob.
    alice.send(room, "hello over https").await.unwrap();
    wait_outbox_empty(&alice, 20).await;
    wait_for(20, "alice's message at bob", || async {
        remote_bodies(&bob, room)
            .await
            .contains(&"hello over https".to_owned())
            .then_some(())
    })
    .await;

    // A second device signs in over https and its first sync brings both.
    let laptop = Client::open(tls_config(&proxy, dir.path(), "alice-laptop", true))
        .await
        .unwrap();
    laptop
        .login("alice", PASSWORD)
        .await
        .expect("login over https");
    wait_online(&laptop).await;
    wait_for(20, "the laptop's sync", || async {
        let bodies = remote_bodies(&laptop, room).await;
        (bodies.contains(&"hello over plain http".to_owned())
            && bodies.contains(&"hello over https".to_owned()))
        .then_some(())
    })
    .await;
    assert!(proxy.accepted.load(Ordering::SeqCst) >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_a_clear_error_and_no_silent_retry_loop() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let proxy = TlsProxy::start(server.addr, dir.path()).await;

    // Signing in: the caller gets the certificate error itself.
    let stranger = Client::open(tls_config(&proxy, dir.path(), "stranger", false))
        .await
        .unwrap();
    let err = stranger
        .register("stranger", "stranger@example.test", PASSWORD, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Certificate(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("certificate is not trusted") && text.contains("unknown authority"),
        "{text}"
    );
    drop(stranger);

    // A saved session opened without the CA: the sync engine fails on
    // the certificate, says so, and does not hammer the server.
    let alice = Client::open(tls_config(&proxy, dir.path(), "alice", true))
        .await
        .unwrap();
    alice
        .register("alice", "alice@example.test", PASSWORD, None)
        .await
        .unwrap();
    wait_online(&alice).await;
    drop(alice);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = proxy.accepted.load(Ordering::SeqCst);
    let alice = Client::open(tls_config(&proxy, dir.path(), "alice", false))
        .await
        .unwrap();
    assert!(alice.account().is_some(), "the session was restored");
    let problem = wait_for(20, "the certificate problem", || async {
        alice
            .connection_problem()
            .filter(|p| matches!(p, ConnectionProblem::UntrustedCertificate { .. }))
    })
    .await;
    assert_eq!(problem.message_id(), "connection-problem-certificate");
    assert!(
        problem.detail().contains("unknown authority"),
        "{problem:?}"
    );
    assert_eq!(alice.connection().state, ConnectionState::Offline);
    let tr = tern_client_core::i18n::Translator::for_locale("en");
    let shown = tr.tr_args(
        problem.message_id(),
        &[("detail", problem.detail().to_owned().into())],
    );
    assert!(shown.contains("not trusted"), "{shown}");
    // Over the next two seconds it does not try again (a plain network
    // failure would have retried several times by now).
    let after_first = proxy.accepted.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let later = proxy.accepted.load(Ordering::SeqCst);
    assert!(after_first > before, "it did try");
    assert_eq!(later, after_first, "no retry loop");
    assert_eq!(alice.connection().state, ConnectionState::Offline);
}

#[tokio::test]
async fn a_bad_extra_root_certificate_file_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("garbage.pem");
    std::fs::write(
        &pem,
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let mut c = ClientConfig::new("https://localhost:1", dir.path(), "p");
    c.secrets = SecretsBackend::File;
    c.extra_root_certificate = Some(pem);
    let err = Client::open(c).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().contains("garbage.pem"), "{err}");
}
