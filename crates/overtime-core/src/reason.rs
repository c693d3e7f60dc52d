//! Why a GPU is in its mode: a value with data, rendered to one plain sentence.
//!
//! The same sentence reaches the UI, the tray tooltip, the log, the API and `/metrics`, so the
//! user always sees one consistent explanation.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::mode::Mode;
use crate::money::Money;
use crate::running_cost::RunningCost;

/// The rule that chose a GPU's mode, with the facts it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// The agent has just started and has not decided yet.
    Starting,
    /// The agent is stopping and left the GPU in a safe state.
    Stopped,
    /// Temperature at or over the critical limit.
    CriticalTemperature { temp_c: f64, limit_c: f64 },
    /// Critical temperature on a rented GPU: the contract keeps running at a lowered power limit.
    CriticalTemperatureRentalCapped {
        temp_c: f64,
        limit_c: f64,
        power_limit_w: f64,
    },
    /// No trustworthy reading for too long (or the GPU stopped answering).
    TelemetryStale {
        age_s: Option<u64>,
        fault: Option<String>,
    },
    /// Telemetry is stale on a rented GPU: the contract is not broken, the GPU is unlisted.
    TelemetryStaleRentalKept {
        rented_until: Timestamp,
        fault: Option<String>,
    },
    /// A manual override from the tray or the CLI.
    Override { until: Option<Timestamp> },
    /// The override asks for a mode no provider can serve right now.
    OverrideUnavailable { wanted: Mode, why: String },
    /// The override asks for something else, but a paid rental runs until `rented_until`.
    OverrideRentalKept {
        wanted: Mode,
        rented_until: Timestamp,
    },
    /// A game (or listed app) is using the GPU.
    GameRunning { game: String },
    /// A game runs, but a paid rental on this GPU continues (never broken for a game).
    GameRentalKept {
        game: String,
        rented_until: Timestamp,
    },
    /// The game exited; work resumes after a short grace period.
    GameExited { game: String, resume_at: Timestamp },
    /// The user is at the keyboard and asked for work to pause then.
    UserActive { idle_s: u64 },
    /// Over the soft limit: working at a lowered power limit for now.
    ThermalPowerCapped {
        temp_c: f64,
        limit_c: f64,
        power_limit_w: f64,
    },
    /// Over the soft limit (or cooling back down): paused until cool enough for long enough.
    ThermalCooling {
        temp_c: Option<f64>,
        limit_c: f64,
        resume_below_c: f64,
        resume_not_before: Option<Timestamp>,
    },
    /// A paid rental contract is running.
    Rented { until: Timestamp },
    /// Listed for rent: the schedule allows it and the price beats the electricity cost.
    /// `price` is the offer in the electricity currency (`None`: no exchange rate to compare
    /// with); `cost` what running the GPU costs per hour (`None`: no draw known).
    Listed {
        until: Timestamp,
        price: Option<Money>,
        cost: Option<RunningCost>,
    },
    /// Listed for rent and, until a renter comes, volunteer work uses the GPU; `price` and
    /// `cost` as for `Listed`.
    ListedBackfill {
        until: Timestamp,
        #[serde(default)]
        price: Option<Money>,
        #[serde(default)]
        cost: Option<RunningCost>,
    },
    /// The schedule allows volunteer work (in a window or by default).
    ScheduleVolunteer {
        window: Option<String>,
        until: Option<Timestamp>,
    },
    /// The schedule allows neither rental nor volunteer work now.
    ScheduleIdle {
        window: Option<String>,
        next_work_at: Option<Timestamp>,
    },
    /// Renting would not beat electricity by the user's margin: `price` is the offer in the
    /// electricity currency, `cost` what running the GPU costs per hour (the break-even price).
    NotProfitable {
        price: Money,
        cost: RunningCost,
        margin_pct: u32,
    },
    /// The schedule allows a mode, but no provider for it is available.
    NoProvider { wanted: Mode, why: String },
    /// The profitable choice changed, but the GPU keeps its mode until the minimum dwell time ends.
    Dwell { wanted: Mode, until: Timestamp },
}

