//! `POST /api/v1/sync`: everything the client is missing, room by room.

use axum::extract::State;
use tern_protocol::sync::{SyncRequest, SyncResponse};
use tern_protocol::{ErrorBody, limits};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Auth};
use crate::error::{AppError, AppResult};

/// Most rooms one sync request may list.
const MAX_ROOMS: usize = 10_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sync))
}

/// For each room the caller is in: its state, members when they changed,
/// unread counts and the events after the seq the client holds (the newest
/// `timeline_limit` with `limited: true` when more are missing). Rooms the
/// client listed but is no longer in come back in `left`.
#[utoipa::path(post, path = "/api/v1/sync", tag = "sync",
    security(("bearer" = [])), request_body = SyncRequest,
    responses((status = 200, body = SyncResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
async fn sync(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<SyncRequest>,
) -> AppResult<axum::Json<SyncResponse>> {
    if req.rooms.len() > MAX_ROOMS {
        return Err(AppError::invalid(format!(
            "too many rooms listed ({}; at most {MAX_ROOMS})",
            req.rooms.len()
        )));
    }
    if let Some((room, seq)) = req.rooms.iter().find(|(_, s)| **s < 0) {
        return Err(AppError::invalid(format!(
            "rooms.{room}: seq {seq} must not be negative"
        )));
    }
    if let Some(l) = req.timeline_limit
        && (l == 0 || l > limits::TIMELINE_LIMIT_MAX)
    {
        return Err(AppError::invalid(format!(
            "timeline_limit must be 1 to {}",
            limits::TIMELINE_LIMIT_MAX
        )));
    }
    let mut resp = state.store.sync(auth.user_id, &req).await?;
    if let Some(ws) = auth.scope {
        // An API key sees its own workspace only.
        resp.rooms.retain(|_, r| r.room.workspace_id == ws);
    }
    Ok(axum::Json(resp))
}
