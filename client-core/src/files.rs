//! Files: uploads streamed from disk, and a local cache of downloads.
//!
//! **Uploads** ride the outbox (see [`outbox`](crate::outbox)). Sending a
//! file stores an outbox item naming the file on disk and a local echo
//! whose attachment is a provisional `files` row, so the message shows at
//! once. When the item's turn comes the file is streamed from disk in
//! small chunks (never held whole in memory), with
//! [`ClientEvent::UploadProgress`] as it goes; the server's file id is
//! written into the item before the message is sent with the item's txn
//! id, so a later retry sends the message without uploading again. An
//! upload cut short starts again from the beginning (the server keeps one
//! copy per content, so nothing is stored twice); a source file that is
//! gone fails the item for good.
//!
//! **The cache** lives in the profile's `files/` folder. Files and
//! thumbnails are named by the SHA-256 of their bytes, so one content is
//! kept once however many file ids point at it. A download streams into
//! `files/tmp/`, is hashed on the way (and checked against the server's
//! ETag, which is the hash), and is renamed into place only when whole:
//! the cache never holds half a file under a real name. Once cached, a
//! file or thumbnail is answered from disk with no network at all.
//!
//! The cache has a size cap ([`ClientConfig::file_cache_max_bytes`], changed
//! while running with [`Client::set_file_cache_max_bytes`]).
//! After each download the least recently used entries are removed until
//! it fits again; pinned files (and their thumbnails) are never removed,
//! and neither is the file just asked for.
//!
//! [`ClientConfig::file_cache_max_bytes`]: crate::ClientConfig::file_cache_max_bytes
//! [`Client::set_file_cache_max_bytes`]: crate::Client::set_file_cache_max_bytes

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use reqwest::Method;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderMap};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};
use tern_protocol::MessageKind;
use tern_protocol::files::FileInfo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::api::{TRANSFER_TIMEOUT, network};
use crate::client::Shared;
use crate::error::{Error, Result};
use crate::events::{ClientEvent, Emitter};
use crate::store::now_ms;
use crate::types::{Attachment, ThumbnailSize};

/// Bytes read from disk per upload chunk.
const CHUNK: usize = 64 * 1024;
/// Progress is reported at most once per this many bytes (and at the end).
const PROGRESS_STEP: u64 = 256 * 1024;

/// The profile's cache folder.
pub(crate) fn files_dir(shared: &Shared) -> PathBuf {
    shared.config.profile_dir().join("files")
}

fn unknown(id: Uuid) -> Attachment {
    Attachment {
        id,
        name: String::new(),
        size: 0,
        mime: String::new(),
        known: false,
        cached: false,
        pinned: false,
        uploading: false,
    }
}

/// What this device knows of a file.
pub(crate) fn attachment(conn: &Connection, id: Uuid) -> Result<Attachment> {
    let row = conn
        .prepare_cached(
            "SELECT name, size, mime, known, cache_path IS NOT NULL, pinned,
                    upload_source IS NOT NULL
             FROM files WHERE id = ?1",
        )?
        .query_row([id.to_string()], |r| {
            Ok(Attachment {
                id,
                name: r.get(0)?,
                size: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                mime: r.get(2)?,
                known: r.get(3)?,
                cached: r.get(4)?,
                pinned: r.get(5)?,
                uploading: r.get(6)?,
            })
        })
        .optional()?;
    Ok(row.unwrap_or_else(|| unknown(id)))
}

/// The attachments of a message (by its server or provisional id).
pub(crate) fn message_attachments(conn: &Connection, message: Uuid) -> Result<Vec<Attachment>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT attachments FROM messages WHERE id = ?1 OR local_id = ?1
             ORDER BY local_id IS NULL DESC LIMIT 1",
            [message.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(json) = json else {
        return Err(Error::NotFound(format!("message {message}")));
    };
    let ids: Vec<Uuid> = serde_json::from_str(&json).unwrap_or_default();
    ids.into_iter().map(|id| attachment(conn, id)).collect()
}

