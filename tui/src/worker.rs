//! The worker: one task that owns the client-core [`Client`] and answers
//! the UI's requests. Each [`Request`] carries a `oneshot` for its answer
//! (a list of [`Action`]s), so the UI loop never blocks on the network or
//! the store. The worker also forwards the client's event stream to the
//! loop, and reopens the client when the user signs in to another server.

use tern_client_core::protocol::room::{RoomKind, Visibility};
use tern_client_core::{Client, ClientEvent, NewRoom, OutboxState, SearchQuery, TimelineChange};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::app::{Action, Cmd, Hit};

use crate::session::Session;

pub struct Request {
    pub cmd: Cmd,
    pub reply: oneshot::Sender<Vec<Action>>,
}

/// The UI's end: send a command, get a receiver for the answer.
#[derive(Clone, Debug)]
pub struct WorkerHandle {
    tx: mpsc::Sender<Request>,
}

impl WorkerHandle {
    pub fn request(&self, cmd: Cmd) -> oneshot::Receiver<Vec<Action>> {
        let (reply, rx) = oneshot::channel();
        if let Err(e) = self.tx.try_send(Request { cmd, reply }) {
            tracing::warn!(error = %e, "the worker is busy or gone; request dropped");
        }
        rx
    }
}

struct Worker {
    session: Session,
    client: Client,
    to_ui: mpsc::UnboundedSender<Action>,
    forwarder: tokio::task::JoinHandle<()>,
}

/// Starts the worker over an open client; actions it hears of go to `to_ui`.
pub fn spawn(
    session: Session,
    client: Client,
    to_ui: mpsc::UnboundedSender<Action>,
) -> WorkerHandle {
    let (tx, mut rx) = mpsc::channel::<Request>(256);
    let forwarder = forward(client.clone(), to_ui.clone());
    let mut w = Worker {
        session,
        client,
        to_ui,
        forwarder,
    };
    tokio::spawn(async move {
        while let Some(req) = rx.recv().await {
            // Requests run one by one: writes keep their order, and each is
            // a quick local read or an outbox insert.
            let out = w.handle(req.cmd).await;
            let _ = req.reply.send(out);
        }
        w.forwarder.abort();
    });
    WorkerHandle { tx }
}

/// Client events and connection changes, as actions for the UI.
fn forward(client: Client, to_ui: mpsc::UnboundedSender<Action>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut events = client.events();
        let mut conn = client.connection_watch();
        let _ = to_ui.send(Action::Connection(*conn.borrow_and_update()));
        loop {
            tokio::select! {
                e = events.recv() => {
                    let Some(e) = e else { return };
                    if let ClientEvent::TimelineChanged { room_id, change: TimelineChange::Added(ids) } = &e {
                        incoming(&client, &to_ui, *room_id, ids).await;
                    }
                    if to_ui.send(Action::Client(e)).is_err() {
                        return;
                    }
                }
                r = conn.changed() => {
                    if r.is_err() {
                        return;
                    }
                    let s = *conn.borrow_and_update();
                    if to_ui.send(Action::Connection(s)).is_err() {
                        return;
                    }
                }
            }
        }
    })
}

/// New messages from others that mention the user or are direct: worth a
/// notification.
async fn incoming(
    client: &Client,
    to_ui: &mpsc::UnboundedSender<Action>,
    room: Uuid,
    ids: &[Uuid],
) {
    let me = client.account().map(|a| a.user_id);
    let direct = client
        .rooms()
        .await
        .ok()
        .and_then(|rs| rs.into_iter().find(|r| r.id == room))
        .is_some_and(|r| r.kind == RoomKind::Direct);
    for id in ids {
        if let Ok(Some(m)) = client.message(*id).await
            && Some(m.sender_id) != me
            && m.seq.is_some()
            && (m.mentions_me || direct)
        {
            let _ = to_ui.send(Action::Incoming {
                room,
                sender: m.sender_name,
                body: m.body,
            });
        }
    }
}

fn err(e: impl std::fmt::Display) -> Vec<Action> {
    vec![Action::Error(e.to_string())]
}

