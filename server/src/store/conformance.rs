//! The store conformance suite: written once against [`Store`], run against
//! every backend (the SQLite store in the integration tests; a PostgreSQL
//! store runs the same functions). Each check panics with a message naming
//! what broke.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use tern_protocol::auth::{ServerRole, UserKind};
use tern_protocol::event::{DeleteContent, EditContent, ReactionContent};
use tern_protocol::room::{MemberState, Room, RoomKind, Visibility};
use tern_protocol::sync::SyncRequest;
use tern_protocol::workspace::{WorkspaceKind, WorkspaceRole};
use tern_protocol::{EventContent, MessageContent, UserId};

use super::{MembershipChange, NewRoom, NewUser, Page, Store, StoreError};

fn text(body: &str) -> EventContent {
    EventContent::Message(MessageContent {
        body: body.to_owned(),
        ..Default::default()
    })
}

async fn user(store: &dyn Store, name: &str) -> UserId {
    store
        .create_user(NewUser {
            username: name.to_owned(),
            email: format!("{name}@example.test"),
            password_hash: "x".into(),
            display_name: name.to_owned(),
            kind: UserKind::Human,
            server_role: ServerRole::User,
        })
        .await
        .expect("create user")
        .user
        .id
}

/// Runs every check on a fresh, empty store.
pub async fn run_all(store: &dyn Store) {
    users_are_unique(store).await;
    log_is_gapless_and_idempotent(store).await;
    last_owner_stays(store).await;
    direct_rooms_are_unique(store).await;
}

pub async fn users_are_unique(store: &dyn Store) {
    user(store, "conf-u1").await;
    let dup = store
        .create_user(NewUser {
            username: "conf-u1".into(),
            email: "other@example.test".into(),
            password_hash: "x".into(),
            display_name: "x".into(),
            kind: UserKind::Human,
            server_role: ServerRole::User,
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::UsernameTaken)),
        "duplicate username accepted"
    );
    let dup = store
        .create_user(NewUser {
            username: "conf-u1b".into(),
            email: "conf-u1@example.test".into(),
            password_hash: "x".into(),
            display_name: "x".into(),
            kind: UserKind::Human,
            server_role: ServerRole::User,
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::EmailTaken)),
        "duplicate email accepted"
    );
    let by_email = store.user_by_login("conf-u1@example.test").await.unwrap();
    assert_eq!(
        by_email.map(|u| u.user.username).as_deref(),
        Some("conf-u1")
    );
}

/// A user `{name}-a` and a public group room `name` in a workspace of
/// their own: the scene most checks start from.
pub async fn user_and_group_room(store: &dyn Store, name: &str) -> (UserId, Room) {
    let a = user(store, &format!("{name}-a")).await;
    let ws = store
        .create_workspace(a, name, name, WorkspaceKind::Client, serde_json::json!({}))
        .await
        .unwrap();
    let room = store
        .create_room(NewRoom {
            workspace_id: ws.id,
            kind: RoomKind::Group,
            visibility: Visibility::Public,
            name: Some(name.to_owned()),
            topic: None,
            created_by: a,
            read_only: false,
            secret: false,
            members: vec![],
            txn_id: None,
        })
        .await
        .unwrap();
    (a, room)
}

