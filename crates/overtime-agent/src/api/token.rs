//! The loopback API's bearer token: 32 random bytes, hex-encoded, kept in a file only the user
//! can read (`<state_dir>/api-token`, mode 0600 on Unix).
//!
//! Other local users (and web pages the user visits) can reach 127.0.0.1 too; the token is what
//! keeps them from reading the agent's state or changing its mode. It never appears in logs or
//! `Debug` output.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::TryRngCore;
use rand::rngs::OsRng;

use crate::private_files;

/// Random bytes in a token; the file holds twice as many hex digits.
const TOKEN_BYTES: usize = 32;

/// The secret a client must send as `Authorization: Bearer <token>`.
#[derive(Clone)]
pub struct ApiToken {
    secret: String,
    /// Where it was read from or written to, so error messages can point at it.
    file: Option<PathBuf>,
}

/// Why the token could not be read or created. Messages name the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "no API token at {}: the agent writes it when it starts. Start it with `overtime daemon`, \
         or set OVERTIME_STATE_DIR to the state directory of the agent that is running",
        path.display()
    )]
    NotFound { path: PathBuf },
    #[error(
        "could not {action} the API token file {}: {source}. Check that you own it and its \
         directory (the agent and the CLI must run as the same user)",
        path.display()
    )]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the API token file {} does not hold a token ({} hex digits); delete it and restart the \
         agent to make a new one",
        path.display(),
        TOKEN_BYTES * 2
    )]
    Malformed { path: PathBuf },
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

impl ApiToken {
    /// A fresh random token, not stored anywhere.
    pub fn generate() -> Result<ApiToken, TokenError> {
        let mut bytes = [0u8; TOKEN_BYTES];
        OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| TokenError::Random(e.to_string()))?;
        Ok(ApiToken {
            secret: hex(&bytes),
            file: None,
        })
    }

    /// The agent's side: the token stored at `path`, created (with its directory) if missing.
    ///
    /// A new file is private from the start on Unix (mode 0600), so it is never readable by
    /// others even briefly; on Windows it is created inside the private state folder, whose list
    /// it inherits, and then given its own. An existing file readable by others is made private to the user with a warning; one that
    /// does not hold a valid token is replaced with a new token.
    pub fn load_or_create(path: &Path) -> Result<ApiToken, TokenError> {
        let io = |action| {
            move |source| TokenError::Io {
                action,
                path: path.to_path_buf(),
                source,
            }
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_files::create_private_dir(dir).map_err(io("create the directory of"))?;
        }
        match private_files::open_private(path, true) {
            Ok(file) => return write_new(file, path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io("create")(e)),
        }
        tighten_permissions(path).map_err(io("restrict the permissions of"))?;
        match ApiToken::read(path) {
            Err(TokenError::Malformed { .. }) => {
                tracing::warn!(
                    file = %path.display(),
                    "the API token file did not hold a valid token; writing a new one"
                );
                let file = private_files::open_private(path, false).map_err(io("rewrite"))?;
                write_new(file, path)
            }
            other => other,
        }
    }

    /// The client's side: the token stored at `path`, which must exist. Never modifies the file.
    pub fn read(path: &Path) -> Result<ApiToken, TokenError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                TokenError::NotFound {
                    path: path.to_path_buf(),
                }
            } else {
                TokenError::Io {
                    action: "read",
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        let secret = text.trim();
        let well_formed =
            secret.len() == TOKEN_BYTES * 2 && secret.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Err(TokenError::Malformed {
                path: path.to_path_buf(),
            });
        }
        Ok(ApiToken {
            secret: secret.to_ascii_lowercase(),
            file: Some(path.to_path_buf()),
        })
    }

    /// The file the token lives in, if it came from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The secret itself, for building an `Authorization` header. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }

    /// Whether `presented` is this token. Takes the same time wherever the first difference is,
    /// so the secret cannot be guessed byte by byte from response times.
    pub fn matches(&self, presented: &str) -> bool {
        constant_time_eq(self.secret.as_bytes(), presented.as_bytes())
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiToken")
            .field("secret", &"<redacted>")
            .field("file", &self.file)
            .finish()
    }
}

