//! The policy's rules, one behaviour per test, in the priority order of ARCHITECTURE.md:
//! safety, override, game/activity, thermal, schedule, profitability.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_core::activity::{ActivityState, FullScreenState, GameMatch, GameSignal, RunningGame};
use overtime_core::config::{Config, Preference, WindowConfig};
use overtime_core::gpu::{GpuId, GpuReading, GpuTelemetry};
use overtime_core::i18n::Catalogue;
use overtime_core::mode::{Mode, Override, OverrideScope};
use overtime_core::policy::{
    GpuInputs, Plan, PolicyInputs, PolicySettings, PolicyState, RentalAvailability,
    VolunteerAvailability, decide,
};
use overtime_core::reason::{Reason, Unavailable};
use overtime_core::running_cost::{DrawSource, RunningCost, WorkingDraw};
use overtime_core::thermal::PowerLimitAction;

fn tz() -> TimeZone {
    TimeZone::get("Europe/Berlin").unwrap()
}

/// Local Berlin time on 2026-11-24 (a Tuesday).
fn at(hh: i8, mm: i8) -> Timestamp {
    jiff::civil::date(2026, 11, 24)
        .at(hh, mm, 0, 0)
        .to_zoned_datetime(tz())
        .unwrap()
        .timestamp()
}

fn noon() -> Timestamp {
    at(12, 0)
}

fn gpu(uuid: &str, index: u32, temp_c: f64, now: Timestamp) -> GpuInputs {
    GpuInputs {
        telemetry: GpuTelemetry {
            gpu: GpuId {
                uuid: uuid.into(),
                index,
                name: "Test GPU".into(),
            },
            reading: Some(GpuReading {
                temp_c: Some(temp_c),
                power_w: Some(250.0),
                power_limit_w: Some(300.0),
                power_limit_default_w: Some(300.0),
                power_limit_min_w: Some(100.0),
                power_limit_max_w: Some(350.0),
                ..GpuReading::default()
            }),
            read_at: Some(now),
            fault: None,
        },
        rental: RentalAvailability::Ready,
        volunteer: VolunteerAvailability::Ready,
        can_set_power_limit: false,
        // Priced by `Case::decide`, as the agent prices it every pass.
        running_cost: None,
    }
}

/// Rental pays by default here: 0.25 USD/h against 0.30 USD/kWh × 0.3 kW = 0.09 USD/h (the
/// 300 W power limit, as no working draw was measured).
fn config() -> Config {
    let mut c = Config::default();
    c.policy.min_dwell_s = 0;
    c
}

fn window(days: &[&str], start: &str, end: &str, modes: &[Mode]) -> WindowConfig {
    WindowConfig {
        name: Some(format!("{start}-{end}")),
        days: days.iter().map(|d| d.to_string()).collect(),
        start: start.into(),
        end: end.into(),
        modes: modes.to_vec(),
    }
}

fn game(name: &str, gpus: &[&str]) -> RunningGame {
    RunningGame {
        name: name.into(),
        pid: Some(4242),
        gpu_uuids: gpus.iter().map(|g| g.to_string()).collect(),
        matched_by: GameMatch::Pattern {
            pattern: name.into(),
        },
    }
}

fn override_all(mode: Mode, until: Option<Timestamp>) -> Override {
    Override {
        mode,
        scope: OverrideScope::AllGpus,
        until,
        set_at: noon() - SignedDuration::from_mins(1),
    }
}

struct Case {
    now: Timestamp,
    gpus: Vec<GpuInputs>,
    activity: ActivityState,
    config: Config,
    overrides: Vec<Override>,
    state: PolicyState,
    /// The ledger's average draw while working, as the agent reads it (all GPUs alike).
    recent_draw_w: Option<f64>,
    /// The GPUs work now, so their live power reading tells what work draws.
    working_now: bool,
}

impl Case {
    fn new() -> Case {
        Case {
            now: noon(),
            gpus: vec![gpu("GPU-A", 0, 60.0, noon())],
            activity: ActivityState::default(),
            config: config(),
            overrides: Vec::new(),
            state: PolicyState::default(),
            recent_draw_w: None,
            working_now: false,
        }
    }

