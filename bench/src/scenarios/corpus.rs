//! A client-core profile holding a generated corpus of messages (Latin and
//! Cyrillic words, some with accents or `ё`, Zipf-distributed), shared by
//! `search` and `coldstart`.
//!
//! The account, the workspace, the rooms and their members are made on a
//! real server and reach the profile by sync. The messages then enter the
//! store through `Client::import_events`, which applies them on the path
//! synced events take (raw log, message projection, full-text index), in
//! one transaction per room and batch. Sending a million messages through
//! the server and catching a client up on them takes far longer and
//! measures the server and the sync engine, not what these scenarios are
//! about.
//!
//! Built profiles are kept under the cache dir (`$TERN_BENCH_CACHE`, else
//! `$XDG_CACHE_HOME/tern-bench`, else `~/.cache/tern-bench`), keyed by the
//! corpus parameters, so repeated runs open them instead of rebuilding.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tern_client_core::protocol::event::{EventContent, MessageContent, MessageKind};
use tern_client_core::protocol::{Event, RoomId};
use tern_client_core::{Client, ClientConfig, SecretsBackend};
use uuid::Uuid;

use super::Ctx;
use crate::api::Res;

/// Bump when the generator changes what it makes: cached profiles of an
/// older version are not reused.
const GENERATOR_VERSION: u32 = 1;

/// The profile's name inside its data dir.
pub const PROFILE: &str = "bench";

/// A server URL nothing listens on: an opened corpus profile stays offline.
pub const NO_SERVER: &str = "http://127.0.0.1:9";

#[derive(Clone, Copy, Debug)]
pub struct Params {
    pub messages: u64,
    pub rooms: usize,
    /// Senders, the profile's own account included.
    pub users: usize,
    pub seed: u64,
}

impl Params {
    /// The corpus `search` and `coldstart` share (so one cached profile
    /// serves both): 1 M messages, or 20 k with `--quick`.
    pub fn standard(quick: bool) -> Self {
        Self {
            messages: if quick { 20_000 } else { 1_000_000 },
            rooms: 20,
            users: 4,
            seed: 7,
        }
    }

    pub fn key(&self) -> String {
        format!(
            "corpus-v{GENERATOR_VERSION}-m{}-r{}-u{}-s{}",
            self.messages, self.rooms, self.users, self.seed
        )
    }
}

/// What a built profile holds, saved next to it as `meta.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Meta {
    pub key: String,
    pub messages: u64,
    pub me: Uuid,
    pub rooms: Vec<Uuid>,
    pub room_names: Vec<String>,
    pub senders: Vec<Uuid>,
    pub first_ms: i64,
    pub last_ms: i64,
    /// How long the import took when it was built.
    pub import_secs: f64,
}

/// A generated message, kept for the brute-force checks of `--quick`.
#[derive(Clone, Debug)]
pub struct Msg {
    pub id: Uuid,
    pub room: usize,
    pub sender: usize,
    pub created_ms: i64,
    pub has_file: bool,
    pub body: String,
}

pub struct Profile {
    /// Holds `data/<PROFILE>/tern.db` and `meta.json`.
    pub root: PathBuf,
    pub meta: Meta,
    /// Whether this run built it (else it came from the cache).
    pub built: bool,
    _tmp: Option<tempfile::TempDir>,
}

impl Profile {
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    pub fn config(&self) -> ClientConfig {
        let mut c = ClientConfig::new(NO_SERVER, self.data_dir(), PROFILE);
        c.secrets = SecretsBackend::File;
        c
    }
}

pub fn cache_root() -> PathBuf {
    if let Some(d) = std::env::var_os("TERN_BENCH_CACHE") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("tern-bench");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".cache").join("tern-bench"),
        None => std::env::temp_dir().join("tern-bench"),
    }
}

