//! The worker: one task that owns the client-core [`Client`] and answers
//! the UI's requests. Each [`Request`] carries a `oneshot` for its answer
//! (a list of [`Action`]s), so the UI loop never blocks on the network or
//! the store. The worker also forwards the client's event stream to the
//! loop, and reopens the client when the user signs in to another server.

use tern_client_core::protocol::room::{RoomKind, Visibility};
use tern_client_core::{Client, ClientEvent, NewRoom, OutboxState, TimelineChange};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::app::{Action, Cmd, DirEntry, Hit, PageKind, UserEntry};

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
    /// The language of the notices it sends (follows `:lang`).
    tr: tern_client_core::i18n::Translator,
}

/// Starts the worker over an open client; actions it hears of go to `to_ui`.
pub fn spawn(
    session: Session,
    client: Client,
    to_ui: mpsc::UnboundedSender<Action>,
) -> WorkerHandle {
    let (tx, mut rx) = mpsc::channel::<Request>(256);
    let forwarder = forward(client.clone(), to_ui.clone());
    let tr = tern_client_core::i18n::Translator::for_locale(session.tr.locale());
    let mut w = Worker {
        tr,
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
                    if to_ui.send(Action::Connection(s)).is_err()
                        || to_ui
                            .send(Action::ConnectionProblem(client.connection_problem()))
                            .is_err()
                    {
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
    for id in ids {
        if let Ok(Some(m)) = client.message(*id).await
            && Some(m.sender_id) != me
            && m.seq.is_some()
        {
            let _ = to_ui.send(Action::Incoming {
                room,
                sender: m.sender_name,
                body: m.body,
                mention: m.mentions_me,
            });
        }
    }
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
                    Err(e) => vec![Action::LoginFailed(self.localized(&e))],
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
                    Err(e) => vec![Action::LoginFailed(self.localized(&e))],
                }
            }
            Cmd::Logout => match c.logout().await {
                Ok(()) => vec![Action::LoggedOut],
                Err(e) => self.err(&e),
            },
            Cmd::LoadRooms => match c.rooms().await {
                Ok(r) => vec![Action::RoomsLoaded(r)],
                Err(e) => self.err(&e),
            },
            Cmd::LoadTimeline { room, limit, focus } => match c.timeline(room, None, limit).await {
                Ok(page) => page_loaded(&c, room, page, PageKind::Live, focus).await,
                Err(e) => self.err(&e),
            },
            Cmd::LoadOlder { room, before } => {
                match c.timeline(room, Some(before), crate::app::PAGE).await {
                    Ok(page) => page_loaded(&c, room, page, PageKind::Older, None).await,
                    Err(e) => {
                        let mut a = self.err(&e);
                        a.push(Action::PageFailed { room });
                        a
                    }
                }
            }
            Cmd::LoadWindow {
                room,
                before,
                limit,
                focus,
            } => match c.timeline(room, Some(before), limit).await {
                Ok(page) => page_loaded(&c, room, page, PageKind::Window, focus).await,
                Err(e) => self.err(&e),
            },
            Cmd::LoadNewer { room, after } => match newer(&c, room, after).await {
                Ok((page, at_end)) => {
                    page_loaded(&c, room, page, PageKind::Newer { at_end }, None).await
                }
                Err(e) => {
                    let mut a = self.err(&e);
                    a.push(Action::PageFailed { room });
                    a
                }
            },
            Cmd::LoadThreads { room, from, to } => match c.thread_counts(room, from, to).await {
                Ok(counts) => vec![Action::ThreadsLoaded { room, counts }],
                Err(e) => self.err(&e),
            },
            Cmd::Upload { room, path } => {
                let local = match c.send_file(room, &path, "").await {
                    Ok(id) => id,
                    Err(e) => return self.err(&e),
                };
                match c.attachments(local).await {
                    Ok(files) => files
                        .into_iter()
                        .map(|f| Action::TransferStarted {
                            file: f.id,
                            name: f.name,
                            total: Some(f.size),
                            upload: true,
                        })
                        .collect(),
                    Err(e) => self.err(&e),
                }
            }
            Cmd::OpenFile { file } => match self.fetch(file).await {
                Ok((path, _)) => match open_with_system(&path) {
                    Ok(()) => vec![Action::Notice(self.tr().tr_args(
                        "tui-file-opened",
                        &[("path", path.display().to_string().into())],
                    ))],
                    Err(opener) => vec![Action::Error(self.tr().tr_args(
                        "tui-no-opener",
                        &[
                            ("opener", opener.into()),
                            ("path", path.display().to_string().into()),
                        ],
                    ))],
                },
                Err(e) => self.err(&e),
            },
            Cmd::SaveFile { file, dest } => match self.fetch(file).await {
                Ok((path, name)) => match save_copy(&path, &name, dest).await {
                    Ok(to) => vec![Action::Notice(self.tr().tr_args(
                        "tui-file-saved",
                        &[
                            ("name", name.into()),
                            ("path", to.display().to_string().into()),
                        ],
                    ))],
                    Err(e) => self.err(&e),
                },
                Err(e) => self.err(&e),
            },
            Cmd::LoadMembers { room } => match c.members(room).await {
                Ok(m) => vec![Action::MembersLoaded(m)],
                Err(e) => self.err(&e),
            },
            Cmd::LoadDirectory => {
                let ws = self.session.workspaces();
                let mut ids: Vec<Uuid> = ws.keys().copied().collect();
                if ids.is_empty() {
                    match c.workspaces().await {
                        Ok(l) => ids = l.into_iter().map(|w| w.id).collect(),
                        Err(e) => return self.err(&e),
                    }
                }
                let mut out = Vec::new();
                for w in ids {
                    let dir = match c.directory(w).await {
                        Ok(d) => d,
                        Err(e) => return self.err(&e),
                    };
                    let label = crate::resolve::workspace_label(&ws, w);
                    for r in dir {
                        // Public rooms to join, and the caller's own; a
                        // private room one is not in shows no name.
                        let joined = r.membership
                            == Some(tern_client_core::protocol::room::MemberState::Joined);
                        if r.archived
                            || r.kind == RoomKind::Direct
                            || r.name.is_none()
                            || (r.visibility != Visibility::Public && !joined)
                        {
                            continue;
                        }
                        out.push(DirEntry {
                            id: r.id,
                            workspace: label.clone(),
                            name: r.name.unwrap_or_default(),
                            topic: r.topic,
                            members: r.member_count,
                            joined,
                        });
                    }
                }
                out.sort_by(|a, b| {
                    (&a.workspace, a.name.to_lowercase())
                        .cmp(&(&b.workspace, b.name.to_lowercase()))
                });
                vec![Action::DirectoryLoaded(out)]
            }
            Cmd::LoadUsers => match self.users().await {
                Ok(u) => vec![Action::UsersLoaded(u)],
                Err(e) => {
                    tracing::info!(error = %e, "cannot list the workspaces' members");
                    vec![]
                }
            },
            Cmd::Invite { room, user } => {
                let users = match self.users().await {
                    Ok(u) => u,
                    Err(e) => return self.err(&e),
                };
                let want = user.to_lowercase();
                let found = users
                    .iter()
                    .find(|u| u.username.to_lowercase() == want)
                    .or_else(|| users.iter().find(|u| u.name.to_lowercase() == want))
                    .or_else(|| {
                        users
                            .iter()
                            .find(|u| u.username.to_lowercase().starts_with(&want))
                    });
                let Some(u) = found else {
                    return vec![Action::Error(
                        self.tr()
                            .tr_args("tui-invite-unknown", &[("user", user.into())]),
                    )];
                };
                match c.invite(room, u.id).await {
                    Ok(()) => vec![Action::Notice(
                        self.tr()
                            .tr_args("tui-invited", &[("user", u.name.clone().into())]),
                    )],
                    Err(e) => self.err(&e),
                }
            }
            Cmd::JoinId { room } => match c.join(room).await {
                Ok(_) => vec![Action::Notice(self.tr().tr("tui-joined"))],
                Err(e) => self.err(&e),
            },
            Cmd::SavePrefs { room, prefs } => {
                crate::profile::ProfileState::update(
                    &self.session.data_dir,
                    &self.session.global.profile,
                    |s| {
                        s.rooms.insert(room, prefs);
                    },
                );
                // Other devices follow when the server can be told; the
                // choice holds here either way.
                if let Err(e) = c
                    .set_room_notifications(room, prefs.muted, prefs.notify)
                    .await
                {
                    tracing::info!(error = %e, "the server did not hear the room's notification level");
                }
                vec![Action::Client(ClientEvent::RoomListChanged)]
            }
            Cmd::Backfill { room } => match c.backfill(room, crate::app::PAGE).await {
                Ok(count) => vec![Action::BackfillDone { room, count }],
                Err(e) => {
                    let mut a = self.err(&e);
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
                r.err().map(|e| self.err(&e)).unwrap_or_default()
            }
            Cmd::Edit { id, body } => c
                .edit(id, &body)
                .await
                .err()
                .map(|e| self.err(&e))
                .unwrap_or_default(),
            Cmd::Delete { id } => c
                .delete(id)
                .await
                .err()
                .map(|e| self.err(&e))
                .unwrap_or_default(),
            Cmd::React { id, emoji } => c
                .react(id, &emoji)
                .await
                .err()
                .map(|e| self.err(&e))
                .unwrap_or_default(),
            Cmd::MarkRead { room } => c
                .mark_read(room, None)
                .await
                .err()
                .map(|e| self.err(&e))
                .unwrap_or_default(),
            Cmd::Search { query } => {
                let hits = match c.search(query).await {
                    Ok(h) => h,
                    Err(e) => return self.err(&e),
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
                    Err(e) => return self.err(&e),
                };
                // A page that ends a little after the message, so it shows
                // with what came before and after it.
                let before = seq.map(|s| s + 20);
                let newest = newest_seq(&c, room).await;
                match c.timeline(room, before, crate::app::PAGE).await {
                    Ok(page) => {
                        let last = page.items.iter().rev().find_map(|i| i.seq);
                        let detached = matches!((last, newest), (Some(l), Some(n)) if l < n);
                        page_loaded(&c, room, page, PageKind::Jump { detached }, Some(message))
                            .await
                    }
                    Err(e) => self.err(&e),
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
                Err(e) => self.err(&e),
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
                    Err(e) => return self.err(&e),
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
                        Err(e) => return self.err(&e),
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
                        Err(e) => return self.err(&e),
                    },
                };
                let wanted = name.trim_start_matches('#');
                for w in workspaces {
                    let dir = match c.directory(w).await {
                        Ok(d) => d,
                        Err(e) => return self.err(&e),
                    };
                    if let Some(r) = dir.iter().find(|r| {
                        r.id.to_string() == wanted
                            || r.name
                                .as_deref()
                                .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
                    }) {
                        return match c.join(r.id).await {
                            Ok(_) => vec![Action::Notice(format!("→ #{wanted}"))],
                            Err(e) => self.err(&e),
                        };
                    }
                }
                vec![Action::Error(self.tr().tr_args(
                    "tui-directory-unknown",
                    &[("room", wanted.to_owned().into())],
                ))]
            }
            Cmd::Leave { room } => c
                .leave(room)
                .await
                .err()
                .map(|e| self.err(&e))
                .unwrap_or_default(),
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
                r.err().map(|e| self.err(&e)).unwrap_or_default()
            }
            Cmd::Dm { workspace, user } => match c.open_direct(workspace, user).await {
                Ok(room) => vec![Action::OpenRoom(room)],
                Err(e) => self.err(&e),
            },
            Cmd::Notify { .. } => vec![],
            Cmd::Locale(l) => {
                self.tr = tern_client_core::i18n::Translator::for_locale(&l);
                vec![]
            }
        }
    }

    fn tr(&self) -> &tern_client_core::i18n::Translator {
        &self.tr
    }

    /// A client-core error for the user: in their language, the detail in
    /// the log.
    fn localized(&self, e: &tern_client_core::Error) -> String {
        tracing::info!(error = %e, "a request failed");
        e.localized(&self.tr)
    }

    fn err(&self, e: &tern_client_core::Error) -> Vec<Action> {
        vec![Action::Error(self.localized(e))]
    }

    /// A file's path in the cache (downloading it first, with progress)
    /// and its name.
    async fn fetch(&self, file: Uuid) -> tern_client_core::Result<(std::path::PathBuf, String)> {
        let info = self.client.file_info(file).await.ok();
        let cached = info.as_ref().is_some_and(|i| i.cached);
        if !cached {
            let _ = self.to_ui.send(Action::TransferStarted {
                file,
                name: info.as_ref().map(|i| i.name.clone()).unwrap_or_default(),
                total: info.as_ref().filter(|i| i.known).map(|i| i.size),
                upload: false,
            });
        }
        let res = self.client.download(file).await;
        if !cached {
            let _ = self.to_ui.send(Action::TransferDone { file });
        }
        let path = res?;
        let name = self
            .client
            .file_info(file)
            .await
            .map(|i| i.name)
            .ok()
            .filter(|n| !n.is_empty())
            .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| file.to_string());
        Ok((path, name))
    }

    /// The members of every workspace this profile knows, once each.
    async fn users(&self) -> tern_client_core::Result<Vec<UserEntry>> {
        let mut ids: Vec<Uuid> = self.session.workspaces().keys().copied().collect();
        if ids.is_empty() {
            ids = self
                .client
                .workspaces()
                .await?
                .into_iter()
                .map(|w| w.id)
                .collect();
        }
        let mut out: Vec<UserEntry> = Vec::new();
        for w in ids {
            for m in self.client.workspace_members(w).await? {
                if out.iter().any(|u| u.id == m.user.id) {
                    continue;
                }
                let name = if m.user.display_name.trim().is_empty() {
                    m.user.username.clone()
                } else {
                    m.user.display_name.clone()
                };
                out.push(UserEntry {
                    id: m.user.id,
                    username: m.user.username,
                    name,
                });
            }
        }
        out.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(out)
    }

    fn session_tr(&self, id: &str, n: usize) -> String {
        self.tr.tr_args(id, &[("count", n.into())])
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
            .map_err(|e| e.message(&self.tr))?;
        self.forwarder.abort();
        self.client = client;
        self.forwarder = forward(self.client.clone(), self.to_ui.clone());
        Ok(())
    }
}

