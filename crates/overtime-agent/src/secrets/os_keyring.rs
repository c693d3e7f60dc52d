//! The OS keyring: the Secret Service over D-Bus on Linux (gnome-keyring, KWallet, KeePassXC),
//! the Credential Manager on Windows, the Keychain on macOS, through the `keyring` crate.
//! Its errors are turned into [`SecretsError`]s that say what to do; none carries a value.

use super::{KEYRING_SERVICE, Secret, SecretName, SecretStore, SecretsError, refuse_empty};

/// Secrets in the OS keyring under service [`KEYRING_SERVICE`], user [`SecretName::as_str`].
/// Every call talks to the keyring afresh (nothing is cached), so it sees changes made in the
/// keyring manager, and blocks while it does.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyringStore {
    /// The store every Overtime front end shares (service `overtime`).
    pub fn new() -> Self {
        Self::with_service(KEYRING_SERVICE)
    }

    /// A store under another service name, to keep tests apart from real entries.
    pub fn with_service(service: impl Into<String>) -> Self {
        KeyringStore {
            service: service.into(),
        }
    }

    /// The keyring service the entries are stored under.
    pub fn service(&self) -> &str {
        &self.service
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
impl SecretStore for KeyringStore {
    fn get(&self, name: SecretName) -> Result<Option<Secret>, SecretsError> {
        match backend::entry(&self.service, name)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(backend::to_secrets_error(name, e)),
        }
    }

    fn set(&self, name: SecretName, value: &str) -> Result<(), SecretsError> {
        refuse_empty(name, value)?;
        backend::entry(&self.service, name)?
            .set_password(value)
            .map_err(|e| backend::to_secrets_error(name, e))
    }

    fn delete(&self, name: SecretName) -> Result<bool, SecretsError> {
        match backend::entry(&self.service, name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(backend::to_secrets_error(name, e)),
        }
    }

    fn describe(&self) -> String {
        let backend = if cfg!(target_os = "linux") {
            "Secret Service over D-Bus"
        } else if cfg!(target_os = "macos") {
            "macOS Keychain"
        } else {
            "Windows Credential Manager"
        };
        format!("OS keyring ({backend}, service `{}`)", self.service)
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod backend {
    use zeroize::Zeroize;

    use super::{SecretName, SecretsError};

    pub(super) fn entry(service: &str, name: SecretName) -> Result<keyring::Entry, SecretsError> {
        keyring::Entry::new(service, name.as_str()).map_err(|e| to_secrets_error(name, e))
    }

    /// D-Bus error names (from the D-Bus specification) that mean nobody is there to answer:
    /// no session bus, or no Secret Service provider on it.
    const NO_SERVICE_DBUS_ERRORS: &[&str] = &[
        "org.freedesktop.DBus.Error.NoServer",
        "org.freedesktop.DBus.Error.FileNotFound",
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
        "org.freedesktop.DBus.Error.NotSupported",
        "org.freedesktop.DBus.Error.Spawn.",
        "org.freedesktop.DBus.Error.Disconnected",
        "org.freedesktop.DBus.Error.BadAddress",
        "org.freedesktop.DBus.Error.NoNetwork",
        "org.freedesktop.DBus.Error.NoReply",
        "No DBus session or Secret Service provider found",
    ];

    /// Maps a keyring failure to what the user should do. Only variants known to carry no secret
    /// have their text passed on.
    pub(super) fn to_secrets_error(name: SecretName, err: keyring::Error) -> SecretsError {
        let (label, env_var) = (name.label(), name.env_var());
        match err {
            keyring::Error::PlatformFailure(source) => {
                let detail = source.to_string();
                // The D-Bus error name is only in the Debug form ("D-Bus error: … (name)").
                let with_name = format!("{source:?}");
                if NO_SERVICE_DBUS_ERRORS.iter().any(|n| with_name.contains(n)) {
                    SecretsError::NoService {
                        label,
                        env_var,
                        detail,
                    }
                } else {
                    SecretsError::Backend {
                        label,
                        env_var,
                        detail,
                    }
                }
            }
            keyring::Error::NoStorageAccess(source) => SecretsError::Locked {
                label,
                env_var,
                detail: source.to_string(),
            },
            keyring::Error::BadEncoding(mut bytes) => {
                // These are the stored bytes themselves: wipe, never show.
                bytes.zeroize();
                SecretsError::NotText { label, name }
            }
            keyring::Error::Ambiguous(_) => SecretsError::Ambiguous { label, name },
            e @ (keyring::Error::TooLong(..) | keyring::Error::Invalid(..)) => {
                // These name an attribute and a limit, not a value.
                SecretsError::Backend {
                    label,
                    env_var,
                    detail: e.to_string(),
                }
            }
            // NoEntry is handled by each caller; an unknown future variant might carry data we
            // cannot vouch for, so its text is not passed on.
            _ => SecretsError::Backend {
                label,
                env_var,
                detail: "unexpected error from the keyring library".to_owned(),
            },
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
impl SecretStore for KeyringStore {
    fn get(&self, name: SecretName) -> Result<Option<Secret>, SecretsError> {
        Err(no_backend(name))
    }

    fn set(&self, name: SecretName, value: &str) -> Result<(), SecretsError> {
        refuse_empty(name, value)?;
        Err(no_backend(name))
    }

    fn delete(&self, name: SecretName) -> Result<bool, SecretsError> {
        Err(no_backend(name))
    }

    fn describe(&self) -> String {
        "no OS keyring on this platform".to_owned()
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn no_backend(name: SecretName) -> SecretsError {
    SecretsError::NoBackend {
        label: name.label(),
        env_var: name.env_var(),
    }
}