fn read_meta(root: &Path) -> Option<Meta> {
    let bytes = std::fs::read(root.join("meta.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The cached profile for `p`, or a new one (cached when `cache`). With
/// `keep`, the generated messages come back too (the profile is then
/// always built afresh, as they are not stored apart from it).
pub async fn profile(ctx: &Ctx, p: Params, cache: bool, keep: bool) -> Res<(Profile, Vec<Msg>)> {
    let key = p.key();
    let root = cache_root();
    let dir = root.join(&key);
    if cache
        && !keep
        && let Some(meta) = read_meta(&dir)
        && meta.key == key
        && dir.join("data").join(PROFILE).join("tern.db").is_file()
    {
        return Ok((
            Profile {
                root: dir,
                meta,
                built: false,
                _tmp: None,
            },
            Vec::new(),
        ));
    }
    // Built where it will stay: the session's secret is keyed by the
    // profile's path. `meta.json`, written last, marks it complete.
    let (build_dir, tmp) = if cache {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot make the cache dir {}: {e}", dir.display()))?;
        (dir, None)
    } else {
        let t = tempfile::Builder::new()
            .prefix("tern-bench-corpus-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        (t.path().to_owned(), Some(t))
    };
    let (meta, msgs) = build(ctx, p, &build_dir, keep).await?;
    let json = serde_json::to_vec_pretty(&meta).map_err(|e| e.to_string())?;
    std::fs::write(build_dir.join("meta.json"), json).map_err(|e| format!("meta.json: {e}"))?;
    Ok((
        Profile {
            root: build_dir,
            meta,
            built: true,
            _tmp: tmp,
        },
        msgs,
    ))
}

async fn build(ctx: &Ctx, p: Params, dir: &Path, keep: bool) -> Res<(Meta, Vec<Msg>)> {
    let server = ctx.server().await?;
    let addr = server.addr;
    let team = crate::api::team(addr, p.users.saturating_sub(1), p.rooms).await?;
    let mut config = ClientConfig::new(format!("http://{addr}"), dir.join("data"), PROFILE);
    config.secrets = SecretsBackend::File;
    let client = Client::open(config)
        .await
        .map_err(|e| format!("open the corpus profile: {e}"))?;
    client
        .login(&team.owner.name, crate::api::PASSWORD)
        .await
        .map_err(|e| format!("login: {e}"))?;
    let me = client.account().ok_or("no account after login")?.user_id;
    let rooms: Vec<RoomId> = team
        .rooms
        .iter()
        .map(|r| r.parse().map_err(|e| format!("room id {r}: {e}")))
        .collect::<Res<_>>()?;
    // Rooms, members and their names arrive by sync.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let held = client.rooms().await.map_err(|e| format!("rooms: {e}"))?;
        if rooms.iter().all(|r| held.iter().any(|h| h.id == *r)) {
            break;
        }
        if Instant::now() > deadline {
            return Err("the corpus rooms did not reach the profile within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut next_seq = Vec::with_capacity(rooms.len());
    for r in &team.rooms {
        next_seq.push(crate::api::room_last_seq(addr, &team.owner.token, r).await? + 1);
    }
    let mut senders = vec![me];
    for m in &team.members {
        senders.push(m.user_id.parse().map_err(|e| format!("user id: {e}"))?);
    }
    let room_names: Vec<String> = client
        .rooms()
        .await
        .map_err(|e| format!("rooms: {e}"))?
        .into_iter()
        .filter(|r| rooms.contains(&r.id))
        .map(|r| r.name)
        .collect();
    // The messages are local from here on: no server needed.
    server.stop().await;

    let mut rng = Rng::new(p.seed);
    let vocab = Vocab::new();
    let first_ms = FIRST_MS;
    // Two years, spread evenly over the messages.
    let step = ((730 * 86_400_000) / p.messages.max(1)).max(1) as i64;
    let mut kept = Vec::new();
    let t0 = Instant::now();
    let mut done = 0u64;
    let mut last_ms = first_ms;
    const BATCH: u64 = 20_000;
    while done < p.messages {
        let n = BATCH.min(p.messages - done);
        let mut per_room: Vec<Vec<Event>> = vec![Vec::new(); rooms.len()];
        for i in 0..n {
            let k = done + i;
            let created_ms = first_ms + k as i64 * step + (rng.next() % step as u64) as i64;
            last_ms = created_ms;
            let room = rng.below(rooms.len() as u64) as usize;
            let sender = rng.below(senders.len() as u64) as usize;
            let has_file = rng.below(100) < 5;
            let body = vocab.message(&mut rng);
            let id = v7(created_ms, k);
            let attachments = if has_file {
                vec![Uuid::from_u128(
                    u128::from(rng.next()) << 64 | u128::from(k),
                )]
            } else {
                Vec::new()
            };
            if keep {
                kept.push(Msg {
                    id,
                    room,
                    sender,
                    created_ms,
                    has_file,
                    body: body.clone(),
                });
            }
            let seq = next_seq[room];
            next_seq[room] += 1;
            per_room[room].push(Event {
                id,
                room_id: rooms[room],
                seq,
                sender_id: senders[sender],
                content: EventContent::Message(MessageContent {
                    kind: MessageKind::Text,
                    body,
                    reply_to: None,
                    thread_root: None,
                    attachments,
                    forward_of: None,
                    mentions: Vec::new(),
                    erased: false,
                }),
                txn_id: None,
                created_at: time::OffsetDateTime::from_unix_timestamp_nanos(
                    i128::from(created_ms) * 1_000_000,
                )
                .map_err(|e| e.to_string())?,
            });
        }
        for (i, evs) in per_room.into_iter().enumerate() {
            let want = evs.len();
            let got = client
                .import_events(rooms[i], evs)
                .await
                .map_err(|e| format!("import: {e}"))?;
            if got != want {
                return Err(format!("import stored {got} of {want} new events"));
            }
        }
        done += n;
    }
    // The full-text index takes large imports in the background: the
    // cached profile is kept whole, so that search runs on the index.
    while client
        .search_backlog()
        .await
        .map_err(|e| format!("search backlog: {e}"))?
        > 0
    {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let import_secs = t0.elapsed().as_secs_f64();
    client.shutdown().await;
    Ok((
        Meta {
            key: p.key(),
            messages: p.messages,
            me,
            rooms,
            room_names,
            senders,
            first_ms,
            last_ms,
            import_secs,
        },
        kept,
    ))
}

/// 2024-01-01T00:00:00Z.
const FIRST_MS: i64 = 1_704_067_200_000;

/// A UUIDv7 for `ms`, made unique by `n`.
fn v7(ms: i64, n: u64) -> Uuid {
    let hi = (ms as u128 & 0xffff_ffff_ffff) << 80;
    let ver = 0x7u128 << 76;
    let var = 0x2u128 << 62;
    Uuid::from_u128(hi | ver | var | u128::from(n))
}

/// splitmix64: small, fast, the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub const LATIN: &[&str] = &[
    "the",
    "and",
    "meeting",
    "project",
    "release",
    "deploy",
    "review",
    "coffee",
    "lunch",
    "friday",
    "monday",
    "server",
    "client",
    "message",
    "search",
    "budget",
    "report",
    "design",
    "team",
    "plan",
    "bug",
    "fix",
    "test",
    "build",
    "ticket",
    "customer",
    "invoice",
    "contract",
    "travel",
    "hotel",
    "flight",
    "schedule",
    "update",
    "draft",
    "slides",
    "call",
    "video",
    "office",
    "remote",
    "weekend",
    "holiday",
    "birthday",
    "party",
    "music",
    "garden",
    "kitchen",
    "window",
    "market",
    "price",
    "order",
    "delivery",
    "status",
    "error",
    "warning",
    "backup",
    "database",
    "network",
    "security",
    "password",
    "access",
    "question",
    "answer",
    "idea",
    "problem",
    "solution",
    "today",
    "tomorrow",
    "yesterday",
    "morning",
    "evening",
    "night",
    "please",
    "thanks",
    "hello",
    "great",
    "good",
    "quick",
    "brown",
    "fox",
    "lazy",
    "dog",
    "café",
    "résumé",
    "naïve",
    "élysée",
    "crème",
    "brûlée",
    "façade",
    "déjà",
    "señor",
    "jalapeño",
    "über",
    "münchen",
    "zürich",
    "garçon",
    "fiancée",
    "piñata",
    "touché",
    "entrée",
    "soirée",
    "protégé",
    "rosé",
    "château",
    "forêt",
    "hôtel",
    "été",
    "année",
    "mañana",
    "niño",
];

pub const CYRILLIC: &[&str] = &[
    "привет",
    "встреча",
    "проект",
    "релиз",
    "отчёт",
    "пятница",
    "понедельник",
    "сервер",
    "клиент",
    "сообщение",
    "поиск",
    "бюджет",
    "дизайн",
    "команда",
    "план",
    "ошибка",
    "исправление",
    "тест",
    "сборка",
    "заказ",
    "доставка",
    "счёт",
    "договор",
    "поездка",
    "гостиница",
    "рейс",
    "расписание",
    "обновление",
    "черновик",
    "звонок",
    "видео",
    "офис",
    "выходные",
    "праздник",
    "день",
    "рождения",
    "музыка",
    "сад",
    "кухня",
    "окно",
    "рынок",
    "цена",
    "статус",
    "предупреждение",
    "база",
    "данных",
    "сеть",
    "безопасность",
    "пароль",
    "доступ",
    "вопрос",
    "ответ",
    "идея",
    "проблема",
    "решение",
    "сегодня",
    "завтра",
    "вчера",
    "утро",
    "вечер",
    "ночь",
    "пожалуйста",
    "спасибо",
    "отлично",
    "хорошо",
    "ёжик",
    "ещё",
    "всё",
    "тёплый",
    "зелёный",
    "ёлка",
    "берёза",
    "мёд",
    "лёд",
    "новый",
    "мой",
    "твой",
    "большой",
    "край",
    "чай",
    "йогурт",
    "майонез",
    "съешь",
    "мягких",
    "французских",
    "булок",
    "тумане",
];

const LATIN_SYL: &[&str] = &[
    "ka", "lo", "mi", "ne", "ra", "to", "vu", "si", "de", "po", "ar", "en", "ul", "ix", "or",
];
const CYR_SYL: &[&str] = &[
    "ка", "ло", "ми", "не", "ра", "то", "ву", "си", "де", "по", "ар", "ен", "ул", "ых", "ор",
];

/// Made-up words per alphabet, after the real ones: the long tail.
pub const SYNTHETIC: usize = 20_000;

/// The `i`-th made-up word of an alphabet: 3 or more syllables.
pub fn synthetic(syl: &[&str], mut i: usize) -> String {
    let mut w = String::new();
    let base = syl.len();
    for _ in 0..3 {
        w.push_str(syl[i % base]);
        i /= base;
    }
    while i > 0 {
        w.push_str(syl[i % base]);
        i /= base;
    }
    w
}

pub struct Vocab {
    latin: Vec<String>,
    cyrillic: Vec<String>,
}

impl Default for Vocab {
    fn default() -> Self {
        Self::new()
    }
}

impl Vocab {
    pub fn new() -> Self {
        let mk = |real: &[&str], syl: &[&str]| {
            let mut v: Vec<String> = real.iter().map(|s| s.to_string()).collect();
            v.extend((0..SYNTHETIC).map(|i| synthetic(syl, i)));
            v
        };
        Self {
            latin: mk(LATIN, LATIN_SYL),
            cyrillic: mk(CYRILLIC, CYR_SYL),
        }
    }

    pub fn latin_synthetic(i: usize) -> String {
        synthetic(LATIN_SYL, i)
    }

    pub fn cyrillic_synthetic(i: usize) -> String {
        synthetic(CYR_SYL, i)
    }

    /// Zipf-like: word k with weight about 1/(k+1).
    fn pick<'a>(v: &'a [String], rng: &mut Rng) -> &'a str {
        let n = v.len() as f64;
        let k = (n + 1.0).powf(rng.unit()) as usize;
        &v[k.saturating_sub(1).min(v.len() - 1)]
    }

    pub fn message(&self, rng: &mut Rng) -> String {
        let cyr = rng.below(10) < 4;
        let (main, other) = if cyr {
            (&self.cyrillic, &self.latin)
        } else {
            (&self.latin, &self.cyrillic)
        };
        let words = 3 + rng.below(18) as usize;
        let mixed = rng.below(10) == 0;
        let mut out = String::with_capacity(words * 8);
        for i in 0..words {
            let w = if mixed && i == words / 2 {
                Self::pick(other, rng)
            } else {
                Self::pick(main, rng)
            };
            if i > 0 {
                out.push_str(if rng.below(12) == 0 { ", " } else { " " });
            }
            if i == 0 && rng.below(2) == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            } else {
                out.push_str(w);
            }
        }
        out.push(match rng.below(4) {
            0 => '?',
            1 => '!',
            _ => '.',
        });
        out
    }
}

/// What the full-text index makes of a word: lower case, accents off,
/// `ё` as `е`.
pub fn norm(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'ý' | 'ÿ' => 'y',
            'ё' => 'е',
            c => c,
        })
        .collect()
}

/// The words of a text as the index sees them.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(norm)
        .collect()
}
