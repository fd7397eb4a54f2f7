//! `fanout`: one room, R receiving WebSockets, 4 sending users (two
//! keep-alive connections each). The send rate is searched: doubled while
//! a step passes, then halved between the best pass and the first failure.
//! A step passes when every message reaches every receiver, no receiver is
//! cut off, the senders kept the rate, and p99 delivery latency (send
//! start to frame read) is under 50 ms; a step failed on p99 alone is run
//! once more (once per size), so that one stall elsewhere on the machine
//! does not end the search. The figure is deliveries per second at the best
//! passing step.
//! Budget: >= 200,000 deliveries/s at R = 1,000.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::json;
use tokio::sync::Semaphore;

use super::{Ctx, Meter};
use crate::api::{self, Res, Sender};
use crate::report::Report;
use crate::stats::{Samples, Summary, fmt_ms};
use crate::ws::{self, Hub, Shared};

const SENDING_USERS: usize = 4;
const CONNS_PER_SENDER: usize = 2;
const P99_LIMIT_MS: f64 = 50.0;
const MAX_STEPS: usize = 12;

#[derive(Debug, Clone, Serialize)]
struct Step {
    target_msgs_per_s: f64,
    achieved_msgs_per_s: f64,
    deliveries_per_s: f64,
    sent: u64,
    delivered: u64,
    latency: Option<Summary>,
    pass: bool,
    why: String,
}

/// Sends at `rate` messages/s in total for `dur`, spread evenly over the
/// connections; a connection that falls behind sends back to back.
async fn send_at(
    senders: Vec<Sender>,
    rate: f64,
    dur: Duration,
) -> (Vec<Sender>, u64, Option<String>) {
    let k = senders.len() as f64;
    let period = Duration::from_secs_f64(k / rate);
    let start = tokio::time::Instant::now();
    let end = start + dur;
    let mut tasks = Vec::new();
    for (j, mut s) in senders.into_iter().enumerate() {
        let offset = Duration::from_secs_f64(j as f64 / rate);
        tasks.push(tokio::spawn(async move {
            let mut next = start + offset;
            let (mut sent, mut err) = (0u64, None);
            while next < end {
                tokio::time::sleep_until(next).await;
                match s.send().await {
                    Ok((200, _)) => sent += 1,
                    Ok((status, _)) => {
                        err = Some(format!("a send answered {status}"));
                        break;
                    }
                    Err(e) => {
                        err = Some(e);
                        break;
                    }
                }
                next += period;
            }
            (s, sent, err)
        }));
    }
    let mut back = Vec::new();
    let (mut total, mut error) = (0, None);
    for t in tasks {
        match t.await {
            Ok((s, n, e)) => {
                back.push(s);
                total += n;
                if error.is_none() {
                    error = e;
                }
            }
            Err(e) => error = Some(format!("sender task: {e}")),
        }
    }
    (back, total, error)
}

struct Stage {
    receivers: Hub,
    shared: Arc<Shared>,
    senders: Vec<Sender>,
    /// Messages sent so far (every one is due at every receiver).
    sent: u64,
    r: u64,
}

impl Stage {
    async fn step(&mut self, rate: f64, dur: Duration) -> Res<Step> {
        let senders = std::mem::take(&mut self.senders);
        let t0 = Instant::now();
        let (back, sent, err) = send_at(senders, rate, dur).await;
        let secs = t0.elapsed().as_secs_f64().max(dur.as_secs_f64());
        self.senders = back;
        if let Some(e) = err {
            return Err(format!("sending at {rate:.0} msgs/s: {e}"));
        }
        self.sent += sent;
        let want = self.sent * self.r;
        let got = ws::wait_delivered(&self.shared, want, Duration::from_secs(10)).await;
        let mut lat = Samples::default();
        let mut cut_off = 0;
        let mut broken = None;
        for tally in &self.receivers.tallies {
            if let Ok(mut t) = tally.lock() {
                lat.extend(t.take_latencies());
                if t.closed.is_some() {
                    cut_off += 1;
                }
                if broken.is_none() {
                    broken = t.errors.first().cloned();
                }
            }
        }
        let summary = lat.summary();
        let achieved = sent as f64 / secs;
        let p99 = summary.map_or(f64::INFINITY, |s| s.p99_ms);
        let why = if let Some(b) = broken {
            format!("delivery broke its contract: {b}")
        } else if cut_off > 0 {
            format!("{cut_off} receivers cut off (slow consumer)")
        } else if got < want {
            format!("{} of {want} deliveries arrived within 10 s", got)
        } else if achieved < rate * 0.95 {
            format!("senders reached only {achieved:.0} of {rate:.0} msgs/s")
        } else if p99 >= P99_LIMIT_MS {
            format!("p99 {} ms >= {P99_LIMIT_MS} ms", fmt_ms(p99))
        } else {
            "ok".into()
        };
        Ok(Step {
            target_msgs_per_s: rate,
            achieved_msgs_per_s: achieved,
            deliveries_per_s: achieved * self.r as f64,
            sent,
            delivered: got.saturating_sub(want - sent * self.r),
            latency: summary,
            pass: why == "ok",
            why,
        })
    }

