//! `connections`: N idle WebSockets (10,000), a few hundred users with
//! several sockets each. Server RSS before and after opening them gives
//! the memory per connection; CPU over an idle stretch gives the idle cost.
//! Then one message to the room every user is in must reach every socket
//! exactly once. Budget: server RSS < 150 MiB in total with N open.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::{Ctx, Meter};
use crate::api::{self, Res, Sender};
use crate::report::Report;
use crate::ws::{self, Hub, Shared};

pub async fn run(ctx: &Ctx) -> Res<Report> {
    let (n, users, idle) = if ctx.quick {
        (200usize, 10usize, Duration::from_secs(1))
    } else {
        (10_000, 200, Duration::from_secs(10))
    };
    let mut report = Report::new("connections", ctx.quick);
    report.param("connections", n as u64);
    report.param("users", users as u64);
    report.param("idle_s", idle.as_secs_f64());
    report.param("nofile_limit", ctx.nofile);
    // Client and server each hold one descriptor per socket, in separate
    // processes; this process needs N plus some slack.
    if ctx.nofile < n as u64 + 256 {
        return Err(format!(
            "the open-file limit is {} (hard limit); {n} sockets need {}: raise it with `ulimit -Hn`",
            ctx.nofile,
            n + 256
        ));
    }
    let server = ctx.server().await?;
    let addr = server.addr;
    let team = api::team(addr, users, 1).await?;
    let after_signups = server.sample();
    let server = server.restart().await?;
    let addr = server.addr;
    let room = team.rooms[0].clone();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.sample();
    let meter = Meter::start(&server);

    let shared = Arc::new(Shared::default());
    let gate = Arc::new(Semaphore::new(64));
    let t0 = Instant::now();
    let mut opening = Vec::with_capacity(n);
    for i in 0..n {
        let token = team.members[i % users].token.clone();
        let gate = gate.clone();
        opening.push(tokio::spawn(async move {
            let _p = gate.acquire().await.map_err(|e| e.to_string())?;
            ws::connect(addr, &token).await
        }));
    }
    let mut sockets = Vec::with_capacity(n);
    let mut failed = 0usize;
    let mut first_error = None;
    for o in opening {
        match o.await.map_err(|e| format!("connect task: {e}"))? {
            Ok(socket) => sockets.push(socket),
            Err(e) => {
                failed += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    let open_secs = t0.elapsed().as_secs_f64();
    let receivers = Hub::start(sockets, shared.clone())?;
    report.check(
        "every socket opened and got its ready frame",
        failed == 0,
        first_error.unwrap_or_else(|| format!("{n} open")),
    );
    report.line(format!(
        "opened {} sockets in {open_secs:.2} s ({:.0}/s)",
        receivers.tallies.len(),
        receivers.tallies.len() as f64 / open_secs
    ));
    report.figure("open_per_s", receivers.tallies.len() as f64 / open_secs);
    if let Some(a) = after_signups {
        let mib = a.rss_kib as f64 / 1024.0;
        report.line(format!(
            "server RSS right after registering {users} users: {mib:.1} MiB (argon2 buffers kept by the allocator; the server was restarted before measuring)"
        ));
        report.figure("rss_after_signups_mib", mib);
    }

    // Settle (session touches, buffers), then measure the idle stretch.
    tokio::time::sleep(Duration::from_secs(if ctx.quick { 1 } else { 3 })).await;
    let idle_start = server.sample();
    tokio::time::sleep(idle).await;
    let idle_end = server.sample();
    if let (Some(b), Some(s), Some(e)) = (before, idle_start, idle_end) {
        let total_mib = e.rss_kib as f64 / 1024.0;
        let per_conn_kib =
            (e.rss_kib as f64 - b.rss_kib as f64) / receivers.tallies.len().max(1) as f64;
        let idle_cores = (e.cpu_secs - s.cpu_secs) / idle.as_secs_f64();
        report.line(format!(
            "server RSS {:.1} MiB before, {total_mib:.1} MiB with {} open: {per_conn_kib:.1} KiB per connection",
            b.rss_kib as f64 / 1024.0,
            receivers.tallies.len()
        ));
        report.line(format!(
            "server CPU while idle: {:.3} cores ({:.2} CPU s over {:.0} s)",
            idle_cores,
            e.cpu_secs - s.cpu_secs,
            idle.as_secs_f64()
        ));
        report.figure("rss_before_mib", b.rss_kib as f64 / 1024.0);
        report.figure("rss_open_mib", total_mib);
        report.figure("rss_per_connection_kib", per_conn_kib);
        report.figure("idle_cpu_cores", idle_cores);
        report.budget(
            "server RSS with all open",
            "< 150 MiB",
            format!("{total_mib:.1} MiB ({:.2}x budget)", total_mib / 150.0),
            total_mib < 150.0,
        );
    }

    // One message reaches every socket once.
    let mut sender = Sender::new(addr, &team.owner, &room, 0).await?;
    let t1 = Instant::now();
    let (status, _) = sender.send().await?;
    let got = ws::wait_delivered(
        &shared,
        receivers.tallies.len() as u64,
        Duration::from_secs(30),
    )
    .await;
    let spread = t1.elapsed();
    let mut errors = None;
    let mut closed = 0;
    let mut not_once = 0;
    for tally in &receivers.tallies {
        if let Ok(t) = tally.lock() {
            if t.closed.is_some() {
                closed += 1;
            }
            if t.deliveries != 1 {
                not_once += 1;
            }
            if errors.is_none() {
                errors = t.errors.first().cloned();
            }
        }
    }
    report.check(
        "one message reached every socket exactly once",
        status == 200 && got == receivers.tallies.len() as u64 && not_once == 0 && errors.is_none(),
        format!(
            "send {status}, {got} of {} delivered in {:.1} ms, {not_once} sockets without exactly one{}",
            receivers.tallies.len(),
            spread.as_secs_f64() * 1e3,
            errors.map(|e| format!(", {e}")).unwrap_or_default()
        ),
    );
    report.check(
        "no socket was closed by the server",
        closed == 0,
        format!("{closed} closed"),
    );
    report.figure("broadcast_ms", spread.as_secs_f64() * 1e3);
    meter.stop(&server, &mut report);
    receivers.stop().await;
    server.stop().await;
    Ok(report)
}
