//! The `tern-server` command line. Every failure ends in one line on stderr
//! and a non-zero exit: 1 for errors, 2 for usage.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tern_protocol::auth::{ServerRole, UserKind};
use tern_protocol::files::ApiPermission;

use crate::config::{Config, Secret};
use crate::store::{NewUser, Store};
use crate::{demo, validate};

#[derive(Parser, Debug)]
#[command(name = "tern-server", version, about = "The Tern messenger server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the v1 API (REST + WebSocket)
    Serve(ServeArgs),
    /// Apply database migrations, then exit
    Migrate(StoreArgs),
    /// Seed the demo data set (once), then exit
    Seed(StoreArgs),
    /// Manage users
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Args, Debug)]
struct StoreArgs {
    /// Where the database and keys live
    #[arg(long, env = "TERN_DATA_DIR", default_value = "./tern-data")]
    data_dir: PathBuf,
    /// PostgreSQL URL for scale-out (not in this build: the embedded SQLite store is used)
    #[arg(long, env = "TERN_DATABASE_URL")]
    database_url: Option<String>,
    /// Where files live: a directory (default DATA_DIR/blobs), file:///dir, or s3://bucket/prefix
    #[arg(long, env = "TERN_BLOB_STORE")]
    blob_store: Option<String>,
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on
    #[arg(long, env = "TERN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seed the demo data set (once) and print its logins
    #[arg(long, env = "TERN_DEMO")]
    demo: bool,
    /// Redis URL for scale-out fan-out (not in this build)
    #[arg(long, env = "TERN_REDIS_URL")]
    redis_url: Option<String>,
    /// Largest JSON request body, in bytes
    #[arg(long, env = "TERN_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// Key that signs access tokens (default: generated into the data dir)
    #[arg(long, env = "TERN_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Log filter, e.g. `info` or `tern_server=debug`
    #[arg(long, env = "TERN_LOG", default_value = "info")]
    log: String,
    /// Largest upload, in bytes
    #[arg(long, env = "TERN_MAX_UPLOAD_BYTES", default_value_t = 100 * 1024 * 1024)]
    max_upload_bytes: u64,
    /// Sign-up, login and refresh requests allowed per minute from one IP
    #[arg(long, env = "TERN_AUTH_PER_IP_PER_MINUTE", default_value_t = 60)]
    auth_per_ip_per_minute: u32,
    /// Login attempts allowed per minute for one account
    #[arg(long, env = "TERN_LOGINS_PER_ACCOUNT_PER_MINUTE", default_value_t = 10)]
    logins_per_account_per_minute: u32,
    /// Seconds between removals of unreferenced blobs (0: never)
    #[arg(long, env = "TERN_GC_INTERVAL", default_value_t = 3600)]
    gc_interval: u64,
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create a user (the password is read from stdin when not given)
    CreateUser {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Make the user a server admin
        #[arg(long)]
        admin: bool,
        /// Make the user a bot
        #[arg(long)]
        bot: bool,
    },
    /// Set a user's server role
    SetRole {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Deactivate a user and sign out all their sessions
    Deactivate {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        username: String,
    },
    /// Reactivate a user
    Activate {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        username: String,
    },
    /// Create a workspace API key and its bot user; prints the key once
    CreateApiKey {
        #[command(flatten)]
        store: StoreArgs,
        /// The workspace's slug
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        name: String,
        /// Comma-separated: read, write, delete
        #[arg(long, value_delimiter = ',', default_value = "read,write")]
        permissions: Vec<PermArg>,
        /// When the key stops working (RFC 3339)
        #[arg(long)]
        expires_at: Option<String>,
    },
    /// Remove blobs no file references, then exit
    Gc {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum PermArg {
    Read,
    Write,
    Delete,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RoleArg {
    Admin,
    User,
}

/// A failure to report: the message and the exit code.
struct Fail(String, u8);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail(e.to_string(), 1)
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                let _ = e.print();
                return ExitCode::from(2);
            }
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            let first = first.trim_start_matches("error: ");
            eprintln!("error: {first} (see tern-server --help)");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(msg, code)) => {
            eprintln!("error: {msg}");
            ExitCode::from(code)
        }
    }
}

