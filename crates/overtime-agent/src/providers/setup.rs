//! Builds the providers the configuration asks for. Shared by the headless daemon and the
//! desktop shell so both run exactly the same set.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use overtime_core::config::Config;
use overtime_core::config::providers::{HookKind, RentalChoice, VolunteerChoice};

use super::Provider;
use super::boinc::{BoincConfig, BoincProvider};
use super::demo::{DemoMarket, DemoRental, DemoVolunteer};
use super::fah::{FahConfig, FahProvider};
use super::hooks::HooksProvider;
use super::vast::VastProvider;
use crate::clock::Clock;
use crate::secrets::{LayeredStore, SecretName, SecretStore};

/// The providers to run, and one line per choice for the log and `overtime doctor`.
pub struct ProviderSet {
    pub providers: Vec<Box<dyn Provider>>,
    pub notes: Vec<String>,
}

/// Secrets the providers may need, already read from the keyring or the environment by the
/// caller (so this module never touches a secret store).
#[derive(Default)]
pub struct ProviderSecrets {
    pub boinc_password: Option<String>,
    pub vast_api_key: Option<String>,
}

impl std::fmt::Debug for ProviderSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSecrets")
            .field(
                "boinc_password",
                &self.boinc_password.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "vast_api_key",
                &self.vast_api_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Knobs of the simulated demo providers.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub market: DemoMarket,
}

/// A provider that talks to a real service (everything but the demo ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealProvider {
    Boinc,
    Fah,
    Vast,
    /// The first `[[providers.hooks]]` entry of this kind.
    Hooks(HookKind),
}

impl RealProvider {
    /// The secret it authenticates with, if any.
    pub fn secret(self) -> Option<SecretName> {
        match self {
            RealProvider::Vast => Some(SecretName::VastApiKey),
            RealProvider::Boinc => Some(SecretName::BoincRpcPassword),
            RealProvider::Fah | RealProvider::Hooks(_) => None,
        }
    }
}

/// Whether this OS can be a Vast.ai host: Vast.ai runs hosts only on Ubuntu Linux, under its own
/// host software (vast-ai/docs, hosting overview), so elsewhere renting goes through hooks.
pub const VAST_HOSTS_ON_THIS_OS: bool = cfg!(target_os = "linux");

/// What `overtime doctor` and Settings' connection test say where Vast.ai cannot host.
pub const VAST_NOT_ON_THIS_OS: &str = "rental: Vast.ai cannot be used on this system: Vast.ai \
    hosts run only on Ubuntu Linux with Vast.ai's host software installed; here, rent through \
    command hooks ([[providers.hooks]] with kind = \"rental\") or set rental = \"none\"";

/// Builds one real provider from `config.providers`, whether or not it is the one chosen, so
/// its settings can be tried before choosing it. The error says why it cannot be used.
pub fn build_real(
    config: &Config,
    which: RealProvider,
    secrets: &ProviderSecrets,
) -> Result<(Box<dyn Provider>, String), String> {
    let p = &config.providers;
    match which {
        RealProvider::Vast if !VAST_HOSTS_ON_THIS_OS => Err(VAST_NOT_ON_THIS_OS.to_owned()),
        RealProvider::Vast => VastProvider::new(
            &p.vast,
            config.rental.price_per_gpu_hour,
            secrets.vast_api_key.clone(),
        )
        .map(|v| -> (Box<dyn Provider>, String) {
            (
                Box::new(v),
                format!("rental: Vast.ai host, machine {}", p.vast.machine_id),
            )
        })
        .map_err(|e| format!("rental: Vast.ai cannot be used: {e}")),
        RealProvider::Boinc => {
            let b = &p.boinc;
            Ok((
                Box::new(BoincProvider::new(BoincConfig {
                    host: b.host.clone(),
                    port: b.port,
                    password: secrets.boinc_password.clone(),
                    password_file: (!b.password_file.is_empty())
                        .then(|| PathBuf::from(&b.password_file)),
                    control_cpu: b.control_cpu,
                    pause: Duration::from_secs(b.pause_s),
                    ..BoincConfig::default()
                })),
                format!("volunteer: BOINC client at {}:{}", b.host, b.port),
            ))
        }
        RealProvider::Fah => Ok((
            Box::new(FahProvider::new(FahConfig::from_settings(&p.fah))),
            format!("volunteer: Folding@home at {}", p.fah.url),
        )),
        RealProvider::Hooks(kind) => match p.hooks.iter().find(|h| h.kind == kind) {
            Some(h) => Ok((
                Box::new(HooksProvider::new(h.clone())),
                format!("{}: command hooks \"{}\"", kind_word(kind), h.name),
            )),
            None => Err(format!(
                "{}: hooks chosen but no [[providers.hooks]] with kind = \"{}\" is configured",
                kind_word(kind),
                kind_word(kind)
            )),
        },
    }
}

