//! Headless commands for scripts: `tern login`, `rooms`, `read`, `send`,
//! `upload`, `search`, `tail`, `sync`, `status`, `logout`.
//!
//! Each opens the same profile as the full-screen UI (so they share the
//! store and the outbox), gives the sync engine a moment to catch up when
//! the server answers, and otherwise works from the local store. Output is
//! plain lines in the user's language (the client-core catalogs), or JSON
//! with `--json`, whose keys never depend on the language. Exit codes: 0 done, 1 error (message
//! on stderr), 2 usage (clap's, or a room that cannot be named).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Read, Write};
use std::time::{Duration, Instant};

use serde_json::json;
use tern_client_core::{
    Client, ClientEvent, ConnectionState, OutboxItem, OutboxState, RoomSummary, SearchQuery,
    TimelineItem,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::cli::Command;
use crate::profile::{ProfileState, WorkspaceName};
use crate::resolve;
use crate::session::Session;

/// Why a command failed, and so its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Exit 2: the command line cannot be acted on.
    #[error("{0}")]
    Usage(String),
    /// Exit 1.
    #[error("{0}")]
    Failed(String),
    /// Exit 1: client-core failed. `Display` (English, every detail) is
    /// for the log; the user reads [`CliError::message`].
    #[error(transparent)]
    Core(#[from] tern_client_core::Error),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::Failed(_) | Self::Core(_) => 1,
        }
    }

    /// What to tell the user, in their language.
    pub fn message(&self, tr: &tern_client_core::i18n::Translator) -> String {
        match self {
            Self::Usage(m) | Self::Failed(m) => m.clone(),
            Self::Core(e) => e.localized(tr),
        }
    }
}

type Result<T, E = CliError> = std::result::Result<T, E>;

/// How long read commands wait for the server before using the cache.
const SETTLE: Duration = Duration::from_secs(5);

