//! Chaos: three clients, hundreds of mixed actions each, random socket
//! drops and a server restart; every client converges to the server's log
//! with nothing lost and nothing doubled. Several seeds.

use std::collections::HashMap;
use std::time::Duration;

use tern_client_core::Client;
use uuid::Uuid;

use crate::helpers::*;

const ACTIONS: usize = 1000;

/// One client's run; returns the bodies it sent and the edits it made.
async fn actor(c: Client, room: Uuid, name: String, seed: u64) -> (Vec<String>, Vec<String>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut sent: Vec<(Uuid, String)> = Vec::new();
    let mut deleted: Vec<Uuid> = Vec::new();
    let mut bodies = Vec::new();
    let mut edits = Vec::new();
    for i in 0..ACTIONS {
        let live: Vec<Uuid> = sent
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| !deleted.contains(id))
            .collect();
        let roll = rng.u32(0..100);
        match roll {
            0..=54 => {
                let body = format!("{name} says {i}");
                let id = c.send(room, &body).await.unwrap();
                sent.push((id, body.clone()));
                bodies.push(body);
            }
            55..=64 if !live.is_empty() => {
                let id = live[rng.usize(0..live.len())];
                let body = format!("{name} edits {i}");
                c.edit(id, &body).await.unwrap();
                edits.push(body);
            }
            65..=74 if !live.is_empty() => {
                let id = live[rng.usize(0..live.len())];
                c.react(id, ["👍", "🎉"][rng.usize(0..2)]).await.unwrap();
            }
            75..=79 if !live.is_empty() => {
                let id = live[rng.usize(0..live.len())];
                c.unreact(id, "👍").await.unwrap();
            }
            80..=84 if live.len() > 3 => {
                let id = live[rng.usize(0..live.len())];
                c.delete(id).await.unwrap();
                deleted.push(id);
            }
            85..=94 => c.mark_read(room, None).await.unwrap(),
            95..=97 => c.reconnect(),
            _ => tokio::time::sleep(Duration::from_millis(rng.u64(1..20))).await,
        }
        if rng.u32(0..10) == 0 {
            tokio::time::sleep(Duration::from_millis(rng.u64(1..5))).await;
        }
    }
    (bodies, edits)
}

async fn chaos(seed: u64) {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let a = user(&server, dir.path(), "ana").await;
    let b = user(&server, dir.path(), "ben").await;
    let c = user(&server, dir.path(), "cyd").await;
    let (_, room) = room_with(&a, &[&b, &c], "chaos").await;
    let clients = [("ana", a.clone()), ("ben", b.clone()), ("cyd", c.clone())];
    let mut tasks = Vec::new();
    for (k, (name, client)) in clients.iter().enumerate() {
        tasks.push(tokio::spawn(actor(
            client.clone(),
            room,
            (*name).to_owned(),
            seed * 10 + k as u64,
        )));
    }
    // A server restart somewhere in the middle.
    tokio::time::sleep(Duration::from_millis(300 + seed % 5 * 100)).await;
    server.restart().await;
    let mut sent = Vec::new();
    let mut edits = Vec::new();
    for t in tasks {
        let (s, e) = t.await.unwrap();
        sent.extend(s);
        edits.extend(e);
    }
    for (_, client) in &clients {
        wait_outbox_empty(client, 60).await;
    }
    let log = server_log(&server, room);
    let mut count: HashMap<&str, usize> = HashMap::new();
    for e in &log {
        if matches!(e.ty.as_str(), "message" | "edit") {
            *count
                .entry(e.body.as_deref().unwrap_or_default())
                .or_default() += 1;
        }
    }
    for body in sent.iter().chain(&edits) {
        assert_eq!(
            count.get(body.as_str()),
            Some(&1),
            "seed {seed}: {body:?} not exactly once"
        );
    }
    // Every client converges to the server's log: the raw events and the
    // projection.
    let server_msgs = {
        let conn = rusqlite::Connection::open_with_flags(
            server.db_path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let mut stmt = conn
            .prepare("SELECT seq, body, deleted_at IS NOT NULL FROM messages WHERE room_id = ?1 ORDER BY seq")
            .unwrap();
        stmt.query_map([room.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
    };
    for (name, client) in &clients {
        client.sync_now();
        wait_for(30, "a client to converge", || async {
            // A limited sync after the restart leaves history to backfill.
            while client.backfill(room, 200).await.ok()? > 0 {}
            let mine = client_log(dir.path(), name, room);
            (mine.len() == log.len()).then_some(())
        })
        .await;
        let mine = client_log(dir.path(), name, room);
        assert_eq!(mine, log, "seed {seed}: {name}'s log differs");
        // The whole timeline, a page at a time from the newest.
        let mut items = Vec::new();
        let mut before = None;
        loop {
            let page = client.timeline(room, before, 1000).await.unwrap();
            let Some(first) = page.items.first().and_then(|i| i.seq) else {
                break;
            };
            let mut older = page.items;
            older.append(&mut items);
            items = older;
            before = Some(first);
        }
        let view: Vec<(i64, String, bool)> = items
            .iter()
            .map(|i| {
                let body = if i.deleted {
                    String::new()
                } else {
                    i.body.clone()
                };
                (i.seq.unwrap(), body, i.deleted)
            })
            .collect();
        let want: Vec<(i64, String, bool)> = server_msgs
            .iter()
            .map(|(s, b, d)| (*s, if *d { String::new() } else { b.clone() }, *d))
            .collect();
        assert_eq!(view, want, "seed {seed}: {name}'s messages differ");
        assert!(
            client.outbox().await.unwrap().is_empty(),
            "seed {seed}: {name} has undelivered items"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_seed_1() {
    chaos(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_seed_2() {
    chaos(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_seed_3() {
    chaos(3).await;
}
