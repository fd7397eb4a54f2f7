//! Fills the desktop app's profile with a long history in one room, for
//! the end-to-end scroll test (`desktop/ui/e2e/scroll.mjs`). Not part of
//! the app: an example, built by `cargo test`.
//!
//! ```text
//! seed_history SERVER_URL LOGIN PASSWORD ROOM_ID FIRST_SEQ COUNT
//! ```
//!
//! It signs in to the profile the app opens (the same folders, so the
//! same `XDG_*` variables, and the same token store, `TERN_SECRETS`),
//! remembers the server in the app's settings, waits for `ROOM_ID` to
//! sync, then stores `COUNT` messages from the room's members as the
//! room's log from `FIRST_SEQ` on through `Client::import_events` (the
//! path synced events take), and prints what it did as JSON.

use std::time::{Duration, Instant};

use tern_client_core::protocol::Event;
use tern_client_core::protocol::event::{EventContent, MessageContent, MessageKind};
use tern_client_core::{Client, ClientConfig};
use tern_desktop::settings::Settings;
use tern_desktop::state::PROFILE;
use tern_desktop::{Paths, secrets_backend};
use uuid::Uuid;

type Res<T> = Result<T, String>;

const WORDS: &[&str] = &[
    "the",
    "release",
    "review",
    "deploy",
    "coffee",
    "meeting",
    "slides",
    "budget",
    "ticket",
    "build",
    "test",
    "server",
    "client",
    "plan",
    "design",
    "friday",
    "update",
    "draft",
    "привет",
    "встреча",
    "отчёт",
    "сервер",
    "релиз",
    "кофе",
    "пятница",
    "задача",
    "план",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => fail(&format!("tokio: {e}")),
    };
    match rt.block_on(run(&args)) {
        Ok(summary) => println!("{summary}"),
        Err(e) => fail(&e),
    }
}

fn fail(e: &str) -> ! {
    eprintln!("seed_history: {e}");
    std::process::exit(1)
}

async fn run(args: &[String]) -> Res<String> {
    let [url, login, password, room, first_seq, count] = args else {
        return Err("usage: seed_history SERVER_URL LOGIN PASSWORD ROOM_ID FIRST_SEQ COUNT".into());
    };
    let room: Uuid = room.parse().map_err(|e| format!("room id {room:?}: {e}"))?;
    let first_seq: i64 = first_seq
        .parse()
        .map_err(|e| format!("first seq {first_seq:?}: {e}"))?;
    let count: u64 = count.parse().map_err(|e| format!("count {count:?}: {e}"))?;

    let paths = Paths::from_system();
    let settings = Settings {
        server_url: Some(url.clone()),
        ..Settings::load(&paths.config_dir)
    };
    settings.save(&paths.config_dir).map_err(|e| e.message)?;
    let mut config = ClientConfig::new(url, &paths.data_dir, PROFILE);
    config.device_name = Some("Tern Desktop".to_owned());
    config.secrets = secrets_backend();
    let client = Client::open(config)
        .await
        .map_err(|e| format!("open the profile: {e}"))?;
    client
        .login(login, password)
        .await
        .map_err(|e| format!("login: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let senders: Vec<Uuid> = loop {
        let members = client.members(room).await.unwrap_or_default();
        if !members.is_empty() {
            break members.into_iter().map(|m| m.user_id).collect();
        }
        if Instant::now() > deadline {
            return Err(format!("room {room} did not sync within 30 s"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let t0 = Instant::now();
    // A message a minute, ending now.
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let first_ms = now_ms - count as i64 * 60_000;
    let mut rng = 0x5eed_u64;
    let mut done = 0u64;
    const BATCH: u64 = 10_000;
    while done < count {
        let n = BATCH.min(count - done);
        let mut events = Vec::with_capacity(n as usize);
        for i in 0..n {
            let k = done + i;
            let created_ms = first_ms + k as i64 * 60_000;
            let sender = senders[(next(&mut rng) % senders.len() as u64) as usize];
            // Mostly short lines, some long ones that wrap, a few with
            // several lines: rows of different heights.
            let words = match next(&mut rng) % 20 {
                0 => 60,
                1..=3 => 25,
                _ => 3 + next(&mut rng) % 10,
            };
            let mut body = format!("#{} ", k + 1);
            for w in 0..words {
                if w > 0 {
                    body.push(if next(&mut rng).is_multiple_of(40) {
                        '\n'
                    } else {
                        ' '
                    });
                }
                body.push_str(WORDS[(next(&mut rng) % WORDS.len() as u64) as usize]);
            }
            events.push(Event {
                id: v7(created_ms, k),
                room_id: room,
                seq: first_seq + k as i64,
                sender_id: sender,
                content: EventContent::Message(MessageContent {
                    kind: MessageKind::Text,
                    body,
                    ..Default::default()
                }),
                txn_id: None,
                created_at: time::OffsetDateTime::from_unix_timestamp_nanos(
                    i128::from(created_ms) * 1_000_000,
                )
                .map_err(|e| e.to_string())?,
            });
        }
        let stored = client
            .import_events(room, events)
            .await
            .map_err(|e| format!("import: {e}"))?;
        if stored as u64 != n {
            return Err(format!("import stored {stored} of {n} events"));
        }
        done += n;
    }
    let secs = t0.elapsed().as_secs_f64();
    client.shutdown().await;
    Ok(format!(
        "{{\"room\":\"{room}\",\"messages\":{count},\"import_secs\":{secs:.2}}}"
    ))
}

/// splitmix64.
fn next(s: &mut u64) -> u64 {
    *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A UUIDv7 for `ms`, made unique by `n`.
fn v7(ms: i64, n: u64) -> Uuid {
    let hi = (ms as u128 & 0xffff_ffff_ffff) << 80;
    let ver = 0x7u128 << 76;
    let var = 0x2u128 << 62;
    Uuid::from_u128(hi | ver | var | u128::from(n))
}