fn check_store_args(a: &StoreArgs) -> Result<Config, Fail> {
    if let Some(url) = &a.database_url {
        let scheme = url.split(':').next().unwrap_or_default();
        return Err(Fail(
            format!(
                "--database-url {scheme}:... is not supported by this build; leave it unset to use the embedded SQLite store in --data-dir"
            ),
            2,
        ));
    }
    let mut config = Config::new(a.data_dir.clone());
    config.blob_store = a.blob_store.clone();
    Ok(config)
}

fn init_logs(filter: &str) -> Result<(), Fail> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .map_err(|e| Fail(format!("--log {filter:?} is not a valid filter: {e}"), 2))?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    Ok(())
}

async fn run(cli: Cli) -> Result<(), Fail> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => {
            let config = check_store_args(&args)?;
            let store = crate::open_store(&config)?;
            println!("database {} is up to date", store.path().display());
            Ok(())
        }
        Command::Seed(args) => {
            let config = check_store_args(&args)?;
            let store = crate::open_store(&config)?;
            seed(store.as_ref(), &config).await
        }
        Command::Admin(cmd) => admin(cmd).await,
    }
}

async fn seed(store: &dyn Store, config: &Config) -> Result<(), Fail> {
    let fresh = demo::seed(store, config.password_cost).await?;
    println!(
        "{}",
        if fresh {
            "demo data seeded; log in as:"
        } else {
            "demo data already present; log in as:"
        }
    );
    for (name, what) in demo::DEMO_USERS {
        println!("  {name:<8} password {:<10} ({what})", demo::DEMO_PASSWORD);
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> Result<(), Fail> {
    init_logs(&args.log)?;
    let mut config = check_store_args(&args.store)?;
    if args.redis_url.is_some() {
        return Err(Fail(
            "--redis-url is not supported by this build; one embedded server needs no Redis".into(),
            2,
        ));
    }
    if args.max_body_bytes < 1024 {
        return Err(Fail("--max-body-bytes must be at least 1024".into(), 2));
    }
    config.listen = args.listen;
    config.max_body_bytes = args.max_body_bytes;
    config.max_upload_bytes = args.max_upload_bytes;
    if args.auth_per_ip_per_minute == 0 || args.logins_per_account_per_minute == 0 {
        return Err(Fail(
            "auth rate limits must be at least 1 per minute".into(),
            2,
        ));
    }
    config.auth_per_ip_per_minute = args.auth_per_ip_per_minute;
    config.auth_per_account_per_minute = args.logins_per_account_per_minute;
    config.gc_interval =
        (args.gc_interval > 0).then(|| std::time::Duration::from_secs(args.gc_interval));
    config.jwt_secret = args.jwt_secret.map(Secret);
    if config.jwt_secret.as_ref().is_some_and(|s| s.0.len() < 32) {
        return Err(Fail(
            "--jwt-secret must be at least 32 characters".into(),
            2,
        ));
    }
    crate::prepare_data_dir(&config.data_dir)?;
    crate::open_blobs(&config)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| Fail(format!("cannot listen on {}: {e}", config.listen), 1))?;
    if args.demo {
        let store = crate::open_store(&config)?;
        seed(store.as_ref(), &config).await?;
    }
    let running = crate::start(config, listener).await?;
    println!("tern-server listening on http://{}", running.addr);
    let stop = running.shutdown_handle();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
    });
    running.wait().await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

async fn user_id(
    store: &Arc<crate::store::sqlite::SqliteStore>,
    username: &str,
) -> Result<tern_protocol::UserId, Fail> {
    let name = username.trim().to_lowercase();
    Ok(store
        .user_by_login(&name)
        .await?
        .ok_or_else(|| Fail(format!("no user named {name:?}"), 1))?
        .user
        .id)
}

