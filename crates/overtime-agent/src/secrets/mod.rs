//! Secrets (the Vast.ai API key, the BOINC GUI RPC password) and where they live: the OS keyring,
//! or, on a headless box with no keyring service, an environment variable. Never a file, a log
//! line, the UI or the config: a [`Secret`] prints as `<redacted>` and no error carries one.
//!
//! The model: every secret has a [`SecretName`], which fixes its keyring entry (service
//! [`KEYRING_SERVICE`], user [`SecretName::as_str`]) and its environment variable
//! ([`SecretName::env_var`]). A [`SecretStore`] reads, writes and deletes them by name:
//! [`KeyringStore`] is the OS keyring, [`EnvStore`] the read-only environment, [`MemoryStore`] a
//! fake for tests and demo mode, and [`LayeredStore`] what the agent and the CLI use: the
//! environment first (an explicit override), then the keyring; writes go to the keyring.
//!
//! The stores block (the keyring talks D-Bus / Win32 / Security.framework synchronously): from
//! async code, call them inside `tokio::task::spawn_blocking`.

mod env;
mod layered;
mod memory;
mod os_keyring;

use std::fmt;
use std::str::FromStr;

use zeroize::Zeroizing;

pub use env::EnvStore;
pub use layered::{LayeredStore, SecretSource};
pub use memory::MemoryStore;
pub use os_keyring::KeyringStore;

/// The keyring service every Overtime secret is stored under.
pub const KEYRING_SERVICE: &str = "overtime";

/// Which secret. Each has a stable keyring user name and environment variable; both are part of
/// the on-disk contract (renaming one would lose what users stored), so they never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SecretName {
    /// The Vast.ai API key the rental provider authenticates with.
    VastApiKey,
    /// The password of the BOINC client's GUI RPC (its `gui_rpc_auth.cfg`).
    BoincRpcPassword,
}

impl SecretName {
    /// Every secret, in the order `overtime secrets status` lists them.
    pub const ALL: &'static [SecretName] = &[SecretName::VastApiKey, SecretName::BoincRpcPassword];

