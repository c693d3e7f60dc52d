//! Behaviour of the simulated GPU that demo mode and the supervisor's tests rely on: it is
//! deterministic, heats and cools with inertia, obeys its power limit and fails per GPU.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::{SignedDuration, Timestamp};
use overtime_agent::sensors::simulated::SimulatedSensors;
use overtime_agent::sensors::{GpuProcess, SensorError, Sensors, Workload};
use overtime_core::GpuReading;

fn start() -> Timestamp {
    Timestamp::from_second(1_750_000_000).unwrap()
}

fn at(seconds: i64) -> Timestamp {
    start() + SignedDuration::from_secs(seconds)
}

/// Sample every `step_s` seconds from `from_s` to `to_s` (inclusive); returns the readings of
/// GPU 0 in order.
fn run(sim: &mut SimulatedSensors, from_s: i64, to_s: i64, step_s: i64) -> Vec<GpuReading> {
    (from_s..=to_s)
        .step_by(usize::try_from(step_s).unwrap())
        .map(|s| sim.sample(at(s)).remove(0).reading.unwrap())
        .collect()
}

fn uuid0(sim: &SimulatedSensors) -> String {
    sim.gpus()[0].uuid.clone()
}

fn temp(r: &GpuReading) -> f64 {
    r.temp_c.unwrap()
}

#[test]
fn same_seed_and_timestamps_give_identical_readings() {
    let make = || {
        let mut sim = SimulatedSensors::new(42, 2);
        let uuid = uuid0(&sim);
        sim.note_workload(&uuid, Workload::Rental);
        sim
    };
    let (mut a, mut b) = (make(), make());
    assert_eq!(a.gpus(), b.gpus());
    for s in (0..600).step_by(7) {
        assert_eq!(a.sample(at(s)), b.sample(at(s)), "at {s} s");
    }

    let mut other_seed = SimulatedSensors::new(43, 2);
    let uuid = uuid0(&other_seed);
    other_seed.note_workload(&uuid, Workload::Rental);
    let mut a = make();
    let differs = (0..60).any(|s| a.sample(at(s)) != other_seed.sample(at(s)));
    assert!(differs, "a different seed should give different noise");
}

#[test]
fn every_reading_field_is_filled_and_labelled_simulated() {
    let mut sim = SimulatedSensors::new(1, 1);
    assert!(sim.backend().is_simulated());
    assert!(sim.backend().describe().contains("simulated"));
    assert!(sim.gpus()[0].name.contains("Simulated"));
    let r = sim.sample(at(0)).remove(0).reading.unwrap();
    let GpuReading {
        temp_c,
        load_pct,
        mem_load_pct,
        mem_used_mib,
        mem_total_mib,
        power_w,
        power_limit_w,
        power_limit_default_w,
        power_limit_min_w,
        power_limit_max_w,
        fan_pct,
        sm_clock_mhz,
        mem_clock_mhz,
        throttle,
        energy_mj,
    } = r;
    assert!(temp_c.is_some() && load_pct.is_some() && mem_load_pct.is_some());
    assert!(mem_used_mib.is_some() && mem_total_mib.is_some() && power_w.is_some());
    assert!(power_limit_w.is_some() && power_limit_default_w.is_some());
    assert!(power_limit_min_w.is_some() && power_limit_max_w.is_some());
    assert!(fan_pct.is_some() && sm_clock_mhz.is_some() && mem_clock_mhz.is_some());
    assert!(throttle.is_some() && energy_mj.is_some());
}

#[test]
fn idle_gpu_sits_cool_and_reports_idle() {
    let mut sim = SimulatedSensors::new(3, 1);
    let readings = run(&mut sim, 0, 300, 5);
    for r in &readings {
        let load = r.load_pct.unwrap();
        assert!((0.0..=3.0).contains(&load), "idle load {load}");
        assert!(r.power_w.unwrap() < 40.0);
        assert!(r.throttle.unwrap().idle);
        assert!(temp(r) < 40.0, "idle at {} °C", temp(r));
    }
}

