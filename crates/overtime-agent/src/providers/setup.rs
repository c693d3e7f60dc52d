//! Builds the providers the configuration asks for. Shared by the headless daemon and the
//! desktop shell so both run exactly the same set.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use overtime_core::config::Config;
use overtime_core::config::providers::{HookKind, ProvidersConfig, RentalChoice, VolunteerChoice};

use super::Provider;
use super::boinc::{BoincConfig, BoincProvider};
use super::demo::{DemoMarket, DemoRental, DemoVolunteer};
use super::fah::{FahConfig, FahProvider};
use super::hooks::HooksProvider;
use super::vast::VastProvider;
use crate::clock::Clock;

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

/// Build what `config.providers` names. `state_dir` keeps the demo providers' state.
pub fn build(
    config: &Config,
    state_dir: &Path,
    clock: Arc<dyn Clock>,
    secrets: ProviderSecrets,
    demo: DemoOptions,
) -> ProviderSet {
    let p = &config.providers;
    let mut providers: Vec<Box<dyn Provider>> = Vec::new();
    let mut notes = Vec::new();

    match p.rental {
        RentalChoice::Demo => {
            providers.push(Box::new(DemoRental::new(
                state_dir.join("demo-rental.json"),
                clock.clone(),
                demo.market,
                config.rental.price_per_gpu_hour,
            )));
            notes.push(
                "rental: demo marketplace (simulated — no real renter, no real money)".to_owned(),
            );
        }
        RentalChoice::Vast => {
            match VastProvider::new(
                &p.vast,
                config.rental.price_per_gpu_hour,
                secrets.vast_api_key,
            ) {
                Ok(v) => {
                    providers.push(Box::new(v));
                    notes.push(format!(
                        "rental: Vast.ai host, machine {}",
                        p.vast.machine_id
                    ));
                }
                Err(e) => notes.push(format!("rental: Vast.ai cannot be used: {e}")),
            }
        }
        RentalChoice::Hooks => push_hooks(&mut providers, &mut notes, p, HookKind::Rental),
        RentalChoice::None => notes.push("rental: none configured".to_owned()),
    }

    match p.volunteer {
        VolunteerChoice::Boinc => {
            let b = &p.boinc;
            providers.push(Box::new(BoincProvider::new(BoincConfig {
                host: b.host.clone(),
                port: b.port,
                password: secrets.boinc_password,
                password_file: (!b.password_file.is_empty())
                    .then(|| PathBuf::from(&b.password_file)),
                control_cpu: b.control_cpu,
                pause: Duration::from_secs(b.pause_s),
                ..BoincConfig::default()
            })));
            notes.push(format!("volunteer: BOINC client at {}:{}", b.host, b.port));
        }
        VolunteerChoice::Demo => {
            providers.push(Box::new(DemoVolunteer::new(
                state_dir.join("demo-volunteer.json"),
                clock,
            )));
            notes.push(
                "volunteer: demo client (simulated — no real work, no real credit)".to_owned(),
            );
        }
        VolunteerChoice::Fah => {
            providers.push(Box::new(FahProvider::new(FahConfig::from_settings(&p.fah))));
            notes.push(format!("volunteer: Folding@home at {}", p.fah.url));
        }
        VolunteerChoice::Hooks => push_hooks(&mut providers, &mut notes, p, HookKind::Volunteer),
        VolunteerChoice::None => notes.push("volunteer: none configured".to_owned()),
    }

    ProviderSet { providers, notes }
}

/// The first configured hook of `kind` does the work (one provider per kind, like the others).
fn push_hooks(
    providers: &mut Vec<Box<dyn Provider>>,
    notes: &mut Vec<String>,
    p: &ProvidersConfig,
    kind: HookKind,
) {
    match p.hooks.iter().find(|h| h.kind == kind) {
        Some(h) => {
            providers.push(Box::new(HooksProvider::new(h.clone())));
            notes.push(format!("{}: command hooks \"{}\"", kind_word(kind), h.name));
        }
        None => notes.push(format!(
            "{}: hooks chosen but no [[providers.hooks]] with kind = \"{}\" is configured",
            kind_word(kind),
            kind_word(kind)
        )),
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
    use crate::secrets::{LayeredStore, SecretName, SecretStore};
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
    let read = tokio::task::spawn_blocking(move || {
        let store = LayeredStore::from_env();
        wanted
            .into_iter()
            .map(|name| {
                (
                    name,
                    store.get(name).map(|s| s.map(|v| v.expose().to_owned())),
                )
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let mut secrets = ProviderSecrets::default();
    for (name, value) in read {
        match value {
            Ok(Some(v)) => match name {
                SecretName::VastApiKey => secrets.vast_api_key = Some(v),
                SecretName::BoincRpcPassword => secrets.boinc_password = Some(v),
            },
            Ok(None) => tracing::info!(
                "{name} is not set (`overtime secrets set {}`)",
                name.as_str()
            ),
            Err(e) => tracing::warn!("{e}"),
        }
    }
    secrets
}
