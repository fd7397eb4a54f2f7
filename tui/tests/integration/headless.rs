//! The headless commands of the real binary against an in-process server.

use crate::helpers::{Tern, TestServer, eventually, other_client, room_named};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_rooms_read_send_search_status() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    t.login("alice").await;

    let rooms = t.ok(&["rooms"], "").await;
    assert!(rooms.contains("demo/general"), "{rooms}");
    let json: serde_json::Value =
        serde_json::from_str(t.ok(&["rooms", "--json"], "").await.trim()).unwrap();
    let general = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["full_name"] == "demo/general")
        .expect("general in the json list");
    let general_id = general["id"].as_str().unwrap().to_owned();

    let read = t.ok(&["read", "general", "--limit", "10"], "").await;
    assert!(read.contains("Welcome to Tern!"), "{read}");
    assert!(read.contains("Привет всем!"), "{read}");
    // By id and by workspace/name too.
    assert!(
        t.ok(&["read", &general_id], "")
            .await
            .contains("Welcome to Tern!")
    );
    assert!(
        t.ok(&["read", "demo/general"], "")
            .await
            .contains("Welcome to Tern!")
    );

    let sent = t
        .ok(&["send", "general", "hello from the script"], "")
        .await;
    assert!(sent.contains("sent to demo/general"), "{sent}");
    // The text from stdin.
    let sent = t.ok(&["send", "general"], "second line from stdin\n").await;
    assert!(sent.contains("sent"), "{sent}");
    let read = t.ok(&["read", "general", "--json"], "").await;
    let bodies: Vec<String> = read
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["body"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        bodies.contains(&"hello from the script".to_owned()),
        "{bodies:?}"
    );
    assert!(
        bodies.contains(&"second line from stdin".to_owned()),
        "{bodies:?}"
    );

    let found = t.ok(&["search", "привет"], "").await;
    assert!(
        found.contains("demo/general") && found.contains("Привет всем"),
        "{found}"
    );
    let found = t
        .ok(&["search", "script", "--room", "general", "--json"], "")
        .await;
    let hit: serde_json::Value = serde_json::from_str(found.lines().next().unwrap()).unwrap();
    assert_eq!(hit["body"], "hello from the script");

    let status: serde_json::Value =
        serde_json::from_str(t.ok(&["status", "--json"], "").await.trim()).unwrap();
    assert_eq!(status["connection"], "online");
    assert_eq!(status["queued"], 0);
    assert!(status["last_sync"].is_string());

    let out = t.ok(&["logout"], "").await;
    assert!(out.contains("signed out"));
    let o = t.run(&["rooms"], "").await;
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("not signed in"), "{}", o.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn usage_errors_exit_2_and_failures_exit_1() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    let o = t.run(&["no-such-command"], "").await;
    assert_eq!(o.code, 2);
    let o = t.run(&["read"], "").await;
    assert_eq!(o.code, 2, "a missing ROOM is a usage error");
    let o = t
        .run(&["login", "--username", "alice"], "wrong password\n")
        .await;
    assert_eq!(o.code, 1);
    assert!(!o.stderr.is_empty());
    t.login("alice").await;
    let o = t.run(&["read", "no-such-room"], "").await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("no room named"), "{}", o.stderr);
    let o = t.run(&["send", "general", "   "], "").await;
    assert_eq!(o.code, 2);
}

