//! Shared pieces of the process-level benchmarks: starting a release `overtime daemon` in demo
//! mode in a throw-away directory, and reading a process's CPU time and memory from `/proc`.
//!
//! The numbers the issues name are measured on Linux. `game-reaction` also builds for Windows
//! and runs under Wine (`scripts/bench-windows`); `agent-overhead` measures a Windows daemon
//! from the Linux side when `OVERTIME_BENCH_WINE_DAEMON` names its `overtime.exe`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A daemon started for a benchmark; killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub dir: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // A clean stop where the platform lets another process ask for one; on Windows the
        // benchmark's daemon is simply ended.
        #[cfg(unix)]
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release binary, built beforehand by the bench script.
pub fn overtime_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot find this benchmark's own path")?;
    let dir = exe.parent().context("benchmark binary has no directory")?;
    let candidate = dir.join(format!("overtime{}", std::env::consts::EXE_SUFFIX));
    if candidate.exists() {
        Ok(candidate)
    } else {
        bail!(
            "{} not found: build it first with `cargo build --release -p overtime-cli`",
            candidate.display()
        )
    }
}

/// A fresh directory under the system temp dir.
pub fn scratch_dir(name: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("overtime-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Start `overtime daemon --demo` with `config` (TOML text) in `dir`.
pub fn start_daemon(dir: &Path, config: &str) -> anyhow::Result<Daemon> {
    let config_path = dir.join("config.toml");
    std::fs::write(&config_path, config)?;
    let log = std::fs::File::create(dir.join("daemon.log"))?;
    let mut command = match std::env::var_os("OVERTIME_BENCH_WINE_DAEMON") {
        // `wine` execs into the Windows process, so the child's PID is the daemon's.
        Some(exe) => {
            let mut c = Command::new("wine");
            c.arg(exe);
            c
        }
        None => Command::new(overtime_binary()?),
    };
    let child = command
        .args(["daemon", "--demo", "--log", "warn"])
        .env("OVERTIME_CONFIG", &config_path)
        .env("OVERTIME_DATA_DIR", dir.join("data"))
        .env("OVERTIME_STATE_DIR", dir.join("state"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .context("cannot start the daemon")?;
    Ok(Daemon {
        child,
        dir: dir.to_owned(),
    })
}

/// CPU time (user + system) of a process, in clock ticks, from `/proc/PID/stat`.
pub fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name, which may itself contain spaces, start after the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("unexpected /proc stat format")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11).context("no utime")?.parse()?;
    let stime: u64 = fields.get(12).context("no stime")?.parse()?;
    Ok(utime + stime)
}

/// Clock ticks per second (`getconf CLK_TCK`), 100 on every Linux we know of.
pub fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// A value in kB from `/proc/PID/status` (`VmRSS`, `VmHWM`) or `/proc/PID/smaps_rollup` (`Pss`).
pub fn memory_kb(pid: u32, file: &str, key: &str) -> anyhow::Result<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}"))?;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            return Ok(v.trim().trim_end_matches("kB").trim().parse()?);
        }
    }
    bail!("{key} not found in /proc/{pid}/{file}")
}

/// Wait until `check` is true, polling every `every`, or fail after `limit`.
pub fn wait_until(
    limit: Duration,
    every: Duration,
    mut check: impl FnMut() -> bool,
) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return Some(start.elapsed());
        }
        std::thread::sleep(every);
    }
    None
}

/// The demo volunteer client's state file says it crunches on at least one GPU.
pub fn demo_volunteer_running(dir: &Path) -> bool {
    std::fs::read(dir.join("state").join("demo-volunteer.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| {
            v.get("running")
                .and_then(|r| r.as_object().map(|m| !m.is_empty()))
        })
        .unwrap_or(false)
}

/// p-th percentile (0–100) of already sorted values, nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Prints the latency summary of a reaction benchmark and says whether p95 met `target`.
pub fn report_latencies(title: &str, mut times: Vec<Duration>, target: Duration) -> bool {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len().max(1) as f64;
    println!("{title}, {} runs", times.len());
    println!(
        "  min {:.1} ms, mean {mean:.1} ms, p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms   (target p95 ≤ {:.0} ms)",
        ms(times.first().copied().unwrap_or_default()),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 95.0)),
        ms(times.last().copied().unwrap_or_default()),
        ms(target)
    );
    let ok = !times.is_empty() && percentile(&times, 95.0) <= target;
    println!("  {}", if ok { "PASS" } else { "FAIL" });
    ok
}
