//! Key-value metadata on users, rooms, messages, workspaces and the system.
//!
//! Who may write an entity's entries: the user themself; a room's
//! moderators; a message's sender or its room's moderators; a workspace's
//! admins; for the system, server admins. Public entries are readable by
//! everyone who can see the entity (workspace members, room readers);
//! private ones only by those who may write them.

use axum::extract::State;
use axum::http::StatusCode;
use tern_protocol::files::{MetaEntry, MetaList, MetaType, PutMeta};
use tern_protocol::workspace::WorkspaceRole;
use tern_protocol::{ErrorBody, limits};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::extract::{ApiJson, ApiPath, Auth};
use super::{AppState, access};
use crate::authz::Cap;
use crate::error::{AppError, AppResult};

/// Largest value, serialised.
const VALUE_MAX_BYTES: usize = 16 * 1024;
/// Most entries on one entity.
const ENTRIES_MAX: usize = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_meta, get_meta, delete_meta))
        .routes(routes!(list_meta))
}

/// What the caller may do with an entity's metadata.
struct Rights {
    read_public: bool,
    write: bool,
}

fn valid_key(key: &str) -> AppResult<()> {
    if key.is_empty()
        || key.len() > 64
        || !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
    {
        return Err(AppError::invalid(
            "key must be 1 to 64 of a-z, 0-9, '_', '.', '-'",
        ));
    }
    Ok(())
}

fn entity_uuid(id: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id)
        .map_err(|_| AppError::invalid(format!("entity id {id:?} is not a valid id")))
}

async fn rights(state: &AppState, auth: &Auth, et: &str, eid: &str) -> AppResult<Rights> {
    let all = Rights {
        read_public: true,
        write: true,
    };
    match et {
        "system" => {
            valid_key(eid).map_err(|_| AppError::invalid("system entity ids are like keys"))?;
            Ok(Rights {
                read_public: !auth.is_api_key(),
                write: auth.is_admin(),
            })
        }
        "user" => {
            let id = entity_uuid(eid)?;
            if id == auth.user_id || auth.is_admin() {
                return Ok(all);
            }
            state
                .store
                .user_by_id(id)
                .await?
                .ok_or_else(|| AppError::not_found("user"))?;
            let mine = state.store.list_workspaces(auth.user_id, false).await?;
            for ws in mine {
                if auth.scope.is_some_and(|s| s != ws.id) {
                    continue;
                }
                if state.store.workspace_role(ws.id, id).await?.is_some() {
                    return Ok(Rights {
                        read_public: true,
                        write: false,
                    });
                }
            }
            Err(AppError::not_found("user"))
        }
        "workspace" => {
            let id = entity_uuid(eid)?;
            let role = access::workspace(state, auth, id, Cap::ViewWorkspace).await?;
            Ok(Rights {
                read_public: true,
                write: auth.is_admin() || role >= Some(WorkspaceRole::Admin),
            })
        }
        "room" => {
            let id = entity_uuid(eid)?;
            let acc = access::room(state, auth, id, Cap::ReadRoom).await?;
            Ok(Rights {
                read_public: true,
                write: acc.is_moderator(auth),
            })
        }
        "message" => {
            let id = entity_uuid(eid)?;
            let msg = state
                .store
                .message_anywhere(id)
                .await?
                .ok_or_else(|| AppError::not_found("message"))?;
            let acc = access::room(state, auth, msg.room_id, Cap::ReadRoom)
                .await
                .map_err(|_| AppError::not_found("message"))?;
            Ok(Rights {
                read_public: true,
                write: msg.sender_id == auth.user_id || acc.is_moderator(auth),
            })
        }
        other => Err(AppError::invalid(format!(
            "entity type {other:?} is not one of user, room, message, workspace, system"
        ))),
    }
}

fn type_of(v: &serde_json::Value) -> MetaType {
    match v {
        serde_json::Value::Bool(_) => MetaType::Boolean,
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => MetaType::Integer,
        serde_json::Value::Number(_) => MetaType::Number,
        serde_json::Value::Array(_) => MetaType::Array,
        serde_json::Value::Object(_) => MetaType::Object,
        serde_json::Value::String(_) | serde_json::Value::Null => MetaType::String,
    }
}

fn fits(v: &serde_json::Value, t: MetaType) -> bool {
    match t {
        MetaType::String => v.is_string(),
        MetaType::Number => v.is_number(),
        MetaType::Integer => v.is_i64() || v.is_u64(),
        MetaType::Boolean => v.is_boolean(),
        MetaType::Object => v.is_object(),
        MetaType::Array => v.is_array(),
        MetaType::Datetime => v.as_str().is_some_and(|s| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
        }),
    }
}

