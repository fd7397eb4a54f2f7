//! TLS for `https://` and `wss://` servers.
//!
//! One rustls configuration serves both the HTTP client and the WebSocket.
//! Certificates are checked by the platform's verifier: the OS trust store
//! on macOS and Windows, the system's CA bundle (`/etc/ssl/certs` and the
//! like) on Linux. A self-hosted server with its own CA is trusted by
//! naming that CA's certificate (a PEM file) in
//! [`ClientConfig::extra_root_certificate`](crate::ClientConfig); it is
//! trusted in addition to the platform's roots, never instead of them.
//!
//! The crypto provider is aws-lc-rs, the one reqwest and the server's S3
//! store already use, so the tree carries one crypto library.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, Invalid, Result};

/// The rustls client configuration for a client of `server_url`. The
/// platform's roots are loaded (a few milliseconds of reading and parsing)
/// only for an `https://` server; a plain `http://` one gets a
/// configuration that is never used.
pub(crate) fn client_config(
    server_url: &str,
    extra_root: Option<&Path>,
) -> Result<Arc<rustls::ClientConfig>> {
    let extra = match extra_root {
        Some(path) => read_certificates(path)?,
        None => Vec::new(),
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let secure = server_url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
    if !secure {
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(extra);
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Network(format!("cannot set up TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        return Ok(Arc::new(config));
    }
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
            .map_err(|e| Error::Network(format!("cannot set up TLS certificate checks: {e}")))?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Network(format!("cannot set up TLS: {e}")))?
        .dangerous()
        // Not dangerous: this is the platform's full verifier, roots and all.
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Every certificate in a PEM file; at least one.
fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let path_text = || path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Invalid::CertificateUnreadable {
        path: path_text(),
        detail: e.to_string(),
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Invalid::CertificateNotPem {
            path: path_text(),
            detail: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(Invalid::CertificateEmpty { path: path_text() }.into());
    }
    Ok(certs)
}

/// What a failed connection says about TLS, if anything: walks the error's
/// sources (and the errors wrapped in `io::Error`s, which `source` skips)
/// down to a rustls error.
pub(crate) fn tls_failure(e: &(dyn std::error::Error + 'static)) -> Option<TlsFailure> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut depth = 0;
    while let Some(err) = cur {
        depth += 1;
        if depth > 32 {
            break;
        }
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(of_rustls(r));
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            if let Some(r) = inner.downcast_ref::<rustls::Error>() {
                return Some(of_rustls(r));
            }
            if let Some(found) = tls_failure(inner) {
                return Some(found);
            }
        }
        cur = err.source();
    }
    None
}

/// A TLS failure, sorted by what the user can do about it.
#[derive(Debug)]
pub(crate) enum TlsFailure {
    /// The certificate was refused (unknown issuer, expired, wrong name).
    Certificate(String),
    /// Anything else in the handshake.
    Handshake(String),
}

fn of_rustls(e: &rustls::Error) -> TlsFailure {
    match e {
        rustls::Error::InvalidCertificate(c) => TlsFailure::Certificate(certificate_reason(c)),
        other => TlsFailure::Handshake(other.to_string()),
    }
}

fn certificate_reason(c: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match c {
        C::UnknownIssuer => "it is signed by an unknown authority (self-signed, or a private CA \
                             not named as an extra root certificate)"
            .into(),
        C::Expired | C::ExpiredContext { .. } => "it has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it was issued for another host name".into()
        }
        C::Revoked => "it has been revoked".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_certificate_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let e = client_config("https://h", Some(&missing))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("extra root certificate") && e.contains("nope.pem"),
            "{e}"
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = client_config("http://h", Some(&empty))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no certificate"), "{e}");
    }

    #[test]
    fn finds_a_certificate_error_inside_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::other(tls);
        match tls_failure(&io) {
            Some(TlsFailure::Certificate(why)) => assert!(why.contains("unknown authority")),
            other => panic!("{other:?}"),
        }
        assert!(tls_failure(&std::io::Error::other("reset")).is_none());
    }
}
