//! The policy: per GPU, which mode and why, from readings, activity, overrides, the schedule and
//! the money — a pure function of its arguments.
//!
//! Rules in priority order (ARCHITECTURE.md): 1 safety, 2 manual override, 3 game / user activity,
//! 4 thermal soft limit, 5 schedule, 6 profitability. Invariant: a GPU with a running paid
//! rental stays in `Rental` until the contract ends — no rule takes it away; the rules that
//! would have idled it unlist it instead (no new contracts) and say so in the reason.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::activity::{ActivityState, GameSignal};
use crate::config::{Config, Preference};
use crate::gpu::GpuTelemetry;
use crate::mode::{Mode, Override, effective_override};
use crate::money::Money;
use crate::reason::{Reason, Unavailable};
use crate::running_cost::RunningCost;
use crate::schedule::{Schedule, ScheduleState};
use crate::thermal::{self, PowerLimitAction, ThermalInput, ThermalState, ThermalVerdict};

/// What the rental provider reports for one GPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum RentalAvailability {
    /// No rental provider, or it cannot be used right now (the text says why).
    Unavailable { why: Unavailable },
    /// Ready to list; not listed now.
    Ready,
    /// Listed, nobody renting.
    Listed { until: Timestamp },
    /// A paid contract runs until `until`.
    Rented { until: Timestamp },
}

impl RentalAvailability {
    pub fn rented_until(&self, now: Timestamp) -> Option<Timestamp> {
        match self {
            RentalAvailability::Rented { until } if *until > now => Some(*until),
            _ => None,
        }
    }

    pub fn is_usable(&self) -> bool {
        !matches!(self, RentalAvailability::Unavailable { .. })
    }
}

/// What the volunteer provider reports for one GPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum VolunteerAvailability {
    Unavailable { why: Unavailable },
    Ready,
}

/// Per-GPU facts for one decision.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuInputs {
    pub telemetry: GpuTelemetry,
    pub rental: RentalAvailability,
    pub volunteer: VolunteerAvailability,
    pub can_set_power_limit: bool,
    /// What running this GPU costs in electricity per hour, priced by the agent at this
    /// instant's tariff from its best draw figure (`RunningCost::price`). It is the break-even
    /// a rental offer must beat by the margin. `None`: no draw known, profitability is not checked.
    pub running_cost: Option<RunningCost>,
}

/// Everything observed at one instant.
#[derive(Debug, Clone, Copy)]
pub struct PolicyInputs<'a> {
    pub gpus: &'a [GpuInputs],
    pub activity: &'a ActivityState,
}

/// The configuration compiled for deciding: built once per config load, not per tick.
#[derive(Debug, Clone)]
pub struct PolicySettings {
    pub config: Config,
    pub schedule: Schedule,
    pub tz: TimeZone,
}

impl PolicySettings {
    pub fn new(config: Config, tz: TimeZone) -> Self {
        let schedule = config.schedule();
        PolicySettings {
            config,
            schedule,
            tz,
        }
    }
}

/// The policy's memory of one GPU between decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuPolicyState {
    pub mode: Mode,
    pub since: Timestamp,
    pub reason: Reason,
    pub thermal: ThermalState,
    /// The last game seen on this GPU and when, for the resume grace period.
    pub last_game: Option<SeenGame>,
}

/// A game as the policy remembers it: what to call it, how it was seen, and when last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeenGame {
    pub name: String,
    pub signal: GameSignal,
    pub at: Timestamp,
}

/// The policy's memory between decisions, keyed by GPU UUID. Start with `default()`; the first
/// decision then adopts whatever the providers report (a running rental stays a rental).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PolicyState {
    pub gpus: BTreeMap<String, GpuPolicyState>,
}

/// What to do with one GPU.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuPlan {
    pub uuid: String,
    pub index: u32,
    pub mode: Mode,
    pub reason: Reason,
    /// The volunteer provider should crunch on this GPU (volunteer mode, or backfill while listed).
    pub volunteer_on: bool,
    /// The rental provider should list this GPU with this end date; `None` = unlisted.
    pub list_until: Option<Timestamp>,
    pub power: PowerLimitAction,
    /// The thermal guard's lowered power limit in force after this plan, in W.
    pub power_cap_w: Option<f64>,
    /// The mode differs from the previous decision.
    pub changed: bool,
}

