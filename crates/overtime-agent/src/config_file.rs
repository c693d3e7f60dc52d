//! The configuration file on disk: loading it, and noticing when the user changed it.
//!
//! A missing file means "all defaults". A file that fails to parse at start is fatal (the CLI
//! prints file, line, field and reason); a file that becomes invalid while the agent runs is
//! reported and the last good configuration stays in force.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use overtime_core::config::{Config, ConfigErrors};

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

    /// `Some(result)` when the file changed since the last call (or was created or removed).
    pub fn poll(&mut self) -> Option<Result<Config, ConfigFileError>> {
        let now = stamp(&self.path);
        if now == self.seen {
            return None;
        }
        self.seen = now;
        Some(load(&self.path))
    }

    /// Load now, whether or not the file changed.
    pub fn reload(&mut self) -> Result<Config, ConfigFileError> {
        self.seen = stamp(&self.path);
        load(&self.path)
    }
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}
