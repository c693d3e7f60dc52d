//! The ledger's one error type: what went wrong with the database file and what to do about it.

use std::path::PathBuf;

/// Everything the ledger can fail with.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// SQLite refused an operation on the ledger file.
    #[error(
        "the earnings ledger at {path} could not be {action}: {source}; check that the disk has space and the folder is writable"
    )]
    Database {
        path: String,
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer Overtime whose schema this build does not know.
    #[error(
        "the earnings ledger at {path} has schema version {found}, newer than this build understands ({supported}); update Overtime, or move the file away to start a new ledger"
    )]
    NewerSchema {
        path: String,
        found: u32,
        supported: u32,
    },
    /// A corrupt or foreign file could not be moved aside, so no new ledger could be started.
    #[error(
        "the earnings ledger at {path} is unusable ({why}) and could not be moved aside to {aside}: {source}; move or delete it by hand"
    )]
    MoveAside {
        path: PathBuf,
        aside: PathBuf,
        why: String,
        #[source]
        source: std::io::Error,
    },
    /// A value read back from the ledger is not what the schema promises (edited by hand?).
    #[error("the earnings ledger holds a value it cannot read: {0}")]
    BadValue(String),
    /// A range or date the caller asked for makes no sense.
    #[error("invalid range for the ledger: {0}")]
    Range(String),
    /// Writing the CSV export failed.
    #[error("writing the CSV export failed: {0}; check the destination is writable and has space")]
    Export(#[source] std::io::Error),
    /// The writer thread is gone (it panicked or was shut down).
    #[error("the ledger writer has stopped; restart Overtime to record again")]
    WriterStopped,
    /// The writer thread could not be started.
    #[error("the ledger writer thread could not be started: {0}")]
    Spawn(#[source] std::io::Error),
}

impl LedgerError {
    /// True for failures that may go away by themselves (disk full, I/O error, busy or
    /// read-only file): the writer keeps the events and retries later.
    pub fn is_transient(&self) -> bool {
        use rusqlite::ErrorCode as C;
        match self {
            LedgerError::Database {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } => matches!(
                e.code,
                C::DiskFull
                    | C::SystemIoFailure
                    | C::DatabaseBusy
                    | C::DatabaseLocked
                    | C::ReadOnly
                    | C::CannotOpen
                    | C::OutOfMemory
                    | C::PermissionDenied
            ),
            _ => false,
        }
    }
}