/// A type guessed from the name, for the local echo only: the server
/// sniffs the bytes and its answer replaces this.
pub(crate) fn guess_mime(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" => "audio/ogg",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

/// The message kind the server gives a message whose first attachment has
/// this type.
pub(crate) fn kind_of(mime: &str) -> MessageKind {
    match mime.split('/').next() {
        Some("image") => MessageKind::Image,
        Some("video") => MessageKind::Video,
        Some("audio") => MessageKind::Audio,
        _ => MessageKind::File,
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn percent_decode(s: &str) -> String {
    let hexval = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(hi), Some(lo)) = (hexval(b[i + 1]), hexval(b[i + 2]))
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the server's headers say of a file.
#[derive(Debug, Default, PartialEq, Eq)]
struct Meta {
    size: Option<u64>,
    mime: Option<String>,
    sha256: Option<String>,
    name: Option<String>,
}

fn meta(h: &HeaderMap) -> Meta {
    let text = |k| {
        h.get(k)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
    };
    let sha256 = text(ETAG)
        .map(|e| e.trim().trim_start_matches("W/").trim_matches('"'))
        .filter(|e| e.len() == 64 && e.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase);
    let name = text(CONTENT_DISPOSITION).and_then(|d| {
        let parts: Vec<&str> = d.split(';').map(str::trim).collect();
        let extended = parts
            .iter()
            .find_map(|p| p.strip_prefix("filename*="))
            .and_then(|v| v.split_once("''"))
            .map(|(_, v)| percent_decode(v));
        extended.or_else(|| {
            parts
                .iter()
                .find_map(|p| p.strip_prefix("filename="))
                .map(|v| v.trim_matches('"').to_owned())
        })
    });
    Meta {
        size: text(CONTENT_LENGTH).and_then(|v| v.parse().ok()),
        mime: text(CONTENT_TYPE).map(str::to_owned),
        sha256,
        name,
    }
}

/// Removes a half-written download unless disarmed.
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Streams a response body into `files/tmp/`, hashing it, and renames it
/// to `files/<sha256>`. Answers the hash and the length.
async fn receive(
    resp: reqwest::Response,
    dir: &Path,
    events: &Emitter,
    file_id: Uuid,
    expect_sha256: Option<&str>,
) -> Result<(String, u64)> {
    let total = resp.content_length();
    let tmp_dir = dir.join("tmp");
    tokio::fs::create_dir_all(&tmp_dir)
        .await
        .map_err(|e| Error::io(&tmp_dir, e))?;
    let tmp = tmp_dir.join(format!("{}.part", Uuid::now_v7().simple()));
    let mut guard = TempFile(Some(tmp.clone()));
    let mut out = tokio::fs::File::create(&tmp)
        .await
        .map_err(|e| Error::io(&tmp, e))?;
    let mut hasher = Sha256::new();
    let (mut got, mut reported) = (0u64, 0u64);
    let progress = |received| ClientEvent::DownloadProgress {
        file_id,
        received,
        total,
    };
    events.emit(progress(0));
    let mut body = resp.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(network)?;
        hasher.update(&chunk);
        out.write_all(&chunk)
            .await
            .map_err(|e| Error::io(&tmp, e))?;
        got += chunk.len() as u64;
        if got - reported >= PROGRESS_STEP {
            reported = got;
            events.emit(progress(got));
        }
    }
    out.flush().await.map_err(|e| Error::io(&tmp, e))?;
    out.sync_all().await.map_err(|e| Error::io(&tmp, e))?;
    drop(out);
    if total.is_some_and(|t| t != got) {
        return Err(Error::Network(format!(
            "the download of file {file_id} ended after {got} bytes"
        )));
    }
    let sha = hex(&hasher.finalize());
    if let Some(want) = expect_sha256
        && want != sha
    {
        return Err(Error::Protocol(format!(
            "file {file_id}: the bytes received do not match their SHA-256"
        )));
    }
    if got != reported {
        events.emit(progress(got));
    }
    let dest = dir.join(&sha);
    if tokio::fs::try_exists(&dest).await.unwrap_or(false) {
        // The same content is cached already (another id, an earlier run).
        drop(guard);
    } else {
        tokio::fs::rename(&tmp, &dest)
            .await
            .map_err(|e| Error::io(&dest, e))?;
        guard.0 = None;
    }
    Ok((sha, got))
}

/// The cached path of a file, touched as just used; clears a row whose
/// bytes were removed behind the cache's back.
async fn cached_file(shared: &Shared, id: Uuid, dir: &Path) -> Result<Option<PathBuf>> {
    let rel: Option<String> = shared
        .store
        .read(move |c| {
            Ok(c.query_row(
                "SELECT cache_path FROM files WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
        })
        .await?;
    let Some(rel) = rel else {
        return Ok(None);
    };
    let path = dir.join(&rel);
    let there = tokio::fs::try_exists(&path).await.unwrap_or(false);
    shared
        .store
        .write(move |tx| {
            if there {
                tx.execute(
                    "UPDATE files SET last_used_at = ?2 WHERE id = ?1",
                    params![id.to_string(), now_ms()],
                )?;
            } else {
                tx.execute(
                    "UPDATE files SET cache_path = NULL WHERE cache_path = ?1",
                    [rel],
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(there.then_some(path))
}

/// Downloads a file into the cache (or finds it there).
pub(crate) async fn download(shared: &Shared, id: Uuid) -> Result<PathBuf> {
    let dir = files_dir(shared);
    if let Some(p) = cached_file(shared, id, &dir).await? {
        return Ok(p);
    }
    let resp = shared
        .api
        .send_with(Method::GET, &format!("/api/v1/files/{id}"), |r| {
            Ok(r.timeout(TRANSFER_TIMEOUT))
        })
        .await?;
    let m = meta(resp.headers());
    let (sha, size) = receive(resp, &dir, &shared.events, id, m.sha256.as_deref()).await?;
    let (rel, path) = (sha.clone(), sha.clone());
    let cap = shared
        .file_cache_max_bytes
        .load(std::sync::atomic::Ordering::Relaxed);
    let evicted = shared
        .store
        .write(move |tx| {
            tx.execute(
                "INSERT INTO files (id, sha256, name, mime, size, cache_path, last_used_at, known)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)
                 ON CONFLICT (id) DO UPDATE SET sha256 = excluded.sha256,
                     name = CASE WHEN excluded.name != '' THEN excluded.name ELSE files.name END,
                     mime = excluded.mime, size = excluded.size,
                     cache_path = excluded.cache_path, last_used_at = excluded.last_used_at,
                     known = 1",
                params![
                    id.to_string(),
                    sha,
                    m.name.unwrap_or_default(),
                    m.mime
                        .unwrap_or_else(|| "application/octet-stream".to_owned()),
                    i64::try_from(size).unwrap_or(i64::MAX),
                    rel,
                    now_ms()
                ],
            )?;
            evict(tx, cap, &rel)
        })
        .await?;
    finish_eviction(shared, &dir, evicted, Some(id)).await;
    Ok(dir.join(path))
}

/// A thumbnail of an image file, from the cache or the server.
pub(crate) async fn thumbnail(shared: &Shared, id: Uuid, size: ThumbnailSize) -> Result<PathBuf> {
    let dir = files_dir(shared);
    let name = size.as_str();
    let rel: Option<String> = shared
        .store
        .read(move |c| {
            Ok(c.query_row(
                "SELECT path FROM file_thumbnails WHERE file_id = ?1 AND size = ?2",
                params![id.to_string(), name],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await?;
    if let Some(rel) = rel {
        let path = dir.join(&rel);
        let there = tokio::fs::try_exists(&path).await.unwrap_or(false);
        shared
            .store
            .write(move |tx| {
                if there {
                    tx.execute(
                        "UPDATE file_thumbnails SET last_used_at = ?3
                         WHERE file_id = ?1 AND size = ?2",
                        params![id.to_string(), name, now_ms()],
                    )?;
                } else {
                    tx.execute("DELETE FROM file_thumbnails WHERE path = ?1", [rel])?;
                }
                Ok(())
            })
            .await?;
        if there {
            return Ok(path);
        }
    }
    let resp = shared
        .api
        .send_with(
            Method::GET,
            &format!("/api/v1/files/{id}/thumbnail?size={name}"),
            |r| Ok(r.timeout(TRANSFER_TIMEOUT)),
        )
        .await?;
    let mime = meta(resp.headers())
        .mime
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let (sha, bytes) = receive(resp, &dir, &shared.events, id, None).await?;
    let (rel, path) = (sha.clone(), sha.clone());
    let cap = shared
        .file_cache_max_bytes
        .load(std::sync::atomic::Ordering::Relaxed);
    let evicted = shared
        .store
        .write(move |tx| {
            tx.execute(
                "INSERT INTO file_thumbnails (file_id, size, sha256, path, bytes, mime, last_used_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (file_id, size) DO UPDATE SET sha256 = excluded.sha256,
                     path = excluded.path, bytes = excluded.bytes, mime = excluded.mime,
                     last_used_at = excluded.last_used_at",
                params![
                    id.to_string(),
                    name,
                    sha,
                    rel,
                    i64::try_from(bytes).unwrap_or(i64::MAX),
                    mime,
                    now_ms()
                ],
            )?;
            evict(tx, cap, &rel)
        })
        .await?;
    finish_eviction(shared, &dir, evicted, Some(id)).await;
    Ok(dir.join(path))
}

/// Asks the server for a file's name, size and type (a `HEAD`, no bytes).
pub(crate) async fn fetch_info(shared: &Shared, id: Uuid) -> Result<Attachment> {
    let resp = shared
        .api
        .send_with(Method::HEAD, &format!("/api/v1/files/{id}"), Ok)
        .await?;
    let m = meta(resp.headers());
    shared
        .store
        .write(move |tx| {
            tx.execute(
                "INSERT INTO files (id, sha256, name, mime, size, known)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)
                 ON CONFLICT (id) DO UPDATE SET sha256 = coalesce(excluded.sha256, files.sha256),
                     name = excluded.name, mime = excluded.mime, size = excluded.size, known = 1",
                params![
                    id.to_string(),
                    m.sha256,
                    m.name.unwrap_or_default(),
                    m.mime
                        .unwrap_or_else(|| "application/octet-stream".to_owned()),
                    i64::try_from(m.size.unwrap_or(0)).unwrap_or(i64::MAX),
                ],
            )?;
            attachment(tx, id)
        })
        .await
}

/// Pins or unpins a file; unpinning may let the cache shrink at once.
pub(crate) async fn pin(shared: &Shared, id: Uuid, pinned: bool) -> Result<()> {
    let cap = shared
        .file_cache_max_bytes
        .load(std::sync::atomic::Ordering::Relaxed);
    let evicted = shared
        .store
        .write(move |tx| {
            tx.execute(
                "INSERT INTO files (id, pinned) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET pinned = excluded.pinned",
                params![id.to_string(), pinned],
            )?;
            if pinned {
                Ok(Evicted::default())
            } else {
                evict(tx, cap, "")
            }
        })
        .await?;
    let dir = files_dir(shared);
    finish_eviction(shared, &dir, evicted, Some(id)).await;
    Ok(())
}

/// What an eviction took out of the store: blobs to delete from disk once
/// the transaction has committed, and the files they belonged to.
#[derive(Debug, Default)]
pub(crate) struct Evicted {
    paths: Vec<String>,
    files: Vec<Uuid>,
}

/// Removes the least recently used unpinned entries (never `keep`) until
/// the cache holds at most `cap` bytes.
pub(crate) fn evict(tx: &Transaction<'_>, cap: u64, keep: &str) -> Result<Evicted> {
    let entries: Vec<(String, i64, i64, bool)> = tx
        .prepare_cached(
            "SELECT path, max(bytes), max(used), max(pinned) FROM (
                 SELECT cache_path AS path, size AS bytes, last_used_at AS used, pinned
                 FROM files WHERE cache_path IS NOT NULL
                 UNION ALL
                 SELECT t.path, t.bytes, t.last_used_at, coalesce(f.pinned, 0)
                 FROM file_thumbnails t LEFT JOIN files f ON f.id = t.file_id
             ) GROUP BY path ORDER BY 3, 1",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut total: u64 = entries
        .iter()
        .map(|e| u64::try_from(e.1).unwrap_or(0))
        .sum();
    let mut out = Evicted::default();
    for (path, bytes, _, pinned) in entries {
        if total <= cap {
            break;
        }
        if pinned || path == keep {
            continue;
        }
        let mut ids: Vec<String> = tx
            .prepare_cached(
                "UPDATE files SET cache_path = NULL WHERE cache_path = ?1 RETURNING id",
            )?
            .query_map([&path], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.extend(
            tx.prepare_cached("DELETE FROM file_thumbnails WHERE path = ?1 RETURNING file_id")?
                .query_map([&path], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        );
        out.files
            .extend(ids.iter().map(|i| crate::store::parse_uuid(i)));
        total = total.saturating_sub(u64::try_from(bytes).unwrap_or(0));
        out.paths.push(path);
    }
    Ok(out)
}

/// Deletes evicted blobs from disk and tells the UI what changed.
pub(crate) async fn finish_eviction(
    shared: &Shared,
    dir: &Path,
    evicted: Evicted,
    fetched: Option<Uuid>,
) {
    for p in &evicted.paths {
        let path = dir.join(p);
        if let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), error = %e, "cannot remove an evicted file");
        }
    }
    if !evicted.paths.is_empty() {
        tracing::debug!(removed = evicted.paths.len(), "file cache evicted");
    }
    let mut ids = evicted.files;
    ids.extend(fetched);
    ids.sort();
    ids.dedup();
    for file_id in ids {
        shared
            .events
            .emit(ClientEvent::FileCacheChanged { file_id });
    }
}

/// What an upload reports as it goes.
struct UploadProgress {
    events: Emitter,
    txn_id: String,
    room_id: Uuid,
    file_id: Uuid,
    total: u64,
}

impl UploadProgress {
    fn emit(&self, sent: u64) {
        self.events.emit(ClientEvent::UploadProgress {
            txn_id: self.txn_id.clone(),
            room_id: self.room_id,
            file_id: self.file_id,
            sent,
            total: self.total,
        });
    }
}

/// A file on disk as a stream of chunks, reporting progress as they are
/// taken by the HTTP client.
fn file_stream(
    file: tokio::fs::File,
    progress: UploadProgress,
) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> + Send + 'static {
    struct Reading {
        file: tokio::fs::File,
        sent: u64,
        reported: u64,
        done: bool,
        progress: UploadProgress,
    }
    let start = Reading {
        file,
        sent: 0,
        reported: 0,
        done: false,
        progress,
    };
    futures_util::stream::unfold(start, |mut s| async move {
        if s.done {
            return None;
        }
        let mut buf = vec![0u8; CHUNK];
        match s.file.read(&mut buf).await {
            Ok(0) => {
                s.done = true;
                if s.sent != s.reported {
                    s.progress.emit(s.sent);
                }
                None
            }
            Ok(n) => {
                buf.truncate(n);
                s.sent += n as u64;
                if s.sent - s.reported >= PROGRESS_STEP {
                    s.reported = s.sent;
                    s.progress.emit(s.sent);
                }
                Some((Ok(buf), s))
            }
            Err(e) => {
                s.done = true;
                Some((Err(e), s))
            }
        }
    })
}

fn source_error(path: &Path, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::SourceGone(path.display().to_string())
    } else {
        Error::io(path, e)
    }
}

/// Streams `path` to the server as the file `name`.
pub(crate) async fn upload(
    shared: &Shared,
    txn_id: &str,
    room_id: Uuid,
    local_file: Uuid,
    path: &Path,
    name: &str,
) -> Result<FileInfo> {
    let total = tokio::fs::metadata(path)
        .await
        .map_err(|e| source_error(path, e))?
        .len();
    let url = format!("/api/v1/files?name={}", crate::outbox::enc(name));
    let resp = shared
        .api
        .send_with(Method::POST, &url, |req| {
            // Opened anew for each attempt: a retried request starts over.
            let file = std::fs::File::open(path).map_err(|e| source_error(path, e))?;
            let progress = UploadProgress {
                events: shared.events.clone(),
                txn_id: txn_id.to_owned(),
                room_id,
                file_id: local_file,
                total,
            };
            progress.emit(0);
            let stream = file_stream(tokio::fs::File::from_std(file), progress);
            Ok(req
                .timeout(TRANSFER_TIMEOUT)
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(reqwest::Body::wrap_stream(stream)))
        })
        .await?;
    resp.json::<FileInfo>()
        .await
        .map_err(|e| Error::Protocol(e.to_string()))
}

/// Records the server's answer to an upload: the file as the server knows
/// it, and the sniffed type on the provisional row.
pub(crate) fn record_uploaded(tx: &Transaction<'_>, info: &FileInfo, local: Uuid) -> Result<()> {
    tx.execute(
        "INSERT INTO files (id, sha256, name, mime, size, known) VALUES (?1, ?2, ?3, ?4, ?5, 1)
         ON CONFLICT (id) DO UPDATE SET sha256 = excluded.sha256, name = excluded.name,
             mime = excluded.mime, size = excluded.size, known = 1",
        params![
            info.id.to_string(),
            info.sha256,
            info.name,
            info.mime,
            i64::try_from(info.size).unwrap_or(i64::MAX)
        ],
    )?;
    tx.execute(
        "UPDATE files SET mime = ?2, uploaded_bytes = size WHERE id = ?1",
        params![local.to_string(), info.mime],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_type_size_and_hash_from_headers() {
        let mut h = HeaderMap::new();
        let sha = "ab".repeat(32);
        h.insert(ETAG, format!("\"{sha}\"").parse().unwrap());
        h.insert(CONTENT_TYPE, "image/png".parse().unwrap());
        h.insert(CONTENT_LENGTH, "1234".parse().unwrap());
        h.insert(
            CONTENT_DISPOSITION,
            "inline; filename=\"_____.png\"; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.png"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            meta(&h),
            Meta {
                size: Some(1234),
                mime: Some("image/png".into()),
                sha256: Some(sha),
                name: Some("фото.png".into()),
            }
        );
        // A thumbnail's ETag is not a file hash.
        h.insert(ETAG, "\"abc-small\"".parse().unwrap());
        assert_eq!(meta(&h).sha256, None);
    }

    #[test]
    fn guesses_types_for_the_echo() {
        assert_eq!(guess_mime("a.PNG"), "image/png");
        assert_eq!(kind_of(guess_mime("a.png")), MessageKind::Image);
        assert_eq!(kind_of(guess_mime("notes")), MessageKind::File);
    }
}
