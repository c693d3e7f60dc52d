//! The transport on Unix: a Unix domain socket at `<state dir>/run/desktop.sock`. The `run`
//! directory is owner-only (0700), so no other user can reach the socket even for the instant
//! before the socket itself is narrowed to 0600.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tokio::net::UnixStream;

pub type Stream = UnixStream;
pub type ReadHalf = tokio::net::unix::OwnedReadHalf;
pub type WriteHalf = tokio::net::unix::OwnedWriteHalf;

pub fn endpoint_in(state_dir: &Path) -> OsString {
    state_dir.join("run").join("desktop.sock").into_os_string()
}

pub async fn connect(path: &OsStr) -> Option<UnixStream> {
    UnixStream::connect(path).await.ok()
}

pub fn split(stream: UnixStream) -> (ReadHalf, WriteHalf) {
    stream.into_split()
}

pub struct Listener {
    listener: tokio::net::UnixListener,
    path: PathBuf,
    /// The socket file's device and inode, so that dropping the listener removes only the file
    /// it made, never one a newer host has bound at the same path since.
    file_id: Option<(u64, u64)>,
}

impl Listener {
    pub async fn bind(path: &OsStr) -> io::Result<Listener> {
        let path = PathBuf::from(path);
        if connect(path.as_os_str()).await.is_some() {
            return Err(io::Error::from(io::ErrorKind::AddrInUse));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
            // An existing directory keeps its mode unless told: narrow it too.
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        // Left by a host that died: nothing answers on it.
        let _ = std::fs::remove_file(&path);
        let listener = tokio::net::UnixListener::bind(&path)?;
        if let Err(e) = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(error = %e, path = %path.display(), "cannot make the dashboard socket owner-only");
        }
        let file_id = std::fs::metadata(&path).ok().map(|m| (m.dev(), m.ino()));
        Ok(Listener {
            listener,
            path,
            file_id,
        })
    }

    pub async fn accept(&mut self) -> io::Result<Stream> {
        let (stream, _) = self.listener.accept().await?;
        Ok(stream)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let still_ours = std::fs::metadata(&self.path)
            .ok()
            .map(|m| (m.dev(), m.ino()))
            .is_some_and(|id| Some(id) == self.file_id);
        if still_ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::endpoint::Endpoint;
    use crate::transport::{Listener, Stream};

    fn socket(dir: &tempfile::TempDir) -> (Endpoint, PathBuf) {
        let endpoint = Endpoint::in_state_dir(&dir.path().join("state"));
        let path = PathBuf::from(endpoint.as_os_str());
        (endpoint, path)
    }

    #[tokio::test]
    async fn the_socket_lives_in_an_owner_only_directory_and_is_owner_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let (endpoint, path) = socket(&dir);
        // A directory that exists with a looser mode is narrowed.
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::set_permissions(
            path.parent().unwrap(),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        let _listener = Listener::bind(&endpoint).await.unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&path), 0o600);
    }

    #[tokio::test]
    async fn a_stale_socket_file_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let (endpoint, path) = socket(&dir);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // What a host that was killed leaves: a socket file nobody listens on.
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        assert!(path.exists());
        assert!(Stream::connect(&endpoint).await.is_none());
        let _listener = Listener::bind(&endpoint).await.unwrap();
        assert!(Stream::connect(&endpoint).await.is_some());
    }

    #[tokio::test]
    async fn the_socket_file_goes_with_its_listener_but_never_a_newer_hosts() {
        let dir = tempfile::tempdir().unwrap();
        let (endpoint, path) = socket(&dir);
        drop(Listener::bind(&endpoint).await.unwrap());
        assert!(!path.exists());

        // An old host still holding its listener while a new one has bound the path (a restart
        // whose old half is slow to end) must not take the new host's socket with it.
        let old = Listener::bind(&endpoint).await.unwrap();
        std::fs::remove_file(&path).unwrap();
        let _new = Listener::bind(&endpoint).await.unwrap();
        drop(old);
        assert!(path.exists());
        assert!(Stream::connect(&endpoint).await.is_some());
    }
}
