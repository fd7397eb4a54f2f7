//! The demo data set of the seed documents: a system and a client
//! workspace, users alice, bob and carol (password `tern-demo`), a bot
//! `helper`, a room `general` with three members and three messages, and
//! five meta entries. Seeding is idempotent: a marker in the database says
//! it was done.

use tern_protocol::auth::{ServerRole, UserKind};
use tern_protocol::event::EventContent;
use tern_protocol::files::MetaType;
use tern_protocol::room::{RoomKind, Visibility};
use tern_protocol::workspace::{WorkspaceKind, WorkspaceRole};
use tern_protocol::{MessageContent, MessageKind};

use crate::auth::{PasswordCost, hash_password};
use crate::store::{NewRoom, NewUser, Store, StoreError, StoreResult};

pub const DEMO_PASSWORD: &str = "tern-demo";
const MARKER: &str = "demo_seeded";

/// The demo users, as printed for people to log in with.
pub const DEMO_USERS: [(&str, &str); 4] = [
    ("alice", "server admin, owner of both workspaces"),
    ("bob", "member"),
    ("carol", "member"),
    ("helper", "bot"),
];

/// True when this call seeded; false when the set was already there.
pub async fn seed(store: &dyn Store, cost: PasswordCost) -> StoreResult<bool> {
    if store.server_flag(MARKER).await?.is_some() {
        return Ok(false);
    }
    let hash = hash_password(DEMO_PASSWORD.to_owned(), cost)
        .await
        .map_err(StoreError::Io)?;
    let mut ids = Vec::new();
    for (name, display, kind, role) in [
        ("alice", "Alice Liddell", UserKind::Human, ServerRole::Admin),
        ("bob", "Bob Builder", UserKind::Human, ServerRole::User),
        ("carol", "Кэрол Петрова", UserKind::Human, ServerRole::User),
        ("helper", "Helper Bot", UserKind::Bot, ServerRole::User),
    ] {
        let user = match store.user_by_login(name).await? {
            Some(u) => u,
            None => {
                store
                    .create_user(NewUser {
                        username: name.to_owned(),
                        email: format!("{name}@demo.tern.local"),
                        password_hash: hash.clone(),
                        display_name: display.to_owned(),
                        kind,
                        server_role: role,
                    })
                    .await?
            }
        };
        ids.push(user.user.id);
    }
    let (alice, bob, carol, helper) = (ids[0], ids[1], ids[2], ids[3]);
    let system = match store.workspace_by_slug("system").await? {
        Some(w) => w,
        None => {
            store
                .create_workspace(
                    alice,
                    "system",
                    "Tern System",
                    WorkspaceKind::System,
                    serde_json::json!({"default_locale": "en"}),
                )
                .await?
        }
    };
    let demo = match store.workspace_by_slug("demo").await? {
        Some(w) => w,
        None => {
            store
                .create_workspace(
                    alice,
                    "demo",
                    "Demo Company",
                    WorkspaceKind::Client,
                    serde_json::json!({"default_locale": "ru", "theme": "light"}),
                )
                .await?
        }
    };
    for (user, role) in [
        (bob, WorkspaceRole::Member),
        (carol, WorkspaceRole::Member),
        (helper, WorkspaceRole::Member),
    ] {
        store.set_workspace_member(demo.id, user, role).await?;
    }
    let room = store
        .create_room(NewRoom {
            workspace_id: demo.id,
            kind: RoomKind::Channel,
            visibility: Visibility::Public,
            name: Some("general".to_owned()),
            topic: Some("Company-wide announcements and chat".to_owned()),
            created_by: alice,
            read_only: false,
            secret: false,
            members: vec![bob, carol],
            txn_id: None,
        })
        .await?;
    for (i, (sender, body)) in [
        (alice, "Welcome to Tern! This is the general room."),
        (bob, "Привет всем! Рад быть здесь."),
        (
            carol,
            "Hi both — try replying to this message, or search for «привет».",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .append(
                room.id,
                sender,
                EventContent::Message(MessageContent {
                    kind: MessageKind::Text,
                    body: body.to_owned(),
                    ..Default::default()
                }),
                Some(format!("demo-seed-{i}")),
            )
            .await?;
    }
    let metas: [(&str, String, &str, serde_json::Value, bool); 5] = [
        (
            "system",
            "tern".into(),
            "motd",
            serde_json::json!("Welcome to the Tern demo"),
            true,
        ),
        (
            "workspace",
            system.id.to_string(),
            "support_email",
            serde_json::json!("support@demo.tern.local"),
            false,
        ),
        (
            "workspace",
            demo.id.to_string(),
            "plan",
            serde_json::json!({"name": "demo", "seats": 25}),
            true,
        ),
        (
            "user",
            alice.to_string(),
            "timezone",
            serde_json::json!("Europe/Moscow"),
            true,
        ),
        (
            "room",
            room.id.to_string(),
            "pinned_note",
            serde_json::json!("Be kind."),
            true,
        ),
    ];
    for (ty, id, key, value, public) in metas {
        let data_type = match &value {
            serde_json::Value::Object(_) => MetaType::Object,
            _ => MetaType::String,
        };
        store
            .put_meta(ty, &id, key, value, data_type, public, Some(alice))
            .await?;
    }
    store.set_server_flag(MARKER, "1").await?;
    Ok(true)
}
