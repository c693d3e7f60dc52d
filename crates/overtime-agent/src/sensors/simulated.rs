//! A simulated NVIDIA GPU for demo mode (no driver) and tests, always labelled as simulated.
//!
//! The physics run on the timestamps passed to `sample`, never the wall clock, and the noise
//! comes from a seeded generator, so replaying the same timestamps gives the same readings.

use std::f64::consts::TAU;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::{GpuProcess, GpuSample, SensorBackend, SensorError, Sensors, Workload};
use overtime_core::{GpuId, GpuReading, ThrottleReasons};

/// Board power at idle, in W.
const IDLE_POWER_W: f64 = 25.0;
/// What the board would draw at 100 % load with no limit, in W; above the default limit so a
/// fully loaded GPU sits on its power cap, as real cards do.
const FULL_LOAD_DEMAND_W: f64 = 360.0;
/// Power limit the board starts with and restores to, in W.
pub const DEFAULT_POWER_LIMIT_W: f64 = 320.0;
/// Lowest power limit the simulated board accepts, in W.
pub const MIN_POWER_LIMIT_W: f64 = 100.0;
/// Highest power limit the simulated board accepts, in W.
pub const MAX_POWER_LIMIT_W: f64 = 380.0;
/// Room temperature the simulation starts with, in °C.
pub const DEFAULT_AMBIENT_C: f64 = 30.0;
/// Steady-state temperature rise per watt of board power (cooler and case together), °C/W.
const THERMAL_RESISTANCE_C_PER_W: f64 = 0.14;
/// Time constant of the die temperature following power, in s.
const THERMAL_TIME_CONSTANT_S: f64 = 40.0;
/// Longest step the physics integrate over, in s. A longer gap between samples (a suspended
/// machine) counts as this long: the temperature has converged by then anyway, and the energy
/// counter should not book hours nobody saw.
const MAX_STEP_S: f64 = 600.0;
/// Above this die temperature the board slows itself (software thermal slowdown), in °C.
const SW_THERMAL_C: f64 = 85.0;
/// Share of the power limit the board allows itself while thermally slowed.
const THERMAL_SLOWDOWN_POWER_SHARE: f64 = 0.8;
/// Power within this share of the limit counts as "on the power cap".
const POWER_CAP_MARGIN: f64 = 0.98;
/// Below this load the driver reports idle clocks, in %.
const IDLE_LOAD_PCT: f64 = 5.0;
/// Period of the load swings of a simulated rental, in s.
const RENTAL_LOAD_PERIOD_S: f64 = 300.0;

const MEM_TOTAL_MIB: u64 = 16_376;
const SM_CLOCK_IDLE_MHZ: f64 = 210.0;
const SM_CLOCK_BOOST_MHZ: f64 = 2_505.0;
const MEM_CLOCK_IDLE_MHZ: u32 = 405;
const MEM_CLOCK_ACTIVE_MHZ: u32 = 11_201;
const GPU_NAME: &str = "Simulated RTX 4080 (demo)";

/// A set of simulated GPUs; see the module docs. Implements [`Sensors`] like the NVML backend,
/// plus test hooks (`set_ambient_c`, `set_fault`, `set_graphics_processes`,
/// `set_power_control`) for tests and demo scenarios.
#[derive(Debug, Clone)]
pub struct SimulatedSensors {
    seed: u64,
    gpus: Vec<SimGpu>,
    ambient_c: f64,
    graphics_processes: Vec<GpuProcess>,
    power_control: bool,
}

#[derive(Debug, Clone)]
struct SimGpu {
    id: GpuId,
    rng: SmallRng,
    /// Phase of the rental load swing, in radians, so several GPUs do not move in lockstep.
    phase_rad: f64,
    workload: Workload,
    power_limit_w: f64,
    fault: Option<String>,
    last_at: Option<jiff::Timestamp>,
    temp_c: f64,
    power_w: f64,
    energy_mj: f64,
}