/// Point 8: `tern send` while offline exits 0 with the message queued and
/// says so; `tern sync` fails while the server is away and, once it is
/// back, delivers the message exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn offline_send_is_queued_and_delivered_once_by_sync() {
    let mut server = TestServer::demo().await;
    let t = Tern::new(&server);
    t.login("alice").await;
    assert!(t.ok(&["rooms"], "").await.contains("general"));

    server.stop().await;
    let out = t.ok(&["send", "general", "written on the train"], "").await;
    assert!(out.contains("queued"), "{out}");
    let status: serde_json::Value =
        serde_json::from_str(t.ok(&["status", "--json"], "").await.trim()).unwrap();
    assert_eq!(status["connection"], "offline");
    assert_eq!(status["queued"], 1);
    // Reading and searching still work offline.
    let read = t.run(&["read", "general"], "").await;
    assert_eq!(read.code, 0);
    assert!(
        read.stdout.contains("written on the train (queued)"),
        "{}",
        read.stdout
    );
    assert!(read.stderr.contains("offline"));
    assert!(
        t.ok(&["search", "train"], "")
            .await
            .contains("written on the train")
    );
    let o = t.run(&["sync", "--timeout", "2"], "").await;
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("1 actions still queued"), "{}", o.stderr);

    server.start_again().await;
    let out = t.ok(&["sync", "--timeout", "30"], "").await;
    assert!(out.contains("outbox is empty"), "{out}");
    let status: serde_json::Value =
        serde_json::from_str(t.ok(&["status", "--json"], "").await.trim()).unwrap();
    assert_eq!(status["queued"], 0);

    let dir = tempfile::tempdir().unwrap();
    let bob = other_client(&server, dir.path(), "bob").await;
    let room = room_named(&bob, "general").await;
    eventually(10, "the message at bob's", || {
        let bob = bob.clone();
        async move {
            let page = bob.timeline(room, None, 100).await.unwrap();
            page.items.iter().any(|i| i.body == "written on the train")
        }
    })
    .await;
    let page = bob.timeline(room, None, 100).await.unwrap();
    let n = page
        .items
        .iter()
        .filter(|i| i.body == "written on the train")
        .count();
    assert_eq!(n, 1, "delivered exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tail_prints_new_messages() {
    use tokio::io::AsyncBufReadExt;
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    t.login("alice").await;
    let mut child = t.command(&["tail", "general"]).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let dir = tempfile::tempdir().unwrap();
    let bob = other_client(&server, dir.path(), "bob").await;
    let mut general = None;
    while general.is_none() {
        general = bob
            .rooms()
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.name == "general" && !r.local_only)
            .map(|r| r.id);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let general = general.unwrap();
    // tail prints what arrives after its catch-up, which has no signal of
    // its own: bob writes until a line shows (a message sent before tail
    // was ready is, rightly, not printed), then it must be his.
    // Regression: a fixed 2 s head start was not enough on a busy machine.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut n = 0;
    let line = loop {
        assert!(std::time::Instant::now() < deadline, "tail printed nothing");
        n += 1;
        bob.send(general, &format!("tail should print this {n}"))
            .await
            .unwrap();
        if let Ok(line) = tokio::time::timeout(Duration::from_secs(1), lines.next_line()).await {
            break line.unwrap().expect("tail is still running");
        }
    };
    assert!(
        line.contains("Bob Builder: tail should print this"),
        "{line}"
    );
    // And each later message once, in order.
    bob.send(general, "and this one after it").await.unwrap();
    let mut rest = Vec::new();
    while !rest
        .iter()
        .any(|l: &String| l.contains("and this one after it"))
    {
        let l = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("tail prints the next message within 10 s")
            .unwrap()
            .unwrap();
        rest.push(l);
    }
    assert_eq!(
        rest.iter()
            .filter(|l| l.contains("and this one after it"))
            .count(),
        1
    );
    child.kill().await.unwrap();
}