    /// A failure that says the server lost or reordered something, as
    /// opposed to being too slow.
    fn contract_broken(step: &Step) -> bool {
        step.why.starts_with("delivery broke")
            || (step.why.contains("arrived within") && !step.why.contains("cut off"))
    }
}

/// Sockets per receiving user: one user per receiver up to 250, then
/// several sockets per user (each socket is a delivery of its own; this
/// keeps the setup, whose cost is argon2 per registration, to seconds).
fn sockets_per_user(r: usize) -> usize {
    r.div_ceil(250)
}

async fn one(ctx: &Ctx, r: usize, report: &mut Report) -> Res<()> {
    let server = ctx.server().await?;
    let addr = server.addr;
    let per_user = sockets_per_user(r);
    let users = r.div_ceil(per_user);
    let team = api::team(addr, users + SENDING_USERS, 1).await?;
    let server = server.restart().await?;
    let addr = server.addr;
    let room = team.rooms[0].clone();
    let shared = Arc::new(Shared::default());
    let gate = Arc::new(Semaphore::new(50));
    let mut opening = Vec::with_capacity(r);
    for i in 0..r {
        let token = team.members[i / per_user].token.clone();
        let gate = gate.clone();
        opening.push(tokio::spawn(async move {
            let _p = gate.acquire().await.map_err(|e| e.to_string())?;
            ws::connect(addr, &token).await
        }));
    }
    let mut sockets = Vec::with_capacity(r);
    for o in opening {
        sockets.push(o.await.map_err(|e| format!("connect task: {e}"))??);
    }
    let receivers = Hub::start(sockets, shared.clone())?;
    let mut senders = Vec::new();
    for u in 0..SENDING_USERS {
        for c in 0..CONNS_PER_SENDER {
            let idx = (u * CONNS_PER_SENDER + c) as u32;
            senders.push(Sender::new(addr, &team.members[users + u], &room, idx).await?);
        }
    }
    let mut stage = Stage {
        receivers,
        shared: shared.clone(),
        senders,
        sent: 0,
        r: r as u64,
    };

    let rf = r as f64;
    let (dur, warm) = if ctx.quick {
        (Duration::from_millis(500), Duration::from_millis(300))
    } else {
        (Duration::from_secs(3), Duration::from_secs(1))
    };
    let start_rate = if ctx.quick { 50.0 } else { 20_000.0 / rf };
    let cap = 2_000_000.0 / rf;
    stage.step(start_rate, warm).await?;
    let meter = Meter::start(&server);
    let mut steps: Vec<Step> = Vec::new();
    let mut best: Option<Step> = None;
    let mut fail: Option<Step> = None;
    let mut rate = start_rate;
    let mut retried = false;
    for _ in 0..if ctx.quick { 2 } else { MAX_STEPS + 1 } {
        let s = stage.step(rate, dur).await?;
        report.line(format!(
            "R={r} target {:.0} msgs/s: sent {:.0}/s = {:.0} deliveries/s, latency {}: {}",
            s.target_msgs_per_s,
            s.achieved_msgs_per_s,
            s.deliveries_per_s,
            s.latency.map_or("-".into(), |l| format!(
                "p50 {} p95 {} p99 {} max {} ms",
                fmt_ms(l.median_ms),
                fmt_ms(l.p95_ms),
                fmt_ms(l.p99_ms),
                fmt_ms(l.max_ms)
            )),
            if s.pass {
                "pass".into()
            } else {
                format!("fail: {}", s.why)
            }
        ));
        steps.push(s.clone());
        let stop = Stage::contract_broken(&s) || s.why.contains("cut off");
        // A step failed on its p99 alone is run once more before the
        // search believes it: on a shared machine one stall elsewhere (a
        // disk flush, another process) can put 1 % of a 3 s step's
        // deliveries late, and the search never comes back to a rate it
        // saw fail. Both runs are reported; at most one retry per size.
        if !ctx.quick && !s.pass && !retried && s.why.starts_with("p99") {
            retried = true;
            report.line(format!("R={r}: running {rate:.0} msgs/s once more"));
            continue;
        }
        if ctx.quick {
            rate *= 2.0;
            if stop {
                break;
            }
            continue;
        }
        if s.pass {
            if best
                .as_ref()
                .is_none_or(|b| s.deliveries_per_s > b.deliveries_per_s)
            {
                best = Some(s.clone());
            }
            rate = match &fail {
                None => rate * 2.0,
                Some(f) => (rate + f.target_msgs_per_s) / 2.0,
            };
        } else {
            let lower = best.as_ref().map_or(rate / 4.0, |b| b.target_msgs_per_s);
            fail = Some(s.clone());
            rate = (lower + rate) / 2.0;
        }
        let narrow = match (&best, &fail) {
            (Some(b), Some(f)) => f.target_msgs_per_s / b.target_msgs_per_s < 1.15,
            _ => false,
        };
        if stop || narrow || rate > cap || rate < 1.0 {
            break;
        }
    }
    meter.stop(&server, report);

    let broken: Vec<&Step> = steps
        .iter()
        .filter(|s| Stage::contract_broken(s) || (ctx.quick && s.why.contains("cut off")))
        .collect();
    report.check(
        &format!("R={r}: every message delivered to every receiver once, in order"),
        broken.is_empty(),
        broken
            .first()
            .map_or(format!("{} steps", steps.len()), |s| s.why.clone()),
    );
    let key = format!("r{r}");
    report.figure(
        &key,
        json!({
            "receivers": r,
            "receiving_users": users,
            "sockets_per_user": per_user,
            "best": best,
            "first_failure": fail,
            "steps": steps,
        }),
    );
    if let Some(b) = &best {
        report.line(format!(
            "R={r}: best {:.0} deliveries/s ({:.0} msgs/s) with p99 {} ms",
            b.deliveries_per_s,
            b.achieved_msgs_per_s,
            b.latency.map_or("-".into(), |l| fmt_ms(l.p99_ms))
        ));
    }
    if r == 1000 {
        let d = best.as_ref().map_or(0.0, |b| b.deliveries_per_s);
        report.budget(
            "deliveries/s at R=1000",
            ">= 200000/s with p99 < 50 ms",
            format!("{d:.0}/s ({:.2}x budget)", d / 200_000.0),
            d >= 200_000.0,
        );
    }
    stage.receivers.stop().await;
    server.stop().await;
    Ok(())
}

pub async fn run(ctx: &Ctx) -> Res<Report> {
    let sizes: &[usize] = if ctx.quick { &[10, 50] } else { &[100, 1000] };
    let mut report = Report::new("fanout", ctx.quick);
    report.param("receivers", json!(sizes));
    report.param("sending_users", SENDING_USERS as u64);
    report.param("connections_per_sender", CONNS_PER_SENDER as u64);
    report.param("p99_limit_ms", P99_LIMIT_MS);
    let mut costs = Vec::new();
    for &r in sizes {
        one(ctx, r, &mut report).await?;
        costs.push((r, report.server, report.generator));
    }
    // The cost lines of every size (the report keeps the last one).
    for (r, s, g) in costs {
        if let Some(s) = s {
            report.line(format!(
                "R={r}: server {:.2} CPU s, peak RSS {:.1} MiB",
                s.cpu_secs, s.peak_rss_mib
            ));
        }
        if let Some(g) = g {
            report.line(format!(
                "R={r}: generator {:.2} cores over {:.1} s{}",
                g.cores,
                g.wall_secs,
                if g.busy {
                    " [FLAG: over half a core]"
                } else {
                    ""
                }
            ));
        }
    }
    Ok(report)
}
