//! `files`: upload 200 MiB with `POST /api/v1/files`, download it back with
//! `GET /api/v1/files/{id}`; MB/s each way and how far the server's RSS
//! rose above where it stood before (it should stream, not buffer).
//! Every run uploads different bytes (the store keeps one copy of equal
//! content, which would make a repeat cheaper), and the download must
//! give back exactly the bytes sent.
//! Budget: server RSS growth < 50 MiB.

use std::time::Instant;

use serde_json::json;

use super::{Ctx, Meter};
use crate::api::{self, Res};
use crate::http::Conn;
use crate::report::Report;
use crate::stats::Spread;

/// Bytes nothing compresses: xorshift64*, seeded per run.
fn fill(buf: &mut [u8], seed: u64) {
    let mut x = seed | 1;
    for chunk in buf.chunks_mut(8) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let v = x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

const MIB: f64 = 1024.0 * 1024.0;

pub async fn run(ctx: &Ctx) -> Res<Report> {
    let (size, runs) = if ctx.quick {
        (8usize << 20, 1usize)
    } else {
        (200usize << 20, 3usize)
    };
    let mut report = Report::new("files", ctx.quick);
    report.param("size_mib", (size >> 20) as u64);
    report.param("runs", runs as u64);
    // The default upload limit is 100 MiB; the child is started with room
    // for the file (an external server needs the same flag).
    let limit = (size + (1 << 20)).to_string();
    let server = ctx
        .server_with(&["--max-upload-bytes", limit.as_str()])
        .await?;
    let addr = server.addr;
    let team = api::team(addr, 0, 1).await?;
    let server = server.restart().await?;
    let addr = server.addr;
    let token = team.owner.token.clone();
    let mut data = vec![0u8; size];

    let meter = Meter::start(&server);
    let rss_before = server.sample().map(|s| s.rss_kib as f64 / 1024.0);
    let (mut up, mut down) = (Vec::new(), Vec::new());
    let mut problems = Vec::new();
    for run in 0..runs {
        fill(&mut data, 0x7e57_0000 + run as u64);
        let head = format!(
            "POST /api/v1/files?name=bench-{run}.bin HTTP/1.1\r\nHost: {addr}\r\n\
             Authorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\n\
             Content-Length: {size}\r\n\r\n"
        );
        let mut conn = Conn::connect(addr, None)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let t0 = Instant::now();
        let r = conn
            .roundtrip_parts(head.as_bytes(), &data)
            .await
            .map_err(|e| format!("upload: {e}"))?;
        let secs = t0.elapsed().as_secs_f64();
        let answer: serde_json::Value = serde_json::from_slice(r.body).unwrap_or(json!(null));
        if r.status != 201 || answer["size"].as_u64() != Some(size as u64) {
            problems.push(format!("upload {run} answered {} {answer}", r.status));
            continue;
        }
        up.push(size as f64 / MIB / secs);
        let id = answer["id"].as_str().unwrap_or_default().to_owned();

        let req = crate::http::request(
            "GET",
            &format!("/api/v1/files/{id}"),
            &addr,
            Some(&token),
            None,
        );
        let mut at = 0usize;
        let mut same = true;
        let t1 = Instant::now();
        let (status, len) = conn
            .stream_body(&req, |piece| {
                let end = at + piece.len();
                same &= end <= data.len() && data[at..end] == *piece;
                at = end;
            })
            .await
            .map_err(|e| format!("download: {e}"))?;
        let secs = t1.elapsed().as_secs_f64();
        if status != 200 || len != size as u64 || !same {
            problems.push(format!(
                "download {run}: status {status}, {len} bytes, {}",
                if same { "bytes equal" } else { "bytes DIFFER" }
            ));
            continue;
        }
        down.push(size as f64 / MIB / secs);
    }
    meter.stop(&server, &mut report);
    report.check(
        "every upload stored and downloaded back byte for byte",
        problems.is_empty(),
        problems
            .first()
            .cloned()
            .unwrap_or_else(|| format!("{runs} x {} MiB", size >> 20)),
    );
    for (name, v) in [("upload", &up), ("download", &down)] {
        if let Some(s) = Spread::of(v) {
            report.line(format!(
                "{name}: median {:.0} MiB/s (min {:.0}, max {:.0}) over {} runs",
                s.median, s.min, s.max, s.runs
            ));
            report.figure(&format!("{name}_mib_per_s"), s);
        }
    }
    if let (Some(before), Some(cost)) = (rss_before, report.server) {
        let growth = cost.peak_rss_mib - before;
        report.line(format!(
            "server RSS {before:.1} MiB before, peak {:.1} MiB: growth {growth:.1} MiB",
            cost.peak_rss_mib
        ));
        report.figure("rss_growth_mib", growth);
        report.budget(
            "server RSS growth",
            "< 50 MiB",
            format!("{growth:.1} MiB ({:.2}x budget)", growth / 50.0),
            growth < 50.0,
        );
    }
    server.stop().await;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_give_different_bytes() {
        let (mut a, mut b) = (vec![0u8; 64], vec![0u8; 64]);
        fill(&mut a, 1);
        fill(&mut b, 2);
        assert_ne!(a, b);
        let mut c = vec![0u8; 64];
        fill(&mut c, 1);
        assert_eq!(a, c);
    }
}
