//! Loading what a permission check needs, then asking [`crate::authz`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tern_protocol::room::Room;
use tern_protocol::workspace::WorkspaceRole;
use tern_protocol::{RoomId, UserId, WorkspaceId};

use super::AppState;
use super::extract::Auth;
use crate::authz::{self, Cap, RoomCtx, Subject};
use crate::error::{AppError, AppResult};
use crate::store::MemberRecord;

/// A room the caller may act on, with what was learnt on the way.
pub struct RoomAccess {
    pub room: Room,
    pub member: Option<MemberRecord>,
    pub workspace_role: Option<WorkspaceRole>,
}

impl RoomAccess {
    pub fn is_moderator(&self, auth: &Auth) -> bool {
        let joined_mod = self.member.is_some_and(|m| {
            m.state == tern_protocol::room::MemberState::Joined
                && m.role >= tern_protocol::room::RoomRole::Moderator
        });
        auth.is_admin()
            || joined_mod
            || (self.room.kind != tern_protocol::room::RoomKind::Direct
                && self.workspace_role >= Some(WorkspaceRole::Admin))
    }
}

pub async fn room(state: &AppState, auth: &Auth, id: RoomId, cap: Cap) -> AppResult<RoomAccess> {
    let (room, member, workspace_role) = state
        .store
        .room_access(id, auth.user_id)
        .await?
        .ok_or_else(|| AppError::not_found("room"))?;
    Facts::of(&room, member, workspace_role).check(auth, cap)?;
    Ok(RoomAccess {
        room,
        member,
        workspace_role,
    })
}

/// Checks a room capability like [`room`], answering nothing but the
/// verdict, from [`AccessCache`] when it can: the hot paths (sending) pay no
/// read for it.
pub async fn check_room(state: &AppState, auth: &Auth, id: RoomId, cap: Cap) -> AppResult<()> {
    // The generation is read before the facts, so facts loaded across a
    // change are tagged with the older generation and never served.
    let generation = state.store.access_generation();
    if let Some(g) = generation
        && let Some(facts) = state.access_cache.get(id, auth.user_id, g)
    {
        return facts.check(auth, cap);
    }
    let (room, member, workspace_role) = state
        .store
        .room_access(id, auth.user_id)
        .await?
        .ok_or_else(|| AppError::not_found("room"))?;
    let facts = Facts::of(&room, member, workspace_role);
    if let Some(g) = generation {
        state.access_cache.put(id, auth.user_id, g, facts);
    }
    facts.check(auth, cap)
}

/// What a permission check about one caller and one room depends on.
#[derive(Clone, Copy, Debug)]
struct Facts {
    workspace_id: WorkspaceId,
    workspace_role: Option<WorkspaceRole>,
    room: RoomCtx,
}

impl Facts {
    fn of(
        room: &Room,
        member: Option<MemberRecord>,
        workspace_role: Option<WorkspaceRole>,
    ) -> Self {
        Self {
            workspace_id: room.workspace_id,
            workspace_role,
            room: RoomCtx {
                kind: room.kind,
                visibility: room.visibility,
                read_only: room.read_only,
                archived: room.archived,
                member: member.map(|m| (m.role, m.state)),
            },
        }
    }

    fn check(&self, auth: &Auth, cap: Cap) -> AppResult<()> {
        // A key scoped to another workspace does not see the room at all.
        if auth.scope.is_some_and(|ws| ws != self.workspace_id) {
            return Err(AppError::not_found("room"));
        }
        let subject = Subject {
            server_role: auth.server_role,
            workspace_role: self.workspace_role,
            room: Some(self.room),
        };
        authz::check(&subject, cap).map_err(|d| AppError::denied(d, "room"))
    }
}

/// Permission facts per (room, user), each tagged with the store's access
/// generation when it was loaded (see [`Store::access_generation`]). An
/// entry also ages out after a few seconds, so a change the generation
/// cannot see (another process writing the same database) lasts no longer.
///
/// [`Store::access_generation`]: crate::store::Store::access_generation
#[derive(Default)]
pub struct AccessCache(Mutex<HashMap<(RoomId, UserId), CachedFacts>>);

/// The generation the facts were loaded at, when, and the facts.
type CachedFacts = (u64, Instant, Facts);

const CACHE_TTL: Duration = Duration::from_secs(5);
const CACHE_MAX: usize = 65_536;

impl AccessCache {
    fn get(&self, room: RoomId, user: UserId, generation: u64) -> Option<Facts> {
        let map = self.0.lock().ok()?;
        let (g, at, facts) = map.get(&(room, user))?;
        (*g == generation && at.elapsed() < CACHE_TTL).then_some(*facts)
    }

    fn put(&self, room: RoomId, user: UserId, generation: u64, facts: Facts) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= CACHE_MAX {
                map.clear();
            }
            map.insert((room, user), (generation, Instant::now(), facts));
        }
    }
}

/// Checks a workspace-level capability; answers the caller's role.
pub async fn workspace(
    state: &AppState,
    auth: &Auth,
    id: WorkspaceId,
    cap: Cap,
) -> AppResult<Option<WorkspaceRole>> {
    if auth.scope.is_some_and(|ws| ws != id) {
        return Err(AppError::not_found("workspace"));
    }
    let role = state.store.workspace_role(id, auth.user_id).await?;
    if role.is_none() && auth.is_admin() {
        // Admins pass every check, but the workspace must exist.
        state
            .store
            .workspace(id, auth.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("workspace"))?;
    }
    let subject = Subject {
        server_role: auth.server_role,
        workspace_role: role,
        room: None,
    };
    authz::check(&subject, cap).map_err(|d| AppError::denied(d, "workspace"))?;
    Ok(role)
}