/// The result of one decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub gpus: Vec<GpuPlan>,
    pub schedule: ScheduleState,
    /// The state to pass to the next decision.
    pub state: PolicyState,
    /// The earliest instant at which the plan may change without new input (a dwell, grace or
    /// cool-down ending, a schedule boundary, an override expiring).
    pub wake_at: Option<Timestamp>,
}

/// What rules 5–6 would pick, before dwell.
struct Choice {
    mode: Mode,
    reason: Reason,
    volunteer_on: bool,
    list_until: Option<Timestamp>,
}

/// Decide every GPU's mode. Pure: no clock, no I/O; the same arguments give the same plan.
pub fn decide(
    now: Timestamp,
    inputs: PolicyInputs<'_>,
    settings: &PolicySettings,
    overrides: &[Override],
    state: &PolicyState,
) -> Plan {
    let cfg = &settings.config;
    let sched = settings.schedule.at(now, &settings.tz);
    let mut wake_at = sched.next_change;
    let rental_allowed_until = if sched.modes.rental {
        Some(
            settings
                .schedule
                .allowed_until(Mode::Rental, now, &settings.tz),
        )
    } else {
        None
    };
    let max_listing =
        ceil_to_hour(now + SignedDuration::from_hours(i64::from(cfg.rental.max_listing_h)));
    let mut next_state = PolicyState::default();
    let mut plans = Vec::with_capacity(inputs.gpus.len());

    for gpu in inputs.gpus {
        let uuid = gpu.telemetry.gpu.uuid.as_str();
        let prev = state.gpus.get(uuid);
        let limits = cfg.thermal.limits_for(uuid, gpu.telemetry.gpu.index);
        let (verdict, thermal_state, mut power) = thermal::evaluate(
            ThermalInput {
                now,
                telemetry: &gpu.telemetry,
                limits: &limits,
                can_set_power_limit: gpu.can_set_power_limit,
            },
            &prev.map(|p| p.thermal).unwrap_or_default(),
        );
        let mut power_cap_w = thermal_state.power_cap_w;
        let rented_until = gpu.rental.rented_until(now);

        // Rule 3's memory: which game was last seen, to wait out the grace period after it exits.
        let game_now = inputs.activity.games_on(uuid).next().map(|g| SeenGame {
            name: g.name.clone(),
            signal: g.matched_by.signal(),
            at: now,
        });
        let last_game = match &game_now {
            Some(game) => Some(game.clone()),
            None => prev.and_then(|p| p.last_game.clone()),
        };
        let grace = SignedDuration::from_secs(cfg.activity.resume_grace_s as i64);

        let listing = |until: Option<Timestamp>| -> Option<Timestamp> {
            until.map(|u| u.min(max_listing)).filter(|u| *u > now)
        };

        let (mode, reason, volunteer_on, list_until) = 'rules: {
            // 1. Safety.
            match &verdict {
                ThermalVerdict::Critical { temp_c } => {
                    if rented_until.is_some() {
                        // The contract must not be broken, so heat is fought with the power limit.
                        let cap =
                            thermal::cap_for(&gpu.telemetry, &limits, gpu.can_set_power_limit)
                                .and_then(|_| min_power_limit(&gpu.telemetry));
                        if let Some(w) = cap {
                            power = PowerLimitAction::Set(w);
                            power_cap_w = Some(w);
                        }
                        break 'rules (
                            Mode::Rental,
                            Reason::CriticalTemperatureRentalCapped {
                                temp_c: *temp_c,
                                limit_c: limits.critical_limit_c,
                                power_limit_w: power_cap_w
                                    .or(gpu
                                        .telemetry
                                        .reading
                                        .as_ref()
                                        .and_then(|r| r.power_limit_w))
                                    .unwrap_or(0.0),
                            },
                            false,
                            None,
                        );
                    }
                    break 'rules (
                        Mode::Idle,
                        Reason::CriticalTemperature {
                            temp_c: *temp_c,
                            limit_c: limits.critical_limit_c,
                        },
                        false,
                        None,
                    );
                }
                ThermalVerdict::Stale { age_s, fault } => {
                    if let Some(until) = rented_until {
                        break 'rules (
                            Mode::Rental,
                            Reason::TelemetryStaleRentalKept {
                                rented_until: until,
                                fault: fault.clone(),
                            },
                            false,
                            None,
                        );
                    }
                    break 'rules (
                        Mode::Idle,
                        Reason::TelemetryStale {
                            age_s: *age_s,
                            fault: fault.clone(),
                        },
                        false,
                        None,
                    );
                }
                _ => {}
            }

            // 2. Manual override.
            if let Some(o) = effective_override(overrides, uuid, now) {
                if let Some(until) = o.until {
                    wake_at = earliest(wake_at, until);
                }
                break 'rules match (o.mode, rented_until) {
                    (Mode::Rental, _) if gpu.rental.is_usable() => (
                        Mode::Rental,
                        Reason::Override { until: o.until },
                        false,
                        listing(Some(o.until.unwrap_or(max_listing))),
                    ),
                    (Mode::Rental, _) => (
                        Mode::Idle,
                        Reason::OverrideUnavailable {
                            wanted: Mode::Rental,
                            why: rental_unavailable_why(&gpu.rental),
                        },
                        false,
                        None,
                    ),
                    (wanted, Some(until)) => (
                        Mode::Rental,
                        Reason::OverrideRentalKept {
                            wanted,
                            rented_until: until,
                        },
                        false,
                        None,
                    ),
                    (Mode::Volunteer, None) => match &gpu.volunteer {
                        VolunteerAvailability::Ready => (
                            Mode::Volunteer,
                            Reason::Override { until: o.until },
                            true,
                            None,
                        ),
                        VolunteerAvailability::Unavailable { why } => (
                            Mode::Idle,
                            Reason::OverrideUnavailable {
                                wanted: Mode::Volunteer,
                                why: why.clone(),
                            },
                            false,
                            None,
                        ),
                    },
                    (Mode::Idle, None) => {
                        (Mode::Idle, Reason::Override { until: o.until }, false, None)
                    }
                };
            }

            // 3. A game, or the user at the keyboard when they asked for that.
            let activity_reason = if let Some(game) = &game_now {
                Some(Reason::GameRunning {
                    game: game.name.clone(),
                    signal: game.signal,
                })
            } else if let Some(game) = &last_game
                && now < game.at + grace
            {
                wake_at = earliest(wake_at, game.at + grace);
                Some(Reason::GameExited {
                    game: game.name.clone(),
                    signal: game.signal,
                    resume_at: game.at + grace,
                })
            } else if cfg.activity.pause_when_user_active
                && let Some(idle) = inputs.activity.input_idle
                && idle.as_secs() < cfg.activity.user_idle_after_s
            {
                Some(Reason::UserActive {
                    idle_s: idle.as_secs(),
                })
            } else {
                None
            };
            if let Some(reason) = activity_reason {
                break 'rules match (rented_until, reason) {
                    (
                        Some(until),
                        Reason::GameRunning { game, signal }
                        | Reason::GameExited { game, signal, .. },
                    ) => (
                        Mode::Rental,
                        Reason::GameRentalKept {
                            game,
                            signal,
                            rented_until: until,
                        },
                        false,
                        None,
                    ),
                    (Some(until), _) => (Mode::Rental, Reason::Rented { until }, false, None),
                    (None, reason) => (Mode::Idle, reason, false, None),
                };
            }

            // 4. Thermal soft limit.
            if let ThermalVerdict::Cooling {
                temp_c,
                resume_below_c,
                resume_not_before,
            } = &verdict
            {
                if let Some(at) = resume_not_before {
                    wake_at = earliest(wake_at, *at);
                }
                if let Some(until) = rented_until {
                    break 'rules (Mode::Rental, Reason::Rented { until }, false, None);
                }
                break 'rules (
                    Mode::Idle,
                    Reason::ThermalCooling {
                        temp_c: *temp_c,
                        limit_c: limits.soft_limit_c,
                        resume_below_c: *resume_below_c,
                        resume_not_before: *resume_not_before,
                    },
                    false,
                    None,
                );
            }

            // 5–6. Schedule, then profitability.
            let choice = schedule_choice(
                now,
                gpu,
                settings,
                &sched,
                rental_allowed_until.flatten(),
                max_listing,
            );
            if let Some(until) = rented_until {
                // A contract in force: keep it, and keep listing only where the schedule allows.
                let list_until = if choice.mode == Mode::Rental {
                    choice.list_until
                } else {
                    None
                };
                break 'rules (Mode::Rental, Reason::Rented { until }, false, list_until);
            }
            let choice = apply_dwell(
                now,
                prev,
                choice,
                gpu,
                &sched,
                cfg.policy.min_dwell_s,
                &mut wake_at,
            );
            let reason = match (&verdict, choice.mode) {
                (
                    ThermalVerdict::PowerCapped {
                        temp_c,
                        power_limit_w,
                    },
                    Mode::Rental | Mode::Volunteer,
                ) => Reason::ThermalPowerCapped {
                    temp_c: *temp_c,
                    limit_c: limits.soft_limit_c,
                    power_limit_w: *power_limit_w,
                },
                _ => choice.reason,
            };
            (choice.mode, reason, choice.volunteer_on, choice.list_until)
        };

        if let Some(until) = rented_until {
            wake_at = earliest(wake_at, until);
        }
        let changed = prev.is_none_or(|p| p.mode != mode);
        let since = match prev {
            Some(p) if !changed => p.since,
            _ => now,
        };
        next_state.gpus.insert(
            uuid.to_owned(),
            GpuPolicyState {
                mode,
                since,
                reason: reason.clone(),
                thermal: ThermalState {
                    power_cap_w,
                    ..thermal_state
                },
                last_game: last_game.filter(|game| now < game.at + grace),
            },
        );
        plans.push(GpuPlan {
            uuid: uuid.to_owned(),
            index: gpu.telemetry.gpu.index,
            mode,
            reason,
            volunteer_on,
            list_until,
            power,
            power_cap_w,
            changed,
        });
    }

    Plan {
        gpus: plans,
        schedule: sched,
        state: next_state,
        wake_at,
    }
}

