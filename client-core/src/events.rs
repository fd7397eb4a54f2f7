//! The one event stream front ends listen to.
//!
//! Events carry ids and small diffs, never whole objects: a front end that
//! hears `TimelineChanged` asks the client for the items it shows. The
//! stream is a bounded broadcast; a listener that falls behind is not
//! queued for without limit but told, with [`ClientEvent::Lagged`], to
//! reload what it shows.

use tokio::sync::broadcast;
use uuid::Uuid;

use crate::types::{ConnectionStatus, OutboxState};

/// How many events a slow listener may fall behind before it must refresh.
pub(crate) const CAPACITY: usize = 1024;

/// A change in one room's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimelineChange {
    /// New items (local echoes or arriving messages).
    Added(Vec<Uuid>),
    /// Items whose body, reactions, edit or delete state changed.
    Updated(Vec<Uuid>),
    /// A local echo became the server's message: same item, new id.
    Replaced { local: Uuid, remote: Uuid },
    /// Items gone (a discarded local echo).
    Removed(Vec<Uuid>),
    /// Older history arrived (backfill) or too much changed: reload.
    Reset,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// Rooms were added, removed, re-ordered, or their counts changed.
    RoomListChanged,
    TimelineChanged {
        room_id: Uuid,
        change: TimelineChange,
    },
    /// An outbox item moved to a new state.
    OutboxItem {
        txn_id: String,
        room_id: Uuid,
        state: OutboxState,
    },
    /// A room created offline got its server id.
    RoomIdAssigned {
        local: Uuid,
        remote: Uuid,
    },
    ConnectionChanged(ConnectionStatus),
    /// Who is typing in a room now.
    Typing {
        room_id: Uuid,
        user_ids: Vec<Uuid>,
    },
    /// Another client on this profile wrote to the store: reload.
    StoreChanged,
    /// The session ended (signed out elsewhere, revoked): sign in again.
    SessionEnded {
        reason: String,
    },
    /// An upload in the outbox moved on: `sent` of `total` bytes of the
    /// file `file_id` (the provisional id shown on the local echo) have
    /// gone out for the item `txn_id`. Starts again from 0 when an upload
    /// is retried.
    UploadProgress {
        txn_id: String,
        room_id: Uuid,
        file_id: Uuid,
        sent: u64,
        total: u64,
    },
    /// A download (a file or a thumbnail) moved on; `total` is `None` when
    /// the server did not say.
    DownloadProgress {
        file_id: Uuid,
        received: u64,
        total: Option<u64>,
    },
    /// A file (or one of its thumbnails) entered or left the local cache.
    FileCacheChanged {
        file_id: Uuid,
    },
    /// This listener missed `n` events: reload everything shown.
    Lagged(u64),
}

/// A listener's end of the event stream.
#[derive(Debug)]
pub struct EventStream {
    rx: broadcast::Receiver<ClientEvent>,
}

impl EventStream {
    pub(crate) fn new(rx: broadcast::Receiver<ClientEvent>) -> Self {
        Self { rx }
    }

    /// The next event; `None` once the client is gone.
    pub async fn recv(&mut self) -> Option<ClientEvent> {
        match self.rx.recv().await {
            Ok(e) => Some(e),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(ClientEvent::Lagged(n)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Option<ClientEvent> {
        match self.rx.try_recv() {
            Ok(e) => Some(e),
            Err(broadcast::error::TryRecvError::Lagged(n)) => Some(ClientEvent::Lagged(n)),
            Err(_) => None,
        }
    }
}

/// The sending side, shared by every part of the client.
#[derive(Clone, Debug)]
pub(crate) struct Emitter {
    tx: broadcast::Sender<ClientEvent>,
}

impl Emitter {
    pub(crate) fn new() -> Self {
        Self {
            tx: broadcast::channel(CAPACITY).0,
        }
    }

    pub(crate) fn emit(&self, e: ClientEvent) {
        // No listener is fine.
        let _ = self.tx.send(e);
    }

    pub(crate) fn subscribe(&self) -> EventStream {
        EventStream::new(self.tx.subscribe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lagging_listener_is_told_to_refresh() {
        let em = Emitter::new();
        let mut s = em.subscribe();
        for _ in 0..CAPACITY + 10 {
            em.emit(ClientEvent::RoomListChanged);
        }
        assert_eq!(s.recv().await, Some(ClientEvent::Lagged(10)));
        assert_eq!(s.recv().await, Some(ClientEvent::RoomListChanged));
    }
}
