//! The SQLite engine under the embedded store: one writer thread with group
//! commit, and a small pool of reader connections.
//!
//! Every write is a closure sent to the writer thread. The thread takes the
//! first closure waiting, then every other one already queued (up to a
//! batch), and runs them all inside one `BEGIN IMMEDIATE ... COMMIT`, each in
//! its own savepoint so that one failing write rolls back alone. Callers hear
//! back only after the commit, so an acknowledged write is on disk (in the
//! WAL) and survives `kill -9`. Under load this turns thousands of small
//! transactions into a few large ones: the fsync and lock costs are paid per
//! batch, not per write.
//!
//! Events appended by a batch are handed to the commit hook, in seq order,
//! right after the commit and before the next batch starts: that is how the
//! fan-out sees every room's events in order.
//!
//! Readers are separate connections (WAL lets them read while the writer
//! writes); a read borrows one on a blocking thread.
//!
//! Checkpoints (copying the WAL back into the database) run on a thread of
//! their own, so a commit never waits for one. But SQLite only starts the
//! WAL over from its beginning when a write transaction begins while every
//! frame in it has been copied back, and under steady writes a checkpoint
//! that runs beside the writer never catches up with it: the WAL then grows
//! without bound (gigabytes a minute at full send rate), and every commit
//! writes to new, unallocated file space. So after each background pass
//! that left frames behind, the writer copies the few frames written during
//! that pass itself, between two batches; its next transaction then starts
//! the WAL over, and commits overwrite pages the file already has.
//!
//! The access generation counts committed batches that may have changed who
//! may do what (membership, roles, room settings): every write does, unless
//! it was sent with [`Db::write_keeping_access`] (appending messages,
//! reactions, edits, deletes). Caches of permission facts tag each entry with
//! the generation read before loading it, and drop entries whose tag is not
//! the current generation.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use tern_protocol::Event;
use tokio::sync::{Semaphore, oneshot};

use super::{StoreError, StoreResult};

const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_init",
        include_str!("../../../migrations/server-sqlite/0001_init.sql"),
    ),
    (
        "0002_files_keys",
        include_str!("../../../migrations/server-sqlite/0002_files_keys.sql"),
    ),
    (
        "0003_room_txns",
        include_str!("../../../migrations/server-sqlite/0003_room_txns.sql"),
    ),
    (
        "0004_notify_default",
        include_str!("../../../migrations/server-sqlite/0004_notify_default.sql"),
    ),
    (
        "0005_event_txns",
        include_str!("../../../migrations/server-sqlite/0005_event_txns.sql"),
    ),
];

/// Most writes run in one transaction.
const MAX_BATCH: usize = 512;

/// What a write closure sees: the connection, and where to put the events it
/// appends so the commit hook can publish them.
pub struct WriteCtx<'a> {
    pub conn: &'a Connection,
    pub events: &'a mut Vec<Event>,
}

type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
type Run = Box<dyn FnOnce(&mut WriteCtx<'_>) -> (bool, Completion) + Send>;

struct Job {
    /// False when the write cannot change any permission fact.
    changes_access: bool,
    run: Run,
}
pub type CommitHook = Box<dyn Fn(Vec<Event>) + Send>;

pub struct Db {
    path: PathBuf,
    jobs: std::sync::mpsc::Sender<Job>,
    readers: Arc<ReadPool>,
    access_gen: Arc<AtomicU64>,
}

struct ReadPool {
    conns: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

fn open(path: &Path, flags: OpenFlags) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;",
    )?;
    Ok(conn)
}

/// Runs a read inside one transaction, so that all its statements see the
/// database as of one moment. Outside a transaction each statement sees
/// its own: a sync answer could then count an unread message that its
/// event list, read a moment earlier, does not hold, and the client would
/// count it twice when the message's own frame arrived.
fn snapshot<T>(conn: &Connection, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
    let tx = conn.unchecked_transaction()?;
    let out = f(&tx)?;
    // Nothing was written: ending the transaction only lets the snapshot go.
    tx.commit()?;
    Ok(out)
}

/// Applies the migrations not yet applied. Returns how many ran.
pub fn migrate(conn: &Connection) -> StoreResult<usize> {
    let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Schema(format!(
            "the database is at schema version {applied}, newer than this server knows ({}); upgrade tern-server",
            MIGRATIONS.len()
        )));
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)
            .map_err(|e| StoreError::Schema(format!("migration {name} failed: {e}")))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(migration = name, "applied migration");
    }
    Ok(MIGRATIONS.len() - applied)
}