/// The page's actions: the page, then the attachments of its messages.
async fn page_loaded(
    c: &Client,
    room: Uuid,
    page: tern_client_core::TimelinePage,
    kind: PageKind,
    focus: Option<Uuid>,
) -> Vec<Action> {
    let mut files = Vec::new();
    for i in page.items.iter().filter(|i| !i.attachments.is_empty()) {
        match c.attachments(i.id).await {
            Ok(a) => files.push((i.id, a)),
            Err(e) => tracing::info!(error = %e, "cannot read a message's attachments"),
        }
    }
    vec![
        Action::TimelineLoaded {
            room,
            page,
            kind,
            focus,
        },
        Action::FilesLoaded { room, files },
    ]
}

async fn newest_seq(c: &Client, room: Uuid) -> Option<i64> {
    c.timeline(room, None, 1)
        .await
        .ok()
        .and_then(|p| p.items.iter().rev().find_map(|i| i.seq))
}

/// Messages after seq `after`, oldest first, with only `before` to ask
/// with: look a stretch of seqs ahead, widening it until messages show or
/// the newest is passed (then the newest page, local echoes too).
pub async fn newer(
    c: &Client,
    room: Uuid,
    after: i64,
) -> tern_client_core::Result<(tern_client_core::TimelinePage, bool)> {
    let page = crate::app::PAGE;
    let newest = newest_seq(c, room).await;
    let mut span = i64::from(page);
    loop {
        if newest.is_none_or(|n| after + span >= n) {
            let mut p = c.timeline(room, None, page + 50).await?;
            p.items.retain(|i| i.seq.is_none_or(|s| s > after));
            return Ok((p, true));
        }
        // At most `span` messages have seqs in (after, after + span], so a
        // page of `span` holds them all.
        let limit = u32::try_from(span).unwrap_or(1000).min(1000);
        let mut p = c.timeline(room, Some(after + span + 1), limit).await?;
        p.items.retain(|i| i.seq.is_some_and(|s| s > after));
        if !p.items.is_empty() {
            return Ok((p, false));
        }
        span = span.saturating_mul(4);
    }
}