    /// Move the clock, with fresh readings (as the supervisor samples every tick).
    fn advance_to(&mut self, now: Timestamp) {
        self.now = now;
        for g in &mut self.gpus {
            g.telemetry.read_at = Some(now);
        }
    }

    /// What the agent does each pass: pick each GPU's best draw figure and price it at the
    /// tariff in force now, then decide.
    fn decide(&self) -> Plan {
        let settings = PolicySettings::new(self.config.clone(), tz());
        let gpus: Vec<GpuInputs> = self
            .gpus
            .iter()
            .cloned()
            .map(|mut g| {
                g.running_cost = WorkingDraw::pick(
                    self.recent_draw_w,
                    g.telemetry.reading.as_ref(),
                    self.working_now,
                )
                .map(|d| RunningCost::price(&d, &self.config.electricity, self.now, &tz()));
                g
            })
            .collect();
        decide(
            self.now,
            PolicyInputs {
                gpus: &gpus,
                activity: &self.activity,
            },
            &settings,
            &self.overrides,
            &self.state,
        )
    }
}

#[test]
fn by_default_a_profitable_gpu_is_listed_with_volunteer_backfill() {
    let plan = Case::new().decide();
    let g = &plan.gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert!(
        matches!(g.reason, Reason::ListedBackfill { .. }),
        "{:?}",
        g.reason
    );
    assert!(g.volunteer_on);
    assert_eq!(
        g.list_until,
        Some(noon() + SignedDuration::from_hours(24)),
        "max_listing_h caps the end date"
    );
    assert!(g.changed);
}

#[test]
fn without_backfill_the_listing_reason_shows_price_and_cost() {
    let mut c = Case::new();
    c.config.policy.backfill_volunteer = false;
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert!(!g.volunteer_on);
    match &g.reason {
        Reason::Listed {
            price: Some(p),
            cost: Some(cost),
            ..
        } => {
            assert_eq!(p.amount.normalize().to_string(), "0.25");
            assert_eq!(cost.per_hour.amount.normalize().to_string(), "0.09");
            assert_eq!(cost.gpu_power_w, 300);
            assert_eq!(cost.source, DrawSource::PowerLimit);
        }
        other => panic!("expected Listed with money, got {other:?}"),
    }
}

// ---- 1. Safety --------------------------------------------------------------------------

#[test]
fn critical_temperature_beats_a_manual_override() {
    let mut c = Case::new();
    c.gpus[0] = gpu("GPU-A", 0, 95.0, noon());
    c.overrides = vec![override_all(Mode::Volunteer, None)];
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Idle);
    assert!(
        matches!(g.reason, Reason::CriticalTemperature { temp_c, limit_c } if temp_c == 95.0 && limit_c == 90.0)
    );
    assert!(!g.volunteer_on);
    assert_eq!(g.list_until, None);
}

#[test]
fn stale_telemetry_stops_work() {
    let mut c = Case::new();
    c.gpus[0].telemetry.read_at = Some(noon() - SignedDuration::from_secs(11));
    c.gpus[0].telemetry.fault = Some("GPU has fallen off the bus".into());
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Idle);
    assert!(
        matches!(&g.reason, Reason::TelemetryStale { fault: Some(f), .. } if f.contains("fallen off"))
    );
}

#[test]
fn stale_telemetry_on_a_rented_gpu_keeps_the_contract_and_unlists() {
    let mut c = Case::new();
    c.gpus[0].telemetry.read_at = None;
    c.gpus[0].rental = RentalAvailability::Rented { until: at(15, 0) };
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert!(
        matches!(g.reason, Reason::TelemetryStaleRentalKept { rented_until, .. } if rented_until == at(15, 0))
    );
    assert_eq!(g.list_until, None);
}

#[test]
fn critical_temperature_on_a_rented_gpu_cuts_the_power_limit_instead_of_breaking_the_contract() {
    let mut c = Case::new();
    c.config.thermal.limits.power_limit_control = true;
    c.gpus[0] = gpu("GPU-A", 0, 92.0, noon());
    c.gpus[0].can_set_power_limit = true;
    c.gpus[0].rental = RentalAvailability::Rented { until: at(15, 0) };
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert_eq!(g.power, PowerLimitAction::Set(100.0));
    assert!(
        matches!(g.reason, Reason::CriticalTemperatureRentalCapped { power_limit_w, .. } if power_limit_w == 100.0)
    );
    assert_eq!(g.list_until, None);
}

