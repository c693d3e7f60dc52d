//! The ledger file: opening (with migration, corruption handling and crash recovery), writing
//! batches of events in one transaction, and retention of per-minute telemetry.
//!
//! Synchronous on purpose: it runs on the writer's own thread (or under `spawn_blocking`), so
//! rusqlite never blocks the async runtime.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, ErrorCode, params};

use crate::error::LedgerError;
use crate::event::{CreditValue, Event};
use crate::schema::{self, APPLICATION_ID, LATEST_VERSION};

/// How long per-minute telemetry is kept before only the hourly roll-up remains.
pub const MINUTE_RETENTION: SignedDuration = SignedDuration::from_hours(90 * 24);

/// An open ledger database.
pub struct LedgerStore {
    pub(crate) conn: Connection,
    label: String,
}

/// What happened while opening a ledger file; tell the user about anything in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// The old file was corrupt or not an Overtime ledger: it was moved here (never deleted)
    /// and a new, empty ledger was started.
    pub moved_aside: Option<MovedAside>,
    /// The file was upgraded from this schema version.
    pub migrated_from: Option<u32>,
    /// Sessions left open by a crash, closed at the last time known for their GPU.
    pub closed_sessions: usize,
}

/// Where an unusable ledger file went, and why it was unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedAside {
    pub path: PathBuf,
    pub reason: String,
}

/// Options for [`LedgerStore::open_with`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Run `PRAGMA quick_check` on open, so a damaged file is noticed and moved aside at once
    /// rather than failing writes later. Costs a read of the whole file.
    pub check_integrity: bool,
    /// How long to wait for another connection's lock before failing.
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            check_integrity: true,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Why a file could not be used as a ledger: moved aside, or a hard error.
enum OpenFailure {
    Unusable(String),
    Fatal(LedgerError),
}

impl LedgerStore {
    /// Opens (or creates) the ledger at `path` with default options. See [`LedgerStore::open_with`].
    pub fn open(path: &Path) -> Result<(LedgerStore, OpenReport), LedgerError> {
        LedgerStore::open_with(path, &OpenOptions::default())
    }

    /// Opens (or creates) the ledger at `path`: WAL mode, schema migrated in place, sessions
    /// left open by a crash closed.
    ///
    /// A file that is not a database, is damaged, or is another program's database is renamed
    /// to `NAME.corrupt-<UTC timestamp>` (with its `-wal`/`-shm` companions) and a new ledger
    /// is started; [`OpenReport::moved_aside`] says where it went. A file from a newer
    /// Overtime is refused with [`LedgerError::NewerSchema`] and left untouched.
    pub fn open_with(
        path: &Path,
        options: &OpenOptions,
    ) -> Result<(LedgerStore, OpenReport), LedgerError> {
        let mut report = OpenReport::default();
        let mut store = match try_open(path, options, &mut report) {
            Ok(store) => store,
            Err(OpenFailure::Fatal(e)) => return Err(e),
            Err(OpenFailure::Unusable(reason)) => {
                let aside = move_aside(path, &reason)?;
                tracing::warn!(path = %path.display(), aside = %aside.display(), %reason,
                    "ledger file unusable; moved aside and started a new one");
                report.moved_aside = Some(MovedAside {
                    path: aside,
                    reason: reason.clone(),
                });
                report.migrated_from = None;
                match try_open(path, options, &mut report) {
                    Ok(store) => store,
                    Err(OpenFailure::Fatal(e)) => return Err(e),
                    Err(OpenFailure::Unusable(again)) => {
                        return Err(LedgerError::BadValue(format!(
                            "a new ledger at {} could not be started: {again}",
                            path.display()
                        )));
                    }
                }
            }
        };
        report.closed_sessions = store.close_orphan_sessions()?;
        Ok((store, report))
    }

