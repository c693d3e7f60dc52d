//! Game start → plan applied: starts a dummy "game" process 50 times next to a release
//! `overtime daemon` in demo mode and measures, each time, how long until the demo volunteer
//! provider has been told to stop (its state file shows no GPU crunching). Target: p95 ≤ 500 ms.
//!
//! Built for Windows it runs the same way under Wine (`scripts/bench-windows`), the game then
//! being a copy of this program started with `--be-the-game`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use overtime_bench::{
    demo_volunteer_running, report_latencies, scratch_dir, start_daemon, wait_until,
};

const CONFIG: &str = r#"
[schedule]
default = ["volunteer"]
[activity]
games = ["overtime-bench-game", "overtime-bench-game.exe"]
poll_ms = 250
resume_grace_s = 0
[api]
port = 47692
"#;

/// Argument that makes this program the dummy game: it sleeps until killed.
const BE_THE_GAME: &str = "--be-the-game";

fn main() -> anyhow::Result<()> {
    let first = std::env::args().nth(1);
    if first.as_deref() == Some(BE_THE_GAME) {
        std::thread::sleep(Duration::from_secs(30));
        return Ok(());
    }
    let runs: usize = first.and_then(|s| s.parse().ok()).unwrap_or(50);
    let dir = scratch_dir("reaction")?;
    let game = make_game(&dir)?;
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
        let mut child = Command::new(&game.0)
            .arg(game.1)
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
    let title = if cfg!(windows) {
        "game start → demo provider disabled (release daemon for Windows, game watcher poll 250 ms)"
    } else {
        "game start → demo provider disabled (release daemon, game watcher poll 250 ms)"
    };
    let ok = report_latencies(title, times, Duration::from_millis(500));
    let _ = std::fs::remove_dir_all(&dir);
    if ok { Ok(()) } else { std::process::exit(1) }
}

/// The "game" and the argument that keeps it running: a program under a game-like name, so its
/// process name is the game's. `sleep` on Unix; on Windows this program itself.
fn make_game(dir: &std::path::Path) -> anyhow::Result<(std::path::PathBuf, &'static str)> {
    if cfg!(windows) {
        let game = dir.join("overtime-bench-game.exe");
        std::fs::copy(std::env::current_exe()?, &game)?;
        Ok((game, BE_THE_GAME))
    } else {
        let game = dir.join("overtime-bench-game");
        std::fs::copy("/bin/sleep", &game)?;
        Ok((game, "30"))
    }
}
