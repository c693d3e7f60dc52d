//! The agent's state as front ends see it: one serialisable value, published on every tick.
//!
//! This is a wire contract (the API serves it as JSON, the desktop app renders it). Front ends
//! get a full snapshot, never partial updates, so they cannot drift from the agent.

use std::sync::Arc;

use jiff::Timestamp;
use overtime_core::activity::RunningGame;
use overtime_core::config::ThermalLimits;
use overtime_core::{GpuId, GpuReading, Mode, Override, Reason, RunningCost};
use serde::{Deserialize, Serialize};

use crate::providers::ProviderView;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentSnapshot {
    pub at: Timestamp,
    pub agent_version: String,
    /// True when the GPU readings are simulated (demo mode). Every front end must say so.
    pub simulated: bool,
    /// "NVML (NVIDIA driver 550.54)" or "simulated GPU (seed 42) — demo mode, not real readings".
    pub sensor_backend: String,
    /// IANA name of the zone the schedule and the sentences use.
    pub timezone: String,
    pub gpus: Vec<GpuStatus>,
    pub activity: ActivityView,
    pub overrides: Vec<Override>,
    pub providers: Vec<ProviderView>,
    pub schedule: ScheduleView,
    pub config: ConfigView,
    /// Mode changes decided since the agent started.
    pub decisions_total: u64,
    /// The most recent mode changes, newest last (at most 100).
    pub recent_decisions: Arc<Vec<DecisionRecord>>,
    /// The earnings ledger's state and figures (`None` when no ledger is kept).
    #[serde(default)]
    pub ledger: Option<crate::ledger_feed::LedgerView>,
}

impl AgentSnapshot {
    /// The zone the agent decides and reports in, by the name it publishes; the system's zone
    /// when that name is unknown here (a window built against an older zone database).
    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::db()
            .get(&self.timezone)
            .unwrap_or_else(|_| jiff::tz::TimeZone::system())
    }
}

/// One GPU: its readings, its mode and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuStatus {
    pub gpu: GpuId,
    pub reading: Option<GpuReading>,
    pub read_at: Option<Timestamp>,
    /// Set while the GPU does not answer; says what happened and what to do.
    pub fault: Option<String>,
    pub mode: Mode,
    pub reason: Reason,
    /// `reason` rendered with the mode: "Idle — game running: eldenring.exe".
    pub sentence: String,
    /// When the GPU entered `mode`.
    pub since: Timestamp,
    /// A lowered power limit the thermal guard set, in W (`None` = the board's own limit).
    pub power_cap_w: Option<f64>,
    pub rented_until: Option<Timestamp>,
    pub listed_until: Option<Timestamp>,
    pub volunteer_running: bool,
    /// What running this GPU costs in electricity per hour now (GPU plus the rest of the PC at
    /// the tariff in force), with the draw it is based on and where that came from: the
    /// break-even price a rental offer must beat. `None` while no power figure is known.
    #[serde(default)]
    pub running_cost: Option<RunningCost>,
    /// The thermal limits in force for this GPU: `[thermal]` with its `[thermal.gpu."…"]`
    /// overrides applied, so a front end shows them without reading the configuration.
    #[serde(default)]
    pub limits: ThermalLimits,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivityView {
    pub games: Vec<RunningGame>,
    /// Seconds since the last keyboard/mouse input; `None` when the platform cannot tell.
    pub input_idle_s: Option<u64>,
    /// How input idle time is read ("X11 screensaver extension", "unavailable: …").
    pub input_idle_source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub modes_allowed: Vec<Mode>,
    pub window: Option<String>,
    pub next_change: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigView {
    /// The file the configuration came from (`None`: built-in defaults).
    pub path: Option<String>,
    /// The last attempt to load a changed file failed with this; the previous good one stays in force.
    pub error: Option<String>,
    pub loaded_at: Option<Timestamp>,
    /// Changed provider settings or credentials that are not in force yet, and why: a rental
    /// provider is never replaced while one of its GPUs is in a paid contract.
    #[serde(default)]
    pub providers_pending: Option<PendingProviders>,
}

/// A provider change waiting to be applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingProviders {
    pub kind: crate::providers::ProviderKind,
    /// The running contract's end: the change applies then.
    pub until: Option<Timestamp>,
}

/// One mode change, kept for the decisions log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub at: Timestamp,
    pub gpu_uuid: String,
    pub gpu_index: u32,
    pub from: Option<Mode>,
    pub to: Mode,
    pub reason: Reason,
    pub sentence: String,
}
