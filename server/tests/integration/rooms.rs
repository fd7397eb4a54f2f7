//! Rooms: kinds, visibility and the directory, membership changes,
//! read-only and archived rooms. Every change lands in the room's log.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestServer, code, team};

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let t = e["type"].as_str().unwrap();
            match t {
                "member" => format!("member:{}", e["content"]["state"].as_str().unwrap()),
                _ => t.to_owned(),
            }
        })
        .collect()
}

#[tokio::test]
async fn creating_a_room_logs_it() {
    let s = TestServer::start().await;
    let t = team(&s, "cr", 2).await;
    let events = t.owner.events(&t.room, "").await;
    assert_eq!(
        types(&events),
        vec!["room", "member:joined", "member:joined", "member:joined"]
    );
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
    assert_eq!(events[0]["content"]["created"], true);
    assert_eq!(events[0]["content"]["name"], "general");
    assert_eq!(events[1]["content"]["role"], "owner");
    let (st, room) = t.owner.get(&format!("/api/v1/rooms/{}", t.room)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(room["member_count"], 3);
    assert_eq!(room["last_seq"], 4);
    // Initial members must belong to the workspace.
    let outsider = s.user("cr-outsider").await;
    let (st, b) = t
        .owner
        .post(
            &format!("/api/v1/workspaces/{}/rooms", t.ws),
            json!({"kind": "channel", "name": "x", "visibility": "public", "members": [outsider.user_id]}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
}

#[tokio::test]
async fn creating_a_room_with_a_txn_id_is_idempotent() {
    let s = TestServer::start().await;
    let t = team(&s, "crt", 0).await;
    let body = json!({"kind": "group", "name": "once", "visibility": "public", "txn_id": "mk-1"});
    let path = format!("/api/v1/workspaces/{}/rooms", t.ws);
    let (st, a) = t.owner.post(&path, body.clone()).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, b) = t.owner.post(&path, body).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(a["id"], b["id"], "a retried create answers the first room");
    let (_, dir) = t
        .owner
        .get(&format!("/api/v1/workspaces/{}/rooms", t.ws))
        .await;
    let named_once = dir["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"] == "once")
        .count();
    assert_eq!(named_once, 1);
    let (st, _) = t
        .owner
        .post(
            &path,
            json!({"kind": "group", "name": "x", "visibility": "public", "txn_id": "bad/id"}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn one_direct_room_per_pair() {
    let s = TestServer::start().await;
    let t = team(&s, "dm", 1).await;
    let bob = &t.others[0];
    let (st, a) = t
        .owner
        .post(
            &format!("/api/v1/workspaces/{}/direct", t.ws),
            json!({"user_id": bob.user_id}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(a["kind"], "direct");
    assert_eq!(a["member_count"], 2);
    let (st, b) = bob
        .post(
            &format!("/api/v1/workspaces/{}/direct", t.ws),
            json!({"user_id": t.owner.user_id}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(a["id"], b["id"], "the same room from either side");
    let (st, _) = bob
        .post(
            &format!("/api/v1/workspaces/{}/direct", t.ws),
            json!({"user_id": bob.user_id}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let stranger = s.user("dm-stranger").await;
    let (st, _) = bob
        .post(
            &format!("/api/v1/workspaces/{}/direct", t.ws),
            json!({"user_id": stranger.user_id}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = t
        .owner
        .post(
            &format!("/api/v1/workspaces/{}/rooms", t.ws),
            json!({"kind": "direct", "name": "x", "visibility": "hidden"}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // The owner of the workspace cannot read someone else's DM.
    let carol = s.user("dm-carol").await;
    t.owner.add_member(&t.ws, &carol, "member").await;
    let (_, dm2) = bob
        .post(
            &format!("/api/v1/workspaces/{}/direct", t.ws),
            json!({"user_id": carol.user_id}),
        )
        .await;
    let (st, _) = t
        .owner
        .get(&format!(
            "/api/v1/rooms/{}/events",
            dm2["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn directory_shows_each_caller_what_they_may_see() {
    let s = TestServer::start().await;
    let owner = s.user("dir-owner").await;
    let insider = s.user("dir-in").await;
    let outsider = s.user("dir-out").await;
    let admin = s.user("dir-admin").await;
    let ws = owner.workspace("dir").await;
    owner.add_member(&ws, &insider, "member").await;
    owner.add_member(&ws, &outsider, "member").await;
    owner.add_member(&ws, &admin, "admin").await;
    for (name, vis) in [("pub", "public"), ("priv", "private"), ("hid", "hidden")] {
        let (st, b) = owner
            .post(
                &format!("/api/v1/workspaces/{ws}/rooms"),
                json!({"kind": "channel", "name": name, "visibility": vis, "topic": "secret plans",
                       "members": [insider.user_id]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
    }
    let names = |v: &Value| -> Vec<(String, Option<String>)> {
        v["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_owned(),
                    r["topic"].as_str().map(str::to_owned),
                )
            })
            .collect()
    };
    let (_, d) = outsider
        .get(&format!("/api/v1/workspaces/{ws}/rooms"))
        .await;
    assert_eq!(
        names(&d),
        vec![
            ("priv".into(), None),
            ("pub".into(), Some("secret plans".into()))
        ],
        "no hidden room, and a private room only by name"
    );
    let (_, d) = insider.get(&format!("/api/v1/workspaces/{ws}/rooms")).await;
    assert_eq!(d["rooms"].as_array().unwrap().len(), 3);
    let (_, d) = admin.get(&format!("/api/v1/workspaces/{ws}/rooms")).await;
    assert_eq!(
        d["rooms"].as_array().unwrap().len(),
        3,
        "workspace admins see all"
    );
    let stranger = s.user("dir-stranger").await;
    let (st, _) = stranger
        .get(&format!("/api/v1/workspaces/{ws}/rooms"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn join_invite_leave_kick_ban_unban_roles() {
    let s = TestServer::start().await;
    let t = team(&s, "mem", 0).await;
    let bob = s.user("mem-bob").await;
    let carol = s.user("mem-carol").await;
    t.owner.add_member(&t.ws, &bob, "member").await;
    t.owner.add_member(&t.ws, &carol, "member").await;
    let private = t.owner.room(&t.ws, "private", "private", &[]).await;
    // Public: join freely. Private: only by invitation.
    let (st, _) = bob
        .post(&format!("/api/v1/rooms/{}/join", t.room), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, b) = bob
        .post(&format!("/api/v1/rooms/{private}/join"), json!({}))
        .await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "a private room does not exist for outsiders: {b}"
    );
    let (st, ev) = t
        .owner
        .put(
            &format!("/api/v1/rooms/{private}/members/{}", bob.user_id),
            json!({"state": "invited"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ev}");
    assert_eq!(ev["content"]["state"], "invited");
    let (st, _) = bob.get(&format!("/api/v1/rooms/{private}/events")).await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "an invitee sees the room but not its log yet"
    );
    let (st, _) = bob
        .post(&format!("/api/v1/rooms/{private}/join"), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = bob.get(&format!("/api/v1/rooms/{private}/events")).await;
    assert_eq!(st, StatusCode::OK);
    // Members invite too; nobody may force a join.
    let (st, _) = bob
        .put(
            &format!("/api/v1/rooms/{private}/members/{}", carol.user_id),
            json!({"state": "joined"}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // Roles: the owner makes bob a moderator; bob cannot make anyone owner.
    let (st, _) = t
        .owner
        .put(
            &format!("/api/v1/rooms/{}/members/{}", t.room, bob.user_id),
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = carol
        .post(&format!("/api/v1/rooms/{}/join", t.room), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = bob
        .put(
            &format!("/api/v1/rooms/{}/members/{}", t.room, carol.user_id),
            json!({"role": "owner"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // A moderator cannot kick the owner, but can ban a member.
    let (st, _) = bob
        .delete(&format!(
            "/api/v1/rooms/{}/members/{}",
            t.room, t.owner.user_id
        ))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = bob
        .put(
            &format!("/api/v1/rooms/{}/members/{}", t.room, carol.user_id),
            json!({"state": "banned"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = carol.get(&format!("/api/v1/rooms/{}/events", t.room)).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "banned users read nothing");
    let (st, _) = carol
        .post(&format!("/api/v1/rooms/{}/join", t.room), json!({}))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Unban: back to `left`, and then a public room may be joined again.
    let (st, _) = bob
        .put(
            &format!("/api/v1/rooms/{}/members/{}", t.room, carol.user_id),
            json!({"state": "left"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = carol
        .post(&format!("/api/v1/rooms/{}/join", t.room), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK);
    // Kick and leave.
    let (st, _) = bob
        .delete(&format!(
            "/api/v1/rooms/{}/members/{}",
            t.room, carol.user_id
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = bob
        .post(&format!("/api/v1/rooms/{}/leave", t.room), json!({}))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = bob
        .post(&format!("/api/v1/rooms/{}/leave", t.room), json!({}))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "leaving again changes nothing");
    let events = t.owner.events(&t.room, "").await;
    let tail: Vec<String> = types(&events).into_iter().skip(2).collect();
    assert_eq!(
        tail,
        vec![
            "member:joined",
            "member:joined",
            "member:joined",
            "member:banned",
            "member:left",
            "member:joined",
            "member:left",
            "member:left"
        ],
        "every change is in the log"
    );
}

#[tokio::test]
async fn read_only_archived_and_settings() {
    let s = TestServer::start().await;
    let t = team(&s, "ro", 1).await;
    let bob = &t.others[0];
    let path = format!("/api/v1/rooms/{}", t.room);
    let (st, _) = bob.patch(&path, json!({"read_only": true})).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "members do not change settings");
    let (st, room) = t
        .owner
        .patch(
            &path,
            json!({"read_only": true, "topic": "Announcements", "name": "news"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(room["read_only"], true);
    assert_eq!(room["name"], "news");
    let (st, b) = bob
        .put(&format!("{path}/messages/t1"), json!({"body": "hi"}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(code(&b), "read_only");
    t.owner.send(&t.room, "moderators still speak").await;
    let (st, _) = t.owner.patch(&path, json!({"archived": true})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, b) = t
        .owner
        .put(&format!("{path}/messages/t2"), json!({"body": "hi"}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(code(&b), "archived");
    let (st, _) = bob.get(&format!("{path}/events")).await;
    assert_eq!(st, StatusCode::OK, "an archive is still readable");
    let (st, room) = t
        .owner
        .patch(
            &path,
            json!({"archived": false, "read_only": false, "topic": ""}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(room["topic"], Value::Null, "an empty topic clears it");
    bob.send(&t.room, "back").await;
    let room_events: Vec<Value> = t
        .owner
        .events(&t.room, "")
        .await
        .into_iter()
        .filter(|e| e["type"] == "room")
        .collect();
    assert_eq!(room_events.len(), 4, "created + three changes");
    assert_eq!(
        room_events[1]["content"],
        json!({"name": "news", "topic": "Announcements", "read_only": true})
    );
    assert_eq!(room_events[2]["content"], json!({"archived": true}));
    // A PATCH that changes nothing adds nothing.
    let before = t.owner.events(&t.room, "").await.len();
    t.owner.patch(&path, json!({"name": "news"})).await;
    assert_eq!(t.owner.events(&t.room, "").await.len(), before);
}

#[tokio::test]
async fn personal_room_settings() {
    let s = TestServer::start().await;
    let t = team(&s, "pref", 1).await;
    let bob = &t.others[0];
    let (st, _) = bob
        .put(
            &format!("/api/v1/rooms/{}/members/{}", t.room, bob.user_id),
            json!({"muted": true, "notify": "all"}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, sync) = bob.post("/api/v1/sync", json!({})).await;
    let me = &sync["rooms"][&t.room]["membership"];
    assert_eq!(me["muted"], true);
    assert_eq!(me["notify"], "all");
    let (st, _) = bob
        .put(
            &format!("/api/v1/rooms/{}/members/{}", t.room, t.owner.user_id),
            json!({"muted": true}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "only on yourself");
}

/// A membership starts at mentions in channels and groups (however it
/// began: creating, being added, joining, being invited) and at every
/// message in a direct room; a level chosen survives leaving and coming
/// back.
#[tokio::test]
async fn notification_levels_start_at_mentions_and_at_all_in_direct_rooms() {
    let s = TestServer::start().await;
    let t = team(&s, "lvl", 1).await;
    let bob = &t.others[0];
    let carol = s.user("lvl-carol").await;
    let dave = s.user("lvl-dave").await;
    t.owner.add_member(&t.ws, &carol, "member").await;
    t.owner.add_member(&t.ws, &dave, "member").await;
    let (st, ch) = t
        .owner
        .post(
            &format!("/api/v1/workspaces/{}/rooms", t.ws),
            json!({"kind": "channel", "name": "news", "visibility": "public"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{ch}");
    let ch = ch["id"].as_str().unwrap().to_owned();
    let (st, _) = carol
        .post(&format!("/api/v1/rooms/{ch}/join"), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = t
        .owner
        .put(
            &format!("/api/v1/rooms/{ch}/members/{}", dave.user_id),
            json!({"state": "invited"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, dm) = bob
        .post(
            &format!("/api/v1/workspaces/{}/direct", t.ws),
            json!({"user_id": carol.user_id}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{dm}");
    let dm = dm["id"].as_str().unwrap().to_owned();

    let level = |who: &crate::helpers::Api, room: &str| {
        let (who, room) = (who.clone(), room.to_owned());
        async move {
            let (_, sync) = who.post("/api/v1/sync", json!({})).await;
            sync["rooms"][&room]["membership"]["notify"].clone()
        }
    };
    assert_eq!(level(&t.owner, &t.room).await, "mentions", "group, creator");
    assert_eq!(level(bob, &t.room).await, "mentions", "group, added");
    assert_eq!(level(&t.owner, &ch).await, "mentions", "channel, creator");
    assert_eq!(level(&carol, &ch).await, "mentions", "channel, joined");
    assert_eq!(level(&dave, &ch).await, "mentions", "channel, invited");
    assert_eq!(level(bob, &dm).await, "all", "direct, opener");
    assert_eq!(level(&carol, &dm).await, "all", "direct, other side");

    // Chosen, left, back: the choice holds.
    let (st, _) = carol
        .put(
            &format!("/api/v1/rooms/{ch}/members/{}", carol.user_id),
            json!({"notify": "all"}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = carol
        .post(&format!("/api/v1/rooms/{ch}/leave"), json!({}))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = carol
        .post(&format!("/api/v1/rooms/{ch}/join"), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(level(&carol, &ch).await, "all");
}

/// Sending checks permissions from a cache of facts; every change to those
/// facts must take effect on the very next send.
#[tokio::test]
async fn permission_changes_apply_to_the_next_send_at_once() {
    let s = TestServer::start().await;
    let t = team(&s, "pc", 1).await;
    let bob = &t.others[0];
    async fn send_as(who: &crate::helpers::Api, room: &str, n: u32) -> StatusCode {
        let path = format!("/api/v1/rooms/{room}/messages/pc-{}-{n}", who.user_id);
        who.put(&path, json!({"body": format!("m{n}")})).await.0
    }
    let send = |who, n| send_as(who, &t.room, n);
    let room = format!("/api/v1/rooms/{}", t.room);
    let bob_member = format!("{room}/members/{}", bob.user_id);
    assert_eq!(send(bob, 1).await, StatusCode::OK);
    // Read-only: members may no longer send, moderators may.
    let (st, _) = t.owner.patch(&room, json!({"read_only": true})).await;
    assert!(st.is_success(), "{st}");
    assert_eq!(send(bob, 2).await, StatusCode::FORBIDDEN);
    let (st, _) = t.owner.put(&bob_member, json!({"role": "moderator"})).await;
    assert!(st.is_success(), "{st}");
    assert_eq!(send(bob, 3).await, StatusCode::OK);
    let (st, _) = t.owner.put(&bob_member, json!({"role": "member"})).await;
    assert!(st.is_success(), "{st}");
    assert_eq!(send(bob, 4).await, StatusCode::FORBIDDEN);
    let (st, _) = t.owner.patch(&room, json!({"read_only": false})).await;
    assert!(st.is_success(), "{st}");
    assert_eq!(send(bob, 5).await, StatusCode::OK);
    // Leaving, rejoining, being kicked and banned.
    let (st, _) = bob.post(&format!("{room}/leave"), json!({})).await;
    assert!(st.is_success(), "{st}");
    assert_eq!(send(bob, 6).await, StatusCode::FORBIDDEN);
    let (st, _) = bob.post(&format!("{room}/join"), json!({})).await;
    assert!(st.is_success(), "{st}");
    assert_eq!(send(bob, 7).await, StatusCode::OK);
    let (st, _) = t.owner.delete(&bob_member).await;
    assert!(st.is_success(), "{st}");
    assert_eq!(send(bob, 8).await, StatusCode::FORBIDDEN);
    let (st, _) = bob.post(&format!("{room}/join"), json!({})).await;
    assert!(st.is_success(), "{st}");
    assert_eq!(send(bob, 9).await, StatusCode::OK);
    let (st, _) = t.owner.put(&bob_member, json!({"state": "banned"})).await;
    assert!(st.is_success(), "{st}");
    assert_ne!(send(bob, 10).await, StatusCode::OK);
    // Archiving stops everyone.
    assert_eq!(send(&t.owner, 11).await, StatusCode::OK);
    let (st, _) = t.owner.patch(&room, json!({"archived": true})).await;
    assert!(st.is_success(), "{st}");
    assert_ne!(send(&t.owner, 12).await, StatusCode::OK);
    // Exactly the accepted sends are in the log.
    let bodies: Vec<String> = t
        .owner
        .events(&t.room, "")
        .await
        .iter()
        .filter(|e| e["type"] == "message")
        .map(|e| e["content"]["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(bodies, ["m1", "m3", "m5", "m7", "m9", "m11"]);
}
