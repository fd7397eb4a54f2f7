//! Where the tokens live.
//!
//! Tokens never go into the database. A [`SecretStore`] keeps them: the
//! OS keyring where one is available, else a file only the user can read
//! (mode 0600) in the profile's data dir, with a warning in the log. The
//! trait lets a front end bring its own store (and tests use the file).
//!
//! The keyring is the `keyring` crate's native store: the kernel's
//! keyutils on Linux (the session keyring: it needs no D-Bus, and its
//! secrets last as long as the login session, so a reboot asks for the
//! password again), the Keychain on macOS, the Credential Manager on
//! Windows. [`SecretsBackend::Auto`] checks that the keyring answers (a
//! headless shell often has no session keyring) by writing and reading
//! back a probe entry; when it does, secrets left in the file by an earlier
//! run move into it, and any later call the keyring fails (or a value it
//! does not keep) falls back to the file, with a warning, so that signing
//! in never fails for the keyring's sake.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// A small key-value store for secrets. Calls are short and blocking.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    fn load(&self, key: &str) -> Result<Option<String>>;
    fn save(&self, key: &str, value: &str) -> Result<()>;
    fn delete(&self, key: &str) -> Result<()>;
}

/// Secrets in a JSON file with mode 0600, replaced atomically on write.
#[derive(Debug)]
pub struct FileSecretStore {
    path: PathBuf,
    // Serialises writers in this process; across processes the atomic
    // rename keeps the file whole.
    lock: Mutex<()>,
}

impl FileSecretStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_all(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::Secrets(format!("{} is not readable: {e}", self.path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::io(&self.path, e)),
        }
    }

    fn write_all(&self, map: &BTreeMap<String, String>) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(map).map_err(|e| Error::Secrets(e.to_string()))?;
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        write_private(&tmp, &bytes).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

/// Writes a file only its owner may read.
pub(crate) fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(data)?;
    f.sync_all()
}

impl SecretStore for FileSecretStore {
    fn load(&self, key: &str) -> Result<Option<String>> {
        let _g = self
            .lock
            .lock()
            .map_err(|_| Error::Secrets("lock poisoned".into()))?;
        Ok(self.read_all()?.remove(key))
    }

    fn save(&self, key: &str, value: &str) -> Result<()> {
        let _g = self
            .lock
            .lock()
            .map_err(|_| Error::Secrets("lock poisoned".into()))?;
        let mut map = self.read_all()?;
        map.insert(key.to_owned(), value.to_owned());
        self.write_all(&map)
    }

    fn delete(&self, key: &str) -> Result<()> {
        let _g = self
            .lock
            .lock()
            .map_err(|_| Error::Secrets("lock poisoned".into()))?;
        let mut map = self.read_all()?;
        if map.remove(key).is_some() {
            self.write_all(&map)?;
        }
        Ok(())
    }
}

/// Secrets in the OS keyring, one entry per key under a service name.
#[derive(Debug, Clone)]
pub struct KeyringSecretStore {
    service: String,
}

/// The service name Tern's entries are filed under.
pub const KEYRING_SERVICE: &str = "tern";

fn keyring_error(e: keyring::Error) -> Error {
    Error::Secrets(format!("the OS keyring failed: {e}"))
}

impl KeyringSecretStore {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// Checks that the keyring works here: a probe entry is read, or
    /// written and read back. The entry is left in place (one small
    /// `keyring-probe` entry), so later checks only read, and two clients
    /// starting at once never delete it under each other. Tried twice: a
    /// kernel keyring may miss the very first read of a new process.
    pub fn probe(&self) -> Result<()> {
        if !cfg!(any(
            target_os = "linux",
            target_os = "macos",
            target_os = "windows"
        )) {
            // Elsewhere the crate falls back to an in-memory mock, which
            // would lose the tokens at exit.
            return Err(Error::Secrets("no OS keyring on this platform".into()));
        }
        const KEY: &str = "keyring-probe";
        const VALUE: &str = "ok";
        let mut last = None;
        for _ in 0..2 {
            if let Ok(Some(v)) = self.load(KEY)
                && v == VALUE
            {
                return Ok(());
            }
            if let Err(e) = self.save(KEY, VALUE) {
                last = Some(e);
                continue;
            }
            match self.load(KEY) {
                Ok(Some(v)) if v == VALUE => return Ok(()),
                Ok(_) => {
                    last = Some(Error::Secrets(
                        "the OS keyring did not keep what was written".into(),
                    ))
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::Secrets("the OS keyring did not answer".into())))
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, key).map_err(keyring_error)
    }
}

