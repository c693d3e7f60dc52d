//! Provider credentials (the Vast.ai API key, the BOINC RPC password) as the settings screen
//! handles them: typed in once and stored in the OS keyring; afterwards the screen only learns
//! whether each is set, and can remove it. No value ever goes back to the UI, a log or a file.

use std::time::Duration;

use crate::secrets::{LayeredStore, SecretName, SecretSource, SecretStore};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::error::AgentError;

/// How long a keyring call may take before the screen gives up on it (an unlock prompt the
/// user ignores, a hung D-Bus service).
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(20);

/// Which credential, as the UI names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CredentialName {
    VastApiKey,
    BoincPassword,
}

impl CredentialName {
    pub const ALL: [CredentialName; 2] =
        [CredentialName::VastApiKey, CredentialName::BoincPassword];

    fn secret(self) -> SecretName {
        match self {
            CredentialName::VastApiKey => SecretName::VastApiKey,
            CredentialName::BoincPassword => SecretName::BoincRpcPassword,
        }
    }
}

/// Whether a credential is set, and where from — never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CredentialState {
    pub name: CredentialName,
    pub set: bool,
    /// The environment variable it comes from when that is set: it wins over the keyring, and
    /// the screen cannot change it.
    pub env_var: Option<String>,
    /// Why its state could not be read (no keyring service, keyring locked), with what to do.
    pub error: Option<String>,
}

/// The state of every credential.
pub fn states<S: SecretStore>(store: &LayeredStore<S>) -> Vec<CredentialState> {
    CredentialName::ALL
        .iter()
        .map(|&name| {
            let secret = name.secret();
            let (set, env_var, error) = match store.source(secret) {
                Ok(Some(SecretSource::Env)) => (true, Some(secret.env_var().to_owned()), None),
                Ok(Some(SecretSource::Keyring)) => (true, None, None),
                Ok(None) => (false, None, None),
                Err(e) => (false, None, Some(e.to_string())),
            };
            CredentialState {
                name,
                set,
                env_var,
                error,
            }
        })
        .collect()
}

/// Stores `value` (surrounding spaces dropped: they come from copy and paste, never from a key).
pub fn set<S: SecretStore>(
    store: &LayeredStore<S>,
    name: CredentialName,
    value: &str,
) -> Result<(), AgentError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AgentError::Rejected(format!(
            "the {} is empty; paste it in, or use Remove to delete the stored one",
            name.secret().label()
        )));
    }
    store
        .set(name.secret(), trimmed)
        .map_err(|e| AgentError::Rejected(e.to_string()))
}

/// Deletes the stored credential; removing one that is not stored is not an error.
pub fn remove<S: SecretStore>(
    store: &LayeredStore<S>,
    name: CredentialName,
) -> Result<(), AgentError> {
    store
        .delete(name.secret())
        .map(|_| ())
        .map_err(|e| AgentError::Rejected(e.to_string()))
}

/// Runs `f` on the production store (environment over the OS keyring) off the async threads,
/// giving up after [`KEYRING_TIMEOUT`]. The keyring blocks while it talks to its service.
pub async fn with_keyring<T: Send + 'static>(
    f: impl FnOnce(&LayeredStore) -> T + Send + 'static,
) -> Result<T, AgentError> {
    let work = tokio::task::spawn_blocking(move || f(&LayeredStore::from_env()));
    match tokio::time::timeout(KEYRING_TIMEOUT, work).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(_)) => Err(AgentError::Rejected(
            "the keyring call failed unexpectedly; try again, or use `overtime secrets` in a \
             terminal"
                .to_owned(),
        )),
        Err(_) => Err(AgentError::Rejected(format!(
            "the OS keyring did not answer within {} s; unlock it (it may be waiting for a \
             password prompt) and try again",
            KEYRING_TIMEOUT.as_secs()
        ))),
    }
}

/// What the UI sends to store a credential. The value is wiped from memory when dropped and
/// never printed.
#[derive(Deserialize, TS)]
pub struct SetCredential {
    pub name: CredentialName,
    #[serde(deserialize_with = "wiped_on_drop")]
    #[ts(type = "string")]
    pub value: Zeroizing<String>,
}

fn wiped_on_drop<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Zeroizing<String>, D::Error> {
    String::deserialize(d).map(Zeroizing::new)
}

impl std::fmt::Debug for SetCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetCredential")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use crate::secrets::{EnvStore, MemoryStore};

    use super::*;

    const KEY: &str = "vast-4f9c2e1b-DO-NOT-SHOW";

    fn store(env: &[(&str, &str)]) -> LayeredStore<MemoryStore> {
        LayeredStore::new(
            EnvStore::from_pairs(env.iter().map(|(k, v)| (*k, *v))),
            MemoryStore::new(),
        )
    }

    fn state(store: &LayeredStore<MemoryStore>, name: CredentialName) -> CredentialState {
        states(store).into_iter().find(|s| s.name == name).unwrap()
    }

    #[test]
    fn a_stored_key_shows_as_set_and_never_as_its_value() {
        let s = store(&[]);
        assert!(!state(&s, CredentialName::VastApiKey).set);
        set(&s, CredentialName::VastApiKey, &format!("  {KEY}\n")).unwrap();
        let shown = state(&s, CredentialName::VastApiKey);
        assert!(shown.set);
        assert_eq!(shown.env_var, None);
        assert!(!state(&s, CredentialName::BoincPassword).set);
        // Stored without the pasted whitespace.
        let stored = s.persistent().get(SecretName::VastApiKey).unwrap().unwrap();
        assert_eq!(stored.expose(), KEY);
        // What crosses to the UI carries no trace of it.
        let wire = serde_json::to_string(&states(&s)).unwrap();
        assert!(!wire.contains(KEY), "{wire}");
    }

    #[test]
    fn remove_deletes_it_and_removing_again_is_fine() {
        let s = store(&[]);
        set(&s, CredentialName::BoincPassword, "hunter2").unwrap();
        remove(&s, CredentialName::BoincPassword).unwrap();
        assert!(!state(&s, CredentialName::BoincPassword).set);
        remove(&s, CredentialName::BoincPassword).unwrap();
    }

    #[test]
    fn an_empty_value_is_refused_with_what_to_do() {
        let s = store(&[]);
        let err = set(&s, CredentialName::VastApiKey, "   ").unwrap_err();
        assert!(err.to_string().contains("Remove"), "{err}");
        assert!(!state(&s, CredentialName::VastApiKey).set);
    }

    #[test]
    fn a_key_from_the_environment_is_set_and_names_its_variable() {
        let s = store(&[("OVERTIME_VAST_API_KEY", "from-env")]);
        let shown = state(&s, CredentialName::VastApiKey);
        assert!(shown.set);
        assert_eq!(shown.env_var.as_deref(), Some("OVERTIME_VAST_API_KEY"));
    }

    #[test]
    fn the_request_to_store_a_key_never_prints_it() {
        let request: SetCredential =
            serde_json::from_value(serde_json::json!({"name": "vast_api_key", "value": KEY}))
                .unwrap();
        assert_eq!(request.value.as_str(), KEY);
        assert!(!format!("{request:?}").contains(KEY));
    }
}
