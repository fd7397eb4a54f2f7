//! Sending, editing, deleting and reacting; read markers; paging the log.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tern_protocol::event::{
    DeleteContent, EditContent, EditMessage, EventsPage, ReadMarker, SendMessage,
};
use tern_protocol::ws::ServerFrame;
use tern_protocol::{
    ErrorBody, Event, EventContent, EventId, MessageContent, MessageKind, RoomId, UserId, limits,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use super::{AppState, access};
use crate::authz::Cap;
use crate::error::{AppError, AppResult};
use crate::store::{MessageRecord, Page};
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    // Sending shares its path with edit and delete; the router needs one
    // parameter name per position, so PUT is routed under `{message_id}`
    // here and documented as `{txn_id}` (see `ApiDoc`).
    OpenApiRouter::new()
        .routes(routes!(edit_message, delete_message))
        .route(
            "/api/v1/rooms/{id}/messages/{message_id}",
            axum::routing::put(send_message),
        )
        .routes(routes!(add_reaction, remove_reaction))
        .routes(routes!(mark_read))
        .routes(routes!(list_events))
}

fn kind_of(mime: &str) -> MessageKind {
    match mime.split('/').next() {
        Some("image") => MessageKind::Image,
        Some("video") => MessageKind::Video,
        Some("audio") => MessageKind::Audio,
        _ => MessageKind::File,
    }
}

/// The room's members named with `@username` in `body`.
async fn mentions(state: &AppState, room: RoomId, body: &str) -> AppResult<Vec<UserId>> {
    let names = validate::mentioned_usernames(body);
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let members = state.store.member_usernames(room).await?;
    Ok(names
        .iter()
        .filter_map(|n| members.get(n).copied())
        .collect())
}

async fn message_in_room(
    state: &AppState,
    room: RoomId,
    id: EventId,
    field: &str,
) -> AppResult<MessageRecord> {
    state
        .store
        .message(room, id)
        .await?
        .ok_or_else(|| AppError::invalid(format!("{field}: no message {id} in this room")))
}

