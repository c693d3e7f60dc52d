//! Test helper for the SIGKILL test: opens the ledger given as the only argument and writes
//! sessions, telemetry minutes and decisions in small transactions until it is killed.

use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};
use overtime_core::Mode;
use overtime_ledger::{
    DecisionRecord, EnergySource, Event, LedgerStore, MinuteRollup, OpenOptions, SessionStart,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path: PathBuf = std::env::args_os()
        .nth(1)
        .ok_or("usage: ledger-crash-child PATH")?
        .into();
    let options = OpenOptions {
        check_integrity: false,
        ..OpenOptions::default()
    };
    let (mut store, _) = LedgerStore::open_with(&path, &options)?;
    // Each run continues after the previous one's data, a minute per step.
    let last_minute_s =
        store.query_i64("SELECT coalesce(max(minute_s), 0) FROM telemetry_minute")?;
    let mut at = Timestamp::from_second(last_minute_s + 60)?.max(Timestamp::UNIX_EPOCH);
    let modes = [Mode::Rental, Mode::Volunteer, Mode::Idle];
    for step in 0u64.. {
        let mut batch = Vec::new();
        for gpu in ["GPU-0", "GPU-1"] {
            let mode = modes[(step as usize / 3) % modes.len()];
            if step % 3 == 0 {
                batch.push(Event::SessionStarted(SessionStart {
                    gpu_uuid: gpu.into(),
                    at,
                    mode,
                    provider: Some("demo".into()),
                    reason_code: "schedule".into(),
                    reason: format!("{} — crash test step {step}", mode.label()),
                    price_per_hour: None,
                }));
            }
            batch.push(Event::Minute(MinuteRollup {
                gpu_uuid: gpu.into(),
                minute: at,
                temp_min_c: Some(50.0),
                temp_avg_c: Some(55.0),
                temp_max_c: Some(60.0),
                load_avg_pct: Some(90.0),
                power_avg_w: Some(250.0),
                energy_wh: 250.0 / 60.0,
                energy_source: EnergySource::Integrated,
            }));
            batch.push(Event::Decision(DecisionRecord {
                at,
                gpu_uuid: gpu.into(),
                from: None,
                to: mode,
                reason_code: "schedule".into(),
                reason: "crash test".into(),
            }));
        }
        store.apply(&batch)?;
        at += SignedDuration::from_mins(1);
        // A short pause keeps the file small over 200 runs while kills still land mid-write
        // (each batch is a transaction of a few inserts and updates).
        std::thread::sleep(std::time::Duration::from_micros(500));
    }
    Ok(())
}