pub async fn run(session: &Session, command: Command) -> Result<()> {
    let g = &session.global;
    let tr = &*session.tr;
    let client = session.open_client().await?;
    match command {
        Command::Login { username } => {
            let password = read_password(tr)?;
            let account = client.login(&username, &password).await?;
            session.remember_server();
            print_account(session, &username, &account);
            // A first catch-up, so the next command has rooms to show.
            settle(&client, SETTLE).await;
            refresh_workspaces(session, &client).await;
        }
        Command::Register {
            username,
            email,
            display_name,
        } => {
            let password = read_password(tr)?;
            let account = client
                .register(&username, &email, &password, display_name.as_deref())
                .await?;
            session.remember_server();
            print_account(session, &username, &account);
            settle(&client, SETTLE).await;
        }
        Command::Logout => {
            signed_in(session, &client)?;
            client.logout().await?;
            if g.json {
                println!("{}", json!({"signed_out": true}));
            } else {
                println!(
                    "{}",
                    tr.tr_args("cli-signed-out", &[("profile", g.profile.clone().into())])
                );
            }
        }
        Command::Rooms => {
            let online = catch_up(session, &client).await?;
            let ws = session.workspaces();
            let rooms = client.rooms().await?;
            if g.json {
                let list: Vec<_> = rooms.iter().map(|r| room_json(&ws, r)).collect();
                println!("{}", serde_json::Value::Array(list));
            } else {
                if !online {
                    eprintln!("{}", tr.tr("cli-offline-rooms"));
                }
                let prefs = ProfileState::load(&session.data_dir, &g.profile).rooms;
                for r in &rooms {
                    let mut extra = Vec::new();
                    if r.unread_count > 0 {
                        extra.push(tr.tr_args("cli-unread", &[("count", r.unread_count.into())]));
                    }
                    if r.mention_count > 0 {
                        extra
                            .push(tr.tr_args("cli-mentions", &[("count", r.mention_count.into())]));
                    }
                    if prefs.get(&r.id).and_then(|p| p.muted).unwrap_or(r.muted) {
                        extra.push(tr.tr("cli-muted"));
                    }
                    if r.pending_count > 0 {
                        extra.push(
                            tr.tr_args("tui-status-queued", &[("count", r.pending_count.into())]),
                        );
                    }
                    println!("{:<32} {}", resolve::full_name(&ws, r), extra.join(", "));
                }
            }
        }
        Command::Read { room, limit } => {
            let online = catch_up(session, &client).await?;
            let r = find_room(session, &client, &room).await?;
            let page = client.timeline(r.id, None, limit.max(1)).await?;
            if !online && !g.json {
                eprintln!("{}", tr.tr("cli-offline-messages"));
            }
            for item in &page.items {
                print_item(session, item);
            }
        }
        Command::Send {
            room,
            text,
            timeout,
        } => {
            let body = match text {
                Some(t) => t,
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s).map_err(|e| {
                        CliError::Failed(
                            tr.tr_args("cli-cannot-read-stdin", &[("error", e.to_string().into())]),
                        )
                    })?;
                    s.trim_end_matches(['\n', '\r']).to_owned()
                }
            };
            if body.trim().is_empty() {
                return Err(CliError::Usage(tr.tr("cli-empty-text")));
            }
            let online = catch_up(session, &client).await?;
            let r = find_room(session, &client, &room).await?;
            let before: BTreeSet<String> = client
                .outbox()
                .await?
                .into_iter()
                .map(|i| i.txn_id)
                .collect();
            let local_id = client.send(r.id, &body).await?;
            let txn = client
                .outbox()
                .await?
                .into_iter()
                .find(|i| i.room_id == r.id && !before.contains(&i.txn_id))
                .map(|i| i.txn_id);
            let outcome = match (&txn, online) {
                (Some(txn), true) => {
                    wait_delivered(&client, txn, Duration::from_secs(timeout)).await?
                }
                (Some(_), false) => Delivery::Queued,
                (None, _) => Delivery::Sent,
            };
            report(
                session,
                &r,
                outcome,
                json!({"local_id": local_id, "txn_id": txn}),
            )?;
        }
        Command::Upload {
            room,
            path,
            caption,
            timeout,
        } => {
            if !path.is_file() {
                return Err(CliError::Usage(tr.tr_args(
                    "cli-not-a-file",
                    &[("path", path.display().to_string().into())],
                )));
            }
            let online = catch_up(session, &client).await?;
            let r = find_room(session, &client, &room).await?;
            let before: BTreeSet<String> = client
                .outbox()
                .await?
                .into_iter()
                .map(|i| i.txn_id)
                .collect();
            let local_id = client
                .send_file(r.id, &path, caption.as_deref().unwrap_or(""))
                .await?;
            let file = client.attachments(local_id).await?.into_iter().next();
            let txn = client
                .outbox()
                .await?
                .into_iter()
                .find(|i| i.room_id == r.id && !before.contains(&i.txn_id))
                .map(|i| i.txn_id);
            let outcome = match (&txn, online) {
                (Some(txn), true) => {
                    let progress = !g.json && std::io::stderr().is_terminal();
                    wait_uploaded(&client, txn, Duration::from_secs(timeout), progress).await?
                }
                (Some(_), false) => Delivery::Queued,
                (None, _) => Delivery::Sent,
            };
            let (name, size) = file.map(|f| (f.name, f.size)).unwrap_or_default();
            report(
                session,
                &r,
                outcome,
                json!({"local_id": local_id, "txn_id": txn, "file": name, "size": size}),
            )?;
        }
        Command::Search {
            query,
            room,
            from,
            has_file,
            no_file,
            after,
            before,
            limit,
        } => {
            signed_in(session, &client)?;
            settle(&client, Duration::from_secs(3)).await;
            let room_id = match room {
                Some(q) => Some(find_room(session, &client, &q).await?.id),
                None => None,
            };
            let sender_id = match from {
                Some(who) => Some(find_person(session, &client, &who).await?),
                None => None,
            };
            let day = |d: Option<String>| -> Result<Option<OffsetDateTime>> {
                let Some(d) = d else { return Ok(None) };
                let f = time::macros::format_description!("[year]-[month]-[day]");
                time::Date::parse(&d, &f)
                    .map(|d| Some(d.midnight().assume_offset(session.offset)))
                    .map_err(|_| {
                        CliError::Usage(
                            tr.tr_args("tui-search-bad-filter", &[("filter", d.clone().into())]),
                        )
                    })
            };
            let hits = client
                .search(SearchQuery {
                    text: query,
                    room_id,
                    sender_id,
                    has_file: (has_file || no_file).then_some(has_file),
                    after: day(after)?,
                    before: day(before)?,
                    limit: Some(limit),
                })
                .await?;
            let rooms = client.rooms().await?;
            let ws = session.workspaces();
            for h in hits {
                let room = rooms
                    .iter()
                    .find(|r| r.id == h.room_id)
                    .map(|r| resolve::full_name(&ws, r))
                    .unwrap_or_else(|| h.room_id.to_string());
                let sender = client
                    .message(h.message_id)
                    .await
                    .ok()
                    .flatten()
                    .map(|m| m.sender_name)
                    .unwrap_or_default();
                if g.json {
                    println!(
                        "{}",
                        json!({"message_id": h.message_id, "room_id": h.room_id, "room": room,
                            "sender_id": h.sender_id, "sender": sender,
                            "created_at": rfc3339(h.created_at), "body": h.body})
                    );
                } else {
                    println!(
                        "{room} {} {sender}: {}",
                        session.fmt_time(h.created_at),
                        h.body
                    );
                }
            }
        }
        Command::Tail { room } => {
            catch_up(session, &client).await?;
            let r = find_room(session, &client, &room).await?;
            tail(session, &client, r.id).await?;
        }
        Command::Sync { timeout } => {
            signed_in(session, &client)?;
            let deadline = Instant::now() + Duration::from_secs(timeout);
            let online = settle(&client, Duration::from_secs(timeout)).await;
            if !online {
                let n = queued(&client.outbox().await?);
                return Err(CliError::Failed(tr.tr_args(
                    "cli-cannot-reach",
                    &[
                        ("server", session.server_url.clone().into()),
                        ("count", n.into()),
                    ],
                )));
            }
            session.synced();
            refresh_workspaces(session, &client).await;
            loop {
                let items = client.outbox().await?;
                let waiting = queued(&items);
                let failed: Vec<&OutboxItem> = items
                    .iter()
                    .filter(|i| matches!(i.state, OutboxState::Failed { .. }))
                    .collect();
                if waiting == 0 {
                    if g.json {
                        println!(
                            "{}",
                            json!({"synced": true, "queued": 0, "failed": failed.len()})
                        );
                    } else {
                        println!("{}", tr.tr("cli-synced"));
                    }
                    if !failed.is_empty() {
                        return Err(CliError::Failed(
                            tr.tr_args("cli-failed-for-good", &[("count", failed.len().into())]),
                        ));
                    }
                    break;
                }
                if Instant::now() >= deadline {
                    return Err(CliError::Failed(
                        tr.tr_args("cli-timed-out", &[("count", waiting.into())]),
                    ));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Command::Status => {
            let account = client.account();
            let online = match account {
                Some(_) => settle(&client, Duration::from_secs(3)).await,
                None => false,
            };
            if online {
                session.synced();
            }
            let items = client.outbox().await?;
            let last = ProfileState::load(&session.data_dir, &g.profile)
                .last_sync
                .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok());
            let state = if account.is_none() {
                "signed-out"
            } else if online {
                "online"
            } else {
                "offline"
            };
            let failed = items
                .iter()
                .filter(|i| matches!(i.state, OutboxState::Failed { .. }))
                .count();
            if g.json {
                println!(
                    "{}",
                    json!({"connection": state, "server": session.server_url,
                        "user_id": account.as_ref().map(|a| a.user_id),
                        "last_sync": last.map(rfc3339), "queued": queued(&items), "failed": failed})
                );
            } else {
                let state_word = tr.tr(match state {
                    "signed-out" => "cli-state-signed-out",
                    "online" => "connection-online",
                    _ => "connection-offline",
                });
                println!(
                    "{}",
                    tr.tr_args(
                        "cli-status-connection",
                        &[
                            ("state", state_word.into()),
                            ("server", session.server_url.clone().into())
                        ]
                    )
                );
                let last = last
                    .map(|t| session.fmt_time(t))
                    .unwrap_or_else(|| tr.tr("cli-never"));
                println!(
                    "{}",
                    tr.tr_args("cli-status-last-sync", &[("time", last.into())])
                );
                println!(
                    "{}",
                    tr.tr_args("cli-status-queued", &[("count", queued(&items).into())])
                );
                if failed > 0 {
                    println!(
                        "{}",
                        tr.tr_args("cli-status-failed", &[("count", failed.into())])
                    );
                }
            }
        }
    }
    Ok(())
}

