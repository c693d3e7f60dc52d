//! Starting the agent the way a user runs it: real or simulated sensors, the providers the
//! configuration names with their secrets, the earnings ledger and the real activity watcher.
//! The headless daemon and the desktop shell both start it here, so they cannot drift apart.

use std::sync::Arc;

use overtime_core::config::Config;

use crate::clock::SystemClock;
use crate::paths::Paths;
use crate::providers::setup;
pub use crate::providers::setup::DemoOptions;
use crate::sensors::{self, Sensors};
use crate::supervisor::{Agent, AgentParts, StartError};

/// What to run the agent on.
#[derive(Debug, Clone, Copy)]
pub struct StartOptions {
    /// `Some(n)`: n simulated GPUs even if an NVIDIA driver is present (demo mode).
    pub demo_gpus: Option<usize>,
    /// Seed of the simulated GPU.
    pub seed: u64,
    pub demo: DemoOptions,
}

/// Build every part from `config` and `paths` and start the agent.
/// The configuration to start with, for a front end that must start even when the file is
/// broken (the desktop app): the file, or the built-in defaults with what is wrong in it and
/// that the defaults are in force until it is fixed.
pub fn config_at_start(paths: &Paths) -> (Config, Option<String>) {
    match crate::config_file::load(&paths.config_file) {
        Ok(c) => (c, None),
        Err(e) => {
            tracing::error!("{e}\nRunning on built-in defaults until the file is fixed.");
            (
                Config::default(),
                Some(format!(
                    "{e}\nOvertime runs on built-in defaults until the file is fixed."
                )),
            )
        }
    }
}

pub async fn start(
    config: Config,
    paths: &Paths,
    options: StartOptions,
) -> Result<Agent, StartError> {
    let (sensors, note): (Box<dyn Sensors>, String) = match options.demo_gpus {
        Some(gpus) => (
            Box::new(sensors::simulated::SimulatedSensors::new(
                options.seed,
                gpus.max(1),
            )),
            "demo mode requested: using a simulated GPU".to_owned(),
        ),
        None => sensors::auto_select(options.seed),
    };
    let clock = Arc::new(SystemClock);
    let set = setup::build(
        &config,
        &paths.state_dir,
        clock.clone(),
        setup::read_secrets(&config).await,
        options.demo,
    );
    for note in &set.notes {
        tracing::info!("{note}");
    }
    Agent::start(AgentParts {
        config,
        config_path: Some(paths.config_file.clone()),
        state_dir: paths.state_dir.clone(),
        sensors,
        sensors_note: note,
        providers: set.providers,
        provider_factory: Some(Arc::new(setup::RealProviders {
            state_dir: paths.state_dir.clone(),
            clock: clock.clone(),
            demo: options.demo,
        })),
        clock,
        system_tz: jiff::tz::TimeZone::system(),
        activity: AgentParts::real_activity(),
        runner_timing: Default::default(),
        ledger_path: Some(paths.data_dir.join("ledger.sqlite")),
        keep_awake: crate::keep_awake::native(),
    })
    .await
}
