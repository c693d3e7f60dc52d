//! Starts the agent inside the desktop process, the way `overtime daemon` does: sensors picked
//! automatically (a simulated GPU when no NVIDIA driver answers — demo mode), providers from the
//! configuration, and the loopback API when `api.enabled`.
//!
//! The shell adds nothing to the agent's logic; it only owns it and stops it cleanly on quit.

use overtime_agent::AgentHandle;
use overtime_agent::api::{ApiHost, ApiStatus};
use overtime_agent::paths::Paths;
use overtime_agent::providers::demo::DemoMarket;
use overtime_agent::service::AgentService;
use overtime_agent::startup::{self, DemoOptions, StartOptions};
use overtime_agent::supervisor::Agent;

use tokio::sync::watch;

/// Forces the simulated GPU even when a driver is present (also `--demo`).
pub const ENV_DEMO: &str = "OVERTIME_DEMO";
/// How many simulated GPUs demo mode shows (1 to 8; default 1), to try a multi-GPU rig. Setting
/// it asks for demo mode, as `OVERTIME_DEMO` does.
pub const ENV_DEMO_GPUS: &str = "OVERTIME_DEMO_GPUS";
/// The most simulated GPUs, as `overtime daemon --demo-gpus` allows.
const MAX_DEMO_GPUS: usize = 8;

/// How the agent is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostOptions {
    pub demo: bool,
    /// Simulated GPUs in demo mode.
    pub demo_gpus: usize,
    /// Seed of the simulated GPU and market.
    pub seed: u64,
}

impl HostOptions {
    /// From the command line (`--demo`) and the environment (`OVERTIME_DEMO=1`,
    /// `OVERTIME_DEMO_GPUS=N`).
    pub fn from_env_and_args(args: &[String]) -> HostOptions {
        let env_demo = std::env::var(ENV_DEMO)
            .map(|v| !v.is_empty() && v != "0")
            .unwrap_or(false);
        let gpus = std::env::var(ENV_DEMO_GPUS).ok();
        HostOptions {
            demo: env_demo || gpus.is_some() || args.iter().any(|a| a == "--demo"),
            demo_gpus: demo_gpus(gpus.as_deref()),
            seed: 42,
        }
    }
}

/// `OVERTIME_DEMO_GPUS` as given; anything but 1 to 8 is said in the log and taken as 1.
fn demo_gpus(value: Option<&str>) -> usize {
    let Some(text) = value else { return 1 };
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_DEMO_GPUS).contains(&n) => n,
        _ => {
            tracing::warn!(
                "{ENV_DEMO_GPUS}={text:?} is not a number from 1 to {MAX_DEMO_GPUS}; demo mode shows one GPU"
            );
            1
        }
    }
}

/// The running agent and what the shell started around it.
pub struct AgentHost {
    agent: Agent,
    api: Option<ApiHost>,
    pub handle: AgentHandle,
    pub paths: Paths,
    /// The loopback API's state, as it follows `[api]`.
    pub api_status: watch::Receiver<ApiStatus>,
    /// The configuration file failed to load; the agent runs on defaults until it is fixed.
    pub startup_config_error: Option<String>,
}

/// Why the agent could not start at all.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("cannot work out where Overtime keeps its files: {0}")]
    Paths(#[from] overtime_agent::paths::PathsError),
    #[error("the agent could not start: {0}")]
    Agent(#[from] overtime_agent::supervisor::StartError),
}

impl AgentHost {
    /// Starts everything. Call from inside a tokio runtime.
    pub async fn start(options: &HostOptions) -> Result<AgentHost, HostError> {
        let paths = Paths::from_env()?;
        paths.ensure_dirs()?;
        let (config, startup_config_error) = startup::config_at_start(&paths);
        let start = StartOptions {
            demo_gpus: options.demo.then_some(options.demo_gpus),
            seed: options.seed,
            demo: DemoOptions {
                market: DemoMarket {
                    seed: options.seed,
                    ..DemoMarket::default()
                },
            },
        };
        let agent = startup::start(config, &paths, start).await?;

        let api = ApiHost::start(
            AgentService::new(agent.handle.clone(), paths.config_file.clone()),
            paths.api_token_file(),
            agent.shutdown_token().child_token(),
        )
        .await;
        Ok(AgentHost {
            handle: agent.handle.clone(),
            api_status: api.subscribe(),
            agent,
            api: Some(api),
            paths,
            startup_config_error,
        })
    }

    /// Tests only: wraps an agent started by the test, with no API.
    #[cfg(test)]
    pub(crate) fn for_test(agent: Agent, paths: Paths) -> AgentHost {
        AgentHost {
            handle: agent.handle.clone(),
            agent,
            api: None,
            paths,
            api_status: watch::channel(ApiStatus::Disabled).1,
            startup_config_error: None,
        }
    }

    /// Stops the agent (providers handed back safe, power limits restored) and the API.
    pub async fn stop(self) {
        self.agent.stop().await;
        if let Some(api) = self.api {
            api.stopped().await;
        }
        tracing::info!("agent stopped cleanly");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_gpu_count_is_one_unless_a_sane_number_is_given() {
        assert_eq!(demo_gpus(None), 1);
        assert_eq!(demo_gpus(Some("2")), 2);
        assert_eq!(demo_gpus(Some(" 8 ")), 8);
        for bad in ["0", "9", "two", "", "-1"] {
            assert_eq!(demo_gpus(Some(bad)), 1, "{bad}");
        }
    }
}
