//! Files: send (picked, dropped or pasted), attachments, downloads,
//! thumbnails and saving a copy.

use base64::Engine as _;
use serde::Deserialize;
use tauri::State;
use tern_client_core::ThumbnailSize;
use uuid::Uuid;

use crate::dto::{Attachment, CacheUsage};
use crate::error::{CmdError, CmdResult};
use crate::state::AppState;

/// Sends the file at `path` (picked or dropped) with a caption.
#[tauri::command(rename_all = "snake_case")]
pub async fn files_send(
    state: State<'_, AppState>,
    room_id: Uuid,
    path: String,
    caption: Option<String>,
) -> CmdResult<Uuid> {
    let result = send_path(&state, room_id, &path, caption).await;
    state.worded(result)
}

/// Sends the file at `path` with its caption (none: an empty one).
async fn send_path(
    state: &AppState,
    room_id: Uuid,
    path: impl AsRef<std::path::Path>,
    caption: Option<String>,
) -> CmdResult<Uuid> {
    let caption = caption.unwrap_or_default();
    Ok(state
        .client()
        .await?
        .send_file(room_id, path, &caption)
        .await?)
}

/// Largest pasted file, in bytes.
pub const PASTE_MAX_BYTES: usize = 50 << 20;

/// Sends bytes from the clipboard: they are written to the app's cache
/// first, under `name`, then sent like a picked file.
#[tauri::command(rename_all = "snake_case")]
pub async fn files_send_bytes(
    state: State<'_, AppState>,
    room_id: Uuid,
    name: String,
    data: Vec<u8>,
    caption: Option<String>,
) -> CmdResult<Uuid> {
    let result: CmdResult<_> = async {
        if data.is_empty() || data.len() > PASTE_MAX_BYTES {
            return Err(CmdError::invalid(
                "desktop-invalid-pasted-size",
                format!("a pasted file holds 1 to {PASTE_MAX_BYTES} bytes"),
            )
            .arg("max", PASTE_MAX_BYTES));
        }
        let safe: String = name
            .chars()
            .filter(|c| !matches!(c, '/' | '\\' | '\0'))
            .take(120)
            .collect();
        let safe = if safe.trim().is_empty() || safe.starts_with('.') {
            "pasted.png".to_owned()
        } else {
            safe
        };
        let dir = state
            .paths
            .cache_dir
            .join("outgoing")
            .join(Uuid::now_v7().simple().to_string());
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(CmdError::io)?;
        let path = dir.join(safe);
        tokio::fs::write(&path, &data).await.map_err(CmdError::io)?;
        send_path(&state, room_id, &path, caption).await
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn files_attachments(
    state: State<'_, AppState>,
    message_id: Uuid,
) -> CmdResult<Vec<Attachment>> {
    let result: CmdResult<_> = async {
        let a = state.client().await?.attachments(message_id).await?;
        Ok(a.into_iter().map(Into::into).collect())
    }
    .await;
    state.worded(result)
}

/// What is known of a file; asks the server when its name and size are
/// not known here yet.
#[tauri::command(rename_all = "snake_case")]
pub async fn files_info(state: State<'_, AppState>, file_id: Uuid) -> CmdResult<Attachment> {
    let result: CmdResult<_> = async {
        let client = state.client().await?;
        let a = client.file_info(file_id).await?;
        if a.known {
            return Ok(a.into());
        }
        Ok(client.fetch_file_info(file_id).await?.into())
    }
    .await;
    state.worded(result)
}

/// The file in the local cache (downloaded first when not there).
#[tauri::command(rename_all = "snake_case")]
pub async fn files_download(state: State<'_, AppState>, file_id: Uuid) -> CmdResult<String> {
    let result: CmdResult<_> = async {
        let p = state.client().await?.download(file_id).await?;
        Ok(p.display().to_string())
    }
    .await;
    state.worded(result)
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    Small,
    Medium,
    Large,
}

/// An image's thumbnail, as a `data:` URL the window can show.
#[tauri::command(rename_all = "snake_case")]
pub async fn files_thumbnail(
    state: State<'_, AppState>,
    file_id: Uuid,
    size: Option<Size>,
) -> CmdResult<String> {
    let result: CmdResult<_> = async {
        let size = match size.unwrap_or(Size::Medium) {
            Size::Small => ThumbnailSize::Small,
            Size::Medium => ThumbnailSize::Medium,
            Size::Large => ThumbnailSize::Large,
        };
        let p = state.client().await?.thumbnail(file_id, size).await?;
        let bytes = tokio::fs::read(&p).await.map_err(CmdError::io)?;
        let mime = sniff_image(&bytes);
        Ok(format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ))
    }
    .await;
    state.worded(result)
}

fn sniff_image(b: &[u8]) -> &'static str {
    if b.starts_with(b"\x89PNG") {
        "image/png"
    } else if b.starts_with(b"GIF8") {
        "image/gif"
    } else if b.len() > 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "image/jpeg"
    }
}

/// Saves a copy of the file at `dest` (downloading it first if needed).
#[tauri::command(rename_all = "snake_case")]
pub async fn files_save(state: State<'_, AppState>, file_id: Uuid, dest: String) -> CmdResult<()> {
    let result: CmdResult<_> = async {
        if dest.trim().is_empty() {
            return Err(CmdError::invalid(
                "desktop-invalid-save-not-chosen",
                "choose where to save the file",
            ));
        }
        let p = state.client().await?.download(file_id).await?;
        tokio::fs::copy(&p, &dest).await.map_err(CmdError::io)?;
        Ok(())
    }
    .await;
    state.worded(result)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn files_pin(state: State<'_, AppState>, file_id: Uuid, pinned: bool) -> CmdResult<()> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.pin(file_id, pinned).await?) }.await;
    state.worded(result)
}

/// Opens the file with the system's default app (downloading it first
/// if needed).
#[tauri::command(rename_all = "snake_case")]
pub async fn files_open<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    file_id: Uuid,
) -> CmdResult<String> {
    let result: CmdResult<_> = async {
        use tauri_plugin_opener::OpenerExt as _;
        let p = state.client().await?.download(file_id).await?;
        let path = p.display().to_string();
        app.opener()
            .open_path(&path, None::<&str>)
            .map_err(CmdError::io)?;
        Ok(path)
    }
    .await;
    state.worded(result)
}

/// What the file cache holds, and its cap.
#[tauri::command(rename_all = "snake_case")]
pub async fn files_cache_usage(state: State<'_, AppState>) -> CmdResult<CacheUsage> {
    let result: CmdResult<_> =
        async { Ok(state.client().await?.file_cache_usage().await?.into()) }.await;
    state.worded(result)
}