// ---- 2. Override ------------------------------------------------------------------------

#[test]
fn an_override_beats_a_running_game() {
    let mut c = Case::new();
    c.activity.games = vec![game("eldenring.exe", &[])];
    c.overrides = vec![override_all(Mode::Volunteer, Some(at(13, 0)))];
    let plan = c.decide();
    let g = &plan.gpus[0];
    assert_eq!(g.mode, Mode::Volunteer);
    assert!(g.volunteer_on);
    assert_eq!(
        g.reason,
        Reason::Override {
            until: Some(at(13, 0))
        }
    );
    assert!(
        plan.wake_at.unwrap() <= at(13, 0),
        "wakes when the override expires"
    );
}

#[test]
fn an_expired_override_no_longer_applies() {
    let mut c = Case::new();
    c.overrides = vec![override_all(Mode::Idle, Some(at(11, 59)))];
    assert_eq!(c.decide().gpus[0].mode, Mode::Rental);
}

#[test]
fn pausing_never_breaks_a_paid_rental() {
    let mut c = Case::new();
    c.gpus[0].rental = RentalAvailability::Rented { until: at(16, 0) };
    c.overrides = vec![override_all(Mode::Idle, None)];
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert_eq!(
        g.reason,
        Reason::OverrideRentalKept {
            wanted: Mode::Idle,
            rented_until: at(16, 0)
        }
    );
    assert_eq!(
        g.list_until, None,
        "no new contracts while the user wants the GPU"
    );
}

#[test]
fn forcing_rental_without_a_rental_provider_idles_and_says_why() {
    let mut c = Case::new();
    c.gpus[0].rental = RentalAvailability::Unavailable {
        why: Unavailable::NotSetUp,
    };
    c.overrides = vec![override_all(Mode::Rental, None)];
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Idle);
    assert!(matches!(
        &g.reason,
        Reason::OverrideUnavailable {
            wanted: Mode::Rental,
            why: Unavailable::NotSetUp
        }
    ));
}

#[test]
fn forcing_rental_lists_until_the_override_ends() {
    let mut c = Case::new();
    c.overrides = vec![override_all(Mode::Rental, Some(at(14, 0)))];
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert_eq!(g.list_until, Some(at(14, 0)));
}

#[test]
fn a_per_gpu_override_beats_an_all_gpu_override() {
    let mut c = Case::new();
    c.gpus.push(gpu("GPU-B", 1, 60.0, noon()));
    c.overrides = vec![
        override_all(Mode::Idle, None),
        Override {
            mode: Mode::Volunteer,
            scope: OverrideScope::Gpu("GPU-B".into()),
            until: None,
            set_at: at(9, 0),
        },
    ];
    let plan = c.decide();
    assert_eq!(plan.gpus[0].mode, Mode::Idle);
    assert_eq!(plan.gpus[1].mode, Mode::Volunteer);
}

// ---- 3. Games and the user ---------------------------------------------------------------

#[test]
fn game_start_idles_only_the_gpu_it_renders_on() {
    let mut c = Case::new();
    c.gpus.push(gpu("GPU-B", 1, 60.0, noon()));
    c.activity.games = vec![game("cyberpunk2077.exe", &["GPU-B"])];
    let plan = c.decide();
    assert_eq!(plan.gpus[0].mode, Mode::Rental);
    assert_eq!(plan.gpus[1].mode, Mode::Idle);
    assert_eq!(
        plan.gpus[1].reason,
        Reason::GameRunning {
            game: "cyberpunk2077.exe".into(),
            signal: GameSignal::Process,
        }
    );
    assert_eq!(
        plan.gpus[1]
            .reason
            .with_mode(Mode::Idle, Catalogue::english(), &tz()),
        "Idle — game running: cyberpunk2077.exe"
    );
}

