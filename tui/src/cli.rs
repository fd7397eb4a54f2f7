//! Command-line arguments: global flags shared by the full-screen UI and
//! the headless commands.
//!
//! The arguments are declared with clap's derive; the words a user reads
//! (`--help`, the usage line, parse errors) come from the client-core
//! catalogs instead of clap's English: [`parse`] rewrites the built
//! command's help texts, headings, value names and usage lines from
//! `cli-*` messages, and turns a parse error into a message of ours from
//! the error's kind and context. Usage errors still exit with 2.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::{ContextKind, ErrorKind};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use tern_client_core::i18n::Translator;

/// Tern in the terminal. Without a command, the full-screen client.
#[derive(Debug, Parser)]
#[command(name = "tern", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Debug, Args)]
pub struct Global {
    /// Server URL (default: the one this profile signed in to)
    #[arg(long, global = true, env = "TERN_SERVER")]
    pub server: Option<String>,
    /// Profile name: one account and its local data
    #[arg(long, global = true, env = "TERN_PROFILE", default_value = "default")]
    pub profile: String,
    /// Folder holding the profiles (default: $XDG_DATA_HOME/tern)
    #[arg(long, global = true, env = "TERN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file (default: $XDG_CONFIG_HOME/tern/config.toml)
    #[arg(long, global = true, env = "TERN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Language of the messages: en or ru (default: the config's
    /// `locale`, else the system's)
    #[arg(long, global = true, env = "TERN_LOCALE")]
    pub locale: Option<String>,
    /// Machine-readable output (headless commands)
    #[arg(long, global = true)]
    pub json: bool,
    /// Where sign-in tokens are kept: the OS keyring when it works (auto),
    /// always a 0600 file, or always the keyring
    #[arg(long, global = true, env = "TERN_SECRETS", value_enum, default_value_t = Secrets::Auto)]
    pub secrets: Secrets,
    /// A CA certificate (PEM) to trust besides the system's, for a
    /// self-hosted server on https
    #[arg(long, global = true, env = "TERN_CA_CERT")]
    pub ca_cert: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Secrets {
    Auto,
    File,
    Keyring,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in (password from stdin when it is not a terminal, else a prompt)
    Login {
        #[arg(long)]
        username: String,
    },
    /// Create an account and sign in (password as for login)
    Register {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Sign out and wipe this profile's local data
    Logout,
    /// List rooms with unread and mention counts
    Rooms,
    /// Print a room's latest messages
    Read {
        /// Room id, name, or workspace/name
        room: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Send a message (the text from stdin when not given); queued when offline
    Send {
        room: String,
        text: Option<String>,
        /// Seconds to wait for delivery before leaving it queued
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
    /// Send a file (with an optional caption); queued when offline
    Upload {
        room: String,
        path: std::path::PathBuf,
        #[arg(long)]
        caption: Option<String>,
        /// Seconds to wait for delivery before leaving it queued
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Search every message held locally
    Search {
        query: String,
        /// Only this room
        #[arg(long)]
        room: Option<String>,
        /// Only messages from this person (username or name)
        #[arg(long)]
        from: Option<String>,
        /// Only messages with a file
        #[arg(long, conflicts_with = "no_file")]
        has_file: bool,
        /// Only messages without a file
        #[arg(long)]
        no_file: bool,
        /// Only messages from this day on (YYYY-MM-DD)
        #[arg(long)]
        after: Option<String>,
        /// Only messages before this day (YYYY-MM-DD)
        #[arg(long)]
        before: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Print new messages of a room as they arrive
    Tail { room: String },
    /// Catch up once and deliver the outbox; exit when it is empty
    Sync {
        /// Give up after this many seconds
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
    /// Connection, last sync and queued actions
    Status,
}

/// What parsing the command line came to when it is not a command to run.
#[derive(Debug)]
pub enum Parsed {
    /// Arguments to act on.
    Run(Box<Cli>),
    /// Help or the version was asked for, or the line is wrong: print
    /// `text` (on stdout when `to_stdout`) and exit with `code`.
    Exit {
        text: String,
        to_stdout: bool,
        code: u8,
    },
}

/// Parses `args` (the program name first), with help and errors in
/// `tr`'s language.
pub fn parse(args: Vec<OsString>, tr: &Translator) -> Parsed {
    let cmd = localized_command(tr);
    let matches = cmd
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    match matches {
        Ok(cli) => Parsed::Run(Box::new(cli)),
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Parsed::Exit {
                text: e.render().to_string(),
                to_stdout: true,
                code: 0,
            },
            // `tern help` with nothing else, or a command that needs more:
            // the (translated) help, on stderr, as a usage error.
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Parsed::Exit {
                text: e.render().to_string(),
                to_stdout: false,
                code: 2,
            },
            _ => Parsed::Exit {
                text: error_message(&e, tr),
                to_stdout: false,
                code: 2,
            },
        },
    }
}

/// The language of the command line's own words, before it is parsed:
/// `--locale` (or `TERN_LOCALE`), else the config file's `locale` (the
/// file named by `--config` / `TERN_CONFIG`, else the default one), else
/// the system's. The same order as the app's once it runs.
pub fn early_translator(args: &[OsString]) -> Translator {
    let flag = flag_value(args, "--locale").or_else(|| std::env::var("TERN_LOCALE").ok());
    let locale = flag.or_else(|| {
        let config = flag_value(args, "--config")
            .or_else(|| std::env::var("TERN_CONFIG").ok())
            .map(PathBuf::from);
        crate::config::load(config.as_deref()).config.locale
    });
    Translator::new(locale.as_deref())
}

/// The value of `--name VALUE` or `--name=VALUE` before any `--`.
fn flag_value(args: &[OsString], name: &str) -> Option<String> {
    let mut it = args.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        if a == "--" {
            return None;
        }
        if a == name {
            return it.next().map(str::to_owned);
        }
        if let Some(v) = a.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(v.to_owned());
        }
    }
    None
}

/// The catalog id of an argument's help: `cli-arg-ID` for the global flags
/// (and help / version), `cli-arg-COMMAND-ID` for a command's own.
pub fn arg_help_id(command: Option<&str>, arg: &clap::Arg) -> String {
    let id = arg.get_id().as_str().replace('_', "-");
    match command {
        Some(c) if !arg.is_global_set() && id != "help" && id != "version" => {
            format!("cli-arg-{c}-{id}")
        }
        _ => format!("cli-arg-{id}"),
    }
}

/// The catalog id of a value's name in the usage (`ROOM`): `cli-value-ID`.
pub fn value_name_id(arg: &clap::Arg) -> String {
    format!("cli-value-{}", arg.get_id().as_str().replace('_', "-"))
}

/// Whether an argument takes a value (and so shows a value name).
fn takes_value(arg: &clap::Arg) -> bool {
    arg.get_num_args().is_some_and(|n| n.takes_values())
}

/// The built command with every word from the catalogs.
pub fn localized_command(tr: &Translator) -> clap::Command {
    let mut cmd = Cli::command();
    // Build first, so the generated `--help`, `--version` and `help`
    // command exist and the global flags are copied into each command:
    // all of them are then rewritten like the declared ones.
    cmd.build();
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        tr.tr("cli-usage-heading")
    );
    localize(cmd, None, tr, &template)
}

fn localize(
    cmd: clap::Command,
    name: Option<&str>,
    tr: &Translator,
    template: &str,
) -> clap::Command {
    let about = tr.tr(&match name {
        Some(n) => format!("cli-cmd-{n}"),
        None => "cli-about".to_owned(),
    });
    let options = tr.tr("cli-heading-options");
    let arguments = tr.tr("cli-heading-arguments");
    let mut cmd = cmd
        .about(about)
        .long_about(None)
        .help_template(template.to_owned())
        .subcommand_help_heading(tr.tr("cli-heading-commands"))
        .mut_args(|a| {
            let help = tr.tr(&arg_help_id(name, &a));
            let heading = if a.is_positional() {
                arguments.clone()
            } else {
                options.clone()
            };
            let a = if takes_value(&a) {
                let value = tr.tr(&value_name_id(&a));
                a.value_name(value)
            } else {
                a
            };
            // Defaults, variables and choices are in the translated help.
            a.help(help)
                .long_help(None)
                .help_heading(heading)
                .hide_default_value(true)
                .hide_env(true)
                .hide_possible_values(true)
        });
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for s in subs {
        cmd = cmd.mut_subcommand(&s, |c| localize(c, Some(&s), tr, template));
    }
    // The usage line as clap draws it, with its placeholders translated.
    let usage = cmd.render_usage().to_string();
    let usage = usage.split_once(": ").map_or(usage.as_str(), |(_, u)| u);
    let usage = usage
        .replace("[OPTIONS]", &format!("[{}]", tr.tr("cli-usage-options")))
        .replace("[COMMAND]", &format!("[{}]", tr.tr("cli-usage-command")))
        .replace("<COMMAND>", &format!("<{}>", tr.tr("cli-usage-command")));
    cmd.override_usage(usage)
}

/// A parse error in the user's language: what is wrong, a suggestion when
/// clap has one, the usage line and where to read more.
fn error_message(e: &clap::Error, tr: &Translator) -> String {
    let ctx = |k: ContextKind| e.get(k).map(ToString::to_string).unwrap_or_default();
    let arg = ctx(ContextKind::InvalidArg);
    let value = ctx(ContextKind::InvalidValue);
    let what = match e.kind() {
        ErrorKind::InvalidSubcommand => tr.tr_args(
            "cli-error-unknown-command",
            &[("command", ctx(ContextKind::InvalidSubcommand).into())],
        ),
        ErrorKind::UnknownArgument => {
            tr.tr_args("cli-error-unknown-argument", &[("arg", arg.into())])
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let valid = ctx(ContextKind::ValidValue);
            if valid.is_empty() {
                tr.tr_args(
                    "cli-error-invalid-value",
                    &[("value", value.into()), ("arg", arg.into())],
                )
            } else {
                tr.tr_args(
                    "cli-error-invalid-choice",
                    &[
                        ("value", value.into()),
                        ("arg", arg.into()),
                        ("choices", valid.into()),
                    ],
                )
            }
        }
        ErrorKind::MissingRequiredArgument => {
            tr.tr_args("cli-error-missing-argument", &[("args", arg.into())])
        }
        ErrorKind::MissingSubcommand => tr.tr("cli-error-missing-command"),
        ErrorKind::ArgumentConflict => tr.tr_args(
            "cli-error-conflict",
            &[
                ("arg", arg.into()),
                ("other", ctx(ContextKind::PriorArg).into()),
            ],
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            tr.tr_args("cli-error-values", &[("arg", arg.into())])
        }
        _ => tr.tr("cli-error-other"),
    };
    let mut out = format!("tern: {what}\n");
    let suggestion = [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .map(ctx)
    .find(|s| !s.is_empty());
    if let Some(s) = suggestion {
        out.push_str(&tr.tr_args("cli-error-did-you-mean", &[("suggestion", s.into())]));
        out.push('\n');
    }
    let usage = ctx(ContextKind::Usage);
    let usage = usage
        .split_once(": ")
        .map_or(usage.as_str(), |(_, u)| u)
        .trim();
    if !usage.is_empty() {
        // `tern send [OPTIONS] <ROOM>` → `tern send`.
        let command: Vec<&str> = usage
            .split_whitespace()
            .take_while(|w| !w.starts_with(['[', '<', '-']))
            .collect();
        out.push('\n');
        out.push_str(&format!("{} {usage}\n", tr.tr("cli-usage-heading")));
        out.push_str(&tr.tr_args(
            "cli-error-more",
            &[("help", format!("{} --help", command.join(" ")).into())],
        ));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(cmd: &clap::Command, name: Option<&str>, ids: &mut Vec<String>) {
        ids.push(match name {
            Some(n) => format!("cli-cmd-{n}"),
            None => "cli-about".to_owned(),
        });
        for a in cmd.get_arguments() {
            ids.push(arg_help_id(name, a));
            if takes_value(a) {
                ids.push(value_name_id(a));
            }
        }
        for s in cmd.get_subcommands() {
            walk(s, Some(s.get_name()), ids);
        }
    }

    /// Every command, argument and value name has its words in both
    /// catalogs: a new flag cannot show English (or a message id).
    #[test]
    fn every_argument_has_its_words_in_both_catalogs() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut ids = Vec::new();
        walk(&cmd, None, &mut ids);
        assert!(ids.len() > 50, "{ids:?}");
        for locale in ["en", "ru"] {
            let have = Translator::message_ids(locale);
            for id in &ids {
                assert!(have.contains(id), "{locale} lacks {id}");
            }
        }
    }

    #[test]
    fn the_early_locale_is_read_from_the_flag() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            flag_value(&args(&["tern", "--locale", "ru", "rooms"]), "--locale").as_deref(),
            Some("ru")
        );
        assert_eq!(
            flag_value(&args(&["tern", "rooms", "--locale=ru"]), "--locale").as_deref(),
            Some("ru")
        );
        assert_eq!(
            flag_value(
                &args(&["tern", "send", "general", "--", "--locale=ru"]),
                "--locale"
            ),
            None
        );
    }

    #[test]
    fn a_good_line_parses_in_either_language() {
        for locale in ["en", "ru"] {
            let tr = Translator::for_locale(locale);
            let args = ["tern", "--json", "read", "demo/general", "--limit", "3"]
                .map(OsString::from)
                .to_vec();
            match parse(args, &tr) {
                Parsed::Run(cli) => {
                    assert!(cli.global.json);
                    assert!(matches!(
                        cli.command,
                        Some(Command::Read { ref room, limit: 3 }) if room == "demo/general"
                    ));
                }
                Parsed::Exit { text, .. } => panic!("{locale}: {text}"),
            }
        }
    }
}