impl SecretStore for KeyringSecretStore {
    fn load(&self, key: &str) -> Result<Option<String>> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn save(&self, key: &str, value: &str) -> Result<()> {
        self.entry(key)?.set_password(value).map_err(keyring_error)
    }

    fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// Moves whatever the file holds into the keyring, then removes the file.
fn move_into(file: &FileSecretStore, keyring: &KeyringSecretStore) -> Result<()> {
    let all = {
        let _g = file
            .lock
            .lock()
            .map_err(|_| Error::Secrets("lock poisoned".into()))?;
        file.read_all()?
    };
    if all.is_empty() {
        return Ok(());
    }
    for (k, v) in &all {
        keyring.save(k, v)?;
    }
    std::fs::remove_file(file.path()).map_err(|e| Error::io(file.path(), e))?;
    tracing::info!(
        moved = all.len(),
        "secrets moved from the file into the OS keyring"
    );
    Ok(())
}

/// Which secret store a client uses.
#[derive(Clone, Debug, Default)]
pub enum SecretsBackend {
    /// The OS keyring when this build has one and it answers; else the
    /// 0600 file, with a warning.
    #[default]
    Auto,
    /// Always the 0600 file in the data dir.
    File,
    /// Always the OS keyring; signing in fails where it does not work.
    Keyring,
    /// A store the front end provides.
    Custom(std::sync::Arc<dyn SecretStore>),
}

/// Picks the store for a profile.
pub(crate) fn open(backend: &SecretsBackend, data_dir: &Path) -> std::sync::Arc<dyn SecretStore> {
    let file = || std::sync::Arc::new(FileSecretStore::new(data_dir.join("secrets.json")));
    match backend {
        SecretsBackend::Custom(s) => s.clone(),
        SecretsBackend::File => file(),
        SecretsBackend::Keyring => std::sync::Arc::new(KeyringSecretStore::new(KEYRING_SERVICE)),
        SecretsBackend::Auto => {
            let keyring = KeyringSecretStore::new(KEYRING_SERVICE);
            let probe = keyring.probe();
            auto(probe, keyring, data_dir)
        }
    }
}

/// [`SecretsBackend::Auto`] once the keyring answered its probe: the
/// keyring, and the 0600 file for any call the keyring fails. A keyring
/// can pass the probe and still fail later (a session keyring that another
/// thread of the process does not see, a link the kernel refuses): signing
/// in must not fail for that. A value saved is read back before it counts
/// as kept.
#[derive(Debug)]
struct KeyringOrFile {
    keyring: std::sync::Arc<dyn SecretStore>,
    file: FileSecretStore,
}

impl KeyringOrFile {
    fn fell_back(&self, what: &str, e: &Error) {
        tracing::warn!(
            path = %self.file.path().display(),
            reason = %e,
            "the OS keyring failed to {what} a secret: using the file only you can read"
        );
    }
}

impl SecretStore for KeyringOrFile {
    fn load(&self, key: &str) -> Result<Option<String>> {
        match self.keyring.load(key) {
            Ok(Some(v)) => Ok(Some(v)),
            Ok(None) => self.file.load(key),
            Err(e) => {
                self.fell_back("read", &e);
                self.file.load(key)
            }
        }
    }

    fn save(&self, key: &str, value: &str) -> Result<()> {
        let kept = self
            .keyring
            .save(key, value)
            .and_then(|()| match self.keyring.load(key)? {
                Some(v) if v == value => Ok(()),
                _ => Err(Error::Secrets(
                    "the OS keyring did not keep what was written".into(),
                )),
            });
        match kept {
            Ok(()) => self.file.delete(key),
            Err(e) => {
                self.fell_back("keep", &e);
                let _ = self.keyring.delete(key);
                self.file.save(key, value)
            }
        }
    }

