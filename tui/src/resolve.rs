//! Naming rooms on the command line and in `:` commands: a room id, a
//! name (`general`, `#general`), or `workspace/name` when a name is in more
//! than one workspace.

use std::collections::BTreeMap;

use tern_client_core::RoomSummary;
use tern_client_core::i18n::Translator;
use uuid::Uuid;

use crate::profile::WorkspaceName;

/// The workspace part of a room's full name: its slug, else its name, else
/// a short id.
pub fn workspace_label(ws: &BTreeMap<Uuid, WorkspaceName>, id: Uuid) -> String {
    match ws.get(&id) {
        Some(w) if !w.slug.is_empty() => w.slug.clone(),
        Some(w) if !w.name.is_empty() => w.name.clone(),
        _ => id.simple().to_string()[..8].to_owned(),
    }
}

/// `workspace/name`, the unambiguous way to write a room.
pub fn full_name(ws: &BTreeMap<Uuid, WorkspaceName>, room: &RoomSummary) -> String {
    format!("{}/{}", workspace_label(ws, room.workspace_id), room.name)
}

/// Finds one room; the error says (in English) why none or which ones.
pub fn resolve<'a>(
    rooms: &'a [RoomSummary],
    ws: &BTreeMap<Uuid, WorkspaceName>,
    query: &str,
) -> Result<&'a RoomSummary, String> {
    resolve_in(&Translator::for_locale("en"), rooms, ws, query)
}

/// Finds one room; the error says in `tr`'s language why none or which
/// ones.
pub fn resolve_in<'a>(
    tr: &Translator,
    rooms: &'a [RoomSummary],
    ws: &BTreeMap<Uuid, WorkspaceName>,
    query: &str,
) -> Result<&'a RoomSummary, String> {
    let q = query.trim();
    if let Ok(id) = q.parse::<Uuid>() {
        return rooms
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| tr.tr_args("cli-no-room-id", &[("id", id.to_string().into())]));
    }
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase();
    let (wsq, name) = match q.split_once('/') {
        Some((w, n)) => (Some(w), n),
        None => (None, q),
    };
    let name = name.trim_start_matches('#');
    let found: Vec<&RoomSummary> = rooms
        .iter()
        .filter(|r| eq(&r.name, name))
        .filter(|r| match wsq {
            None => true,
            Some(w) => {
                let label = workspace_label(ws, r.workspace_id);
                eq(&label, w)
                    || ws.get(&r.workspace_id).is_some_and(|n| eq(&n.name, w))
                    || r.workspace_id.to_string() == w
            }
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(tr.tr_args("cli-no-room-named", &[("room", query.to_owned().into())])),
        many => {
            let names: Vec<String> = many.iter().map(|r| full_name(ws, r)).collect();
            Err(tr.tr_args(
                "cli-room-ambiguous",
                &[
                    ("room", query.to_owned().into()),
                    ("names", names.join(", ").into()),
                ],
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_client_core::protocol::room::{MemberState, RoomKind};

    fn room(ws: Uuid, name: &str) -> RoomSummary {
        RoomSummary {
            id: Uuid::now_v7(),
            workspace_id: ws,
            kind: RoomKind::Channel,
            name: name.into(),
            topic: None,
            membership: MemberState::Joined,
            muted: false,
            notify: tern_client_core::protocol::room::NotifyLevel::Mentions,
            unread_count: 0,
            mention_count: 0,
            last_activity: time::OffsetDateTime::UNIX_EPOCH,
            last_message: None,
            local_only: false,
            pending_count: 0,
            failed_count: 0,
        }
    }

    #[test]
    fn by_id_name_and_workspace() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let mut ws = BTreeMap::new();
        ws.insert(
            a,
            WorkspaceName {
                slug: "demo".into(),
                name: "Demo".into(),
            },
        );
        ws.insert(
            b,
            WorkspaceName {
                slug: "work".into(),
                name: "Work".into(),
            },
        );
        let rooms = vec![room(a, "general"), room(b, "general"), room(a, "random")];
        assert_eq!(resolve(&rooms, &ws, "random").unwrap().id, rooms[2].id);
        assert_eq!(resolve(&rooms, &ws, "#Random").unwrap().id, rooms[2].id);
        assert_eq!(
            resolve(&rooms, &ws, "work/general").unwrap().id,
            rooms[1].id
        );
        assert_eq!(
            resolve(&rooms, &ws, &rooms[0].id.to_string()).unwrap().id,
            rooms[0].id
        );
        let e = resolve(&rooms, &ws, "general").unwrap_err();
        assert!(
            e.contains("demo/general") && e.contains("work/general"),
            "{e}"
        );
        assert!(resolve(&rooms, &ws, "nope").is_err());
    }
}
