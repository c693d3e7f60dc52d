//! Where the host listens and the window connects. Both sides work it out the same way from the
//! user's state directory, so a window started from the applications menu finds the host the
//! tray started; a window the host starts is simply told (`OVERTIME_HOST_SOCKET`).
//!
//! On Unix it is the socket file `<state dir>/run/desktop.sock`; on Windows the named pipe
//! `\\.\pipe\overtime-desktop-<hash of the state dir>`, so two users (or two portable installs)
//! never meet on the same pipe.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;

use crate::transport;

/// Names the endpoint outright: a socket path on Unix, a pipe name (`\\.\pipe\…`) on Windows.
/// The host sets it for the window it starts, and tests use it.
pub const ENV_ENDPOINT: &str = "OVERTIME_HOST_SOCKET";
/// Overrides the state directory; the same variable, and the same rule, as the agent's paths.
pub const ENV_STATE_DIR: &str = "OVERTIME_STATE_DIR";

/// A place a host listens on: a Unix socket path or a Windows pipe name. Opaque on purpose:
/// code above the transport passes it around and never looks inside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint(OsString);

/// Why no endpoint could be worked out.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error(
        "could not find your home directory to work out where Overtime keeps its state; set \
         {ENV_STATE_DIR} to choose it"
    )]
    NoHome,
}

impl Endpoint {
    /// The endpoint of the host whose state directory is `state_dir` (nothing is created).
    pub fn in_state_dir(state_dir: &Path) -> Endpoint {
        Endpoint(transport::endpoint_in(state_dir))
    }

    /// `$OVERTIME_HOST_SOCKET` when set and not empty, else [`Endpoint::in_state_dir`]: what the
    /// host uses, with its state directory already known.
    pub fn from_env_or(state_dir: &Path) -> Endpoint {
        Endpoint::from_lookup_or(|name| std::env::var_os(name), state_dir)
    }

    /// `$OVERTIME_HOST_SOCKET` when set, else the endpoint in the default state directory
    /// ([`state_dir_from_env`]): what a window started on its own uses.
    pub fn from_env() -> Result<Endpoint, EndpointError> {
        Endpoint::from_lookup(|name| std::env::var_os(name))
    }

    /// [`Endpoint::from_env`] with the environment given as a lookup, so tests need not change
    /// the process environment.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Endpoint, EndpointError> {
        if let Some(named) = non_empty(&lookup, ENV_ENDPOINT) {
            return Ok(Endpoint(named));
        }
        Ok(Endpoint::in_state_dir(&state_dir_from_lookup(lookup)?))
    }

    fn from_lookup_or(lookup: impl Fn(&str) -> Option<OsString>, state_dir: &Path) -> Endpoint {
        match non_empty(&lookup, ENV_ENDPOINT) {
            Some(named) => Endpoint(named),
            None => Endpoint::in_state_dir(state_dir),
        }
    }

    /// The value to put in [`ENV_ENDPOINT`] for a process that should connect here.
    pub fn as_os_str(&self) -> &OsStr {
        &self.0
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_string_lossy())
    }
}

fn non_empty(lookup: &impl Fn(&str) -> Option<OsString>, name: &str) -> Option<OsString> {
    lookup(name).filter(|v| !v.is_empty())
}

/// Overtime's state directory: `$OVERTIME_STATE_DIR` when set and not empty, else the
/// platform's (`~/.local/state/overtime` on Linux; local app data elsewhere).
///
/// `overtime_agent::paths` uses this same function for the host's state directory.
pub fn state_dir_from_env() -> Result<PathBuf, EndpointError> {
    state_dir_from_lookup(|name| std::env::var_os(name))
}

