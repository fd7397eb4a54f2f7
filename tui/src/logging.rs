//! Logs go to a file, never to the screen: `tern.log` under the XDG state
//! dir (or under `--data-dir`). `TERN_LOG` sets the filter.

use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Starts logging to `path`; when the file cannot be opened, logs nowhere.
pub fn init(path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let file = match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        Ok(f) => f,
        Err(_) => return,
    };
    let filter = EnvFilter::try_from_env("TERN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tern_tui=debug"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
}