    /// Opens an existing ledger for reading only (figures, export) beside a writer. It does
    /// not migrate or recover; open the writer's store first.
    pub fn open_reader(path: &Path) -> Result<LedgerStore, LedgerError> {
        let label = path.display().to_string();
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| db_err(&label, "opened for reading", e))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| db_err(&label, "opened for reading", e))?;
        let store = LedgerStore { conn, label };
        let found = schema::version(&store.conn).map_err(|e| store.err("read", e))?;
        if found != LATEST_VERSION {
            return Err(LedgerError::NewerSchema {
                path: store.label.clone(),
                found,
                supported: LATEST_VERSION,
            });
        }
        Ok(store)
    }

    /// A fresh ledger in memory, for tests and the demo mode.
    pub fn open_in_memory() -> Result<LedgerStore, LedgerError> {
        let label = ":memory:".to_owned();
        let mut conn = Connection::open_in_memory().map_err(|e| db_err(&label, "created", e))?;
        schema::migrate(&mut conn, 0).map_err(|e| db_err(&label, "created", e))?;
        Ok(LedgerStore { conn, label })
    }

    /// The file (or `:memory:`) this store uses, for messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub(crate) fn err(&self, action: &'static str, source: rusqlite::Error) -> LedgerError {
        db_err(&self.label, action, source)
    }

    /// Writes all `events` in one transaction: either all are recorded or none is.
    pub fn apply(&mut self, events: &[Event]) -> Result<(), LedgerError> {
        let label = self.label.clone();
        let fail = |e| db_err(&label, "written", e);
        let tx = self.conn.transaction().map_err(fail)?;
        for event in events {
            apply_one(&tx, event).map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    /// Rolls per-minute telemetry older than `keep` before `now` into the hourly table (which
    /// is kept forever) and deletes it. The cut is at a whole UTC hour so no hour is left half
    /// in minutes. Returns how many minute rows were deleted.
    pub fn apply_retention(
        &mut self,
        now: Timestamp,
        keep: SignedDuration,
    ) -> Result<usize, LedgerError> {
        let cutoff_s = (now.as_second() - keep.as_secs()).div_euclid(3600) * 3600;
        let label = self.label.clone();
        let fail = |e| db_err(&label, "cleaned up", e);
        let tx = self.conn.transaction().map_err(fail)?;
        // Hourly rows are kept up to date as minutes arrive; this only fills hours that are
        // missing (a file from before the hourly table, say), never adds a minute twice.
        tx.execute(
            "INSERT OR IGNORE INTO telemetry_hour
             SELECT gpu_uuid, (minute_s / 3600) * 3600, count(*), sum(energy_source = 'counter'),
                    min(temp_min_c), max(temp_max_c), sum(temp_avg_c), count(temp_avg_c),
                    sum(load_avg_pct), count(load_avg_pct), sum(power_avg_w), count(power_avg_w),
                    sum(energy_wh)
             FROM telemetry_minute WHERE minute_s < ?1 GROUP BY gpu_uuid, minute_s / 3600",
            [cutoff_s],
        )
        .map_err(fail)?;
        let deleted = tx
            .execute(
                "DELETE FROM telemetry_minute WHERE minute_s < ?1",
                [cutoff_s],
            )
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(deleted)
    }

    /// Closes every session left open (by a crash or a kill) at the latest time recorded for
    /// its GPU: its own start, a later session's start, a decision, or the end of a telemetry
    /// minute. Returns how many were closed.
    pub fn close_orphan_sessions(&mut self) -> Result<usize, LedgerError> {
        let label = self.label.clone();
        let fail = |e| db_err(&label, "recovered", e);
        let tx = self.conn.transaction().map_err(fail)?;
        let open: Vec<(i64, String, i64)> = {
            let mut stmt = tx
                .prepare("SELECT id, gpu_uuid, start_ms FROM sessions WHERE end_ms IS NULL")
                .map_err(fail)?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(fail)?
                .collect::<Result<_, _>>()
                .map_err(fail)?
        };
        for (id, gpu, start_ms) in &open {
            let last_ms: i64 = tx
                .query_row(
                    "SELECT max(
                        ?2,
                        coalesce((SELECT max(start_ms) FROM sessions WHERE gpu_uuid = ?1), 0),
                        coalesce((SELECT max(at_ms) FROM decisions WHERE gpu_uuid = ?1), 0),
                        coalesce((SELECT max(minute_s) * 1000 + 60000 FROM telemetry_minute
                                  WHERE gpu_uuid = ?1), 0))",
                    params![gpu, start_ms],
                    |r| r.get(0),
                )
                .map_err(fail)?;
            // A later session of the same GPU ends this one where it began.
            let next_start: Option<i64> = tx
                .query_row(
                    "SELECT min(start_ms) FROM sessions WHERE gpu_uuid = ?1 AND start_ms >= ?2 AND id != ?3",
                    params![gpu, start_ms, id],
                    |r| r.get(0),
                )
                .map_err(fail)?;
            let end_ms = next_start
                .map_or(last_ms, |n| n.min(last_ms))
                .max(*start_ms);
            tx.execute(
                "UPDATE sessions SET end_ms = ?2 WHERE id = ?1",
                params![id, end_ms],
            )
            .map_err(fail)?;
        }
        tx.commit().map_err(fail)?;
        if !open.is_empty() {
            tracing::info!(
                sessions = open.len(),
                "closed sessions left open by an earlier run"
            );
        }
        Ok(open.len())
    }

    /// Runs `PRAGMA integrity_check` and returns its verdict ("ok" when healthy).
    pub fn integrity_check(&self) -> Result<String, LedgerError> {
        let rows: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("PRAGMA integrity_check")
                .map_err(|e| self.err("checked", e))?;
            stmt.query_map([], |r| r.get(0))
                .map_err(|e| self.err("checked", e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err("checked", e))?
        };
        Ok(rows.join("; "))
    }

    /// Number of sessions with no end yet.
    pub fn open_session_count(&self) -> Result<usize, LedgerError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM sessions WHERE end_ms IS NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.err("read", e))
    }

    /// Caps the file at `pages` pages (`None` lifts the cap), so tests can make writes fail
    /// the way a full disk does.
    #[doc(hidden)]
    pub fn inject_page_limit_for_tests(&self, pages: Option<u64>) -> Result<(), LedgerError> {
        let pages = pages.unwrap_or(u64::from(u32::MAX - 1));
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
            .map_err(|e| self.err("configured", e))
    }

    /// Runs one SQL statement returning a single integer; for tests and benchmarks that
    /// inspect the file.
    #[doc(hidden)]
    pub fn query_i64(&self, sql: &str) -> Result<i64, LedgerError> {
        self.conn
            .query_row(sql, [], |r| r.get(0))
            .map_err(|e| self.err("read", e))
    }
}