async fn admin(cmd: AdminCommand) -> Result<(), Fail> {
    match cmd {
        AdminCommand::CreateUser {
            store,
            username,
            email,
            password,
            display_name,
            admin,
            bot,
        } => {
            let config = check_store_args(&store)?;
            let username = validate::username(&username).map_err(|e| Fail(e.message, 2))?;
            let email = validate::email(&email).map_err(|e| Fail(e.message, 2))?;
            let password = match password {
                Some(p) => p,
                None => {
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            validate::password(&password).map_err(|e| Fail(e.message, 2))?;
            let display_name = match display_name {
                Some(d) => validate::text(
                    "display_name",
                    &d,
                    1,
                    tern_protocol::limits::DISPLAY_NAME_MAX,
                )
                .map_err(|e| Fail(e.message, 2))?,
                None => username.clone(),
            };
            let store = crate::open_store(&config)?;
            let hash = crate::auth::hash_password(password, config.password_cost).await?;
            let user = store
                .create_user(NewUser {
                    username,
                    email,
                    password_hash: hash,
                    display_name,
                    kind: if bot { UserKind::Bot } else { UserKind::Human },
                    server_role: if admin {
                        ServerRole::Admin
                    } else {
                        ServerRole::User
                    },
                })
                .await?;
            println!("created user {} ({})", user.user.username, user.user.id);
            Ok(())
        }
        AdminCommand::SetRole {
            store,
            username,
            role,
        } => {
            let config = check_store_args(&store)?;
            let store = crate::open_store(&config)?;
            let id = user_id(&store, &username).await?;
            let role = match role {
                RoleArg::Admin => ServerRole::Admin,
                RoleArg::User => ServerRole::User,
            };
            store.set_server_role(id, role).await?;
            println!(
                "{username} is now a server {}",
                if role == ServerRole::Admin {
                    "admin"
                } else {
                    "user"
                }
            );
            Ok(())
        }
        AdminCommand::Deactivate { store, username } => {
            let config = check_store_args(&store)?;
            let store = crate::open_store(&config)?;
            let id = user_id(&store, &username).await?;
            let revoked = store.set_user_active(id, false).await?;
            println!(
                "{username} deactivated; {} session(s) signed out",
                revoked.len()
            );
            Ok(())
        }
        AdminCommand::CreateApiKey {
            store,
            workspace,
            name,
            permissions,
            expires_at,
        } => {
            let config = check_store_args(&store)?;
            let name = validate::text("name", &name, 1, 80).map_err(|e| Fail(e.message, 2))?;
            let expires_at = expires_at
                .map(|t| {
                    time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339)
                        .map_err(|e| {
                            Fail(
                                format!("--expires-at {t:?} is not an RFC 3339 time: {e}"),
                                2,
                            )
                        })
                })
                .transpose()?;
            let store = crate::open_store(&config)?;
            let ws = store
                .workspace_by_slug(&workspace.trim().to_lowercase())
                .await?
                .ok_or_else(|| Fail(format!("no workspace with slug {workspace:?}"), 1))?;
            let owner = store
                .workspace_members(ws.id)
                .await?
                .into_iter()
                .find(|m| m.role == tern_protocol::workspace::WorkspaceRole::Owner)
                .map(|m| m.user.id)
                .ok_or_else(|| Fail("the workspace has no owner".into(), 1))?;
            let perms = permissions
                .into_iter()
                .map(|p| match p {
                    PermArg::Read => ApiPermission::Read,
                    PermArg::Write => ApiPermission::Write,
                    PermArg::Delete => ApiPermission::Delete,
                })
                .collect();
            let created =
                crate::http::apikeys::issue(store.as_ref(), ws.id, &name, perms, expires_at, owner)
                    .await?;
            println!(
                "API key {} for workspace {} (bot user {}):",
                created.id, ws.slug, created.info.bot_user_id
            );
            println!("{}", created.key);
            println!("Keep it now: it is not shown again.");
            Ok(())
        }
        AdminCommand::Gc { store } => {
            let config = check_store_args(&store)?;
            let db = crate::open_store(&config)?;
            let blobs = crate::open_blobs(&config)?;
            let n = blobs.collect_garbage(db.as_ref()).await?;
            println!("removed {n} unreferenced blob(s)");
            Ok(())
        }
        AdminCommand::Activate { store, username } => {
            let config = check_store_args(&store)?;
            let store = crate::open_store(&config)?;
            let id = user_id(&store, &username).await?;
            store.set_user_active(id, true).await?;
            println!("{username} activated");
            Ok(())
        }
    }
}