enum Delivery {
    Sent,
    Queued,
    Failed(String),
}

fn signed_in(session: &Session, client: &Client) -> Result<()> {
    if client.account().is_none() {
        return Err(CliError::Failed(session.tr.tr("cli-not-signed-in")));
    }
    Ok(())
}

/// Prints where a send or an upload stands; `extra` goes into the JSON.
fn report(
    session: &Session,
    r: &RoomSummary,
    outcome: Delivery,
    extra: serde_json::Value,
) -> Result<()> {
    let tr = &session.tr;
    let name = resolve::full_name(&session.workspaces(), r);
    let state = match &outcome {
        Delivery::Sent => "sent",
        Delivery::Queued => "queued",
        Delivery::Failed(reason) => {
            return Err(CliError::Failed(tr.tr_args(
                "cli-not-sent",
                &[
                    ("room", name.into()),
                    (
                        "reason",
                        tern_client_core::Error::localized_reason(reason, tr).into(),
                    ),
                ],
            )));
        }
    };
    if session.global.json {
        let mut v = json!({"state": state, "room": name});
        if let (Some(o), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e.into_iter().filter(|(_, v)| !v.is_null()));
        }
        println!("{v}");
    } else if state == "sent" {
        println!("{}", tr.tr_args("cli-sent", &[("room", name.into())]));
    } else {
        println!("{}", tr.tr_args("cli-queued", &[("room", name.into())]));
    }
    Ok(())
}

