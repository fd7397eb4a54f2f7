//! The local store: one SQLite file per profile (`tern.db`, WAL mode).
//!
//! A [`Store`] owns one writer connection and one reader connection. Both
//! are used on blocking threads (`spawn_blocking`), never across a network
//! call, so a read never waits on the network: at worst it waits for a
//! local write to finish. WAL lets the reader read while the writer writes,
//! and lets another process (a second front end on the same profile) do the
//! same; writes take the lock up front (`BEGIN IMMEDIATE`) so two writers
//! queue on SQLite's busy timeout instead of failing on a lock upgrade.
//!
//! The schema lives in `migrations/client/` as numbered SQL files, applied
//! in order and counted in `PRAGMA user_version`.
//!
//! Checkpoints (copying the WAL back into the database file) run on a
//! thread of the store's own, never inside a commit: SQLite's automatic
//! checkpoint made every thousandth page written stall its commit for a
//! copy and two syncs, several milliseconds that landed on whichever send
//! or live event happened to cross the line. A client writes in short
//! bursts, so the checkpoint that follows a burst copies everything and the
//! next write starts the WAL over; should writes go on without a pause
//! long enough for that, a write hands itself the rest once the WAL is
//! large (`wal_large`), which bounds the file.

pub(crate) mod apply;
pub(crate) mod query;
pub(crate) mod search;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_init",
        include_str!("../../../migrations/client/0001_init.sql"),
    ),
    (
        "0002_files",
        include_str!("../../../migrations/client/0002_files.sql"),
    ),
    (
        "0003_events_target_seq",
        include_str!("../../../migrations/client/0003_events_target_seq.sql"),
    ),
    (
        "0004_messages_pk_by_time",
        include_str!("../../../migrations/client/0004_messages_pk_by_time.sql"),
    ),
    (
        "0005_fts_backlog",
        include_str!("../../../migrations/client/0005_fts_backlog.sql"),
    ),
    (
        "0006_drop_messages_created",
        include_str!("../../../migrations/client/0006_drop_messages_created.sql"),
    ),
];

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

/// How long a write waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the checkpoint thread copies the WAL back.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// WAL frames (pages) above which a write finishes the checkpoint itself.
const WAL_LARGE_FRAMES: i64 = 8192;

#[derive(Clone)]
pub(crate) struct Store {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    reader: Arc<Mutex<Connection>>,
    activity: Arc<Activity>,
    checkpoints: Arc<Checkpoints>,
}

/// When this store was last written to, and a wake-up for whoever waits
/// for writes (the full-text indexer, which waits for a quiet writer).
struct Activity {
    opened: Instant,
    /// Milliseconds from `opened` to the end of the last write.
    last_write_ms: AtomicU64,
    written: tokio::sync::Notify,
}

/// The checkpoint thread's side of the store; dropping the last store
/// stops the thread.
struct Checkpoints {
    /// Set when a pass left a large WAL behind (writes never paused).
    wal_large: Arc<AtomicBool>,
    _stop: std::sync::mpsc::Sender<()>,
}

fn checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

fn checkpoint_loop(conn: Connection, stop: std::sync::mpsc::Receiver<()>, large: &AtomicBool) {
    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY)
    {
        match checkpoint(&conn) {
            // (busy, frames in the WAL, frames copied back)
            Ok((_, log, _)) => large.store(log > WAL_LARGE_FRAMES, Ordering::Release),
            Err(e) => tracing::debug!(error = %e, "store: checkpoint failed"),
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn open_conn(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Plans that do not depend on the values bound: without this, SQLite
    // re-prepares (parses and plans again) a statement whose plan looked
    // at a bound value every time that value changes, which made applying
    // each event parse SQL (a third of a catch-up's time).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // The apply path alone keeps more than rusqlite's default of 16
    // statements in use.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    Ok(conn)
}

/// Applies the migrations not yet applied; returns how many ran.
pub(crate) fn migrate(conn: &mut Connection) -> Result<usize> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let applied: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(Error::Store(format!(
            "the local database is at schema version {applied}, newer than this build knows ({}); \
             upgrade Tern",
            MIGRATIONS.len()
        )));
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(sql)
            .map_err(|e| Error::Store(format!("migration {name} failed: {e}")))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tracing::info!(migration = name, "applied client migration");
    }
    tx.commit()?;
    Ok(MIGRATIONS.len() - applied)
}

