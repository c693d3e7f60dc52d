//! What crosses to the UI: small serde types made for the dashboard, with TypeScript generated
//! from them (ts-rs) into `ui/src/lib/bindings.ts`.
//!
//! The agent's own snapshot is richer than a dashboard needs and is the API's contract; these
//! types keep the UI's contract separate so each can change on its own. Instants cross as
//! milliseconds since the Unix epoch (`_ms`), temperatures in °C, power in W.

use overtime_agent::providers::ProviderKind;
use overtime_agent::snapshot::{AgentSnapshot, GpuStatus};
use overtime_core::i18n::Catalogue;
use overtime_core::{OverrideScope, Reason};
use serde::Serialize;
use ts_rs::TS;

/// A GPU's mode as the UI names it: the core's own type, which crosses as `rental`,
/// `volunteer` or `idle` (TypeScript `UiMode`).
pub use overtime_core::Mode as UiMode;

/// Everything the dashboard shows, sent in full on every agent tick (event `snapshot`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiSnapshot {
    #[ts(type = "number")]
    pub at_ms: i64,
    pub agent_version: String,
    /// Demo mode: readings are simulated. The UI must say so.
    pub simulated: bool,
    pub sensor_backend: String,
    pub timezone: String,
    pub gpus: Vec<UiGpu>,
    pub overrides: Vec<UiOverride>,
    pub providers: Vec<UiProvider>,
    pub games: Vec<String>,
    #[ts(type = "number | null")]
    pub input_idle_s: Option<u64>,
    pub schedule_window: Option<String>,
    pub config_path: Option<String>,
    /// The configuration file is invalid; the previous good one stays in force.
    pub config_error: Option<String>,
    /// Where the loopback API listens, or why it does not.
    pub api: ApiState,
    /// False when no system tray could be used: closing the window then leaves Overtime
    /// running in the background with no icon.
    pub tray_available: bool,
    /// The earnings ledger: recording or not, and the money figures. `null`: no ledger kept.
    pub ledger: Option<crate::earnings::UiLedger>,
}

/// The loopback API as it is now; it follows `[api]` while the app runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApiState {
    /// `127.0.0.1:47615` while it listens.
    pub address: Option<String>,
    /// Turned off in the settings (`api.enabled = false`).
    pub disabled: bool,
    /// It should run but could not start (port in use, token file unreadable): what happened
    /// and what to do, as the agent says it.
    pub error: Option<String>,
}

impl ApiState {
    pub fn from_status(status: &overtime_agent::api::ApiStatus) -> ApiState {
        use overtime_agent::api::ApiStatus as S;
        let (address, disabled, error) = match status {
            S::Listening { addr, .. } => (Some(addr.to_string()), false, None),
            S::Disabled => (None, true, None),
            S::Failed { error } => (None, false, Some(error.clone())),
            S::Stopped => (None, false, None),
        };
        ApiState {
            address,
            disabled,
            error,
        }
    }
}

/// One GPU's card on the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiGpu {
    pub uuid: String,
    pub index: u32,
    pub name: String,
    pub mode: UiMode,
    /// "Idle — game running: eldenring.exe" in the host's language; the tray says the same,
    /// the API and the log say it in English.
    pub sentence: String,
    /// True when the mode is forced by a manual override.
    pub overridden: bool,
    /// True when a safety rule (critical temperature, lost telemetry) decided the mode.
    pub alert: bool,
    #[ts(type = "number")]
    pub since_ms: i64,
    pub fault: Option<String>,
    pub reading: Option<UiReading>,
    pub limits: UiLimits,
    /// A lowered power limit the thermal guard set, in W.
    pub power_cap_w: Option<f64>,
}

/// One reading; a field the GPU does not report is `null`, never a made-up number.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiReading {
    pub temp_c: Option<f64>,
    pub load_pct: Option<f64>,
    pub mem_used_mib: Option<u32>,
    pub mem_total_mib: Option<u32>,
    pub power_w: Option<f64>,
    pub power_limit_w: Option<f64>,
    pub fan_pct: Option<f64>,
    pub sm_clock_mhz: Option<u32>,
    pub mem_clock_mhz: Option<u32>,
    /// Active slow-down reasons (`sw_power_cap`, `hw_thermal`, …); empty when none.
    pub throttle: Vec<String>,
}

/// The thermal limits in force for one GPU, in °C.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct UiLimits {
    pub soft_limit_c: f64,
    pub critical_limit_c: f64,
    pub hysteresis_c: f64,
}

/// A manual override in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UiOverride {
    pub mode: UiMode,
    /// `null`: every GPU.
    pub gpu_uuid: Option<String>,
    /// `null`: until the user resumes.
    #[ts(type = "number | null")]
    pub until_ms: Option<i64>,
}

