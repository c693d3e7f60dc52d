//! Measures what game detection costs on this machine: one incremental watcher poll (after
//! warm-up) against a full `sysinfo` process refresh, the approach the watcher avoids.
//! Run: `cargo run --release -p overtime-agent --example process_scan_cost [polls]`.

use std::error::Error;
use std::time::{Duration, Instant};

use overtime_agent::activity::games::GameWatcher;
use overtime_agent::activity::process_list::{self, ProcessSource};
use overtime_core::config::ActivityConfig;
use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System};

/// Enough polls for every process to pass its young-process rechecks before timing starts.
const WARM_UP_POLLS: usize = 40;

fn average(polls: usize, mut one: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..polls {
        one();
    }
    start.elapsed() / u32::try_from(polls).unwrap_or(u32::MAX)
}

fn main() -> Result<(), Box<dyn Error>> {
    let polls: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 200,
    };
    let config = ActivityConfig {
        games: vec![
            "eldenring.exe".into(),
            "*.x86_64".into(),
            "steam_app_*".into(),
        ],
        ..ActivityConfig::default()
    };

    let mut watcher = GameWatcher::new(process_list::native_source()?, &config)?;
    for _ in 0..WARM_UP_POLLS {
        watcher.poll(&[]);
    }
    let processes = watcher.known_process_count();
    let poll = average(polls, || {
        watcher.poll(&[]);
    });

    let mut source = process_list::native_source()?;
    let mut pids = Vec::new();
    let listing = average(polls, || {
        let _ = source.pids(&mut pids);
    });

    let mut system = System::new()?;
    system.refresh_processes(ProcessesToUpdate::All, true);
    let full = average(polls, || {
        system.refresh_processes(ProcessesToUpdate::All, true);
    });
    let names_only = average(polls, || {
        system.refresh_processes_specifics(
            ProcessesToUpdate::All,
            true,
            ProcessRefreshKind::nothing().without_tasks(),
        );
    });

    let poll_ms = config.poll_ms as f64;
    let share = |d: Duration| d.as_secs_f64() * 1e3 / poll_ms * 100.0;
    println!(
        "{processes} processes, {polls} timed polls each (after {WARM_UP_POLLS} warm-up polls)"
    );
    println!(
        "incremental watcher poll:        {:>9.1} µs  ({:.4} % of a core at {poll_ms} ms polls)",
        poll.as_secs_f64() * 1e6,
        share(poll)
    );
    println!(
        "  of which PID listing:          {:>9.1} µs",
        listing.as_secs_f64() * 1e6
    );
    println!(
        "sysinfo full process refresh:    {:>9.1} µs  ({:.4} % of a core at {poll_ms} ms polls)",
        full.as_secs_f64() * 1e6,
        share(full)
    );
    println!(
        "sysinfo refresh, names only:     {:>9.1} µs  ({:.4} % of a core at {poll_ms} ms polls)",
        names_only.as_secs_f64() * 1e6,
        share(names_only)
    );
    Ok(())
}