fn db_err(label: &str, action: &'static str, source: rusqlite::Error) -> LedgerError {
    LedgerError::Database {
        path: label.to_owned(),
        action,
        source,
    }
}

/// Errors that mean "this file is not a usable ledger" rather than "we cannot open files".
fn is_unusable(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt)
    )
}

fn try_open(
    path: &Path,
    options: &OpenOptions,
    report: &mut OpenReport,
) -> Result<LedgerStore, OpenFailure> {
    let label = path.display().to_string();
    let classify = |action: &'static str| {
        let label = label.clone();
        move |e: rusqlite::Error| {
            if is_unusable(&e) {
                OpenFailure::Unusable(format!("not a readable SQLite database ({e})"))
            } else {
                OpenFailure::Fatal(db_err(&label, action, e))
            }
        }
    };
    let mut conn = Connection::open(path).map_err(classify("opened"))?;
    conn.busy_timeout(options.busy_timeout)
        .map_err(classify("opened"))?;
    let journal: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(classify("opened"))?;
    if !journal.eq_ignore_ascii_case("wal") {
        tracing::warn!(%journal, "ledger could not switch to WAL mode");
    }
    // WAL with synchronous=NORMAL never corrupts on a crash; at worst the last commits are lost.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(classify("opened"))?;
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(classify("opened"))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(classify("opened"))?;
    let found = schema::version(&conn).map_err(classify("opened"))?;
    if app_id != APPLICATION_ID && !(app_id == 0 && tables == 0) {
        return Err(OpenFailure::Unusable(format!(
            "a SQLite database, but not an Overtime ledger (application id {app_id:#x})"
        )));
    }
    if found > LATEST_VERSION {
        return Err(OpenFailure::Fatal(LedgerError::NewerSchema {
            path: label,
            found,
            supported: LATEST_VERSION,
        }));
    }
    if options.check_integrity && tables > 0 {
        let verdict: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(classify("checked"))?;
        if verdict != "ok" {
            return Err(OpenFailure::Unusable(format!("damaged: {verdict}")));
        }
    }
    if found < LATEST_VERSION {
        schema::migrate(&mut conn, found).map_err(classify("upgraded"))?;
        if found > 0 {
            report.migrated_from = Some(found);
        }
    }
    Ok(LedgerStore { conn, label })
}