#[test]
fn a_game_on_an_unknown_gpu_idles_every_gpu() {
    let mut c = Case::new();
    c.gpus.push(gpu("GPU-B", 1, 60.0, noon()));
    c.activity.games = vec![game("hl2_linux", &[])];
    assert!(
        c.decide()
            .gpus
            .iter()
            .all(|g| g.mode == Mode::Idle && !g.volunteer_on && g.list_until.is_none())
    );
}

#[test]
fn a_game_never_breaks_a_paid_rental() {
    let mut c = Case::new();
    c.gpus[0].rental = RentalAvailability::Rented { until: at(18, 0) };
    c.activity.games = vec![game("eldenring.exe", &[])];
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert_eq!(
        g.reason,
        Reason::GameRentalKept {
            game: "eldenring.exe".into(),
            signal: GameSignal::Process,
            rented_until: at(18, 0)
        }
    );
    assert_eq!(g.list_until, None);
}

#[test]
fn work_resumes_by_itself_after_the_grace_period_once_the_game_exits() {
    let mut c = Case::new();
    c.activity.games = vec![game("eldenring.exe", &[])];
    let playing = c.decide();
    assert_eq!(playing.gpus[0].mode, Mode::Idle);

    c.activity.games.clear();
    c.state = playing.state;
    c.advance_to(noon() + SignedDuration::from_secs(5));
    let grace = c.decide();
    assert_eq!(grace.gpus[0].mode, Mode::Idle);
    let resume_at = noon() + SignedDuration::from_secs(10);
    assert_eq!(
        grace.gpus[0].reason,
        Reason::GameExited {
            game: "eldenring.exe".into(),
            signal: GameSignal::Process,
            resume_at
        }
    );
    assert!(grace.wake_at.unwrap() <= resume_at);

    c.state = grace.state;
    c.advance_to(resume_at);
    let back = c.decide();
    assert_eq!(
        back.gpus[0].mode,
        Mode::Rental,
        "resumes without anyone pressing a button"
    );
}

#[test]
fn a_full_screen_program_and_steam_s_game_idle_every_gpu_and_the_reason_names_the_signal() {
    let mut c = Case::new();
    c.gpus.push(gpu("GPU-B", 1, 60.0, noon()));
    c.activity.games = vec![RunningGame {
        name: "Cyberpunk2077.exe".into(),
        pid: Some(900),
        gpu_uuids: vec![],
        matched_by: GameMatch::FullScreen {
            state: FullScreenState::Direct3d,
        },
    }];
    let plan = c.decide();
    assert!(plan.gpus.iter().all(|g| g.mode == Mode::Idle));
    assert_eq!(
        plan.gpus[0]
            .reason
            .with_mode(Mode::Idle, Catalogue::english(), &tz()),
        "Idle — full-screen program in front: Cyberpunk2077.exe"
    );
    assert_eq!(
        plan.gpus[0]
            .reason
            .with_mode(Mode::Idle, Catalogue::german(), &tz()),
        "Leerlauf — Vollbildprogramm im Vordergrund: Cyberpunk2077.exe"
    );

    c.activity.games = vec![RunningGame {
        name: "ELDEN RING".into(),
        pid: None,
        gpu_uuids: vec![],
        matched_by: GameMatch::SteamRunningApp { app_id: 1_245_620 },
    }];
    c.gpus[1].rental = RentalAvailability::Rented { until: at(18, 0) };
    let plan = c.decide();
    assert_eq!(
        plan.gpus[0].reason,
        Reason::GameRunning {
            game: "ELDEN RING".into(),
            signal: GameSignal::Steam
        }
    );
    assert_eq!(
        plan.gpus[1].reason,
        Reason::GameRentalKept {
            game: "ELDEN RING".into(),
            signal: GameSignal::Steam,
            rented_until: at(18, 0)
        },
        "a Steam game never breaks a paid rental either"
    );
    assert_eq!(
        plan.gpus[0].reason.sentence(Catalogue::german(), &tz()),
        "Steam-Spiel läuft: ELDEN RING"
    );

    // Leaving full screen starts the same grace period as a game exiting, and says so.
    c.activity.games.clear();
    c.state = plan.state;
    c.advance_to(noon() + SignedDuration::from_secs(5));
    let grace = c.decide();
    assert_eq!(
        grace.gpus[0].reason,
        Reason::GameExited {
            game: "ELDEN RING".into(),
            signal: GameSignal::Steam,
            resume_at: noon() + SignedDuration::from_secs(10)
        }
    );
}

