//! Credentials: argon2id password hashes, HS256 access tokens (JWT), opaque
//! refresh tokens, and the per-key rate limiter for the auth endpoints.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tern_protocol::{SessionId, UserId};

/// Argon2id cost: memory in KiB and passes.
#[derive(Clone, Copy, Debug)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub passes: u32,
}

impl Default for PasswordCost {
    /// OWASP's argon2id minimum: 19 MiB, 2 passes.
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            passes: 2,
        }
    }
}

fn argon2(cost: PasswordCost) -> Result<Argon2<'static>, String> {
    let params = Params::new(cost.memory_kib, cost.passes, 1, None).map_err(|e| e.to_string())?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// At most one argon2 computation per core at a time: each takes ~19 MiB,
/// and a burst of sign-ins must not grow the heap without bound.
fn hashing_gate() -> &'static tokio::sync::Semaphore {
    static GATE: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    })
}

/// Hashes on a blocking thread: argon2 is deliberately slow.
pub async fn hash_password(password: String, cost: PasswordCost) -> Result<String, String> {
    let _permit = hashing_gate().acquire().await.map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || {
        let a = argon2(cost)?;
        a.hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Verifies on a blocking thread; false for a wrong password or a bad hash.
pub async fn verify_password(password: String, hash: String) -> bool {
    let Ok(_permit) = hashing_gate().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A password hash nobody can match, verified against when the login names
/// no user, so that the answer takes as long either way.
pub fn dummy_hash(cost: PasswordCost) -> String {
    argon2(cost)
        .ok()
        .and_then(|a| a.hash_password(b"tern-no-such-user").ok())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // getrandom fails only where the OS has no entropy source at all.
    if getrandom::fill(&mut buf).is_err() {
        buf.iter_mut()
            .zip(uuid::Uuid::now_v7().as_bytes().iter().cycle())
            .for_each(|(b, u)| *b = *u);
    }
    B64.encode(buf)
}

pub fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: UserId,
    pub sid: SessionId,
    /// A server admin (takes effect for new tokens after a role change).
    #[serde(default)]
    pub adm: bool,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

/// Signs and checks HS256 JWTs.
pub struct Jwt {
    key: Vec<u8>,
    pub ttl: Duration,
}

const JWT_HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"; // {"alg":"HS256","typ":"JWT"}

impl Jwt {
    pub fn new(key: Vec<u8>, ttl: Duration) -> Self {
        Self { key, ttl }
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        // HMAC takes a key of any length, so this cannot fail; an empty
        // signature would only fail verification.
        let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key) else {
            return Vec::new();
        };
        m.update(data);
        m.finalize().into_bytes().to_vec()
    }

    pub fn issue(&self, user: UserId, session: SessionId, admin: bool) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims {
            sub: user,
            sid: session,
            adm: admin,
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
        };
        let payload = B64.encode(serde_json::to_vec(&claims).unwrap_or_default());
        let signing = format!("{JWT_HEADER}.{payload}");
        let sig = B64.encode(self.mac(signing.as_bytes()));
        format!("{signing}.{sig}")
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Invalid);
        };
        if h != JWT_HEADER {
            return Err(TokenError::Invalid);
        }
        let sig = B64.decode(s).map_err(|_| TokenError::Invalid)?;
        let signing = &token[..h.len() + 1 + p.len()];
        let expected = self.mac(signing.as_bytes());
        if !constant_time_eq(&sig, &expected) {
            return Err(TokenError::Invalid);
        }
        let payload = B64.decode(p).map_err(|_| TokenError::Invalid)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Invalid)?;
        if claims.exp <= time::OffsetDateTime::now_utc().unix_timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fixed-window counter per key: at most `max` hits per `window`.
pub struct RateLimiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit; `Err(seconds)` to wait when over the limit.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut hits) = self.hits.lock() else {
            return Ok(());
        };
        if hits.len() > 100_000 {
            let window = self.window;
            hits.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = hits.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs() + 1);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Sessions revoked recently enough that their access tokens may still be
/// alive; checked on every request so a revoke takes effect at once.
#[derive(Default)]
pub struct Revoked(RwLock<HashSet<SessionId>>);

impl Revoked {
    pub fn insert(&self, id: SessionId) {
        if let Ok(mut s) = self.0.write() {
            s.insert(id);
        }
    }

    pub fn contains(&self, id: &SessionId) -> bool {
        self.0.read().map(|s| s.contains(id)).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_round_trip_and_tamper() {
        let jwt = Jwt::new(b"k".repeat(32), Duration::from_secs(60));
        let (u, s) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let t = jwt.issue(u, s, false);
        let c = jwt.verify(&t).expect("valid");
        assert_eq!((c.sub, c.sid), (u, s));
        // Change the first character of the signature, which carries full
        // bits (the last one may only hold padding bits).
        let sig = t.rfind('.').expect("three parts") + 1;
        let first = &t[sig..sig + 1];
        let bad = format!(
            "{}{}{}",
            &t[..sig],
            if first == "A" { "B" } else { "A" },
            &t[sig + 1..]
        );
        assert_eq!(jwt.verify(&bad).err(), Some(TokenError::Invalid));
        let other = Jwt::new(b"x".repeat(32), Duration::from_secs(60));
        assert_eq!(other.verify(&t).err(), Some(TokenError::Invalid));
        let expired = Jwt::new(b"k".repeat(32), Duration::from_secs(0));
        assert_eq!(
            jwt.verify(&expired.issue(u, s, false)).err(),
            Some(TokenError::Expired)
        );
    }

    #[test]
    fn rate_limiter_counts_per_key() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        assert!(rl.hit("a").is_ok());
        assert!(rl.hit("a").is_ok());
        assert!(rl.hit("a").is_err());
        assert!(rl.hit("b").is_ok());
    }

    #[tokio::test]
    async fn password_hash_verifies() {
        let cost = PasswordCost {
            memory_kib: 64,
            passes: 1,
        };
        let h = hash_password("correct horse".into(), cost)
            .await
            .expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), h.clone()).await);
        assert!(!verify_password("wrong".into(), h).await);
    }
}