#[test]
fn volunteer_load_heats_the_gpu_with_inertia_and_idle_cools_it_slowly() {
    let mut sim = SimulatedSensors::new(5, 1);
    let uuid = uuid0(&sim);
    let idle_c = temp(&run(&mut sim, 0, 0, 1)[0]);

    sim.note_workload(&uuid, Workload::Volunteer);
    let heating = run(&mut sim, 1, 600, 1);
    let first = &heating[0];
    assert!((95.0..=99.0).contains(&first.load_pct.unwrap()));
    assert!(first.power_w.unwrap() > 300.0, "load draws power at once");
    assert!(
        temp(first) < idle_c + 3.0,
        "one second of load must not jump the temperature: {idle_c} -> {}",
        temp(first)
    );
    let after_30s = temp(&heating[29]);
    let hot_c = temp(heating.last().unwrap());
    assert!(after_30s > idle_c + 10.0, "30 s under load: {after_30s} °C");
    assert!(
        after_30s < hot_c - 5.0,
        "not yet at steady state after 30 s"
    );
    assert!(hot_c > 65.0, "steady load temperature {hot_c} °C");
    // Monotonic heating (noise in power is far smaller than the gap to the target).
    for pair in heating.windows(2).take(120) {
        assert!(temp(&pair[1]) >= temp(&pair[0]) - 0.2);
    }
    assert!(heating.last().unwrap().fan_pct.unwrap() > 60.0);

    sim.note_workload(&uuid, Workload::None);
    let cooling = run(&mut sim, 601, 1200, 1);
    assert!(temp(&cooling[0]) > hot_c - 3.0, "cooling is not instant");
    assert!(temp(&cooling[29]) < hot_c - 10.0, "but it does cool");
    assert!((temp(cooling.last().unwrap()) - idle_c).abs() < 2.0);
    assert!(cooling.last().unwrap().fan_pct.unwrap() <= 35.0);
}

#[test]
fn a_long_gap_between_samples_converges_without_overshoot() {
    let mut sim = SimulatedSensors::new(9, 1);
    let uuid = uuid0(&sim);
    sim.note_workload(&uuid, Workload::Volunteer);
    let steady = run(&mut sim, 0, 900, 1);
    let steady_c = temp(steady.last().unwrap());

    let mut jumpy = SimulatedSensors::new(9, 1);
    jumpy.note_workload(&uuid0(&jumpy), Workload::Volunteer);
    jumpy.sample(at(0));
    let after_gap = jumpy.sample(at(3 * 3600)).remove(0).reading.unwrap();
    assert!(
        (temp(&after_gap) - steady_c).abs() < 2.0,
        "after a 3 h gap {} °C, steady {steady_c} °C",
        temp(&after_gap)
    );
}

#[test]
fn a_lower_power_limit_gives_a_lower_steady_temperature() {
    let steady = |limit_w: Option<f64>| {
        let mut sim = SimulatedSensors::new(11, 1);
        let uuid = uuid0(&sim);
        sim.note_workload(&uuid, Workload::Volunteer);
        sim.set_power_limit(&uuid, limit_w).unwrap();
        let last = run(&mut sim, 0, 900, 5).pop().unwrap();
        (temp(&last), last)
    };
    let (default_c, default_r) = steady(None);
    let (capped_c, capped_r) = steady(Some(180.0));
    assert_eq!(default_r.power_limit_w, Some(320.0));
    assert_eq!(capped_r.power_limit_w, Some(180.0));
    assert!(capped_r.power_w.unwrap() <= 180.0);
    assert!(capped_r.throttle.unwrap().sw_power_cap);
    assert!(
        capped_r.sm_clock_mhz.unwrap() < default_r.sm_clock_mhz.unwrap(),
        "clocks drop under a tighter cap"
    );
    assert!(
        capped_c < default_c - 10.0,
        "180 W: {capped_c} °C, 320 W: {default_c} °C"
    );
}

#[test]
fn power_limits_are_clamped_restored_and_can_be_refused() {
    let mut sim = SimulatedSensors::new(13, 1);
    let uuid = uuid0(&sim);
    let limit = |sim: &mut SimulatedSensors, s| {
        sim.sample(at(s))
            .remove(0)
            .reading
            .unwrap()
            .power_limit_w
            .unwrap()
    };
    assert!(sim.can_set_power_limit(&uuid));
    sim.set_power_limit(&uuid, Some(20.0)).unwrap();
    assert_eq!(limit(&mut sim, 0), 100.0);
    sim.set_power_limit(&uuid, Some(999.0)).unwrap();
    assert_eq!(limit(&mut sim, 1), 380.0);
    sim.set_power_limit(&uuid, None).unwrap();
    assert_eq!(limit(&mut sim, 2), 320.0);
    assert!(sim.set_power_limit(&uuid, Some(f64::NAN)).is_err());
    assert_eq!(limit(&mut sim, 3), 320.0);

    assert!(matches!(
        sim.set_power_limit("GPU-nope", Some(200.0)),
        Err(SensorError::UnknownGpu(_))
    ));
    assert!(!sim.can_set_power_limit("GPU-nope"));

    sim.set_power_control(false);
    assert!(!sim.can_set_power_limit(&uuid));
    assert!(matches!(
        sim.set_power_limit(&uuid, Some(200.0)),
        Err(SensorError::NotPermitted { .. })
    ));
    assert_eq!(limit(&mut sim, 4), 320.0);
}

