//! The user's configuration (TOML), its defaults and its validation.
//!
//! An empty file is a valid configuration. Every rejected value is reported with the file, the
//! line, the field path and what to do, so a user can fix it without reading the source.

mod days;
pub mod edit;
mod locate;
mod problem;
pub mod providers;
mod validate;

pub use problem::{Problem, ProblemArg};

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::mode::Mode;
use crate::money::Currency;
use crate::schedule::{ModeSet, Schedule, Window};
use locate::{FieldPath, SourceMap};

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
    pub providers: providers::ProvidersConfig,
    pub notifications: NotificationsConfig,
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
///
/// Read through [`ThermalTable`] rather than with `#[serde(flatten)]`, which would lose the
/// position of a misspelt or mistyped key and so the line it is reported at.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "ThermalTable")]
pub struct ThermalConfig {
    #[serde(flatten)]
    pub limits: ThermalLimits,
    /// Per-GPU overrides keyed by UUID (`GPU-…`) or index (`"0"`).
    #[serde(rename = "gpu")]
    pub per_gpu: BTreeMap<String, ThermalLimitsOverride>,
}

/// `[thermal]` as written: the [`ThermalLimits`] fields side by side with `gpu`.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ThermalTable {
    soft_limit_c: f64,
    hysteresis_c: f64,
    cooldown_s: u64,
    critical_limit_c: f64,
    stale_after_s: u64,
    power_limit_control: bool,
    power_limit_pct: u8,
    power_limit_grace_s: u64,
    gpu: BTreeMap<String, ThermalLimitsOverride>,
}

impl Default for ThermalTable {
    fn default() -> Self {
        let l = ThermalLimits::default();
        ThermalTable {
            soft_limit_c: l.soft_limit_c,
            hysteresis_c: l.hysteresis_c,
            cooldown_s: l.cooldown_s,
            critical_limit_c: l.critical_limit_c,
            stale_after_s: l.stale_after_s,
            power_limit_control: l.power_limit_control,
            power_limit_pct: l.power_limit_pct,
            power_limit_grace_s: l.power_limit_grace_s,
            gpu: BTreeMap::new(),
        }
    }
}

impl From<ThermalTable> for ThermalConfig {
    fn from(t: ThermalTable) -> Self {
        ThermalConfig {
            limits: ThermalLimits {
                soft_limit_c: t.soft_limit_c,
                hysteresis_c: t.hysteresis_c,
                cooldown_s: t.cooldown_s,
                critical_limit_c: t.critical_limit_c,
                stale_after_s: t.stale_after_s,
                power_limit_control: t.power_limit_control,
                power_limit_pct: t.power_limit_pct,
                power_limit_grace_s: t.power_limit_grace_s,
            },
            per_gpu: t.gpu,
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
    /// How long the lowered limit gets to bring the temperature down before work pauses
    /// (0–3600 s).
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
    /// Graphics processes that are not games (desktop compositors, browsers), globs too. They
    /// also keep a full-screen program, or a Steam program by its name or app id, from
    /// counting as a game.
    pub ignore: Vec<String>,
    /// Windows: a program running full screen (exclusive Direct3D, borderless, or presentation
    /// settings on) counts as a game. No effect elsewhere.
    pub detect_full_screen: bool,
    /// Windows: the game Steam reports as running counts as a game. No effect elsewhere.
    pub detect_steam_game: bool,
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
                // Windows' own browser: a video played full screen in it is not a game.
                "msedge.exe".into(),
                "WindowServer".into(),
                // Our own desktop app's web view renders on the GPU too.
                "WebKitWebProcess*".into(),
                "msedgewebview2.exe".into(),
            ],
            detect_full_screen: true,
            detect_steam_game: true,
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

/// `[electricity]`: what a kWh costs — one price, or time-of-use periods over a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ElectricityConfig {
    /// The price of a kWh (outside every `[[electricity.period]]` when there are any).
    #[serde(with = "rust_decimal::serde::str")]
    pub price_per_kwh: Decimal,
    pub currency: Currency,
    /// Extra draw of the rest of the PC while a GPU works (W, 0–2000).
    pub rest_of_pc_w: u32,
    /// Time-of-use periods; empty means the flat `price_per_kwh` always.
    #[serde(rename = "period", skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<TariffPeriodConfig>,
    /// Grams of CO2 per kWh from the grid (0–2000), for a CO2 estimate; unset: none shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carbon_g_per_kwh: Option<f64>,
}

impl Default for ElectricityConfig {
    fn default() -> Self {
        ElectricityConfig {
            price_per_kwh: Decimal::new(30, 2),
            currency: default_currency(),
            rest_of_pc_w: 0,
            periods: Vec::new(),
            carbon_g_per_kwh: None,
        }
    }
}

/// `[[electricity.period]]`: a price for some hours of some days, local time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffPeriodConfig {
    #[serde(default)]
    pub name: Option<String>,
    /// Like a schedule window's days (`mon-fri`, `weekends`, …): the days the period starts on.
    pub days: Vec<String>,
    /// 0–23.
    pub start_hour: u8,
    /// 1–24; at or below `start_hour` crosses midnight into the next day.
    pub end_hour: u8,
    #[serde(with = "rust_decimal::serde::str")]
    pub price_per_kwh: Decimal,
}

