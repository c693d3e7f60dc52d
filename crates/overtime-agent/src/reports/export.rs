//! The history view's Export button: the same CSV as `overtime export`, written into the user's
//! Downloads folder under a name that never replaces an earlier export. A failed write leaves
//! no half file behind and says what to do.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, ErrorKind};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use overtime_ledger::LedgerError;
use serde::Serialize;
use ts_rs::TS;

use super::{LedgerAccess, ledger_error};
use crate::error::AgentError;

type Result<T> = std::result::Result<T, AgentError>;

/// Names tried before giving up: `overtime-….csv`, then `-2` … `-999`.
const MAX_NAME_TRIES: u32 = 999;

/// What an export wrote, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportDone {
    pub path: String,
    pub sessions: u32,
    pub earnings: u32,
    /// Demo mode: the exported rows are simulated. Say so next to the path.
    pub simulated: bool,
}

/// The folder exports go to: the desktop's Downloads folder (`XDG_DOWNLOAD_DIR` on Linux)
/// when it exists, else the home folder.
pub fn downloads_dir() -> Result<PathBuf> {
    let dirs = directories::UserDirs::new().ok_or_else(|| {
        AgentError::Export(
            "Overtime cannot find your home folder to save the export in; set HOME and try again"
                .to_owned(),
        )
    })?;
    Ok(dirs
        .download_dir()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| dirs.home_dir())
        .to_path_buf())
}

/// `overtime-<first day>-<last day>.csv`, local days, both included.
pub fn file_name(access: &LedgerAccess, from: Timestamp, to: Timestamp) -> String {
    let (first, last) = overtime_core::Bounds { from, to }.days(&access.model.tz);
    format!("overtime-{first}-{last}.csv")
}

/// Writes sessions starting and statements booked in `[from_ms, to_ms)` as CSV into `dir`,
/// as of `now`.
pub fn export_csv(
    access: &LedgerAccess,
    from_ms: i64,
    to_ms: i64,
    dir: &Path,
    now: Timestamp,
) -> Result<ExportDone> {
    let at = |ms: i64| {
        Timestamp::from_millisecond(ms)
            .map_err(|e| AgentError::Rejected(format!("{ms} is not a time Overtime can use: {e}")))
    };
    let (from, to) = (at(from_ms)?, at(to_ms)?);
    if to <= from {
        return Err(AgentError::Rejected(
            "the range to export is empty: its end must come after its start".to_owned(),
        ));
    }
    let store = access.open()?;
    let (path, file) = create_unique(dir, &file_name(access, from, to))?;
    let written = store.export_csv(from, to, &access.model, now, BufWriter::new(file));
    let summary = match written {
        Ok(summary) => summary,
        Err(e) => {
            // Never leave a truncated file that looks like a finished export.
            let _ = std::fs::remove_file(&path);
            return Err(match e {
                LedgerError::Export(io) => write_error(&io, dir),
                other => ledger_error(other),
            });
        }
    };
    tracing::info!(path = %path.display(), sessions = summary.sessions,
        earnings = summary.earnings, "history exported as CSV");
    Ok(ExportDone {
        path: path.display().to_string(),
        sessions: u32::try_from(summary.sessions).unwrap_or(u32::MAX),
        earnings: u32::try_from(summary.earnings).unwrap_or(u32::MAX),
        simulated: access.simulated,
    })
}

/// Writes sessions starting and statements booked in `[from, to)` as CSV to `out`, as of
/// `now` (`overtime export` writes a file it was named, or standard output); the counts of
/// each.
pub fn write_csv(
    access: &LedgerAccess,
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
    out: impl std::io::Write,
) -> Result<overtime_ledger::ExportSummary> {
    access
        .open()?
        .export_csv(from, to, &access.model, now, out)
        .map_err(|e| match e {
            LedgerError::Export(io) => AgentError::Export(format!(
                "the CSV could not be written ({io}); check the disk and try again"
            )),
            other => ledger_error(other),
        })
}

/// Creates `dir/name`, or `name-2`, `name-3`, … when taken, never opening an existing file.
fn create_unique(dir: &Path, name: &str) -> Result<(PathBuf, File)> {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..=MAX_NAME_TRIES {
        let candidate = if n == 1 {
            name.to_owned()
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(candidate);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(write_error(&e, dir)),
        }
    }
    Err(AgentError::Export(format!(
        "{} already holds {MAX_NAME_TRIES} exports of this range; move some away and export \
         again",
        dir.display()
    )))
}

