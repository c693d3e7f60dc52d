//! `overtime`: the headless agent and its command-line front end.
//!
//! `overtime daemon` runs the agent (sensors, policy, providers, loopback API); the other
//! commands talk to a running daemon through the loopback API, or, like `simulate` and
//! `doctor`, work on their own.

mod api_client;
mod daemon;
mod doctor;
mod history;
mod mode;
mod secrets;
mod simulate;
mod status;
mod when;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "overtime",
    version,
    about = "Earn from your GPU's idle hours without getting in the way of your games"
)]
struct Cli {
    /// Port of the agent's loopback API (default: OVERTIME_API_PORT, then `api.port` in the config).
    #[arg(long, global = true)]
    port: Option<u16>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the agent headless (for rigs and servers); stops cleanly on Ctrl-C / SIGTERM.
    Daemon(daemon::DaemonArgs),
    /// Show what a running agent is doing.
    Status(status::StatusArgs),
    /// Force a mode (or pause) for a while, or go back to automatic.
    Mode(mode::ModeArgs),
    /// Replay your schedule over some days with a simulated GPU and print the mode timeline.
    Simulate(simulate::SimulateArgs),
    /// Check what works on this machine: NVIDIA driver, activity detection, API, configuration.
    Doctor(doctor::DoctorArgs),
    /// Export sessions and earnings for a range of days as CSV (exact amounts, for taxes).
    Export(history::ExportArgs),
    /// Earnings, electricity cost and net for today, 7 days, 30 days and all time.
    Earnings(history::EarningsArgs),
    /// Store, list or delete secrets (Vast.ai API key, BOINC password) in the OS keyring.
    Secrets(secrets::SecretsArgs),
}

/// The client for commands that talk to a running agent.
fn client(port: Option<u16>) -> anyhow::Result<api_client::ApiClient> {
    let paths = overtime_agent::paths::Paths::from_env()?;
    api_client::ApiClient::from_paths(&paths, port)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let port = cli.port;
    let result = runtime.block_on(async {
        match cli.command {
            Command::Daemon(args) => daemon::run(args).await,
            Command::Status(args) => status::run(args, &client(port)?)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Mode(args) => mode::run(args, &client(port)?)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Simulate(args) => simulate::run(args),
            Command::Doctor(args) => doctor::run(args).await,
            Command::Secrets(args) => secrets::run(args),
            Command::Export(args) => history::export(args),
            Command::Earnings(args) => history::earnings(args),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
