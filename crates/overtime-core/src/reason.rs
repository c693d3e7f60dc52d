//! Why a GPU is in its mode: a value with data, rendered to one plain sentence per language.
//!
//! The reason travels as data; each front end renders it with the one catalogue in its
//! user's language (the window and the tray in the system's, the log, the API and `/metrics`
//! in English), so every place says the same thing and none has its own wording.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use overtime_i18n::Catalogue;
use serde::{Deserialize, Serialize};

use crate::activity::GameSignal;
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
    OverrideUnavailable { wanted: Mode, why: Unavailable },
    /// The override asks for something else, but a paid rental runs until `rented_until`.
    OverrideRentalKept {
        wanted: Mode,
        rented_until: Timestamp,
    },
    /// A game (or listed app) is using the GPU.
    GameRunning {
        game: String,
        #[serde(default)]
        signal: GameSignal,
    },
    /// A game runs, but a paid rental on this GPU continues (never broken for a game).
    GameRentalKept {
        game: String,
        #[serde(default)]
        signal: GameSignal,
        rented_until: Timestamp,
    },
    /// The game exited (or left full screen); work resumes after a short grace period.
    GameExited {
        game: String,
        #[serde(default)]
        signal: GameSignal,
        resume_at: Timestamp,
    },
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
    NoProvider { wanted: Mode, why: Unavailable },
    /// The profitable choice changed, but the GPU keeps its mode until the minimum dwell time ends.
    Dwell { wanted: Mode, until: Timestamp },
}

/// Why no provider can serve a mode right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Unavailable {
    /// No provider of that kind is configured.
    NotSetUp,
    /// The provider has not answered since it started.
    NotReported { provider: String },
    /// The provider reports an error, in its own words (what happened and what to do).
    Failed { error: String },
}

impl Unavailable {
    /// The clause after "but …", for a provider of `kind`'s mode.
    pub fn text(&self, kind: Mode, catalogue: Catalogue) -> String {
        match self {
            Unavailable::NotSetUp => catalogue.text(
                match kind {
                    Mode::Rental => "unavailable-rental-notSetUp",
                    Mode::Volunteer | Mode::Idle => "unavailable-volunteer-notSetUp",
                },
                &[],
            ),
            Unavailable::NotReported { provider } => {
                catalogue.text("unavailable-notReported", &[("provider", provider)])
            }
            Unavailable::Failed { error } => error.clone(),
        }
    }
}