/// Build what `config.providers` names. `state_dir` keeps the demo providers' state.
pub fn build(
    config: &Config,
    state_dir: &Path,
    clock: Arc<dyn Clock>,
    secrets: ProviderSecrets,
    demo: DemoOptions,
) -> ProviderSet {
    let p = &config.providers;
    let mut set = ProviderSet {
        providers: Vec::new(),
        notes: Vec::new(),
    };

    match p.rental {
        RentalChoice::Demo => {
            set.providers.push(Box::new(DemoRental::new(
                state_dir.join("demo-rental.json"),
                clock.clone(),
                demo.market,
                config.rental.price_per_gpu_hour,
            )));
            set.notes.push(
                "rental: demo marketplace (simulated — no real renter, no real money)".to_owned(),
            );
        }
        RentalChoice::Vast => set.add(build_real(config, RealProvider::Vast, &secrets)),
        RentalChoice::Hooks => set.add(build_real(
            config,
            RealProvider::Hooks(HookKind::Rental),
            &secrets,
        )),
        RentalChoice::None => set.notes.push("rental: none configured".to_owned()),
    }

    match p.volunteer {
        VolunteerChoice::Boinc => set.add(build_real(config, RealProvider::Boinc, &secrets)),
        VolunteerChoice::Demo => {
            set.providers.push(Box::new(DemoVolunteer::new(
                state_dir.join("demo-volunteer.json"),
                clock,
            )));
            set.notes.push(
                "volunteer: demo client (simulated — no real work, no real credit)".to_owned(),
            );
        }
        VolunteerChoice::Fah => set.add(build_real(config, RealProvider::Fah, &secrets)),
        VolunteerChoice::Hooks => set.add(build_real(
            config,
            RealProvider::Hooks(HookKind::Volunteer),
            &secrets,
        )),
        VolunteerChoice::None => set.notes.push("volunteer: none configured".to_owned()),
    }

    set
}

impl ProviderSet {
    fn add(&mut self, built: Result<(Box<dyn Provider>, String), String>) {
        match built {
            Ok((provider, note)) => {
                self.providers.push(provider);
                self.notes.push(note);
            }
            Err(note) => self.notes.push(note),
        }
    }
}

fn kind_word(kind: HookKind) -> &'static str {
    match kind {
        HookKind::Rental => "rental",
        HookKind::Volunteer => "volunteer",
    }
}

/// Provider secrets for the configured providers: the environment first (headless boxes), then
/// the OS keyring. A keyring that cannot be reached is reported once, not fatal.
pub async fn read_secrets(config: &Config) -> ProviderSecrets {
    let mut wanted = Vec::new();
    if config.providers.rental == RentalChoice::Vast {
        wanted.push(SecretName::VastApiKey);
    }
    if config.providers.volunteer == VolunteerChoice::Boinc {
        wanted.push(SecretName::BoincRpcPassword);
    }
    if wanted.is_empty() {
        return ProviderSecrets::default();
    }
    tokio::task::spawn_blocking(move || secrets_from(&LayeredStore::from_env(), &wanted))
        .await
        .unwrap_or_default()
}

/// Reads the `wanted` secrets from `store` (blocking: call it off the async threads). A secret
/// that is not set, or a store that fails, is logged and left out; never the value.
pub fn secrets_from(store: &dyn SecretStore, wanted: &[SecretName]) -> ProviderSecrets {
    let mut secrets = ProviderSecrets::default();
    for &name in wanted {
        match store.get(name) {
            Ok(Some(v)) => {
                let value = Some(v.expose().to_owned());
                match name {
                    SecretName::VastApiKey => secrets.vast_api_key = value,
                    SecretName::BoincRpcPassword => secrets.boinc_password = value,
                }
            }
            Ok(None) => tracing::info!(
                "{name} is not set (`overtime secrets set {}`)",
                name.as_str()
            ),
            Err(e) => tracing::warn!("{e}"),
        }
    }
    secrets
}

/// The real providers, built again from the configuration whenever their settings or the
/// credentials change (secrets read fresh each time).
pub struct RealProviders {
    pub state_dir: PathBuf,
    pub clock: Arc<dyn Clock>,
    pub demo: DemoOptions,
}

#[async_trait::async_trait]
impl super::ProviderFactory for RealProviders {
    async fn build(&self, config: &Config) -> Vec<Box<dyn Provider>> {
        let set = build(
            config,
            &self.state_dir,
            self.clock.clone(),
            read_secrets(config).await,
            self.demo,
        );
        for note in &set.notes {
            tracing::info!("{note}");
        }
        set.providers
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use overtime_core::config::providers::HookSettings;

    use super::*;
    use crate::secrets::MemoryStore;

    #[test]
    fn a_provider_that_is_not_chosen_can_still_be_built_to_try_it() {
        let config = Config::default();
        assert_eq!(config.providers.volunteer, VolunteerChoice::Demo);
        let (provider, note) =
            build_real(&config, RealProvider::Boinc, &ProviderSecrets::default()).unwrap();
        assert_eq!(provider.name(), "boinc");
        assert!(!provider.simulated());
        assert!(note.contains("127.0.0.1:31416"), "{note}");
    }

    #[test]
    fn hooks_of_a_kind_with_no_entry_say_what_is_missing() {
        let mut config = Config::default();
        config.providers.hooks.push(HookSettings {
            name: "market".into(),
            kind: HookKind::Rental,
            start: vec!["true".into()],
            stop: vec!["true".into()],
            status: Vec::new(),
            timeout_s: 5,
        });
        let secrets = ProviderSecrets::default();
        assert!(build_real(&config, RealProvider::Hooks(HookKind::Rental), &secrets).is_ok());
        let Err(note) = build_real(&config, RealProvider::Hooks(HookKind::Volunteer), &secrets)
        else {
            panic!("a volunteer hook was built from a rental entry");
        };
        assert!(note.contains("kind = \"volunteer\""), "{note}");
    }

    #[test]
    fn only_the_wanted_secrets_are_read() {
        let store = MemoryStore::new();
        store.set(SecretName::VastApiKey, "vast-key").unwrap();
        store.set(SecretName::BoincRpcPassword, "boinc-pw").unwrap();
        let secrets = secrets_from(&store, &[SecretName::BoincRpcPassword]);
        assert_eq!(secrets.boinc_password.as_deref(), Some("boinc-pw"));
        assert_eq!(secrets.vast_api_key, None);
        assert!(!format!("{secrets:?}").contains("boinc-pw"));
    }
}
