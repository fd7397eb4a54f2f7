//! Every permission decision in one place.
//!
//! A handler builds a [`Subject`] (who is asking, in which workspace, about
//! which room) and asks [`check`] for a [`Cap`]. The answer is `Ok`, or a
//! [`Denied`] that the HTTP layer turns into 404 (the subject may not even
//! know the thing exists), 403, or a read-only / archived refusal.
//!
//! The rules, in order:
//! 1. Server admins may do everything.
//! 2. Outside a workspace nothing of it exists (404).
//! 3. Banned members see nothing of the room (404). Private and hidden rooms
//!    do not exist for those outside them (404), except for workspace admins,
//!    who moderate every non-direct room of their workspace.
//! 4. Each capability needs a minimum workspace role and a relation to the
//!    room ([`TABLE`]); guests only read.
//! 5. Writing into an archived room is refused; into a read-only room only
//!    moderators and workspace admins write.

use tern_protocol::auth::ServerRole;
use tern_protocol::room::{MemberState, RoomKind, RoomRole, Visibility};
use tern_protocol::workspace::WorkspaceRole;

/// What can be asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cap {
    ViewWorkspace,
    ManageWorkspace,
    ManageWorkspaceMembers,
    CreateInvite,
    ManageApiKeys,
    CreateRoom,
    StartDirect,
    /// See that a room exists and its details.
    SeeRoom,
    /// Read a room's log and members.
    ReadRoom,
    JoinRoom,
    SendMessage,
    /// Edit or delete one's own messages.
    EditOwn,
    DeleteAny,
    React,
    MarkRead,
    InviteToRoom,
    /// Kick, ban, unban, change roles.
    ModerateMembers,
    ChangeRoomSettings,
}

/// How the subject must stand to the room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomNeed {
    /// No room involved.
    None,
    /// Can see the room (member, invitee, or public room).
    See,
    /// Can read the room (joined, or peeking into a public room).
    Read,
    /// Joined.
    Joined,
    /// Joined moderator or owner, or a workspace admin.
    Moderator,
}

#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The least workspace role.
    pub workspace: WorkspaceRole,
    pub room: RoomNeed,
    /// A write into the room: refused when archived; in a read-only room
    /// only moderators and workspace admins may.
    pub write: bool,
}

const fn rule(workspace: WorkspaceRole, room: RoomNeed, write: bool) -> Rule {
    Rule {
        workspace,
        room,
        write,
    }
}

use RoomNeed as R;
use WorkspaceRole as W;

/// The capability table.
pub const TABLE: &[(Cap, Rule)] = &[
    (Cap::ViewWorkspace, rule(W::Guest, R::None, false)),
    (Cap::ManageWorkspace, rule(W::Admin, R::None, false)),
    (Cap::ManageWorkspaceMembers, rule(W::Admin, R::None, false)),
    (Cap::CreateInvite, rule(W::Admin, R::None, false)),
    (Cap::ManageApiKeys, rule(W::Admin, R::None, false)),
    (Cap::CreateRoom, rule(W::Member, R::None, false)),
    (Cap::StartDirect, rule(W::Member, R::None, false)),
    (Cap::SeeRoom, rule(W::Guest, R::See, false)),
    (Cap::ReadRoom, rule(W::Guest, R::Read, false)),
    (Cap::JoinRoom, rule(W::Guest, R::See, false)),
    (Cap::SendMessage, rule(W::Member, R::Joined, true)),
    (Cap::EditOwn, rule(W::Member, R::Joined, true)),
    (Cap::DeleteAny, rule(W::Member, R::Moderator, false)),
    (Cap::React, rule(W::Member, R::Joined, true)),
    (Cap::MarkRead, rule(W::Guest, R::Joined, false)),
    (Cap::InviteToRoom, rule(W::Member, R::Joined, false)),
    (Cap::ModerateMembers, rule(W::Member, R::Moderator, false)),
    (
        Cap::ChangeRoomSettings,
        rule(W::Member, R::Moderator, false),
    ),
];

pub fn rule_for(cap: Cap) -> Rule {
    TABLE
        .iter()
        .find(|(c, _)| *c == cap)
        .map(|(_, r)| *r)
        // Every Cap is in the table (a unit test holds this); deny if not.
        .unwrap_or(rule(W::Owner, R::Moderator, true))
}

