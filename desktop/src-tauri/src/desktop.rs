//! Being a desktop citizen: the window title and tray show the unread
//! count, mentions and direct messages raise notifications, a second
//! launch brings the first window forward.

use tauri::{AppHandle, Manager, Runtime};
use tern_client_core::protocol::room::RoomKind;

use crate::dto::{Event, TimelineChange};
use crate::state::AppState;

const TRAY: &str = "main";

/// Creates the tray icon.
pub fn setup<R: Runtime>(app: &mut tauri::App<R>) -> tauri::Result<()> {
    use tauri::menu::{Menu, MenuItem};
    use tauri::tray::TrayIconBuilder;
    let show = MenuItem::with_id(app, "show", "Tern", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut tray = TrayIconBuilder::with_id(TRAY)
        .tooltip("Tern")
        .menu(&menu)
        .on_menu_event(|app, e| match e.id.as_ref() {
            "show" => show_main(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    if let Err(e) = tray.build(app) {
        // No tray on this desktop: the title still shows the count.
        tracing::warn!(error = %e, "no tray icon");
    }
    Ok(())
}

/// Brings the main window forward.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// The window title for `unread` unread messages.
pub fn title(unread: u32) -> String {
    if unread == 0 {
        "Tern".to_owned()
    } else {
        format!("({unread}) Tern")
    }
}

/// Reacts to client-core's events before the window hears them.
pub async fn on_event<R: Runtime>(app: &AppHandle<R>, e: &Event) {
    match e {
        Event::RoomListChanged | Event::StoreChanged | Event::Lagged { .. } => {
            update_unread(app).await;
        }
        Event::TimelineChanged {
            room_id,
            change: TimelineChange::Added { ids },
        } => notify(app, *room_id, ids).await,
        _ => {}
    }
}

async fn update_unread<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let Some(client) = state.client_if_open().await else {
        return;
    };
    let Ok(rooms) = client.rooms().await else {
        return;
    };
    let unread: u32 = rooms
        .iter()
        .filter(|r| !r.muted)
        .map(|r| r.unread_count)
        .sum();
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.set_title(&title(unread));
    }
    if let Some(t) = app.tray_by_id(TRAY) {
        let label = (unread > 0).then(|| unread.to_string());
        let _ = t.set_title(label.as_deref());
        let _ = t.set_tooltip(Some(title(unread)));
    }
}

/// A notification for each new message that mentions the user or arrives
/// in a direct room, unless notifications are off (globally or for the
/// room) or the window has the focus.
async fn notify<R: Runtime>(app: &AppHandle<R>, room: uuid::Uuid, ids: &[uuid::Uuid]) {
    let Some(notifier) = app.try_state::<tauri_plugin_notification::Notification<R>>() else {
        return;
    };
    let state = app.state::<AppState>();
    let settings = state.settings();
    if !settings.notifications || settings.muted_rooms.contains(&room) {
        return;
    }
    if app
        .get_webview_window("main")
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(false)
    {
        return;
    }
    let Some(client) = state.client_if_open().await else {
        return;
    };
    let me = client.account().map(|a| a.user_id);
    let Ok(rooms) = client.rooms().await else {
        return;
    };
    let Some(summary) = rooms.iter().find(|r| r.id == room) else {
        return;
    };
    if summary.muted {
        return;
    }
    for id in ids {
        let Ok(Some(m)) = client.message(*id).await else {
            continue;
        };
        if m.seq.is_none() || Some(m.sender_id) == me || m.deleted {
            continue;
        }
        if !(m.mentions_me || summary.kind == RoomKind::Direct) {
            continue;
        }
        let title = if summary.kind == RoomKind::Direct {
            m.sender_name.clone()
        } else {
            format!("{} · {}", m.sender_name, summary.name)
        };
        if let Err(e) = notifier
            .builder()
            .title(title)
            .body(m.body.chars().take(200).collect::<String>())
            .show()
        {
            tracing::info!(error = %e, "cannot show a notification");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_title_counts_unread() {
        assert_eq!(super::title(0), "Tern");
        assert_eq!(super::title(12), "(12) Tern");
    }
}