#[test]
fn a_hot_room_drives_a_loaded_gpu_into_thermal_slowdown() {
    let mut sim = SimulatedSensors::new(17, 1);
    let uuid = uuid0(&sim);
    sim.note_workload(&uuid, Workload::Volunteer);
    sim.set_ambient_c(50.0);
    let readings = run(&mut sim, 0, 900, 5);
    let last = readings.last().unwrap();
    assert!(temp(last) > 85.0, "{} °C", temp(last));
    assert!(last.throttle.unwrap().sw_thermal);
    assert!(last.throttle.unwrap().is_limiting());
    assert!(!readings[0].throttle.unwrap().sw_thermal, "not hot at once");
}

#[test]
fn a_fault_on_one_gpu_leaves_the_others_readable() {
    let mut sim = SimulatedSensors::new(19, 3);
    let gpus = sim.gpus();
    sim.set_fault(&gpus[1].uuid, Some("fell off the bus".to_owned()));
    let samples = sim.sample(at(0));
    assert_eq!(samples.len(), 3);
    assert!(samples[0].reading.is_ok());
    assert!(samples[2].reading.is_ok());
    match &samples[1].reading {
        Err(SensorError::GpuLost { uuid, detail }) => {
            assert_eq!(uuid, &gpus[1].uuid);
            assert_eq!(detail, "fell off the bus");
        }
        other => panic!("expected GpuLost, got {other:?}"),
    }
    assert_eq!(samples[1].gpu, gpus[1]);

    sim.set_fault(&gpus[1].uuid, None);
    assert!(sim.sample(at(1)).iter().all(|s| s.reading.is_ok()));
}

#[test]
fn energy_counter_is_monotonic_and_integrates_power() {
    let mut sim = SimulatedSensors::new(23, 1);
    let uuid = uuid0(&sim);
    let mut readings = run(&mut sim, 0, 120, 2);
    sim.note_workload(&uuid, Workload::Rental);
    readings.extend(run(&mut sim, 122, 900, 2));

    let mut integral_mj = 0.0;
    for pair in readings.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(b.energy_mj.unwrap() >= a.energy_mj.unwrap());
        integral_mj += (a.power_w.unwrap() + b.power_w.unwrap()) / 2.0 * 2.0 * 1000.0;
    }
    let counted_mj =
        (readings.last().unwrap().energy_mj.unwrap() - readings[0].energy_mj.unwrap()) as f64;
    assert!(
        (counted_mj - integral_mj).abs() <= integral_mj * 0.01,
        "counter {counted_mj} mJ, integral {integral_mj} mJ"
    );
    // A rental at 60–100 % load for ~13 min lands well above idle energy.
    assert!(counted_mj > 200.0 * 700.0 * 1000.0, "{counted_mj} mJ");
}

#[test]
fn rental_load_varies_between_sixty_and_a_hundred_percent() {
    let mut sim = SimulatedSensors::new(29, 1);
    let uuid = uuid0(&sim);
    sim.note_workload(&uuid, Workload::Rental);
    let loads: Vec<f64> = run(&mut sim, 0, 600, 3)
        .iter()
        .map(|r| r.load_pct.unwrap())
        .collect();
    assert!(
        loads.iter().all(|l| (60.0..=100.0).contains(l)),
        "{loads:?}"
    );
    let (min, max) = loads
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), l| (lo.min(*l), hi.max(*l)));
    assert!(max - min > 20.0, "rental load should swing: {min}..{max}");
}

#[test]
fn graphics_processes_are_what_the_scenario_set() {
    let mut sim = SimulatedSensors::new(31, 2);
    assert!(sim.graphics_processes().is_empty());
    let game = GpuProcess {
        pid: 4242,
        gpu_uuid: sim.gpus()[1].uuid.clone(),
    };
    sim.set_graphics_processes(vec![game.clone()]);
    assert_eq!(sim.graphics_processes(), vec![game]);
}

#[test]
fn workload_memory_use_follows_the_work() {
    let mut sim = SimulatedSensors::new(37, 1);
    let uuid = uuid0(&sim);
    let idle = run(&mut sim, 0, 0, 1)[0].mem_used_mib.unwrap();
    sim.note_workload(&uuid, Workload::Rental);
    let rented = run(&mut sim, 1, 1, 1)[0].mem_used_mib.unwrap();
    assert!(
        idle < 1_000 && rented > 8_000,
        "idle {idle} MiB, rental {rented} MiB"
    );
    assert!(rented <= 16_376);
}