/// `tern upload`: online the file lands in the room (and its bytes come
/// back through the server); offline it is queued, said so, exit 0, and
/// the next `tern sync` delivers it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn upload_sends_a_file_and_queues_it_offline() {
    let mut server = TestServer::demo().await;
    let t = Tern::new(&server);
    t.login("alice").await;
    let file = t.dir.path().join("notes.txt");
    std::fs::write(&file, "the quarterly notes\n".repeat(1000)).unwrap();
    let path = file.to_str().unwrap();

    let out = t.ok(&["upload", "general", path], "").await;
    assert!(out.contains("sent to demo/general"), "{out}");
    let out = t
        .ok(
            &["--json", "upload", "general", path, "--caption", "again"],
            "",
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["state"], "sent", "{v}");
    assert_eq!(v["file"], "notes.txt");
    assert_eq!(v["size"], 20_000);
    let read = t.ok(&["read", "general", "--limit", "3"], "").await;
    assert!(read.contains("1 attachment"), "{read}");
    assert!(read.contains("again"), "{read}");
    // Search filters: sender, with or without a file, days.
    let hits = |out: String| out.lines().filter(|l| !l.trim().is_empty()).count();
    let found = t
        .ok(
            &["--json", "search", "again", "--has-file", "--from", "alice"],
            "",
        )
        .await;
    assert_eq!(hits(found), 1);
    let found = t.ok(&["search", "again", "--no-file"], "").await;
    assert_eq!(hits(found), 0);
    let found = t.ok(&["search", "again", "--from", "bob"], "").await;
    assert_eq!(hits(found), 0);
    let found = t
        .ok(
            &[
                "search",
                "again",
                "--after",
                "2000-01-01",
                "--before",
                "2999-01-01",
            ],
            "",
        )
        .await;
    assert_eq!(hits(found), 1);
    let o = t
        .run(&["search", "again", "--from", "nobody-at-all"], "")
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = t.run(&["search", "again", "--after", "soon"], "").await;
    assert_eq!(o.code, 2, "{}", o.stderr);

    // Another client sees the file and gets the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let bob = other_client(&server, dir.path(), "bob").await;
    let mut got = None;
    for _ in 0..100 {
        if let Some(room) = bob
            .rooms()
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.name == "general")
        {
            let page = bob.timeline(room.id, None, 20).await.unwrap();
            if let Some(i) = page.items.iter().rev().find(|i| i.body == "again") {
                got = i.attachments.first().copied();
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let fid = got.expect("bob sees the upload");
    let cached = bob.download(fid).await.unwrap();
    assert_eq!(
        std::fs::read(cached).unwrap(),
        std::fs::read(&file).unwrap()
    );

    // Offline: queued, said so, exit 0.
    server.stop().await;
    let out = t
        .run(
            &["upload", "general", path, "--caption", "from the train"],
            "",
        )
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("queued for demo/general"),
        "{}",
        out.stdout
    );
    let out = t.ok(&["--json", "status"], "").await;
    let status: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(status["queued"], 1);
    // A missing file is a usage error.
    let o = t.run(&["upload", "general", "/nonexistent/file"], "").await;
    assert_eq!(o.code, 2, "{}", o.stderr);

    server.start_again().await;
    let out = t.ok(&["sync", "--timeout", "30"], "").await;
    assert!(out.contains("outbox is empty"), "{out}");
    let mut n = 0;
    for _ in 0..100 {
        let room = bob
            .rooms()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.name == "general")
            .unwrap();
        let page = bob.timeline(room.id, None, 50).await.unwrap();
        n = page
            .items
            .iter()
            .filter(|i| i.body == "from the train" && i.attachments.len() == 1)
            .count();
        if n > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(n, 1, "delivered exactly once");
}

/// `--locale ru` (or LANG=ru_RU.UTF-8) speaks Russian; JSON keys stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn headless_output_follows_the_locale() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    let out = t
        .ok(
            &["--locale", "ru", "login", "--username", "alice"],
            &format!("{}\n", crate::helpers::PASSWORD),
        )
        .await;
    assert!(out.contains("вы вошли как alice"), "{out}");
    let out = t
        .ok(&["--locale", "ru", "send", "general", "привет"], "")
        .await;
    assert!(out.contains("отправлено в demo/general"), "{out}");
    let out = t.ok(&["--locale", "ru", "status"], "").await;
    assert!(out.contains("связь: В сети"), "{out}");
    assert!(out.contains("в очереди: 0"), "{out}");
    let o = t.run(&["--locale", "ru", "read", "nowhere"], "").await;
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("здесь нет комнаты «nowhere»"),
        "{}",
        o.stderr
    );
    // The system's language, when no flag or config says otherwise.
    let mut c = t.command(&["status"]);
    c.env("LANG", "ru_RU.UTF-8");
    let o = c.output().await.unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("связь:"), "{text}");
    // JSON does not change with the language.
    let out = t.ok(&["--locale", "ru", "--json", "status"], "").await;
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["connection"], "online");
}

/// Point 1: `--profile` keeps accounts apart, and a bad config file is
/// named with its line on stderr while the command still runs on the
/// defaults.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn profiles_are_apart_and_a_bad_config_still_runs() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    let out = t
        .ok(
            &["--profile", "work", "login", "--username", "bob"],
            &format!("{}\n", crate::helpers::PASSWORD),
        )
        .await;
    assert!(out.contains("signed in as bob"), "{out}");
    assert!(t.data_dir().join("work").is_dir());
    let out = t.ok(&["--profile", "work", "--json", "status"], "").await;
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["connection"], "online");
    // The default profile has no account.
    let o = t.run(&["rooms"], "").await;
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("not signed in"), "{}", o.stderr);

    let cfg = t.dir.path().join("config").join("tern");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        "# mine\ntheme = \"purple\"\n[keys]\nquit = \"q\"\n",
    )
    .unwrap();
    let o = t.run(&["--profile", "work", "rooms"], "").await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("demo/general"), "{}", o.stdout);
    let path = cfg.join("config.toml");
    assert!(
        o.stderr
            .contains(&format!("Bad config file {}, line 2", path.display())),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("using the defaults"), "{}", o.stderr);
}
