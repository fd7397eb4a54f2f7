//! Blob storage, through the `object_store` crate: a local directory by
//! default, an S3-compatible store by configuration.
//!
//! An upload streams into a temporary object while it is hashed (SHA-256)
//! and its first bytes sniffed; it is never held whole in memory. Then,
//! under the blob gate, the temporary object is renamed to its
//! content-addressed key (`blobs/ab/cd/<sha256>`) unless that key already
//! exists, and the file row is written. Garbage collection removes a blob
//! only under the same gate and only after re-checking, in the writer's
//! transaction, that no file references it, so a blob being uploaded again
//! is never removed beneath its new file.

use std::path::Path as FsPath;
use std::sync::Arc;

use axum::body::Body;
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::store::{FileRecord, NewFile, Store, StoreError};

/// Part size for streamed uploads: the most an upload holds in memory per
/// part in flight.
const PART_SIZE: usize = 5 * 1024 * 1024;
/// Parts in flight at once.
const PARTS_IN_FLIGHT: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the upload is larger than the limit of {0} bytes")]
    TooLarge(u64),
    #[error("the upload was interrupted: {0}")]
    Interrupted(String),
    #[error("blob store: {0}")]
    Store(#[from] object_store::Error),
    #[error(transparent)]
    Db(#[from] StoreError),
}

pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    gate: tokio::sync::Mutex<()>,
}

/// Where an upload landed before it is committed.
pub struct Received {
    tmp: Path,
    pub sha256: String,
    pub size: u64,
    pub mime: String,
}

pub fn blob_key(sha256: &str) -> Path {
    let a = sha256.get(0..2).unwrap_or("00");
    let b = sha256.get(2..4).unwrap_or("00");
    Path::from(format!("blobs/{a}/{b}/{sha256}"))
}

pub fn thumbnail_key(sha256: &str, size: &str) -> Path {
    Path::from(format!("thumbnails/{sha256}/{size}"))
}

