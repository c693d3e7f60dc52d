//! What we know about one GPU: its identity and one reading of its sensors.
//!
//! Every sensor field is optional because GPUs differ in what they report (no fan on a
//! passively cooled card, no energy counter before Volta). A missing field is `None`, never a
//! made-up number.

use serde::{Deserialize, Serialize};

/// Identity of one GPU. The UUID is stable across reboots and driver re-enumeration; the index
/// is what the user sees in `nvidia-smi` and may change when cards are added.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GpuId {
    pub uuid: String,
    pub index: u32,
    pub name: String,
}

/// Why the GPU is slowing its clocks, as reported by the driver (NVML's clock event reasons).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ThrottleReasons {
    /// Idle clocks: nothing is running.
    pub idle: bool,
    /// An application or the user set a clock cap.
    pub app_clocks: bool,
    /// The power limit is holding clocks down.
    pub sw_power_cap: bool,
    /// Hardware slowdown (thermal or power brake), usually serious.
    pub hw_slowdown: bool,
    /// Software thermal slowdown.
    pub sw_thermal: bool,
    /// Hardware thermal slowdown.
    pub hw_thermal: bool,
    /// Hardware power brake (external power supply signal).
    pub hw_power_brake: bool,
    /// Sync boost with other GPUs.
    pub sync_boost: bool,
    /// Display clock setting.
    pub display_clocks: bool,
}

impl ThrottleReasons {
    /// True when the GPU is being slowed for heat or power, which is what users care about.
    pub fn is_limiting(&self) -> bool {
        self.sw_power_cap
            || self.hw_slowdown
            || self.sw_thermal
            || self.hw_thermal
            || self.hw_power_brake
    }

    /// Short names of the active reasons, for tables and metrics labels.
    pub fn active_names(&self) -> Vec<&'static str> {
        let all = [
            (self.idle, "idle"),
            (self.app_clocks, "app_clocks"),
            (self.sw_power_cap, "sw_power_cap"),
            (self.hw_slowdown, "hw_slowdown"),
            (self.sw_thermal, "sw_thermal"),
            (self.hw_thermal, "hw_thermal"),
            (self.hw_power_brake, "hw_power_brake"),
            (self.sync_boost, "sync_boost"),
            (self.display_clocks, "display_clocks"),
        ];
        all.iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| *name)
            .collect()
    }
}

/// One reading of one GPU's sensors. Units are in the field names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GpuReading {
    /// Core (die) temperature in °C.
    pub temp_c: Option<f64>,
    /// GPU utilisation over the driver's last sample period, 0–100 %.
    pub load_pct: Option<f64>,
    /// Memory controller utilisation, 0–100 %.
    pub mem_load_pct: Option<f64>,
    pub mem_used_mib: Option<u64>,
    pub mem_total_mib: Option<u64>,
    /// Board power draw in W.
    pub power_w: Option<f64>,
    /// Power limit currently enforced, in W.
    pub power_limit_w: Option<f64>,
    /// Default power limit of the board, in W (what we restore to).
    pub power_limit_default_w: Option<f64>,
    /// Range the power limit may be set within, in W.
    pub power_limit_min_w: Option<f64>,
    pub power_limit_max_w: Option<f64>,
    /// Fan speed as a share of its maximum, 0–100 %.
    pub fan_pct: Option<f64>,
    pub sm_clock_mhz: Option<u32>,
    pub mem_clock_mhz: Option<u32>,
    pub throttle: Option<ThrottleReasons>,
    /// Total energy consumed since the driver loaded, in mJ (Volta and newer).
    pub energy_mj: Option<u64>,
}

/// The latest state of one GPU's sensors as the policy sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuTelemetry {
    pub gpu: GpuId,
    /// The most recent successful reading, if any was ever taken.
    pub reading: Option<GpuReading>,
    /// When `reading` was taken.
    pub read_at: Option<jiff::Timestamp>,
    /// Set while the GPU stops answering (fell off the bus, driver reset, …). Plain text for
    /// the user; the policy treats the GPU as unsafe once the reading is stale.
    pub fault: Option<String>,
}

impl GpuTelemetry {
    /// Age of the last good reading at `now`, or `None` when there never was one.
    pub fn age(&self, now: jiff::Timestamp) -> Option<jiff::SignedDuration> {
        self.read_at.map(|at| now.duration_since(at))
    }
}

/// A process the driver reports as using a GPU for graphics (a game, a compositor…).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GpuProcess {
    pub pid: u32,
    pub gpu_uuid: String,
}
