//! The BOINC GUI RPC password: where it comes from (settings, an explicit `gui_rpc_auth.cfg`, or
//! the client's data directory found automatically) and the nonce hash that proves we know it.
//! The password itself never leaves this module in a printable form: [`Secret`] has no `Display`
//! and its `Debug` is redacted, so it cannot end up in a log line or an error message by mistake.

use std::fmt;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

/// A password that must never be printed. Its `Debug` output is `Secret(<redacted>)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw password, for hashing only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Where the provider should take the GUI RPC password from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSetting {
    /// Given in Overtime's settings (later: read from the OS keyring by the caller).
    Explicit(Secret),
    /// This `gui_rpc_auth.cfg`, read afresh at every (re)connection.
    File(PathBuf),
    /// The first of these files that exists; see [`default_auth_file_candidates`].
    Search(Vec<PathBuf>),
}

/// Where a resolved password came from, phrased for error messages (never the password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordOrigin {
    Settings,
    File(PathBuf),
    /// No file was found in any of these places; we go on without a password, which a client
    /// with an empty `gui_rpc_auth.cfg` accepts.
    NotFound(Vec<PathBuf>),
}

impl fmt::Display for PasswordOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordOrigin::Settings => f.write_str("the password given in Overtime's settings"),
            PasswordOrigin::File(path) => write!(f, "the password from {}", path.display()),
            PasswordOrigin::NotFound(paths) => {
                f.write_str("no password (no gui_rpc_auth.cfg found in ")?;
                for (i, p) in paths.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", p.display())?;
                }
                f.write_str(")")
            }
        }
    }
}

/// A password ready for use. `secret == None` means "no password": skip authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPassword {
    pub secret: Option<Secret>,
    pub origin: PasswordOrigin,
}

