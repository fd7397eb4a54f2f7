//! Workspaces: create, list, update, members, invites, the last owner.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestServer, code};

#[tokio::test]
async fn create_list_update() {
    let s = TestServer::start().await;
    let owner = s.user("ws-owner").await;
    let (st, ws) = owner
        .post(
            "/api/v1/workspaces",
            json!({"slug": "Acme", "name": "Acme Inc", "settings": {"theme": "dark"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{ws}");
    assert_eq!(ws["slug"], "acme", "slugs are lowercased");
    assert_eq!(ws["kind"], "client");
    assert_eq!(ws["role"], "owner");
    assert_eq!(ws["settings"]["theme"], "dark");
    let id = ws["id"].as_str().unwrap();
    let (st, b) = owner
        .post(
            "/api/v1/workspaces",
            json!({"slug": "acme", "name": "Again"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(code(&b), "slug_taken");
    let (st, b) = owner
        .post(
            "/api/v1/workspaces",
            json!({"slug": "sys", "name": "S", "kind": "system"}),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "only server admins make system workspaces: {b}"
    );
    let (st, list) = owner.get("/api/v1/workspaces").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["workspaces"].as_array().unwrap().len(), 1);
    let (st, upd) = owner
        .patch(
            &format!("/api/v1/workspaces/{id}"),
            json!({"name": "Acme Ltd", "settings": {"theme": "light", "n": 1}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{upd}");
    assert_eq!(upd["name"], "Acme Ltd");
    assert_eq!(upd["settings"], json!({"theme": "light", "n": 1}));
    let (st, b) = owner
        .patch(
            &format!("/api/v1/workspaces/{id}"),
            json!({"settings": [1, 2]}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("settings"));
    // A member may look but not change.
    let m = s.user("ws-member").await;
    owner.add_member(id, &m, "member").await;
    let (st, _) = m.get(&format!("/api/v1/workspaces/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = m
        .patch(&format!("/api/v1/workspaces/{id}"), json!({"name": "Mine"}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // A stranger does not even see it.
    let x = s.user("ws-stranger").await;
    let (st, _) = x.get(&format!("/api/v1/workspaces/{id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn members_roles_and_the_last_owner() {
    let s = TestServer::start().await;
    let owner = s.user("lo-owner").await;
    let admin = s.user("lo-admin").await;
    let member = s.user("lo-member").await;
    let ws = owner.workspace("lo").await;
    owner.add_member(&ws, &admin, "admin").await;
    admin.add_member(&ws, &member, "guest").await;
    let (st, list) = admin.get(&format!("/api/v1/workspaces/{ws}/members")).await;
    assert_eq!(st, StatusCode::OK);
    let roles: Vec<(String, String)> = list["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user"]["username"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        vec![
            ("lo-admin".into(), "admin".into()),
            ("lo-member".into(), "guest".into()),
            ("lo-owner".into(), "owner".into())
        ]
    );
    // Admins cannot touch the owner role.
    let (st, _) = admin
        .put(
            &format!("/api/v1/workspaces/{ws}/members/{}", member.user_id),
            json!({"role": "owner"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = admin
        .delete(&format!(
            "/api/v1/workspaces/{ws}/members/{}",
            owner.user_id
        ))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The last owner can neither leave nor be demoted.
    let (st, b) = owner
        .delete(&format!(
            "/api/v1/workspaces/{ws}/members/{}",
            owner.user_id
        ))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(code(&b), "last_owner");
    let (st, b) = owner
        .put(
            &format!("/api/v1/workspaces/{ws}/members/{}", owner.user_id),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(code(&b), "last_owner");
    // With a second owner the first may go.
    owner.add_member(&ws, &admin, "owner").await;
    let (st, _) = owner
        .delete(&format!(
            "/api/v1/workspaces/{ws}/members/{}",
            owner.user_id
        ))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = owner.get(&format!("/api/v1/workspaces/{ws}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "gone means gone");
    // Unknown user: 404.
    let (st, _) = admin
        .put(
            &format!("/api/v1/workspaces/{ws}/members/{}", uuid::Uuid::now_v7()),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn removing_a_member_takes_them_out_of_its_rooms() {
    let s = TestServer::start().await;
    let owner = s.user("rm-owner").await;
    let m = s.user("rm-member").await;
    let ws = owner.workspace("rm").await;
    owner.add_member(&ws, &m, "member").await;
    let room = owner.room(&ws, "r", "public", &[&m]).await;
    let (st, _) = owner
        .delete(&format!("/api/v1/workspaces/{ws}/members/{}", m.user_id))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, members) = owner.get(&format!("/api/v1/rooms/{room}/members")).await;
    assert_eq!(members["members"].as_array().unwrap().len(), 1);
    let (st, _) = m.get(&format!("/api/v1/rooms/{room}/events")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invites() {
    let s = TestServer::start().await;
    let owner = s.user("inv-owner").await;
    let member = s.user("inv-member").await;
    let ws = owner.workspace("inv").await;
    owner.add_member(&ws, &member, "member").await;
    let (st, _) = member
        .post(
            &format!("/api/v1/workspaces/{ws}/invites"),
            json!({"email": "x@example.test", "role": "member"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "members do not invite");
    let (st, inv) = owner
        .post(
            &format!("/api/v1/workspaces/{ws}/invites"),
            json!({"email": "Invitee@Example.test", "role": "admin"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{inv}");
    let token = inv["token"].as_str().unwrap();
    let wrong = s.user("inv-wrong").await;
    let (st, _) = wrong
        .post(&format!("/api/v1/invites/{token}/accept"), json!({}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the invite is for another email");
    let invitee = s.user("invitee").await;
    let (st, joined) = invitee
        .post(&format!("/api/v1/invites/{token}/accept"), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK, "{joined}");
    assert_eq!(joined["role"], "admin");
    let (st, b) = invitee
        .post(&format!("/api/v1/invites/{token}/accept"), json!({}))
        .await;
    assert_eq!(st, StatusCode::GONE);
    assert_eq!(code(&b), "invite_expired");
    let (st, _) = invitee
        .post("/api/v1/invites/not-a-token/accept", json!({}))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}
