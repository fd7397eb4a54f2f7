//! Upload, download (Range, ETag) and thumbnails.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tern_protocol::files::FileInfo;
use tern_protocol::{ErrorBody, ErrorCode, FileId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiPath, ApiQuery, Auth};
use super::{AppState, access};
use crate::authz::Cap;
use crate::error::{AppError, AppResult};
use crate::files::{BlobError, thumbnail_key};
use crate::store::FileRecord;
use crate::validate;

/// Images larger than this many pixels get no thumbnail (decompression
/// bombs).
const MAX_PIXELS: u64 = 50_000_000;
/// Images larger than this are not read for thumbnails.
const MAX_THUMB_SOURCE: u64 = 50 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        // The upload enforces its own, larger limit while streaming.
        .route_layer(DefaultBodyLimit::disable())
        .routes(routes!(download))
        .routes(routes!(file_info))
        .routes(routes!(thumbnail))
}

pub fn info(f: &FileRecord) -> FileInfo {
    FileInfo {
        id: f.id,
        sha256: f.sha256.clone(),
        size: f.size,
        mime: f.mime.clone(),
        name: f.name.clone(),
    }
}

/// The file, if the caller may read it: its owner, anyone for an avatar,
/// and whoever may read a room where a message references it.
pub async fn readable(state: &AppState, auth: &Auth, id: FileId) -> AppResult<FileRecord> {
    let file = state
        .store
        .file(id)
        .await?
        .ok_or_else(|| AppError::not_found("file"))?;
    if file.owner_id == auth.user_id || auth.is_admin() {
        return Ok(file);
    }
    if !auth.is_api_key() && state.store.file_is_avatar(id).await? {
        return Ok(file);
    }
    for room in state.store.file_rooms(id).await? {
        if access::room(state, auth, room, Cap::ReadRoom).await.is_ok() {
            return Ok(file);
        }
    }
    Err(AppError::not_found("file"))
}

/// Checks that `id` may serve as an avatar for the caller: an image the
/// caller may read.
pub async fn avatar(state: &AppState, auth: &Auth, id: FileId) -> AppResult<FileId> {
    let file = readable(state, auth, id)
        .await
        .map_err(|_| AppError::invalid(format!("avatar_file_id: no file {id}")))?;
    if !file.mime.starts_with("image/") {
        return Err(AppError::invalid(format!(
            "avatar_file_id: an avatar must be an image, not {}",
            file.mime
        )));
    }
    Ok(id)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    /// The visible name (only a name: it never names a path on the server).
    name: Option<String>,
}

/// Uploads the raw request body as a file. The type is sniffed from the
/// bytes; the same content is stored once however often it is uploaded.
#[utoipa::path(post, path = "/api/v1/files", tag = "files",
    security(("bearer" = [])), params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = FileInfo), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<(StatusCode, axum::Json<FileInfo>)> {
    let name = q.name.ok_or_else(|| {
        AppError::invalid("name is required: POST /api/v1/files?name=<visible name>")
    })?;
    let name = validate::text("name", &name, 1, 255)?;
    let limit = state.config.max_upload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let got = state.blobs.receive(body, limit).await.map_err(blob_error)?;
    let file = state
        .blobs
        .commit(got, state.store.as_ref(), auth.user_id, name)
        .await
        .map_err(blob_error)?;
    Ok((StatusCode::CREATED, axum::Json(info(&file))))
}

fn too_large(limit: u64) -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!("the file is larger than the limit of {limit} bytes"),
    )
}

fn blob_error(e: BlobError) -> AppError {
    match e {
        BlobError::TooLarge(limit) => too_large(limit),
        BlobError::Interrupted(why) => {
            AppError::invalid(format!("the upload was interrupted: {why}"))
        }
        BlobError::Db(db) => db.into(),
        other => AppError::internal(other),
    }
}

