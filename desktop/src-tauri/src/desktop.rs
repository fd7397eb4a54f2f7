//! Being a desktop citizen: the window title and tray show the unread
//! count, new messages raise notifications as each room's level says
//! (mentions and direct messages unless set otherwise), a second
//! launch brings the first window forward.
//!
//! The decisions are pure functions ([`Badge::of`], [`notice`]) so that
//! they are tested without a desktop; the rest applies them. What the
//! title and tray show last is kept in [`Citizen`] (the window is only
//! touched when it changes), and notices go to a [`Notifier`] that the
//! app builds over the OS's notifications.

use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime};
use tern_client_core::protocol::room::{MemberState, NotifyLevel, RoomKind};
use tern_client_core::{RoomSummary, TimelineItem};
use uuid::Uuid;

use crate::dto::{Event, TimelineChange};
use crate::settings::Settings;
use crate::state::AppState;

const TRAY: &str = "main";

/// The most notices one batch of new messages raises (a catch-up after a
/// night offline must not flood the screen); the newest are kept.
pub const NOTICES_PER_BATCH: usize = 3;

/// Creates the tray icon.
pub fn setup<R: Runtime>(app: &mut tauri::App<R>) -> tauri::Result<()> {
    use tauri::menu::{Menu, MenuItem};
    use tauri::tray::TrayIconBuilder;
    let tr = app.state::<AppState>().translator();
    let show = MenuItem::with_id(app, "show", tr.tr("tray-show"), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", tr.tr("tray-quit"), true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut tray = TrayIconBuilder::with_id(TRAY)
        .tooltip(Badge::default().title())
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

/// Quits cleanly on SIGTERM and SIGINT (the session ending, `kill`), as
/// the tray's Quit does: `RunEvent::Exit` then runs, which is when the
/// window's size and position are saved. Tauri installs no handler, so
/// without this those signals end the process where it stands.
pub fn quit_on_signals<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(unix)]
    {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                tracing::warn!("cannot listen for SIGTERM");
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            tracing::info!("asked to quit by a signal");
            app.exit(0);
        });
    }
    #[cfg(not(unix))]
    let _ = app;
}

/// Brings the main window forward: shown, restored and focused.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    let minimized = w.is_minimized().unwrap_or(false);
    let _ = w.unminimize();
    let _ = w.show();
    let _ = w.set_focus();
    if minimized {
        // The window comes back from minimized after this returns, and
        // until it has, focusing it does nothing (on Linux the request is
        // dropped): focus it once it is back.
        tauri::async_runtime::spawn(async move {
            for _ in 0..100 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                if !w.is_minimized().unwrap_or(true) {
                    let _ = w.set_focus();
                    return;
                }
            }
            tracing::info!("the window did not come back from minimized");
        });
    }
}

/// What the window title and the tray say: the unread count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Badge {
    pub unread: u32,
}

impl Badge {
    /// Unread messages over the joined rooms that are not muted.
    pub fn of(rooms: &[RoomSummary]) -> Self {
        Self {
            unread: rooms
                .iter()
                .filter(|r| !r.muted && r.membership == MemberState::Joined)
                .map(|r| r.unread_count)
                .fold(0u32, u32::saturating_add),
        }
    }

    /// The window title (and the tray's tooltip).
    pub fn title(&self) -> String {
        if self.unread == 0 {
            "Tern".to_owned()
        } else {
            format!("({}) Tern", self.unread)
        }
    }

    /// The label next to the tray icon: the count, or nothing.
    pub fn tray_label(&self) -> Option<String> {
        (self.unread > 0).then(|| self.unread.to_string())
    }
}

/// A notification to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub room_id: Uuid,
    pub message_id: Uuid,
    pub title: String,
    pub body: String,
}

/// The longest notification body, in characters.
pub const NOTICE_BODY_CHARS: usize = 200;

