//! Game start → BOINC's GPU mode "never", end to end against the real client: a release
//! `overtime daemon` drives a `boinc` client of its own (loopback port, own data dir); a dummy
//! game is started 30 times and `boinccmd --get_cc_status` — BOINC's own view, not ours — is
//! polled until it reports GPU mode never. Target: p95 ≤ 1 s. (BOINC's own exclusive-app check
//! polls every 10 s.) Needs `boinc-client` installed.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use overtime_bench::{report_latencies, scratch_dir, start_daemon, wait_until};

const PASSWORD: &str = "bench-password";

struct Boinc {
    child: Child,
    port: u16,
}

impl Drop for Boinc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Boinc {
    /// The "current mode" line of the GPU section of `boinccmd --get_cc_status`.
    fn gpu_mode(&self) -> Option<String> {
        let out = Command::new("boinccmd")
            .args([
                "--host",
                &format!("127.0.0.1:{}", self.port),
                "--passwd",
                PASSWORD,
                "--get_cc_status",
            ])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let gpu = &text[text.find("GPU status")?..];
        gpu.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix("current mode: "))
            .map(str::to_owned)
    }
}

fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let dir = scratch_dir("boinc-reaction")?;
    let boinc_dir = dir.join("boinc");
    std::fs::create_dir_all(&boinc_dir)?;
    std::fs::write(boinc_dir.join("gui_rpc_auth.cfg"), PASSWORD)?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let log = std::fs::File::create(dir.join("boinc.log"))?;
    let child = Command::new("boinc")
        .arg("--dir")
        .arg(&boinc_dir)
        .args([
            "--gui_rpc_port",
            &port.to_string(),
            "--allow_multiple_clients",
        ])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("cannot start boinc: install it with `apt-get install boinc-client`")?;
    let boinc = Boinc { child, port };
    if wait_until(Duration::from_secs(10), Duration::from_millis(50), || {
        boinc.gpu_mode().is_some()
    })
    .is_none()
    {
        bail!("the BOINC client did not answer on port {port}");
    }

    let config = format!(
        r#"
[schedule]
default = ["volunteer"]
[activity]
games = ["overtime-bench-game"]
poll_ms = 250
resume_grace_s = 0
[providers]
volunteer = "boinc"
rental = "none"
[providers.boinc]
port = {port}
password_file = "{}"
[api]
port = 47693
"#,
        boinc_dir.join("gui_rpc_auth.cfg").display()
    );
    let game = dir.join("overtime-bench-game");
    std::fs::copy("/bin/sleep", &game)?;
    let daemon = start_daemon(&dir, &config)?;

    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let allowed = wait_until(Duration::from_secs(20), Duration::from_millis(10), || {
            boinc.gpu_mode().is_some_and(|m| m != "never")
        });
        if allowed.is_none() {
            bail!(
                "run {i}: GPU work was not handed back to BOINC; see {}",
                dir.join("daemon.log").display()
            );
        }
        std::thread::sleep(Duration::from_millis(300 + (i as u64 * 37) % 250));
        let start = Instant::now();
        let mut game_process = Command::new(&game)
            .arg("30")
            .stdout(Stdio::null())
            .spawn()?;
        let seen = wait_until(Duration::from_secs(5), Duration::from_millis(2), || {
            boinc.gpu_mode().as_deref() == Some("never")
        });
        let elapsed = seen.map(|_| start.elapsed());
        let _ = game_process.kill();
        let _ = game_process.wait();
        match elapsed {
            Some(d) => times.push(d),
            None => bail!("run {i}: BOINC did not report GPU mode never within 5 s"),
        }
    }
    drop(daemon);
    drop(boinc);
    let ok = report_latencies(
        "game start → `boinccmd --get_cc_status` shows GPU mode never (release daemon, real boinc-client)",
        times,
        Duration::from_secs(1),
    );
    let _ = std::fs::remove_dir_all(&dir);
    if ok { Ok(()) } else { std::process::exit(1) }
}