/// `attachment; filename="..."; filename*=UTF-8''...` (RFC 6266), inline
/// for media.
fn disposition(name: &str, mime: &str) -> String {
    let kind =
        if mime.starts_with("image/") || mime.starts_with("video/") || mime.starts_with("audio/") {
            "inline"
        } else {
            "attachment"
        };
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// What a `Range` header asks for.
enum Wanted {
    All,
    Part(u64, u64),
    Unsatisfiable,
}

/// One byte range (`a-b`, `a-`, `-n`); several ranges or a malformed header
/// get the whole file, as RFC 9110 allows.
fn wanted(headers: &HeaderMap, size: u64) -> Wanted {
    let Some(spec) = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("bytes="))
    else {
        return Wanted::All;
    };
    if spec.contains(',') {
        return Wanted::All;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Wanted::All;
    };
    let (a, b) = (a.trim(), b.trim());
    let parsed = match (a.is_empty(), b.is_empty()) {
        (true, true) => return Wanted::All,
        (true, false) => match b.parse::<u64>() {
            Ok(0) => return Wanted::Unsatisfiable,
            Ok(n) => (size.saturating_sub(n), size.saturating_sub(1)),
            Err(_) => return Wanted::All,
        },
        (false, _) => {
            let Ok(start) = a.parse::<u64>() else {
                return Wanted::All;
            };
            let end = if b.is_empty() {
                size.saturating_sub(1)
            } else {
                match b.parse::<u64>() {
                    Ok(e) if e >= start => e.min(size.saturating_sub(1)),
                    _ => return Wanted::All,
                }
            };
            (start, end)
        }
    };
    if size == 0 || parsed.0 >= size {
        return Wanted::Unsatisfiable;
    }
    Wanted::Part(parsed.0, parsed.1)
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
}

fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// Downloads a file, whole or by one byte range.
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "the bytes"), (status = 206, description = "a range"),
        (status = 304, description = "not modified"), (status = 404, body = ErrorBody),
        (status = 416, body = ErrorBody)))]
async fn download(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<FileId>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let file = readable(&state, &auth, id).await?;
    let etag = format!("\"{}\"", file.sha256);
    let mut out = HeaderMap::new();
    out.insert(header::ETAG, header_value(&etag));
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    if etag_matches(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, out).into_response());
    }
    out.insert(header::CONTENT_TYPE, header_value(&file.mime));
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::CONTENT_DISPOSITION,
        header_value(&disposition(&file.name, &file.mime)),
    );
    let (status, range) = match wanted(&headers, file.size) {
        Wanted::All => (StatusCode::OK, None),
        Wanted::Part(a, b) => {
            out.insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes {a}-{b}/{}", file.size)),
            );
            (StatusCode::PARTIAL_CONTENT, Some(a..b + 1))
        }
        Wanted::Unsatisfiable => {
            let mut err = AppError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ErrorCode::RangeNotSatisfiable,
                format!("the range lies outside the file's {} bytes", file.size),
            )
            .into_response();
            err.headers_mut().insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes */{}", file.size)),
            );
            return Ok(err);
        }
    };
    let len = range.as_ref().map_or(file.size, |r| r.end - r.start);
    out.insert(header::CONTENT_LENGTH, header_value(&len.to_string()));
    let body = if len == 0 {
        Body::empty()
    } else {
        Body::from_stream(
            state
                .blobs
                .stream(&file.storage_key, range)
                .await
                .map_err(blob_error)?,
        )
    };
    Ok((status, out, body).into_response())
}

/// A file's details (name, size, type, hash) without its bytes.
#[utoipa::path(get, path = "/api/v1/files/{id}/info", tag = "files",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = FileInfo), (status = 404, body = ErrorBody)))]
async fn file_info(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<FileId>,
) -> AppResult<axum::Json<FileInfo>> {
    Ok(axum::Json(info(&readable(&state, &auth, id).await?)))
}

#[derive(Clone, Copy, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum ThumbSize {
    /// 64 px
    Small,
    /// 320 px
    Medium,
    /// 800 px
    Large,
}

