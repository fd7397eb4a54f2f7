//! A notification server for the end-to-end test
//! (`desktop/ui/e2e/notifications.mjs`): it owns
//! `org.freedesktop.Notifications` on the session bus (the
//! `DBUS_SESSION_BUS_ADDRESS` it is given), answers the Desktop
//! Notifications Specification's calls as a real server does, and appends
//! every notification it is asked to show to a file, one JSON object a
//! line: `{"id", "app_name", "summary", "body"}`. A desktop's own server
//! (GNOME Shell, dunst, ...) is not there under Xvfb; this one speaks the
//! same D-Bus protocol. Not part of the app: an example, built by
//! `cargo test`.
//!
//! ```text
//! notification_server RECORD_FILE
//! ```
//!
//! It prints `ready` once the name is owned and runs until killed.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

struct Recorder {
    file: Mutex<File>,
    last_id: AtomicU32,
}

/// `NotificationClosed`'s reason for a notification closed by a call to
/// `CloseNotification`.
const CLOSED_BY_CALL: u32 = 3;

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Recorder {
    /// Shows (here: records) a notification; answers its id.
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> zbus::fdo::Result<u32> {
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            self.last_id.fetch_add(1, Ordering::SeqCst) + 1
        };
        let line = serde_json::json!({
            "id": id,
            "app_name": app_name,
            "summary": summary,
            "body": body,
        });
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(f, "{line}")
            .and_then(|()| f.flush())
            .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
        Ok(id)
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    /// Name, vendor, version, and the specification's version.
    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "tern-e2e-notifications".into(),
            "Tern".into(),
            env!("CARGO_PKG_VERSION").into(),
            "1.2".into(),
        )
    }

    async fn close_notification(
        &self,
        id: u32,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<()> {
        Self::notification_closed(&emitter, id, CLOSED_BY_CALL).await?;
        Ok(())
    }

    #[zbus(signal)]
    async fn notification_closed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: notification_server RECORD_FILE");
        std::process::exit(2);
    };
    let file = match OpenOptions::new().create(true).append(true).open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("notification_server: cannot open {path}: {e}");
            std::process::exit(1);
        }
    };
    let recorder = Recorder {
        file: Mutex::new(file),
        last_id: AtomicU32::new(0),
    };
    let conn = zbus::blocking::connection::Builder::session()
        .and_then(|b| b.name("org.freedesktop.Notifications"))
        .and_then(|b| b.serve_at("/org/freedesktop/Notifications", recorder))
        .and_then(|b| b.build());
    let _conn = match conn {
        Ok(c) => c,
        Err(e) => {
            eprintln!("notification_server: cannot serve on the session bus: {e}");
            std::process::exit(1);
        }
    };
    println!("ready");
    loop {
        std::thread::park();
    }
}
