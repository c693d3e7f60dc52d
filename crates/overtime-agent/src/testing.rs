//! Tests only (this crate's, and front ends' with the `test-support` feature): a real agent on
//! simulated GPUs with no providers, so front-end code is tested against the agent it drives
//! rather than a stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use crate::clock::SystemClock;
use crate::sensors::simulated::SimulatedSensors;
use crate::supervisor::{Agent, AgentParts};
use jiff::tz::TimeZone;
use overtime_core::config::Config;

/// A snapshot of a freshly started agent to edit in tests, with the agent (stop it at the end)
/// and the directory it keeps its state in.
pub async fn snapshot() -> (crate::AgentSnapshot, Agent, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let agent = start(dir.path()).await;
    let snap = (*agent.handle.snapshot()).clone();
    (snap, agent, dir)
}

/// Starts an agent with two simulated GPUs keeping its state in `state_dir`.
pub async fn start(state_dir: &Path) -> Agent {
    Agent::start(AgentParts {
        config: Config::default(),
        config_path: None,
        state_dir: state_dir.to_owned(),
        sensors: Box::new(SimulatedSensors::new(7, 2)),
        sensors_note: "test".into(),
        providers: Vec::new(),
        provider_factory: None,
        clock: Arc::new(SystemClock),
        system_tz: TimeZone::UTC,
        activity: AgentParts::real_activity(),
        runner_timing: Default::default(),
        ledger_path: None,
        keep_awake: Box::new(crate::keep_awake::Unmanaged),
    })
    .await
    .unwrap()
}
