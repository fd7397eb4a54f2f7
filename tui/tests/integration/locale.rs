//! The user's language reaches every word of the real binary: `--help`,
//! usage lines and parse errors (clap's own English replaced from the
//! catalogs, exit code 2 kept), and client-core's errors, on stderr and
//! in the UI.

use tern_client_core::i18n::Translator;
use tern_tui::app::{Action, Cmd};
use tern_tui::cli::Global;
use tern_tui::config::Loaded;
use tern_tui::session::Session;
use tokio::sync::mpsc;

use crate::helpers::{Out, Tern, TestServer};

/// `tern ARGS` with extra environment variables.
async fn run_env(t: &Tern, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut c = t.command(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().await.unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Words of clap's that must never show.
const CLAP_ENGLISH: &[&str] = &[
    "Usage:",
    "Options:",
    "Commands:",
    "Arguments:",
    "Print help",
    "[default:",
    "[env:",
    "[possible values",
    "error:",
    "tip:",
    "For more information",
    "[OPTIONS]",
];

/// Asserts that `text` holds every one of `want`.
fn holds(text: &str, want: &[&str]) {
    for w in want {
        assert!(text.contains(w), "{w:?} missing:\n{text}");
    }
}

/// Asserts that none of clap's English words shows in `text`.
fn no_clap_english(text: &str) {
    for e in CLAP_ENGLISH {
        assert!(!text.contains(e), "{e:?} shows:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_and_usage_errors_in_english() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);

    let o = t.run(&["--help"], "").await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    holds(
        &o.stdout,
        &[
            "Tern in the terminal",
            "Usage: tern [OPTIONS] [COMMAND]",
            "Commands:",
            "Options:",
            "Sign in (password from stdin",
            "--server <URL>",
            "--profile <NAME>",
            "variable TERN_LOCALE",
            "-h, --help",
        ],
    );
    let o = t.run(&["send", "--help"], "").await;
    assert_eq!(o.code, 0);
    assert!(
        o.stdout
            .contains("Usage: tern send [OPTIONS] <ROOM> [TEXT]"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("Arguments:"), "{}", o.stdout);
    assert!(o.stdout.contains("(default: 5)"), "{}", o.stdout);
    let o = t.run(&["--version"], "").await;
    assert_eq!(o.code, 0);
    assert!(o.stdout.starts_with("tern "), "{}", o.stdout);

    let o = t.run(&["sned", "general", "hi"], "").await;
    assert_eq!(o.code, 2);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    holds(
        &o.stderr,
        &[
            "tern: there is no command “sned”",
            "did you mean “send”?",
            "Usage: tern [OPTIONS] [COMMAND]",
            "More: tern --help",
        ],
    );
    let o = t.run(&["read"], "").await;
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("missing: <ROOM>"), "{}", o.stderr);
    assert!(o.stderr.contains("More: tern read --help"), "{}", o.stderr);
    let o = t.run(&["read", "general", "--limit", "many"], "").await;
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("“many” is not a valid value for --limit <N>"),
        "{}",
        o.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_and_usage_errors_in_russian() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);

    let o = t.run(&["--locale", "ru", "--help"], "").await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    holds(
        &o.stdout,
        &[
            "Tern в терминале",
            "Использование: tern [ПАРАМЕТРЫ] [КОМАНДА]",
            "Команды:",
            "Параметры:",
            "Войти (пароль из stdin",
            "--server <АДРЕС>",
            "Показать справку",
            "переменная TERN_LOCALE",
        ],
    );
    no_clap_english(&o.stdout);

    // TERN_LOCALE, a subcommand's help.
    let o = run_env(&t, &["upload", "--help"], &[("TERN_LOCALE", "ru")]).await;
    assert_eq!(o.code, 0);
    holds(
        &o.stdout,
        &[
            "Использование: tern upload [ПАРАМЕТРЫ] <КОМНАТА> <ПУТЬ>",
            "Аргументы:",
            "Файл для отправки",
            "(по умолчанию 60)",
        ],
    );
    no_clap_english(&o.stdout);

    // The system's language (LANG), a mistyped command: exit 2.
    let o = run_env(&t, &["sned", "general", "hi"], &[("LANG", "ru_RU.UTF-8")]).await;
    assert_eq!(o.code, 2);
    holds(
        &o.stderr,
        &[
            "tern: нет команды «sned»",
            "может быть, «send»?",
            "Использование: tern [ПАРАМЕТРЫ] [КОМАНДА]",
            "Подробнее: tern --help",
        ],
    );
    no_clap_english(&o.stderr);

    let o = t.run(&["--locale", "ru", "read"], "").await;
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("не хватает: <КОМНАТА>"), "{}", o.stderr);
    assert!(
        o.stderr.contains("Подробнее: tern read --help"),
        "{}",
        o.stderr
    );
    let o = t
        .run(
            &["--locale", "ru", "read", "general", "--limit", "много"],
            "",
        )
        .await;
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("«много» — недопустимое значение для --limit <N>"),
        "{}",
        o.stderr
    );
    let o = t
        .run(&["--locale=ru", "--secrets", "nowhere", "status"], "")
        .await;
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("возможны: auto, file, keyring"),
        "{}",
        o.stderr
    );
    let o = t
        .run(
            &["--locale", "ru", "search", "x", "--has-file", "--no-file"],
            "",
        )
        .await;
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("нельзя указывать вместе с"),
        "{}",
        o.stderr
    );

    // The config file's `locale`, when no flag or variable says.
    let cfg = t.dir.path().join("config").join("tern");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "locale = \"ru\"\n").unwrap();
    let o = t.run(&["--help"], "").await;
    assert!(o.stdout.contains("Использование:"), "{}", o.stdout);
    // The flag wins over the config.
    let o = t.run(&["--locale", "en", "--help"], "").await;
    assert!(o.stdout.contains("Usage:"), "{}", o.stdout);
}

