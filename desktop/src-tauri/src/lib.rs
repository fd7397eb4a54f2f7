//! Tern's desktop app: a Tauri shell over client-core.
//!
//! The Rust side owns one client-core [`tern_client_core::Client`] (in
//! [`AppState`]) and exposes it to the window through thin commands
//! grouped by area ([`commands`]); client-core's events are forwarded to
//! the window as [`EVENT`] with a [`dto::Event`] payload; every failure
//! crosses as an [`error::CmdError`] with a stable code. The front end
//! (`desktop/ui`) is built into the binary.

pub mod commands;
pub mod desktop;
pub mod dto;
pub mod error;
pub mod settings;
pub mod state;

use tauri::{Builder, Manager, Runtime};

pub use state::{AppState, EVENT, Paths};

/// Every command the window may call.
pub fn with_commands<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    use commands::{account, auth, files, outbox, rooms, search, timeline};
    builder
        .manage(state)
        .manage(desktop::Citizen::default())
        .invoke_handler(tauri::generate_handler![
            auth::session_get,
            auth::auth_login,
            auth::auth_register,
            auth::auth_logout,
            auth::workspaces_list,
            auth::workspaces_create,
            account::account_profile,
            account::account_set_name,
            account::account_set_avatar,
            account::account_sessions,
            account::account_revoke_session,
            account::account_revoke_other_sessions,
            account::users_search,
            rooms::rooms_list,
            rooms::rooms_create,
            rooms::rooms_join,
            rooms::rooms_leave,
            rooms::rooms_directory,
            rooms::rooms_open_direct,
            rooms::rooms_mark_read,
            rooms::rooms_members,
            rooms::rooms_invite,
            rooms::rooms_notifications,
            rooms::rooms_set_notifications,
            timeline::timeline_page,
            timeline::timeline_after,
            timeline::timeline_message,
            timeline::timeline_send,
            timeline::timeline_reply,
            timeline::timeline_edit,
            timeline::timeline_delete,
            timeline::timeline_react,
            timeline::timeline_unreact,
            timeline::timeline_backfill,
            timeline::timeline_typing,
            outbox::outbox_list,
            outbox::outbox_retry,
            outbox::outbox_discard,
            outbox::connection_get,
            outbox::connection_reconnect,
            files::files_send,
            files::files_send_bytes,
            files::files_attachments,
            files::files_info,
            files::files_download,
            files::files_thumbnail,
            files::files_save,
            files::files_pin,
            files::files_open,
            files::files_cache_usage,
            search::search_messages,
            commands::settings::settings_get,
            commands::settings::settings_set,
        ])
}

/// Where sign-in tokens are kept: `TERN_SECRETS=file` keeps them in a 0600
/// file, `keyring` insists on the OS keyring; otherwise the keyring when it
/// answers, else the file.
pub fn secrets_backend() -> tern_client_core::SecretsBackend {
    use tern_client_core::SecretsBackend;
    match std::env::var("TERN_SECRETS").as_deref() {
        Ok("file") => SecretsBackend::File,
        Ok("keyring") => SecretsBackend::Keyring,
        _ => SecretsBackend::Auto,
    }
}

/// Runs the app.
pub fn run() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TERN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,tern_desktop=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("launched again; bringing the window forward");
            desktop::show_main(app);
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            app.manage(desktop::Notifier::system(app.handle()));
            desktop::quit_on_signals(app.handle());
            desktop::setup(app)?;
            Ok(())
        });
    let state = AppState::new(Paths::from_system(), secrets_backend());
    if let Err(e) = with_commands(builder, state).run(tauri::generate_context!()) {
        eprintln!("tern-desktop: {e}");
        std::process::exit(1);
    }
}
