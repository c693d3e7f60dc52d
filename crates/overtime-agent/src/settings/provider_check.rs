//! "Test connection" on the settings screen: builds one provider from the settings as they
//! stand in the form (saved or not) and asks the service for its real state, the way
//! `overtime doctor` does (`overtime_agent::providers::probe`), with a time limit.

use std::path::PathBuf;
use std::time::Duration;

use crate::providers::probe::{PROBE_TIMEOUT, Probe, probe};
use crate::providers::setup::{ProviderSecrets, RealProvider, build_real, secrets_from};
use overtime_core::config::Config;
use overtime_core::config::providers::HookKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::AgentError;
use crate::settings;
use crate::settings::credentials::with_keyring;
use overtime_core::config::edit::{self, ProvidersForm};

/// Which provider to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProviderTarget {
    Boinc,
    Fah,
    Vast,
    RentalHooks,
    VolunteerHooks,
    Demo,
}

impl ProviderTarget {
    fn real(self) -> Option<RealProvider> {
        match self {
            ProviderTarget::Boinc => Some(RealProvider::Boinc),
            ProviderTarget::Fah => Some(RealProvider::Fah),
            ProviderTarget::Vast => Some(RealProvider::Vast),
            ProviderTarget::RentalHooks => Some(RealProvider::Hooks(HookKind::Rental)),
            ProviderTarget::VolunteerHooks => Some(RealProvider::Hooks(HookKind::Volunteer)),
            ProviderTarget::Demo => None,
        }
    }
}

/// How a test went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The service answered; the message is its state.
    Ok,
    /// A demo provider: nothing real to reach.
    Simulated,
    /// It could not be used or did not answer; the message says what to do.
    Failed,
}

/// The result shown under the provider's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProviderCheck {
    pub outcome: CheckOutcome,
    pub message: String,
}

/// Tests `target` with the providers settings in `form` applied over the file at
/// `config_path` (nothing is written). Invalid settings come back as field errors.
pub async fn test_from_form(
    config_path: PathBuf,
    form: ProvidersForm,
    target: ProviderTarget,
) -> Result<ProviderCheck, AgentError> {
    let read = tokio::task::spawn_blocking(move || -> Result<Config, AgentError> {
        let mut doc = settings::read_document(&config_path)?;
        edit::apply_providers(&mut doc, &form)?;
        Ok(edit::check(&doc)?)
    });
    let config = read.await.map_err(|e| {
        AgentError::Rejected(format!("the test stopped unexpectedly ({e}); try again"))
    })??;
    let Some(real) = target.real() else {
        return Ok(simulated());
    };
    let secrets = match real.secret() {
        Some(name) => with_keyring(move |store| secrets_from(store, &[name])).await?,
        None => ProviderSecrets::default(),
    };
    Ok(test(&config, target, &secrets, PROBE_TIMEOUT).await)
}

/// Builds `target` from `config` with `secrets` and asks it for its state within `timeout`.
pub async fn test(
    config: &Config,
    target: ProviderTarget,
    secrets: &ProviderSecrets,
    timeout: Duration,
) -> ProviderCheck {
    let Some(real) = target.real() else {
        return simulated();
    };
    let (mut provider, _) = match build_real(config, real, secrets) {
        Ok(built) => built,
        Err(note) => {
            return ProviderCheck {
                outcome: CheckOutcome::Failed,
                message: note,
            };
        }
    };
    let found = probe(provider.as_mut(), timeout).await;
    let outcome = match found {
        Probe::Answered { .. } => CheckOutcome::Ok,
        Probe::Simulated { .. } => CheckOutcome::Simulated,
        Probe::Failed(_) | Probe::TimedOut { .. } => CheckOutcome::Failed,
    };
    let mut message = found.message();
    if outcome == CheckOutcome::Failed
        && target == ProviderTarget::Vast
        && secrets.vast_api_key.is_none()
    {
        message =
            format!("The Vast.ai API key is not set: enter it above, then test again. ({message})");
    }
    ProviderCheck { outcome, message }
}