impl ElectricityConfig {
    /// The price of a kWh at `now` (local weekday and hour in `tz`), read from the same
    /// [`Tariff`](crate::tariff::Tariff) grid the ledger prices energy with.
    pub fn price_at(&self, now: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> crate::money::Money {
        crate::tariff::Tariff::from_config(self).price_at(now, tz)
    }
}

/// The weekdays (Monday first) a list of day entries (`mon-fri`, `weekends`, …) names;
/// entries that do not parse are skipped (validation reports them).
pub fn day_flags(entries: &[String]) -> [bool; 7] {
    entries
        .iter()
        .filter_map(|d| days::parse_day_entry(d).ok())
        .fold([false; 7], |mut acc, d| {
            for (a, b) in acc.iter_mut().zip(d) {
                *a |= b;
            }
            acc
        })
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

/// `[notifications]`: which desktop notifications the user wants. Every kind is on by default;
/// the agent still records every event (log, ledger) whatever is chosen here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationsConfig {
    /// Work stopped because a GPU reached its critical temperature (or lost telemetry).
    pub thermal_trip: bool,
    /// A renter's contract began.
    pub rental_started: bool,
    /// A renter's contract ended.
    pub rental_ended: bool,
    /// A provider failed (unreachable, credentials refused, …).
    pub provider_error: bool,
    /// A manual override ran out and automatic control took over again.
    pub override_expired: bool,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        NotificationsConfig {
            thermal_trip: true,
            rental_started: true,
            rental_ended: true,
            provider_error: true,
            override_expired: true,
        }
    }
}

fn default_currency() -> Currency {
    Currency::usd()
}

impl Config {
    /// Reads and validates a configuration file's text.
    ///
    /// `path` is only used to name the file in errors. An empty text is `Config::default()`.
    /// Errors: TOML syntax, a value of the wrong type or an unknown key (reported alone, as the
    /// rest cannot be read), else every semantic problem at once; each with its line when it
    /// can be found.
    pub fn parse(text: &str, path: Option<&Path>) -> Result<Config, ConfigErrors> {
        let source = SourceMap::new(text);
        let file = path.map(Path::to_path_buf);
        let config: Config = match toml::from_str(text) {
            Ok(config) => config,
            Err(e) => return Err(ConfigErrors(vec![syntax_error(&e, &source, file)])),
        };
        let issues = validate::validate(&config);
        if issues.is_empty() {
            return Ok(config);
        }
        let errors = issues
            .into_iter()
            .map(|issue| {
                let at = source.locate(&issue.path);
                ConfigError {
                    file: file.clone(),
                    line: at.map(|a| a.line),
                    column: at.map(|a| a.column),
                    field: issue.path.to_string(),
                    message: issue.problem.english(),
                    problem: issue.problem,
                }
            })
            .collect();
        Err(ConfigErrors(errors))
    }

