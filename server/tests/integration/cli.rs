//! The `tern-server` binary: help, clear one-line errors, demo seeding,
//! admin commands.

use std::process::{Command, Stdio};

use serde_json::json;

use crate::helpers::{ServerProcess, free_port};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tern-server"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_clear_line(stderr: &str, needle: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr:?}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(
        lines[0].contains(needle),
        "{stderr} should mention {needle}"
    );
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));
}

#[test]
fn help_on_every_command() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
        vec!["admin", "--help"],
        vec!["admin", "create-user", "--help"],
        vec!["admin", "set-role", "--help"],
        vec!["admin", "deactivate", "--help"],
        vec!["admin", "activate", "--help"],
    ] {
        let (code, out, _) = run(&args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
    let (_, out, _) = run(&["serve", "--help"]);
    for flag in [
        "--data-dir",
        "--listen",
        "--demo",
        "--database-url",
        "--redis-url",
        "TERN_DATA_DIR",
        "TERN_LISTEN",
    ] {
        assert!(out.contains(flag), "serve --help names {flag}");
    }
}

#[test]
fn bad_flags_taken_ports_and_unwritable_dirs_fail_clearly() {
    let (code, _, err) = run(&["serve", "--bogus"]);
    assert_eq!(code, 2);
    assert_one_clear_line(&err, "--bogus");
    let (code, _, err) = run(&["serve", "--listen", "not-an-address"]);
    assert_eq!(code, 2);
    assert_one_clear_line(&err, "not-an-address");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&[
        "serve",
        "--listen",
        &addr,
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert_one_clear_line(&err, "cannot listen");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let under_file = file.join("data");
    let (code, _, err) = run(&["migrate", "--data-dir", under_file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_one_clear_line(&err, "cannot use data dir");
    let (code, _, err) = run(&[
        "migrate",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        "postgres://x/y",
    ]);
    assert_eq!(code, 2);
    assert_one_clear_line(&err, "database-url");
    let (code, _, _) = run(&[]);
    assert_eq!(code, 2, "no command is a usage error");
}

#[tokio::test]
async fn demo_seeds_once_and_admin_commands_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_owned();
    let (code, out, err) = run(&["migrate", "--data-dir", &d]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("up to date"));
    for round in 0..2 {
        let mut server =
            ServerProcess::spawn_with(&d, free_port(), &["--demo"], Stdio::piped()).await;
        let base = server.base.clone();
        let http = reqwest::Client::new();
        let login = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"login": "bob", "password": "tern-demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200, "round {round}");
        let pair: serde_json::Value = login.json().await.unwrap();
        let token = pair["access_token"].as_str().unwrap();
        let sync: serde_json::Value = http
            .post(format!("{base}/api/v1/sync"))
            .bearer_auth(token)
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rooms = sync["rooms"].as_object().unwrap();
        assert_eq!(rooms.len(), 1, "round {round}: one room");
        let general = rooms.values().next().unwrap();
        assert_eq!(general["room"]["name"], "general");
        assert_eq!(general["room"]["member_count"], 3);
        let msgs = general["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "message")
            .count();
        assert_eq!(msgs, 3, "round {round}: three messages, not six");
        server.kill();
        let mut stdout = String::new();
        std::io::Read::read_to_string(&mut server.child.stdout.take().unwrap(), &mut stdout)
            .unwrap();
        for user in ["alice", "bob", "carol", "helper", "tern-demo"] {
            assert!(stdout.contains(user), "the logins are printed: {stdout}");
        }
    }
    let conn = rusqlite::Connection::open(dir.path().join("tern.db")).unwrap();
    let metas: i64 = conn
        .query_row("SELECT count(*) FROM meta", [], |r| r.get(0))
        .unwrap();
    assert_eq!(metas, 5);
    let workspaces: Vec<(String, String)> = conn
        .prepare("SELECT slug, kind FROM workspaces ORDER BY slug")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        workspaces,
        vec![
            ("demo".into(), "client".into()),
            ("system".into(), "system".into())
        ]
    );
    drop(conn);
    // Admin commands.
    let (code, out, err) = run(&[
        "admin",
        "create-user",
        "--data-dir",
        &d,
        "--username",
        "dave",
        "--email",
        "dave@example.test",
        "--password",
        "password-123",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created user dave"));
    let (code, _, err) = run(&[
        "admin",
        "create-user",
        "--data-dir",
        &d,
        "--username",
        "dave",
        "--email",
        "d2@example.test",
        "--password",
        "password-123",
    ]);
    assert_eq!(code, 1);
    assert_one_clear_line(&err, "username is taken");
    let (code, _, err) = run(&[
        "admin",
        "set-role",
        "--data-dir",
        &d,
        "--username",
        "dave",
        "--role",
        "admin",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&[
        "admin",
        "deactivate",
        "--data-dir",
        &d,
        "--username",
        "nobody",
    ]);
    assert_eq!(code, 1);
    assert_one_clear_line(&err, "no user named");
    let (code, _, err) = run(&[
        "admin",
        "deactivate",
        "--data-dir",
        &d,
        "--username",
        "dave",
    ]);
    assert_eq!(code, 0, "{err}");
    let server = ServerProcess::spawn(&d, free_port(), &[]).await;
    let base = server.base.clone();
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "dave", "password": "password-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let b: serde_json::Value = r.json().await.unwrap();
    assert_eq!(b["error"]["code"], "user_deactivated");
    drop(server);
}