/// Renames an unusable ledger (and its WAL companions) to `NAME.corrupt-<timestamp>`.
fn move_aside(path: &Path, reason: &str) -> Result<PathBuf, LedgerError> {
    let stamp = Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
    let base = path.as_os_str().to_owned();
    let mut aside = PathBuf::from({
        let mut s = base.clone();
        s.push(format!(".corrupt-{stamp}"));
        s
    });
    let mut n = 2;
    while aside.exists() {
        let mut s = base.clone();
        s.push(format!(".corrupt-{stamp}-{n}"));
        aside = PathBuf::from(s);
        n += 1;
    }
    std::fs::rename(path, &aside).map_err(|source| LedgerError::MoveAside {
        path: path.to_owned(),
        aside: aside.clone(),
        why: reason.to_owned(),
        source,
    })?;
    for suffix in ["-wal", "-shm"] {
        let mut from = base.clone();
        from.push(suffix);
        let from = PathBuf::from(from);
        if from.exists() {
            let mut to = aside.as_os_str().to_owned();
            to.push(suffix);
            if let Err(e) = std::fs::rename(&from, PathBuf::from(to)) {
                tracing::warn!(file = %from.display(), error = %e, "could not move a ledger companion file aside");
            }
        }
    }
    Ok(aside)
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn apply_one(tx: &rusqlite::Transaction<'_>, event: &Event) -> rusqlite::Result<()> {
    match event {
        Event::SessionStarted(s) => {
            close_open(tx, &s.gpu_uuid, ms(s.at))?;
            let (price, currency) = match &s.price_per_hour {
                Some(p) => (
                    Some(p.amount.to_string()),
                    Some(p.currency.code().to_owned()),
                ),
                None => (None, None),
            };
            tx.prepare_cached(
                "INSERT INTO sessions (gpu_uuid, start_ms, end_ms, mode, provider, reason_code, reason,
                                       price_per_hour, price_currency)
                 VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                s.gpu_uuid,
                ms(s.at),
                s.mode.as_str(),
                s.provider,
                s.reason_code,
                s.reason,
                price,
                currency
            ])?;
        }
        Event::SessionEnded { gpu_uuid, at } => close_open(tx, gpu_uuid, ms(*at))?,
        Event::Minute(m) => {
            let minute_s = m.minute.as_second().div_euclid(60) * 60;
            let energy_wh = if m.energy_wh.is_finite() && m.energy_wh > 0.0 {
                m.energy_wh
            } else {
                0.0
            };
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO telemetry_minute (gpu_uuid, minute_s, temp_min_c, temp_avg_c, temp_max_c,
                                                   load_avg_pct, power_avg_w, energy_wh, energy_source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    m.gpu_uuid,
                    minute_s,
                    finite(m.temp_min_c),
                    finite(m.temp_avg_c),
                    finite(m.temp_max_c),
                    finite(m.load_avg_pct),
                    finite(m.power_avg_w),
                    energy_wh,
                    m.energy_source.as_str()
                ])?;
            if inserted == 1 {
                let temp_avg = finite(m.temp_avg_c);
                let load = finite(m.load_avg_pct);
                let power = finite(m.power_avg_w);
                tx.prepare_cached(
                    "INSERT INTO telemetry_hour (gpu_uuid, hour_s, minutes, counter_minutes, temp_min_c,
                         temp_max_c, temp_sum_c, temp_n, load_sum_pct, load_n, power_sum_w, power_n, energy_wh)
                     VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT (gpu_uuid, hour_s) DO UPDATE SET
                         minutes = minutes + 1,
                         counter_minutes = counter_minutes + excluded.counter_minutes,
                         temp_min_c = coalesce(min(temp_min_c, excluded.temp_min_c), temp_min_c, excluded.temp_min_c),
                         temp_max_c = coalesce(max(temp_max_c, excluded.temp_max_c), temp_max_c, excluded.temp_max_c),
                         temp_sum_c = coalesce(temp_sum_c + excluded.temp_sum_c, temp_sum_c, excluded.temp_sum_c),
                         temp_n = temp_n + excluded.temp_n,
                         load_sum_pct = coalesce(load_sum_pct + excluded.load_sum_pct, load_sum_pct, excluded.load_sum_pct),
                         load_n = load_n + excluded.load_n,
                         power_sum_w = coalesce(power_sum_w + excluded.power_sum_w, power_sum_w, excluded.power_sum_w),
                         power_n = power_n + excluded.power_n,
                         energy_wh = energy_wh + excluded.energy_wh",
                )?
                .execute(params![
                    m.gpu_uuid,
                    minute_s.div_euclid(3600) * 3600,
                    i64::from(m.energy_source == crate::energy::EnergySource::Counter),
                    finite(m.temp_min_c),
                    finite(m.temp_max_c),
                    temp_avg,
                    i64::from(temp_avg.is_some()),
                    load,
                    i64::from(load.is_some()),
                    power,
                    i64::from(power.is_some()),
                    energy_wh
                ])?;
            }
        }
        Event::Earning(e) => {
            let (start, end) = (ms(e.period_start), ms(e.period_end));
            let (start, end) = (start.min(end), start.max(end));
            tx.prepare_cached(
                "INSERT INTO earnings (provider, source_id, amount, currency, period_start_ms,
                                       period_end_ms, gpu_uuid, booked_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (provider, source_id) DO UPDATE SET
                     amount = excluded.amount, currency = excluded.currency,
                     period_start_ms = excluded.period_start_ms, period_end_ms = excluded.period_end_ms,
                     gpu_uuid = excluded.gpu_uuid, booked_ms = excluded.booked_ms",
            )?
            .execute(params![
                e.provider,
                e.source_id,
                e.amount.amount.to_string(),
                e.amount.currency.code(),
                start,
                end,
                e.gpu_uuid,
                start + (end - start) / 2
            ])?;
        }
        Event::Credit(c) => {
            let (kind, value) = match c.credit {
                CreditValue::Total(v) => ("total", v),
                CreditValue::Delta(v) => ("delta", v),
            };
            let value = if value.is_finite() { value } else { 0.0 };
            tx.prepare_cached(
                "INSERT INTO credits (provider, project, at_ms, kind, value) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![c.provider, c.project, ms(c.at), kind, value])?;
        }
        Event::Decision(d) => {
            tx.prepare_cached(
                "INSERT INTO decisions (at_ms, gpu_uuid, from_mode, to_mode, reason_code, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                ms(d.at),
                d.gpu_uuid,
                d.from.map(|m| m.as_str()),
                d.to.as_str(),
                d.reason_code,
                d.reason
            ])?;
        }
    }
    Ok(())
}

fn close_open(tx: &rusqlite::Transaction<'_>, gpu_uuid: &str, at_ms: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE sessions SET end_ms = max(start_ms, ?2) WHERE gpu_uuid = ?1 AND end_ms IS NULL",
    )?
    .execute(params![gpu_uuid, at_ms])?;
    Ok(())
}