#[test]
fn user_input_pauses_work_only_when_the_user_asked_for_it() {
    let mut c = Case::new();
    c.activity.input_idle = Some(Duration::from_secs(3));
    assert_eq!(c.decide().gpus[0].mode, Mode::Rental);
    c.config.activity.pause_when_user_active = true;
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Idle);
    assert_eq!(g.reason, Reason::UserActive { idle_s: 3 });
    c.activity.input_idle = Some(Duration::from_secs(301));
    assert_eq!(c.decide().gpus[0].mode, Mode::Rental);
    c.activity.input_idle = None;
    assert_eq!(
        c.decide().gpus[0].mode,
        Mode::Rental,
        "unknown input idle time is ignored"
    );
}

// ---- 4. Thermal ---------------------------------------------------------------------------

#[test]
fn a_game_is_named_before_heat_when_both_apply() {
    let mut c = Case::new();
    c.gpus[0] = gpu("GPU-A", 0, 85.0, noon());
    c.activity.games = vec![game("eldenring.exe", &[])];
    assert!(matches!(
        c.decide().gpus[0].reason,
        Reason::GameRunning { .. }
    ));
}

#[test]
fn over_the_soft_limit_work_pauses_until_cool() {
    let mut c = Case::new();
    c.gpus[0] = gpu("GPU-A", 0, 84.0, noon());
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Idle);
    assert!(
        matches!(g.reason, Reason::ThermalCooling { resume_below_c, .. } if resume_below_c == 78.0)
    );
}

#[test]
fn over_the_soft_limit_with_power_control_work_continues_capped() {
    let mut c = Case::new();
    c.config.thermal.limits.power_limit_control = true;
    c.gpus[0] = gpu("GPU-A", 0, 84.0, noon());
    c.gpus[0].can_set_power_limit = true;
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert_eq!(g.power, PowerLimitAction::Set(240.0));
    assert_eq!(g.power_cap_w, Some(240.0));
    assert!(
        matches!(g.reason, Reason::ThermalPowerCapped { power_limit_w, .. } if power_limit_w == 240.0)
    );
}

#[test]
fn per_gpu_thermal_limits_apply_to_that_gpu_only() {
    let mut c = Case::new();
    c.gpus.push(gpu("GPU-B", 1, 76.0, noon()));
    c.gpus[0] = gpu("GPU-A", 0, 76.0, noon());
    c.config.thermal.per_gpu.insert(
        "1".into(),
        overtime_core::config::ThermalLimitsOverride {
            soft_limit_c: Some(75.0),
            ..Default::default()
        },
    );
    let plan = c.decide();
    assert_eq!(plan.gpus[0].mode, Mode::Rental);
    assert_eq!(plan.gpus[1].mode, Mode::Idle);
}

// ---- 5. Schedule --------------------------------------------------------------------------

#[test]
fn a_listing_never_ends_after_the_rental_window() {
    let mut c = Case::new();
    c.config.schedule.windows = vec![window(&["daily"], "18:00", "23:30", &[Mode::Idle])];
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert_eq!(
        g.list_until,
        Some(at(18, 0)),
        "ends before the gaming window"
    );
}

#[test]
fn an_idle_window_keeps_the_gpu_idle_and_says_when_work_may_start() {
    let mut c = Case::new();
    c.config.schedule.windows = vec![window(&["daily"], "11:00", "13:00", &[])];
    let plan = c.decide();
    let g = &plan.gpus[0];
    assert_eq!(g.mode, Mode::Idle);
    assert_eq!(
        g.reason,
        Reason::ScheduleIdle {
            window: Some("11:00-13:00".into()),
            next_work_at: Some(at(13, 0))
        }
    );
    assert_eq!(plan.wake_at, Some(at(13, 0)));
}