/// Like [`wait_delivered`], drawing the upload's progress on stderr.
async fn wait_uploaded(
    client: &Client,
    txn: &str,
    wait: Duration,
    progress: bool,
) -> Result<Delivery> {
    if !progress {
        return wait_delivered(client, txn, wait).await;
    }
    let mut events = client.events();
    let waiting = wait_delivered(client, txn, wait);
    tokio::pin!(waiting);
    loop {
        tokio::select! {
            d = &mut waiting => {
                eprintln!();
                return d;
            }
            e = events.recv() => {
                if let Some(ClientEvent::UploadProgress { txn_id, sent, total, .. }) = e
                    && txn_id == txn
                {
                    let pct = (sent.min(total) * 100).checked_div(total).unwrap_or(100);
                    eprint!("\r{pct:>3}% {sent}/{total}");
                    let _ = std::io::stderr().flush();
                }
            }
        }
    }
}

async fn catch_up(session: &Session, client: &Client) -> Result<bool> {
    signed_in(session, client)?;
    let online = settle(client, SETTLE).await;
    if online {
        session.synced();
        refresh_workspaces(session, client).await;
    }
    Ok(online)
}

/// Waits until the client has caught up with the server (true), or has
/// tried and failed, or `wait` passed (false).
pub async fn settle(client: &Client, wait: Duration) -> bool {
    let mut w = client.connection_watch();
    let deadline = tokio::time::Instant::now() + wait;
    let mut tried = false;
    loop {
        let s = *w.borrow_and_update();
        match s.state {
            ConnectionState::Online if s.last_sync.is_some() => return true,
            ConnectionState::Connecting | ConnectionState::Syncing => tried = true,
            ConnectionState::Offline if tried => return false,
            _ => {}
        }
        match tokio::time::timeout_at(deadline, w.changed()).await {
            Ok(Ok(())) => {}
            _ => return false,
        }
    }
}

