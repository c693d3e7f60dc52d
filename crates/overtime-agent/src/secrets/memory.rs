//! An in-memory [`SecretStore`]: the fake beside the keyring, for tests and demo mode. Values
//! are zeroed when replaced, deleted, or when the store is dropped.

use std::collections::HashMap;
use std::sync::Mutex;

use zeroize::Zeroizing;

use super::{Secret, SecretName, SecretStore, SecretsError, refuse_empty};

/// Secrets held in this process only; nothing survives a restart.
#[derive(Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<SecretName, Zeroizing<String>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn values(&self) -> std::sync::MutexGuard<'_, HashMap<SecretName, Zeroizing<String>>> {
        // A panic while holding the lock cannot leave the map half-updated (every operation is
        // one insert/remove/get), so a poisoned lock is still safe to use.
        self.values
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<SecretName> = self.values().keys().copied().collect();
        names.sort();
        f.debug_struct("MemoryStore").field("set", &names).finish()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, name: SecretName) -> Result<Option<Secret>, SecretsError> {
        Ok(self
            .values()
            .get(&name)
            .map(|v| Secret::new(v.as_str().to_owned())))
    }

    fn set(&self, name: SecretName, value: &str) -> Result<(), SecretsError> {
        refuse_empty(name, value)?;
        self.values().insert(name, Zeroizing::new(value.to_owned()));
        Ok(())
    }

    fn delete(&self, name: SecretName) -> Result<bool, SecretsError> {
        Ok(self.values().remove(&name).is_some())
    }

    fn is_set(&self, name: SecretName) -> Result<bool, SecretsError> {
        Ok(self.values().contains_key(&name))
    }

    fn describe(&self) -> String {
        "in-memory store (nothing is kept after exit)".to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn set_get_overwrite_delete_behave_like_a_keyring() {
        let store = MemoryStore::new();
        let name = SecretName::VastApiKey;
        assert!(store.get(name).unwrap().is_none());
        assert!(!store.is_set(name).unwrap());

        store.set(name, "first").unwrap();
        assert_eq!(store.get(name).unwrap().unwrap().expose(), "first");
        assert!(store.is_set(name).unwrap());
        assert!(!store.is_set(SecretName::BoincRpcPassword).unwrap());

        store.set(name, "second").unwrap();
        assert_eq!(store.get(name).unwrap().unwrap().expose(), "second");

        assert!(store.delete(name).unwrap());
        assert!(store.get(name).unwrap().is_none());
        assert!(
            !store.delete(name).unwrap(),
            "deleting twice reports nothing to delete"
        );
    }

    #[test]
    fn an_empty_value_is_refused_and_the_old_one_kept() {
        let store = MemoryStore::new();
        store.set(SecretName::BoincRpcPassword, "kept").unwrap();
        let err = store.set(SecretName::BoincRpcPassword, "").unwrap_err();
        assert!(matches!(err, SecretsError::Empty { .. }), "{err:?}");
        assert_eq!(
            store
                .get(SecretName::BoincRpcPassword)
                .unwrap()
                .unwrap()
                .expose(),
            "kept"
        );
    }

    #[test]
    fn debug_lists_names_but_never_values() {
        let store = MemoryStore::new();
        store
            .set(SecretName::VastApiKey, "sk-DISTINCTIVE-123")
            .unwrap();
        let shown = format!("{store:?}");
        assert!(shown.contains("VastApiKey"), "{shown}");
        assert!(!shown.contains("DISTINCTIVE"), "{shown}");
    }
}