impl SimulatedSensors {
    /// `gpu_count` simulated GPUs whose identity (UUID) and noise derive from `seed` only.
    /// Every GPU starts idle at the steady idle temperature, with the default power limit.
    pub fn new(seed: u64, gpu_count: usize) -> Self {
        let gpus = (0..gpu_count)
            .map(|index| {
                let index_u64 = index as u64;
                let ident = mix64(seed ^ mix64(index_u64.wrapping_add(1)));
                let uuid = format!(
                    "GPU-SIM-{:04x}-{:04x}-{:04x}-{:012x}",
                    index & 0xffff,
                    (ident >> 48) & 0xffff,
                    (ident >> 32) & 0xffff,
                    ident & 0xffff_ffff_ffff
                );
                SimGpu {
                    id: GpuId {
                        uuid,
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                        name: GPU_NAME.to_owned(),
                    },
                    rng: SmallRng::seed_from_u64(ident),
                    phase_rad: (ident % 1000) as f64 / 1000.0 * TAU,
                    workload: Workload::None,
                    power_limit_w: DEFAULT_POWER_LIMIT_W,
                    fault: None,
                    last_at: None,
                    temp_c: DEFAULT_AMBIENT_C + THERMAL_RESISTANCE_C_PER_W * IDLE_POWER_W,
                    power_w: IDLE_POWER_W,
                    energy_mj: 0.0,
                }
            })
            .collect();
        SimulatedSensors {
            seed,
            gpus,
            ambient_c: DEFAULT_AMBIENT_C,
            graphics_processes: Vec::new(),
            power_control: true,
        }
    }

    /// For tests and demo scenarios: room temperature in °C (e.g. 50 to drive the GPUs hot).
    /// The die follows with its usual inertia, it does not jump.
    pub fn set_ambient_c(&mut self, ambient_c: f64) {
        self.ambient_c = ambient_c;
    }

    /// For tests and demo scenarios: `Some(detail)` makes that GPU stop answering, so `sample`
    /// yields `Err(SensorError::GpuLost)` for it alone; `None` brings it back. The simulated
    /// hardware keeps running meanwhile. An unknown UUID is ignored.
    pub fn set_fault(&mut self, uuid: &str, fault: Option<String>) {
        match self.gpus.iter_mut().find(|g| g.id.uuid == uuid) {
            Some(gpu) => gpu.fault = fault,
            None => tracing::debug!(uuid, "set_fault on a GPU the simulation does not have"),
        }
    }

    /// For tests and demo scenarios: what `graphics_processes` returns from now on (a "game").
    pub fn set_graphics_processes(&mut self, processes: Vec<GpuProcess>) {
        self.graphics_processes = processes;
    }

    /// For tests and demo scenarios: whether `set_power_limit` is permitted (default `true`);
    /// `false` behaves like an agent without administrator rights.
    pub fn set_power_control(&mut self, permitted: bool) {
        self.power_control = permitted;
    }

    fn gpu_mut(&mut self, uuid: &str) -> Result<&mut SimGpu, SensorError> {
        self.gpus
            .iter_mut()
            .find(|g| g.id.uuid == uuid)
            .ok_or_else(|| SensorError::UnknownGpu(uuid.to_owned()))
    }
}

impl Sensors for SimulatedSensors {
    fn backend(&self) -> SensorBackend {
        SensorBackend::Simulated { seed: self.seed }
    }

    fn gpus(&self) -> Vec<GpuId> {
        self.gpus.iter().map(|g| g.id.clone()).collect()
    }

    fn sample(&mut self, now: jiff::Timestamp) -> Vec<GpuSample> {
        let ambient_c = self.ambient_c;
        self.gpus
            .iter_mut()
            .map(|gpu| {
                let reading = gpu.step(now, ambient_c);
                GpuSample {
                    gpu: gpu.id.clone(),
                    reading: match &gpu.fault {
                        Some(detail) => Err(SensorError::GpuLost {
                            uuid: gpu.id.uuid.clone(),
                            detail: detail.clone(),
                        }),
                        None => Ok(reading),
                    },
                }
            })
            .collect()
    }

