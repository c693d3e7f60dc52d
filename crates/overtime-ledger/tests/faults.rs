//! Files and disks that misbehave: an old schema is upgraded in place, a corrupt or foreign
//! file is moved aside (never deleted), a newer file is refused, and a full disk pauses
//! recording without blocking or losing queued events, and a flush never waits on a writer that
//! has stopped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use jiff::SignedDuration;
use overtime_core::Mode;
use overtime_ledger::*;
use rusqlite::Connection;
use support::{TempDir, flat_model, money, t};

/// The version-1 layout exactly as the first release wrote it.
const V1_SCHEMA: &str = "
CREATE TABLE sessions (id INTEGER PRIMARY KEY, gpu_uuid TEXT NOT NULL, start_ms INTEGER NOT NULL,
    end_ms INTEGER, mode TEXT NOT NULL, provider TEXT, reason_code TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX sessions_gpu_start ON sessions(gpu_uuid, start_ms);
CREATE TABLE telemetry_minute (gpu_uuid TEXT NOT NULL, minute_s INTEGER NOT NULL, temp_min_c REAL,
    temp_avg_c REAL, temp_max_c REAL, load_avg_pct REAL, power_avg_w REAL, energy_wh REAL NOT NULL,
    PRIMARY KEY (gpu_uuid, minute_s)) WITHOUT ROWID;
CREATE TABLE earnings (id INTEGER PRIMARY KEY, provider TEXT NOT NULL, source_id TEXT NOT NULL,
    amount TEXT NOT NULL, currency TEXT NOT NULL, period_start_ms INTEGER NOT NULL,
    period_end_ms INTEGER NOT NULL, gpu_uuid TEXT, UNIQUE (provider, source_id));
CREATE TABLE credits (id INTEGER PRIMARY KEY, provider TEXT NOT NULL, project TEXT NOT NULL,
    at_ms INTEGER NOT NULL, kind TEXT NOT NULL, value REAL NOT NULL);
CREATE TABLE decisions (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, gpu_uuid TEXT NOT NULL,
    from_mode TEXT, to_mode TEXT NOT NULL, reason_code TEXT NOT NULL, reason TEXT NOT NULL);
PRAGMA application_id = 1333154925;
PRAGMA user_version = 1;
";

#[test]
fn a_version_1_file_is_upgraded_in_place_and_keeps_its_data() {
    let dir = TempDir::new("migrate");
    let path = dir.path().join("ledger.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(V1_SCHEMA).unwrap();
        // 2025-06-01 10:00–10:02 UTC, 600 W, and a statement for that day.
        conn.execute_batch(
            "INSERT INTO telemetry_minute VALUES ('GPU-A', 1748772000, 50, 55, 60, 90, 600, 10.0);
             INSERT INTO telemetry_minute VALUES ('GPU-A', 1748772060, 50, 55, 60, 90, 600, 10.0);
             INSERT INTO sessions VALUES (1, 'GPU-A', 1748772000000, 1748772120000, 'rental', 'vastai', 'rented', 'Rental');
             INSERT INTO earnings VALUES (1, 'vastai', 'inv-1', '1.25', 'USD', 1748736000000, 1748822400000, 'GPU-A');",
        )
        .unwrap();
    }
    let (mut store, report) = LedgerStore::open(&path).unwrap();
    assert_eq!(report.migrated_from, Some(1));
    assert_eq!(report.moved_aside, None);
    assert_eq!(
        store.query_i64("PRAGMA user_version").unwrap(),
        i64::from(LATEST_VERSION)
    );
    // The hourly roll-up was built from the old minutes, and old earnings got a booking time.
    assert_eq!(
        store
            .query_i64("SELECT minutes FROM telemetry_hour")
            .unwrap(),
        2
    );
    let model = flat_model("0.30", "EUR", 0.0);
    let f = store
        .figures(
            t("2025-06-01T00:00Z"),
            t("2025-06-02T00:00Z"),
            &FigureFilter::default(),
            &model,
            t("2025-06-02T00:00Z"),
        )
        .unwrap();
    assert!((f.gpu_energy_kwh - 0.02).abs() < 1e-9);
    assert_eq!(
        f.gross.iter().collect::<Vec<_>>(),
        vec![money("1.25", "USD")]
    );
    assert_eq!(f.mode_hours.get(&Mode::Rental).copied(), Some(2.0 / 60.0));
    // New columns work on the upgraded file.
    store
        .apply(&[Event::Minute(MinuteRollup {
            gpu_uuid: "GPU-A".into(),
            minute: t("2025-06-01T10:02Z"),
            temp_min_c: None,
            temp_avg_c: None,
            temp_max_c: None,
            load_avg_pct: None,
            power_avg_w: Some(600.0),
            energy_wh: 10.0,
            energy_source: EnergySource::Counter,
        })])
        .unwrap();
    assert_eq!(
        store
            .query_i64("SELECT counter_minutes FROM telemetry_hour")
            .unwrap(),
        1
    );
    drop(store);
    // Opening again does not migrate again.
    let (_, report) = LedgerStore::open(&path).unwrap();
    assert_eq!(report.migrated_from, None);
}

fn only_file_named_like(dir: &std::path::Path, prefix: &str) -> std::path::PathBuf {
    let found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with(prefix) && !name.ends_with("-wal") && !name.ends_with("-shm")
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

#[test]
fn a_corrupt_file_is_moved_aside_and_a_new_ledger_started() {
    let dir = TempDir::new("corrupt");
    let path = dir.path().join("ledger.sqlite");
    let garbage = b"this is not a database, it is a shopping list: eggs, milk\n".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    let (mut store, report) = LedgerStore::open(&path).unwrap();
    let aside = report
        .moved_aside
        .expect("the corrupt file should be moved aside");
    assert!(
        aside.reason.contains("not a readable SQLite database"),
        "{}",
        aside.reason
    );
    assert_eq!(
        std::fs::read(&aside.path).unwrap(),
        garbage,
        "the old file is kept untouched"
    );
    assert!(
        aside
            .path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("ledger.sqlite.corrupt-")
    );
    assert_eq!(
        only_file_named_like(dir.path(), "ledger.sqlite.corrupt-"),
        aside.path
    );
    // The new ledger works.
    store
        .apply(&[Event::SessionEnded {
            gpu_uuid: "GPU-A".into(),
            at: t("2025-06-01T00:00Z"),
        }])
        .unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_damaged_page_is_noticed_on_open_and_the_file_moved_aside() {
    let dir = TempDir::new("damaged");
    let path = dir.path().join("ledger.sqlite");
    {
        let (mut store, _) = LedgerStore::open(&path).unwrap();
        let mut events = Vec::new();
        for i in 0..3000 {
            events.push(Event::Decision(DecisionRecord {
                at: t("2025-06-01T00:00Z") + SignedDuration::from_secs(i),
                gpu_uuid: "GPU-A".into(),
                from: Some(Mode::Idle),
                to: Mode::Volunteer,
                reason_code: "schedule".into(),
                reason: "Volunteer — schedule window open until 18:00".into(),
            }));
        }
        store.apply(&events).unwrap();
        // Fold the WAL into the main file so the damage below hits real data.
        store.query_i64("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    assert!(len > 16 * 4096);
    // Scribble over pages in the middle of the file, leaving the header intact.
    for b in &mut bytes[len / 2..len / 2 + 3 * 4096] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let (store, report) = LedgerStore::open(&path).unwrap();
    let aside = report
        .moved_aside
        .expect("a damaged file should be moved aside");
    assert!(aside.path.exists());
    assert_eq!(
        store.query_i64("SELECT count(*) FROM decisions").unwrap(),
        0
    );
}

#[test]
fn another_programs_database_is_moved_aside_not_reused() {
    let dir = TempDir::new("foreign");
    let path = dir.path().join("ledger.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread');",
        )
        .unwrap();
    }
    let (_store, report) = LedgerStore::open(&path).unwrap();
    let aside = report.moved_aside.unwrap();
    assert!(
        aside.reason.contains("not an Overtime ledger"),
        "{}",
        aside.reason
    );
    let old = Connection::open(&aside.path).unwrap();
    let name: String = old
        .query_row("SELECT name FROM recipes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "bread");
}

#[test]
fn a_ledger_from_a_newer_overtime_is_refused_and_left_alone() {
    let dir = TempDir::new("newer");
    let path = dir.path().join("ledger.sqlite");
    drop(LedgerStore::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
    }
    let err = LedgerStore::open(&path)
        .err()
        .expect("a newer schema must be refused");
    assert!(matches!(err, LedgerError::NewerSchema { found, .. } if found == LATEST_VERSION + 1));
    assert!(err.to_string().contains("update Overtime"), "{err}");
    assert!(path.exists());
}

fn decision(i: i64) -> Event {
    Event::Decision(DecisionRecord {
        at: t("2025-06-01T00:00Z") + SignedDuration::from_secs(i),
        gpu_uuid: "GPU-A".into(),
        from: Some(Mode::Idle),
        to: Mode::Rental,
        reason_code: "listed".into(),
        // Long sentences fill pages quickly.
        reason: format!(
            "Rental — listed until 18:00 at 0.40 USD/h, decision number {i} {}",
            "x".repeat(400)
        ),
    })
}

/// Polls `done` until it holds; fails after 10 s. What these tests wait for is the writer acting
/// on its own wall-clock timers (its flush interval, its retry wait), which is the behaviour under
/// test, so there is no message to await: a flush from the test would do the writer's job for it.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_full_disk_pauses_recording_and_recording_resumes_when_space_returns() {
    let dir = TempDir::new("diskfull");
    let path = dir.path().join("ledger.sqlite");
    let (store, _) = LedgerStore::open(&path).unwrap();
    let pages = store.query_i64("PRAGMA page_count").unwrap() as u64;
    let writer = LedgerWriter::spawn(
        store,
        WriterConfig {
            flush_interval: Duration::from_millis(20),
            retry_interval: Duration::from_millis(50),
            ..WriterConfig::default()
        },
    )
    .unwrap();
    writer.inject_page_limit_for_tests(Some(pages + 2)).unwrap();
    for i in 0..200 {
        writer.try_record(decision(i)).unwrap();
    }
    wait_for("recording to stop", || !writer.health().recording);
    let health = writer.health();
    assert!(
        health.last_error.as_deref().unwrap().contains("full"),
        "{health:?}"
    );
    assert_eq!(health.pending, 200);
    // Still accepting (and not blocking) while writes fail.
    let started = Instant::now();
    for i in 200..300 {
        writer.try_record(decision(i)).unwrap();
    }
    assert!(started.elapsed() < Duration::from_millis(200));
    assert!(
        writer.flush().is_err(),
        "a flush while the disk is full reports the error"
    );

    // Space comes back: the writer notices on its next try and writes everything it kept.
    writer.inject_page_limit_for_tests(None).unwrap();
    wait_for("recording to resume", || {
        let h = writer.health();
        h.recording && h.pending == 0
    });
    writer.flush().unwrap();
    let health = writer.health();
    assert_eq!(
        (health.written, health.dropped, health.rejected),
        (300, 0, 0)
    );
    assert!(health.last_error.is_some(), "the past error stays visible");
    let store = writer.shutdown().unwrap();
    assert_eq!(
        store.query_i64("SELECT count(*) FROM decisions").unwrap(),
        300
    );
}

#[test]
fn try_record_never_blocks_and_counts_what_a_full_queue_drops() {
    let store = LedgerStore::open_in_memory().unwrap();
    let writer = LedgerWriter::spawn(
        store,
        WriterConfig {
            queue_capacity: 8,
            batch_max: 4,
            flush_interval: Duration::from_secs(60),
            retry_interval: Duration::from_secs(60),
            pending_max: 4,
        },
    )
    .unwrap();
    // Make every write fail so nothing drains beyond the small in-memory buffer.
    writer.inject_page_limit_for_tests(Some(1)).unwrap();
    let mut refused = 0;
    let started = Instant::now();
    for i in 0..10_000 {
        if writer.try_record(decision(i)).is_err() {
            refused += 1;
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "try_record blocked: {:?}",
        started.elapsed()
    );
    assert!(refused > 0, "the queue of 8 never filled");
    assert!(writer.health().dropped >= refused);
}

#[test]
fn a_flusher_waits_for_what_was_queued_and_says_when_the_writer_is_gone() {
    let store = LedgerStore::open_in_memory().unwrap();
    // The writer's own flush would come only after an hour: what is written is the flusher's.
    let writer = LedgerWriter::spawn(
        store,
        WriterConfig {
            flush_interval: Duration::from_secs(3600),
            ..WriterConfig::default()
        },
    )
    .unwrap();
    for i in 0..10 {
        writer.try_record(decision(i)).unwrap();
    }
    assert_eq!(writer.health().written, 0, "nothing due yet");
    let flusher = writer.flusher();
    std::thread::spawn(move || flusher.flush())
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(writer.health().written, 10);

    let flusher = writer.flusher();
    let store = writer.shutdown().unwrap();
    assert_eq!(
        store.query_i64("SELECT count(*) FROM decisions").unwrap(),
        10
    );
    assert!(
        matches!(flusher.flush(), Err(LedgerError::WriterStopped)),
        "a flush after the writer stopped fails at once instead of waiting forever"
    );
}