fn write_new(mut file: std::fs::File, path: &Path) -> Result<ApiToken, TokenError> {
    let token = ApiToken::generate()?;
    let io = |source| TokenError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    file.write_all(token.secret.as_bytes()).map_err(io)?;
    file.write_all(b"\n").map_err(io)?;
    file.sync_all().map_err(io)?;
    tracing::info!(file = %path.display(), "created a new API token");
    Ok(ApiToken {
        file: Some(path.to_path_buf()),
        ..token
    })
}

/// Restricts an existing token file to its user, saying so when others could read it.
fn tighten_permissions(path: &Path) -> std::io::Result<()> {
    if private_files::make_private(path)? {
        tracing::warn!(
            file = %path.display(),
            "the API token file was readable by other users; it is now readable by you only"
        );
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]])
        .map(char::from)
        .collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // The length is no secret (every token has the same), so an early exit on it leaks nothing.
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "overtime-token-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn generated_tokens_are_64_hex_digits_and_differ() {
        let a = ApiToken::generate().unwrap();
        let b = ApiToken::generate().unwrap();
        assert_eq!(a.expose_secret().len(), 64);
        assert!(a.expose_secret().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.expose_secret(), b.expose_secret());
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let token = ApiToken::generate().unwrap();
        let debug = format!("{token:?}");
        assert!(!debug.contains(token.expose_secret()), "{debug}");
        assert!(debug.contains("redacted"));
    }

    #[test]
    fn matches_only_the_exact_token() {
        let token = ApiToken::generate().unwrap();
        let secret = token.expose_secret().to_owned();
        assert!(token.matches(&secret));
        let mut flipped = secret.clone().into_bytes();
        flipped[63] = if flipped[63] == b'0' { b'1' } else { b'0' };
        assert!(!token.matches(std::str::from_utf8(&flipped).unwrap()));
        assert!(!token.matches(&secret[..63]));
        assert!(!token.matches(""));
        assert!(!token.matches(&format!("{secret}0")));
    }

    #[test]
    fn load_or_create_writes_a_private_file_and_reuses_it() {
        let dir = temp_dir("reuse");
        let path = dir.join("state").join("api-token");
        let first = ApiToken::load_or_create(&path).unwrap();
        assert_eq!(first.file(), Some(path.as_path()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let second = ApiToken::load_or_create(&path).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        let read = ApiToken::read(&path).unwrap();
        assert_eq!(first.expose_secret(), read.expose_secret());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_world_readable_token_file_is_tightened_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("loose");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("api-token");
        let secret = "ab".repeat(32);
        std::fs::write(&path, format!("{secret}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let token = ApiToken::load_or_create(&path).unwrap();
        assert_eq!(token.expose_secret(), secret);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_garbled_token_file_is_replaced_by_the_agent_but_rejected_by_readers() {
        let dir = temp_dir("garbled");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("api-token");
        std::fs::write(&path, "not a token").unwrap();
        let err = ApiToken::read(&path).unwrap_err();
        assert!(matches!(err, TokenError::Malformed { .. }));
        assert!(err.to_string().contains("delete it"));
        let token = ApiToken::load_or_create(&path).unwrap();
        assert_eq!(
            ApiToken::read(&path).unwrap().expose_secret(),
            token.expose_secret()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reading_a_missing_token_says_to_start_the_agent() {
        let path = temp_dir("missing").join("api-token");
        let err = ApiToken::read(&path).unwrap_err();
        assert!(matches!(err, TokenError::NotFound { .. }));
        let msg = err.to_string();
        assert!(msg.contains("overtime daemon"), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
    }
}
