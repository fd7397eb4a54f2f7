//! `search`: client-core's local full-text search over a generated corpus
//! (see `corpus`): 1,000,000 messages in 20 rooms from 4 senders, Latin
//! and Cyrillic. A fixed mix of queries (single words common and rare,
//! prefixes, accents and `ё` folded, two words), each alone and with each
//! filter `SearchQuery` offers (room, sender, has a file, a 30-day window),
//! goes through `Client::search` as a front end calls it. One warm-up
//! round, then counted rounds; p50 / p95 over every query.
//! Budget: p95 < 10 ms.
//!
//! `--quick` (20,000 messages, built afresh) checks every answer against a
//! brute-force scan of the generated messages: the same ids, newest first.

use std::collections::HashSet;
use std::time::Instant;

use tern_client_core::{Client, SearchHit, SearchQuery};
use time::OffsetDateTime;

use super::Ctx;
use super::corpus::{self, Meta, Msg, Params, Vocab};
use crate::api::Res;
use crate::report::Report;
use crate::stats::{Samples, fmt_ms};

/// Hits asked for per query (a front end's first page).
const LIMIT: usize = 50;

#[derive(Clone, Copy, Debug)]
enum Filter {
    None,
    Room,
    Sender,
    HasFile,
    Window,
}

const FILTERS: &[Filter] = &[
    Filter::None,
    Filter::Room,
    Filter::Sender,
    Filter::HasFile,
    Filter::Window,
];