impl Reason {
    /// The plain sentence for this reason (without the mode) in `catalogue`'s language, times
    /// in `tz`.
    pub fn sentence(&self, catalogue: Catalogue, tz: &TimeZone) -> String {
        let c = catalogue;
        let t = |ts: &Timestamp| clock(ts, tz, c);
        let text = |id: &str, args: &[(&str, &str)]| c.text(id, args);
        match self {
            Reason::Starting => text("reason-starting", &[]),
            Reason::Stopped => text("reason-stopped", &[]),
            Reason::CriticalTemperature { temp_c, limit_c } => text(
                "reason-criticalTemperature",
                &[("temp", &celsius(*temp_c)), ("limit", &celsius(*limit_c))],
            ),
            Reason::CriticalTemperatureRentalCapped {
                temp_c,
                limit_c,
                power_limit_w,
            } => text(
                "reason-criticalTemperatureRentalCapped",
                &[
                    ("temp", &celsius(*temp_c)),
                    ("limit", &celsius(*limit_c)),
                    ("power", &watts(*power_limit_w)),
                ],
            ),
            Reason::TelemetryStale { age_s, fault } => match (fault, age_s) {
                (Some(f), _) => text("reason-telemetryStale-fault", &[("fault", f)]),
                (None, Some(a)) => {
                    text("reason-telemetryStale-age", &[("seconds", &a.to_string())])
                }
                (None, None) => text("reason-telemetryStale-none", &[]),
            },
            Reason::TelemetryStaleRentalKept {
                rented_until,
                fault,
            } => match fault {
                Some(f) => text(
                    "reason-telemetryStaleRentalKept-fault",
                    &[("fault", f), ("until", &t(rented_until))],
                ),
                None => text(
                    "reason-telemetryStaleRentalKept",
                    &[("until", &t(rented_until))],
                ),
            },
            Reason::Override { until } => match until {
                Some(u) => text("reason-override-until", &[("until", &t(u))]),
                None => text("reason-override-resume", &[]),
            },
            Reason::OverrideUnavailable { wanted, why } => text(
                "reason-overrideUnavailable",
                &[
                    ("mode", &mode_word(*wanted, c)),
                    ("why", &why.text(*wanted, c)),
                ],
            ),
            Reason::OverrideRentalKept {
                wanted,
                rented_until,
            } => text(
                "reason-overrideRentalKept",
                &[
                    ("mode", &mode_word(*wanted, c)),
                    ("until", &t(rented_until)),
                ],
            ),
            Reason::GameRunning { game, signal } => {
                let id = match signal {
                    GameSignal::Process => "reason-gameRunning",
                    GameSignal::FullScreen => "reason-gameRunning-fullScreen",
                    GameSignal::Steam => "reason-gameRunning-steam",
                };
                text(id, &[("game", game)])
            }
            Reason::GameRentalKept {
                game,
                signal,
                rented_until,
            } => {
                let id = match signal {
                    GameSignal::Process => "reason-gameRentalKept",
                    GameSignal::FullScreen => "reason-gameRentalKept-fullScreen",
                    GameSignal::Steam => "reason-gameRentalKept-steam",
                };
                text(id, &[("game", game), ("until", &t(rented_until))])
            }
            Reason::GameExited {
                game,
                signal,
                resume_at,
            } => {
                let id = match signal {
                    GameSignal::Process => "reason-gameExited",
                    GameSignal::FullScreen => "reason-gameExited-fullScreen",
                    GameSignal::Steam => "reason-gameExited-steam",
                };
                text(id, &[("game", game), ("at", &t(resume_at))])
            }
            Reason::UserActive { idle_s } => {
                text("reason-userActive", &[("seconds", &idle_s.to_string())])
            }
            Reason::ThermalPowerCapped {
                temp_c,
                limit_c,
                power_limit_w,
            } => text(
                "reason-thermalPowerCapped",
                &[
                    ("temp", &celsius(*temp_c)),
                    ("limit", &celsius(*limit_c)),
                    ("power", &watts(*power_limit_w)),
                ],
            ),
            Reason::ThermalCooling {
                temp_c,
                limit_c,
                resume_below_c,
                resume_not_before,
            } => {
                let limit = celsius(*limit_c);
                let resume = celsius(*resume_below_c);
                let temp = temp_c.map(celsius);
                let at = resume_not_before.as_ref().map(t);
                let mut args = vec![("limit", limit.as_str()), ("resume", resume.as_str())];
                if let Some(a) = &at {
                    args.push(("at", a));
                }
                if let Some(now) = &temp {
                    args.push(("temp", now));
                }
                let id = match (at.is_some(), temp.is_some()) {
                    (true, true) => "reason-thermalCooling-at-now",
                    (true, false) => "reason-thermalCooling-at",
                    (false, true) => "reason-thermalCooling-below-now",
                    (false, false) => "reason-thermalCooling-below",
                };
                text(id, &args)
            }
            Reason::Rented { until } => text("reason-rented", &[("until", &t(until))]),
            Reason::Listed { until, price, cost } => listed(&t(until), price, cost, c),
            Reason::ListedBackfill { until, price, cost } => text(
                "reason-backfill",
                &[("listed", &listed(&t(until), price, cost, c))],
            ),
            Reason::ScheduleVolunteer { window, until } => match (window, until) {
                (Some(w), Some(u)) => text(
                    "reason-scheduleVolunteer-windowUntil",
                    &[("window", w), ("until", &t(u))],
                ),
                (Some(w), None) => text("reason-scheduleVolunteer-window", &[("window", w)]),
                (None, Some(u)) => text("reason-scheduleVolunteer-until", &[("until", &t(u))]),
                (None, None) => text("reason-scheduleVolunteer", &[]),
            },
            Reason::ScheduleIdle {
                window,
                next_work_at,
            } => {
                let why = match window {
                    Some(w) => text("reason-scheduleIdle-window", &[("window", w)]),
                    None => text("reason-scheduleIdle", &[]),
                };
                match next_work_at {
                    Some(n) => text("reason-scheduleIdle-next", &[("why", &why), ("at", &t(n))]),
                    None => why,
                }
            }
            Reason::NotProfitable {
                price,
                cost,
                margin_pct,
            } => text(
                "reason-notProfitable",
                &[
                    ("price", &price.price_text(c)),
                    ("margin", &margin_pct.to_string()),
                    ("cost", &cost.describe(c)),
                ],
            ),
            Reason::NoProvider { wanted, why } => text(
                "reason-noProvider",
                &[("mode", &wanted.text(c)), ("why", &why.text(*wanted, c))],
            ),
            Reason::Dwell { wanted, until } => text(
                "reason-dwell",
                &[("until", &t(until)), ("mode", &mode_word(*wanted, c))],
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

    /// "Idle — game running: eldenring.exe" in `catalogue`'s language.
    pub fn with_mode(&self, mode: Mode, catalogue: Catalogue, tz: &TimeZone) -> String {
        catalogue.text(
            "reason-withMode",
            &[
                ("mode", &mode.text(catalogue)),
                ("sentence", &self.sentence(catalogue, tz)),
            ],
        )
    }
}

/// The mode as a word inside a sentence ("you asked for rental").
fn mode_word(mode: Mode, catalogue: Catalogue) -> String {
    catalogue.text(
        match mode {
            Mode::Rental => "reason-mode-rental",
            Mode::Volunteer => "reason-mode-volunteer",
            Mode::Idle => "reason-mode-idle",
        },
        &[],
    )
}

/// "listed for rent until …" with the offer against the break-even price, or what is missing
/// to compare them.
fn listed(until: &str, price: &Option<Money>, cost: &Option<RunningCost>, c: Catalogue) -> String {
    match (price, cost) {
        (Some(p), Some(cost)) => c.text(
            "reason-listed-offer",
            &[
                ("until", until),
                ("price", &p.price_text(c)),
                ("cost", &cost.describe(c)),
            ],
        ),
        (Some(p), None) => c.text(
            "reason-listed-noCost",
            &[("until", until), ("price", &p.price_text(c))],
        ),
        (None, Some(cost)) => c.text(
            "reason-listed-noRate",
            &[("until", until), ("cost", &cost.describe(c))],
        ),
        (None, None) => c.text("reason-listed", &[("until", until)]),
    }
}

fn celsius(v: f64) -> String {
    format!("{v:.0} °C")
}

fn watts(v: f64) -> String {
    format!("{v:.0} W")
}

/// Local wall-clock time for sentences, with the weekday and date so "until 18:00" is never
/// ambiguous about which day: "Wed 25 Nov 18:00", "Mi., 25. Nov. 18:00".
fn clock(ts: &Timestamp, tz: &TimeZone, catalogue: Catalogue) -> String {
    let z = ts.to_zoned_datetime(tz.clone());
    let weekday = catalogue.text(&format!("day-{}", z.weekday().to_monday_zero_offset()), &[]);
    let month = catalogue.text(&format!("month-{}", z.month()), &[]);
    catalogue.text(
        "when-dayTime",
        &[
            ("weekday", &weekday),
            ("day", &format!("{:02}", z.day())),
            ("month", &month),
            ("time", &format!("{:02}:{:02}", z.hour(), z.minute())),
        ],
    )
}