async fn refresh_workspaces(session: &Session, client: &Client) {
    if let Err(e) = session.refresh_workspaces(client).await {
        tracing::info!(error = %e, "cannot list workspaces");
    }
}

async fn find_room(session: &Session, client: &Client, q: &str) -> Result<RoomSummary> {
    let rooms = client.rooms().await?;
    let ws = session.workspaces();
    resolve::resolve_in(&session.tr, &rooms, &ws, q)
        .cloned()
        .map_err(CliError::Usage)
}

/// A person by username or name, among the members of the rooms held
/// here (so it works offline).
async fn find_person(session: &Session, client: &Client, who: &str) -> Result<Uuid> {
    let want = who.trim_start_matches('@').to_lowercase();
    let mut found: Option<Uuid> = None;
    for r in client.rooms().await? {
        for m in client.members(r.id).await? {
            let exact = m.username.to_lowercase() == want || m.name.to_lowercase() == want;
            let prefix = m.username.to_lowercase().starts_with(&want)
                || m.name.to_lowercase().starts_with(&want);
            if exact {
                return Ok(m.user_id);
            }
            if prefix && found.is_none() {
                found = Some(m.user_id);
            }
        }
    }
    found.ok_or_else(|| {
        CliError::Usage(session.tr.tr_args(
            "tui-search-bad-filter",
            &[("filter", format!("--from {who}").into())],
        ))
    })
}

fn queued(items: &[OutboxItem]) -> usize {
    items
        .iter()
        .filter(|i| !matches!(i.state, OutboxState::Failed { .. } | OutboxState::Discarded))
        .count()
}