impl Db {
    /// Opens (creating if needed) the database at `path`, migrates it, and
    /// starts the writer thread.
    pub fn open(path: &Path, readers: usize, hook: CommitHook) -> StoreResult<Self> {
        let writer = open(path, OpenFlags::default())?;
        migrate(&writer)?;
        // Checkpoints run on a connection of their own (below), so that a
        // commit never stalls copying the WAL back into the database.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = open(path, OpenFlags::default())?;
        let mut conns = Vec::with_capacity(readers);
        for _ in 0..readers.max(1) {
            let c = open(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conns.push(c);
        }
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let access_gen = Arc::new(AtomicU64::new(0));
        let gen2 = access_gen.clone();
        // Set by the checkpointer when a pass left frames behind; the writer
        // then finishes the pass between two batches (see the module docs).
        let behind = Arc::new(AtomicBool::new(false));
        let behind2 = behind.clone();
        std::thread::Builder::new()
            .name("tern-db-writer".into())
            .spawn(move || {
                writer_loop(writer, rx, hook, &gen2, &behind2);
                // The writer is done: so is the checkpointer.
                drop(stop_tx);
            })
            .map_err(|e| StoreError::Io(format!("cannot start the writer thread: {e}")))?;
        std::thread::Builder::new()
            .name("tern-db-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpointer, stop_rx, &behind))
            .map_err(|e| StoreError::Io(format!("cannot start the checkpoint thread: {e}")))?;
        let n = conns.len();
        Ok(Self {
            path: path.to_owned(),
            jobs: tx,
            readers: Arc::new(ReadPool {
                conns: Mutex::new(conns),
                permits: Semaphore::new(n),
            }),
            access_gen,
        })
    }

    /// The current access generation (see the module docs).
    pub fn access_generation(&self) -> u64 {
        self.access_gen.load(Ordering::Acquire)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in the writer's transaction; answers after the commit.
    pub async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> StoreResult<T> + Send + 'static,
    {
        self.submit(true, f).await
    }

    /// Like [`Db::write`], for a write that cannot change any permission
    /// fact: it leaves the access generation as it is.
    pub async fn write_keeping_access<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> StoreResult<T> + Send + 'static,
    {
        self.submit(false, f).await
    }

    async fn submit<T, F>(&self, changes_access: bool, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> StoreResult<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<StoreResult<T>>();
        let run: Run = Box::new(move |ctx| {
            let out = f(ctx);
            let ok = out.is_ok();
            let done: Completion = Box::new(move |commit| {
                let _ = tx.send(commit.and(out));
            });
            (ok, done)
        });
        self.jobs
            .send(Job {
                changes_access,
                run,
            })
            .map_err(|_| StoreError::Io("the database writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Io("the database writer has stopped".into()))?
    }

    /// Runs `f` on a reader connection, off the async threads.
    pub async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let pool = self.readers.clone();
        let _permit = pool
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Io("reader pool closed".into()))?;
        let pool2 = pool.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool2
                .conns
                .lock()
                .map_err(|_| StoreError::Io("reader pool poisoned".into()))?
                .pop()
                .ok_or_else(|| StoreError::Io("no reader connection free".into()))?;
            let out = snapshot(&conn, f);
            if let Ok(mut conns) = pool2.conns.lock() {
                conns.push(conn);
            }
            out
        })
        .await
        .map_err(|e| StoreError::Io(format!("reader task failed: {e}")))?
    }
}

/// Copies the WAL back into the database every 250 ms, off the writer.
/// PASSIVE never blocks the writer or readers; it does what it can.
///
/// At most once a second it also hands the rest over to the writer (see
/// the module docs). The writer's pass syncs the WAL and the database, a
/// few milliseconds on a busy disk during which sends queue, so it should
/// be rare and have little to copy: passes repeat, each shorter than the
/// last, until fewer than `HANDOVER_FRAMES` frames came in during one; then
/// `behind` asks the writer to copy that rest.
fn checkpoint_loop(conn: Connection, stop: std::sync::mpsc::Receiver<()>, behind: &AtomicBool) {
    const EVERY: Duration = Duration::from_millis(250);
    const HANDOVER_EVERY: Duration = Duration::from_secs(1);
    const HANDOVER_FRAMES: i64 = 256;
    const MAX_PASSES: usize = 6;
    let mut last_handover = Instant::now();
    loop {
        match stop.recv_timeout(EVERY) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let hand_over = last_handover.elapsed() >= HANDOVER_EVERY;
                let mut before: Option<i64> = None;
                for _ in 0..if hand_over { MAX_PASSES } else { 1 } {
                    match wal_checkpoint(&conn) {
                        // Empty, or started over since the last pass:
                        // nothing to hand over.
                        Ok((_, log, _)) if log <= 0 || before.is_some_and(|b| log < b) => {
                            before = None;
                            break;
                        }
                        Ok((_, log, _)) => {
                            let added = before.map_or(log, |b| log - b);
                            before = Some(log);
                            if added < HANDOVER_FRAMES {
                                break;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "checkpoint failed");
                            before = None;
                            break;
                        }
                    }
                }
                // Handed over even when the passes did not get the rest
                // small (a busy disk): a longer pause for the writer is
                // better than a WAL that never starts over.
                if hand_over && before.is_some() {
                    behind.store(true, Ordering::Release);
                    last_handover = Instant::now();
                }
            }
            _ => return,
        }
    }
}

