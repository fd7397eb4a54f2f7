//! `send-throughput`: 50 senders, each with one keep-alive connection and
//! one request in flight, send into one room as fast as the server answers.
//! Accepted sends per second per run; the room's `last_seq` afterwards must
//! have moved by exactly the number of sends accepted.
//! Budget: >= 20,000 accepted sends/s.

use std::time::{Duration, Instant};

use super::{Ctx, Meter};
use crate::api::{self, Res, Sender};
use crate::report::Report;
use crate::stats::{Samples, Spread};

const SENDERS: usize = 50;

struct Phase {
    accepted: u64,
    rejected: u64,
    first_error: Option<String>,
    latencies: Samples,
    secs: f64,
}

/// Every sender sends until `dur` has passed; senders come back for reuse.
async fn phase(senders: Vec<Sender>, dur: Duration) -> (Vec<Sender>, Phase) {
    let start = Instant::now();
    let deadline = start + dur;
    let mut tasks = Vec::with_capacity(senders.len());
    for mut s in senders {
        tasks.push(tokio::spawn(async move {
            let mut lat = Samples::with_capacity(4096);
            let (mut ok, mut bad, mut err) = (0u64, 0u64, None);
            while Instant::now() < deadline {
                match s.send().await {
                    Ok((200, took)) => {
                        ok += 1;
                        lat.push(took);
                    }
                    Ok((status, _)) => {
                        bad += 1;
                        err.get_or_insert_with(|| format!("a send answered {status}"));
                    }
                    Err(e) => {
                        err.get_or_insert(e);
                        break;
                    }
                }
            }
            (s, ok, bad, err, lat)
        }));
    }
    let mut back = Vec::with_capacity(tasks.len());
    let mut p = Phase {
        accepted: 0,
        rejected: 0,
        first_error: None,
        latencies: Samples::default(),
        secs: 0.0,
    };
    for t in tasks {
        match t.await {
            Ok((s, ok, bad, err, lat)) => {
                back.push(s);
                p.accepted += ok;
                p.rejected += bad;
                if p.first_error.is_none() {
                    p.first_error = err;
                }
                p.latencies.extend(lat);
            }
            Err(e) => {
                p.first_error.get_or_insert(format!("sender task: {e}"));
            }
        }
    }
    p.secs = start.elapsed().as_secs_f64();
    (back, p)
}

pub async fn run(ctx: &Ctx) -> Res<Report> {
    let (warm, dur, runs) = if ctx.quick {
        (Duration::from_millis(300), Duration::from_secs(1), 1)
    } else {
        (Duration::from_secs(2), Duration::from_secs(5), 3)
    };
    let mut report = Report::new("send-throughput", ctx.quick);
    report.param("senders", SENDERS as u64);
    report.param("rooms", 1u64);
    report.param("in_flight_per_sender", 1u64);
    report.param("warmup_s", warm.as_secs_f64());
    report.param("run_s", dur.as_secs_f64());
    report.param("runs", runs as u64);
    let server = ctx.server().await?;
    let addr = server.addr;
    let team = api::team(addr, SENDERS, 1).await?;
    let server = server.restart().await?;
    let addr = server.addr;
    let room = team.rooms[0].clone();
    let seq_before = api::room_last_seq(addr, &team.owner.token, &room).await?;
    let mut senders = Vec::with_capacity(SENDERS);
    for (i, u) in team.members.iter().enumerate() {
        senders.push(Sender::new(addr, u, &room, i as u32).await?);
    }

    let (s, warmup) = phase(senders, warm).await;
    senders = s;
    let mut total = warmup.accepted;
    let mut rejected = warmup.rejected;
    let mut first_error = warmup.first_error;
    let meter = Meter::start(&server);
    let mut rates = Vec::with_capacity(runs);
    let mut latencies = Samples::default();
    for _ in 0..runs {
        let (s, p) = phase(senders, dur).await;
        senders = s;
        total += p.accepted;
        rejected += p.rejected;
        if first_error.is_none() {
            first_error = p.first_error;
        }
        rates.push(p.accepted as f64 / p.secs);
        latencies.extend(p.latencies);
    }
    meter.stop(&server, &mut report);
    drop(senders);

    let seq_after = api::room_last_seq(addr, &team.owner.token, &room).await?;
    report.check(
        "every send accepted",
        rejected == 0 && first_error.is_none(),
        first_error.unwrap_or_else(|| format!("{total} accepted")),
    );
    report.check(
        "room log grew by the sends accepted",
        (seq_after - seq_before) as u64 == total,
        format!(
            "last_seq moved by {}, {total} sends accepted",
            seq_after - seq_before
        ),
    );
    if ctx.quick {
        // Every accepted send is in the log once, with its own txn id.
        let events = api::events_after(addr, &team.owner.token, &room, seq_before).await?;
        let mut txns: Vec<&str> = events.iter().filter_map(|e| e["txn_id"].as_str()).collect();
        let n = txns.len();
        txns.sort_unstable();
        txns.dedup();
        report.check(
            "each message stored once",
            n as u64 == total && txns.len() == n,
            format!("{n} messages in the log, {} distinct txn ids", txns.len()),
        );
    }
    if let Some(s) = Spread::of(&rates) {
        report.line(format!(
            "accepted sends/s: median {:.0} (min {:.0}, max {:.0}) over {} runs",
            s.median, s.min, s.max, s.runs
        ));
        report.figure("sends_per_s", s);
        report.budget(
            "accepted sends/s",
            ">= 20000/s",
            format!("{:.0}/s ({:.2}x budget)", s.median, s.median / 20_000.0),
            s.median >= 20_000.0,
        );
    }
    if let Some(s) = latencies.summary() {
        report.line(format!("send answer time: {s}"));
        report.figure("send_answer", s);
    }
    server.stop().await;
    Ok(report)
}
