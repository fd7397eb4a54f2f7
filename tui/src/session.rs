//! One run of `tern`: the global flags resolved into a data dir, a server
//! URL and a config, and the client-core [`Client`] for the profile.

use std::collections::BTreeMap;
use std::path::PathBuf;

use std::sync::Arc;

use tern_client_core::i18n::Translator;
use tern_client_core::{Client, ClientConfig};
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::cli::Global;
use crate::config;
use crate::headless::CliError;
use crate::profile::{ProfileState, WorkspaceName};

/// Where the server is when nothing says otherwise (`tern-server serve`'s
/// default).
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

#[derive(Clone, Debug)]
pub struct Session {
    pub global: Global,
    pub config: config::Loaded,
    pub data_dir: PathBuf,
    pub server_url: String,
    /// The local time zone, read once at start (before threads exist).
    pub offset: UtcOffset,
    /// `--locale`, else the config's `locale`, else the system's.
    pub tr: Arc<Translator>,
}

impl Session {
    pub fn new(global: Global, config: config::Loaded, offset: UtcOffset) -> Self {
        let data_dir = config::data_dir(global.data_dir.as_deref());
        let remembered = ProfileState::load(&data_dir, &global.profile).server_url;
        let server_url = global
            .server
            .clone()
            .or(remembered)
            .or_else(|| config.config.server.clone())
            .unwrap_or_else(|| DEFAULT_SERVER.to_owned());
        let tr = Arc::new(Translator::new(
            global.locale.as_deref().or(config.config.locale.as_deref()),
        ));
        Self {
            tr,
            global,
            config,
            data_dir,
            server_url,
            offset,
        }
    }

    pub fn client_config(&self) -> ClientConfig {
        let mut c = ClientConfig::new(&self.server_url, &self.data_dir, &self.global.profile);
        c.device_name = Some(format!("tern (terminal) on {}", hostname()));
        c.secrets = match self.global.secrets {
            crate::cli::Secrets::Auto => tern_client_core::SecretsBackend::Auto,
            crate::cli::Secrets::File => tern_client_core::SecretsBackend::File,
            crate::cli::Secrets::Keyring => tern_client_core::SecretsBackend::Keyring,
        };
        c.extra_root_certificate = self.global.ca_cert.clone();
        c
    }

    pub async fn open_client(&self) -> Result<Client, CliError> {
        Client::open(self.client_config()).await.map_err(|e| {
            tracing::warn!(error = %e, "cannot open the profile");
            CliError::Failed(self.tr.tr_args(
                "cli-cannot-open-profile",
                &[
                    ("profile", self.global.profile.clone().into()),
                    ("error", e.localized(&self.tr).into()),
                ],
            ))
        })
    }

    /// Asks the server for the caller's workspaces and remembers their
    /// names (client-core keeps only ids); answers them.
    pub async fn refresh_workspaces(
        &self,
        client: &Client,
    ) -> tern_client_core::Result<BTreeMap<Uuid, WorkspaceName>> {
        let map: BTreeMap<Uuid, WorkspaceName> = client
            .workspaces()
            .await?
            .into_iter()
            .map(|w| {
                (
                    w.id,
                    WorkspaceName {
                        slug: w.slug,
                        name: w.name,
                    },
                )
            })
            .collect();
        let saved = map.clone();
        ProfileState::update(&self.data_dir, &self.global.profile, |s| {
            s.workspaces = saved;
        });
        Ok(map)
    }

    /// Remembers the server this profile signed in to.
    pub fn remember_server(&self) {
        let url = self.server_url.clone();
        ProfileState::update(&self.data_dir, &self.global.profile, |s| {
            s.server_url = Some(url);
        });
    }

    /// Remembers that a sync finished now.
    pub fn synced(&self) {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        ProfileState::update(&self.data_dir, &self.global.profile, |s| {
            s.last_sync = Some(now);
        });
    }

    pub fn workspaces(&self) -> BTreeMap<Uuid, WorkspaceName> {
        ProfileState::load(&self.data_dir, &self.global.profile).workspaces
    }

    /// `2026-11-25 14:03` in local time.
    pub fn fmt_time(&self, t: OffsetDateTime) -> String {
        let t = t.to_offset(self.offset);
        let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
        t.format(&f).unwrap_or_default()
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "this machine".into())
}
