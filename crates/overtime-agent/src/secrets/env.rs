//! Secrets from environment variables (`OVERTIME_VAST_API_KEY`, …): the documented way to give
//! the agent a secret on a headless box with no keyring service. Read-only: Overtime cannot
//! change the environment it was started with.

use std::sync::Arc;

use super::{Secret, SecretName, SecretStore, SecretsError};

type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Reads [`SecretName::env_var`]. An empty variable counts as not set, so `VAR=` in a unit file
/// does not shadow the keyring with an empty password.
#[derive(Clone)]
pub struct EnvStore {
    lookup: Arc<Lookup>,
}

impl EnvStore {
    /// Reads this process's environment at each `get` (so a changed variable is seen).
    /// A variable that is not valid Unicode counts as not set, with a warning naming it.
    pub fn from_process() -> Self {
        EnvStore {
            lookup: Arc::new(|var| match std::env::var(var) {
                Ok(value) => Some(value),
                Err(std::env::VarError::NotPresent) => None,
                Err(std::env::VarError::NotUnicode(_)) => {
                    tracing::warn!(
                        variable = var,
                        "ignoring an environment variable that is not valid Unicode"
                    );
                    None
                }
            }),
        }
    }

    /// A fixed environment, for tests: `(variable, value)` pairs.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars: std::collections::HashMap<String, zeroize::Zeroizing<String>> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), zeroize::Zeroizing::new(v.into())))
            .collect();
        EnvStore {
            lookup: Arc::new(move |var| vars.get(var).map(|v| v.as_str().to_owned())),
        }
    }
}

impl std::fmt::Debug for EnvStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnvStore")
    }
}

impl SecretStore for EnvStore {
    fn get(&self, name: SecretName) -> Result<Option<Secret>, SecretsError> {
        Ok((self.lookup)(name.env_var())
            .filter(|v| !v.is_empty())
            .map(Secret::new))
    }

    fn set(&self, name: SecretName, _value: &str) -> Result<(), SecretsError> {
        Err(read_only(name))
    }

    fn delete(&self, name: SecretName) -> Result<bool, SecretsError> {
        Err(read_only(name))
    }

    fn describe(&self) -> String {
        "environment variables (OVERTIME_*)".to_owned()
    }
}

fn read_only(name: SecretName) -> SecretsError {
    SecretsError::ReadOnly {
        label: name.label(),
        env_var: name.env_var(),
        backend: "an environment variable",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_secret_from_its_own_variable() {
        let env = EnvStore::from_pairs([
            ("OVERTIME_VAST_API_KEY", "vast-from-env"),
            ("OVERTIME_BOINC_PASSWORD", "boinc-from-env"),
        ]);
        assert_eq!(
            env.get(SecretName::VastApiKey).unwrap().unwrap().expose(),
            "vast-from-env"
        );
        assert_eq!(
            env.get(SecretName::BoincRpcPassword)
                .unwrap()
                .unwrap()
                .expose(),
            "boinc-from-env"
        );
    }

    #[test]
    fn an_empty_or_missing_variable_is_not_set() {
        let env = EnvStore::from_pairs([("OVERTIME_VAST_API_KEY", "")]);
        assert!(!env.is_set(SecretName::VastApiKey).unwrap());
        assert!(!env.is_set(SecretName::BoincRpcPassword).unwrap());
    }

    #[test]
    fn writing_is_refused_with_the_variable_to_change() {
        let env = EnvStore::from_pairs([("OVERTIME_VAST_API_KEY", "x")]);
        let err = env.set(SecretName::VastApiKey, "new").unwrap_err();
        assert!(err.to_string().contains("OVERTIME_VAST_API_KEY"), "{err}");
        let err = env.delete(SecretName::VastApiKey).unwrap_err();
        assert!(matches!(err, SecretsError::ReadOnly { .. }), "{err:?}");
    }
}