/// A provider (BOINC, Vast.ai, the demo market, …) and how it is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UiProvider {
    pub name: String,
    pub kind: UiMode,
    pub simulated: bool,
    pub detail: Option<String>,
    pub error: Option<String>,
    #[ts(type = "number | null")]
    pub last_ok_ms: Option<i64>,
}

/// What the shell adds to the agent's snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellFacts {
    pub tray_available: bool,
    /// Set when the configuration file failed at start-up (the agent then runs on defaults).
    pub startup_config_error: Option<String>,
    /// The language the window and the tray speak (the system's): reasons are rendered in it.
    pub catalogue: Catalogue,
}

fn ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

impl UiSnapshot {
    /// Builds the dashboard's view from the agent's snapshot, which carries the thermal limits
    /// in force per GPU.
    /// `api` is the loopback API as it is now (it follows `[api]`).
    pub fn from_agent(s: &AgentSnapshot, shell: &ShellFacts, api: ApiState) -> UiSnapshot {
        UiSnapshot {
            at_ms: ms(s.at),
            agent_version: s.agent_version.clone(),
            simulated: s.simulated,
            sensor_backend: s.sensor_backend.clone(),
            timezone: s.timezone.clone(),
            gpus: s
                .gpus
                .iter()
                .map(|g| UiGpu {
                    sentence: g.reason.with_mode(g.mode, shell.catalogue, &s.time_zone()),
                    ..UiGpu::from_status(g)
                })
                .collect(),
            overrides: s
                .overrides
                .iter()
                .filter(|o| o.is_active(s.at))
                .map(|o| UiOverride {
                    mode: o.mode,
                    gpu_uuid: match &o.scope {
                        OverrideScope::AllGpus => None,
                        OverrideScope::Gpu(u) => Some(u.clone()),
                    },
                    until_ms: o.until.map(ms),
                })
                .collect(),
            providers: s
                .providers
                .iter()
                .map(|p| UiProvider {
                    name: p.name.clone(),
                    kind: match p.kind {
                        ProviderKind::Rental => UiMode::Rental,
                        ProviderKind::Volunteer => UiMode::Volunteer,
                    },
                    simulated: p.simulated,
                    detail: p.status.as_ref().map(|st| st.detail.clone()),
                    error: p.error.clone(),
                    last_ok_ms: p.last_ok_at.map(ms),
                })
                .collect(),
            games: s.activity.games.iter().map(|g| g.name.clone()).collect(),
            input_idle_s: s.activity.input_idle_s,
            schedule_window: s.schedule.window.clone(),
            config_path: s.config.path.clone(),
            config_error: s
                .config
                .error
                .clone()
                .or_else(|| shell.startup_config_error.clone()),
            api,
            tray_available: shell.tray_available,
            ledger: s
                .ledger
                .as_ref()
                .map(|l| crate::earnings::UiLedger::from_view(l, s.simulated)),
        }
    }
}

impl UiGpu {
    fn from_status(g: &GpuStatus) -> UiGpu {
        let limits = &g.limits;
        UiGpu {
            uuid: g.gpu.uuid.clone(),
            index: g.gpu.index,
            name: g.gpu.name.clone(),
            mode: g.mode,
            sentence: g.sentence.clone(),
            overridden: matches!(
                g.reason,
                Reason::Override { .. }
                    | Reason::OverrideUnavailable { .. }
                    | Reason::OverrideRentalKept { .. }
            ),
            alert: is_alert(&g.reason) || g.fault.is_some(),
            since_ms: ms(g.since),
            fault: g.fault.clone(),
            reading: g.reading.as_ref().map(|r| UiReading {
                temp_c: r.temp_c,
                load_pct: r.load_pct,
                mem_used_mib: r.mem_used_mib.map(saturate_u32),
                mem_total_mib: r.mem_total_mib.map(saturate_u32),
                power_w: r.power_w,
                power_limit_w: r.power_limit_w,
                fan_pct: r.fan_pct,
                sm_clock_mhz: r.sm_clock_mhz,
                mem_clock_mhz: r.mem_clock_mhz,
                throttle: r
                    .throttle
                    .map(|t| t.active_names().into_iter().map(str::to_owned).collect())
                    .unwrap_or_default(),
            }),
            limits: UiLimits {
                soft_limit_c: limits.soft_limit_c,
                critical_limit_c: limits.critical_limit_c,
                hysteresis_c: limits.hysteresis_c,
            },
            power_cap_w: g.power_cap_w,
        }
    }
}

/// Safety decisions: the tray turns red for these.
pub fn is_alert(reason: &Reason) -> bool {
    matches!(
        reason,
        Reason::CriticalTemperature { .. }
            | Reason::CriticalTemperatureRentalCapped { .. }
            | Reason::TelemetryStale { .. }
            | Reason::TelemetryStaleRentalKept { .. }
    )
}

fn saturate_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}
