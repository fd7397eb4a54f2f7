//! What the app holds between commands: its folders, its settings and the
//! one client-core [`Client`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tern_client_core::i18n::Translator;
use tern_client_core::{Client, ClientConfig, SecretsBackend};

use crate::dto::Event;
use crate::error::{CmdError, CmdResult};
use crate::settings::Settings;

/// The profile name inside the data dir.
pub const PROFILE: &str = "default";

/// Where the app keeps its things.
#[derive(Clone, Debug)]
pub struct Paths {
    /// Profiles (the local store, secrets, the file cache).
    pub data_dir: PathBuf,
    /// `settings.json`.
    pub config_dir: PathBuf,
    /// Pasted images waiting to be sent, and other scratch files.
    pub cache_dir: PathBuf,
}

impl Paths {
    /// The platform's folders (XDG on Linux), each with `tern-desktop/`.
    pub fn from_system() -> Self {
        let base =
            |d: Option<PathBuf>| d.unwrap_or_else(|| PathBuf::from(".")).join("tern-desktop");
        Self {
            data_dir: base(dirs::data_dir()),
            config_dir: base(dirs::config_dir()),
            cache_dir: base(dirs::cache_dir()),
        }
    }

    /// All three under one folder (tests).
    pub fn under(root: &std::path::Path) -> Self {
        Self {
            data_dir: root.join("data"),
            config_dir: root.join("config"),
            cache_dir: root.join("cache"),
        }
    }
}

struct Open {
    url: String,
    client: Client,
}

pub struct AppState {
    pub paths: Paths,
    secrets: SecretsBackend,
    settings: Mutex<Settings>,
    /// Words errors in the language the settings choose.
    translator: Mutex<Arc<Translator>>,
    client: tokio::sync::Mutex<Option<Open>>,
}

impl AppState {
    pub fn new(paths: Paths, secrets: SecretsBackend) -> Self {
        let settings = Settings::load(&paths.config_dir);
        Self {
            paths,
            secrets,
            translator: Mutex::new(Arc::new(settings.translator())),
            settings: Mutex::new(settings),
            client: tokio::sync::Mutex::new(None),
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn set_settings(&self, s: Settings) -> CmdResult<()> {
        s.validate()?;
        s.save(&self.paths.config_dir)?;
        if s.language != self.settings().language {
            let tr = Arc::new(s.translator());
            match self.translator.lock() {
                Ok(mut g) => *g = tr,
                Err(p) => *p.into_inner() = tr,
            }
        }
        match self.settings.lock() {
            Ok(mut g) => *g = s,
            Err(p) => *p.into_inner() = s,
        }
        Ok(())
    }

    /// The translator for the language the settings choose.
    pub fn translator(&self) -> Arc<Translator> {
        self.translator
            .lock()
            .map(|t| t.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// A command's result with its error worded for the window, in the
    /// language the settings choose (every command ends with this).
    pub fn worded<T>(&self, result: CmdResult<T>) -> CmdResult<T> {
        result.map_err(|e| e.worded(&self.translator()))
    }

    /// The open client, if any.
    pub async fn client(&self) -> CmdResult<Client> {
        self.client
            .lock()
            .await
            .as_ref()
            .map(|o| o.client.clone())
            .ok_or_else(|| CmdError::from(tern_client_core::Error::NotSignedIn))
    }

    pub async fn client_if_open(&self) -> Option<Client> {
        self.client.lock().await.as_ref().map(|o| o.client.clone())
    }

    /// The client for `url`, opening it (and closing one for another
    /// server) when needed. Its events go to the window.
    pub async fn open_client<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        url: &str,
    ) -> CmdResult<Client> {
        let mut g = self.client.lock().await;
        if let Some(o) = g.as_ref()
            && o.url == url
        {
            return Ok(o.client.clone());
        }
        if let Some(old) = g.take() {
            old.client.shutdown().await;
        }
        let mut config = ClientConfig::new(url, &self.paths.data_dir, PROFILE);
        config.device_name = Some("Tern Desktop".to_owned());
        config.secrets = self.secrets.clone();
        config.file_cache_max_bytes = self.settings().cache_size_mb.saturating_mul(1 << 20);
        let client = Client::open(config).await?;
        forward_events(app.clone(), client.clone());
        *g = Some(Open {
            url: url.to_owned(),
            client: client.clone(),
        });
        Ok(client)
    }
}

/// The name of the window event carrying client-core's events.
pub const EVENT: &str = "tern://event";

fn forward_events<R: Runtime>(app: AppHandle<R>, client: Client) {
    let mut events = client.events();
    drop(client);
    tauri::async_runtime::spawn(async move {
        // The count the store holds already (an offline start hears no
        // room list change).
        crate::desktop::update_badge(&app).await;
        while let Some(e) = events.recv().await {
            if let Some(e) = Event::from_core(e) {
                let e = e.worded(&app.state::<AppState>().translator());
                crate::desktop::on_event(&app, &e).await;
                if let Err(err) = app.emit(EVENT, &e) {
                    tracing::warn!(error = %err, "cannot forward an event to the window");
                }
            }
        }
    });
}