    fn graphics_processes(&mut self) -> Vec<GpuProcess> {
        self.graphics_processes.clone()
    }

    /// Clamps to 100–380 W; `None` restores 320 W. Fails with `NotPermitted` after
    /// `set_power_control(false)`, `UnknownGpu` for a UUID it does not have, and `Driver` for a
    /// limit that is not a finite number.
    fn set_power_limit(&mut self, uuid: &str, limit_w: Option<f64>) -> Result<(), SensorError> {
        let permitted = self.power_control;
        let gpu = self.gpu_mut(uuid)?;
        if !permitted {
            return Err(SensorError::NotPermitted {
                uuid: uuid.to_owned(),
                detail: "power limit control is switched off in this simulation".to_owned(),
            });
        }
        gpu.power_limit_w = match limit_w {
            Some(w) if !w.is_finite() => {
                return Err(SensorError::Driver(format!(
                    "refused to set the power limit of GPU {uuid} to {w} W: not a number of watts"
                )));
            }
            Some(w) => w.clamp(MIN_POWER_LIMIT_W, MAX_POWER_LIMIT_W),
            None => DEFAULT_POWER_LIMIT_W,
        };
        Ok(())
    }

    fn can_set_power_limit(&self, uuid: &str) -> bool {
        self.power_control && self.gpus.iter().any(|g| g.id.uuid == uuid)
    }

    fn note_workload(&mut self, uuid: &str, workload: Workload) {
        match self.gpu_mut(uuid) {
            Ok(gpu) => gpu.workload = workload,
            Err(_) => tracing::debug!(uuid, "note_workload on a GPU the simulation does not have"),
        }
    }
}