/// Whether a new message raises a notification, and which. The room's
/// level on the account decides which messages may: `All` every one,
/// `Mentions` those that mention the user and every one in a direct room
/// (all of them are addressed to the user), `None` none; the server starts
/// channels and groups at `Mentions`, direct rooms at `All`. Only a message
/// confirmed by the server, from someone else, not deleted; never when
/// notifications are off (globally, for the room in the app's settings, or
/// muted on the account) or while the window has the focus.
pub fn notice(
    settings: &Settings,
    window_focused: bool,
    me: Option<Uuid>,
    room: &RoomSummary,
    m: &TimelineItem,
) -> Option<Notice> {
    if !settings.notifications
        || window_focused
        || room.muted
        || settings.muted_rooms.contains(&room.id)
        || m.room_id != room.id
    {
        return None;
    }
    if m.seq.is_none() || Some(m.sender_id) == me || m.deleted {
        return None;
    }
    let direct = room.kind == RoomKind::Direct;
    let wanted = match room.notify {
        NotifyLevel::All => true,
        NotifyLevel::Mentions => m.mentions_me || direct,
        NotifyLevel::None => false,
    };
    if !wanted {
        return None;
    }
    Some(Notice {
        room_id: room.id,
        message_id: m.id,
        title: if direct {
            m.sender_name.clone()
        } else {
            format!("{} · {}", m.sender_name, room.name)
        },
        body: m.body.chars().take(NOTICE_BODY_CHARS).collect(),
    })
}

/// What the title and tray show now, so the window is touched only when
/// it changes.
#[derive(Default)]
pub struct Citizen {
    shown: Mutex<Option<Badge>>,
}

impl Citizen {
    /// The badge last put on the window and tray.
    pub fn shown(&self) -> Option<Badge> {
        *self.shown.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records `b`; answers whether it differs from what was shown.
    fn show(&self, b: Badge) -> bool {
        let mut g = self.shown.lock().unwrap_or_else(|p| p.into_inner());
        let changed = *g != Some(b);
        *g = Some(b);
        changed
    }
}

/// Where notices go. The app shows them through the OS (the notification
/// plugin); without one nothing is shown.
pub struct Notifier(Box<dyn Fn(Notice) + Send + Sync>);

impl Notifier {
    pub fn new(f: impl Fn(Notice) + Send + Sync + 'static) -> Self {
        Self(Box::new(f))
    }

    /// Shows notices through the OS's notification service.
    pub fn system<R: Runtime>(app: &AppHandle<R>) -> Self {
        use tauri_plugin_notification::NotificationExt;
        let app = app.clone();
        Self::new(move |n| {
            if let Err(e) = app
                .notification()
                .builder()
                .title(n.title)
                .body(n.body)
                .show()
            {
                tracing::info!(error = %e, "cannot show a notification");
            }
        })
    }
}

/// Reacts to client-core's events before the window hears them.
pub async fn on_event<R: Runtime>(app: &AppHandle<R>, e: &Event) {
    match e {
        Event::RoomListChanged
        | Event::StoreChanged
        | Event::Lagged { .. }
        | Event::SessionEnded { .. } => {
            update_badge(app).await;
        }
        Event::TimelineChanged {
            room_id,
            change: TimelineChange::Added { ids },
        } => notify(app, *room_id, ids).await,
        _ => {}
    }
}

/// Puts the unread count on the window title and the tray.
pub async fn update_badge<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let rooms = match state.client_if_open().await {
        Some(c) if c.account().is_some() => c.rooms().await.unwrap_or_default(),
        _ => Vec::new(),
    };
    let badge = Badge::of(&rooms);
    let Some(citizen) = app.try_state::<Citizen>() else {
        return;
    };
    if !citizen.show(badge) {
        return;
    }
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.set_title(&badge.title());
    }
    if let Some(t) = app.tray_by_id(TRAY) {
        let _ = t.set_title(badge.tray_label().as_deref());
        let _ = t.set_tooltip(Some(badge.title()));
    }
}