/// A passive checkpoint: (busy, frames in the WAL, frames copied back).
fn wal_checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

/// Runs a statement through the statement cache (no re-parsing per write).
fn exec_cached(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

fn writer_loop(
    conn: Connection,
    rx: std::sync::mpsc::Receiver<Job>,
    hook: CommitHook,
    access_gen: &AtomicU64,
    behind: &AtomicBool,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut done: Vec<Completion> = Vec::with_capacity(MAX_BATCH);
    let mut events: Vec<Event> = Vec::new();
    while let Ok(first) = rx.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let changes_access = batch.iter().any(|j| j.changes_access);
        let began = conn.execute_batch("BEGIN IMMEDIATE");
        if let Err(e) = began {
            let msg = e.to_string();
            for job in batch.drain(..) {
                // The job is dropped unrun; its caller hears of the failure.
                let mut scratch = Vec::new();
                let mut ctx = WriteCtx {
                    conn: &conn,
                    events: &mut scratch,
                };
                let _ = ctx.conn.execute_batch("SAVEPOINT skip");
                let (_, complete) = (job.run)(&mut ctx);
                let _ = ctx.conn.execute_batch("ROLLBACK TO skip; RELEASE skip");
                complete(Err(StoreError::Io(format!(
                    "cannot begin a transaction: {msg}"
                ))));
            }
            continue;
        }
        for job in batch.drain(..) {
            let mark = events.len();
            let _ = exec_cached(&conn, "SAVEPOINT job");
            let mut ctx = WriteCtx {
                conn: &conn,
                events: &mut events,
            };
            let (ok, complete) = (job.run)(&mut ctx);
            if ok {
                let _ = exec_cached(&conn, "RELEASE job");
            } else {
                let _ = exec_cached(&conn, "ROLLBACK TO job");
                let _ = exec_cached(&conn, "RELEASE job");
                events.truncate(mark);
            }
            done.push(complete);
        }
        let committed = conn.execute_batch("COMMIT");
        if changes_access {
            // After the commit is visible and before any caller hears of it.
            access_gen.fetch_add(1, Ordering::AcqRel);
        }
        match committed {
            Ok(()) => {
                if !events.is_empty() {
                    hook(std::mem::take(&mut events));
                }
                for complete in done.drain(..) {
                    complete(Ok(()));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "commit failed");
                let _ = conn.execute_batch("ROLLBACK");
                events.clear();
                let msg = e.to_string();
                for complete in done.drain(..) {
                    complete(Err(StoreError::Io(format!("commit failed: {msg}"))));
                }
            }
        }
        // Outside any transaction, with this batch answered: copy back what
        // the checkpointer could not, so the next batch starts the WAL over.
        // Only this thread writes, so nothing is added while it copies.
        if behind.swap(false, Ordering::AcqRel)
            && let Err(e) = wal_checkpoint(&conn)
        {
            tracing::warn!(error = %e, "checkpoint on the writer failed");
        }
    }
    // All senders are gone: the store was dropped. Leave the WAL tidy.
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    conn.flush_prepared_statement_cache();
    drop(conn);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: each statement of a read saw the database as of its own
    /// start, so one read could see a write half-way through it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_sees_one_moment_however_many_statements_it_runs() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("t.db"), 1, Box::new(|_| {})).unwrap());
        db.write(|ctx| {
            ctx.conn.execute_batch(
                "CREATE TABLE t (k INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);",
            )?;
            Ok(())
        })
        .await
        .unwrap();
        let (wrote_tx, wrote_rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = oneshot::channel::<()>();
        let reader = {
            let db = db.clone();
            tokio::spawn(async move {
                db.read(move |c| {
                    let count = |c: &Connection| -> StoreResult<i64> {
                        Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?)
                    };
                    let before = count(c)?;
                    let _ = started_tx.send(());
                    wrote_rx.recv_timeout(Duration::from_secs(10)).unwrap();
                    Ok((before, count(c)?))
                })
                .await
                .unwrap()
            })
        };
        started_rx.await.unwrap();
        db.write(|ctx| {
            ctx.conn.execute("INSERT INTO t VALUES (2)", [])?;
            Ok(())
        })
        .await
        .unwrap();
        wrote_tx.send(()).unwrap();
        assert_eq!(reader.await.unwrap(), (1, 1));
        // The next read sees the write.
        let n: i64 = db
            .read(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(n, 2);
    }

    /// 0004: a channel or group membership left at the old default
    /// ('all') becomes 'mentions'; direct rooms and other levels stay.
    #[test]
    fn the_old_notify_default_becomes_mentions_outside_direct_rooms() {
        let conn = Connection::open_in_memory().unwrap();
        for (_, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, username, email, password_hash, display_name, created_at)
                 VALUES ('u1', 'ann', 'a@x', 'h', 'Ann', 0), ('u2', 'ben', 'b@x', 'h', 'Ben', 0);
             INSERT INTO workspaces (id, slug, name, kind, created_at)
                 VALUES ('w', 'w', 'W', 'client', 0);
             INSERT INTO rooms (id, workspace_id, kind, visibility, created_by, created_at)
                 VALUES ('ch', 'w', 'channel', 'public', 'u1', 0),
                        ('gr', 'w', 'group', 'private', 'u1', 0),
                        ('dm', 'w', 'direct', 'hidden', 'u1', 0);
             INSERT INTO room_members (room_id, user_id, role, state, joined_at, notify)
                 VALUES ('ch', 'u1', 'owner', 'joined', 0, 'all'),
                        ('ch', 'u2', 'member', 'joined', 0, 'none'),
                        ('gr', 'u1', 'owner', 'joined', 0, 'all'),
                        ('dm', 'u1', 'member', 'joined', 0, 'all'),
                        ('dm', 'u2', 'member', 'joined', 0, 'mentions');",
        )
        .unwrap();
        assert_eq!(migrate(&conn).unwrap(), MIGRATIONS.len() - 3);
        let levels: Vec<(String, String, String)> = conn
            .prepare("SELECT room_id, user_id, notify FROM room_members ORDER BY room_id, user_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let want = [
            ("ch", "u1", "mentions"),
            ("ch", "u2", "none"),
            ("dm", "u1", "all"),
            ("dm", "u2", "mentions"),
            ("gr", "u1", "mentions"),
        ];
        let got: Vec<(&str, &str, &str)> = levels
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn migration_5_moves_txn_ids_from_an_index_into_a_table() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("t.db")).unwrap();
        for (_, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO events (room_id, seq, id, sender_id, type, content, txn_id, created_at)
             VALUES ('r', 1, 'e1', 's', 'message', '{}', 't1', 0),
                    ('r', 2, 'e2', 's', 'message', '{}', NULL, 0)",
        )
        .unwrap();
        assert_eq!(migrate(&conn).unwrap(), MIGRATIONS.len() - 3);
        let rows: Vec<(String, String, String, i64)> = conn
            .prepare("SELECT sender_id, txn_id, room_id, seq FROM event_txns")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, vec![("s".into(), "t1".into(), "r".into(), 1)]);
        let upto: String = conn
            .query_row(
                "SELECT value FROM server_meta WHERE key = 'event_txns_upto'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(upto, "2");
        let index: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'events_txn'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, 0, "the per-sender index is gone");
    }

    /// The salts in a WAL's header; SQLite changes them every time it
    /// starts the WAL over from its beginning.
    fn wal_salts(db: &Path) -> Option<[u8; 8]> {
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        let bytes = std::fs::read(wal).ok()?;
        bytes.get(16..24)?.try_into().ok()
    }

    /// Regression: the checkpointer ran beside the writer and never caught
    /// up with it, so under steady writes the WAL was never started over
    /// and grew by gigabytes a minute.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_starts_over_while_writes_never_pause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let db = Arc::new(Db::open(&path, 1, Box::new(|_| {})).unwrap());
        db.write(|ctx| {
            ctx.conn
                .execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)")?;
            Ok(())
        })
        .await
        .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for _ in 0..16 {
            let (db, stop) = (db.clone(), stop.clone());
            writers.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    db.write(|ctx| {
                        ctx.conn
                            .execute("INSERT INTO t (v) VALUES (zeroblob(2000))", [])?;
                        Ok(())
                    })
                    .await
                    .unwrap();
                }
            }));
        }
        // Salts taken once the writes are under way: an idle WAL may start
        // over at the first of them.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let first = wal_salts(&path).expect("a WAL after the first writes");
        // The writer hands over at most once a second; allow a few.
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut restarted = false;
        while Instant::now() < deadline && !restarted {
            tokio::time::sleep(Duration::from_millis(50)).await;
            restarted = wal_salts(&path).is_some_and(|s| s != first);
        }
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.await.unwrap();
        }
        assert!(
            restarted,
            "the WAL was never started over under steady writes"
        );
    }
}