impl Store {
    /// Opens (creating and migrating if needed) the store at `path`.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let mut writer = open_conn(path, OpenFlags::default())?;
        migrate(&mut writer)?;
        // Checkpoints happen on the thread below, not inside commits.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        let reader = open_conn(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let checkpointer = open_conn(path, OpenFlags::default())?;
        let (stop, stopped) = std::sync::mpsc::channel();
        let wal_large = Arc::new(AtomicBool::new(false));
        let large = wal_large.clone();
        std::thread::Builder::new()
            .name("tern-store-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpointer, stopped, &large))
            .map_err(|e| Error::Store(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self {
            path: path.to_owned(),
            writer: Arc::new(Mutex::new(writer)),
            reader: Arc::new(Mutex::new(reader)),
            activity: Arc::new(Activity {
                opened: Instant::now(),
                last_write_ms: AtomicU64::new(0),
                written: tokio::sync::Notify::new(),
            }),
            checkpoints: Arc::new(Checkpoints {
                wal_large,
                _stop: stop,
            }),
        })
    }

    /// Runs `f` in one immediate transaction on the writer, off the async
    /// threads; commits when `f` succeeds.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let out = self.write_unnoticed(f).await;
        let a = &self.activity;
        a.last_write_ms
            .store(a.opened.elapsed().as_millis() as u64, Ordering::Relaxed);
        a.written.notify_one();
        out
    }

    /// [`Store::write`] that does not count as activity: for the
    /// background work that waits for a quiet writer.
    pub(crate) async fn write_unnoticed<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let writer = self.writer.clone();
        let large = self.checkpoints.wal_large.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = writer
                .lock()
                .map_err(|_| Error::Store("the writer connection is poisoned".into()))?;
            if large.swap(false, Ordering::AcqRel)
                && let Err(e) = checkpoint(&conn)
            {
                tracing::debug!(error = %e, "store: checkpoint before a write failed");
            }
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(|e| Error::Store(format!("write task failed: {e}")))?
    }

    /// How long ago the last [`Store::write`] ended.
    pub(crate) fn since_last_write(&self) -> Duration {
        let a = &self.activity;
        let now = a.opened.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(a.last_write_ms.load(Ordering::Relaxed)))
    }

    /// Resolves after the next [`Store::write`] (or at once if one ended
    /// since the last call).
    pub(crate) async fn written(&self) {
        self.activity.written.notified().await
    }

    /// Runs `f` on the reader connection, off the async threads.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let reader = self.reader.clone();
        tokio::task::spawn_blocking(move || {
            let conn = reader
                .lock()
                .map_err(|_| Error::Store("the reader connection is poisoned".into()))?;
            // A read transaction gives one consistent snapshot.
            conn.execute_batch("BEGIN")?;
            let out = f(&conn);
            let _ = conn.execute_batch("COMMIT");
            out
        })
        .await
        .map_err(|e| Error::Store(format!("read task failed: {e}")))?
    }

    /// Synchronous write for `Drop` paths, where no runtime may be running.
    pub(crate) fn write_blocking<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self
            .writer
            .lock()
            .map_err(|_| Error::Store("the writer connection is poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// SQLite's counter of commits made by *other* connections to this file
    /// (another `Client`, another process): when it moves, the UI refreshes.
    pub(crate) async fn data_version(&self) -> Result<i64> {
        // Asked of the writer: its own commits do not move its counter, so
        // only other connections' writes show.
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let conn = writer
                .lock()
                .map_err(|_| Error::Store("the writer connection is poisoned".into()))?;
            Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
        })
        .await
        .map_err(|e| Error::Store(format!("read task failed: {e}")))?
    }
}

/// Bits of `messages.pk` below the creation time: `pk` is
/// `created_at << PK_SHIFT` plus a counter within the millisecond, so the
/// full-text index (keyed by `pk`) lists messages in time order and search
/// can read it newest first and stop at the page it wants.
pub(crate) const PK_SHIFT: u32 = 20;

/// The `pk`s of messages created at `created_ms` (`lo..hi`), for a time
/// inside 1970-01-01T00:17:28Z..2109.
pub(crate) fn pk_range(created_ms: i64) -> Option<(i64, i64)> {
    (1i64 << 20..1i64 << 42)
        .contains(&created_ms)
        .then(|| (created_ms << PK_SHIFT, (created_ms + 1) << PK_SHIFT))
}

/// The `pk` for a new message created at `created_ms`: the next free one
/// in that millisecond. `None` (SQLite picks one) for a time outside
/// 1970-01-01T00:17:28Z..2109 (below it pks of the old numbering may
/// live) or a millisecond that is full.
pub(crate) fn message_pk(conn: &Connection, created_ms: i64) -> Result<Option<i64>> {
    let Some((lo, hi)) = pk_range(created_ms) else {
        return Ok(None);
    };
    let max: Option<i64> = conn
        .prepare_cached("SELECT max(pk) FROM messages WHERE pk >= ?1 AND pk < ?2")?
        .query_row([lo, hi], |r| r.get(0))?;
    Ok(match max {
        None => Some(lo),
        Some(m) if m + 1 < hi => Some(m + 1),
        Some(_) => None,
    })
}

