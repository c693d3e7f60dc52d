//! Ledger benchmark: writes a synthetic year for 4 GPUs through the writer thread, applies
//! retention, then times the queries the UI and the export use against their targets.
//!
//! Run in release: `cargo run --release -p overtime-ledger --bin ledger-bench [DIR]`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_core::Mode;
use overtime_core::config::{ElectricityConfig, TariffPeriodConfig};
use overtime_core::money::{Currency, Money};
use overtime_core::tariff::Tariff;
use overtime_ledger::{
    CostModel, CreditRecord, CreditValue, DecisionRecord, EarningRecord, EnergySource, Event,
    FigureFilter, LedgerStore, LedgerWriter, MINUTE_RETENTION, MinuteRollup, OpenOptions,
    SessionStart, WriterConfig,
};

type BoxError = Box<dyn std::error::Error>;

/// Real NVML UUIDs are this long; their length matters for the file size.
const GPUS: [&str; 4] = [
    "GPU-5d8f3c2a-1b4e-4c6d-9a7f-0e1d2c3b4a50",
    "GPU-5d8f3c2a-1b4e-4c6d-9a7f-0e1d2c3b4a51",
    "GPU-5d8f3c2a-1b4e-4c6d-9a7f-0e1d2c3b4a52",
    "GPU-5d8f3c2a-1b4e-4c6d-9a7f-0e1d2c3b4a53",
];
const DAYS: i64 = 365;