async fn wait_delivered(client: &Client, txn: &str, wait: Duration) -> Result<Delivery> {
    let deadline = Instant::now() + wait;
    loop {
        let items = client.outbox().await?;
        match items.iter().find(|i| i.txn_id == txn) {
            None => return Ok(Delivery::Sent),
            Some(i) => {
                if let OutboxState::Failed { reason } = &i.state {
                    return Ok(Delivery::Failed(reason.clone()));
                }
            }
        }
        if Instant::now() >= deadline {
            return Ok(Delivery::Queued);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn tail(session: &Session, client: &Client, room: Uuid) -> Result<()> {
    let mut events = client.events();
    let mut last = client
        .timeline(room, None, 1)
        .await?
        .items
        .last()
        .and_then(|i| i.seq)
        .unwrap_or(0);
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return Ok(()),
            e = events.recv() => {
                let relevant = match e {
                    None => return Ok(()),
                    Some(ClientEvent::TimelineChanged { room_id, .. }) => room_id == room,
                    Some(ClientEvent::StoreChanged | ClientEvent::Lagged(_)) => true,
                    Some(_) => false,
                };
                if !relevant {
                    continue;
                }
                let page = client.timeline(room, None, 100).await?;
                let from = last;
                for item in page.items.iter().filter(|i| i.seq.is_some_and(|s| s > from)) {
                    print_item(session, item);
                    last = last.max(item.seq.unwrap_or(last));
                }
                let _ = std::io::stdout().flush();
            }
        }
    }
}

fn print_item(session: &Session, item: &TimelineItem) {
    if session.global.json {
        let reactions: Vec<_> = item
            .reactions
            .iter()
            .map(|r| json!({"emoji": r.emoji, "count": r.count}))
            .collect();
        println!(
            "{}",
            json!({"id": item.id, "seq": item.seq, "sender_id": item.sender_id,
                "sender": item.sender_name, "created_at": rfc3339(item.created_at),
                "body": if item.deleted { "" } else { item.body.as_str() },
                "edited": item.edited, "deleted": item.deleted,
                "reply_to": item.reply_to.as_ref().map(|r| r.id),
                "attachments": item.attachments,
                "reactions": reactions, "pending": item.seq.is_none()})
        );
        return;
    }
    let tr = &session.tr;
    let mut line = format!(
        "{} {}: ",
        session.fmt_time(item.created_at),
        item.sender_name
    );
    if item.deleted {
        line.push_str(&format!("({})", tr.tr("cli-deleted")));
    } else {
        if let Some(r) = &item.reply_to {
            line.push_str(&format!(
                "[{}] ",
                tr.tr_args("cli-reply", &[("name", r.sender_name.clone().into())])
            ));
        }
        line.push_str(&item.body);
        if item.edited {
            line.push_str(&format!(" {}", tr.tr("message-edited")));
        }
    }
    if !item.attachments.is_empty() {
        line.push_str(&format!(
            " [{}]",
            tr.tr_args(
                "tui-attachments",
                &[("count", item.attachments.len().into())]
            )
        ));
    }
    for r in &item.reactions {
        line.push_str(&format!(" [{} {}]", r.emoji, r.count));
    }
    match &item.echo {
        tern_client_core::EchoState::Local(OutboxState::Failed { .. }) => {
            line.push_str(&format!(" ({})", tr.tr("cli-failed")))
        }
        tern_client_core::EchoState::Local(_) => {
            line.push_str(&format!(" ({})", tr.tr("cli-queued-mark")))
        }
        tern_client_core::EchoState::Remote => {}
    }
    println!("{line}");
}

fn room_json(ws: &BTreeMap<Uuid, WorkspaceName>, r: &RoomSummary) -> serde_json::Value {
    json!({"id": r.id, "workspace_id": r.workspace_id,
        "workspace": resolve::workspace_label(ws, r.workspace_id),
        "name": r.name, "full_name": resolve::full_name(ws, r),
        "kind": r.kind, "unread": r.unread_count, "mentions": r.mention_count,
        "muted": r.muted, "queued": r.pending_count, "failed": r.failed_count})
}

fn print_account(session: &Session, username: &str, a: &tern_client_core::Account) {
    if session.global.json {
        println!(
            "{}",
            json!({"user_id": a.user_id, "session_id": a.session_id, "server": a.server_url})
        );
    } else {
        println!(
            "{}",
            session.tr.tr_args(
                "cli-signed-in",
                &[
                    ("user", username.to_owned().into()),
                    ("server", a.server_url.clone().into())
                ]
            )
        );
    }
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The password: one line of stdin when it is not a terminal, else a
/// prompt that does not echo.
fn read_password(tr: &tern_client_core::i18n::Translator) -> Result<String> {
    let failed = |e: std::io::Error| {
        CliError::Failed(tr.tr_args(
            "cli-cannot-read-password",
            &[("error", e.to_string().into())],
        ))
    };
    if !std::io::stdin().is_terminal() {
        let mut s = String::new();
        std::io::stdin().read_line(&mut s).map_err(failed)?;
        let pw = s.trim_end_matches(['\n', '\r']).to_owned();
        if pw.is_empty() {
            return Err(CliError::Usage(tr.tr("cli-empty-password")));
        }
        return Ok(pw);
    }
    prompt_password(&format!("{}: ", tr.tr("password-field"))).map_err(failed)
}

fn prompt_password(prompt: &str) -> std::io::Result<String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    crossterm::terminal::enable_raw_mode()?;
    let mut pw = String::new();
    let res = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(std::io::Error::other("cancelled"));
                }
                KeyCode::Char(c) => pw.push(c),
                KeyCode::Backspace => {
                    pw.pop();
                }
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(e),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    res.map(|()| pw)
}