impl Worker {
    async fn handle(&mut self, cmd: Cmd) -> Vec<Action> {
        let c = self.client.clone();
        match cmd {
            Cmd::Login {
                server,
                login,
                password,
            } => {
                if let Err(e) = self.use_server(&server).await {
                    return vec![Action::LoginFailed(e)];
                }
                match self.client.login(&login, &password).await {
                    Ok(a) => {
                        self.session.remember_server();
                        vec![Action::LoggedIn {
                            me: a.user_id,
                            server: a.server_url,
                        }]
                    }
                    Err(e) => vec![Action::LoginFailed(e.to_string())],
                }
            }
            Cmd::Register {
                server,
                username,
                email,
                password,
            } => {
                if let Err(e) = self.use_server(&server).await {
                    return vec![Action::LoginFailed(e)];
                }
                match self
                    .client
                    .register(&username, &email, &password, None)
                    .await
                {
                    Ok(a) => {
                        self.session.remember_server();
                        vec![Action::LoggedIn {
                            me: a.user_id,
                            server: a.server_url,
                        }]
                    }
                    Err(e) => vec![Action::LoginFailed(e.to_string())],
                }
            }
            Cmd::Logout => match c.logout().await {
                Ok(()) => vec![Action::LoggedOut],
                Err(e) => err(e),
            },
            Cmd::LoadRooms => match c.rooms().await {
                Ok(r) => vec![Action::RoomsLoaded(r)],
                Err(e) => err(e),
            },
            Cmd::LoadTimeline { room, limit, focus } => match c.timeline(room, None, limit).await {
                Ok(page) => vec![Action::TimelineLoaded {
                    room,
                    page,
                    older: false,
                    focus,
                }],
                Err(e) => err(e),
            },
            Cmd::LoadOlder { room, before } => {
                match c.timeline(room, Some(before), crate::app::PAGE).await {
                    Ok(page) => vec![Action::TimelineLoaded {
                        room,
                        page,
                        older: true,
                        focus: None,
                    }],
                    Err(e) => err(e),
                }
            }
            Cmd::Backfill { room } => match c.backfill(room, crate::app::PAGE).await {
                Ok(count) => vec![Action::BackfillDone { room, count }],
                Err(e) => {
                    let mut a = err(e);
                    a.push(Action::BackfillDone { room, count: 0 });
                    a
                }
            },
            Cmd::Send {
                room,
                body,
                reply_to,
            } => {
                let r = match reply_to {
                    Some(id) => c.reply(id, &body).await,
                    None => c.send(room, &body).await,
                };
                r.err().map(err).unwrap_or_default()
            }
            Cmd::Edit { id, body } => c.edit(id, &body).await.err().map(err).unwrap_or_default(),
            Cmd::Delete { id } => c.delete(id).await.err().map(err).unwrap_or_default(),
            Cmd::React { id, emoji } => {
                c.react(id, &emoji).await.err().map(err).unwrap_or_default()
            }
            Cmd::MarkRead { room } => c
                .mark_read(room, None)
                .await
                .err()
                .map(err)
                .unwrap_or_default(),
            Cmd::Search { text, room } => {
                let q = SearchQuery {
                    text,
                    room_id: room,
                    limit: Some(200),
                    ..SearchQuery::default()
                };
                let hits = match c.search(q).await {
                    Ok(h) => h,
                    Err(e) => return err(e),
                };
                let rooms = c.rooms().await.unwrap_or_default();
                let mut out = Vec::with_capacity(hits.len());
                for hit in hits {
                    let sender = c
                        .message(hit.message_id)
                        .await
                        .ok()
                        .flatten()
                        .map(|m| m.sender_name)
                        .unwrap_or_default();
                    let room = rooms
                        .iter()
                        .find(|r| r.id == hit.room_id)
                        .map(|r| r.name.clone())
                        .unwrap_or_default();
                    out.push(Hit { hit, sender, room });
                }
                vec![Action::SearchLoaded(out)]
            }
            Cmd::JumpTo { room, message } => {
                let seq = match c.message(message).await {
                    Ok(Some(m)) => m.seq,
                    Ok(None) => None,
                    Err(e) => return err(e),
                };
                // A page that ends a little after the message, so it shows
                // with what came before and after it.
                let before = seq.map(|s| s + 20);
                match c.timeline(room, before, crate::app::PAGE).await {
                    Ok(page) => vec![Action::TimelineLoaded {
                        room,
                        page,
                        older: false,
                        focus: Some(message),
                    }],
                    Err(e) => err(e),
                }
            }
            Cmd::LoadOutbox => match c.outbox().await {
                Ok(items) => {
                    let failed = items
                        .iter()
                        .filter(|i| matches!(i.state, OutboxState::Failed { .. }))
                        .count();
                    vec![Action::OutboxLoaded {
                        queued: items.len() - failed,
                        failed,
                    }]
                }
                Err(e) => err(e),
            },
            Cmd::LoadWorkspaces => {
                self.session.synced();
                match self.session.refresh_workspaces(&c).await {
                    Ok(map) => vec![Action::WorkspacesLoaded(map)],
                    Err(e) => {
                        tracing::info!(error = %e, "cannot list workspaces");
                        vec![]
                    }
                }
            }
            Cmd::Retry { room } | Cmd::Discard { room } => {
                let retry = matches!(cmd, Cmd::Retry { .. });
                let items = match c.outbox().await {
                    Ok(i) => i,
                    Err(e) => return err(e),
                };
                let mut n = 0usize;
                for i in items
                    .iter()
                    .filter(|i| i.room_id == room && matches!(i.state, OutboxState::Failed { .. }))
                {
                    let r = if retry {
                        c.retry(&i.txn_id).await
                    } else {
                        c.discard(&i.txn_id).await
                    };
                    match r {
                        Ok(()) => n += 1,
                        Err(e) => return err(e),
                    }
                }
                vec![Action::Notice(self.session_tr(
                    if retry {
                        "tui-retried"
                    } else {
                        "tui-discarded"
                    },
                    n,
                ))]
            }
            Cmd::Join { name, workspace } => {
                let workspaces: Vec<Uuid> = match workspace {
                    Some(w) => vec![w],
                    None => match c.workspaces().await {
                        Ok(l) => l.into_iter().map(|w| w.id).collect(),
                        Err(e) => return err(e),
                    },
                };
                let wanted = name.trim_start_matches('#');
                for w in workspaces {
                    let dir = match c.directory(w).await {
                        Ok(d) => d,
                        Err(e) => return err(e),
                    };
                    if let Some(r) = dir.iter().find(|r| {
                        r.id.to_string() == wanted
                            || r.name
                                .as_deref()
                                .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
                    }) {
                        return match c.join(r.id).await {
                            Ok(_) => vec![Action::Notice(format!("→ #{wanted}"))],
                            Err(e) => err(e),
                        };
                    }
                }
                err(format!("no room named {wanted:?} in the directory"))
            }
            Cmd::Leave { room } => c.leave(room).await.err().map(err).unwrap_or_default(),
            Cmd::Create {
                workspace,
                name,
                channel,
            } => {
                let r = c
                    .create_room(NewRoom {
                        workspace_id: workspace,
                        kind: if channel {
                            RoomKind::Channel
                        } else {
                            RoomKind::Group
                        },
                        name,
                        visibility: if channel {
                            Visibility::Public
                        } else {
                            Visibility::Private
                        },
                        topic: None,
                        members: Vec::new(),
                    })
                    .await;
                r.err().map(err).unwrap_or_default()
            }
            Cmd::Dm { workspace, user } => match c.open_direct(workspace, user).await {
                Ok(room) => vec![Action::OpenRoom(room)],
                Err(e) => err(e),
            },
            Cmd::Notify { .. } => vec![],
        }
    }

    fn session_tr(&self, id: &str, n: usize) -> String {
        let tr =
            tern_client_core::i18n::Translator::new(self.session.config.config.locale.as_deref());
        tr.tr_args(id, &[("count", n.into())])
    }

    /// Reopens the client when the login form names another server.
    async fn use_server(&mut self, server: &str) -> Result<(), String> {
        if server == self.session.server_url {
            return Ok(());
        }
        self.session.server_url = server.to_owned();
        let client = self
            .session
            .open_client()
            .await
            .map_err(|e| e.to_string())?;
        self.forwarder.abort();
        self.client = client;
        self.forwarder = forward(self.client.clone(), self.to_ui.clone());
        Ok(())
    }
}