fn main() -> Result<(), BoxError> {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("overtime-ledger-bench-{}", std::process::id()))
        });
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("ledger.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let now: Timestamp = "2025-12-31T00:00:00Z".parse()?;
    let start = now - SignedDuration::from_hours(24 * DAYS);
    let usd = Currency::new("USD")?;
    let eur = Currency::new("EUR")?;

    // Ingest through the writer, as the agent does.
    let (store, _) = LedgerStore::open(&path)?;
    let writer = LedgerWriter::spawn(store, WriterConfig::default())?;
    let mut sent: u64 = 0;
    let mut refused: u64 = 0;
    let mut latencies_ns: Vec<u32> = Vec::with_capacity(16 << 20);
    let mut send = |event: Event| {
        loop {
            let t0 = Instant::now();
            let result = writer.try_record(event.clone());
            latencies_ns.push(t0.elapsed().as_nanos().min(u128::from(u32::MAX)) as u32);
            match result {
                Ok(()) => break,
                Err(_) => {
                    refused += 1;
                    std::thread::yield_now();
                }
            }
        }
        sent += 1;
    };
    let ingest_started = Instant::now();
    let modes = [
        Mode::Rental,
        Mode::Volunteer,
        Mode::Idle,
        Mode::Volunteer,
        Mode::Rental,
        Mode::Idle,
    ];
    let mut minute = start;
    let mut step: i64 = 0;
    while minute < now {
        let minute_of_day = step % 1440;
        for (g, gpu) in GPUS.iter().enumerate() {
            // A new session every 4 hours, staggered per GPU.
            let slot = (step + 60 * g as i64) / 240;
            let mode = modes[(slot as usize) % modes.len()];
            if (step + 60 * g as i64) % 240 == 0 || step == 0 {
                send(Event::SessionStarted(SessionStart {
                    gpu_uuid: (*gpu).into(),
                    at: minute,
                    mode,
                    provider: match mode {
                        Mode::Rental => Some("vastai".into()),
                        Mode::Volunteer => Some("boinc".into()),
                        Mode::Idle => None,
                    },
                    reason_code: "schedule".into(),
                    reason: format!("{} — schedule window", mode.label()),
                    price_per_hour: (mode == Mode::Rental)
                        .then(|| Money::new("0.42".parse().unwrap_or_default(), usd.clone())),
                }));
            }
            let power_w = match mode {
                Mode::Idle => 25.0 + (step % 7) as f64,
                _ => 280.0 + (step % 40) as f64,
            };
            send(Event::Minute(MinuteRollup {
                gpu_uuid: (*gpu).into(),
                minute,
                temp_min_c: Some(50.0 + (step % 5) as f64),
                temp_avg_c: Some(60.0 + (step % 9) as f64),
                temp_max_c: Some(70.0 + (step % 11) as f64),
                load_avg_pct: Some(if mode == Mode::Idle { 1.0 } else { 98.0 }),
                power_avg_w: Some(power_w),
                energy_wh: power_w / 60.0,
                energy_source: EnergySource::Counter,
            }));
            if step % 5 == 0 {
                send(Event::Decision(DecisionRecord {
                    at: minute,
                    gpu_uuid: (*gpu).into(),
                    from: Some(mode),
                    to: mode,
                    reason_code: "schedule".into(),
                    reason: format!("{} — schedule window open until 18:00", mode.label()),
                }));
            }
            if minute_of_day == 0 && step > 0 {
                let day_start = minute - SignedDuration::from_hours(24);
                send(Event::Earning(EarningRecord {
                    provider: "vastai".into(),
                    source_id: format!("{gpu}-{}", day_start.as_second()),
                    amount: Money::new(
                        rust_decimal::Decimal::new(336 + (step % 97), 2),
                        usd.clone(),
                    ),
                    period_start: day_start,
                    period_end: minute,
                    gpu_uuid: Some((*gpu).into()),
                }));
            }
        }
        if minute_of_day == 0 {
            // The agent applies retention once a day; so does the simulation.
            while writer.request_retention(minute).is_err() {
                std::thread::yield_now();
            }
            for (p, project) in ["einstein", "milkyway"].iter().enumerate() {
                send(Event::Credit(CreditRecord {
                    provider: "boinc".into(),
                    project: (*project).into(),
                    at: minute,
                    credit: CreditValue::Total(1000.0 * (step / 1440) as f64 * (p + 1) as f64),
                }));
            }
        }
        minute += SignedDuration::from_mins(1);
        step += 1;
    }
    let queued_in = ingest_started.elapsed();
    writer.flush()?;
    let ingest = ingest_started.elapsed();
    let health = writer.health();
    let mut store = writer.shutdown()?;
    println!(
        "ingest: {sent} events through the writer in {:.2} s ({:.2} µs/event, {:.0} events/s)",
        ingest.as_secs_f64(),
        ingest.as_secs_f64() * 1e6 / sent as f64,
        sent as f64 / ingest.as_secs_f64()
    );
    latencies_ns.sort_unstable();
    let pct = |q: f64| {
        Duration::from_nanos(u64::from(
            latencies_ns[((latencies_ns.len() - 1) as f64 * q) as usize],
        ))
    };
    println!(
        "  producer done after {:.2} s; try_record refused {refused} times (queue full, retried)",
        queued_in.as_secs_f64()
    );
    println!(
        "  try_record latency over {} calls while the writer was busy: p50 {:?}, p99 {:?}, p99.9 {:?}, p99.99 {:?}, max {:?}",
        latencies_ns.len(),
        pct(0.5),
        pct(0.99),
        pct(0.999),
        pct(0.9999),
        pct(1.0)
    );
    println!(
        "  writer health: written {}, dropped {} (retries counted), rejected {}, recording {}",
        health.written, health.dropped, health.rejected, health.recording
    );

    let t0 = Instant::now();
    let deleted = store.apply_retention(now, MINUTE_RETENTION)?;
    println!(
        "retention: {deleted} minute rows older than 90 days rolled up and deleted in {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    store.query_i64("PRAGMA wal_checkpoint(TRUNCATE)")?;
    let size = |p: &PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let free_pages = store.query_i64("PRAGMA freelist_count")?;
    let page_size = store.query_i64("PRAGMA page_size")?;
    println!(
        "database size: {:.1} MB (of which {:.1} MB free pages left by retention; target ≤ 200 MB)",
        size(&path) as f64 / 1e6,
        (free_pages * page_size) as f64 / 1e6
    );
    for table in [
        "telemetry_minute",
        "telemetry_hour",
        "sessions",
        "decisions",
        "earnings",
        "credits",
    ] {
        println!(
            "  {table}: {} rows",
            store.query_i64(&format!("SELECT count(*) FROM {table}"))?
        );
    }
    drop(store);

    let t0 = Instant::now();
    let (store, _) = LedgerStore::open_with(&path, &OpenOptions::default())?;
    println!(
        "open with quick_check: {:.1} ms",
        t0.elapsed().as_secs_f64() * 1e3
    );
    drop(store);
    let reader = LedgerStore::open_reader(&path)?;

    let berlin = TimeZone::get("Europe/Berlin")?;
    let tariff = Tariff::from_config(&ElectricityConfig {
        price_per_kwh: "0.30".parse()?,
        currency: eur,
        periods: vec![
            TariffPeriodConfig {
                name: Some("night".into()),
                days: vec!["daily".into()],
                start_hour: 0,
                end_hour: 6,
                price_per_kwh: "0.18".parse()?,
            },
            TariffPeriodConfig {
                name: Some("peak".into()),
                days: vec!["mon-fri".into()],
                start_hour: 17,
                end_hour: 21,
                price_per_kwh: "0.42".parse()?,
            },
        ],
        carbon_g_per_kwh: Some(380.0),
        ..ElectricityConfig::default()
    });
    let model = CostModel {
        tariff,
        tz: berlin.clone(),
        rest_of_pc_w: 80.0,
    };
    let all = FigureFilter::default();

    let (summary, f) = time_it(20, || {
        reader.figures(
            now - SignedDuration::from_hours(24 * 30),
            now,
            &all,
            &model,
            now,
        )
    })?;
    println!(
        "30-day summary: {} (target ≤ 20 ms) — gross {}, estimated {}, electricity {}, net {}, {:.1} kWh",
        summary, f.gross, f.estimated, f.electricity_cost, f.net, f.energy_kwh
    );
    let rental = FigureFilter {
        mode: Some(Mode::Rental),
        ..FigureFilter::default()
    };
    let (summary, _) = time_it(5, || {
        reader.figures(
            now - SignedDuration::from_hours(24 * 30),
            now,
            &rental,
            &model,
            now,
        )
    })?;
    println!("30-day summary, rental mode only: {summary}");
    let first_day = (now - SignedDuration::from_hours(24 * DAYS))
        .to_zoned_datetime(berlin.clone())
        .date();
    let last_day = (now - SignedDuration::from_hours(1))
        .to_zoned_datetime(berlin)
        .date();
    let (series, days) = time_it(5, || {
        reader.daily_series(first_day, last_day, &all, &model, now)
    })?;
    println!(
        "daily series of a year ({} days): {} (target ≤ 50 ms)",
        days.len(),
        series
    );
    let month_ago = now - SignedDuration::from_hours(24 * 30);
    let (series, days) = time_it(5, || {
        reader.daily_series_between(month_ago, now, &all, &model, now)
    })?;
    println!(
        "history view, 30-day series cut to the range ({} days): {} (target ≤ 20 ms)",
        days.len(),
        series
    );
    let (page, p) = time_it(20, || {
        reader.sessions_page(month_ago, now, &all, 50, &model, now)
    })?;
    println!(
        "history view, newest 50 of 30 days' sessions with energy and cost: {page} (target ≤ 20 ms; more: {})",
        p.more
    );
    let one_gpu_rental = FigureFilter {
        gpu_uuid: Some(GPUS[2].into()),
        mode: Some(Mode::Rental),
        ..FigureFilter::default()
    };
    let (page, p) = time_it(20, || {
        reader.sessions_page(start, now, &one_gpu_rental, 50, &model, now)
    })?;
    println!(
        "history view, newest 50 rental sessions of one GPU over the year: {page} ({} listed)",
        p.sessions.len()
    );
    let day_ago = now - SignedDuration::from_hours(24);
    let (page, p) = time_it(20, || {
        reader.sessions_page(day_ago, now, &all, 50, &model, now)
    })?;
    println!(
        "history view, the last day's sessions (few rows, the whole index scanned): {page} ({} listed)",
        p.sessions.len()
    );
    let (dims, d) = time_it(20, || reader.dimensions())?;
    println!(
        "history view, GPUs and providers for the filters: {dims} ({} GPUs, {} providers)",
        d.gpus.len(),
        d.providers.len()
    );
    let (export, bytes) = time_it(3, || {
        let mut out = Vec::with_capacity(8 << 20);
        reader
            .export_csv(start, now, &model, now, &mut out)
            .map(|s| (s, out.len()))
    })?;
    println!(
        "CSV export of a year ({} sessions, {} earnings, {:.1} MB): {} (target ≤ 2 s)",
        bytes.0.sessions,
        bytes.0.earnings,
        bytes.1 as f64 / 1e6,
        export
    );
    let (cph, c) = time_it(20, || {
        reader.cost_per_hour(GPUS[0], SignedDuration::from_mins(15), now, &model)
    })?;
    if let Some(c) = c {
        println!(
            "cost_per_hour(first GPU, 15 min): {cph} — {} at {:.0} W + {:.0} W",
            c.cost_per_hour, c.gpu_power_w, c.rest_of_pc_w
        );
    }
    println!("database kept at {}", path.display());
    Ok(())
}

/// Runs `f` `runs` times; returns "median X ms, max Y ms" and the last result.
fn time_it<T, E: Into<BoxError>>(
    runs: usize,
    mut f: impl FnMut() -> Result<T, E>,
) -> Result<(String, T), BoxError> {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t0 = Instant::now();
        last = Some(f().map_err(Into::into)?);
        times.push(t0.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    let last = last.ok_or("no run")?;
    Ok((
        format!(
            "median {:.2} ms, max {:.2} ms over {} runs",
            ms(median),
            ms(max),
            times.len()
        ),
        last,
    ))
}
