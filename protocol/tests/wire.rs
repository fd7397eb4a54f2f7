//! JSON snapshots of the wire types: a change here is a change of the
//! protocol, to be made on purpose.

use std::collections::BTreeMap;

use tern_protocol::auth::{ServerRole, TokenPair, User, UserKind};
use tern_protocol::event::{EditContent, MemberContent, ReactionContent, RoomContent, SendMessage};
use tern_protocol::room::{
    MemberState, Membership, NotifyLevel, Room, RoomKind, RoomRole, Visibility,
};
use tern_protocol::sync::{RoomSync, SyncRequest, SyncResponse};
use tern_protocol::ws::{ClientFrame, PresenceStatus, RoomChange, ServerFrame};
use tern_protocol::{
    ErrorBody, ErrorCode, ErrorDetail, Event, EventContent, MessageContent, MessageKind,
};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n)
}

fn at() -> time::OffsetDateTime {
    time::macros::datetime!(2026-11-25 12:00:00 UTC)
}

fn event(seq: i64, content: EventContent) -> Event {
    Event {
        id: id(100 + seq as u128),
        room_id: id(2),
        seq,
        sender_id: id(1),
        content,
        txn_id: None,
        created_at: at(),
    }
}

fn room() -> Room {
    Room {
        id: id(2),
        workspace_id: id(3),
        kind: RoomKind::Channel,
        visibility: Visibility::Public,
        name: Some("general".into()),
        topic: None,
        created_by: id(1),
        read_only: false,
        secret: false,
        archived: false,
        last_seq: 7,
        last_message_at: Some(at()),
        created_at: at(),
        member_count: 3,
        avatar_file_id: None,
    }
}

#[test]
fn events() {
    let mut msg = event(
        5,
        EventContent::Message(MessageContent {
            kind: MessageKind::Text,
            body: "Привет, @bob".into(),
            reply_to: Some(id(104)),
            mentions: vec![id(9)],
            ..Default::default()
        }),
    );
    msg.txn_id = Some("t-1".into());
    insta::assert_json_snapshot!("event_message", msg);
    insta::assert_json_snapshot!(
        "event_edit",
        event(
            6,
            EventContent::Edit(EditContent {
                target: id(105),
                body: "fixed".into(),
                mentions: vec![]
            })
        )
    );
    insta::assert_json_snapshot!(
        "event_reaction",
        event(
            7,
            EventContent::Reaction(ReactionContent {
                target: id(105),
                emoji: "👍".into(),
                added: true
            })
        )
    );
    insta::assert_json_snapshot!(
        "event_member",
        event(
            2,
            EventContent::Member(MemberContent {
                user_id: id(1),
                state: MemberState::Joined,
                role: RoomRole::Owner
            })
        )
    );
    insta::assert_json_snapshot!(
        "event_room",
        event(
            1,
            EventContent::Room(RoomContent {
                created: true,
                name: Some("general".into()),
                ..Default::default()
            })
        )
    );
}

#[test]
fn frames() {
    let frames = vec![
        ServerFrame::Ready {
            user_id: id(1),
            session_id: id(4),
        },
        ServerFrame::Event {
            event: event(
                3,
                EventContent::Message(MessageContent {
                    body: "hi".into(),
                    ..Default::default()
                }),
            ),
        },
        ServerFrame::Room {
            room_id: id(2),
            change: RoomChange::Joined,
            room: None,
        },
        ServerFrame::Receipt {
            room_id: id(2),
            user_id: id(1),
            seq: 3,
        },
        ServerFrame::Typing {
            room_id: id(2),
            user_ids: vec![id(1)],
        },
        ServerFrame::Presence {
            user_id: id(1),
            status: PresenceStatus::Online,
        },
        ServerFrame::Pong { nonce: Some(7) },
    ];
    insta::assert_json_snapshot!("server_frames", frames);
    let client: Vec<ClientFrame> = serde_json::from_str(
        r#"[{"type":"auth","token":"x"},{"type":"typing","room_id":"01900000-0000-7000-8000-000000000002","typing":true},
            {"type":"presence","status":"away"},{"type":"ping"}]"#,
    )
    .unwrap();
    insta::assert_json_snapshot!("client_frames", client);
}

#[test]
fn sync_and_bodies() {
    let mut rooms = BTreeMap::new();
    rooms.insert(
        id(2),
        RoomSync {
            room: room(),
            membership: Membership {
                role: RoomRole::Member,
                state: MemberState::Joined,
                muted: false,
                notify: NotifyLevel::All,
                last_read_seq: 5,
            },
            unread_count: 2,
            mention_count: 1,
            members: None,
            events: vec![event(
                7,
                EventContent::Message(MessageContent {
                    body: "new".into(),
                    ..Default::default()
                }),
            )],
            limited: false,
        },
    );
    insta::assert_json_snapshot!(
        "sync_response",
        SyncResponse {
            rooms,
            left: vec![id(8)],
            server_time: at()
        }
    );
    let req: SyncRequest = serde_json::from_str(
        r#"{"rooms":{"01900000-0000-7000-8000-000000000002":5},"timeline_limit":50}"#,
    )
    .unwrap();
    insta::assert_json_snapshot!("sync_request", req);
    insta::assert_json_snapshot!(
        "error_body",
        ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::TxnConflict,
                message: "txn id \"t\" was already used".into()
            }
        }
    );
    insta::assert_json_snapshot!(
        "token_pair",
        TokenPair {
            user_id: id(1),
            session_id: id(4),
            access_token: "a.b.c".into(),
            refresh_token: "r".into(),
            expires_in: 900
        }
    );
    insta::assert_json_snapshot!(
        "user",
        User {
            id: id(1),
            username: "alice".into(),
            display_name: "Alice".into(),
            avatar_file_id: None,
            kind: UserKind::Human,
            server_role: ServerRole::User,
            active: true,
            last_seen_at: None,
            created_at: at(),
        }
    );
    insta::assert_json_snapshot!(
        "send_message",
        SendMessage {
            body: "hi".into(),
            kind: Some(MessageKind::Text),
            ..Default::default()
        }
    );
}

#[test]
fn unknown_error_codes_still_parse() {
    let b: ErrorBody =
        serde_json::from_str(r#"{"error":{"code":"brand_new","message":"m"}}"#).unwrap();
    assert_eq!(b.error.code, ErrorCode::Unknown);
}

#[test]
fn events_round_trip() {
    let e = event(
        1,
        EventContent::Message(MessageContent {
            body: "x".into(),
            attachments: vec![id(50)],
            ..Default::default()
        }),
    );
    let back: Event = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}
