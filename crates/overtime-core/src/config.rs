//! The user's configuration (TOML), its defaults and its validation.
//!
//! An empty file is a valid configuration. Every rejected value is reported with the file, the
//! line, the field path and what to do, so a user can fix it without reading the source.
//!
//! HELPER-A: parsing with line numbers and semantic validation go here (see ConfigError).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::mode::Mode;
use crate::money::Currency;
use crate::schedule::{ModeSet, Schedule};

/// The whole configuration. Field docs are the reference the README repeats.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub general: GeneralConfig,
    pub schedule: ScheduleConfig,
    pub thermal: ThermalConfig,
    pub activity: ActivityConfig,
    pub policy: PolicyConfig,
    pub rental: RentalConfig,
    pub electricity: ElectricityConfig,
    pub api: ApiConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneralConfig {
    /// IANA time zone the schedule is written in (`Europe/Berlin`). Empty: the system's zone.
    pub timezone: String,
    /// Supervisor tick period in milliseconds (200–60000).
    pub tick_ms: u64,
}

impl Default for GeneralConfig {
    fn default() -> Self {
        GeneralConfig {
            timezone: String::new(),
            tick_ms: 1000,
        }
    }
}

/// `[schedule]`: weekly windows, each allowing a set of modes; `default` covers the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Modes allowed outside every window.
    pub default: Vec<Mode>,
    #[serde(rename = "window")]
    pub windows: Vec<WindowConfig>,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            default: vec![Mode::Rental, Mode::Volunteer],
            windows: Vec::new(),
        }
    }
}

/// `[[schedule.window]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowConfig {
    /// Shown in reasons ("gaming evenings").
    #[serde(default)]
    pub name: Option<String>,
    /// Day names (`mon` … `sun`, full names too), ranges (`mon-fri`) or `daily`, `weekdays`,
    /// `weekends`. The day is the day the window *starts* on.
    pub days: Vec<String>,
    /// `HH:MM`, local time in `general.timezone`.
    pub start: String,
    /// `HH:MM` or `24:00`. An end at or before the start means the window crosses midnight.
    pub end: String,
    /// Modes allowed inside the window; `[]` or `["idle"]` keeps the GPU idle.
    pub modes: Vec<Mode>,
}

/// Thermal limits. Values here apply to every GPU; `[thermal.gpu."<uuid or index>"]` overrides
/// them per GPU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThermalConfig {
    #[serde(flatten)]
    pub limits: ThermalLimits,
    /// Per-GPU overrides keyed by UUID (`GPU-…`) or index (`"0"`).
    #[serde(rename = "gpu")]
    pub per_gpu: BTreeMap<String, ThermalLimitsOverride>,
}

impl Default for ThermalConfig {
    fn default() -> Self {
        ThermalConfig {
            limits: ThermalLimits::default(),
            per_gpu: BTreeMap::new(),
        }
    }
}

/// The thermal rules for one GPU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThermalLimits {
    /// At or above this, work is throttled (power limit) or paused. 40–105 °C.
    pub soft_limit_c: f64,
    /// Work resumes once the GPU is this many degrees below the soft limit. 1–30 °C.
    pub hysteresis_c: f64,
    /// …and has stayed there this long, in seconds (0–3600).
    pub cooldown_s: u64,
    /// At or above this, everything interruptible stops at once. Above `soft_limit_c`, ≤ 110 °C.
    pub critical_limit_c: f64,
    /// No trustworthy reading for this long (seconds, 2–600) counts as unsafe.
    pub stale_after_s: u64,
    /// Allow lowering the GPU's power limit before pausing (needs administrator rights).
    pub power_limit_control: bool,
    /// The lowered limit, as a share of the board's default limit (30–100 %).
    pub power_limit_pct: u8,
    /// How long the lowered limit gets to bring the temperature down before work pauses (s).
    pub power_limit_grace_s: u64,
}

impl Default for ThermalLimits {
    fn default() -> Self {
        ThermalLimits {
            soft_limit_c: 83.0,
            hysteresis_c: 5.0,
            cooldown_s: 120,
            critical_limit_c: 90.0,
            stale_after_s: 10,
            power_limit_control: false,
            power_limit_pct: 80,
            power_limit_grace_s: 60,
        }
    }
}

/// Per-GPU thermal overrides: every field optional, unset ones come from `[thermal]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThermalLimitsOverride {
    pub soft_limit_c: Option<f64>,
    pub hysteresis_c: Option<f64>,
    pub cooldown_s: Option<u64>,
    pub critical_limit_c: Option<f64>,
    pub stale_after_s: Option<u64>,
    pub power_limit_control: Option<bool>,
    pub power_limit_pct: Option<u8>,
    pub power_limit_grace_s: Option<u64>,
}

impl ThermalConfig {
    /// The effective limits for one GPU: a UUID entry beats an index entry beats `[thermal]`.
    pub fn limits_for(&self, uuid: &str, index: u32) -> ThermalLimits {
        let mut l = self.limits.clone();
        for key in [index.to_string(), uuid.to_string()] {
            if let Some(o) = self.per_gpu.get(&key) {
                if let Some(v) = o.soft_limit_c {
                    l.soft_limit_c = v;
                }
                if let Some(v) = o.hysteresis_c {
                    l.hysteresis_c = v;
                }
                if let Some(v) = o.cooldown_s {
                    l.cooldown_s = v;
                }
                if let Some(v) = o.critical_limit_c {
                    l.critical_limit_c = v;
                }
                if let Some(v) = o.stale_after_s {
                    l.stale_after_s = v;
                }
                if let Some(v) = o.power_limit_control {
                    l.power_limit_control = v;
                }
                if let Some(v) = o.power_limit_pct {
                    l.power_limit_pct = v;
                }
                if let Some(v) = o.power_limit_grace_s {
                    l.power_limit_grace_s = v;
                }
            }
        }
        l
    }
}

