//! Offline full-text search on a Latin + Cyrillic corpus.

use tern_client_core::SearchQuery;
use tern_client_core::protocol::Event;
use tern_client_core::protocol::event::{EventContent, MessageContent, MessageKind};

use crate::helpers::*;

const CORPUS: &[&str] = &[
    "Café au lait at the Élysée",
    "A naïve résumé of the plan",
    "Ёжик в тумане",
    "Привет, мир! Как дела?",
    "Съешь же ещё этих мягких французских булок",
    "The quick brown fox jumps over the lazy dog",
    "Встреча в пятницу, не забудьте отчёт",
    "Deploying version 2.5 on Friday",
];

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_folds_case_and_accents_matches_prefixes_and_filters() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let bob = user(&server, dir.path(), "bob").await;
    let (ws, room) = room_with(&alice, &[&bob], "search").await;
    for (i, text) in CORPUS.iter().enumerate() {
        if i % 2 == 0 {
            alice.send(room, text).await.unwrap();
        } else {
            bob.send(room, text).await.unwrap();
        }
    }
    wait_outbox_empty(&alice, 20).await;
    wait_outbox_empty(&bob, 20).await;
    wait_for(20, "the corpus at alice", || async {
        (remote_bodies(&alice, room).await.len() == CORPUS.len()).then_some(())
    })
    .await;
    // Search works offline.
    server.stop().await;

    let hits = |v: Vec<tern_client_core::SearchHit>| -> Vec<String> {
        let mut b: Vec<String> = v.into_iter().map(|h| h.body).collect();
        b.sort();
        b
    };
    assert_eq!(
        hits(alice.search(q("cafe")).await.unwrap()),
        vec![CORPUS[0]]
    );
    assert_eq!(
        hits(alice.search(q("ELYSEE")).await.unwrap()),
        vec![CORPUS[0]]
    );
    assert_eq!(
        hits(alice.search(q("resume naive")).await.unwrap()),
        vec![CORPUS[1]]
    );
    assert_eq!(
        hits(alice.search(q("ежик")).await.unwrap()),
        vec![CORPUS[2]]
    );
    assert_eq!(
        hits(alice.search(q("прив")).await.unwrap()),
        vec![CORPUS[3]]
    );
    assert_eq!(
        hits(alice.search(q("мягк булок")).await.unwrap()),
        vec![CORPUS[4]]
    );
    assert_eq!(
        hits(alice.search(q("отчет")).await.unwrap()),
        vec![CORPUS[6]]
    );
    assert_eq!(
        hits(alice.search(q("ПЯТНИЦ")).await.unwrap()),
        vec![CORPUS[6]]
    );
    assert_eq!(hits(alice.search(q("fri")).await.unwrap()), vec![CORPUS[7]]);
    assert!(alice.search(q("\"OR NEAR(")).await.unwrap().is_empty());
    assert!(alice.search(q("")).await.unwrap().is_empty());

    // Highlights mark the matched words.
    let h = alice.search(q("кафе cafe")).await.unwrap();
    assert!(h.is_empty(), "every word must match");
    let h = alice.search(q("тума")).await.unwrap();
    assert_eq!(h.len(), 1);
    let marked: Vec<_> = h[0]
        .highlighted
        .iter()
        .filter(|s| s.matched)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(marked, vec!["тумане"]);
    let whole: String = h[0].highlighted.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(whole, CORPUS[2]);

    // Filters: sender, room, dates, files.
    let bob_id = bob.account().unwrap().user_id;
    let by_bob = alice
        .search(SearchQuery {
            text: "the".into(),
            sender_id: Some(bob_id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(hits(by_bob), vec![CORPUS[1], CORPUS[5]]);
    let elsewhere = alice
        .search(SearchQuery {
            text: "the".into(),
            room_id: Some(uuid::Uuid::now_v7()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(elsewhere.is_empty());
    let in_room = alice
        .search(SearchQuery {
            text: "the".into(),
            room_id: Some(room),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(in_room.len(), 3);
    let future = alice
        .search(SearchQuery {
            text: "the".into(),
            after: Some(time::OffsetDateTime::now_utc() + time::Duration::hours(1)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(future.is_empty());
    let past = alice
        .search(SearchQuery {
            text: "the".into(),
            before: Some(time::OffsetDateTime::now_utc() + time::Duration::hours(1)),
            after: Some(time::OffsetDateTime::now_utc() - time::Duration::hours(1)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(past.len(), 3);
    let with_files = alice
        .search(SearchQuery {
            text: "the".into(),
            has_file: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(with_files.is_empty());

    // Edits and deletes keep the index true (the local echo already does).
    server.start_again().await;
    let fox = alice.search(q("fox")).await.unwrap();
    let cafe = alice.search(q("cafe")).await.unwrap();
    alice.delete(cafe[0].message_id).await.unwrap();
    bob.edit(fox[0].message_id, "The slow red panda")
        .await
        .unwrap();
    wait_outbox_empty(&alice, 20).await;
    wait_outbox_empty(&bob, 20).await;
    wait_for(20, "the edit and delete at alice", || async {
        let fox = alice.search(q("fox")).await.ok()?;
        let panda = alice.search(q("panda")).await.ok()?;
        let cafe = alice.search(q("cafe")).await.ok()?;
        (fox.is_empty() && panda.len() == 1 && cafe.is_empty()).then_some(())
    })
    .await;
    let _ = ws;
}

fn message(room: uuid::Uuid, seq: i64, sender: uuid::Uuid, at_ms: i64, body: &str) -> Event {
    Event {
        id: uuid::Uuid::now_v7(),
        room_id: room,
        seq,
        sender_id: sender,
        content: EventContent::Message(MessageContent {
            kind: MessageKind::Text,
            body: body.into(),
            reply_to: None,
            thread_root: None,
            attachments: Vec::new(),
            forward_of: None,
            mentions: Vec::new(),
            erased: false,
        }),
        txn_id: None,
        created_at: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
            .unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_history_is_stored_like_synced_events_and_searched_newest_first() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let (_ws, room) = room_with(&alice, &[], "import").await;
    let me = alice.account().unwrap().user_id;
    server.stop().await;

    // A newer run first, then an older one below it, as a backfill would.
    let base = 1_700_000_000_000i64;
    let newer: Vec<Event> = (0..5)
        .map(|i| {
            message(
                room,
                200 + i,
                me,
                base + 100_000 + i * 1000,
                &format!("Ёлка {i} café"),
            )
        })
        .collect();
    let older: Vec<Event> = (0..5)
        .map(|i| message(room, 100 + i, me, base + i * 1000, &format!("ёлка old {i}")))
        .collect();
    assert_eq!(alice.import_events(room, newer.clone()).await.unwrap(), 5);
    assert_eq!(alice.import_events(room, older.clone()).await.unwrap(), 5);
    // Held already: nothing new.
    assert_eq!(alice.import_events(room, newer.clone()).await.unwrap(), 0);

    // Stored like any event: the timeline shows the newest run, and the
    // seqs below it are a gap to backfill.
    let page = alice.timeline(room, None, 50).await.unwrap();
    let bodies: Vec<&str> = page.items.iter().map(|i| i.body.as_str()).collect();
    assert_eq!(bodies.first().copied(), Some("Ёлка 0 café"));
    assert_eq!(bodies.last().copied(), Some("Ёлка 4 café"));
    assert!(!page.has_more_local && page.needs_backfill);

    // Newest first by creation time, whatever order they were stored in.
    let hits = alice.search(q("елка")).await.unwrap();
    let got: Vec<uuid::Uuid> = hits.iter().map(|h| h.message_id).collect();
    let mut expected: Vec<(i64, uuid::Uuid)> = newer
        .iter()
        .chain(older.iter())
        .map(|e| {
            (
                (e.created_at.unix_timestamp_nanos() / 1_000_000) as i64,
                e.id,
            )
        })
        .collect();
    expected.sort_by_key(|e| std::cmp::Reverse(e.0));
    let expected: Vec<uuid::Uuid> = expected.into_iter().map(|(_, id)| id).collect();
    assert_eq!(got, expected);
    // The limit takes the newest; a date window takes its own stretch.
    let two = alice
        .search(SearchQuery {
            text: "елка".into(),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        two.iter().map(|h| h.message_id).collect::<Vec<_>>(),
        expected[..2]
    );
    let old_window = alice
        .search(SearchQuery {
            text: "елка".into(),
            after: Some(time::OffsetDateTime::from_unix_timestamp(base / 1000).unwrap()),
            before: Some(time::OffsetDateTime::from_unix_timestamp(base / 1000 + 50).unwrap()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        old_window.iter().map(|h| h.message_id).collect::<Vec<_>>(),
        expected[5..]
    );

    // Bad input is refused.
    let other = message(uuid::Uuid::now_v7(), 300, me, base, "x");
    assert!(alice.import_events(room, vec![other]).await.is_err());
    let backwards = vec![
        message(room, 301, me, base, "x"),
        message(room, 300, me, base, "y"),
    ];
    assert!(alice.import_events(room, backwards).await.is_err());
}

/// Words longer than the prefix index: a common one is found by walking
/// its first letters, a rare one behind a thousand near misses by the
/// exact query; either way the answer is every message with a word that
/// starts with the query word, newest first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_words_match_whole_prefixes_behind_many_near_misses() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = user(&server, dir.path(), "alice").await;
    let (_ws, room) = room_with(&alice, &[], "long").await;
    let me = alice.account().unwrap().user_id;
    server.stop().await;

    let base = 1_700_000_000_000i64;
    let mut events = vec![
        message(
            room,
            101,
            me,
            base,
            "Meetingroom booked for the Проектирование",
        ),
        message(room, 102, me, base + 1, "MÉETINGS ran long"),
    ];
    let words = ["meet", "meets", "meetup", "meeting", "проект", "Проекты"];
    for i in 0..1500i64 {
        let w = words[i as usize % words.len()];
        events.push(message(
            room,
            103 + i,
            me,
            base + 2 + i,
            &format!("{w} {i}"),
        ));
    }
    assert_eq!(
        alice.import_events(room, events.clone()).await.unwrap(),
        1502
    );

    let ids = |v: Vec<tern_client_core::SearchHit>| -> Vec<uuid::Uuid> {
        v.into_iter().map(|h| h.message_id).collect()
    };
    let expect = |pred: &dyn Fn(&str) -> bool, limit: usize| -> Vec<uuid::Uuid> {
        events
            .iter()
            .rev()
            .filter(|e| match &e.content {
                EventContent::Message(m) => pred(&m.body),
                _ => false,
            })
            .take(limit)
            .map(|e| e.id)
            .collect()
    };
    let starts = |body: &str, w: &str| {
        body.split(' ')
            .any(|t| t.to_lowercase().replace('é', "e").starts_with(w))
    };
    let search = |text: &str, limit: u32| SearchQuery {
        text: text.into(),
        limit: Some(limit),
        ..Default::default()
    };
    // Right after the import most of it waits for the full-text index
    // (search checks those messages directly); then again once the
    // background indexer has taken everything in: the same answers.
    for round in ["backlog", "indexed"] {
        if round == "indexed" {
            wait_for(30, "the full-text backlog to empty", || async {
                (alice.search_backlog().await.ok()? == 0).then_some(())
            })
            .await;
        }
        // Common: the first page from the walk.
        assert_eq!(
            ids(alice.search(search("meeting", 50)).await.unwrap()),
            expect(&|b| starts(b, "meeting"), 50)
        );
        // Every match, some only past the walk's budget (the two oldest).
        assert_eq!(
            ids(alice.search(search("Meeting", 1000)).await.unwrap()),
            expect(&|b| starts(b, "meeting"), 1000)
        );
        // Rare: one message behind 1,500 that share its first letters.
        assert_eq!(
            ids(alice.search(search("meetingr", 50)).await.unwrap()),
            expect(&|b| starts(b, "meetingr"), 50)
        );
        assert!(
            alice
                .search(search("meetingz", 50))
                .await
                .unwrap()
                .is_empty()
        );
        // Cyrillic, two long words, and one long word with a short one.
        assert_eq!(
            ids(alice.search(search("проекты", 50)).await.unwrap()),
            expect(&|b| starts(b, "проекты"), 50)
        );
        assert_eq!(
            ids(alice
                .search(search("meetingroom проектир", 50))
                .await
                .unwrap()),
            expect(&|b| b.starts_with("Meetingroom"), 50)
        );
        assert_eq!(
            ids(alice.search(search("meetup 14", 50)).await.unwrap()),
            expect(&|b| starts(b, "meetup") && starts(b, "14"), 50)
        );
    }
}
