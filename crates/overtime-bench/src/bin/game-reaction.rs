//! Game start → plan applied: starts a dummy "game" process 50 times next to a release
//! `overtime daemon` in demo mode and measures, each time, how long until the demo volunteer
//! provider has been told to stop (its state file shows no GPU crunching). Target: p95 ≤ 500 ms.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use overtime_bench::{
    demo_volunteer_running, report_latencies, scratch_dir, start_daemon, wait_until,
};

const CONFIG: &str = r#"
[schedule]
default = ["volunteer"]
[activity]
games = ["overtime-bench-game"]
poll_ms = 250
resume_grace_s = 0
[api]
port = 47692
"#;

fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let dir = scratch_dir("reaction")?;
    // The "game": a copy of `sleep` under a game-like name, so its process name is the game's.
    let game = dir.join("overtime-bench-game");
    std::fs::copy("/bin/sleep", &game)?;
    let daemon = start_daemon(&dir, CONFIG)?;

    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        if wait_until(Duration::from_secs(20), Duration::from_millis(5), || {
            demo_volunteer_running(&dir)
        })
        .is_none()
        {
            anyhow::bail!(
                "run {i}: volunteer work did not (re)start; see {}",
                dir.join("daemon.log").display()
            );
        }
        // Random-ish phase against the 250 ms poll, like a real game launch.
        std::thread::sleep(Duration::from_millis(300 + (i as u64 * 37) % 250));
        let start = Instant::now();
        let mut child = Command::new(&game)
            .arg("30")
            .stdout(Stdio::null())
            .spawn()?;
        let seen = wait_until(Duration::from_secs(5), Duration::from_millis(1), || {
            !demo_volunteer_running(&dir)
        });
        let elapsed = seen.map(|_| start.elapsed());
        let _ = child.kill();
        let _ = child.wait();
        match elapsed {
            Some(d) => times.push(d),
            None => anyhow::bail!("run {i}: the provider was not disabled within 5 s"),
        }
    }
    drop(daemon);
    let ok = report_latencies(
        "game start → demo provider disabled (release daemon, game watcher poll 250 ms)",
        times,
        Duration::from_millis(500),
    );
    let _ = std::fs::remove_dir_all(&dir);
    if ok { Ok(()) } else { std::process::exit(1) }
}