#[test]
fn a_volunteer_only_window_volunteers() {
    let mut c = Case::new();
    c.config.schedule.windows = vec![window(&["tue"], "08:00", "17:00", &[Mode::Volunteer])];
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Volunteer);
    assert_eq!(
        g.reason,
        Reason::ScheduleVolunteer {
            window: Some("08:00-17:00".into()),
            until: Some(at(17, 0))
        }
    );
}

#[test]
fn a_mode_without_a_provider_is_explained() {
    let mut c = Case::new();
    c.config.schedule.default = vec![Mode::Volunteer];
    c.gpus[0].volunteer = VolunteerAvailability::Unavailable {
        why: Unavailable::Failed {
            error: "BOINC is not running".into(),
        },
    };
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Idle);
    assert_eq!(
        g.reason,
        Reason::NoProvider {
            wanted: Mode::Volunteer,
            why: Unavailable::Failed {
                error: "BOINC is not running".into()
            }
        }
    );
    assert_eq!(
        g.reason.with_mode(g.mode, Catalogue::german(), &tz()),
        "Leerlauf — Ehrenamtlich erlaubt, aber BOINC is not running"
    );
}

// ---- 6. Profitability ---------------------------------------------------------------------

#[test]
fn when_renting_does_not_pay_the_gpu_volunteers() {
    let mut c = Case::new();
    c.config.rental.price_per_gpu_hour = "0.09".parse().unwrap(); // cost 0.09, margin 10 % → needs 0.099
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Volunteer);
    assert!(matches!(
        &g.reason,
        Reason::NotProfitable { margin_pct: 10, .. }
    ));
    assert_eq!(g.list_until, None);
}

#[test]
fn when_renting_does_not_pay_and_volunteering_is_not_allowed_the_gpu_idles() {
    let mut c = Case::new();
    c.config.schedule.default = vec![Mode::Rental];
    c.config.rental.price_per_gpu_hour = "0.01".parse().unwrap();
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Idle);
    assert!(matches!(&g.reason, Reason::NotProfitable { .. }));
}

#[test]
fn the_rest_of_the_pc_counts_towards_the_cost() {
    let mut c = Case::new();
    c.config.electricity.rest_of_pc_w = 500; // 0.8 kW × 0.30 = 0.24/h, ×1.1 = 0.264 > 0.25
    assert_eq!(c.decide().gpus[0].mode, Mode::Volunteer);
}

#[test]
fn prices_in_another_currency_are_converted_with_the_users_rate_only() {
    let mut c = Case::new();
    c.config.electricity.currency = overtime_core::money::Currency::new("EUR").unwrap();
    c.config.rental.exchange_rate = Some("0.30".parse().unwrap()); // 0.25 USD → 0.075 EUR < 0.099
    assert_eq!(c.decide().gpus[0].mode, Mode::Volunteer);
    c.config.rental.exchange_rate = Some("0.92".parse().unwrap());
    assert_eq!(c.decide().gpus[0].mode, Mode::Rental);
}

#[test]
fn a_volunteer_preference_volunteers_even_when_renting_pays() {
    let mut c = Case::new();
    c.config.policy.prefer = Preference::Volunteer;
    assert_eq!(c.decide().gpus[0].mode, Mode::Volunteer);
}

#[test]
fn a_recent_working_draw_below_the_power_limit_makes_renting_pay_where_the_estimate_would_not() {
    let mut c = Case::new();
    // 0.07 USD/h offered. At the 300 W limit: 0.09/h, ×1.1 = 0.099 needed → does not pay.
    c.config.rental.price_per_gpu_hour = "0.07".parse().unwrap();
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Volunteer);
    match &g.reason {
        Reason::NotProfitable { cost, .. } => {
            assert_eq!(cost.source, DrawSource::PowerLimit);
            assert_eq!(cost.gpu_power_w, 300);
        }
        other => panic!("expected NotProfitable, got {other:?}"),
    }

    // The ledger saw it work at 200 W: 0.06/h, ×1.1 = 0.066 needed → pays.
    c.recent_draw_w = Some(200.0);
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    match &g.reason {
        Reason::ListedBackfill {
            price: Some(price),
            cost: Some(cost),
            ..
        } => {
            assert_eq!(price.amount.normalize().to_string(), "0.07");
            assert_eq!(cost.per_hour.amount.normalize().to_string(), "0.06");
            assert_eq!(cost.gpu_power_w, 200);
            assert_eq!(cost.source, DrawSource::RecentAverage);
        }
        other => panic!("expected ListedBackfill with both figures, got {other:?}"),
    }
}