/// The query texts: what a user types.
fn texts() -> Vec<String> {
    let mut t: Vec<String> = [
        // Single words, common to rare.
        "the",
        "meeting",
        "project",
        "hotel",
        "проект",
        "пятница",
        "отчет",
        // Accents and ё folded, case ignored.
        "cafe",
        "RESUME",
        "hôtel",
        "ЁЖИК",
        "ещё",
        // Prefixes.
        "pro",
        "re",
        "при",
        "отч",
        "ca",
        "сер",
        // Two words.
        "project release",
        "сервер ошибка",
        "quick fox",
        "новый проект",
        "the meeting",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Rare made-up words and their prefixes.
    t.push(Vocab::latin_synthetic(4321));
    t.push(Vocab::cyrillic_synthetic(777));
    let p = Vocab::latin_synthetic(1234);
    t.push(p.chars().take(5).collect());
    t
}

fn to_time(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The 30-day window the date filter asks for: the corpus's middle.
fn window(meta: &Meta) -> (i64, i64) {
    let mid = meta.first_ms + (meta.last_ms - meta.first_ms) / 2;
    (mid, mid + 30 * 86_400_000)
}

fn query(meta: &Meta, text: &str, f: Filter) -> SearchQuery {
    let mut q = SearchQuery {
        text: text.to_owned(),
        limit: Some(LIMIT as u32),
        ..Default::default()
    };
    match f {
        Filter::None => {}
        Filter::Room => q.room_id = meta.rooms.get(3).copied(),
        Filter::Sender => q.sender_id = meta.senders.get(1).copied(),
        Filter::HasFile => q.has_file = Some(true),
        Filter::Window => {
            let (a, b) = window(meta);
            q.after = Some(to_time(a));
            q.before = Some(to_time(b));
        }
    }
    q
}

/// What the answer must be: every message whose words start with each of
/// the query's words, through the filter, newest first, at most LIMIT.
fn brute_force(meta: &Meta, msgs: &[(Msg, Vec<String>)], text: &str, f: Filter) -> Vec<uuid::Uuid> {
    let terms = corpus::tokens(text);
    if terms.is_empty() {
        return Vec::new();
    }
    let (a, b) = window(meta);
    let mut hits: Vec<&Msg> = msgs
        .iter()
        .filter(|(m, toks)| {
            let pass = match f {
                Filter::None => true,
                Filter::Room => m.room == 3,
                Filter::Sender => m.sender == 1,
                Filter::HasFile => m.has_file,
                Filter::Window => m.created_ms >= a && m.created_ms < b,
            };
            pass && terms
                .iter()
                .all(|t| toks.iter().any(|w| w.starts_with(t.as_str())))
        })
        .map(|(m, _)| m)
        .collect();
    hits.sort_by(|x, y| y.created_ms.cmp(&x.created_ms).then(y.id.cmp(&x.id)));
    hits.into_iter().take(LIMIT).map(|m| m.id).collect()
}

/// A hit's highlight must spell its body, with a matched stretch.
fn highlight_ok(h: &SearchHit) -> bool {
    let whole: String = h.highlighted.iter().map(|s| s.text.as_str()).collect();
    whole == h.body && h.highlighted.iter().any(|s| s.matched)
}

pub async fn run(ctx: &Ctx) -> Res<Report> {
    let params = Params::standard(ctx.quick);
    let rounds = if ctx.quick { 1 } else { 5 };
    let mut report = Report::new("search", ctx.quick);
    report.uses_server = false;
    report.param("messages", params.messages);
    report.param("rooms", params.rooms as u64);
    report.param("senders", params.users as u64);
    report.param("limit", LIMIT as u64);
    report.param("rounds", rounds as u64);
    let t_build = Instant::now();
    let (profile, msgs) = corpus::profile(ctx, params, !ctx.quick, ctx.quick).await?;
    let meta = profile.meta.clone();
    if profile.built {
        report.line(format!(
            "profile built in {:.1} s (import {:.1} s, {:.0} messages/s) at {}",
            t_build.elapsed().as_secs_f64(),
            meta.import_secs,
            meta.messages as f64 / meta.import_secs.max(1e-9),
            profile.root.display()
        ));
    } else {
        report.line(format!(
            "profile from the cache: {}",
            profile.root.display()
        ));
    }
    report.param("profile_built", profile.built);

    let t_open = Instant::now();
    let client = Client::open(profile.config())
        .await
        .map_err(|e| format!("open the corpus profile: {e}"))?;
    let open_ms = t_open.elapsed().as_secs_f64() * 1e3;
    let texts = texts();
    let shapes: Vec<(String, Filter)> = texts
        .iter()
        .flat_map(|t| FILTERS.iter().map(move |f| (t.clone(), *f)))
        .collect();
    report.param("queries", shapes.len() as u64);

    // Warm-up round (page cache, prepared statements); in --quick, the
    // checked round.
    let indexed: Vec<(Msg, Vec<String>)> = msgs
        .into_iter()
        .map(|m| {
            let t = corpus::tokens(&m.body);
            (m, t)
        })
        .collect();
    let mut wrong: Vec<String> = Vec::new();
    let mut total_hits = 0usize;
    let mut slowest = (0.0f64, String::new());
    for (text, f) in &shapes {
        let t0 = Instant::now();
        let hits = client
            .search(query(&meta, text, *f))
            .await
            .map_err(|e| format!("search {text:?}: {e}"))?;
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        if ms > slowest.0 {
            slowest = (ms, format!("{text:?} {f:?}"));
        }
        total_hits += hits.len();
        if ctx.quick {
            let want = brute_force(&meta, &indexed, text, *f);
            let got: Vec<uuid::Uuid> = hits.iter().map(|h| h.message_id).collect();
            if got != want {
                let g: HashSet<_> = got.iter().collect();
                let w: HashSet<_> = want.iter().collect();
                wrong.push(format!(
                    "{text:?} {f:?}: {} hits, want {} ({} missing, {} extra{})",
                    got.len(),
                    want.len(),
                    w.difference(&g).count(),
                    g.difference(&w).count(),
                    if g == w { ", order differs" } else { "" }
                ));
            } else if let Some(h) = hits.iter().find(|h| !highlight_ok(h)) {
                wrong.push(format!("{text:?} {f:?}: bad highlight {:?}", h.highlighted));
            }
        }
    }
    if ctx.quick {
        report.check(
            "every answer equals a brute-force scan (ids, newest first)",
            wrong.is_empty(),
            if wrong.is_empty() {
                format!("{} queries, {total_hits} hits", shapes.len())
            } else {
                format!("{} wrong: {}", wrong.len(), wrong.join("; "))
            },
        );
        report.check(
            "the queries find something",
            total_hits > shapes.len(),
            format!("{total_hits} hits"),
        );
    }

    let mut lat = Samples::with_capacity(shapes.len() * rounds);
    let mut per_filter: Vec<Samples> = FILTERS
        .iter()
        .map(|_| Samples::with_capacity(texts.len() * rounds))
        .collect();
    let mut worst = (0.0f64, String::new());
    let t_run = Instant::now();
    for _ in 0..rounds {
        for (text, f) in &shapes {
            let q = query(&meta, text, *f);
            let t0 = Instant::now();
            client
                .search(q)
                .await
                .map_err(|e| format!("search {text:?}: {e}"))?;
            let took = t0.elapsed();
            let ms = took.as_secs_f64() * 1e3;
            if ms > worst.0 {
                worst = (ms, format!("{text:?} {f:?}"));
            }
            lat.push(took);
            let i = FILTERS
                .iter()
                .position(|x| std::mem::discriminant(x) == std::mem::discriminant(f))
                .unwrap_or(0);
            per_filter[i].push(took);
        }
    }
    let run_secs = t_run.elapsed().as_secs_f64();
    report.line(format!("client open: {open_ms:.1} ms"));
    if let Some(s) = lat.summary() {
        report.line(format!("search (Client::search, {LIMIT} hits max): {s}"));
        report.figure("search", s);
        report.budget(
            "p95",
            "< 10 ms",
            format!("{} ms", fmt_ms(s.p95_ms)),
            s.p95_ms < 10.0,
        );
    }
    for (f, s) in FILTERS.iter().zip(per_filter) {
        if let Some(s) = s.summary() {
            report.line(format!("  filter {f:?}: {s}"));
            report.figure(&format!("filter_{f:?}").to_lowercase(), s);
        }
    }
    report.line(format!(
        "slowest query: {:.1} ms ({}); in warm-up: {:.1} ms ({})",
        worst.0, worst.1, slowest.0, slowest.1
    ));
    report.figure("run_secs", run_secs);
    report.note = Some(
        "search runs in the bench process (client-core's reader connection); no server is involved"
            .into(),
    );
    client.shutdown().await;
    Ok(report)
}