/// Rules 5 and 6 for one GPU: what the schedule allows, then what pays.
fn schedule_choice(
    now: Timestamp,
    gpu: &GpuInputs,
    settings: &PolicySettings,
    sched: &ScheduleState,
    rental_allowed_until: Option<Timestamp>,
    max_listing: Timestamp,
) -> Choice {
    let cfg = &settings.config;
    let volunteer_ready = matches!(gpu.volunteer, VolunteerAvailability::Ready);
    let volunteer_choice = |reason_if_not: Option<Reason>| -> Choice {
        if sched.modes.volunteer && volunteer_ready {
            Choice {
                mode: Mode::Volunteer,
                reason: reason_if_not.unwrap_or_else(|| Reason::ScheduleVolunteer {
                    window: sched.window_name.clone(),
                    // Inside a window, when the window ends; outside, when volunteering stops.
                    until: if sched.window.is_some() {
                        sched.next_change
                    } else {
                        settings
                            .schedule
                            .allowed_until(Mode::Volunteer, now, &settings.tz)
                    },
                }),
                volunteer_on: true,
                list_until: None,
            }
        } else {
            let reason = match (reason_if_not, sched.modes.volunteer, &gpu.volunteer) {
                (Some(r), _, _) => r,
                (None, true, VolunteerAvailability::Unavailable { why }) => Reason::NoProvider {
                    wanted: Mode::Volunteer,
                    why: why.clone(),
                },
                _ => Reason::ScheduleIdle {
                    window: sched.window_name.clone(),
                    next_work_at: next_work_at(now, settings),
                },
            };
            Choice {
                mode: Mode::Idle,
                reason,
                volunteer_on: false,
                list_until: None,
            }
        }
    };

    if !sched.modes.rental {
        return volunteer_choice(None);
    }
    if !gpu.rental.is_usable() {
        let mut c = volunteer_choice(None);
        if c.mode == Mode::Idle && !sched.modes.volunteer {
            c.reason = Reason::NoProvider {
                wanted: Mode::Rental,
                why: rental_unavailable_why(&gpu.rental),
            };
        }
        return c;
    }
    if cfg.policy.prefer == Preference::Volunteer && sched.modes.volunteer && volunteer_ready {
        return volunteer_choice(None);
    }

    let price = rental_price_in_electricity_currency(cfg);
    let cost = gpu.running_cost.as_ref();
    if let (Some(price), Some(cost)) = (&price, cost)
        // Compared only in one currency; a cost priced in another is not this config's.
        && price.currency == cost.per_hour.currency
    {
        let needed = cost.per_hour.amount
            * (Decimal::ONE + Decimal::from(cfg.rental.min_margin_pct) / Decimal::ONE_HUNDRED);
        if price.amount < needed {
            return volunteer_choice(Some(Reason::NotProfitable {
                price: price.clone(),
                cost: cost.clone(),
                margin_pct: cfg.rental.min_margin_pct,
            }));
        }
    }

    let until = rental_allowed_until.unwrap_or(max_listing).min(max_listing);
    if until <= now {
        return volunteer_choice(None);
    }
    let backfill = cfg.policy.backfill_volunteer
        && sched.modes.volunteer
        && volunteer_ready
        && matches!(
            gpu.rental,
            RentalAvailability::Ready | RentalAvailability::Listed { .. }
        );
    Choice {
        mode: Mode::Rental,
        reason: if backfill {
            Reason::ListedBackfill {
                until,
                price,
                cost: cost.cloned(),
            }
        } else {
            Reason::Listed {
                until,
                price,
                cost: cost.cloned(),
            }
        },
        volunteer_on: backfill,
        list_until: Some(until),
    }
}