/// What went wrong writing into `dir`, and what to do about it.
pub fn write_error(e: &std::io::Error, dir: &Path) -> AgentError {
    let dir = dir.display();
    AgentError::Export(match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
            format!("the disk holding {dir} is full; free some space and export again")
        }
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => format!(
            "Overtime may not write into {dir}; allow it in the folder's permissions, or \
             point your Downloads folder somewhere writable, and export again"
        ),
        ErrorKind::NotFound | ErrorKind::NotADirectory => format!(
            "the folder {dir} does not exist; create it (or point your Downloads folder \
             elsewhere) and export again"
        ),
        _ => format!(
            "the export could not be written into {dir}: {e}; check the folder and export again"
        ),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use jiff::tz::TimeZone;
    use overtime_core::Mode;
    use overtime_core::money::Currency;
    use overtime_core::tariff::Tariff;
    use overtime_ledger::{CostModel, Event, LedgerStore, SessionStart};

    use super::*;
    use crate::error::ErrorCode;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn access(dir: &Path) -> LedgerAccess {
        let path = dir.join("ledger.sqlite");
        let (mut store, _) = LedgerStore::open(&path).unwrap();
        store
            .apply(&[
                Event::SessionStarted(SessionStart {
                    gpu_uuid: "GPU-A".into(),
                    at: t("2025-06-01T21:30Z"),
                    mode: Mode::Volunteer,
                    provider: Some("boinc".into()),
                    reason_code: "schedule".into(),
                    reason: "Volunteer — rental window closed at 23:00, \"night\"".into(),
                    price_per_hour: None,
                }),
                Event::SessionEnded {
                    gpu_uuid: "GPU-A".into(),
                    at: t("2025-06-01T23:00Z"),
                },
            ])
            .unwrap();
        LedgerAccess {
            path,
            model: CostModel {
                tariff: Tariff::flat("0.30".parse().unwrap(), Currency::new("EUR").unwrap()),
                tz: TimeZone::get("Europe/Berlin").unwrap(),
                rest_of_pc_w: 0.0,
            },
            timezone: "Europe/Berlin".into(),
            simulated: true,
            gpus: Vec::new(),
        }
    }

    /// June 1st and 2nd, Berlin time.
    fn range() -> (i64, i64) {
        (
            t("2025-05-31T22:00Z").as_millisecond(),
            t("2025-06-02T22:00Z").as_millisecond(),
        )
    }

    #[test]
    fn the_export_is_the_cli_csv_named_for_its_local_days() {
        let ledger_dir = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let a = access(ledger_dir.path());
        let (from_ms, to_ms) = range();
        let now = t("2025-06-03T00:00Z");
        let done = export_csv(&a, from_ms, to_ms, downloads.path(), now).unwrap();

        let path = downloads.path().join("overtime-2025-06-01-2025-06-02.csv");
        assert_eq!(done.path, path.display().to_string());
        assert_eq!((done.sessions, done.earnings), (1, 0));
        assert!(done.simulated);
        let mut expected = Vec::new();
        LedgerStore::open_reader(&a.path)
            .unwrap()
            .export_csv(
                Timestamp::from_millisecond(from_ms).unwrap(),
                Timestamp::from_millisecond(to_ms).unwrap(),
                &a.model,
                now,
                &mut expected,
            )
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), expected);
    }

    #[test]
    fn an_earlier_export_is_never_overwritten() {
        let ledger_dir = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let a = access(ledger_dir.path());
        let (from_ms, to_ms) = range();
        let now = t("2025-06-03T00:00Z");
        let first = downloads.path().join("overtime-2025-06-01-2025-06-02.csv");
        std::fs::write(&first, "mine, keep it").unwrap();

        let names: Vec<String> = (0..2)
            .map(|_| {
                let done = export_csv(&a, from_ms, to_ms, downloads.path(), now).unwrap();
                Path::new(&done.path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "overtime-2025-06-01-2025-06-02-2.csv",
                "overtime-2025-06-01-2025-06-02-3.csv"
            ]
        );
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "mine, keep it");
    }

    #[test]
    fn a_folder_that_cannot_take_the_file_is_an_error_that_says_what_to_do() {
        let ledger_dir = tempfile::tempdir().unwrap();
        let a = access(ledger_dir.path());
        let (from_ms, to_ms) = range();
        let not_a_folder = ledger_dir.path().join("ledger.sqlite");
        let e = export_csv(&a, from_ms, to_ms, &not_a_folder, t("2025-06-03T00:00Z")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Export);
        assert!(e.to_string().contains("export again"), "{e}");
    }

    #[test]
    fn a_full_disk_and_a_locked_folder_each_say_what_to_do() {
        let dir = Path::new("/home/u/Downloads");
        let full = write_error(&std::io::Error::from(ErrorKind::StorageFull), dir);
        assert!(
            full.to_string().contains("is full; free some space"),
            "{full}"
        );
        let denied = write_error(&std::io::Error::from(ErrorKind::PermissionDenied), dir);
        assert!(
            denied
                .to_string()
                .contains("may not write into /home/u/Downloads"),
            "{denied}"
        );
        assert_eq!(denied.code(), ErrorCode::Export);
    }

    #[test]
    fn a_missing_ledger_exports_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = access(dir.path());
        a.path = dir.path().join("gone.sqlite");
        let (from_ms, to_ms) = range();
        let e = export_csv(&a, from_ms, to_ms, dir.path(), t("2025-06-03T00:00Z")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Ledger);
        let csvs = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "csv")
            })
            .count();
        assert_eq!(csvs, 0);
    }
}