    /// The name on the command line and the keyring entry's user: `vast-api-key`,
    /// `boinc-password`.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::VastApiKey => "vast-api-key",
            SecretName::BoincRpcPassword => "boinc-password",
        }
    }

    /// The environment variable that overrides the keyring (for headless boxes):
    /// `OVERTIME_VAST_API_KEY`, `OVERTIME_BOINC_PASSWORD`.
    pub fn env_var(self) -> &'static str {
        match self {
            SecretName::VastApiKey => "OVERTIME_VAST_API_KEY",
            SecretName::BoincRpcPassword => "OVERTIME_BOINC_PASSWORD",
        }
    }

    /// What it is, in words, for prompts and status lines.
    pub fn label(self) -> &'static str {
        match self {
            SecretName::VastApiKey => "Vast.ai API key",
            SecretName::BoincRpcPassword => "BOINC GUI RPC password",
        }
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of [`SecretName::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown secret `{given}`; the secrets are: {known}", known = known_names())]
pub struct UnknownSecretName {
    /// What was asked for.
    pub given: String,
}

fn known_names() -> String {
    SecretName::ALL
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for SecretName {
    type Err = UnknownSecretName;

    /// Parses the command-line name ([`SecretName::as_str`]), exactly.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SecretName::ALL
            .iter()
            .copied()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| UnknownSecretName {
                given: s.to_owned(),
            })
    }
}

/// A secret value. `Debug` and `Display` print `<redacted>`; the value is reachable only through
/// [`Secret::expose`], so every place that uses it is greppable. The memory is zeroed on drop.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value; takes ownership so no unzeroed copy is left behind by this call.
    pub fn new(value: String) -> Self {
        Secret(Zeroizing::new(value))
    }

    /// The value itself. Use it only to authenticate (a header, a hash); never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why a secret could not be read, written or deleted. No variant carries a secret value; every
/// message says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// No keyring service answered (typically a headless Linux box with no D-Bus session, or no
    /// Secret Service provider on it).
    #[error(
        "no keyring service is running, so the {label} cannot be kept in the OS keyring ({detail}). \
         On a headless Linux box, set {env_var} in the agent's environment instead, \
         or run gnome-keyring or KeePassXC's Secret Service"
    )]
    NoService {
        label: &'static str,
        env_var: &'static str,
        /// What the platform said, for diagnosis.
        detail: String,
    },
    /// The keyring is there but refused access: locked, the unlock prompt was dismissed, or it has
    /// no default collection to store into.
    #[error(
        "the OS keyring refused access to the {label}: it is locked or has no default keyring \
         ({detail}). Unlock it (log in to the desktop session, or unlock the default collection \
         in Seahorse or KeePassXC) and try again, or set {env_var} instead"
    )]
    Locked {
        label: &'static str,
        env_var: &'static str,
        detail: String,
    },
    /// This build has no keyring backend for the operating system.
    #[error(
        "this operating system has no supported keyring, so the {label} cannot be stored; \
         set {env_var} in the agent's environment instead"
    )]
    NoBackend {
        label: &'static str,
        env_var: &'static str,
    },
    /// The stored value is not UTF-8 text (written by something other than Overtime).
    #[error(
        "the {label} in the OS keyring is not text; store it again with `overtime secrets set {name}`"
    )]
    NotText {
        label: &'static str,
        name: SecretName,
    },
    /// More than one keyring entry matches (service `overtime`, this user).
    #[error(
        "the OS keyring holds several entries for the {label} (service `overtime`, user `{name}`); \
         delete them in your keyring manager (e.g. Seahorse) and store it again with \
         `overtime secrets set {name}`"
    )]
    Ambiguous {
        label: &'static str,
        name: SecretName,
    },
    /// An empty value was given to store.
    #[error(
        "refusing to store an empty {label}; to remove it, run `overtime secrets delete {name}`"
    )]
    Empty {
        label: &'static str,
        name: SecretName,
    },
    /// A write or delete was sent to a store that can only read (the environment).
    #[error(
        "the {label} comes from {backend}, which Overtime cannot change; \
         change or unset {env_var} where the agent is started"
    )]
    ReadOnly {
        label: &'static str,
        env_var: &'static str,
        backend: &'static str,
    },
    /// Any other failure of the keyring backend.
    #[error(
        "the OS keyring failed while handling the {label}: {detail}. \
         Check that your keyring service is running and healthy, or set {env_var} instead"
    )]
    Backend {
        label: &'static str,
        env_var: &'static str,
        detail: String,
    },
}

/// Where secrets are kept. Implementations never log or return a value except from `get`.
pub trait SecretStore: Send + Sync {
    /// The secret, or `None` when it is not set. Blocks on the backend.
    fn get(&self, name: SecretName) -> Result<Option<Secret>, SecretsError>;

    /// Stores `value`, replacing any previous one. An empty value is refused
    /// ([`SecretsError::Empty`]).
    fn set(&self, name: SecretName, value: &str) -> Result<(), SecretsError>;

    /// Removes the secret; `Ok(true)` when there was one, `Ok(false)` when it was not set.
    fn delete(&self, name: SecretName) -> Result<bool, SecretsError>;

    /// Whether the secret is set: what the UI shows ("set" / "not set"), never the value.
    fn is_set(&self, name: SecretName) -> Result<bool, SecretsError> {
        Ok(self.get(name)?.is_some())
    }

    /// Which backend this is, in words ("OS keyring (Secret Service over D-Bus)").
    fn describe(&self) -> String;
}

/// The [`SecretsError::Empty`] check every writable store shares.
fn refuse_empty(name: SecretName, value: &str) -> Result<(), SecretsError> {
    if value.is_empty() {
        return Err(SecretsError::Empty {
            label: name.label(),
            name,
        });
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const DISTINCTIVE: &str = "sk-live-4f9c2e1b-DO-NOT-PRINT";

    #[test]
    fn a_secret_never_prints_its_value() {
        let secret = Secret::new(DISTINCTIVE.to_owned());
        for printed in [
            format!("{secret}"),
            format!("{secret:?}"),
            format!("{secret:#?}"),
            format!("{:?}", Some(secret.clone())),
            format!("{:?}", vec![secret.clone()]),
        ] {
            assert!(!printed.contains(DISTINCTIVE), "leaked in {printed:?}");
            assert!(printed.contains("<redacted>"), "{printed:?}");
        }
        assert_eq!(secret.expose(), DISTINCTIVE);
    }

    #[test]
    fn names_round_trip_through_their_command_line_spelling() {
        for &name in SecretName::ALL {
            assert_eq!(name.as_str().parse::<SecretName>().unwrap(), name);
            assert_eq!(name.to_string(), name.as_str());
        }
        let err = "vast".parse::<SecretName>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown secret `vast`; the secrets are: vast-api-key, boinc-password"
        );
    }

    #[test]
    fn keyring_users_and_env_vars_are_the_documented_ones() {
        let table = [
            (
                SecretName::VastApiKey,
                "vast-api-key",
                "OVERTIME_VAST_API_KEY",
            ),
            (
                SecretName::BoincRpcPassword,
                "boinc-password",
                "OVERTIME_BOINC_PASSWORD",
            ),
        ];
        for (name, user, var) in table {
            assert_eq!(name.as_str(), user);
            assert_eq!(name.env_var(), var);
        }
        assert_eq!(KEYRING_SERVICE, "overtime");
    }

    #[test]
    fn every_error_message_says_what_to_do_and_names_no_value() {
        let name = SecretName::VastApiKey;
        let (label, env_var) = (name.label(), name.env_var());
        let detail = "org.freedesktop.DBus.Error.NoServer".to_owned();
        let cases: Vec<(SecretsError, &str)> = vec![
            (
                SecretsError::NoService {
                    label,
                    env_var,
                    detail: detail.clone(),
                },
                "set OVERTIME_VAST_API_KEY",
            ),
            (
                SecretsError::Locked {
                    label,
                    env_var,
                    detail: detail.clone(),
                },
                "Unlock it",
            ),
            (
                SecretsError::NoBackend { label, env_var },
                "set OVERTIME_VAST_API_KEY",
            ),
            (
                SecretsError::NotText { label, name },
                "overtime secrets set vast-api-key",
            ),
            (
                SecretsError::Ambiguous { label, name },
                "overtime secrets set vast-api-key",
            ),
            (
                SecretsError::Empty { label, name },
                "overtime secrets delete vast-api-key",
            ),
            (
                SecretsError::ReadOnly {
                    label,
                    env_var,
                    backend: "environment variables",
                },
                "unset OVERTIME_VAST_API_KEY",
            ),
            (
                SecretsError::Backend {
                    label,
                    env_var,
                    detail,
                },
                "set OVERTIME_VAST_API_KEY",
            ),
        ];
        for (err, advice) in cases {
            let shown = format!("{err} / {err:?}");
            assert!(shown.contains(advice), "{advice:?} missing from {shown}");
            assert!(shown.contains(label), "{shown}");
            assert!(!shown.contains(DISTINCTIVE));
        }
    }
}
