//! What the agent and the CLI use: a secret from the environment wins (an explicit override, and
//! the only option on a headless box without a keyring service), otherwise the OS keyring.
//! Writes and deletes go to the keyring; the environment is never touched.

use std::fmt;

use super::{EnvStore, KeyringStore, Secret, SecretName, SecretStore, SecretsError};

/// Where a secret that is set comes from, for `overtime secrets status` and the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    /// Its environment variable ([`SecretName::env_var`]).
    Env,
    /// The persistent store under the environment (normally the OS keyring).
    Keyring,
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SecretSource::Env => "environment",
            SecretSource::Keyring => "keyring",
        })
    }
}

/// The environment over a persistent store `S` ([`KeyringStore`] in production,
/// [`super::MemoryStore`] in tests).
#[derive(Debug)]
pub struct LayeredStore<S = KeyringStore> {
    env: EnvStore,
    persistent: S,
}

impl LayeredStore<KeyringStore> {
    /// This process's environment over the OS keyring: the production configuration.
    pub fn from_env() -> Self {
        LayeredStore::new(EnvStore::from_process(), KeyringStore::new())
    }
}

impl<S: SecretStore> LayeredStore<S> {
    /// `env` over `persistent`.
    pub fn new(env: EnvStore, persistent: S) -> Self {
        LayeredStore { env, persistent }
    }

    /// The store under the environment, which `set` and `delete` change.
    pub fn persistent(&self) -> &S {
        &self.persistent
    }

    /// Where the secret would be read from, or `None` when it is set nowhere. The environment is
    /// checked first, so a set variable answers without touching the keyring (which may not be
    /// running).
    pub fn source(&self, name: SecretName) -> Result<Option<SecretSource>, SecretsError> {
        if self.env.is_set(name)? {
            return Ok(Some(SecretSource::Env));
        }
        Ok(self
            .persistent
            .is_set(name)?
            .then_some(SecretSource::Keyring))
    }

    /// Whether the environment variable for `name` is set, i.e. whether it shadows whatever
    /// `set` writes (the CLI warns about it).
    pub fn env_overrides(&self, name: SecretName) -> Result<bool, SecretsError> {
        self.env.is_set(name)
    }
}

impl<S: SecretStore> SecretStore for LayeredStore<S> {
    fn get(&self, name: SecretName) -> Result<Option<Secret>, SecretsError> {
        if let Some(secret) = self.env.get(name)? {
            tracing::debug!(secret = %name, source = "environment", "secret read");
            return Ok(Some(secret));
        }
        let found = self.persistent.get(name)?;
        if found.is_some() {
            tracing::debug!(secret = %name, source = "keyring", "secret read");
        }
        Ok(found)
    }

    fn set(&self, name: SecretName, value: &str) -> Result<(), SecretsError> {
        self.persistent.set(name, value)?;
        tracing::info!(secret = %name, store = %self.persistent.describe(), "secret stored");
        Ok(())
    }

    fn delete(&self, name: SecretName) -> Result<bool, SecretsError> {
        let deleted = self.persistent.delete(name)?;
        if deleted {
            tracing::info!(secret = %name, store = %self.persistent.describe(), "secret deleted");
        }
        Ok(deleted)
    }

    fn is_set(&self, name: SecretName) -> Result<bool, SecretsError> {
        Ok(self.source(name)?.is_some())
    }

    fn describe(&self) -> String {
        format!(
            "{} over {}",
            self.env.describe(),
            self.persistent.describe()
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    /// A persistent store that is not there, like a headless box's missing keyring.
    struct NoKeyring;

    impl SecretStore for NoKeyring {
        fn get(&self, name: SecretName) -> Result<Option<Secret>, SecretsError> {
            Err(no_service(name))
        }
        fn set(&self, name: SecretName, _: &str) -> Result<(), SecretsError> {
            Err(no_service(name))
        }
        fn delete(&self, name: SecretName) -> Result<bool, SecretsError> {
            Err(no_service(name))
        }
        fn describe(&self) -> String {
            "no keyring".to_owned()
        }
    }

    fn no_service(name: SecretName) -> SecretsError {
        SecretsError::NoService {
            label: name.label(),
            env_var: name.env_var(),
            detail: "test".to_owned(),
        }
    }

    #[test]
    fn the_environment_wins_over_the_keyring_and_the_keyring_fills_in() {
        let keyring = MemoryStore::new();
        keyring
            .set(SecretName::VastApiKey, "vast-in-keyring")
            .unwrap();
        keyring
            .set(SecretName::BoincRpcPassword, "boinc-in-keyring")
            .unwrap();
        let store = LayeredStore::new(
            EnvStore::from_pairs([("OVERTIME_VAST_API_KEY", "vast-in-env")]),
            keyring,
        );

        let table = [
            (SecretName::VastApiKey, "vast-in-env", SecretSource::Env),
            (
                SecretName::BoincRpcPassword,
                "boinc-in-keyring",
                SecretSource::Keyring,
            ),
        ];
        for (name, value, source) in table {
            assert_eq!(store.get(name).unwrap().unwrap().expose(), value);
            assert_eq!(store.source(name).unwrap(), Some(source));
            assert!(store.is_set(name).unwrap());
        }
    }

    #[test]
    fn writes_and_deletes_go_to_the_keyring_not_the_environment() {
        let store = LayeredStore::new(
            EnvStore::from_pairs([("OVERTIME_VAST_API_KEY", "vast-in-env")]),
            MemoryStore::new(),
        );
        store.set(SecretName::VastApiKey, "written").unwrap();
        assert_eq!(
            store
                .persistent()
                .get(SecretName::VastApiKey)
                .unwrap()
                .unwrap()
                .expose(),
            "written"
        );
        assert!(store.env_overrides(SecretName::VastApiKey).unwrap());
        // The environment still wins until it is unset.
        assert_eq!(
            store.get(SecretName::VastApiKey).unwrap().unwrap().expose(),
            "vast-in-env"
        );
        assert!(store.delete(SecretName::VastApiKey).unwrap());
        assert!(!store.delete(SecretName::VastApiKey).unwrap());
        assert_eq!(
            store.source(SecretName::VastApiKey).unwrap(),
            Some(SecretSource::Env)
        );
    }

    #[test]
    fn a_headless_box_works_from_the_environment_without_touching_the_keyring() {
        let store = LayeredStore::new(
            EnvStore::from_pairs([("OVERTIME_BOINC_PASSWORD", "from-env")]),
            NoKeyring,
        );
        assert_eq!(
            store
                .get(SecretName::BoincRpcPassword)
                .unwrap()
                .unwrap()
                .expose(),
            "from-env"
        );
        // Not in the environment: the missing keyring is reported, with the way out.
        let err = store.get(SecretName::VastApiKey).unwrap_err();
        assert!(
            err.to_string().contains("set OVERTIME_VAST_API_KEY"),
            "{err}"
        );
    }

    #[test]
    fn nothing_set_anywhere_is_none() {
        let store = LayeredStore::new(
            EnvStore::from_pairs::<[(&str, &str); 0], _, _>([]),
            MemoryStore::new(),
        );
        assert_eq!(store.source(SecretName::VastApiKey).unwrap(), None);
        assert!(store.get(SecretName::VastApiKey).unwrap().is_none());
    }
}
