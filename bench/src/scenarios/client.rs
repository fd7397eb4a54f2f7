//! `latency-client`: the latency scenario through two client-cores. Client
//! A calls `send` (the outbox stores the message and its local echo, its
//! worker PUTs it); client B hears the event on its socket, stores it, and
//! emits `TimelineChanged { Added }`. Measured from the call to `send` to
//! B's event; B's stored body is checked off the clock.
//! Budget: p99 < 5 ms.

use std::time::{Duration, Instant};

use tern_client_core::protocol::room::{RoomKind, Visibility};
use tern_client_core::protocol::workspace::WorkspaceRole;
use tern_client_core::{
    Client, ClientConfig, ClientEvent, ConnectionState, NewRoom, SecretsBackend, TimelineChange,
};

use super::{Ctx, Meter};
use crate::api::{Res, now_ns};
use crate::report::Report;
use crate::stats::{Samples, fmt_ms};

fn err(what: &str) -> impl Fn(tern_client_core::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

async fn open(url: &str, dir: &std::path::Path, profile: &str) -> Res<Client> {
    let mut config = ClientConfig::new(url, dir, profile);
    config.secrets = SecretsBackend::File;
    Client::open(config).await.map_err(err("open client"))
}

async fn online(c: &Client) -> Res<()> {
    let mut watch = c.connection_watch();
    tokio::time::timeout(Duration::from_secs(10), async {
        while watch.borrow_and_update().state != ConnectionState::Online {
            if watch.changed().await.is_err() {
                break;
            }
        }
    })
    .await
    .map_err(|_| "a client did not come online within 10 s".to_owned())
}

pub async fn latency(ctx: &Ctx) -> Res<Report> {
    let (warmup, count) = if ctx.quick {
        (10u64, 50u64)
    } else {
        (100, 2000)
    };
    let mut report = Report::new("latency-client", ctx.quick);
    report.param("warmup", warmup);
    report.param("messages", count);
    report.param(
        "path",
        "client A send -> outbox -> server -> client B store + event",
    );
    let server = ctx.server().await?;
    let url = format!("http://{}", server.addr);
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let a = open(&url, dir.path(), "a").await?;
    let b = open(&url, dir.path(), "b").await?;
    let tag = format!("{:x}", (now_ns() / 1000) % 0xfffff);
    let pw = "bench-password-1";
    a.register(
        &format!("ca{tag}"),
        &format!("ca{tag}@bench.test"),
        pw,
        None,
    )
    .await
    .map_err(err("register a"))?;
    let b_acc = b
        .register(
            &format!("cb{tag}"),
            &format!("cb{tag}@bench.test"),
            pw,
            None,
        )
        .await
        .map_err(err("register b"))?;
    let ws = a
        .create_workspace(&format!("c{tag}"), "bench")
        .await
        .map_err(err("create workspace"))?;
    a.set_workspace_member(ws.id, b_acc.user_id, WorkspaceRole::Member)
        .await
        .map_err(err("add member"))?;
    let name = format!("lc {tag}");
    a.create_room(NewRoom {
        workspace_id: ws.id,
        kind: RoomKind::Group,
        name: name.clone(),
        visibility: Visibility::Public,
        topic: None,
        members: vec![b_acc.user_id],
    })
    .await
    .map_err(err("create room"))?;
    online(&a).await?;
    online(&b).await?;
    // The room is ready when both clients list it under the same (server) id.
    let mut room = None;
    for _ in 0..200 {
        let ra = a.rooms().await.map_err(err("rooms a"))?;
        let rb = b.rooms().await.map_err(err("rooms b"))?;
        if let Some(r) = ra.iter().find(|r| r.name == name)
            && rb.iter().any(|x| x.id == r.id)
        {
            room = Some(r.id);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let room = room.ok_or("the room did not reach both clients within 10 s")?;

    let mut events = b.events();
    let mut lat = Samples::with_capacity(count as usize);
    let mut meter = None;
    let mut problem = None;
    for i in 0..warmup + count {
        if i == warmup {
            meter = Some(Meter::start(&server));
        }
        while events.try_recv().is_some() {}
        let body = format!("latency-client {i}");
        let t0 = Instant::now();
        a.send(room, &body).await.map_err(err("send"))?;
        let got = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match events.recv().await {
                    Some(ClientEvent::TimelineChanged {
                        room_id,
                        change: TimelineChange::Added(ids),
                    }) if room_id == room && !ids.is_empty() => return Some(ids[0]),
                    Some(_) => {}
                    None => return None,
                }
            }
        })
        .await;
        let took = t0.elapsed();
        let Ok(Some(id)) = got else {
            problem = Some(format!("message {i} did not reach client B within 5 s"));
            break;
        };
        if i >= warmup {
            lat.push(took);
        }
        match b.message(id).await.map_err(err("read back"))? {
            Some(item) if item.body == body => {}
            other => {
                problem = Some(format!(
                    "message {i}: B stored {:?}, not {body:?}",
                    other.map(|m| m.body)
                ));
                break;
            }
        }
    }
    if let Some(m) = meter {
        m.stop(&server, &mut report);
    }
    report.check(
        "every message reached B's store once, in order",
        problem.is_none(),
        problem.unwrap_or_else(|| format!("{} messages", warmup + count)),
    );
    if let Some(s) = lat.summary() {
        report.line(format!("send call to B's event: {s}"));
        report.figure("send_to_event", s);
        report.budget(
            "p99",
            "< 5 ms",
            format!("{} ms", fmt_ms(s.p99_ms)),
            s.p99_ms < 5.0,
        );
    }
    report.note =
        Some("generator CPU includes both client-cores (they run in the bench process)".into());
    a.shutdown().await;
    b.shutdown().await;
    server.stop().await;
    Ok(report)
}

