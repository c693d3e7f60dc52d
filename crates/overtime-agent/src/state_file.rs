//! Small state files (the overrides in force) written off the agent's loop: the loop hands over
//! the new contents and goes on deciding, and one writer task puts them on disk in order,
//! through a temporary file and a rename so a crash never leaves half a file. A slow or full
//! disk then delays only the file, never a game's pause.

use std::path::{Path, PathBuf};

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The writer of one state file.
#[derive(Debug)]
pub struct StateFile {
    contents: watch::Sender<Option<Vec<u8>>>,
    task: JoinHandle<()>,
}

impl StateFile {
    /// Starts the writer for `path`; `what` names the file's contents in log lines.
    pub fn spawn(path: PathBuf, what: &'static str) -> StateFile {
        let (contents, rx) = watch::channel(None);
        let task = tokio::spawn(write_changes(path, what, rx));
        StateFile { contents, task }
    }

    /// Queues `bytes` as the file's new contents. Only the newest queued contents are written
    /// when saves come faster than the disk.
    pub fn save(&self, bytes: Vec<u8>) {
        self.contents.send_replace(Some(bytes));
    }

    /// Writes what is still queued and waits until it is on disk.
    pub async fn close(self) {
        let StateFile { contents, task } = self;
        drop(contents);
        if let Err(e) = task.await {
            tracing::error!(error = %e, "a state file writer ended abnormally");
        }
    }
}

async fn write_changes(
    path: PathBuf,
    what: &'static str,
    mut contents: watch::Receiver<Option<Vec<u8>>>,
) {
    // `changed` still reports contents queued just before the sender was dropped, so closing
    // never loses the last save.
    while contents.changed().await.is_ok() {
        let Some(bytes) = contents.borrow_and_update().clone() else {
            continue;
        };
        let target = path.clone();
        let written = tokio::task::spawn_blocking(move || write_atomically(&target, &bytes)).await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, path = %path.display(), "cannot save {what}; they will not survive a restart");
            }
            Err(e) => tracing::error!(error = %e, "saving {what} stopped unexpectedly"),
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::file_replace::replace_file(path, "json.tmp", bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_newest_contents_are_on_disk_once_closed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("overrides.json");
        let file = StateFile::spawn(path.clone(), "overrides");
        for n in 0..50 {
            file.save(format!("[{n}]").into_bytes());
        }
        file.close().await;
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[49]");
        assert!(!path.with_extension("json.tmp").exists());
    }
}
