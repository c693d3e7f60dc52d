//! The configuration file on disk: loading it, and noticing when the user changed it, on a
//! task of its own ([`ConfigWatcher`]).
//!
//! A missing file means "all defaults". A file that fails to parse at start is fatal (the CLI
//! prints file, line, field and reason); a file that becomes invalid while the agent runs is
//! reported and the last good configuration stays in force.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use overtime_core::config::{Config, ConfigErrors};
use tokio::sync::{mpsc, oneshot};

use crate::error::AgentError;

#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(ConfigErrors),
}

/// Read and validate `path`; a missing file gives the defaults.
pub fn load(path: &Path) -> Result<Config, ConfigFileError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Config::parse(&text, Some(path)).map_err(ConfigFileError::Invalid),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(ConfigFileError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Notices changes to the configuration file by its modification time and size — one `stat`
/// per check, cheap enough for every tick.
#[derive(Debug)]
pub struct ConfigWatch {
    path: PathBuf,
    seen: Option<(SystemTime, u64)>,
}

impl ConfigWatch {
    /// Starts from the file as it is now (already loaded by the caller).
    pub fn new(path: PathBuf) -> Self {
        let seen = stamp(&path);
        ConfigWatch { path, seen }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file changed since the last look (one `stat`), remembering what it saw.
    pub fn changed(&mut self) -> bool {
        let now = stamp(&self.path);
        if now == self.seen {
            return false;
        }
        self.seen = now;
        true
    }
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// A configuration read off the agent's loop, and the reply for whoever asked for the read
/// (`None` when the file was noticed to change).
#[derive(Debug)]
pub struct LoadedConfig {
    pub result: Result<Config, ConfigFileError>,
    pub asked: Option<oneshot::Sender<Result<(), AgentError>>>,
}

/// Watches the configuration file on a task of its own, so the agent's loop never waits on a
/// `stat`, a read or a parse: what it loads arrives on the receiver [`ConfigWatcher::spawn`]
/// returns, in the order it was read.
#[derive(Debug)]
pub struct ConfigWatcher {
    path: PathBuf,
    reloads: mpsc::Sender<oneshot::Sender<Result<(), AgentError>>>,
}

impl ConfigWatcher {
    /// Checks `watch`'s file every `every` and reads it when asked. The task ends when the
    /// receiver is dropped.
    pub fn spawn(
        watch: ConfigWatch,
        every: Duration,
    ) -> (ConfigWatcher, mpsc::Receiver<LoadedConfig>) {
        let path = watch.path().to_path_buf();
        let (reloads, reload_rx) = mpsc::channel(8);
        let (loaded_tx, loaded) = mpsc::channel(8);
        tokio::spawn(watch_file(watch, every, reload_rx, loaded_tx));
        (ConfigWatcher { path, reloads }, loaded)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Asks for the file to be read now; the answer goes to `reply` once the agent has adopted
    /// (or refused) what was read.
    pub fn reload(&self, reply: oneshot::Sender<Result<(), AgentError>>) {
        if let Err(e) = self.reloads.try_send(reply) {
            let (busy, reply) = match e {
                mpsc::error::TrySendError::Full(reply) => (true, reply),
                mpsc::error::TrySendError::Closed(reply) => (false, reply),
            };
            let _ = reply.send(Err(if busy {
                AgentError::Rejected(
                    "the configuration is being read already; try again in a moment".to_owned(),
                )
            } else {
                AgentError::Stopped
            }));
        }
    }
}

async fn watch_file(
    mut watch: ConfigWatch,
    every: Duration,
    mut reloads: mpsc::Receiver<oneshot::Sender<Result<(), AgentError>>>,
    loaded: mpsc::Sender<LoadedConfig>,
) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        let asked = tokio::select! {
            asked = reloads.recv() => match asked {
                Some(reply) => Some(reply),
                None => break,
            },
            _ = interval.tick() => None,
        };
        // The once-a-tick look is one `stat`, cheap enough to make here; only reading and
        // parsing goes to a blocking thread. A reload asked for reads whether or not the file
        // changed, and what it reads is what the next look compares with.
        let changed = watch.changed();
        if asked.is_none() && !changed {
            continue;
        }
        let path = watch.path().to_path_buf();
        let result = match tokio::task::spawn_blocking(move || load(&path)).await {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(error = %e, "reading the configuration file stopped unexpectedly");
                if let Some(reply) = asked {
                    let _ = reply.send(Err(AgentError::Rejected(
                        "reading the configuration stopped unexpectedly; try again".to_owned(),
                    )));
                }
                break;
            }
        };
        if loaded.send(LoadedConfig { result, asked }).await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    async fn next(loads: &mut mpsc::Receiver<LoadedConfig>) -> LoadedConfig {
        tokio::time::timeout(Duration::from_secs(5), loads.recv())
            .await
            .expect("the watcher read nothing within 5 s")
            .expect("the watcher stopped")
    }

    #[tokio::test]
    async fn a_changed_file_is_read_off_the_loop_and_a_reload_is_answered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("overtime.toml");
        std::fs::write(&path, "[policy]\nmin_dwell_s = 10\n").unwrap();
        let (watcher, mut loads) =
            ConfigWatcher::spawn(ConfigWatch::new(path.clone()), Duration::from_millis(20));
        assert_eq!(watcher.path(), path);

        // A different size, so the change shows even where mtimes are coarse.
        std::fs::write(&path, "[policy]\nmin_dwell_s = 120\n").unwrap();
        let noticed = next(&mut loads).await;
        assert!(noticed.asked.is_none());
        assert_eq!(noticed.result.unwrap().policy.min_dwell_s, 120);

        let (reply, answer) = oneshot::channel();
        watcher.reload(reply);
        let asked = next(&mut loads).await;
        assert_eq!(asked.result.unwrap().policy.min_dwell_s, 120);
        asked
            .asked
            .expect("the reload carries its reply")
            .send(Ok(()))
            .unwrap();
        assert!(answer.await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn an_invalid_file_arrives_as_the_error_to_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("overtime.toml");
        let (watcher, mut loads) =
            ConfigWatcher::spawn(ConfigWatch::new(path.clone()), Duration::from_secs(3600));
        std::fs::write(&path, "[thermal]\nsoft_limit_c = \"hot\"\n").unwrap();
        let (reply, _answer) = oneshot::channel();
        watcher.reload(reply);
        let loaded = next(&mut loads).await;
        let error = loaded.result.unwrap_err().to_string();
        assert!(error.contains("soft_limit_c"), "{error}");
    }
}