/// Sends a message. The txn id makes it idempotent: a retry (even after a
/// server restart) answers the same event.
#[utoipa::path(put, path = "/api/v1/rooms/{id}/messages/{txn_id}", tag = "messages",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("txn_id" = String, Path, description = "client-chosen, unique per sender")),
    request_body = SendMessage,
    responses((status = 200, body = Event), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub(super) async fn send_message(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((room, txn_id)): ApiPath<(RoomId, String)>,
    ApiJson(req): ApiJson<SendMessage>,
) -> AppResult<axum::Json<Event>> {
    validate::txn_id(&txn_id)?;
    // A retry is answered by the store inside the write. Only when the
    // caller may no longer send here, or the retry would copy files again
    // (a forward), is the first answer looked up beforehand.
    let prior = || async {
        match state.store.event_by_txn(auth.user_id, &txn_id).await? {
            Some(p) if p.room_id == room && matches!(p.content, EventContent::Message(_)) => {
                Ok(Some(p))
            }
            Some(_) => Err(AppError::from(crate::store::StoreError::TxnConflict(
                txn_id.clone(),
            ))),
            None => Ok(None),
        }
    };
    if let Err(denied) = access::check_room(&state, &auth, room, Cap::SendMessage).await {
        return match prior().await? {
            Some(p) => Ok(axum::Json(p)),
            None => Err(denied),
        };
    }
    if req.forward_of.is_some()
        && let Some(p) = prior().await?
    {
        return Ok(axum::Json(p));
    }
    let attachments = req.attachments.unwrap_or_default();
    validate::body(
        &req.body,
        !attachments.is_empty() || req.forward_of.is_some(),
    )?;
    let kind = req.kind.unwrap_or(MessageKind::Text);
    if kind == MessageKind::System {
        return Err(AppError::invalid(
            "system messages are sent by the server only",
        ));
    }
    if attachments.len() > limits::ATTACHMENTS_MAX {
        return Err(AppError::invalid(format!(
            "at most {} attachments",
            limits::ATTACHMENTS_MAX
        )));
    }
    let mut files = Vec::with_capacity(attachments.len());
    for id in &attachments {
        let f = super::files::readable(&state, &auth, *id)
            .await
            .map_err(|_| AppError::invalid(format!("attachments: no file {id}")))?;
        files.push(f);
    }
    // The kind follows the first attachment's type.
    let kind = match files.first() {
        Some(f) => kind_of(&f.mime),
        None if kind != MessageKind::Text => {
            return Err(AppError::invalid(format!(
                "a message of kind {kind:?} needs an attachment"
            )));
        }
        None => kind,
    };
    if let Some(r) = req.reply_to {
        message_in_room(&state, room, r, "reply_to").await?;
    }
    let thread_root = match req.thread_root {
        Some(t) => {
            let root = message_in_room(&state, room, t, "thread_root").await?;
            // Threads are one level deep: a reply in a thread hangs off its root.
            Some(root.content.thread_root.unwrap_or(root.id))
        }
        None => None,
    };
    let mut body = req.body;
    let mut attachments = attachments;
    let mut kind = kind;
    if let Some(f) = req.forward_of {
        let src = state
            .store
            .message_anywhere(f)
            .await?
            .filter(|m| !m.deleted)
            .ok_or_else(|| AppError::invalid(format!("forward_of: no message {f}")))?;
        access::room(&state, &auth, src.room_id, Cap::ReadRoom)
            .await
            .map_err(|_| AppError::invalid(format!("forward_of: no message {f}")))?;
        if body.trim().is_empty() {
            body = src.content.body;
        }
        if attachments.is_empty() && !src.content.attachments.is_empty() {
            // The forward gets its own file rows on the same blobs, so it
            // outlives the original.
            attachments = state
                .store
                .copy_files(src.content.attachments.clone(), auth.user_id)
                .await?
                .into_iter()
                .map(|f| f.id)
                .collect();
            kind = src.content.kind;
        }
    }
    let mentions = mentions(&state, room, &body).await?;
    let content = EventContent::Message(MessageContent {
        kind,
        body,
        reply_to: req.reply_to,
        thread_root,
        attachments,
        forward_of: req.forward_of,
        mentions,
        erased: false,
    });
    let event = state
        .store
        .append(room, auth.user_id, content, Some(txn_id))
        .await?;
    Ok(axum::Json(event))
}

/// Replaces the body of one of the caller's messages.
#[utoipa::path(patch, path = "/api/v1/rooms/{id}/messages/{message_id}", tag = "messages",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("message_id" = uuid::Uuid, Path)),
    request_body = EditMessage,
    responses((status = 200, body = Event), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn edit_message(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((room, id)): ApiPath<(RoomId, EventId)>,
    ApiJson(req): ApiJson<EditMessage>,
) -> AppResult<axum::Json<Event>> {
    if let Some(txn) = &req.txn_id {
        validate::txn_id(txn)?;
        if let Some(prior) = state.store.event_by_txn(auth.user_id, txn).await? {
            if prior.room_id == room && matches!(prior.content, EventContent::Edit(_)) {
                return Ok(axum::Json(prior));
            }
            return Err(AppError::from(crate::store::StoreError::TxnConflict(
                txn.clone(),
            )));
        }
    }
    access::room(&state, &auth, room, Cap::EditOwn).await?;
    validate::body(&req.body, false)?;
    let msg = state
        .store
        .message(room, id)
        .await?
        .ok_or_else(|| AppError::not_found("message"))?;
    if msg.sender_id != auth.user_id {
        return Err(AppError::forbidden("only the sender may edit a message"));
    }
    if msg.deleted {
        return Err(AppError::invalid("the message was deleted"));
    }
    let mentions = mentions(&state, room, &req.body).await?;
    let event = state
        .store
        .append(
            room,
            auth.user_id,
            EventContent::Edit(EditContent {
                target: id,
                body: req.body,
                mentions,
            }),
            req.txn_id,
        )
        .await?;
    Ok(axum::Json(event))
}

/// Deletes a message: the sender, or a moderator. In a secret room the
/// content is erased everywhere. Deleting again answers the first delete.
#[utoipa::path(delete, path = "/api/v1/rooms/{id}/messages/{message_id}", tag = "messages",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("message_id" = uuid::Uuid, Path)),
    responses((status = 200, body = Event), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn delete_message(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((room, id)): ApiPath<(RoomId, EventId)>,
) -> AppResult<axum::Json<Event>> {
    access::room(&state, &auth, room, Cap::ReadRoom).await?;
    let msg = state
        .store
        .message(room, id)
        .await?
        .ok_or_else(|| AppError::not_found("message"))?;
    let cap = if msg.sender_id == auth.user_id {
        Cap::EditOwn
    } else {
        Cap::DeleteAny
    };
    let acc = access::room(&state, &auth, room, cap).await?;
    let event = state
        .store
        .append(
            room,
            auth.user_id,
            EventContent::Delete(DeleteContent { target: id }),
            None,
        )
        .await?;
    if acc.room.secret && !msg.content.attachments.is_empty() {
        // The erased message's files are gone; their blobs go too when
        // nothing else references them.
        if let Err(e) = state.blobs.collect_garbage(state.store.as_ref()).await {
            tracing::warn!(error = %e, "blob collection after a secret delete failed");
        }
    }
    Ok(axum::Json(event))
}

async fn react(
    state: &AppState,
    auth: &Auth,
    room: RoomId,
    id: EventId,
    emoji: &str,
    add: bool,
) -> AppResult<Option<Event>> {
    validate::emoji(emoji)?;
    access::room(state, auth, room, Cap::React).await?;
    let msg = state
        .store
        .message(room, id)
        .await?
        .ok_or_else(|| AppError::not_found("message"))?;
    if msg.deleted && add {
        return Err(AppError::invalid("the message was deleted"));
    }
    match state.store.react(room, auth.user_id, id, emoji, add).await {
        Ok(event) => Ok(Some(event)),
        // Only taking back a reaction that never was answers NotFound.
        Err(crate::store::StoreError::NotFound) if !add => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Adds a reaction (idempotent: adding it again answers the same event).
#[utoipa::path(put, path = "/api/v1/rooms/{id}/messages/{message_id}/reactions/{emoji}", tag = "messages",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("message_id" = uuid::Uuid, Path), ("emoji" = String, Path)),
    responses((status = 200, body = Event), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_reaction(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((room, id, emoji)): ApiPath<(RoomId, EventId, String)>,
) -> AppResult<axum::Json<Event>> {
    react(&state, &auth, room, id, &emoji, true)
        .await?
        .map(axum::Json)
        .ok_or_else(|| AppError::not_found("message"))
}

/// Takes a reaction back (idempotent: taking it back again answers the
/// same event; one never added answers 204).
#[utoipa::path(delete, path = "/api/v1/rooms/{id}/messages/{message_id}/reactions/{emoji}", tag = "messages",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("message_id" = uuid::Uuid, Path), ("emoji" = String, Path)),
    responses((status = 200, body = Event), (status = 204, description = "there was no such reaction"),
        (status = 404, body = ErrorBody)))]
async fn remove_reaction(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((room, id, emoji)): ApiPath<(RoomId, EventId, String)>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    Ok(match react(&state, &auth, room, id, &emoji, false).await? {
        Some(event) => axum::Json(event).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Moves the caller's read marker forward (never back).
#[utoipa::path(post, path = "/api/v1/rooms/{id}/read", tag = "messages",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)), request_body = ReadMarker,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn mark_read(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(room): ApiPath<RoomId>,
    ApiJson(req): ApiJson<ReadMarker>,
) -> AppResult<StatusCode> {
    let acc = access::room(&state, &auth, room, Cap::MarkRead).await?;
    if req.seq < 0 {
        return Err(AppError::invalid("seq must not be negative"));
    }
    let seq = req.seq.min(acc.room.last_seq);
    if let Some(seq) = state.store.mark_read(room, auth.user_id, seq).await? {
        state.fanout.send_to_room(
            room,
            &ServerFrame::Receipt {
                room_id: room,
                user_id: auth.user_id,
                seq,
            },
        );
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    /// Events before this seq (the newest of them), for backfill.
    before: Option<i64>,
    /// Events after this seq, for gap fill.
    after: Option<i64>,
    /// Page size (default 50, at most 1000).
    limit: Option<u32>,
}

/// A page of the room's log, ascending by seq. With neither `before` nor
/// `after`, the newest events.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/events", tag = "messages",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path), EventsQuery),
    responses((status = 200, body = EventsPage), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn list_events(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(room): ApiPath<RoomId>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> AppResult<axum::Json<EventsPage>> {
    let acc = access::room(&state, &auth, room, Cap::ReadRoom).await?;
    let limit = q.limit.unwrap_or(50);
    if limit == 0 || limit > limits::EVENTS_PAGE_MAX {
        return Err(AppError::invalid(format!(
            "limit must be 1 to {}",
            limits::EVENTS_PAGE_MAX
        )));
    }
    let page = match (q.before, q.after) {
        (Some(_), Some(_)) => {
            return Err(AppError::invalid("give before or after, not both"));
        }
        (Some(b), None) if b < 0 => return Err(AppError::invalid("before must not be negative")),
        (None, Some(a)) if a < 0 => return Err(AppError::invalid("after must not be negative")),
        (Some(b), None) => Page::Before(b),
        (None, Some(a)) => Page::After(a),
        (None, None) => Page::Before(acc.room.last_seq + 1),
    };
    let (events, has_more) = state.store.events(room, page, limit).await?;
    Ok(axum::Json(EventsPage { events, has_more }))
}
