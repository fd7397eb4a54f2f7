//! Health, readiness and Prometheus metrics.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestServer, team};

#[tokio::test]
async fn health_readiness_and_metrics() {
    let s = TestServer::start().await;
    let anon = s.anon();
    let (st, b) = anon.get("/healthz").await;
    assert_eq!((st, b), (StatusCode::OK, json!({"status": "ok"})));
    let (st, b) = anon.get("/readyz").await;
    assert_eq!((st, b), (StatusCode::OK, json!({"status": "ok"})));
    let t = team(&s, "met", 1).await;
    let _ws = t.others[0].ws(&s).await;
    t.owner.send(&t.room, "counted").await;
    // Deliveries are counted by the fan-out thread, a moment after the send.
    for _ in 0..200 {
        let f = &s.running.as_ref().unwrap().state.metrics;
        if f.fanout_deliveries
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    t.owner.get("/api/v1/rooms/not-an-id").await;
    let (st, text) = anon.get("/metrics").await;
    assert_eq!(st, StatusCode::OK);
    let text = text.as_str().unwrap().to_owned();
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no metric {prefix} in\n{text}"))
    };
    assert_eq!(
        value(
            r#"tern_http_requests_total{method="POST",route="/api/v1/auth/register",status="201"}"#
        ),
        2.0
    );
    assert_eq!(
        value(r#"tern_http_requests_total{method="GET",route="/api/v1/rooms/{id}",status="400"}"#),
        1.0
    );
    assert!(
        value(
            r#"tern_http_request_duration_seconds_count{method="PUT",route="/api/v1/rooms/{id}/messages/{message_id}"}"#
        ) >= 1.0
    );
    assert!(text.contains(r#"tern_http_request_duration_seconds_bucket{method="PUT",route="/api/v1/rooms/{id}/messages/{message_id}",le="+Inf"}"#));
    assert_eq!(value("tern_ws_connections "), 1.0);
    assert!(value("tern_events_appended_total ") >= 4.0);
    assert!(value("tern_fanout_deliveries_total ") >= 1.0);
    assert_eq!(value("tern_fanout_queue_drops_total "), 0.0);
}
