//! `decide` for 8 GPUs must take ≤ 20 µs: the policy runs every tick and on every game start.
//! Run with `cargo bench -p overtime-core --bench decide`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use overtime_core::activity::{ActivityState, GameMatch, RunningGame};
use overtime_core::config::{Config, ElectricityConfig, WindowConfig};
use overtime_core::gpu::{GpuId, GpuReading, GpuTelemetry};
use overtime_core::mode::{Mode, Override, OverrideScope};
use overtime_core::policy::{
    GpuInputs, PolicyInputs, PolicySettings, PolicyState, RentalAvailability,
    VolunteerAvailability, decide,
};
use overtime_core::running_cost::{DrawSource, RunningCost, WorkingDraw};

fn gpus(now: Timestamp) -> Vec<GpuInputs> {
    (0..8u32)
        .map(|i| GpuInputs {
            telemetry: GpuTelemetry {
                gpu: GpuId {
                    uuid: format!("GPU-{i:04}"),
                    index: i,
                    name: "Bench GPU".into(),
                },
                reading: Some(GpuReading {
                    temp_c: Some(60.0 + f64::from(i) * 3.0),
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
            rental: match i % 3 {
                0 => RentalAvailability::Ready,
                1 => RentalAvailability::Listed {
                    until: now + jiff::SignedDuration::from_hours(3),
                },
                _ => RentalAvailability::Rented {
                    until: now + jiff::SignedDuration::from_hours(1),
                },
            },
            volunteer: VolunteerAvailability::Ready,
            can_set_power_limit: i % 2 == 0,
            running_cost: Some(RunningCost::price(
                &WorkingDraw {
                    gpu_power_w: 300.0,
                    source: DrawSource::RecentAverage,
                },
                &ElectricityConfig::default(),
                now,
                &TimeZone::UTC,
            )),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut config = Config::default();
    config.general.timezone = "Europe/Berlin".into();
    config.thermal.limits.power_limit_control = true;
    for (days, start, end, modes) in [
        (vec!["mon-fri"], "18:00", "23:30", vec![]),
        (vec!["sat", "sun"], "10:00", "02:00", vec![Mode::Volunteer]),
        (vec!["mon-fri"], "08:00", "17:00", vec![Mode::Rental]),
    ] {
        config.schedule.windows.push(WindowConfig {
            name: Some(format!("{start}-{end}")),
            days: days.into_iter().map(String::from).collect(),
            start: start.into(),
            end: end.into(),
            modes,
        });
    }
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let settings = PolicySettings::new(config, tz);
    let now: Timestamp = "2026-11-24T15:30:00Z".parse().unwrap();
    let inputs = gpus(now);
    let activity = ActivityState {
        games: vec![RunningGame {
            name: "eldenring.exe".into(),
            pid: Some(1),
            gpu_uuids: vec!["GPU-0003".into()],
            matched_by: GameMatch::GraphicsProcess,
        }],
        input_idle: Some(std::time::Duration::from_secs(400)),
    };
    let overrides = vec![Override {
        mode: Mode::Volunteer,
        scope: OverrideScope::Gpu("GPU-0005".into()),
        until: None,
        set_at: now,
    }];
    // A realistic steady state: the previous decision's state.
    let warm = decide(
        now,
        PolicyInputs {
            gpus: &inputs,
            activity: &activity,
        },
        &settings,
        &overrides,
        &PolicyState::default(),
    )
    .state;

    c.bench_function("decide_8_gpus", |b| {
        b.iter(|| {
            decide(
                std::hint::black_box(now),
                PolicyInputs {
                    gpus: &inputs,
                    activity: &activity,
                },
                &settings,
                &overrides,
                &warm,
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
