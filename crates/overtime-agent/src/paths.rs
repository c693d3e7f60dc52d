//! Where Overtime keeps its files: the configuration file, the data directory (ledger) and the
//! state directory (API token, runtime state).
//!
//! Platform conventions come from `directories` (on Linux `~/.config/overtime/config.toml`,
//! `~/.local/share/overtime`, `~/.local/state/overtime`); each can be overridden with an
//! environment variable so tests, containers and a system service can place them elsewhere.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;

/// Overrides the configuration file path.
pub const ENV_CONFIG: &str = "OVERTIME_CONFIG";
/// Overrides the data directory (ledger database, exports).
pub const ENV_DATA_DIR: &str = "OVERTIME_DATA_DIR";
/// Overrides the state directory (API token).
pub const ENV_STATE_DIR: &str = "OVERTIME_STATE_DIR";

/// Name of the API token file inside the state directory.
const API_TOKEN_FILE: &str = "api-token";

/// The three places Overtime reads and writes. Nothing is created until [`Paths::ensure_dirs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The TOML configuration file (it may not exist: built-in defaults then apply).
    pub config_file: PathBuf,
    /// Long-lived data: the ledger database and exports.
    pub data_dir: PathBuf,
    /// Runtime state: the API token.
    pub state_dir: PathBuf,
}

/// Why the paths could not be worked out or created.
#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error(
        "could not find your home directory to place Overtime's files; set {ENV_CONFIG}, \
         {ENV_DATA_DIR} and {ENV_STATE_DIR} to choose them"
    )]
    NoHome,
    #[error(
        "could not create the directory {path}: {source}. Check its permissions or point {env} elsewhere"
    )]
    CreateDir {
        path: PathBuf,
        env: &'static str,
        #[source]
        source: std::io::Error,
    },
}

impl Paths {
    /// The platform's usual locations, each replaced by its environment variable when set
    /// ([`ENV_CONFIG`], [`ENV_DATA_DIR`], [`ENV_STATE_DIR`]; an empty value counts as unset).
    ///
    /// Fails with [`PathsError::NoHome`] only when some path is not overridden and the platform
    /// has no home directory to derive it from.
    pub fn from_env() -> Result<Paths, PathsError> {
        Paths::from_lookup(|name| std::env::var_os(name))
    }

    /// [`Paths::from_env`] with the environment given as a lookup function, so tests need not
    /// change the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Paths, PathsError> {
        let var = |name: &str| lookup(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let config_file = var(ENV_CONFIG);
        let data_dir = var(ENV_DATA_DIR);
        let state_dir = var(ENV_STATE_DIR);
        if let (Some(config_file), Some(data_dir), Some(state_dir)) =
            (&config_file, &data_dir, &state_dir)
        {
            return Ok(Paths {
                config_file: config_file.clone(),
                data_dir: data_dir.clone(),
                state_dir: state_dir.clone(),
            });
        }
        // Linux: "overtime"; macOS: "app.Overtime"; Windows: "Overtime".
        let dirs = ProjectDirs::from("app", "", "Overtime").ok_or(PathsError::NoHome)?;
        Ok(Paths {
            config_file: config_file.unwrap_or_else(|| dirs.config_dir().join("config.toml")),
            // The local, not the roaming, profile on Windows: a ledger synced between machines
            // at sign-in would be overwritten by whichever machine signs out last. Elsewhere
            // the two are the same folder.
            data_dir: data_dir.unwrap_or_else(|| dirs.data_local_dir().to_path_buf()),
            // The window finds the host's endpoint by the same rule, so it is written once.
            state_dir: match state_dir {
                Some(dir) => dir,
                None => overtime_link::endpoint::state_dir_from_lookup(&lookup)
                    .map_err(|_| PathsError::NoHome)?,
            },
        })
    }

    /// Everything under one directory: `root/config.toml`, `root/data`, `root/state`. For tests
    /// and portable installs.
    pub fn in_dir(root: &Path) -> Paths {
        Paths {
            config_file: root.join("config.toml"),
            data_dir: root.join("data"),
            state_dir: root.join("state"),
        }
    }