fn simulated() -> ProviderCheck {
    ProviderCheck {
        outcome: CheckOutcome::Simulated,
        message: "The demo provider is simulated: there is nothing to connect to, and its \
                  figures are not real money or real work."
            .to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn boinc_at(port: u16) -> Config {
        let mut config = Config::default();
        config.providers.boinc.port = port;
        config
    }

    #[tokio::test]
    async fn a_boinc_client_that_is_not_running_says_so() {
        // A port that was free a moment ago: nothing listens there.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let check = test(
            &boinc_at(port),
            ProviderTarget::Boinc,
            &ProviderSecrets::default(),
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(check.outcome, CheckOutcome::Failed);
        assert!(
            check.message.contains(&port.to_string()),
            "{}",
            check.message
        );
        assert!(
            check.message.contains("Is it running?"),
            "{}",
            check.message
        );
    }

    #[tokio::test]
    async fn a_client_that_never_answers_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        // Accept and hold connections without a word.
        let silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let started = std::time::Instant::now();
        let check = test(
            &boinc_at(port),
            ProviderTarget::Boinc,
            &ProviderSecrets::default(),
            Duration::from_millis(300),
        )
        .await;
        silent.abort();
        assert_eq!(check.outcome, CheckOutcome::Failed);
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            check.message.contains("did not answer") || check.message.contains("within"),
            "{}",
            check.message
        );
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_missing_vast_key_is_named_before_anything_is_sent() {
        let mut config = Config::default();
        // Nothing listens here; a key check that reached the network would fail differently.
        config.providers.vast.api_url = "http://127.0.0.1:9/api/v0".into();
        let check = test(
            &config,
            ProviderTarget::Vast,
            &ProviderSecrets::default(),
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(check.outcome, CheckOutcome::Failed);
        assert!(
            check.message.starts_with("The Vast.ai API key is not set"),
            "{}",
            check.message
        );
    }

    #[cfg(not(target_os = "linux"))]
    #[tokio::test]
    async fn vast_is_not_offered_where_it_cannot_host_and_hooks_are_named_instead() {
        let mut config = Config::default();
        config.providers.vast.api_url = "http://127.0.0.1:9/api/v0".into();
        let secrets = ProviderSecrets {
            vast_api_key: Some("k".repeat(64)),
            ..ProviderSecrets::default()
        };
        let check = test(
            &config,
            ProviderTarget::Vast,
            &secrets,
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(check.outcome, CheckOutcome::Failed);
        assert!(check.message.contains("Ubuntu"), "{}", check.message);
        assert!(check.message.contains("hooks"), "{}", check.message);
    }

    #[tokio::test]
    async fn hooks_of_the_wrong_kind_are_explained() {
        let check = test(
            &Config::default(),
            ProviderTarget::RentalHooks,
            &ProviderSecrets::default(),
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(check.outcome, CheckOutcome::Failed);
        assert!(
            check.message.contains("[[providers.hooks]]"),
            "{}",
            check.message
        );
    }

    #[tokio::test]
    async fn the_demo_provider_is_labelled_simulated() {
        let check = test(
            &Config::default(),
            ProviderTarget::Demo,
            &ProviderSecrets::default(),
            PROBE_TIMEOUT,
        )
        .await;
        assert_eq!(check.outcome, CheckOutcome::Simulated);
        assert!(check.message.contains("simulated"));
    }

    #[tokio::test]
    async fn an_invalid_form_is_refused_with_field_errors_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# mine\n").unwrap();
        let mut form = edit::view(&Config::default(), &path, &[]).providers;
        form.boinc.port = "lots".into();
        match test_from_form(path.clone(), form, ProviderTarget::Boinc).await {
            Err(AgentError::InvalidSettings(f)) => {
                assert_eq!(f[0].field, "providers.boinc.port");
            }
            other => panic!("expected a field error, got {other:?}"),
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
    }
}