impl ThumbSize {
    fn px(self) -> u32 {
        match self {
            Self::Small => 64,
            Self::Medium => 320,
            Self::Large => 800,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct ThumbQuery {
    /// small (64 px), medium (320 px, the default) or large (800 px).
    size: Option<ThumbSize>,
}

/// Makes a thumbnail (PNG when the image has transparency, else JPEG).
fn make_thumbnail(bytes: &[u8], px: u32) -> Result<(Vec<u8>, &'static str), String> {
    use image::ImageReader;
    let reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| format!("cannot read the image: {e}"))?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!(
            "the image is too large to preview ({w}x{h} pixels; at most {MAX_PIXELS})"
        ));
    }
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| format!("cannot decode the image: {e}"))?;
    let thumb = img.thumbnail(px, px);
    let mut out = std::io::Cursor::new(Vec::new());
    if thumb.color().has_alpha() {
        thumb
            .write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        Ok((out.into_inner(), "image/png"))
    } else {
        image::DynamicImage::ImageRgb8(thumb.to_rgb8())
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .map_err(|e| e.to_string())?;
        Ok((out.into_inner(), "image/jpeg"))
    }
}

/// A thumbnail of an image file, made on first request and kept.
#[utoipa::path(get, path = "/api/v1/files/{id}/thumbnail", tag = "files",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path), ThumbQuery),
    responses((status = 200, description = "PNG or JPEG bytes"), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn thumbnail(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<FileId>,
    ApiQuery(q): ApiQuery<ThumbQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let file = readable(&state, &auth, id).await?;
    let size = q.size.unwrap_or(ThumbSize::Medium);
    let unprocessable = |msg: String| {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            msg,
        )
    };
    if !file.mime.starts_with("image/") {
        return Err(unprocessable(format!(
            "only images have thumbnails; this file is {}",
            file.mime
        )));
    }
    let etag = format!("\"{}-{}\"", file.sha256, size.name());
    if etag_matches(&headers, &etag) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, header_value(&etag))],
        )
            .into_response());
    }
    let (bytes, mime) = match state.store.thumbnail(&file.sha256, size.name()).await? {
        Some((key, mime)) => (state.blobs.read_all(&key).await.map_err(blob_error)?, mime),
        None => {
            if file.size > MAX_THUMB_SOURCE {
                return Err(unprocessable(format!(
                    "the image is too large to preview (over {MAX_THUMB_SOURCE} bytes)"
                )));
            }
            let src = state
                .blobs
                .read_all(&file.storage_key)
                .await
                .map_err(blob_error)?;
            let px = size.px();
            let (thumb, mime) = tokio::task::spawn_blocking(move || make_thumbnail(&src, px))
                .await
                .map_err(AppError::internal)?
                .map_err(unprocessable)?;
            let key = thumbnail_key(&file.sha256, size.name());
            let thumb = bytes::Bytes::from(thumb);
            state
                .blobs
                .put(&key, thumb.clone())
                .await
                .map_err(blob_error)?;
            state
                .store
                .put_thumbnail(&file.sha256, size.name(), key.as_ref(), mime)
                .await?;
            (thumb, mime.to_owned())
        }
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, header_value(&mime)),
            (header::ETAG, header_value(&etag)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=31536000, immutable"),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(h: &str, size: u64) -> String {
        let mut m = HeaderMap::new();
        m.insert(header::RANGE, HeaderValue::from_str(h).unwrap());
        match wanted(&m, size) {
            Wanted::All => "all".into(),
            Wanted::Part(a, b) => format!("{a}-{b}"),
            Wanted::Unsatisfiable => "416".into(),
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(range("bytes=0-9", 100), "0-9");
        assert_eq!(range("bytes=90-", 100), "90-99");
        assert_eq!(range("bytes=-10", 100), "90-99");
        assert_eq!(range("bytes=-1000", 100), "0-99");
        assert_eq!(range("bytes=50-1000", 100), "50-99");
        assert_eq!(range("bytes=100-", 100), "416");
        assert_eq!(range("bytes=-0", 100), "416");
        assert_eq!(range("bytes=0-0", 0), "416");
        assert_eq!(range("bytes=5-2", 100), "all");
        assert_eq!(range("bytes=0-1,5-6", 100), "all");
        assert_eq!(range("items=0-1", 100), "all");
    }

    #[test]
    fn dispositions() {
        assert_eq!(
            disposition("отчёт 2026.pdf", "application/pdf"),
            "attachment; filename=\"_____ 2026.pdf\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%202026.pdf"
        );
        assert_eq!(
            disposition("a\"b.png", "image/png"),
            "inline; filename=\"a_b.png\"; filename*=UTF-8''a%22b.png"
        );
    }
}