#[test]
fn a_recent_working_draw_above_the_live_reading_makes_renting_not_pay() {
    let mut c = Case::new();
    c.config.rental.price_per_gpu_hour = "0.09".parse().unwrap();
    c.working_now = true;
    // Live 250 W: 0.075/h, ×1.1 = 0.0825 ≤ 0.09 → pays.
    assert_eq!(c.decide().gpus[0].mode, Mode::Rental);
    // Working at 290 W on average: 0.087/h, ×1.1 = 0.0957 > 0.09 → does not.
    c.recent_draw_w = Some(290.0);
    assert_eq!(c.decide().gpus[0].mode, Mode::Volunteer);
}

#[test]
fn the_reasons_state_the_offer_and_the_electricity_per_hour_at_the_price_in_force() {
    let mut c = Case::new();
    c.recent_draw_w = Some(280.0);
    c.config.electricity.rest_of_pc_w = 20;
    // Noon on weekdays is peak: 0.90/kWh × 0.3 kW = 0.27/h > 0.25/h offered.
    c.config.electricity.periods = vec![overtime_core::config::TariffPeriodConfig {
        name: Some("peak".into()),
        days: vec!["mon-fri".into()],
        start_hour: 11,
        end_hour: 14,
        price_per_kwh: "0.90".parse().unwrap(),
    }];
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Volunteer);
    assert_eq!(
        g.reason.sentence(Catalogue::english(), &tz()),
        "renting at $0.25/h does not beat electricity by 10 %: $0.27/h at 300 W \
         (GPU 280 W on average while working recently; rest of the PC 20 W)"
    );

    // Off-peak the same draw costs 0.09/h and renting pays.
    c.advance_to(at(14, 0));
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert_eq!(
        g.reason.sentence(Catalogue::english(), &tz()),
        "listed for rent until Wed 25 Nov 14:00 at $0.25/h; electricity $0.09/h at 300 W \
         (GPU 280 W on average while working recently; rest of the PC 20 W); \
         volunteering until a renter comes"
    );
    assert_eq!(
        g.reason.sentence(Catalogue::german(), &tz()),
        "zur Miete angeboten bis Mi., 25. Nov. 14:00 für 0,25\u{a0}$/h; Strom 0,09\u{a0}$/h bei \
         300 W (GPU 280 W im Schnitt bei der Arbeit zuletzt; übriger PC 20 W); bis ein Mieter \
         kommt, wird ehrenamtlich gerechnet"
    );
}

#[test]
fn without_a_recent_average_the_cost_falls_back_and_says_so() {
    let mut c = Case::new();
    c.config.policy.backfill_volunteer = false;

    // Working now: the live reading (250 W).
    c.working_now = true;
    let s = c.decide().gpus[0]
        .reason
        .sentence(Catalogue::english(), &tz());
    assert!(
        s.ends_with(
            "electricity $0.075/h at 250 W (GPU 250 W live, no working average recorded yet)"
        ),
        "{s}"
    );

    // Idle now: an idle reading says nothing about work, so the power limit (300 W).
    c.working_now = false;
    let s = c.decide().gpus[0]
        .reason
        .sentence(Catalogue::english(), &tz());
    assert!(
        s.ends_with(
            "electricity $0.09/h at 300 W (GPU 300 W power limit, no working draw measured yet)"
        ),
        "{s}"
    );

    // No power figure at all: listed without the check, and the sentence says why.
    let reading = c.gpus[0].telemetry.reading.as_mut().unwrap();
    reading.power_w = None;
    reading.power_limit_w = None;
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Rental);
    assert!(matches!(g.reason, Reason::Listed { cost: None, .. }));
    assert!(
        g.reason
            .sentence(Catalogue::english(), &tz())
            .ends_with("at $0.25/h; electricity cost unknown (no power figure for this GPU)"),
        "{}",
        g.reason.sentence(Catalogue::english(), &tz())
    );
}