/// Opens a file with the system's opener; the opener's name when there is
/// none.
fn open_with_system(path: &std::path::Path) -> Result<(), String> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(opener).is_file()));
    if !found {
        return Err(opener.to_owned());
    }
    match std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(mut child) => {
            // Reaped in the background.
            std::thread::spawn(move || {
                let _ = child.wait();
            });
            Ok(())
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot start {opener}");
            Err(opener.to_owned())
        }
    }
}

/// The folder `:save` puts files in when given none: the XDG download
/// folder, else `~/Downloads`, else the current folder.
pub fn download_dir() -> std::path::PathBuf {
    dirs::download_dir()
        .or_else(|| dirs::home_dir().map(|h| h.join("Downloads")))
        .unwrap_or_else(|| std::path::PathBuf::from("."))
}

/// Copies a cached file to `dest` (a file, or a folder to put `name` in;
/// by default the download folder), never over an existing file.
pub async fn save_copy(
    from: &std::path::Path,
    name: &str,
    dest: Option<std::path::PathBuf>,
) -> tern_client_core::Result<std::path::PathBuf> {
    let io = |p: &std::path::Path, e: std::io::Error| tern_client_core::Error::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    // A name from the server never climbs out of the folder.
    let safe: String = std::path::Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != ".." && n != ".")
        .unwrap_or_else(|| "file".to_owned());
    let target = match dest {
        None => download_dir().join(&safe),
        Some(d) if d.is_dir() || d.as_os_str().to_string_lossy().ends_with('/') => d.join(&safe),
        Some(d) => d,
    };
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| io(dir, e))?;
    }
    let mut to = target.clone();
    let mut n = 1;
    while tokio::fs::try_exists(&to).await.unwrap_or(false) {
        let stem = target
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = target
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        to = target.with_file_name(format!("{stem} ({n}){ext}"));
        n += 1;
    }
    tokio::fs::copy(from, &to).await.map_err(|e| io(&to, e))?;
    Ok(to)
}
