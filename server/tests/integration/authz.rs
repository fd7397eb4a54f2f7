//! The permission matrix over HTTP: each kind of caller against each
//! capability, in a public and a private room. Strangers get 404.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Api, TestServer};

fn cell(st: StatusCode, what: &str) -> &'static str {
    match st.as_u16() {
        200..=299 => "ok",
        403 => "403",
        404 => "404",
        other => panic!("unexpected status {other} for {what}"),
    }
}

const ACTORS: [&str; 7] = [
    "stranger",
    "guest",
    "outsider",
    "member",
    "moderator",
    "wsadmin",
    "sysadmin",
];

#[tokio::test]
async fn every_role_against_every_capability() {
    let s = TestServer::start().await;
    let owner = s.user("mx-owner").await;
    let ws = owner.workspace("mx").await;
    let mut actors: Vec<Api> = Vec::new();
    for name in ACTORS {
        actors.push(s.user(&format!("mx-{name}")).await);
    }
    let (guest, outsider, member, moderator, wsadmin) = (
        actors[1].clone(),
        actors[2].clone(),
        actors[3].clone(),
        actors[4].clone(),
        actors[5].clone(),
    );
    owner.add_member(&ws, &guest, "guest").await;
    owner.add_member(&ws, &outsider, "member").await;
    owner.add_member(&ws, &member, "member").await;
    owner.add_member(&ws, &moderator, "member").await;
    owner.add_member(&ws, &wsadmin, "admin").await;
    // Promote the server admin, then sign in again for a token that says so.
    let store = s.running.as_ref().unwrap().state.store.clone();
    store
        .set_server_role(
            actors[6].user_id.parse().unwrap(),
            tern_protocol::auth::ServerRole::Admin,
        )
        .await
        .unwrap();
    let (_, pair) = s
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"login": "mx-sysadmin", "password": "password-123"}),
        )
        .await;
    actors[6].adopt(&pair);
    let target = s.user("mx-target").await;
    owner.add_member(&ws, &target, "member").await;

    let mut out = String::new();
    for vis in ["public", "private"] {
        let room = owner
            .room(&ws, vis, vis, &[&guest, &member, &moderator, &target])
            .await;
        owner
            .put(
                &format!("/api/v1/rooms/{room}/members/{}", moderator.user_id),
                json!({"role": "moderator"}),
            )
            .await;
        let seed = owner.send(&room, "seed").await;
        let seed_id = seed["id"].as_str().unwrap().to_owned();
        out.push_str(&format!("== {vis}\n"));
        for (cap_i, cap) in [
            "see",
            "read",
            "send",
            "react",
            "delete-other",
            "invite",
            "settings",
            "moderate",
        ]
        .into_iter()
        .enumerate()
        {
            out.push_str(&format!("{cap:<13}"));
            for (i, a) in actors.iter().enumerate() {
                let st = match cap {
                    "see" => a.get(&format!("/api/v1/rooms/{room}")).await.0,
                    "read" => a.get(&format!("/api/v1/rooms/{room}/events")).await.0,
                    "send" => {
                        a.put(
                            &format!("/api/v1/rooms/{room}/messages/mx-{vis}-{i}"),
                            json!({"body": "hi"}),
                        )
                        .await
                        .0
                    }
                    "react" => {
                        a.put(
                            &format!("/api/v1/rooms/{room}/messages/{seed_id}/reactions/ok"),
                            json!(null),
                        )
                        .await
                        .0
                    }
                    "delete-other" => {
                        let m = owner.send(&room, "delete me").await;
                        a.delete(&format!(
                            "/api/v1/rooms/{room}/messages/{}",
                            m["id"].as_str().unwrap()
                        ))
                        .await
                        .0
                    }
                    "invite" => {
                        let fresh = s.user(&format!("mx-inv-{vis}-{i}-{cap_i}")).await;
                        owner.add_member(&ws, &fresh, "member").await;
                        a.put(
                            &format!("/api/v1/rooms/{room}/members/{}", fresh.user_id),
                            json!({"state": "invited"}),
                        )
                        .await
                        .0
                    }
                    "settings" => {
                        a.patch(
                            &format!("/api/v1/rooms/{room}"),
                            json!({"topic": format!("t{i}")}),
                        )
                        .await
                        .0
                    }
                    "moderate" => {
                        a.put(
                            &format!("/api/v1/rooms/{room}/members/{}", target.user_id),
                            json!({"role": "member"}),
                        )
                        .await
                        .0
                    }
                    _ => unreachable!(),
                };
                out.push_str(&format!(
                    "{:>10}",
                    cell(st, &format!("{vis} {cap} by {}", ACTORS[i]))
                ));
            }
            out.push('\n');
        }
    }
    out.push_str("== workspace\n");
    for cap in ["create-room", "manage-ws", "ws-invite"] {
        out.push_str(&format!("{cap:<13}"));
        for (i, a) in actors.iter().enumerate() {
            let st = match cap {
                "create-room" => {
                    a.post(
                        &format!("/api/v1/workspaces/{ws}/rooms"),
                        json!({"kind": "group", "name": format!("r{i}"), "visibility": "public"}),
                    )
                    .await
                    .0
                }
                "manage-ws" => {
                    a.patch(&format!("/api/v1/workspaces/{ws}"), json!({"name": "mx"}))
                        .await
                        .0
                }
                "ws-invite" => {
                    a.post(
                        &format!("/api/v1/workspaces/{ws}/invites"),
                        json!({"email": format!("x{i}@example.test"), "role": "member"}),
                    )
                    .await
                    .0
                }
                _ => unreachable!(),
            };
            out.push_str(&format!(
                "{:>10}",
                cell(st, &format!("{cap} by {}", ACTORS[i]))
            ));
        }
        out.push('\n');
    }
    let expected = "\
== public
see                 404        ok        ok        ok        ok        ok        ok
read                404        ok        ok        ok        ok        ok        ok
send                404       403       403        ok        ok       403        ok
react               404       403       403        ok        ok       403        ok
delete-other        404       403       403       403        ok        ok        ok
invite              404       403       403        ok        ok       403        ok
settings            404       403       403       403        ok        ok        ok
moderate            404       403       403       403        ok        ok        ok
== private
see                 404        ok       404        ok        ok        ok        ok
read                404        ok       404        ok        ok        ok        ok
send                404       403       404        ok        ok       403        ok
react               404       403       404        ok        ok       403        ok
delete-other        404       403       404       403        ok        ok        ok
invite              404       403       404        ok        ok       403        ok
settings            404       403       404       403        ok        ok        ok
moderate            404       403       404       403        ok        ok        ok
== workspace
create-room         404       403        ok        ok        ok        ok        ok
manage-ws           404       403       403       403       403        ok        ok
ws-invite           404       403       403       403       403        ok        ok
";
    println!("{:<13}{}", "", ACTORS.map(|a| format!("{a:>10}")).join(""));
    println!("{out}");
    assert_eq!(out, expected, "columns: {ACTORS:?}");
}