impl Blobs {
    /// Opens the blob store named by `spec`, or `<data_dir>/blobs`.
    pub fn open(spec: Option<&str>, data_dir: &FsPath) -> Result<Self, String> {
        let store: Arc<dyn ObjectStore> = match spec {
            Some(s) if s.starts_with("s3://") => open_s3(s)?,
            Some(s) if s.contains("://") && !s.starts_with("file://") => {
                return Err(format!(
                    "--blob-store {s:?}: use a directory, file:///dir or s3://bucket/prefix"
                ));
            }
            other => {
                let dir = match other {
                    Some(s) => std::path::PathBuf::from(s.trim_start_matches("file://")),
                    None => data_dir.join("blobs"),
                };
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create blob dir {}: {e}", dir.display()))?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(&dir)
                        .map_err(|e| format!("cannot open blob dir {}: {e}", dir.display()))?,
                )
            }
        };
        Ok(Self {
            store,
            gate: tokio::sync::Mutex::new(()),
        })
    }

    /// Streams `body` into a temporary object, hashing and sniffing it.
    pub async fn receive(&self, body: Body, limit: u64) -> Result<Received, BlobError> {
        let tmp = Path::from(format!("tmp/{}", uuid::Uuid::now_v7()));
        let upload = self.store.put_multipart(&tmp).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut stream = body.into_data_stream();
        let mut hasher = Sha256::new();
        let mut head: Vec<u8> = Vec::with_capacity(512);
        let mut size: u64 = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(BlobError::Interrupted(e.to_string()));
                }
            };
            size += chunk.len() as u64;
            if size > limit {
                let _ = writer.abort().await;
                return Err(BlobError::TooLarge(limit));
            }
            hasher.update(&chunk);
            if head.len() < 512 {
                let take = (512 - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            if let Err(e) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                let _ = writer.abort().await;
                return Err(e.into());
            }
            writer.write(&chunk);
        }
        if size == 0 {
            // An empty file is a file: store it without parts.
            let _ = writer.abort().await;
            self.store.put(&tmp, PutPayload::from_static(b"")).await?;
        } else {
            writer.finish().await?;
        }
        let sha256 = hex(&hasher.finalize());
        Ok(Received {
            tmp,
            sha256,
            size,
            mime: sniff(&head).to_owned(),
        })
    }

    /// Moves a received upload to its content address (unless the same
    /// content is there already) and records the file.
    pub async fn commit(
        &self,
        got: Received,
        db: &dyn Store,
        owner: tern_protocol::UserId,
        name: String,
    ) -> Result<FileRecord, BlobError> {
        let _gate = self.gate.lock().await;
        let key = blob_key(&got.sha256);
        // Under the gate nobody else writes this key, so "exists?" then
        // "rename" is safe; it also works on stores (S3) that offer no
        // rename-if-not-exists. The same content twice is one blob.
        match self.store.head(&key).await {
            Ok(_) => {
                let _ = self.store.delete(&got.tmp).await;
            }
            Err(object_store::Error::NotFound { .. }) => {
                if let Err(e) = self.store.rename(&got.tmp, &key).await {
                    let _ = self.store.delete(&got.tmp).await;
                    return Err(e.into());
                }
            }
            Err(e) => {
                let _ = self.store.delete(&got.tmp).await;
                return Err(e.into());
            }
        }
        Ok(db
            .add_file(NewFile {
                sha256: got.sha256,
                size: got.size,
                mime: got.mime,
                storage_key: key.to_string(),
                owner_id: owner,
                name,
            })
            .await?)
    }

    /// The bytes of `key` in `range` (all when `None`), as a stream. Local
    /// files are read in 256 KiB chunks (object_store's own stream reads
    /// 8 KiB at a time, each on a blocking thread).
    pub async fn stream(
        &self,
        key: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, object_store::Error>>, BlobError> {
        let opts = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        let got = self.store.get_opts(&Path::from(key), opts).await?;
        match got.payload {
            object_store::GetResultPayload::File(file, path) => {
                Ok(file_stream(file, path, got.range))
            }
            object_store::GetResultPayload::Stream(s) => Ok(s),
        }
    }

    pub async fn read_all(&self, key: &str) -> Result<Bytes, BlobError> {
        Ok(self.store.get(&Path::from(key)).await?.bytes().await?)
    }

    pub async fn put(&self, key: &Path, bytes: Bytes) -> Result<(), BlobError> {
        self.store.put(key, PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Removes blobs no file references; answers how many went.
    pub async fn collect_garbage(&self, db: &dyn Store) -> Result<usize, BlobError> {
        let mut removed = 0;
        loop {
            let candidates = db.unreferenced_blobs(500).await?;
            if candidates.is_empty() {
                return Ok(removed);
            }
            for sha in candidates {
                let _gate = self.gate.lock().await;
                let keys = db.take_unreferenced_blob(&sha).await?;
                if keys.is_empty() {
                    continue;
                }
                for key in keys {
                    match self.store.delete(&Path::from(key.as_str())).await {
                        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                        Err(e) => tracing::warn!(%key, error = %e, "cannot delete blob"),
                    }
                }
                removed += 1;
            }
        }
    }
}

/// Streams `range` of a local file in large chunks.
fn file_stream(
    file: std::fs::File,
    path: std::path::PathBuf,
    range: std::ops::Range<u64>,
) -> BoxStream<'static, Result<Bytes, object_store::Error>> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    const CHUNK: usize = 256 * 1024;
    let state = (
        tokio::fs::File::from_std(file),
        range.start,
        range.end,
        false,
    );
    futures_util::stream::unfold(state, move |(mut f, pos, end, seeked)| {
        let path = path.clone();
        async move {
            let fail = |e: std::io::Error| object_store::Error::Generic {
                store: "LocalFileSystem",
                source: format!("reading {}: {e}", path.display()).into(),
            };
            if pos >= end {
                return None;
            }
            if !seeked && let Err(e) = f.seek(std::io::SeekFrom::Start(pos)).await {
                return Some((Err(fail(e)), (f, end, end, true)));
            }
            let want = CHUNK.min((end - pos) as usize);
            let mut buf = vec![0u8; want];
            match f.read_exact(&mut buf).await {
                Ok(_) => Some((Ok(Bytes::from(buf)), (f, pos + want as u64, end, true))),
                Err(e) => Some((Err(fail(e)), (f, end, end, true))),
            }
        }
    })
    .boxed()
}

#[cfg(feature = "s3")]
fn open_s3(spec: &str) -> Result<Arc<dyn ObjectStore>, String> {
    let rest = spec.trim_start_matches("s3://");
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let s3 = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .build()
        .map_err(|e| format!("--blob-store {spec}: {e}"))?;
    if prefix.is_empty() {
        Ok(Arc::new(s3))
    } else {
        Ok(Arc::new(object_store::prefix::PrefixStore::new(s3, prefix)))
    }
}

#[cfg(not(feature = "s3"))]
fn open_s3(spec: &str) -> Result<Arc<dyn ObjectStore>, String> {
    Err(format!(
        "--blob-store {spec}: this build has no S3 support; build tern-server with `--features s3`"
    ))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The type of a file from its first bytes; never from the client.
pub fn sniff(head: &[u8]) -> &'static str {
    let starts = |sig: &[u8]| head.starts_with(sig);
    let at = |off: usize, sig: &[u8]| {
        head.len() >= off + sig.len() && &head[off..off + sig.len()] == sig
    };
    if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if starts(b"RIFF") && at(8, b"WEBP") {
        "image/webp"
    } else if starts(b"RIFF") && at(8, b"WAVE") {
        "audio/wav"
    } else if starts(b"%PDF-") {
        "application/pdf"
    } else if starts(b"PK\x03\x04") {
        "application/zip"
    } else if starts(b"\x1f\x8b") {
        "application/gzip"
    } else if at(4, b"ftyp") {
        if at(8, b"M4A ") {
            "audio/mp4"
        } else if at(8, b"qt  ") {
            "video/quicktime"
        } else {
            "video/mp4"
        }
    } else if starts(b"\x1a\x45\xdf\xa3") {
        "video/webm"
    } else if starts(b"OggS") {
        "audio/ogg"
    } else if starts(b"ID3") || starts(b"\xff\xfb") || starts(b"\xff\xf3") {
        "audio/mpeg"
    } else if starts(b"fLaC") {
        "audio/flac"
    } else if starts(b"BM") && head.len() > 14 {
        "image/bmp"
    } else if head.is_empty() {
        "application/octet-stream"
    } else if !head.contains(&0) && is_utf8_prefix(head) {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

/// UTF-8, allowing a character cut at the end of the sample.
fn is_utf8_prefix(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && b.len() - e.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn sniffs_common_types() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), "image/jpeg");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(sniff("привет".as_bytes()), "text/plain; charset=utf-8");
        assert_eq!(sniff(&"приве".as_bytes()[..9]), "text/plain; charset=utf-8");
        assert_eq!(sniff(b"\0\x01\x02"), "application/octet-stream");
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), "video/mp4");
    }
}