impl Reason {
    /// The plain sentence for this reason (without the mode), times in `tz`.
    pub fn sentence(&self, tz: &TimeZone) -> String {
        let t = |ts: &Timestamp| clock(ts, tz);
        match self {
            Reason::Starting => "starting up".into(),
            Reason::Stopped => "Overtime stopped; work handed back".into(),
            Reason::CriticalTemperature { temp_c, limit_c } => {
                format!(
                    "{temp_c:.0} °C reached the critical limit of {limit_c:.0} °C, all work stopped"
                )
            }
            Reason::CriticalTemperatureRentalCapped {
                temp_c,
                limit_c,
                power_limit_w,
            } => format!(
                "{temp_c:.0} °C reached the critical limit of {limit_c:.0} °C; the rental keeps running at a {power_limit_w:.0} W power limit and the GPU is unlisted"
            ),
            Reason::TelemetryStale { age_s, fault } => match (fault, age_s) {
                (Some(f), _) => format!("no trustworthy sensor reading ({f})"),
                (None, Some(a)) => format!("no sensor reading for {a} s"),
                (None, None) => "no sensor reading yet".into(),
            },
            Reason::TelemetryStaleRentalKept {
                rented_until,
                fault,
            } => format!(
                "sensors not answering{}; the rental runs until {} and is not broken, the GPU is unlisted",
                fault
                    .as_ref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default(),
                t(rented_until)
            ),
            Reason::Override { until } => match until {
                Some(u) => format!("set by you until {}", t(u)),
                None => "set by you until you resume".into(),
            },
            Reason::OverrideUnavailable { wanted, why } => {
                format!("you asked for {}, but {why}", wanted.as_str())
            }
            Reason::OverrideRentalKept {
                wanted,
                rented_until,
            } => format!(
                "you asked for {}; the paid rental runs until {} and is not broken",
                wanted.as_str(),
                t(rented_until)
            ),
            Reason::GameRunning { game } => format!("game running: {game}"),
            Reason::GameRentalKept { game, rented_until } => format!(
                "game running: {game}; the paid rental runs until {} and is not broken",
                t(rented_until)
            ),
            Reason::GameExited { game, resume_at } => {
                format!("{game} exited, resuming at {}", t(resume_at))
            }
            Reason::UserActive { idle_s } => {
                format!("you are at the computer (last input {idle_s} s ago)")
            }
            Reason::ThermalPowerCapped {
                temp_c,
                limit_c,
                power_limit_w,
            } => format!(
                "{temp_c:.0} °C over the {limit_c:.0} °C limit, power limited to {power_limit_w:.0} W"
            ),
            Reason::ThermalCooling {
                temp_c,
                limit_c,
                resume_below_c,
                resume_not_before,
            } => {
                let now = match temp_c {
                    Some(c) => format!("{c:.0} °C, "),
                    None => String::new(),
                };
                match resume_not_before {
                    Some(at) => format!(
                        "{now}cooling after going over the {limit_c:.0} °C limit; resumes at {} if it stays under {resume_below_c:.0} °C",
                        t(at)
                    ),
                    None => format!(
                        "{now}over the {limit_c:.0} °C limit, cooling; resumes once under {resume_below_c:.0} °C"
                    ),
                }
            }
            Reason::Rented { until } => format!("rented until {}", t(until)),
            Reason::Listed { until, price, cost } => {
                format!("listed for rent until {}{}", t(until), offer(price, cost))
            }
            Reason::ListedBackfill { until, price, cost } => format!(
                "listed for rent until {}{}; volunteering until a renter comes",
                t(until),
                offer(price, cost)
            ),
            Reason::ScheduleVolunteer { window, until } => match (window, until) {
                (Some(w), Some(u)) => format!("schedule window \"{w}\" until {}", t(u)),
                (Some(w), None) => format!("schedule window \"{w}\""),
                (None, Some(u)) => format!("outside schedule windows until {}", t(u)),
                (None, None) => "allowed by the schedule".into(),
            },
            Reason::ScheduleIdle {
                window,
                next_work_at,
            } => {
                let why = match window {
                    Some(w) => format!("schedule window \"{w}\" keeps the GPU idle"),
                    None => "the schedule allows no work now".to_owned(),
                };
                match next_work_at {
                    Some(n) => format!("{why}; work may start at {}", t(n)),
                    None => why,
                }
            }
            Reason::NotProfitable {
                price,
                cost,
                margin_pct,
            } => format!(
                "renting at {}/h does not beat electricity by {margin_pct} %: {}",
                price.round_dp(4),
                cost.describe()
            ),
            Reason::NoProvider { wanted, why } => format!("{} allowed, but {why}", wanted.label()),
            Reason::Dwell { wanted, until } => format!(
                "staying put until {} before switching to {} (minimum time in a mode)",
                t(until),
                wanted.as_str()
            ),
        }
    }