/// Sets an entry. The value must fit the entry's type.
#[utoipa::path(put, path = "/api/v1/meta/{entity_type}/{entity_id}/{key}", tag = "meta",
    security(("bearer" = [])),
    params(("entity_type" = String, Path), ("entity_id" = String, Path), ("key" = String, Path)),
    request_body = PutMeta,
    responses((status = 200, body = MetaEntry), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn put_meta(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((et, eid, key)): ApiPath<(String, String, String)>,
    ApiJson(req): ApiJson<PutMeta>,
) -> AppResult<axum::Json<MetaEntry>> {
    valid_key(&key)?;
    let r = rights(&state, &auth, &et, &eid).await?;
    if !r.write {
        return Err(AppError::forbidden(
            "you may not change this entity's metadata",
        ));
    }
    if req.value.is_null() {
        return Err(AppError::invalid(
            "value must not be null: DELETE the entry instead",
        ));
    }
    let size = req.value.to_string().len();
    if size > VALUE_MAX_BYTES {
        return Err(AppError::invalid(format!(
            "value is too large ({size} bytes; at most {VALUE_MAX_BYTES})"
        )));
    }
    let existing = state.store.meta(&et, &eid, &key).await?;
    let data_type = req
        .data_type
        .or(existing.as_ref().map(|e| e.data_type))
        .unwrap_or_else(|| type_of(&req.value));
    if !fits(&req.value, data_type) {
        return Err(AppError::invalid(format!(
            "value does not fit data_type {}",
            serde_json::to_string(&data_type).unwrap_or_default()
        )));
    }
    if existing.is_none() && state.store.list_meta(&et, &eid).await?.len() >= ENTRIES_MAX {
        return Err(AppError::invalid(format!(
            "an entity holds at most {ENTRIES_MAX} entries"
        )));
    }
    let public = req
        .public
        .or(existing.as_ref().map(|e| e.public))
        .unwrap_or(false);
    let entry = state
        .store
        .put_meta(
            &et,
            &eid,
            &key,
            req.value,
            data_type,
            public,
            Some(auth.user_id),
        )
        .await?;
    Ok(axum::Json(entry))
}

/// One entry.
#[utoipa::path(get, path = "/api/v1/meta/{entity_type}/{entity_id}/{key}", tag = "meta",
    security(("bearer" = [])),
    params(("entity_type" = String, Path), ("entity_id" = String, Path), ("key" = String, Path)),
    responses((status = 200, body = MetaEntry), (status = 404, body = ErrorBody)))]
async fn get_meta(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((et, eid, key)): ApiPath<(String, String, String)>,
) -> AppResult<axum::Json<MetaEntry>> {
    valid_key(&key)?;
    let r = rights(&state, &auth, &et, &eid).await?;
    let entry = state
        .store
        .meta(&et, &eid, &key)
        .await?
        .filter(|e| r.write || (e.public && r.read_public))
        .ok_or_else(|| AppError::not_found("entry"))?;
    Ok(axum::Json(entry))
}

/// Removes an entry.
#[utoipa::path(delete, path = "/api/v1/meta/{entity_type}/{entity_id}/{key}", tag = "meta",
    security(("bearer" = [])),
    params(("entity_type" = String, Path), ("entity_id" = String, Path), ("key" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_meta(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((et, eid, key)): ApiPath<(String, String, String)>,
) -> AppResult<StatusCode> {
    valid_key(&key)?;
    let r = rights(&state, &auth, &et, &eid).await?;
    if !r.write {
        return Err(AppError::forbidden(
            "you may not change this entity's metadata",
        ));
    }
    if !state.store.delete_meta(&et, &eid, &key).await? {
        return Err(AppError::not_found("entry"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The entries of an entity the caller may read.
#[utoipa::path(get, path = "/api/v1/meta/{entity_type}/{entity_id}", tag = "meta",
    security(("bearer" = [])),
    params(("entity_type" = String, Path), ("entity_id" = String, Path)),
    responses((status = 200, body = MetaList), (status = 404, body = ErrorBody)))]
async fn list_meta(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((et, eid)): ApiPath<(String, String)>,
) -> AppResult<axum::Json<MetaList>> {
    let r = rights(&state, &auth, &et, &eid).await?;
    let entries = state
        .store
        .list_meta(&et, &eid)
        .await?
        .into_iter()
        .filter(|e| r.write || (e.public && r.read_public))
        .take(limits::EVENTS_PAGE_MAX as usize)
        .collect();
    Ok(axum::Json(MetaList { entries }))
}