/// Keep a GPU in its current automatic mode until its minimum dwell time is over, so that the
/// profitability comparison cannot flap. Only choices between modes the schedule still allows
/// are held; schedule boundaries, games, overrides and heat act at once.
fn apply_dwell(
    now: Timestamp,
    prev: Option<&GpuPolicyState>,
    choice: Choice,
    gpu: &GpuInputs,
    sched: &ScheduleState,
    min_dwell_s: u64,
    wake_at: &mut Option<Timestamp>,
) -> Choice {
    let Some(prev) = prev else { return choice };
    if prev.mode == choice.mode || min_dwell_s == 0 {
        return choice;
    }
    let automatic = matches!(
        prev.reason,
        Reason::Listed { .. }
            | Reason::ListedBackfill { .. }
            | Reason::NotProfitable { .. }
            | Reason::ScheduleVolunteer { .. }
            | Reason::Dwell { .. }
    );
    let still_possible = sched.modes.allows(prev.mode)
        && match prev.mode {
            Mode::Rental => gpu.rental.is_usable(),
            Mode::Volunteer => matches!(gpu.volunteer, VolunteerAvailability::Ready),
            Mode::Idle => true,
        };
    let until = prev.since + SignedDuration::from_secs(min_dwell_s as i64);
    if !automatic || !still_possible || now >= until {
        return choice;
    }
    *wake_at = earliest(*wake_at, until);
    let (volunteer_on, list_until) = match prev.mode {
        Mode::Rental => (
            matches!(prev.reason, Reason::ListedBackfill { .. })
                && matches!(gpu.volunteer, VolunteerAvailability::Ready),
            match &prev.reason {
                Reason::Listed { until, .. } | Reason::ListedBackfill { until, .. } => {
                    Some(*until).filter(|u| *u > now)
                }
                _ => None,
            },
        ),
        Mode::Volunteer => (true, None),
        Mode::Idle => (false, None),
    };
    Choice {
        mode: prev.mode,
        reason: Reason::Dwell {
            wanted: choice.mode,
            until,
        },
        volunteer_on,
        list_until,
    }
}