    /// A stable short name for metrics labels and logs (`game_running`).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Starting => "starting",
            Reason::Stopped => "stopped",
            Reason::CriticalTemperature { .. } => "critical_temperature",
            Reason::CriticalTemperatureRentalCapped { .. } => "critical_temperature_rental_capped",
            Reason::TelemetryStale { .. } => "telemetry_stale",
            Reason::TelemetryStaleRentalKept { .. } => "telemetry_stale_rental_kept",
            Reason::Override { .. } => "override",
            Reason::OverrideUnavailable { .. } => "override_unavailable",
            Reason::OverrideRentalKept { .. } => "override_rental_kept",
            Reason::GameRunning { .. } => "game_running",
            Reason::GameRentalKept { .. } => "game_rental_kept",
            Reason::GameExited { .. } => "game_exited",
            Reason::UserActive { .. } => "user_active",
            Reason::ThermalPowerCapped { .. } => "thermal_power_capped",
            Reason::ThermalCooling { .. } => "thermal_cooling",
            Reason::Rented { .. } => "rented",
            Reason::Listed { .. } => "listed",
            Reason::ListedBackfill { .. } => "listed_backfill",
            Reason::ScheduleVolunteer { .. } => "schedule_volunteer",
            Reason::ScheduleIdle { .. } => "schedule_idle",
            Reason::NotProfitable { .. } => "not_profitable",
            Reason::NoProvider { .. } => "no_provider",
            Reason::Dwell { .. } => "dwell",
        }
    }

    /// "Idle — game running: eldenring.exe".
    pub fn with_mode(&self, mode: Mode, tz: &TimeZone) -> String {
        format!("{} — {}", mode.label(), self.sentence(tz))
    }
}

/// The offer against the break-even price, or what is missing to compare them.
fn offer(price: &Option<Money>, cost: &Option<RunningCost>) -> String {
    match (price, cost) {
        (Some(p), Some(c)) => format!(" at {}/h; electricity {}", p.round_dp(4), c.describe()),
        (Some(p), None) => format!(
            " at {}/h; electricity cost unknown (no power figure for this GPU)",
            p.round_dp(4)
        ),
        (None, Some(c)) => format!(
            "; electricity {}, not compared (no exchange rate to the rental currency)",
            c.describe()
        ),
        (None, None) => String::new(),
    }
}

/// Local wall-clock time for sentences: "18:00" today-ish, with the weekday and date when it is
/// not within the next day so "until 18:00" is never ambiguous about which day.
fn clock(ts: &Timestamp, tz: &TimeZone) -> String {
    let z = ts.to_zoned_datetime(tz.clone());
    format!(
        "{} {:02}:{:02}",
        z.strftime("%a %d %b"),
        z.hour(),
        z.minute()
    )
}
