//! The real binary in tmux against a real (in-process) server: log in,
//! read the demo room, receive another client's message within 2 s, lose
//! the server and keep reading and searching, send while offline, get the
//! server back and see the message delivered once. Also: a panic restores
//! the terminal and leaves a report in the log.
//!
//! Needs `tmux`; without it the test says so and passes.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::helpers::{Tern, TestServer, other_client, room_named, tern_bin};

struct Tmux {
    socket: String,
}

impl Tmux {
    /// True (and says the test is skipped) when tmux is not installed.
    fn missing(test: &str) -> bool {
        let there = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !there {
            println!("SKIPPED {test}: tmux is not installed (apt-get install -y tmux)");
        }
        !there
    }

    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        Self {
            socket: format!("tern-test-{tag}-{}-{nanos}", std::process::id()),
        }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts tern in a 100x30 session; with `linger`, the pane stays
    /// after tern exits and shows `exit=CODE`.
    fn start(&self, t: &Tern, extra_env: &str, linger: bool) {
        let mut cmd = format!(
            "env -u NO_COLOR -u TERN_LOCALE -u LC_ALL -u LC_MESSAGES LANG=C.UTF-8 XDG_CONFIG_HOME={cfg} XDG_STATE_HOME={state} TERN_SECRETS=file TERM=xterm-256color {extra_env} {bin} --data-dir {data} --server {server}",
            cfg = t.dir.path().join("config").display(),
            state = t.dir.path().join("state").display(),
            bin = tern_bin().display(),
            data = t.data_dir().display(),
            server = t.server,
        );
        if linger {
            // Keeps the pane (and what tern wrote last) after it exits.
            cmd.push_str("; echo \"exit=$?\"; sleep 30");
        }
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args([
                "new-session",
                "-d",
                "-s",
                "tern",
                "-x",
                "100",
                "-y",
                "30",
                &cmd,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.tmux(&["set-option", "-t", "tern", "remain-on-exit", "on"]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "tern"])
    }

    /// The screen with its attributes as escape sequences.
    fn screen_escaped(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-t", "tern"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "tern"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    fn text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "tern", "-l", text]);
    }

    async fn wait_for(&self, what: &str, secs: u64) -> Duration {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "{what:?} did not show within {secs} s; the screen:\n{s}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The screen's words, rows joined: a wrapped line reads whole.
    fn words(&self) -> String {
        self.screen()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Like [`Tmux::wait_for`], across rows (`what` in single spaces).
    async fn wait_for_words(&self, what: &str, secs: u64) {
        let start = Instant::now();
        loop {
            if self.words().contains(what) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "{what:?} did not show within {secs} s; the screen:\n{}",
                self.screen()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_gone(&self, what: &str, secs: u64) {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if !s.contains(what) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "{what:?} still shows after {secs} s; the screen:\n{s}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Whether any SGR sequence on the screen sets a colour (foreground or
/// background, 16, 256 or true colour).
fn has_colour(escaped: &str) -> bool {
    escaped.split("\x1b[").skip(1).any(|seq| {
        let Some(end) = seq.find(|c: char| !(c.is_ascii_digit() || c == ';' || c == ':')) else {
            return false;
        };
        if !seq[end..].starts_with('m') {
            return false;
        }
        seq[..end].split([';', ':']).any(|p| {
            matches!(
                p.parse::<u32>(),
                Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
            )
        })
    })
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_real_binary_in_tmux() {
    if Tmux::missing("the_real_binary_in_tmux") {
        return;
    }
    let mut server = TestServer::demo().await;
    let t = Tern::new(&server);
    let tmux = Tmux::new("e2e");
    tmux.start(&t, "", true);

    // First run: the login screen.
    tmux.wait_for("Sign in to Tern", 10).await;
    tmux.text("alice");
    tmux.keys(&["Tab"]);
    tmux.text("tern-demo");
    tmux.keys(&["Enter"]);
    // The demo room is read.
    tmux.wait_for("Welcome to Tern!", 15).await;
    tmux.wait_for("Online", 15).await;
    // Colours by default (the NO_COLOR run below must show none).
    assert!(has_colour(&tmux.screen_escaped()), "no colour on screen");

    // Another client's message shows within 2 s.
    let dir = tempfile::tempdir().unwrap();
    let bob = other_client(&server, dir.path(), "bob").await;
    let general = room_named(&bob, "general").await;
    bob.send(general, "ping from bob").await.unwrap();
    let took = tmux.wait_for("ping from bob", 5).await;
    assert!(took < Duration::from_secs(2), "the message took {took:?}");

    // The server goes away: the UI says so and stays usable.
    server.stop().await;
    tmux.wait_for("Offline", 15).await;
    let s = tmux.screen();
    assert!(
        s.contains("Welcome to Tern!") && s.contains("ping from bob"),
        "{s}"
    );
    tmux.keys(&["Tab"]); // the timeline
    tmux.keys(&["k", "k", "j"]);
    tmux.keys(&["/"]);
    tmux.wait_for("Search in general", 5).await;
    tmux.text("привет");
    tmux.keys(&["Enter"]);
    tmux.wait_for("2 results", 5).await;
    tmux.keys(&["Escape"]);
    tmux.wait_gone("2 results", 5).await;

    // Sending while offline queues it, visibly.
    tmux.keys(&["i"]);
    tmux.text("sent from the train");
    tmux.keys(&["Enter"]);
    tmux.wait_for("sent from the train ⏳", 5).await;

    // The server is back: delivered once.
    server.start_again().await;
    tmux.wait_for("Online", 30).await;
    tmux.wait_gone("sent from the train ⏳", 30).await;
    let mut n = 0;
    for _ in 0..100 {
        let page = bob.timeline(general, None, 100).await.unwrap();
        n = page
            .items
            .iter()
            .filter(|i| i.body == "sent from the train")
            .count();
        if n > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(n, 1, "delivered exactly once");

    // Quit: the terminal is given back.
    tmux.keys(&["C-c"]);
    tmux.wait_for("exit=0", 10).await;
    let s = tmux.screen();
    assert!(
        !s.contains("Welcome to Tern!"),
        "the alternate screen was left:\n{s}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_restores_the_terminal_and_logs_a_report() {
    if Tmux::missing("a_panic_restores_the_terminal_and_logs_a_report") {
        return;
    }
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    let tmux = Tmux::new("panic");
    tmux.start(&t, "TERN_TEST_PANIC=1", true);
    tmux.wait_for("exit=101", 15).await;
    let s = tmux.screen();
    let log = std::fs::read_to_string(t.data_dir().join("tern.log")).unwrap_or_default();
    assert!(
        s.contains("tern stopped after an internal error"),
        "{s}\n{log}"
    );
    assert!(
        !s.contains("Sign in to Tern"),
        "the UI is still on screen:\n{s}"
    );
    assert!(log.contains("tern panicked"), "{log}");
    assert!(log.contains("TERN_TEST_PANIC"), "{log}");
}

/// Files in the real binary: `:upload` shows a progress bar that reaches
/// 100%, `:save` copies the attachment to the download folder (and, with
/// the server gone, from the cache to another path), `:open` without a
/// system opener says so, `:members` lists the room.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn upload_save_and_open_in_tmux() {
    if Tmux::missing("upload_save_and_open_in_tmux") {
        return;
    }
    let mut server = TestServer::demo().await;
    let t = Tern::new(&server);
    t.login("alice").await;
    let downloads = t.dir.path().join("dl");
    std::fs::create_dir_all(t.dir.path().join("config")).unwrap();
    std::fs::write(
        t.dir.path().join("config").join("user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )
    .unwrap();
    let file = t.dir.path().join("big.bin");
    let bytes: Vec<u8> = (0..(4u32 << 20)).map(|i| (i % 251) as u8).collect();
    std::fs::write(&file, &bytes).unwrap();

    let tmux = Tmux::new("files");
    // No system opener on PATH; NO_COLOR set.
    tmux.start(&t, "PATH=/nonexistent NO_COLOR=1", true);
    tmux.wait_for("Welcome to Tern!", 15).await;
    tmux.wait_for("Online", 15).await;
    let escaped = tmux.screen_escaped();
    assert!(!has_colour(&escaped), "colour under NO_COLOR:\n{escaped:?}");

    tmux.keys(&[":"]);
    tmux.text(&format!("upload {}", file.display()));
    tmux.keys(&["Enter"]);
    tmux.wait_for("⬆ big.bin", 10).await;
    tmux.wait_for("100% uploaded", 20).await;
    tmux.wait_for("big.bin · 4.0 MB · application/octet-stream", 20)
        .await;
    tmux.wait_gone("⏳", 20).await;

    // Saved to the XDG download folder by default.
    tmux.keys(&[":"]);
    tmux.text("save");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Saved big.bin to", 20).await;
    // It came down from the server first, with its bar.
    tmux.wait_for("⬇ big.bin", 5).await;
    tmux.wait_for("100% downloaded", 5).await;
    let saved = downloads.join("big.bin");
    assert_eq!(std::fs::read(&saved).unwrap(), bytes);

    // No opener: a clear message, not a crash.
    tmux.keys(&[":"]);
    tmux.text("open");
    tmux.keys(&["Enter"]);
    tmux.wait_for("No program to open files (xdg-open)", 10)
        .await;

    tmux.keys(&[":"]);
    tmux.text("members");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Members of general", 10).await;
    tmux.wait_for("@bob", 10).await;
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Members of general", 5).await;

    // Offline, the cached file is saved again.
    server.stop().await;
    tmux.wait_for("Offline", 15).await;
    let copy = t.dir.path().join("elsewhere").join("copy.bin");
    tmux.keys(&[":"]);
    tmux.text(&format!("save {}", copy.display()));
    tmux.keys(&["Enter"]);
    tmux.wait_for("Saved big.bin to", 10).await;
    assert_eq!(std::fs::read(&copy).unwrap(), bytes);

    tmux.keys(&["C-c"]);
    tmux.wait_for("exit=0", 10).await;
}

/// `:open` with a system opener: a recording stand-in for `xdg-open`,
/// first on PATH, must be handed the cached file's path (the file there
/// holding the attachment's bytes), online after the download and again
/// with the server gone, from the cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn open_hands_the_cached_file_to_the_opener_even_offline() {
    if Tmux::missing("open_hands_the_cached_file_to_the_opener_even_offline") {
        return;
    }
    let mut server = TestServer::demo().await;
    let t = Tern::new(&server);
    t.login("alice").await;

    // Bob sends the file, so alice has to download it first.
    let dir = tempfile::tempdir().unwrap();
    let bob = other_client(&server, dir.path(), "bob").await;
    let general = room_named(&bob, "general").await;
    let file = dir.path().join("report.pdf");
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(&file, &bytes).unwrap();
    bob.send_file(general, &file, "the quarterly report")
        .await
        .unwrap();
    crate::helpers::eventually(20, "bob's upload delivered", || {
        let bob = bob.clone();
        async move { bob.outbox().await.unwrap().is_empty() }
    })
    .await;

    // The stand-in opener records each path it is given.
    let bin = t.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let record = t.dir.path().join("opened.txt");
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let opened = || -> Vec<String> {
        std::fs::read_to_string(&record)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    };

    let tmux = Tmux::new("open");
    tmux.start(&t, &format!("PATH={}:/usr/bin:/bin", bin.display()), true);
    tmux.wait_for("the quarterly report", 15).await;
    tmux.wait_for("Online", 15).await;
    tmux.keys(&[":"]);
    tmux.text("open");
    tmux.keys(&["Enter"]);
    // The whole path, wrapped above the status bar it does not fit.
    tmux.wait_for_words(&format!("Opened {}", t.data_dir().display()), 20)
        .await;
    crate::helpers::eventually(10, "the opener to run", || {
        let n = opened().len();
        async move { n == 1 }
    })
    .await;
    let first = std::path::PathBuf::from(&opened()[0]);
    assert!(
        first.starts_with(t.data_dir()),
        "{} is not in the profile's cache",
        first.display()
    );
    assert_eq!(std::fs::read(&first).unwrap(), bytes);

    // With the server gone, the cached file opens all the same.
    server.stop().await;
    tmux.wait_for("Offline", 15).await;
    tmux.keys(&[":"]);
    tmux.text("open");
    tmux.keys(&["Enter"]);
    crate::helpers::eventually(10, "the opener to run again, offline", || {
        let n = opened().len();
        async move { n == 2 }
    })
    .await;
    assert_eq!(std::path::PathBuf::from(&opened()[1]), first);
    let s = tmux.screen();
    assert!(!s.contains("No program to open files"), "{s}");

    tmux.keys(&["C-c"]);
    tmux.wait_for("exit=0", 10).await;
}

/// A bad config file: the full-screen client starts all the same, on the
/// defaults, and says on screen which line is wrong. A TOML syntax error
/// on the login screen (in English), then a bad value at a signed-in start
/// (in Russian); in both the app goes on as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_config_file_is_named_by_line_and_the_app_starts() {
    if Tmux::missing("a_bad_config_file_is_named_by_line_and_the_app_starts") {
        return;
    }
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    let dir = t.dir.path().join("config").join("tern");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");

    // A syntax error on line 3; no session yet: the login screen.
    std::fs::write(&path, "# mine\ntheme = \"dark\"\nnotifications = yes\n").unwrap();
    let tmux = Tmux::new("badcfg-en");
    tmux.start(&t, "", true);
    tmux.wait_for("Sign in to Tern", 10).await;
    // On the UI's own screen (what tern wrote to stderr before it is
    // behind the alternate screen).
    tmux.wait_for_words(&format!("Bad config file {}, line 3:", path.display()), 5)
        .await;
    assert!(
        tmux.words().contains("using the defaults"),
        "{}",
        tmux.screen()
    );
    // Usable on the defaults: sign in, the demo room shows.
    tmux.text("alice");
    tmux.keys(&["Tab"]);
    tmux.text("tern-demo");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Welcome to Tern!", 15).await;
    tmux.wait_for("Online", 15).await;
    // The notice went with the first key.
    assert!(
        !tmux.words().contains("Bad config file"),
        "{}",
        tmux.screen()
    );
    tmux.keys(&["C-c"]);
    tmux.wait_for("exit=0", 10).await;
    drop(tmux);

    // A bad value on line 2, signed in already, in Russian: the main
    // screen with the notice, in the status bar or just above it.
    std::fs::write(&path, "# мои настройки\ntheme = \"purple\"\n").unwrap();
    let tmux = Tmux::new("badcfg-ru");
    tmux.start(&t, "LANG=ru_RU.UTF-8", true);
    tmux.wait_for("В сети", 15).await;
    tmux.wait_for("general", 15).await;
    tmux.wait_for_words(
        &format!("Ошибка в файле настроек {}, строка 2:", path.display()),
        5,
    )
    .await;
    assert!(
        tmux.words().contains("действуют настройки по умолчанию"),
        "{}",
        tmux.screen()
    );
    // Keys work; the first one takes the notice away.
    tmux.keys(&["Down"]);
    let start = Instant::now();
    while tmux.words().contains("Ошибка в файле настроек") {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the notice stays:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tmux.wait_for("В сети", 5).await;
    tmux.keys(&["C-c"]);
    tmux.wait_for("exit=0", 10).await;
}