#[test]
fn the_minimum_dwell_time_stops_profitability_from_flapping() {
    let mut c = Case::new();
    c.config.policy.min_dwell_s = 300;
    let listed = c.decide();
    assert_eq!(listed.gpus[0].mode, Mode::Rental);

    // One minute later, renting stops paying: the GPU stays listed until five minutes have passed.
    c.state = listed.state;
    c.advance_to(noon() + SignedDuration::from_mins(1));
    c.config.rental.price_per_gpu_hour = "0.05".parse().unwrap();
    let held = c.decide();
    assert_eq!(held.gpus[0].mode, Mode::Rental);
    assert_eq!(
        held.gpus[0].reason,
        Reason::Dwell {
            wanted: Mode::Volunteer,
            until: noon() + SignedDuration::from_mins(5)
        }
    );
    assert!(held.gpus[0].list_until.is_some());

    c.state = held.state;
    c.advance_to(noon() + SignedDuration::from_mins(5));
    assert_eq!(c.decide().gpus[0].mode, Mode::Volunteer);
}

#[test]
fn the_minimum_dwell_time_never_delays_a_schedule_boundary() {
    let mut c = Case::new();
    c.config.policy.min_dwell_s = 3600;
    c.config.schedule.windows = vec![window(&["daily"], "12:01", "20:00", &[])];
    let listed = c.decide();
    assert_eq!(listed.gpus[0].mode, Mode::Rental);
    c.state = listed.state;
    c.advance_to(at(12, 1));
    let g = &c.decide().gpus[0];
    assert_eq!(g.mode, Mode::Idle);
    assert!(
        matches!(g.reason, Reason::ScheduleIdle { .. }),
        "{:?}",
        g.reason
    );
}

// ---- Reconciliation and determinism --------------------------------------------------------

#[test]
fn a_rental_found_at_start_up_is_kept() {
    let mut c = Case::new();
    c.config.schedule.default = vec![Mode::Volunteer];
    c.gpus[0].rental = RentalAvailability::Rented { until: at(20, 0) };
    let plan = c.decide();
    assert_eq!(plan.gpus[0].mode, Mode::Rental);
    assert_eq!(plan.gpus[0].reason, Reason::Rented { until: at(20, 0) });
    assert_eq!(
        plan.gpus[0].list_until, None,
        "the schedule no longer allows new rentals"
    );
    assert!(plan.wake_at.unwrap() <= at(20, 0));
}

#[test]
fn the_same_inputs_give_the_same_plan() {
    let mut c = Case::new();
    c.gpus.push(gpu("GPU-B", 1, 84.0, noon()));
    c.activity.games = vec![game("x", &["GPU-A"])];
    assert_eq!(c.decide(), c.decide());
}

#[test]
fn a_time_of_use_peak_price_can_make_renting_not_pay() {
    let mut c = Case::new();
    // Noon on weekdays is peak: 0.90/kWh × 0.3 kW = 0.27/h > 0.25/h asked.
    c.config.electricity.periods = vec![overtime_core::config::TariffPeriodConfig {
        name: Some("peak".into()),
        days: vec!["mon-fri".into()],
        start_hour: 11,
        end_hour: 14,
        price_per_kwh: "0.90".parse().unwrap(),
    }];
    assert_eq!(c.decide().gpus[0].mode, Mode::Volunteer);
    c.advance_to(at(14, 0));
    assert_eq!(
        c.decide().gpus[0].mode,
        Mode::Rental,
        "off-peak again at 14:00"
    );
}

#[test]
fn an_unnamed_window_is_named_by_its_hours_in_the_reason() {
    let mut c = Case::new();
    let mut w = window(&["tue"], "08:00", "17:00", &[Mode::Volunteer]);
    w.name = None;
    c.config.schedule.windows = vec![w];
    let g = &c.decide().gpus[0];
    assert_eq!(
        g.reason,
        Reason::ScheduleVolunteer {
            window: Some("08:00–17:00".into()),
            until: Some(at(17, 0))
        }
    );
    assert_eq!(
        g.reason.sentence(Catalogue::english(), &tz()),
        "schedule window “08:00–17:00” until Tue 24 Nov 17:00"
    );
}