/// `catchup`: client B signs in, syncs its 20 (empty) rooms and goes
/// offline; 100,000 messages then arrive across the rooms (raw protocol,
/// one sender connection per room). Measured: from `Client::open` on B's
/// profile until sync and backfill have stored every message. Then, off
/// the clock, each room's timeline is read back and counted.
/// Budget: < 1 s.
pub async fn catchup(ctx: &Ctx) -> Res<Report> {
    const ROOMS: usize = 20;
    let per_room: u64 = if ctx.quick { 600 } else { 5_000 };
    let mut report = Report::new("catchup", ctx.quick);
    report.param("rooms", ROOMS as u64);
    report.param("events", per_room * ROOMS as u64);
    report.param("timeline_limit", 500u64);
    report.param("backfill_page", 1000u64);
    let server = ctx.server().await?;
    let team = crate::api::team(server.addr, 1, ROOMS).await?;
    let server = server.restart().await?;
    let addr = server.addr;
    let url = format!("http://{addr}");
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let config = || {
        let mut c = ClientConfig::new(url.as_str(), dir.path(), "b");
        c.secrets = SecretsBackend::File;
        c.timeline_limit = 500;
        c
    };
    let b_user = &team.members[0];
    let b = Client::open(config()).await.map_err(err("open client"))?;
    b.login(&b_user.name, crate::api::PASSWORD)
        .await
        .map_err(err("login"))?;
    online(&b).await?;
    for _ in 0..200 {
        if b.rooms().await.map_err(err("rooms"))?.len() >= ROOMS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.shutdown().await;

    // While B is away: every room gets its messages.
    let mut tasks = Vec::with_capacity(ROOMS);
    for (i, room) in team.rooms.iter().enumerate() {
        let mut s = crate::api::Sender::new(addr, &team.owner, room, i as u32).await?;
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_room {
                match s.send().await {
                    Ok((200, _)) => {}
                    Ok((status, _)) => return Err(format!("a send answered {status}")),
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| format!("sender task: {e}"))??;
    }

    let meter = Meter::start(&server);
    let t0 = Instant::now();
    let b = Client::open(config()).await.map_err(err("reopen client"))?;
    online(&b).await?;
    let synced = t0.elapsed();
    let room_ids: Vec<tern_client_core::protocol::RoomId> =
        team.rooms.iter().filter_map(|r| r.parse().ok()).collect();
    let mut fills = Vec::with_capacity(room_ids.len());
    for &room in &room_ids {
        let b = b.clone();
        fills.push(tokio::spawn(async move {
            for _ in 0..1000 {
                if b.backfill(room, 1000).await.map_err(err("backfill"))? == 0 {
                    return Ok(());
                }
            }
            Err::<(), String>("backfill did not finish in 1000 pages".into())
        }));
    }
    for f in fills {
        f.await.map_err(|e| format!("backfill task: {e}"))??;
    }
    let stored = t0.elapsed();
    // Search finds every stored message at once (it checks what the
    // full-text index has not taken in yet); the index itself catches up
    // in the background.
    while b.search_backlog().await.map_err(err("search backlog"))? > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let indexed = t0.elapsed();
    meter.stop(&server, &mut report);

    // Off the clock: every message is there and readable, newest first.
    let mut counts = Vec::with_capacity(room_ids.len());
    for &room in &room_ids {
        let mut n = 0u64;
        let mut before = None;
        for _ in 0..1000 {
            let page = b
                .timeline(room, before, 1000)
                .await
                .map_err(err("timeline"))?;
            n += page
                .items
                .iter()
                .filter(|i| i.body == crate::api::BODY)
                .count() as u64;
            before = page.items.iter().filter_map(|i| i.seq).min();
            if !page.has_more_local || before.is_none() {
                break;
            }
        }
        counts.push(n);
    }
    let total: u64 = counts.iter().sum();
    report.check(
        "every message stored and readable in its room",
        room_ids.len() == ROOMS && counts.iter().all(|&n| n == per_room),
        format!(
            "{total} of {} read back; per room {:?}..",
            per_room * ROOMS as u64,
            &counts[..counts.len().min(4)]
        ),
    );
    let secs = stored.as_secs_f64();
    report.line(format!(
        "open to online (sync done): {:.0} ms; open to all stored: {:.0} ms ({:.0} events/s)",
        synced.as_secs_f64() * 1e3,
        secs * 1e3,
        (per_room * ROOMS as u64) as f64 / secs
    ));
    report.figure("open_to_online_ms", synced.as_secs_f64() * 1e3);
    report.figure("open_to_all_stored_ms", secs * 1e3);
    report.line(format!(
        "open to the full-text index holding everything: {:.0} ms",
        indexed.as_secs_f64() * 1e3
    ));
    report.figure("open_to_all_indexed_ms", indexed.as_secs_f64() * 1e3);
    report.budget(
        "connect to all stored",
        "< 1 s",
        format!("{:.0} ms ({:.2}x budget)", secs * 1e3, secs),
        secs < 1.0,
    );
    report.note =
        Some("generator CPU includes the client-core (it runs in the bench process)".into());
    b.shutdown().await;
    server.stop().await;
    Ok(report)
}
