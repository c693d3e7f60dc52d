//! Agent overhead: a release `overtime daemon` in demo mode (simulated GPU, 1 Hz ticks, game
//! watcher on with patterns, loopback API on) is left alone for 60 s; prints its average CPU use
//! as a share of one core and its memory. Targets: ≤ 0.1 % of one core, ≤ 20 MB RSS.
//!
//! With `OVERTIME_BENCH_WINE_DAEMON` set to a Windows `overtime.exe`, the daemon runs under
//! Wine instead and the wineserver's CPU time is reported beside it (Windows calls such as
//! process snapshots are served there). Those figures have no target: they are kept to compare
//! with real Windows later.

use std::time::{Duration, Instant};

use overtime_bench::{cpu_ticks, memory_kb, scratch_dir, start_daemon, ticks_per_second};

const CONFIG: &str = r#"
[general]
tick_ms = 1000
[activity]
games = ["eldenring.exe", "steam_app_*", "*.x86_64", "overtime-bench-game"]
poll_ms = 250
[api]
port = 47691
"#;

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = scratch_dir("overhead")?;
    let daemon = start_daemon(&dir, CONFIG)?;
    let pid = daemon.child.id();
    let wine = std::env::var_os("OVERTIME_BENCH_WINE_DAEMON").is_some();
    // Let start-up (config, first reports, API bind) finish before measuring the steady state.
    std::thread::sleep(Duration::from_secs(5));
    let hz = ticks_per_second();
    let pid_before = last_pid();
    let wineserver = if wine { wineserver_pid() } else { None };
    let w0 = wineserver.and_then(|w| cpu_ticks(w).ok());
    let t0 = cpu_ticks(pid)?;
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let t1 = cpu_ticks(pid)?;
    let w1 = wineserver.and_then(|w| cpu_ticks(w).ok());
    let started = last_pid().zip(pid_before).map(|(a, b)| a.saturating_sub(b));
    let wall = start.elapsed().as_secs_f64();
    let cpu_s = (t1 - t0) as f64 / hz as f64;
    let rss_kb = memory_kb(pid, "status", "VmRSS")?;
    let hwm_kb = memory_kb(pid, "status", "VmHWM")?;
    let pss_kb = memory_kb(pid, "smaps_rollup", "Pss").unwrap_or(0);
    let cpu_pct = cpu_s / wall * 100.0;
    let build = if wine {
        "release for Windows, under Wine"
    } else {
        "release"
    };
    println!(
        "agent overhead over {wall:.1} s ({build}, demo mode, 1 Hz ticks, game watcher at 4 Hz, API on)"
    );
    println!(
        "  CPU: {cpu_s:.3} s of CPU time = {cpu_pct:.4} % of one core   (target ≤ 0.1 %)  [tick resolution {} ms]",
        1000 / hz
    );
    println!(
        "  memory: RSS {:.1} MB, peak RSS {:.1} MB, PSS {:.1} MB   (target ≤ 20 MB RSS)",
        rss_kb as f64 / 1024.0,
        hwm_kb as f64 / 1024.0,
        pss_kb as f64 / 1024.0
    );
    if let (Some(a), Some(b)) = (w0, w1) {
        let ws = (b - a) as f64 / hz as f64;
        println!(
            "  wineserver meanwhile: {ws:.3} s of CPU time = {:.4} % of one core",
            ws / wall * 100.0
        );
    }
    match started {
        // The game watcher lists processes only when new ones appear: say how busy the box was.
        Some(n) => println!(
            "  processes started on this machine meanwhile: {n} ({:.1}/s)",
            n as f64 / wall
        ),
        None => println!("  processes started meanwhile: unknown"),
    }
    let ok = cpu_pct <= 0.1 && rss_kb as f64 / 1024.0 <= 20.0;
    if wine {
        println!("  (no target under Wine)");
    } else {
        println!("  {}", if ok { "PASS" } else { "FAIL" });
    }
    let ok = ok || wine;
    drop(daemon);
    let _ = std::fs::remove_dir_all(&dir);
    if ok { Ok(()) } else { std::process::exit(1) }
}

/// The last PID the kernel handed out (Linux `/proc/loadavg`).
fn last_pid() -> Option<u64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .nth(4)?
        .parse()
        .ok()
}

/// The wineserver's PID: the one process named so on this machine.
fn wineserver_pid() -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let comm = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            comm.trim().starts_with("wineserver").then_some(pid)
        })
}