    fn delete(&self, key: &str) -> Result<()> {
        if let Err(e) = self.keyring.delete(key) {
            self.fell_back("delete", &e);
        }
        self.file.delete(key)
    }
}

/// [`SecretsBackend::Auto`] once the keyring has been probed.
fn auto(
    probe: Result<()>,
    keyring: KeyringSecretStore,
    data_dir: &Path,
) -> std::sync::Arc<dyn SecretStore> {
    let path = data_dir.join("secrets.json");
    match probe {
        Ok(()) => {
            if let Err(e) = move_into(&FileSecretStore::new(&path), &keyring) {
                tracing::warn!(error = %e, "cannot move secrets from the file into the OS keyring");
            }
            std::sync::Arc::new(KeyringOrFile {
                keyring: std::sync::Arc::new(keyring),
                file: FileSecretStore::new(path),
            })
        }
        Err(e) => {
            tracing::warn!(
                path = %path.display(),
                reason = %e,
                "no OS keyring: tokens are kept in a file only you can read"
            );
            std::sync::Arc::new(FileSecretStore::new(path))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trips_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileSecretStore::new(dir.path().join("secrets.json"));
        assert_eq!(s.load("k").unwrap(), None);
        s.save("k", "v1").unwrap();
        s.save("other", "x").unwrap();
        assert_eq!(s.load("k").unwrap().as_deref(), Some("v1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(s.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        s.delete("k").unwrap();
        assert_eq!(s.load("k").unwrap(), None);
        assert_eq!(s.load("other").unwrap().as_deref(), Some("x"));
    }

    /// An OS keyring that passed its probe but then misbehaves: fails every
    /// call, or takes writes and loses them.
    #[derive(Debug)]
    struct BrokenKeyring {
        forgets: bool,
    }

    impl SecretStore for BrokenKeyring {
        fn load(&self, _: &str) -> Result<Option<String>> {
            if self.forgets {
                Ok(None)
            } else {
                Err(Error::Secrets(
                    "No matching entry found in secure storage".into(),
                ))
            }
        }
        fn save(&self, _: &str, _: &str) -> Result<()> {
            if self.forgets {
                Ok(())
            } else {
                Err(Error::Secrets(
                    "No matching entry found in secure storage".into(),
                ))
            }
        }
        fn delete(&self, _: &str) -> Result<()> {
            Err(Error::Secrets(
                "No matching entry found in secure storage".into(),
            ))
        }
    }

    #[test]
    fn auto_keeps_secrets_in_the_file_when_the_keyring_fails_after_its_probe() {
        for forgets in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let store = KeyringOrFile {
                keyring: std::sync::Arc::new(BrokenKeyring { forgets }),
                file: FileSecretStore::new(dir.path().join("secrets.json")),
            };
            store.save("k", "v").unwrap();
            assert_eq!(store.load("k").unwrap().as_deref(), Some("v"));
            let file = FileSecretStore::new(dir.path().join("secrets.json"));
            assert_eq!(file.load("k").unwrap().as_deref(), Some("v"));
            store.delete("k").unwrap();
            assert_eq!(store.load("k").unwrap(), None);
        }
    }

    /// With a keyring that works, nothing is left in the file: a value an
    /// earlier fallback put there goes when the keyring takes it.
    #[test]
    fn auto_prefers_a_working_keyring_and_clears_the_file() {
        #[derive(Debug, Default)]
        struct Memory(Mutex<BTreeMap<String, String>>);
        impl SecretStore for Memory {
            fn load(&self, k: &str) -> Result<Option<String>> {
                Ok(self.0.lock().unwrap().get(k).cloned())
            }
            fn save(&self, k: &str, v: &str) -> Result<()> {
                self.0.lock().unwrap().insert(k.into(), v.into());
                Ok(())
            }
            fn delete(&self, k: &str) -> Result<()> {
                self.0.lock().unwrap().remove(k);
                Ok(())
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let file = FileSecretStore::new(dir.path().join("secrets.json"));
        file.save("k", "old").unwrap();
        let store = KeyringOrFile {
            keyring: std::sync::Arc::new(Memory::default()),
            file: FileSecretStore::new(dir.path().join("secrets.json")),
        };
        store.save("k", "new").unwrap();
        assert_eq!(file.load("k").unwrap(), None);
        assert_eq!(store.load("k").unwrap().as_deref(), Some("new"));
    }

    #[test]
    fn auto_without_a_keyring_uses_the_0600_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = auto(
            Err(Error::Secrets("no session keyring".into())),
            KeyringSecretStore::new("tern-unit-test"),
            dir.path(),
        );
        store.save("k", "v").unwrap();
        let file = FileSecretStore::new(dir.path().join("secrets.json"));
        assert_eq!(file.load("k").unwrap().as_deref(), Some("v"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
