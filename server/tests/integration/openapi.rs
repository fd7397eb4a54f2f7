//! The OpenAPI document covers every endpoint; every documented route is
//! served.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use crate::helpers::TestServer;

/// Every endpoint of the v1 contract (DESIGN section 10) and the extra ones.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/sessions"),
    ("delete", "/api/v1/sessions/{id}"),
    ("get", "/api/v1/users/me"),
    ("patch", "/api/v1/users/me"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/workspaces"),
    ("get", "/api/v1/workspaces"),
    ("get", "/api/v1/workspaces/{id}"),
    ("patch", "/api/v1/workspaces/{id}"),
    ("get", "/api/v1/workspaces/{id}/members"),
    ("put", "/api/v1/workspaces/{id}/members/{user_id}"),
    ("delete", "/api/v1/workspaces/{id}/members/{user_id}"),
    ("post", "/api/v1/workspaces/{id}/invites"),
    ("post", "/api/v1/invites/{token}/accept"),
    ("post", "/api/v1/workspaces/{id}/rooms"),
    ("post", "/api/v1/workspaces/{id}/direct"),
    ("get", "/api/v1/workspaces/{id}/rooms"),
    ("get", "/api/v1/rooms/{id}"),
    ("patch", "/api/v1/rooms/{id}"),
    ("post", "/api/v1/rooms/{id}/join"),
    ("post", "/api/v1/rooms/{id}/leave"),
    ("get", "/api/v1/rooms/{id}/members"),
    ("put", "/api/v1/rooms/{id}/members/{user_id}"),
    ("delete", "/api/v1/rooms/{id}/members/{user_id}"),
    ("put", "/api/v1/rooms/{id}/messages/{txn_id}"),
    ("patch", "/api/v1/rooms/{id}/messages/{message_id}"),
    ("delete", "/api/v1/rooms/{id}/messages/{message_id}"),
    (
        "put",
        "/api/v1/rooms/{id}/messages/{message_id}/reactions/{emoji}",
    ),
    (
        "delete",
        "/api/v1/rooms/{id}/messages/{message_id}/reactions/{emoji}",
    ),
    ("post", "/api/v1/rooms/{id}/read"),
    ("get", "/api/v1/rooms/{id}/events"),
    ("post", "/api/v1/sync"),
    ("get", "/api/v1/ws"),
    ("post", "/api/v1/files"),
    ("get", "/api/v1/files/{id}"),
    ("get", "/api/v1/files/{id}/thumbnail"),
    ("get", "/api/v1/files/{id}/info"),
    ("put", "/api/v1/meta/{entity_type}/{entity_id}/{key}"),
    ("get", "/api/v1/meta/{entity_type}/{entity_id}/{key}"),
    ("delete", "/api/v1/meta/{entity_type}/{entity_id}/{key}"),
    ("get", "/api/v1/meta/{entity_type}/{entity_id}"),
    ("post", "/api/v1/workspaces/{id}/api-keys"),
    ("get", "/api/v1/workspaces/{id}/api-keys"),
    ("delete", "/api/v1/workspaces/{id}/api-keys/{key_id}"),
];

#[tokio::test]
async fn the_document_covers_every_route_and_every_documented_route_is_served() {
    let s = TestServer::start().await;
    let anon = s.anon();
    let (st, doc) = anon.get("/api/v1/openapi.json").await;
    assert_eq!(st, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = expected.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    let unlisted: Vec<_> = documented.difference(&expected).collect();
    assert!(
        unlisted.is_empty(),
        "documented routes this test does not know: {unlisted:?}"
    );
    // Every documented route is really routed: with placeholder ids it may
    // fail auth or validation, but never as an unknown endpoint.
    let id = uuid::Uuid::now_v7().to_string();
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", &id)
            .replace("{user_id}", &id)
            .replace("{message_id}", &id)
            .replace("{txn_id}", "t1")
            .replace("{token}", "tok")
            .replace("{emoji}", "ok")
            .replace("{entity_type}", "user")
            .replace("{entity_id}", &id)
            .replace("{key_id}", &id)
            .replace("{key}", "k");
        let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (st, body) = anon.raw(m, &concrete, None).await;
        let unknown = st == StatusCode::METHOD_NOT_ALLOWED
            || (st == StatusCode::NOT_FOUND
                && body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("no such endpoint")));
        assert!(
            !unknown,
            "{method} {path} is documented but not served ({st}: {body})"
        );
    }
    // The wire types are described.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "Event",
        "EventContent",
        "SyncRequest",
        "SyncResponse",
        "ErrorBody",
        "TokenPair",
        "Room",
        "Workspace",
    ] {
        assert!(schemas.contains_key(name), "schema {name} is documented");
    }
}
