//! `overtime daemon`: the agent without a window, for rigs and servers.

use anyhow::Context;
use overtime_agent::api::{ApiHost, ApiStatus};
use overtime_agent::config_file;
use overtime_agent::paths::Paths;
use overtime_agent::providers::demo::DemoMarket;
use overtime_agent::providers::setup::DemoOptions;
use overtime_agent::service::AgentService;
use overtime_agent::startup::{self, StartOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct DaemonArgs {
    /// Use a simulated GPU even when an NVIDIA driver is present (demo mode).
    #[arg(long)]
    pub demo: bool,
    /// How many simulated GPUs in demo mode.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub demo_gpus: u8,
    /// Seed of the simulated GPU and marketplace (same seed, same demo).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Configuration file (default: the per-user one, or $OVERTIME_CONFIG).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Log level filter, e.g. `info` or `overtime_agent=debug` (or set RUST_LOG).
    #[arg(long)]
    pub log: Option<String>,
}

pub async fn run(args: DaemonArgs) -> anyhow::Result<ExitCode> {
    init_logging(args.log.as_deref());
    let mut paths = Paths::from_env().context("cannot work out where Overtime keeps its files")?;
    if let Some(config) = args.config {
        paths.config_file = config;
    }
    paths
        .ensure_dirs()
        .context("cannot create Overtime's directories")?;

    let config = match config_file::load(&paths.config_file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("Fix the configuration file and start again.");
            return Ok(ExitCode::from(2));
        }
    };

    let options = StartOptions {
        demo_gpus: args.demo.then_some(usize::from(args.demo_gpus)),
        seed: args.seed,
        demo: demo_options(args.seed),
    };
    // Before the agent starts, so a stop asked for while it starts is heard, not fatal.
    let mut stop_signals = overtime_agent::stop_signals::StopSignals::install();
    let agent = startup::start(config, &paths, options)
        .await
        .context("the agent could not start")?;

    // A rig started for its API should not run on silently without one: a start that fails
    // stops the daemon. Later changes to `[api]` apply while it runs.
    let api = ApiHost::start(
        AgentService::new(agent.handle.clone(), paths.config_file.clone()),
        paths.api_token_file(),
        agent.shutdown_token().child_token(),
    )
    .await;
    if let ApiStatus::Failed { error } = api.status() {
        agent.stop().await;
        api.stopped().await;
        anyhow::bail!("the loopback API could not start: {error}");
    }

    stop_signals.recv().await;
    tracing::info!("stop requested by the system, stopping");
    agent.stop().await;
    api.stopped().await;
    tracing::info!("stopped cleanly");
    Ok(ExitCode::SUCCESS)
}

/// The simulated marketplace's knobs; tests and demos may want a renter sooner than the
/// realistic minutes.
fn demo_options(seed: u64) -> DemoOptions {
    let mut market = DemoMarket {
        seed,
        ..DemoMarket::default()
    };
    if let Some(s) = std::env::var("OVERTIME_DEMO_RENTER_AFTER_S")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        market.renter_after_s = (s, s);
    }
    DemoOptions { market }
}

fn init_logging(filter: Option<&str>) {
    let filter = filter
        .map(str::to_owned)
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "info".to_owned());
    let env_filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
