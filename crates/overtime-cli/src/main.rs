//! `overtime`: the headless agent and its command-line front end.
//!
//! `overtime daemon` runs the agent (sensors, policy, providers, loopback API); the other
//! commands talk to a running daemon through the loopback API, or, like `simulate` and
//! `doctor`, work on their own.

mod api_client;
mod daemon;
mod doctor;
mod duration_arg;
mod mode;
mod simulate;
mod status;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "overtime", version, about = "Earn from your GPU's idle hours without getting in the way of your games")]
struct Cli {
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
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Daemon(args) => daemon::run(args).await,
            Command::Status(args) => status::run(args).await,
            Command::Mode(args) => mode::run(args).await,
            Command::Simulate(args) => simulate::run(args),
            Command::Doctor(args) => doctor::run(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
