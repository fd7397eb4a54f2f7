//! The HTTP surface: one [`AppState`], one router per area merged here, the
//! OpenAPI document generated from the same route table, and the layers
//! every request passes (tracing span, metrics, body limit, panic guard).

mod access;
pub mod apikeys;
mod auth;
pub mod extract;
mod files;
mod health;
pub(crate) mod messages;
mod meta;
mod rooms;
mod sync;
mod users;
mod workspaces;
mod ws;

use std::ops::Deref;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tern_protocol::ErrorCode;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{Jwt, RateLimiter, Revoked};
use crate::config::Config;
use crate::error::AppError;
use crate::fanout::Fanout;
use crate::metrics::Metrics;
use crate::store::Store;

pub struct AppInner {
    pub store: Arc<dyn Store>,
    pub config: Config,
    pub jwt: Jwt,
    pub fanout: Arc<Fanout>,
    pub metrics: Arc<Metrics>,
    pub revoked: Revoked,
    pub ip_limiter: RateLimiter,
    pub account_limiter: RateLimiter,
    /// Verified against when a login names nobody, to take as long.
    pub dummy_hash: String,
    pub openapi_json: OnceLock<String>,
    pub blobs: crate::files::Blobs,
    /// When each API key was last recorded as used.
    pub key_seen: std::sync::Mutex<std::collections::HashMap<uuid::Uuid, std::time::Instant>>,
    /// Turns true when the server is shutting down.
    pub shutdown: watch::Receiver<bool>,
    /// Permission facts for the hot paths.
    pub(crate) access_cache: access::AccessCache,
}

#[derive(Clone)]
pub struct AppState(pub Arc<AppInner>);

impl Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Tern", description = "Tern messenger API, version 1"),
    paths(messages::send_message),
    modifiers(&BearerAuth),
    tags(
        (name = "auth"), (name = "users"), (name = "workspaces"), (name = "rooms"),
        (name = "messages"), (name = "sync"), (name = "files"), (name = "meta"),
        (name = "api-keys"), (name = "system")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Builds the whole app: routes, OpenAPI document and layers.
pub fn app(state: AppState) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(auth::router())
        .merge(users::router())
        .merge(workspaces::router())
        .merge(rooms::router())
        .merge(messages::router())
        .merge(sync::router())
        .merge(ws::router())
        .merge(files::router())
        .merge(meta::router())
        .merge(apikeys::router())
        .split_for_parts();
    let json = api.to_json().unwrap_or_else(|_| "{}".to_owned());
    let _ = state.openapi_json.set(json);
    let limit = state.config.max_body_bytes;
    router
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(limit))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                AppError::internal("a handler panicked").into_response()
            },
        ))
        .with_state(state)
}

async fn no_route(method: Method, uri: Uri) -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        format!("no such endpoint: {method} {}", uri.path()),
    )
}

async fn wrong_method(method: Method, uri: Uri) -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// One span per request (method, matched route, status, latency) and the
/// route metrics.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let span = tracing::info_span!(
        "request",
        method = %method,
        route = %route,
        status = tracing::field::Empty,
        latency_us = tracing::field::Empty
    );
    let resp = tracing::Instrument::instrument(next.run(req), span.clone()).await;
    let latency = start.elapsed();
    let status = resp.status().as_u16();
    span.record("status", status);
    span.record("latency_us", latency.as_micros() as u64);
    let _enter = span.enter();
    if status >= 500 {
        tracing::warn!("request failed");
    } else {
        tracing::debug!("request done");
    }
    state
        .metrics
        .record(method.as_str(), &route, status, latency);
    resp
}