/// client-core's errors reach the user in their language: a wrong
/// password in `tern login`, and from the UI's worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn core_errors_are_told_in_the_users_language() {
    let server = TestServer::demo().await;
    let t = Tern::new(&server);
    let o = t
        .run(&["login", "--username", "alice"], "not the password\n")
        .await;
    assert_eq!(o.code, 1);
    assert_eq!(o.stderr.trim(), "tern: Wrong username or password");
    let o = t
        .run(
            &["--locale", "ru", "login", "--username", "alice"],
            "not the password\n",
        )
        .await;
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr.trim(),
        "tern: Неверное имя пользователя или пароль"
    );
    // The server away: no English from the network stack.
    let dead = Tern {
        dir: tempfile::tempdir().unwrap(),
        server: "http://127.0.0.1:9".into(),
    };
    let o = dead
        .run(
            &["--locale", "ru", "login", "--username", "alice"],
            "tern-demo\n",
        )
        .await;
    assert_eq!(o.code, 1);
    assert_eq!(o.stderr.trim(), "tern: Нет связи с сервером");

    // Input client-core refuses (a message over the limit): the reason
    // is told whole in the user's language, nothing sent.
    t.login("alice").await;
    let long = "я".repeat(16_001);
    let o = t.run(&["send", "general", &long], "").await;
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(
        o.stderr.trim(),
        "tern: A message must have 1 to 16000 characters, not only spaces"
    );
    let o = run_env(&t, &["send", "general", &long], &[("LANG", "ru_RU.UTF-8")]).await;
    assert_eq!(o.code, 1, "{}", o.stderr);
    let told = o.stderr.trim();
    assert_eq!(
        told,
        "tern: В сообщении должно быть от 1 до 16000 символов, не только пробелы"
    );
    assert!(
        !told
            .trim_start_matches("tern: ")
            .contains(|c: char| c.is_ascii_alphabetic()),
        "English in {told:?}"
    );
    let o = t.ok(&["read", "general", "--limit", "50"], "").await;
    assert!(!o.contains("яяяя"), "{o}");

    // The UI's worker: a failed sign-in and a failed request.
    for (locale, wrong, refused) in [
        ("en", "Wrong username or password", "This username is taken"),
        (
            "ru",
            "Неверное имя пользователя или пароль",
            "Это имя пользователя занято",
        ),
    ] {
        let t = Tern::new(&server);
        let global = Global {
            server: Some(t.server.clone()),
            profile: "default".into(),
            data_dir: Some(t.data_dir()),
            config: None,
            locale: Some(locale.into()),
            json: false,
            secrets: tern_tui::cli::Secrets::File,
            ca_cert: None,
        };
        let session = Session::new(global, Loaded::default(), time::UtcOffset::UTC);
        assert_eq!(session.tr.locale(), Translator::for_locale(locale).locale());
        let client = session.open_client().await.unwrap();
        let (to_ui, _events) = mpsc::unbounded_channel();
        let worker = tern_tui::worker::spawn(session, client, to_ui);
        let answer = worker
            .request(Cmd::Login {
                server: t.server.clone(),
                login: "alice".into(),
                password: "not the password".into(),
            })
            .await
            .unwrap();
        assert!(
            matches!(answer.as_slice(), [Action::LoginFailed(m)] if m == wrong),
            "{locale}: {answer:?}"
        );
        let answer = worker
            .request(Cmd::Register {
                server: t.server.clone(),
                username: "bob".into(),
                email: "another-bob@example.com".into(),
                password: "long enough password".into(),
            })
            .await
            .unwrap();
        assert!(
            matches!(answer.as_slice(), [Action::LoginFailed(m)] if m == refused),
            "{locale}: {answer:?}"
        );
    }
}