/// The rental price converted into the electricity currency, if that can be done exactly.
fn rental_price_in_electricity_currency(cfg: &Config) -> Option<Money> {
    let price = cfg.rental.price_per_gpu_hour;
    if cfg.rental.currency == cfg.electricity.currency {
        Some(Money::new(price, cfg.electricity.currency.clone()))
    } else {
        cfg.rental
            .exchange_rate
            .map(|rate| Money::new(price * rate, cfg.electricity.currency.clone()))
    }
}

fn next_work_at(now: Timestamp, settings: &PolicySettings) -> Option<Timestamp> {
    let r = settings
        .schedule
        .next_allowed(Mode::Rental, now, &settings.tz);
    let v = settings
        .schedule
        .next_allowed(Mode::Volunteer, now, &settings.tz);
    match (r, v) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn rental_unavailable_why(rental: &RentalAvailability) -> Unavailable {
    match rental {
        RentalAvailability::Unavailable { why } => why.clone(),
        _ => Unavailable::NotSetUp,
    }
}

fn min_power_limit(t: &GpuTelemetry) -> Option<f64> {
    t.reading.as_ref().and_then(|r| r.power_limit_min_w)
}

/// Rounded up to a whole hour, so the renewed end date changes once an hour, not every tick.
fn ceil_to_hour(t: Timestamp) -> Timestamp {
    let s = t.as_second();
    let up = s.div_euclid(3600) * 3600
        + if s.rem_euclid(3600) == 0 && t.subsec_nanosecond() == 0 {
            0
        } else {
            3600
        };
    Timestamp::from_second(up).unwrap_or(t)
}

fn earliest(a: Option<Timestamp>, b: Timestamp) -> Option<Timestamp> {
    Some(a.map_or(b, |a| a.min(b)))
}