/// The password file exists (or was named explicitly) but cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
pub struct PasswordFileError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl PasswordSetting {
    /// Read the password now. A file that exists but cannot be read is an error (we stop there
    /// rather than silently trying the next place, so the user learns about the permission).
    pub fn resolve(&self) -> Result<ResolvedPassword, PasswordFileError> {
        match self {
            PasswordSetting::Explicit(secret) => Ok(ResolvedPassword {
                secret: (!secret.expose().is_empty()).then(|| secret.clone()),
                origin: PasswordOrigin::Settings,
            }),
            PasswordSetting::File(path) => Ok(ResolvedPassword {
                secret: read_password_file(path)?,
                origin: PasswordOrigin::File(path.clone()),
            }),
            PasswordSetting::Search(paths) => {
                for path in paths {
                    match std::fs::metadata(path) {
                        Ok(_) => {
                            return Ok(ResolvedPassword {
                                secret: read_password_file(path)?,
                                origin: PasswordOrigin::File(path.clone()),
                            });
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(source) => {
                            return Err(PasswordFileError {
                                path: path.clone(),
                                source,
                            });
                        }
                    }
                }
                Ok(ResolvedPassword {
                    secret: None,
                    origin: PasswordOrigin::NotFound(paths.clone()),
                })
            }
        }
    }
}

/// Read a `gui_rpc_auth.cfg` the way the BOINC client does: the first line, surrounding
/// whitespace and the newline removed. An empty file means "no password" (`None`).
pub fn read_password_file(path: &Path) -> Result<Option<Secret>, PasswordFileError> {
    let bytes = std::fs::read(path).map_err(|source| PasswordFileError {
        path: path.to_owned(),
        source,
    })?;
    Ok(password_from_file_contents(&bytes))
}

/// The password in a `gui_rpc_auth.cfg`'s contents (see [`read_password_file`]).
pub fn password_from_file_contents(bytes: &[u8]) -> Option<Secret> {
    let text = String::from_utf8_lossy(bytes);
    let first = text.lines().next().unwrap_or("").trim();
    (!first.is_empty()).then(|| Secret::new(first))
}

const FILE: &str = "gui_rpc_auth.cfg";

/// The data folder the BOINC installer chose, from the registry value its setup writes and its
/// client reads (BOINC's `client/win/win_util.cpp`, `UtilGetRegStr`).
#[cfg(windows)]
fn windows_data_dir() -> Option<String> {
    use crate::windows_registry::{Root, read_string};
    read_string(
        Root::LocalMachine,
        r"SOFTWARE\Space Sciences Laboratory, U.C. Berkeley\BOINC Setup",
        "DATADIR",
    )
    .filter(|dir| !dir.trim().is_empty())
}

#[cfg(not(windows))]
fn windows_data_dir() -> Option<String> {
    None
}

/// On Windows: the installer's data folder, then the default `%ProgramData%\BOINC`.
fn windows_auth_file_candidates(
    data_dir: Option<String>,
    program_data: Option<std::ffi::OsString>,
) -> Vec<PathBuf> {
    let default = program_data
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"))
        .join("BOINC")
        .join(FILE);
    let mut candidates: Vec<PathBuf> = data_dir
        .map(|dir| PathBuf::from(dir).join(FILE))
        .into_iter()
        .collect();
    if !candidates.contains(&default) {
        candidates.push(default);
    }
    candidates
}

/// The places a BOINC client keeps `gui_rpc_auth.cfg` on this OS, most likely first.
pub fn default_auth_file_candidates() -> Vec<PathBuf> {
    if cfg!(windows) {
        windows_auth_file_candidates(windows_data_dir(), std::env::var_os("ProgramData"))
    } else if cfg!(target_os = "macos") {
        vec![PathBuf::from("/Library/Application Support/BOINC Data").join(FILE)]
    } else {
        vec![
            // Debian/Ubuntu keep it in /etc and link it from the data dir; Fedora and Arch use
            // /var/lib/boinc.
            PathBuf::from("/etc/boinc-client").join(FILE),
            PathBuf::from("/var/lib/boinc-client").join(FILE),
            PathBuf::from("/var/lib/boinc").join(FILE),
        ]
    }
}

/// The answer to an `<auth1/>` nonce: lowercase hex MD5 of the nonce followed by the password.
pub fn nonce_hash(nonce: &str, password: &Secret) -> String {
    let mut hasher = Md5::new();
    hasher.update(nonce.as_bytes());
    hasher.update(password.expose().as_bytes());
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(32);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0x0f)]));
    }
    hex
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn on_windows_the_installer_s_data_folder_comes_before_the_default() {
        let chosen = windows_auth_file_candidates(
            Some(r"D:\BOINC data\".into()),
            Some(r"C:\ProgramData".into()),
        );
        assert_eq!(
            chosen,
            [
                PathBuf::from(r"D:\BOINC data\").join(FILE),
                PathBuf::from(r"C:\ProgramData").join("BOINC").join(FILE),
            ]
        );
        let default_only = windows_auth_file_candidates(None, None);
        assert_eq!(
            default_only,
            [PathBuf::from(r"C:\ProgramData").join("BOINC").join(FILE)]
        );
    }

    #[test]
    fn nonce_hash_matches_an_independently_computed_md5() {
        // Computed with Python's hashlib: md5(b"1795477236.588354fixture-pw").
        assert_eq!(
            nonce_hash("1795477236.588354", &Secret::new("fixture-pw")),
            "00109469ae549d8693a27db28066c427"
        );
    }

    #[test]
    fn password_file_contents_are_read_like_the_client_reads_them() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"", None),
            (b"\n", None),
            (b"   \r\n", None),
            (b"pw", Some("pw")),
            (b"pw\n", Some("pw")),
            (b"pw \r\n", Some("pw")),
            (b"pw\nsecond line ignored\n", Some("pw")),
        ];
        for (bytes, want) in cases {
            let got = password_from_file_contents(bytes);
            assert_eq!(
                got.as_ref().map(Secret::expose),
                *want,
                "contents {bytes:?}"
            );
        }
    }

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let setting = PasswordSetting::Explicit(Secret::new("hunter2"));
        assert!(!format!("{setting:?}").contains("hunter2"));
    }

    #[test]
    fn search_takes_the_first_existing_file_and_reports_where_it_looked_otherwise() {
        let dir = std::env::temp_dir().join(format!("overtime-boinc-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.cfg");
        let present = dir.join("gui_rpc_auth.cfg");
        std::fs::write(&present, "s3cret\n").unwrap();

        let found = PasswordSetting::Search(vec![missing.clone(), present.clone()])
            .resolve()
            .unwrap();
        assert_eq!(found.origin, PasswordOrigin::File(present.clone()));
        assert_eq!(found.secret.unwrap().expose(), "s3cret");

        let none = PasswordSetting::Search(vec![missing.clone()])
            .resolve()
            .unwrap();
        assert!(none.secret.is_none());
        assert!(none.origin.to_string().contains("missing.cfg"));

        let err = PasswordSetting::File(missing).resolve().unwrap_err();
        assert!(err.to_string().contains("missing.cfg"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
