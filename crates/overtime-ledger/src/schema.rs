//! The ledger's SQLite schema and the migrations that bring an older file up to date in place.
//!
//! `PRAGMA user_version` holds the schema version; each migration runs in its own transaction
//! and bumps it, so an interrupted upgrade resumes where it stopped.

use rusqlite::Connection;

/// Marks a SQLite file as an Overtime ledger ("OvTm"), so a foreign database is never mistaken
/// for ours.
pub const APPLICATION_ID: i64 = 0x4F76_546D;

/// The schema version this build writes.
pub const LATEST_VERSION: u32 = 2;

/// Version 1: the first released layout. Kept verbatim: files in the wild were made by it.
const V1: &str = "
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    gpu_uuid TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER,
    mode TEXT NOT NULL,
    provider TEXT,
    reason_code TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX sessions_gpu_start ON sessions(gpu_uuid, start_ms);
CREATE TABLE telemetry_minute (
    gpu_uuid TEXT NOT NULL,
    minute_s INTEGER NOT NULL,
    temp_min_c REAL,
    temp_avg_c REAL,
    temp_max_c REAL,
    load_avg_pct REAL,
    power_avg_w REAL,
    energy_wh REAL NOT NULL,
    PRIMARY KEY (gpu_uuid, minute_s)
) WITHOUT ROWID;
CREATE TABLE earnings (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    source_id TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    period_start_ms INTEGER NOT NULL,
    period_end_ms INTEGER NOT NULL,
    gpu_uuid TEXT,
    UNIQUE (provider, source_id)
);
CREATE TABLE credits (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    project TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value REAL NOT NULL
);
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    gpu_uuid TEXT NOT NULL,
    from_mode TEXT,
    to_mode TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    reason TEXT NOT NULL
);
";

/// Version 2: energy source per minute, contract prices on sessions (live estimates), the
/// hourly roll-up kept for all time (built here from existing minutes), the booking time of
/// earnings, and the indexes the figures and the export need.
const V2: &str = "
ALTER TABLE telemetry_minute ADD COLUMN energy_source TEXT NOT NULL DEFAULT 'integrated';
ALTER TABLE sessions ADD COLUMN price_per_hour TEXT;
ALTER TABLE sessions ADD COLUMN price_currency TEXT;
ALTER TABLE earnings ADD COLUMN booked_ms INTEGER;
UPDATE earnings SET booked_ms = (period_start_ms + period_end_ms) / 2;
CREATE TABLE telemetry_hour (
    gpu_uuid TEXT NOT NULL,
    hour_s INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    counter_minutes INTEGER NOT NULL,
    temp_min_c REAL,
    temp_max_c REAL,
    temp_sum_c REAL,
    temp_n INTEGER NOT NULL,
    load_sum_pct REAL,
    load_n INTEGER NOT NULL,
    power_sum_w REAL,
    power_n INTEGER NOT NULL,
    energy_wh REAL NOT NULL,
    PRIMARY KEY (gpu_uuid, hour_s)
) WITHOUT ROWID;
INSERT INTO telemetry_hour
    SELECT gpu_uuid, (minute_s / 3600) * 3600, count(*),
           sum(energy_source = 'counter'),
           min(temp_min_c), max(temp_max_c), sum(temp_avg_c), count(temp_avg_c),
           sum(load_avg_pct), count(load_avg_pct), sum(power_avg_w), count(power_avg_w),
           sum(energy_wh)
    FROM telemetry_minute GROUP BY gpu_uuid, minute_s / 3600;
CREATE INDEX telemetry_hour_hour ON telemetry_hour(hour_s);
CREATE INDEX telemetry_minute_minute ON telemetry_minute(minute_s);
CREATE INDEX sessions_start ON sessions(start_ms);
CREATE INDEX sessions_open ON sessions(gpu_uuid) WHERE end_ms IS NULL;
CREATE INDEX earnings_booked ON earnings(booked_ms);
CREATE INDEX earnings_provider_end ON earnings(provider, period_end_ms);
CREATE INDEX credits_project_at ON credits(provider, project, at_ms);
CREATE INDEX decisions_gpu_at ON decisions(gpu_uuid, at_ms);
";

/// Migration `i` upgrades version `i` to `i + 1`.
const MIGRATIONS: [&str; LATEST_VERSION as usize] = [V1, V2];

/// Reads `PRAGMA user_version`.
pub fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Upgrades the schema from `from` to [`LATEST_VERSION`], one transaction per step.
/// `from` must not exceed the latest version (the caller checks and refuses newer files).
pub fn migrate(conn: &mut Connection, from: u32) -> rusqlite::Result<()> {
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", step as u32 + 1)?;
        if step == 0 {
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        tx.commit()?;
        tracing::info!(version = step + 1, "ledger schema upgraded");
    }
    Ok(())
}