    /// Checks a configuration built in code (from the settings screen, say): the same rules
    /// as [`Config::parse`], with no file or line to report.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let errors: Vec<ConfigError> = validate::validate(self)
            .into_iter()
            .map(|issue| ConfigError {
                file: None,
                line: None,
                column: None,
                field: issue.path.to_string(),
                message: issue.problem.english(),
                problem: issue.problem,
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// The compiled weekly schedule. Meant for a validated config; on one that is not, windows
    /// whose days or times do not read are left out, and bad day entries are skipped, rather
    /// than panicking.
    pub fn schedule(&self) -> Schedule {
        let schedule_path = FieldPath::root().key("schedule");
        let mut ignored = Vec::new();
        let windows = self
            .schedule
            .windows
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                let path = schedule_path.key("window").index(i);
                let compiled = validate::compile_window(w, &path, &mut ignored).or_else(|| {
                    // Keep the readable day entries of a window with one bad entry.
                    let start_min = days::parse_time_of_day(&w.start, false).ok()?;
                    let end_min = days::parse_time_of_day(&w.end, true).ok()?;
                    let mut on = [false; 7];
                    for selected in w.days.iter().filter_map(|d| days::parse_day_entry(d).ok()) {
                        for (day, s) in on.iter_mut().zip(selected) {
                            *day |= s;
                        }
                    }
                    (start_min != end_min).then_some(validate::CompiledWindow {
                        days: on,
                        start_min,
                        end_min,
                    })
                })?;
                Some(Window {
                    name: w.name.clone(),
                    days: compiled.days,
                    start_min: compiled.start_min,
                    end_min: compiled.end_min,
                    modes: ModeSet::from_modes(&w.modes),
                })
            })
            .collect();
        Schedule {
            windows,
            default_modes: self.default_modes(),
        }
    }

    /// Modes allowed outside every window.
    pub fn default_modes(&self) -> ModeSet {
        ModeSet::from_modes(&self.schedule.default)
    }

    /// The zone named by `general.timezone`; `None` when it is empty (use the system's zone,
    /// which the agent resolves) or, on an unvalidated config, not a known zone.
    pub fn time_zone(&self) -> Option<jiff::tz::TimeZone> {
        let name = self.general.timezone.trim();
        if name.is_empty() {
            return None;
        }
        jiff::tz::db().get(name).ok()
    }
}

/// One problem in a configuration: where it is and what to do about it.
///
/// Displays as `overtime.toml:14:7: schedule.window[2].end: "25:00" is not a time; use HH:MM
/// between 00:00 and 24:00`, leaving out the parts that are unknown.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    /// The file, when the text came from one.
    pub file: Option<PathBuf>,
    /// 1-based line of the offending value (or of its table when the value is not written).
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
    /// Dotted field path such as `schedule.window[2].end` or `thermal.gpu."0".soft_limit_c`;
    /// empty when the text is not TOML at all.
    pub field: String,
    /// What is wrong and what to do, in English (the CLI, the API and the log).
    pub message: String,
    /// The same as data, for a front end that speaks the user's language.
    pub problem: Problem,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut location = match &self.file {
            Some(file) => file.display().to_string(),
            None => String::new(),
        };
        if let Some(line) = self.line {
            if location.is_empty() {
                location.push_str("line ");
            } else {
                location.push(':');
            }
            location.push_str(&line.to_string());
            if let Some(column) = self.column {
                location.push(':');
                location.push_str(&column.to_string());
            }
        }
        if !location.is_empty() {
            write!(f, "{location}: ")?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in one configuration, in file-section order; never empty when returned
/// as an error. Displays one problem per line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A TOML syntax or type error, placed by its byte span and named by the key written there.
fn syntax_error(e: &toml::de::Error, source: &SourceMap<'_>, file: Option<PathBuf>) -> ConfigError {
    let offset = e.span().map(|s| s.start);
    let at = offset.map(|o| source.line_column(o));
    let field = offset
        .and_then(|o| source.path_at(o))
        .map(|p| p.to_string())
        .unwrap_or_default();
    // The parser's own wording cannot be translated; it travels as the detail of a message
    // that can.
    let problem = if source.is_toml() {
        Problem::new("config-toml-value").text("detail", explain_toml_message(e.message()))
    } else {
        Problem::new("config-toml-notToml").text("detail", e.message().trim())
    };
    ConfigError {
        file,
        line: at.map(|a| a.line),
        column: at.map(|a| a.column),
        field,
        message: problem.english(),
        problem,
    }
}

/// Rewrites serde's wording ("expected u8") into what a user writes, with what to do.
fn explain_toml_message(message: &str) -> String {
    let message = message.trim();
    let replacements = [
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u32", "expected a whole number of 0 or more"),
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected f64", "expected a number"),
        (
            "expected a Decimal type representing a fixed-point number",
            "expected a decimal number in quotes such as \"0.25\"",
        ),
    ];
    let mut text = message.to_owned();
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    if text.starts_with("unknown field") {
        text.push_str("; check the spelling (examples/overtime.toml lists every key)");
    } else if text.starts_with("missing field") {
        text.push_str("; every [[schedule.window]] needs days, start, end and modes");
    }
    text
}