impl SimGpu {
    /// Advance the physics to `now` and read the sensors. Draws the same number of random
    /// numbers every call so the sequence depends only on how many samples were taken.
    fn step(&mut self, now: jiff::Timestamp, ambient_c: f64) -> GpuReading {
        let dt_s = match self.last_at {
            Some(last) => now
                .duration_since(last)
                .as_secs_f64()
                .clamp(0.0, MAX_STEP_S),
            None => 0.0,
        };
        if self.last_at.is_none_or(|last| now > last) {
            self.last_at = Some(now);
        }

        let noise_load = self.rng.random_range(-1.0..1.0);
        let noise_power_w = self.rng.random_range(-1.5..1.5);
        let noise_mem = self.rng.random_range(0.0..1.0);
        let noise_mem_load = self.rng.random_range(-2.0..2.0);

        let t_s = now.as_millisecond() as f64 / 1000.0;
        let swing = (TAU * t_s / RENTAL_LOAD_PERIOD_S + self.phase_rad).sin();
        let load_pct = match self.workload {
            Workload::None => 1.5 + 1.5 * noise_load,
            Workload::Volunteer => 97.0 + 2.0 * noise_load,
            Workload::Rental => (80.0 + 18.0 * swing + 2.0 * noise_load).clamp(60.0, 100.0),
        };

        let demand_w = IDLE_POWER_W + (FULL_LOAD_DEMAND_W - IDLE_POWER_W) * load_pct / 100.0;
        let thermally_slowed = self.temp_c > SW_THERMAL_C;
        let cap_w = if thermally_slowed {
            self.power_limit_w * THERMAL_SLOWDOWN_POWER_SHARE
        } else {
            self.power_limit_w
        };
        let unclamped_w = demand_w + noise_power_w;
        let power_w = unclamped_w.min(cap_w).max(1.0);
        let on_power_cap = unclamped_w >= self.power_limit_w * POWER_CAP_MARGIN;

        // First-order lag solved exactly over the step: it never overshoots, whatever dt is.
        let target_c = ambient_c + THERMAL_RESISTANCE_C_PER_W * power_w;
        let approach = 1.0 - (-dt_s / THERMAL_TIME_CONSTANT_S).exp();
        self.temp_c += (target_c - self.temp_c) * approach;

        self.energy_mj += (self.power_w + power_w) / 2.0 * dt_s * 1000.0;
        self.power_w = power_w;

        let fan_pct = fan_curve_pct(self.temp_c);
        let busy = load_pct >= IDLE_LOAD_PCT;
        let performance_share = (power_w / demand_w).min(1.0);
        let sm_clock_mhz = SM_CLOCK_IDLE_MHZ
            + (SM_CLOCK_BOOST_MHZ - SM_CLOCK_IDLE_MHZ) * (load_pct / 100.0) * performance_share;
        let mem_used_mib = match self.workload {
            Workload::None => 450.0 + 250.0 * noise_mem,
            Workload::Volunteer => 2_800.0 + 500.0 * noise_mem,
            Workload::Rental => 11_500.0 + 2_500.0 * swing + 300.0 * noise_mem,
        };

        GpuReading {
            temp_c: Some(self.temp_c),
            load_pct: Some(load_pct),
            mem_load_pct: Some((load_pct * 0.55 + noise_mem_load).clamp(0.0, 100.0)),
            mem_used_mib: Some(mem_used_mib.round() as u64),
            mem_total_mib: Some(MEM_TOTAL_MIB),
            power_w: Some(power_w),
            power_limit_w: Some(self.power_limit_w),
            power_limit_default_w: Some(DEFAULT_POWER_LIMIT_W),
            power_limit_min_w: Some(MIN_POWER_LIMIT_W),
            power_limit_max_w: Some(MAX_POWER_LIMIT_W),
            fan_pct: Some(fan_pct),
            sm_clock_mhz: Some(sm_clock_mhz.round() as u32),
            mem_clock_mhz: Some(if busy {
                MEM_CLOCK_ACTIVE_MHZ
            } else {
                MEM_CLOCK_IDLE_MHZ
            }),
            throttle: Some(ThrottleReasons {
                idle: !busy,
                sw_power_cap: on_power_cap,
                sw_thermal: thermally_slowed || self.temp_c > SW_THERMAL_C,
                ..ThrottleReasons::default()
            }),
            energy_mj: Some(self.energy_mj.round() as u64),
        }
    }
}

/// Fan duty for a die temperature: 30 % up to 40 °C, rising linearly to 100 % at 85 °C.
fn fan_curve_pct(temp_c: f64) -> f64 {
    (30.0 + (temp_c - 40.0) * 70.0 / 45.0).clamp(30.0, 100.0)
}

/// SplitMix64 finaliser: spreads seed and index into well-mixed bits for UUIDs and RNG seeds.
fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn fan_curve_rises_with_temperature_between_its_floor_and_full_speed() {
        let cases = [
            (20.0, 30.0),
            (40.0, 30.0),
            (62.5, 65.0),
            (85.0, 100.0),
            (95.0, 100.0),
        ];
        for (temp_c, want_pct) in cases {
            let got = fan_curve_pct(temp_c);
            assert!(
                (got - want_pct).abs() < 1e-9,
                "{temp_c} °C: {got} %, want {want_pct} %"
            );
        }
    }

    #[test]
    fn uuids_differ_between_gpus_and_seeds_but_not_between_runs() {
        let a = SimulatedSensors::new(7, 3).gpus();
        let b = SimulatedSensors::new(7, 3).gpus();
        let c = SimulatedSensors::new(8, 3).gpus();
        assert_eq!(a, b);
        assert!(a[0].uuid.starts_with("GPU-SIM-0000-"), "{}", a[0].uuid);
        assert!(a[1].uuid.starts_with("GPU-SIM-0001-"), "{}", a[1].uuid);
        assert_ne!(a[0].uuid, a[1].uuid);
        assert_ne!(a[0].uuid, c[0].uuid);
        assert_eq!(a.iter().map(|g| g.index).collect::<Vec<_>>(), vec![0, 1, 2]);
    }
}
