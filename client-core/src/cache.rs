//! How full the file cache is, and changing its cap while running (a
//! settings screen's "cache size"). The eviction itself is in
//! [`files`](crate::files).

use std::sync::atomic::Ordering;

use crate::client::Client;
use crate::error::{Invalid, Result};
use crate::files;

/// The smallest cap accepted, in bytes: below it the cache could not
/// hold a thumbnail page.
pub const FILE_CACHE_MIN_BYTES: u64 = 1 << 20;

/// What the file cache holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheUsage {
    /// Bytes of files and thumbnails on disk.
    pub bytes: u64,
    /// Of which pinned (never evicted).
    pub pinned_bytes: u64,
    /// Files and thumbnails on disk.
    pub entries: u64,
    /// The cap in force.
    pub max_bytes: u64,
}

impl Client {
    /// What the file cache holds now (local only).
    pub async fn file_cache_usage(&self) -> Result<CacheUsage> {
        let max_bytes = self.shared.file_cache_max_bytes.load(Ordering::Relaxed);
        self.shared
            .store
            .read(move |c| {
                let (bytes, pinned, entries): (i64, i64, i64) = c.query_row(
                    "SELECT coalesce(sum(bytes), 0),
                         coalesce(sum(CASE WHEN pinned THEN bytes ELSE 0 END), 0), count(*)
                     FROM (
                         SELECT path, max(bytes) AS bytes, max(pinned) AS pinned FROM (
                             SELECT cache_path AS path, size AS bytes, pinned
                             FROM files WHERE cache_path IS NOT NULL
                             UNION ALL
                             SELECT t.path, t.bytes, coalesce(f.pinned, 0)
                             FROM file_thumbnails t LEFT JOIN files f ON f.id = t.file_id
                         ) GROUP BY path
                     )",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                let n = |v: i64| u64::try_from(v).unwrap_or(0);
                Ok(CacheUsage {
                    bytes: n(bytes),
                    pinned_bytes: n(pinned),
                    entries: n(entries),
                    max_bytes,
                })
            })
            .await
    }

    /// Changes the file cache's cap (at least [`FILE_CACHE_MIN_BYTES`]) and
    /// evicts least recently used files at once until the cache fits;
    /// pinned files stay. Later downloads keep to the new cap.
    pub async fn set_file_cache_max_bytes(&self, max_bytes: u64) -> Result<CacheUsage> {
        if max_bytes < FILE_CACHE_MIN_BYTES {
            return Err(Invalid::FileCacheTooSmall {
                bytes: max_bytes,
                min: FILE_CACHE_MIN_BYTES,
            }
            .into());
        }
        self.shared
            .file_cache_max_bytes
            .store(max_bytes, Ordering::Relaxed);
        let evicted = self
            .shared
            .store
            .write(move |tx| files::evict(tx, max_bytes, ""))
            .await?;
        let dir = files::files_dir(&self.shared);
        files::finish_eviction(&self.shared, &dir, evicted, None).await;
        self.file_cache_usage().await
    }
}
