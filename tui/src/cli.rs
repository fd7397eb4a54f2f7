//! Command-line arguments: global flags shared by the full-screen UI and
//! the headless commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