/// The subject's relation to a room.
#[derive(Clone, Copy, Debug)]
pub struct RoomCtx {
    pub kind: RoomKind,
    pub visibility: Visibility,
    pub read_only: bool,
    pub archived: bool,
    /// The subject's membership, if any row exists.
    pub member: Option<(RoomRole, MemberState)>,
}

#[derive(Clone, Copy, Debug)]
pub struct Subject {
    pub server_role: ServerRole,
    pub workspace_role: Option<WorkspaceRole>,
    pub room: Option<RoomCtx>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    NotFound,
    Forbidden(&'static str),
    ReadOnly,
    Archived,
}

pub fn check(s: &Subject, cap: Cap) -> Result<(), Denied> {
    if s.server_role == ServerRole::Admin {
        return Ok(());
    }
    let ws_role = s.workspace_role.ok_or(Denied::NotFound)?;
    let rule = rule_for(cap);
    let ws_admin = ws_role >= W::Admin;
    if let Some(room) = s.room {
        let state = room.member.map(|(_, st)| st);
        let joined = state == Some(MemberState::Joined);
        let invited = state == Some(MemberState::Invited);
        let direct = room.kind == RoomKind::Direct;
        if state == Some(MemberState::Banned) {
            return Err(Denied::NotFound);
        }
        let sees = joined
            || invited
            || (!direct && room.visibility == Visibility::Public)
            || (!direct && ws_admin);
        if !sees {
            return Err(Denied::NotFound);
        }
        let reads = joined
            || (!direct && ws_admin)
            || (!direct && room.visibility == Visibility::Public && ws_role >= W::Member);
        let moderator = (joined && room.member.is_some_and(|(r, _)| r >= RoomRole::Moderator))
            || (!direct && ws_admin);
        match rule.room {
            R::None | R::See => {}
            R::Read if !reads => return Err(Denied::Forbidden("join the room to read it")),
            R::Joined if !joined => return Err(Denied::Forbidden("join the room first")),
            R::Moderator if !moderator => {
                return Err(Denied::Forbidden("only moderators may do this"));
            }
            _ => {}
        }
        let admin_may_enter = ws_admin && !direct;
        if cap == Cap::JoinRoom && !invited && !joined && !admin_may_enter {
            if room.visibility != Visibility::Public || direct {
                return Err(Denied::Forbidden("this room is joined by invitation only"));
            }
            if ws_role < W::Member {
                return Err(Denied::Forbidden("guests join rooms by invitation only"));
            }
        }
        if ws_role < rule.workspace {
            return Err(Denied::Forbidden(forbidden_text(rule.workspace)));
        }
        if rule.write {
            if room.archived {
                return Err(Denied::Archived);
            }
            if room.read_only && !moderator {
                return Err(Denied::ReadOnly);
            }
        }
        return Ok(());
    }
    if ws_role < rule.workspace {
        return Err(Denied::Forbidden(forbidden_text(rule.workspace)));
    }
    Ok(())
}

fn forbidden_text(need: WorkspaceRole) -> &'static str {
    match need {
        W::Guest | W::Member => "guests may only read",
        W::Admin => "only workspace admins may do this",
        W::Owner => "only workspace owners may do this",
    }
}

