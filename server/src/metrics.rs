//! Counters for `/metrics`, in Prometheus text format: requests and latency
//! by route, WebSocket connections, events appended, fan-out deliveries and
//! queue drops.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
    pub ws_connections: AtomicI64,
    pub events_appended: AtomicU64,
    pub fanout_deliveries: AtomicU64,
    pub fanout_drops: AtomicU64,
}

impl Metrics {
    pub fn record(&self, method: &str, route: &str, status: u16, latency: Duration) {
        let secs = latency.as_secs_f64();
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        let s = routes
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        *s.by_status.entry(status).or_default() += 1;
        s.count += 1;
        s.sum += secs;
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                s.buckets[i] += 1;
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP tern_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE tern_http_requests_total counter\n");
        let routes = match self.routes.lock() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        for ((method, route), s) in routes.iter() {
            for (status, n) in &s.by_status {
                let _ = writeln!(
                    out,
                    "tern_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP tern_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE tern_http_request_duration_seconds histogram\n");
        for ((method, route), s) in routes.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "tern_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "tern_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "tern_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "tern_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        drop(routes);
        let gauges: [(&str, &str, &str, i64); 4] = [
            (
                "tern_ws_connections",
                "gauge",
                "Open WebSocket connections.",
                self.ws_connections.load(Ordering::Relaxed),
            ),
            (
                "tern_events_appended_total",
                "counter",
                "Events appended to room logs.",
                self.events_appended.load(Ordering::Relaxed) as i64,
            ),
            (
                "tern_fanout_deliveries_total",
                "counter",
                "Frames queued to WebSocket connections.",
                self.fanout_deliveries.load(Ordering::Relaxed) as i64,
            ),
            (
                "tern_fanout_queue_drops_total",
                "counter",
                "Connections closed because their queue overflowed.",
                self.fanout_drops.load(Ordering::Relaxed) as i64,
            ),
        ];
        for (name, ty, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {ty}\n{name} {v}");
        }
        out
    }
}