/// Unix milliseconds now.
pub(crate) fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn to_ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn from_ms(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// A serde enum as its wire string (`"joined"`).
pub(crate) fn enum_str<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The reverse of [`enum_str`].
pub(crate) fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

pub(crate) fn parse_uuid(s: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tern.db");
        let mut conn = open_conn(&path, OpenFlags::default()).unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len());
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(migrate(&mut conn).is_err());
    }

    #[test]
    fn message_pks_follow_time_and_count_within_a_millisecond() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("tern.db")).unwrap();
        let conn = store.writer.lock().unwrap();
        let insert = |id: &str, at: i64| {
            let pk = message_pk(&conn, at).unwrap();
            conn.execute(
                "INSERT INTO messages (pk, id, room_id, sender_id, created_at, body)
                 VALUES (?1, ?2, 'r', 's', ?3, 'hello')",
                rusqlite::params![pk, id, at],
            )
            .unwrap();
            pk
        };
        let t = 1_700_000_000_000;
        assert_eq!(insert("b", t + 5), Some((t + 5) << PK_SHIFT));
        assert_eq!(insert("a", t), Some(t << PK_SHIFT));
        assert_eq!(insert("a2", t), Some((t << PK_SHIFT) + 1));
        assert_eq!(message_pk(&conn, -1).unwrap(), None);
        assert_eq!(message_pk(&conn, 7).unwrap(), None);
        assert_eq!(message_pk(&conn, 1 << 50).unwrap(), None);
        let tx = conn.unchecked_transaction().unwrap();
        assert_eq!(search::index_backlog(&tx, 10).unwrap(), 3);
        tx.commit().unwrap();
        // The index lists them newest first by time, not by insertion.
        let ids: Vec<String> = conn
            .prepare("SELECT m.id FROM messages_fts CROSS JOIN messages m ON m.pk = messages_fts.rowid WHERE messages_fts MATCH 'hello' ORDER BY messages_fts.rowid DESC")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(ids, vec!["b", "a2", "a"]);
    }

    #[test]
    fn migration_4_renumbers_messages_by_time_and_keeps_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tern.db");
        let mut conn = open_conn(&path, OpenFlags::default()).unwrap();
        let tx = conn.transaction().unwrap();
        for (name, sql) in &MIGRATIONS[..3] {
            tx.execute_batch(sql)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        tx.pragma_update(None, "user_version", 3).unwrap();
        tx.commit().unwrap();
        let t = 1_700_000_000_000i64;
        for (id, at) in [("new", t + 5), ("old", t), ("old2", t), ("epoch", 7)] {
            conn.execute(
                "INSERT INTO messages (id, room_id, sender_id, created_at, body)
                 VALUES (?1, 'r', 's', ?2, 'ёлка')",
                rusqlite::params![id, at],
            )
            .unwrap();
        }
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len() - 3);
        let rows: Vec<(String, i64)> = conn
            .prepare("SELECT m.id, m.pk FROM messages_fts CROSS JOIN messages m ON m.pk = messages_fts.rowid WHERE messages_fts MATCH 'елка' ORDER BY messages_fts.rowid DESC")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                ("new".to_owned(), (t + 5) << PK_SHIFT),
                ("old2".to_owned(), (t << PK_SHIFT) + 1),
                ("old".to_owned(), t << PK_SHIFT),
                ("epoch".to_owned(), 4),
            ]
        );
    }

    fn wal_file(store: &Store) -> (u64, [u8; 8]) {
        let mut wal = store.path.as_os_str().to_owned();
        wal.push("-wal");
        let bytes = std::fs::read(wal).unwrap();
        (bytes.len() as u64, bytes[16..24].try_into().unwrap())
    }

    /// Regression: SQLite's automatic checkpoint ran inside every commit
    /// that took the WAL past 1,000 pages, a copy and two syncs on the
    /// path of a send or a live event (the p95 of `latency-client`). Now
    /// commits only append, and the store's own thread copies the WAL back,
    /// after which the next write starts it over.
    #[test]
    fn commits_never_checkpoint_and_the_wal_starts_over_after_a_burst() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("tern.db")).unwrap();
        store
            .write_blocking(|tx| {
                tx.execute_batch("CREATE TABLE t (v BLOB NOT NULL) STRICT")?;
                Ok(())
            })
            .unwrap();
        // About 6,000 pages in a burst: with checkpoints in commits the
        // WAL would start over at every 1,000.
        for _ in 0..60 {
            store
                .write_blocking(|tx| {
                    for _ in 0..100 {
                        tx.execute("INSERT INTO t (v) VALUES (zeroblob(3500))", [])?;
                    }
                    Ok(())
                })
                .unwrap();
        }
        let (len, salts) = wal_file(&store);
        assert!(len > 1_500 * 4096, "the WAL holds only {len} bytes");
        // After a pause the checkpoint thread has copied everything back,
        // and the next write starts the WAL over (new salts).
        std::thread::sleep(CHECKPOINT_EVERY * 3);
        store
            .write_blocking(|tx| {
                tx.execute("INSERT INTO t (v) VALUES (x'00')", [])?;
                Ok(())
            })
            .unwrap();
        assert_ne!(wal_file(&store).1, salts, "the WAL did not start over");
    }

    #[test]
    fn every_table_is_strict() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("tern.db")).unwrap();
        let conn = store.writer.lock().unwrap();
        let mut stmt = conn
            .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'messages_fts%'")
            .unwrap();
        let rows: Vec<(String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(rows.len() >= 10, "{rows:?}");
        for (name, strict) in rows {
            assert_eq!(strict, 1, "table {name} is not STRICT");
        }
    }
}
