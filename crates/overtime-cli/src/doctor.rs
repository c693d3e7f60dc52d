//! `overtime doctor`: what works on this machine, each line with what to do when it does not.

use std::path::PathBuf;
use std::process::ExitCode;

use overtime_agent::paths::Paths;
use overtime_agent::providers::demo::DemoMarket;
use overtime_agent::providers::probe::{PROBE_TIMEOUT, Probe, probe};
use overtime_agent::providers::setup::{self, DemoOptions, ProviderSet};
use overtime_agent::sensors::Sensors;
use overtime_agent::sensors::nvml::NvmlSensors;
use overtime_agent::{activity, config_file};

#[derive(clap::Args)]
pub struct DoctorArgs {
    /// Configuration file to check (default: the per-user one, or $OVERTIME_CONFIG).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

enum Check {
    Ok(String),
    Warn(String),
    Fail(String),
}

fn print(name: &str, c: &Check) {
    let (mark, text) = match c {
        Check::Ok(t) => ("ok  ", t),
        Check::Warn(t) => ("warn", t),
        Check::Fail(t) => ("FAIL", t),
    };
    let mut lines = text.lines();
    println!("[{mark}] {name:<14} {}", lines.next().unwrap_or(""));
    for l in lines {
        println!("       {:<14} {l}", "");
    }
}

pub async fn run(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let mut paths = match Paths::from_env() {
        Ok(p) => p,
        Err(e) => {
            print("directories", &Check::Fail(e.to_string()));
            return Ok(ExitCode::FAILURE);
        }
    };
    if let Some(c) = args.config {
        paths.config_file = c;
    }

    // Configuration.
    let config = match config_file::load(&paths.config_file) {
        Ok(c) => {
            let how = if paths.config_file.exists() {
                "valid"
            } else {
                "not found, using defaults"
            };
            print(
                "configuration",
                &Check::Ok(format!("{} ({how})", paths.config_file.display())),
            );
            Some(c)
        }
        Err(e) => {
            failed = true;
            print("configuration", &Check::Fail(e.to_string()));
            None
        }
    };
    let config = config.unwrap_or_default();

    // Time zone.
    match config.time_zone() {
        Some(tz) => print(
            "time zone",
            &Check::Ok(format!(
                "{} (from the configuration)",
                tz.iana_name().unwrap_or("?")
            )),
        ),
        None => {
            let tz = jiff::tz::TimeZone::system();
            match tz.iana_name() {
                Some(name) => print("time zone", &Check::Ok(format!("{name} (system)"))),
                None => print("time zone", &Check::Warn("the system time zone has no name; set general.timezone so schedules are read right".into())),
            }
        }
    }

    // GPUs through NVML.
    match NvmlSensors::init() {
        Ok(mut s) => {
            let gpus = s.gpus();
            let now = jiff::Timestamp::now();
            let samples = s.sample(now);
            let mut text = format!("{} — {} GPU(s)", s.backend().describe(), gpus.len());
            for (g, sample) in gpus.iter().zip(samples) {
                let line = match sample.reading {
                    Ok(r) => format!(
                        "GPU {} {} — {} °C, power limit control: {}",
                        g.index,
                        g.name,
                        r.temp_c.map_or("?".into(), |t| format!("{t:.0}")),
                        if s.can_set_power_limit(&g.uuid) {
                            "possible"
                        } else {
                            "not permitted (needs administrator rights)"
                        }
                    ),
                    Err(e) => format!("GPU {} {} — {e}", g.index, g.name),
                };
                text.push('\n');
                text.push_str(&line);
            }
            print("NVIDIA GPUs", &Check::Ok(text));
        }
        Err(e) => print(
            "NVIDIA GPUs",
            &Check::Warn(format!(
                "{e}\n`overtime daemon --demo` (or any start without a driver) uses a simulated GPU"
            )),
        ),
    }

    // Activity detection.
    let idle = activity::input_idle::input_idle_source();
    print(
        "input idle",
        &match idle.describe() {
            d if d.to_lowercase().contains("unavailable") => Check::Warn(format!(
                "{d}; pausing when you are at the keyboard will not work, game detection still does"
            )),
            d => Check::Ok(d),
        },
    );
    match activity::games::GameMatcher::new(&config.activity) {
        Ok(_) => print(
            "game watcher",
            &Check::Ok(format!(
                "{} game pattern(s); graphics-process detection {}{}",
                config.activity.games.len(),
                on_off(config.activity.detect_graphics_processes),
                if cfg!(windows) {
                    format!(
                        "; full-screen programs {}; Steam's running game {}",
                        on_off(config.activity.detect_full_screen),
                        on_off(config.activity.detect_steam_game)
                    )
                } else {
                    String::new()
                }
            )),
        ),
        Err(e) => {
            failed = true;
            print("game watcher", &Check::Fail(e.to_string()));
        }
    }

    // Loopback API.
    if config.api.enabled {
        let url = format!("http://127.0.0.1:{}/healthz", config.api.port);
        let reachable = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            tokio::net::TcpStream::connect(("127.0.0.1", config.api.port)),
        )
        .await;
        match reachable {
            Ok(Ok(_)) => print(
                "local API",
                &Check::Ok(format!("an agent answers at {url}")),
            ),
            _ => print(
                "local API",
                &Check::Warn(format!(
                    "no agent is listening on 127.0.0.1:{}; start one with `overtime daemon`",
                    config.api.port
                )),
            ),
        }
    } else {
        print(
            "local API",
            &Check::Warn("disabled in the configuration (api.enabled = false)".into()),
        );
    }

    // Providers: each configured one is asked for its real state, as the agent would.
    let secrets = setup::read_secrets(&config).await;
    let ProviderSet { providers, notes } = setup::build(
        &config,
        &paths.state_dir,
        std::sync::Arc::new(overtime_agent::clock::SystemClock),
        secrets,
        DemoOptions {
            market: DemoMarket::default(),
        },
    );
    for note in &notes {
        if note.contains("cannot be used") || note.contains("no [[providers.hooks]]") {
            failed = true;
            print("providers", &Check::Fail(note.clone()));
        }
    }
    for mut provider in providers {
        let name = provider.name().to_owned();
        let found = probe(provider.as_mut(), PROBE_TIMEOUT).await;
        let check = match &found {
            Probe::Answered { detail } => Check::Ok(detail.clone()),
            Probe::Simulated { .. } => Check::Warn(found.message()),
            Probe::Failed(_) | Probe::TimedOut { .. } => {
                failed = true;
                Check::Fail(found.message())
            }
        };
        print(&name, &check);
    }

    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}
