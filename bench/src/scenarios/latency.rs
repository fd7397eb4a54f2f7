//! `latency`: one sender over REST, one receiver over the WebSocket, one
//! message at a time. Send-to-receive is from just before the PUT is
//! written to the moment the receiver has read the event frame.
//! Budget: p50 < 0.5 ms, p99 < 2 ms on an idle machine.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{Ctx, Meter};
use crate::api::{self, Res, Sender};
use crate::report::Report;
use crate::stats::{Samples, fmt_ms};
use crate::ws::{self, Hub, Shared};

/// Waits for the `want`-th delivery, woken by the receiver.
async fn delivered(shared: &Shared, want: u64, within: Duration) -> bool {
    tokio::time::timeout(within, async {
        while shared.delivered.load(Ordering::Relaxed) < want {
            shared.notify.notified().await;
        }
    })
    .await
    .is_ok()
}

pub async fn run(ctx: &Ctx) -> Res<Report> {
    let (warmup, count) = if ctx.quick {
        (20u64, 200u64)
    } else {
        (500, 5000)
    };
    let mut report = Report::new("latency", ctx.quick);
    report.param("warmup", warmup);
    report.param("messages", count);
    report.param("transport", "REST PUT -> WS event, one message in flight");
    let server = ctx.server().await?;
    let addr = server.addr;
    let team = api::team(addr, 2, 1).await?;
    let server = server.restart().await?;
    let addr = server.addr;
    let room = &team.rooms[0];
    let shared = Arc::new(Shared::default());
    let socket = ws::connect(addr, &team.members[1].token).await?;
    let receiver = Hub::start(vec![socket], shared.clone())?;
    let tally = receiver.tallies[0].clone();
    let mut sender = Sender::new(addr, &team.members[0], room, 0).await?;

    let mut accept = Samples::with_capacity(count as usize);
    let mut meter = None;
    let mut failure = None;
    for i in 0..warmup + count {
        if i == warmup {
            if let Ok(mut t) = tally.lock() {
                t.take_latencies();
            }
            meter = Some(Meter::start(&server));
        }
        let (status, took) = sender.send().await?;
        if status != 200 {
            failure = Some(format!("send {i} answered {status}"));
            break;
        }
        if i >= warmup {
            accept.push(took);
        }
        if !delivered(&shared, i + 1, Duration::from_secs(5)).await {
            failure = Some(format!("message {i} was not delivered within 5 s"));
            break;
        }
    }
    if let Some(m) = meter {
        m.stop(&server, &mut report);
    }
    receiver.stop().await;
    let (latencies, errors, closed, deliveries) = match tally.lock() {
        Ok(mut t) => (
            t.take_latencies(),
            t.errors.clone(),
            t.closed.clone(),
            t.deliveries,
        ),
        Err(_) => return Err("receiver state poisoned".into()),
    };

    report.check(
        "every message delivered once, in order",
        failure.is_none() && errors.is_empty() && deliveries == warmup + count,
        match (&failure, errors.first()) {
            (Some(f), _) => f.clone(),
            (None, Some(e)) => e.clone(),
            _ => format!("{deliveries} of {} delivered", warmup + count),
        },
    );
    if let Some(c) = closed {
        report.check("socket stayed open", false, c);
    }
    if let Some(s) = latencies.summary() {
        report.line(format!("send-to-receive: {s}"));
        report.figure("send_to_receive", s);
        report.budget(
            "p50",
            "< 0.5 ms",
            format!("{} ms", fmt_ms(s.median_ms)),
            s.median_ms < 0.5,
        );
        report.budget(
            "p99",
            "< 2 ms",
            format!("{} ms", fmt_ms(s.p99_ms)),
            s.p99_ms < 2.0,
        );
    }
    if let Some(s) = accept.summary() {
        report.line(format!("send accepted (REST answer): {s}"));
        report.figure("send_accepted", s);
    }
    server.stop().await;
    Ok(report)
}