/// `[activity]`: what counts as "the user is gaming or busy".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActivityConfig {
    /// Executable names or globs (`eldenring.exe`, `*.x86_64`, `steam_app_*`), case-insensitive.
    pub games: Vec<String>,
    /// Treat any process the driver lists as a graphics process on a GPU as a game.
    pub detect_graphics_processes: bool,
    /// Graphics processes that are not games (desktop compositors, browsers), globs too.
    pub ignore: Vec<String>,
    /// Idle every GPU while the user is at the keyboard.
    pub pause_when_user_active: bool,
    /// Input within this many seconds counts as "user active" (10–86400).
    pub user_idle_after_s: u64,
    /// Wait this long after the last game exits before work resumes (0–3600 s).
    pub resume_grace_s: u64,
    /// Game watcher poll period in ms (50–5000). A new game is seen within one period.
    pub poll_ms: u64,
}

impl Default for ActivityConfig {
    fn default() -> Self {
        ActivityConfig {
            games: Vec::new(),
            detect_graphics_processes: true,
            ignore: vec![
                "Xorg".into(),
                "Xwayland".into(),
                "gnome-shell".into(),
                "kwin_*".into(),
                "plasmashell".into(),
                "dwm.exe".into(),
                "explorer.exe".into(),
                "firefox*".into(),
                "chrom*".into(),
                "WindowServer".into(),
            ],
            pause_when_user_active: false,
            user_idle_after_s: 300,
            resume_grace_s: 10,
            poll_ms: 250,
        }
    }
}

/// `[policy]`: how the automatic choice behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// When the schedule allows both and renting pays, which to pick.
    pub prefer: Preference,
    /// Minimum seconds in a mode before a profitability change may switch it (0–86400).
    pub min_dwell_s: u64,
    /// While listed for rent but not rented, let volunteer work use the GPU.
    pub backfill_volunteer: bool,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            prefer: Preference::Rental,
            min_dwell_s: 300,
            backfill_volunteer: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preference {
    Rental,
    Volunteer,
}

/// `[rental]`: the price the GPU is offered at and when renting is worth it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RentalConfig {
    /// Price asked per GPU per hour, a decimal string ("0.25").
    #[serde(with = "rust_decimal::serde::str")]
    pub price_per_gpu_hour: Decimal,
    pub currency: Currency,
    /// Rent only when the price beats electricity cost by this much (0–1000 %).
    pub min_margin_pct: u32,
    /// Longest end date we list with, in hours (1–720); renewed while the window lasts.
    pub max_listing_h: u32,
    /// Units of the electricity currency per unit of the rental currency, when they differ
    /// ("0.92" EUR per USD). Without it, differing currencies are a configuration error.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub exchange_rate: Option<Decimal>,
}

impl Default for RentalConfig {
    fn default() -> Self {
        RentalConfig {
            price_per_gpu_hour: Decimal::new(25, 2),
            currency: default_currency(),
            min_margin_pct: 10,
            max_listing_h: 24,
            exchange_rate: None,
        }
    }
}

/// `[electricity]`: what a kWh costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ElectricityConfig {
    #[serde(with = "rust_decimal::serde::str")]
    pub price_per_kwh: Decimal,
    pub currency: Currency,
    /// Extra draw of the rest of the PC while a GPU works (W, 0–2000).
    pub rest_of_pc_w: u32,
}

impl Default for ElectricityConfig {
    fn default() -> Self {
        ElectricityConfig {
            price_per_kwh: Decimal::new(30, 2),
            currency: default_currency(),
            rest_of_pc_w: 0,
        }
    }
}

/// `[api]`: the loopback HTTP API and `/metrics`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    pub enabled: bool,
    /// Port on 127.0.0.1 (1024–65535).
    pub port: u16,
    /// Serve `/metrics` for Prometheus (no token needed; loopback only).
    pub metrics: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            enabled: true,
            port: 47615,
            metrics: true,
        }
    }
}

fn default_currency() -> Currency {
    Currency::usd()
}

impl Config {
    /// The compiled weekly schedule. Only valid on a validated config.
    pub fn schedule(&self) -> Schedule {
        todo!("HELPER-A")
    }

    /// Modes allowed outside every window.
    pub fn default_modes(&self) -> ModeSet {
        ModeSet::from_modes(&self.schedule.default)
    }
}

// LEAD-STUB: replaced by helper A's parser.
#[derive(Debug, Clone, thiserror::Error)]
#[error("config error")]
pub struct ConfigErrors(pub Vec<String>);

impl Config {
    pub fn parse(text: &str, _path: Option<&std::path::Path>) -> Result<Config, ConfigErrors> {
        toml::from_str(text).map_err(|e| ConfigErrors(vec![e.to_string()]))
    }

    pub fn time_zone(&self) -> Option<jiff::tz::TimeZone> {
        None
    }
}