async fn notify<R: Runtime>(app: &AppHandle<R>, room: Uuid, ids: &[Uuid]) {
    let Some(notifier) = app.try_state::<Notifier>() else {
        return;
    };
    let state = app.state::<AppState>();
    let settings = state.settings();
    if !settings.notifications {
        return;
    }
    let focused = app
        .get_webview_window("main")
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(false);
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
    let mut notices = Vec::new();
    for id in ids {
        if let Ok(Some(m)) = client.message(*id).await
            && let Some(n) = notice(&settings, focused, me, summary, &m)
        {
            notices.push(n);
        }
    }
    let skip = notices.len().saturating_sub(NOTICES_PER_BATCH);
    for n in notices.into_iter().skip(skip) {
        (notifier.0)(n);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use tern_client_core::EchoState;
    use time::OffsetDateTime;

    const ME: Uuid = Uuid::from_u128(1);
    const ALICE: Uuid = Uuid::from_u128(2);

    fn room(id: u128, kind: RoomKind, unread: u32) -> RoomSummary {
        RoomSummary {
            id: Uuid::from_u128(id),
            workspace_id: Uuid::from_u128(99),
            kind,
            name: if kind == RoomKind::Direct {
                "Alice".into()
            } else {
                "general".into()
            },
            topic: None,
            membership: MemberState::Joined,
            muted: false,
            // What the server starts a membership at.
            notify: if kind == RoomKind::Direct {
                NotifyLevel::All
            } else {
                NotifyLevel::Mentions
            },
            unread_count: unread,
            mention_count: 0,
            last_activity: OffsetDateTime::UNIX_EPOCH,
            last_message: None,
            local_only: false,
            pending_count: 0,
            failed_count: 0,
        }
    }

    fn message(room: &RoomSummary, body: &str, mentions_me: bool) -> TimelineItem {
        TimelineItem {
            id: Uuid::from_u128(1000),
            room_id: room.id,
            seq: Some(7),
            sender_id: ALICE,
            sender_name: "Alice".into(),
            kind: tern_client_core::protocol::event::MessageKind::Text,
            body: body.into(),
            reply_to: None,
            thread_root: None,
            attachments: Vec::new(),
            mentions_me,
            created_at: OffsetDateTime::UNIX_EPOCH,
            edited: false,
            deleted: false,
            reactions: Vec::new(),
            echo: EchoState::Remote,
            pending_edit: None,
            pending_delete: None,
            txn_id: None,
        }
    }

    #[test]
    fn the_badge_counts_unread_in_joined_rooms_that_are_not_muted() {
        let mut muted = room(3, RoomKind::Channel, 50);
        muted.muted = true;
        let mut left = room(4, RoomKind::Channel, 9);
        left.membership = MemberState::Left;
        let rooms = [
            room(1, RoomKind::Channel, 2),
            room(2, RoomKind::Direct, 10),
            muted,
            left,
        ];
        let b = Badge::of(&rooms);
        assert_eq!(b.unread, 12);
        assert_eq!(b.title(), "(12) Tern");
        assert_eq!(b.tray_label().as_deref(), Some("12"));
        let none = Badge::of(&[room(1, RoomKind::Channel, 0)]);
        assert_eq!(none.title(), "Tern");
        assert_eq!(none.tray_label(), None);
        assert_eq!(Badge::of(&[]), Badge::default());
    }

    #[test]
    fn mentions_and_direct_messages_notify_plain_channel_messages_do_not() {
        let s = Settings::default();
        let dm = room(1, RoomKind::Direct, 1);
        let ch = room(2, RoomKind::Channel, 1);
        let n = notice(&s, false, Some(ME), &dm, &message(&dm, "hi", false)).unwrap();
        assert_eq!((n.title.as_str(), n.body.as_str()), ("Alice", "hi"));
        assert_eq!(n.room_id, dm.id);
        let n = notice(&s, false, Some(ME), &ch, &message(&ch, "@bob look", true)).unwrap();
        assert_eq!(n.title, "Alice · general");
        assert_eq!(
            notice(&s, false, Some(ME), &ch, &message(&ch, "plain", false)),
            None
        );
        let group = room(3, RoomKind::Group, 1);
        assert_eq!(
            notice(
                &s,
                false,
                Some(ME),
                &group,
                &message(&group, "plain", false)
            ),
            None
        );
        // Long bodies are cut on a character boundary.
        let long = "й".repeat(500);
        let n = notice(&s, false, Some(ME), &dm, &message(&dm, &long, false)).unwrap();
        assert_eq!(n.body.chars().count(), NOTICE_BODY_CHARS);
    }

    #[test]
    fn the_rooms_level_decides_which_messages_notify() {
        let s = Settings::default();
        let notifies = |room: &RoomSummary, mentions_me: bool| {
            notice(&s, false, Some(ME), room, &message(room, "hi", mentions_me)).is_some()
        };
        for kind in [RoomKind::Channel, RoomKind::Group, RoomKind::Direct] {
            let mut r = room(1, kind, 1);
            r.notify = NotifyLevel::All;
            assert!(notifies(&r, false), "{kind:?} at all: a plain message");
            assert!(notifies(&r, true), "{kind:?} at all: a mention");
            r.notify = NotifyLevel::None;
            assert!(!notifies(&r, false), "{kind:?} at none: a plain message");
            assert!(!notifies(&r, true), "{kind:?} at none: a mention");
            r.notify = NotifyLevel::Mentions;
            assert!(notifies(&r, true), "{kind:?} at mentions: a mention");
            assert_eq!(
                notifies(&r, false),
                kind == RoomKind::Direct,
                "{kind:?} at mentions: a plain message"
            );
        }
        // `All` still leaves out what is never notified.
        let mut ch = room(2, RoomKind::Channel, 1);
        ch.notify = NotifyLevel::All;
        let mut own = message(&ch, "mine", false);
        own.sender_id = ME;
        assert_eq!(notice(&s, false, Some(ME), &ch, &own), None);
        assert_eq!(
            notice(&s, true, Some(ME), &ch, &message(&ch, "x", false)),
            None
        );
        ch.muted = true;
        assert_eq!(
            notice(&s, false, Some(ME), &ch, &message(&ch, "x", false)),
            None
        );
    }

    #[test]
    fn off_muted_focused_own_unconfirmed_and_deleted_do_not_notify() {
        let dm = room(1, RoomKind::Direct, 1);
        let m = message(&dm, "hi", true);
        let on = Settings::default();
        assert!(notice(&on, false, Some(ME), &dm, &m).is_some());

        let off = Settings {
            notifications: false,
            ..Settings::default()
        };
        assert_eq!(notice(&off, false, Some(ME), &dm, &m), None, "off");
        let muted_here = Settings {
            muted_rooms: vec![dm.id],
            ..Settings::default()
        };
        assert_eq!(notice(&muted_here, false, Some(ME), &dm, &m), None);
        // Muting another room changes nothing for this one.
        let muted_other = Settings {
            muted_rooms: vec![Uuid::from_u128(77)],
            ..Settings::default()
        };
        assert!(notice(&muted_other, false, Some(ME), &dm, &m).is_some());
        let mut muted_on_account = dm.clone();
        muted_on_account.muted = true;
        assert_eq!(notice(&on, false, Some(ME), &muted_on_account, &m), None);
        assert_eq!(notice(&on, true, Some(ME), &dm, &m), None, "focused");

        let mut own = m.clone();
        own.sender_id = ME;
        assert_eq!(notice(&on, false, Some(ME), &dm, &own), None, "own");
        let mut local = m.clone();
        local.seq = None;
        assert_eq!(notice(&on, false, Some(ME), &dm, &local), None, "local");
        let mut deleted = m.clone();
        deleted.deleted = true;
        assert_eq!(notice(&on, false, Some(ME), &dm, &deleted), None);
        let other_room = room(5, RoomKind::Direct, 0);
        assert_eq!(notice(&on, false, Some(ME), &other_room, &m), None);
    }
}