/// Whether an actor with `actor` role may set `target`'s room role from
/// `from` to `to`. Owners do anything; moderators handle members and
/// moderators below owner; nobody grants above their own role.
pub fn may_change_room_role(actor: RoomRole, from: RoomRole, to: RoomRole) -> bool {
    actor == RoomRole::Owner || (actor >= from && actor >= to && from != RoomRole::Owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Cap; 18] = [
        Cap::ViewWorkspace,
        Cap::ManageWorkspace,
        Cap::ManageWorkspaceMembers,
        Cap::CreateInvite,
        Cap::ManageApiKeys,
        Cap::CreateRoom,
        Cap::StartDirect,
        Cap::SeeRoom,
        Cap::ReadRoom,
        Cap::JoinRoom,
        Cap::SendMessage,
        Cap::EditOwn,
        Cap::DeleteAny,
        Cap::React,
        Cap::MarkRead,
        Cap::InviteToRoom,
        Cap::ModerateMembers,
        Cap::ChangeRoomSettings,
    ];

    #[test]
    fn every_capability_has_a_rule() {
        for cap in ALL {
            assert!(TABLE.iter().any(|(c, _)| *c == cap), "{cap:?} has no rule");
        }
        assert_eq!(TABLE.len(), ALL.len());
    }

    fn show(r: Result<(), Denied>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(Denied::NotFound) => "404",
            Err(Denied::Forbidden(_)) => "403",
            Err(Denied::ReadOnly) => "ro",
            Err(Denied::Archived) => "arch",
        }
    }

    /// The whole matrix for one public, one private room and a read-only
    /// one, written out so that a change of policy shows in review.
    #[test]
    fn capability_matrix() {
        type Who = (
            &'static str,
            ServerRole,
            Option<WorkspaceRole>,
            Option<(RoomRole, MemberState)>,
        );
        let who: [Who; 9] = [
            ("stranger", ServerRole::User, None, None),
            ("guest-out", ServerRole::User, Some(W::Guest), None),
            (
                "guest-in",
                ServerRole::User,
                Some(W::Guest),
                Some((RoomRole::Member, MemberState::Joined)),
            ),
            ("member-out", ServerRole::User, Some(W::Member), None),
            (
                "member-in",
                ServerRole::User,
                Some(W::Member),
                Some((RoomRole::Member, MemberState::Joined)),
            ),
            (
                "invited",
                ServerRole::User,
                Some(W::Member),
                Some((RoomRole::Member, MemberState::Invited)),
            ),
            (
                "banned",
                ServerRole::User,
                Some(W::Member),
                Some((RoomRole::Member, MemberState::Banned)),
            ),
            (
                "moderator",
                ServerRole::User,
                Some(W::Member),
                Some((RoomRole::Moderator, MemberState::Joined)),
            ),
            ("ws-admin", ServerRole::User, Some(W::Admin), None),
        ];
        let rooms = [
            ("public", Visibility::Public, false),
            ("private", Visibility::Private, false),
            ("ro-public", Visibility::Public, true),
        ];
        let mut out = String::new();
        for (room_name, vis, ro) in rooms {
            out.push_str(&format!("== {room_name}\n{:<22}", "cap"));
            for (w, ..) in &who {
                out.push_str(&format!("{w:>11}"));
            }
            out.push('\n');
            for cap in ALL {
                out.push_str(&format!("{:<22}", format!("{cap:?}")));
                for (_, sr, wr, member) in &who {
                    let s = Subject {
                        server_role: *sr,
                        workspace_role: *wr,
                        room: Some(RoomCtx {
                            kind: RoomKind::Group,
                            visibility: vis,
                            read_only: ro,
                            archived: false,
                            member: *member,
                        }),
                    };
                    out.push_str(&format!("{:>11}", show(check(&s, cap))));
                }
                out.push('\n');
            }
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn server_admin_may_do_all() {
        let s = Subject {
            server_role: ServerRole::Admin,
            workspace_role: None,
            room: None,
        };
        for cap in ALL {
            assert_eq!(check(&s, cap), Ok(()));
        }
    }

    #[test]
    fn archived_rooms_refuse_writes() {
        let s = Subject {
            server_role: ServerRole::User,
            workspace_role: Some(W::Member),
            room: Some(RoomCtx {
                kind: RoomKind::Group,
                visibility: Visibility::Public,
                read_only: false,
                archived: true,
                member: Some((RoomRole::Owner, MemberState::Joined)),
            }),
        };
        assert_eq!(check(&s, Cap::SendMessage), Err(Denied::Archived));
        assert_eq!(check(&s, Cap::ReadRoom), Ok(()));
        assert_eq!(check(&s, Cap::ChangeRoomSettings), Ok(()));
    }

    #[test]
    fn direct_rooms_are_private_to_their_pair() {
        let s = Subject {
            server_role: ServerRole::User,
            workspace_role: Some(W::Owner),
            room: Some(RoomCtx {
                kind: RoomKind::Direct,
                visibility: Visibility::Hidden,
                read_only: false,
                archived: false,
                member: None,
            }),
        };
        assert_eq!(check(&s, Cap::ReadRoom), Err(Denied::NotFound));
    }

    #[test]
    fn role_changes() {
        use RoomRole::*;
        assert!(may_change_room_role(Owner, Owner, Member));
        assert!(may_change_room_role(Moderator, Member, Moderator));
        assert!(!may_change_room_role(Moderator, Member, Owner));
        assert!(!may_change_room_role(Moderator, Owner, Member));
        assert!(!may_change_room_role(Member, Member, Moderator));
    }
}