pub async fn log_is_gapless_and_idempotent(store: &dyn Store) {
    let (a, room) = user_and_group_room(store, "conf-log").await;
    // created + creator's member event
    assert_eq!(room.last_seq, 2, "a new room holds its creation events");
    let mut handles = Vec::new();
    for i in 0..50 {
        handles.push(store.append(room.id, a, text(&format!("m{i}")), Some(format!("t{i}"))));
    }
    let events = futures_util::future::join_all(handles).await;
    let mut seqs: Vec<i64> = events.into_iter().map(|e| e.unwrap().seq).collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (3..53).collect::<Vec<_>>(),
        "seqs are gapless and unique"
    );
    let again = store
        .append(room.id, a, text("m7"), Some("t7".into()))
        .await
        .unwrap();
    assert_eq!(again.seq, 10, "a retried txn answers the first event");
    let (page, more) = store.events(room.id, Page::Before(53), 10).await.unwrap();
    assert_eq!(page.first().map(|e| e.seq), Some(43));
    assert_eq!(page.last().map(|e| e.seq), Some(52));
    assert!(more);
    let (page, more) = store.events(room.id, Page::After(50), 10).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![51, 52]);
    assert!(!more);
    let target = page[0].id;
    let edit = store
        .append(
            room.id,
            a,
            EventContent::Edit(EditContent {
                target,
                body: "edited".into(),
                mentions: vec![],
            }),
            None,
        )
        .await
        .unwrap();
    assert_eq!(edit.seq, 53);
    let r1 = store.react(room.id, a, target, "👍", true).await.unwrap();
    let r2 = store.react(room.id, a, target, "👍", true).await.unwrap();
    assert_eq!(r1.seq, r2.seq, "reacting twice is one reaction");
    assert!(matches!(
        r1.content,
        EventContent::Reaction(ReactionContent { added: true, .. })
    ));
    let d1 = store
        .append(
            room.id,
            a,
            EventContent::Delete(DeleteContent { target }),
            None,
        )
        .await
        .unwrap();
    let d2 = store
        .append(
            room.id,
            a,
            EventContent::Delete(DeleteContent { target }),
            None,
        )
        .await
        .unwrap();
    assert_eq!(d1.seq, d2.seq, "deleting twice answers the first delete");
    let msg = store.message(room.id, target).await.unwrap().unwrap();
    assert!(msg.deleted);
    let sync = store.sync(a, &SyncRequest::default()).await.unwrap();
    let rs = &sync.rooms[&room.id];
    assert_eq!(rs.room.last_seq, d1.seq);
    assert!(rs.limited, "more than the default limit is missing");
    assert_eq!(rs.events.len(), 50);
}

pub async fn last_owner_stays(store: &dyn Store) {
    let a = user(store, "conf-own-a").await;
    let b = user(store, "conf-own-b").await;
    let ws = store
        .create_workspace(
            a,
            "conf-own",
            "Own",
            WorkspaceKind::Client,
            serde_json::json!({}),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_workspace_member(ws.id, a, WorkspaceRole::Admin)
            .await,
        Err(StoreError::LastOwner)
    ));
    assert!(matches!(
        store.remove_workspace_member(ws.id, a).await,
        Err(StoreError::LastOwner)
    ));
    store
        .set_workspace_member(ws.id, b, WorkspaceRole::Owner)
        .await
        .unwrap();
    store.remove_workspace_member(ws.id, a).await.unwrap();
    assert_eq!(store.workspace_role(ws.id, a).await.unwrap(), None);
}

pub async fn direct_rooms_are_unique(store: &dyn Store) {
    let a = user(store, "conf-dm-a").await;
    let b = user(store, "conf-dm-b").await;
    let ws = store
        .create_workspace(
            a,
            "conf-dm",
            "DM",
            WorkspaceKind::Client,
            serde_json::json!({}),
        )
        .await
        .unwrap();
    store
        .set_workspace_member(ws.id, b, WorkspaceRole::Member)
        .await
        .unwrap();
    let (r1, created1) = store.create_direct(ws.id, a, b).await.unwrap();
    let (r2, created2) = store.create_direct(ws.id, b, a).await.unwrap();
    assert!(created1 && !created2);
    assert_eq!(r1.id, r2.id, "one direct room per pair");
    assert_eq!(r1.member_count, 2);
    store
        .set_membership(
            b,
            MembershipChange {
                room_id: r1.id,
                target: b,
                state: MemberState::Left,
                role: None,
            },
        )
        .await
        .unwrap();
    let (r3, _) = store.create_direct(ws.id, a, b).await.unwrap();
    assert_eq!(
        r3.member_count, 2,
        "opening the DM again brings the other back"
    );
}