    /// The file holding the loopback API's bearer token.
    pub fn api_token_file(&self) -> PathBuf {
        self.state_dir.join(API_TOKEN_FILE)
    }

    /// Creates the data and state directories and the configuration file's directory if they
    /// are missing. New directories are private to the user (0700 on Unix, an owner-only access
    /// list on Windows); existing ones are left as they are.
    pub fn ensure_dirs(&self) -> Result<(), PathsError> {
        let config_dir = self
            .config_file
            .parent()
            .filter(|p| !p.as_os_str().is_empty());
        let wanted = [
            (Some(self.data_dir.as_path()), ENV_DATA_DIR),
            (Some(self.state_dir.as_path()), ENV_STATE_DIR),
            (config_dir, ENV_CONFIG),
        ];
        for (dir, env) in wanted {
            let Some(dir) = dir else { continue };
            crate::private_files::create_private_dir(dir).map_err(|source| {
                PathsError::CreateDir {
                    path: dir.to_path_buf(),
                    env,
                    source,
                }
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn environment_variables_override_every_path() {
        let paths = Paths::from_lookup(lookup(&[
            (ENV_CONFIG, "/etc/overtime.toml"),
            (ENV_DATA_DIR, "/var/lib/overtime"),
            (ENV_STATE_DIR, "/run/overtime"),
        ]))
        .unwrap();
        assert_eq!(paths.config_file, PathBuf::from("/etc/overtime.toml"));
        assert_eq!(paths.data_dir, PathBuf::from("/var/lib/overtime"));
        assert_eq!(paths.state_dir, PathBuf::from("/run/overtime"));
        assert_eq!(
            paths.api_token_file(),
            PathBuf::from("/run/overtime/api-token")
        );
    }

    #[test]
    fn one_override_leaves_the_others_at_platform_defaults() {
        let defaults = Paths::from_lookup(lookup(&[])).unwrap();
        let paths = Paths::from_lookup(lookup(&[(ENV_STATE_DIR, "/tmp/st")])).unwrap();
        assert_eq!(paths.state_dir, PathBuf::from("/tmp/st"));
        assert_eq!(paths.config_file, defaults.config_file);
        assert_eq!(paths.data_dir, defaults.data_dir);
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let defaults = Paths::from_lookup(lookup(&[])).unwrap();
        let paths = Paths::from_lookup(lookup(&[(ENV_CONFIG, "")])).unwrap();
        assert_eq!(paths.config_file, defaults.config_file);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_defaults_follow_the_xdg_layout() {
        let paths = Paths::from_lookup(lookup(&[])).unwrap();
        assert!(paths.config_file.ends_with("overtime/config.toml"));
        assert!(paths.data_dir.ends_with("overtime"));
        assert!(paths.state_dir.ends_with("overtime"));
    }

    #[test]
    fn ensure_dirs_creates_private_directories() {
        let root = std::env::temp_dir().join(format!("overtime-paths-{}", std::process::id()));
        let paths = Paths::in_dir(&root.join("nested"));
        paths.ensure_dirs().unwrap();
        assert!(paths.data_dir.is_dir());
        assert!(paths.state_dir.is_dir());
        assert!(paths.config_file.parent().unwrap().is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&paths.state_dir)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        // Running it again on existing directories is fine.
        paths.ensure_dirs().unwrap();
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Config roams with the user; the ledger, state and API token stay on this machine.
    #[cfg(windows)]
    #[test]
    fn on_windows_config_is_in_appdata_and_data_and_state_in_localappdata() {
        let roaming = PathBuf::from(std::env::var_os("APPDATA").expect("APPDATA is set"));
        let local = PathBuf::from(std::env::var_os("LOCALAPPDATA").expect("LOCALAPPDATA is set"));
        let paths = Paths::from_lookup(lookup(&[])).unwrap();
        assert!(paths.config_file.starts_with(&roaming), "{paths:?}");
        assert!(paths.data_dir.starts_with(&local), "{paths:?}");
        assert!(paths.state_dir.starts_with(&local), "{paths:?}");
        assert!(paths.api_token_file().starts_with(&local), "{paths:?}");
    }
}