/// [`state_dir_from_env`] with the environment given as a lookup.
pub fn state_dir_from_lookup(
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<PathBuf, EndpointError> {
    if let Some(dir) = non_empty(&lookup, ENV_STATE_DIR) {
        return Ok(PathBuf::from(dir));
    }
    // Linux: "overtime"; macOS: "app.Overtime"; Windows: "Overtime".
    let dirs = ProjectDirs::from("app", "", "Overtime").ok_or(EndpointError::NoHome)?;
    // Only Linux has a separate state directory; elsewhere state lives with local data.
    Ok(dirs
        .state_dir()
        .unwrap_or_else(|| dirs.data_local_dir())
        .to_path_buf())
}

/// The Windows pipe name for `state_dir`. Windows paths ignore case, so the hash is of the
/// lower-cased path: `C:\Users\Ann` and `c:\users\ann` are one host. The hash only has to keep
/// different users apart, not resist anyone (the pipe refuses other machines, and another user
/// could as well guess any name), so a plain 64-bit FNV-1a does.
#[cfg(any(windows, test))]
pub(crate) fn pipe_name(state_dir: &Path) -> OsString {
    let key = state_dir.to_string_lossy().to_lowercase();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    OsString::from(format!(r"\\.\pipe\overtime-desktop-{hash:016x}"))
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
    fn a_named_endpoint_wins_over_the_state_directory() {
        let e = Endpoint::from_lookup(lookup(&[
            (ENV_ENDPOINT, "/tmp/x.sock"),
            (ENV_STATE_DIR, "/elsewhere"),
        ]))
        .unwrap();
        assert_eq!(e.as_os_str(), "/tmp/x.sock");
        let e = Endpoint::from_lookup_or(lookup(&[(ENV_ENDPOINT, "/tmp/x.sock")]), Path::new("/s"));
        assert_eq!(e.as_os_str(), "/tmp/x.sock");
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let e =
            Endpoint::from_lookup(lookup(&[(ENV_ENDPOINT, ""), (ENV_STATE_DIR, "/st")])).unwrap();
        assert_eq!(e, Endpoint::in_state_dir(Path::new("/st")));
        let e = Endpoint::from_lookup_or(lookup(&[(ENV_ENDPOINT, "")]), Path::new("/st"));
        assert_eq!(e, Endpoint::in_state_dir(Path::new("/st")));
        assert_eq!(
            state_dir_from_lookup(lookup(&[(ENV_STATE_DIR, "")])).unwrap(),
            state_dir_from_lookup(lookup(&[])).unwrap()
        );
    }

    #[test]
    fn the_state_directory_comes_from_its_variable_else_the_platform() {
        assert_eq!(
            state_dir_from_lookup(lookup(&[(ENV_STATE_DIR, "/run/ot")])).unwrap(),
            PathBuf::from("/run/ot")
        );
        #[cfg(target_os = "linux")]
        assert!(
            state_dir_from_lookup(lookup(&[]))
                .unwrap()
                .ends_with("overtime")
        );
    }

    #[cfg(unix)]
    #[test]
    fn on_unix_the_endpoint_is_a_socket_in_the_state_directory() {
        // The end-to-end tests connect to this path themselves.
        assert_eq!(
            Endpoint::in_state_dir(Path::new("/home/ann/.local/state/overtime")).as_os_str(),
            "/home/ann/.local/state/overtime/run/desktop.sock"
        );
    }

    #[test]
    fn pipe_names_differ_per_state_directory_but_not_per_letter_case() {
        let ann = pipe_name(Path::new(r"C:\Users\Ann\AppData\Local\Overtime\data"));
        let ann_lower = pipe_name(Path::new(r"c:\users\ann\appdata\local\overtime\data"));
        let bob = pipe_name(Path::new(r"C:\Users\Bob\AppData\Local\Overtime\data"));
        assert_eq!(ann, ann_lower);
        assert_ne!(ann, bob);
        let name = ann.to_string_lossy().into_owned();
        assert!(name.starts_with(r"\\.\pipe\overtime-desktop-"), "{name}");
        assert_eq!(name.len(), r"\\.\pipe\overtime-desktop-".len() + 16);
    }
}
