//! The NVML backend: reads NVIDIA GPUs through the driver's management library.
//!
//! NVML is loaded once; a missing driver is `SensorError::DriverMissing`, not a crash. Fields a
//! GPU does not support are asked once and then skipped, and a GPU that stops answering fails
//! alone and is logged when it starts and stops failing, not every tick.

use nvml_wrapper::bitmasks::device::ThrottleReasons as NvmlThrottle;
use nvml_wrapper::enum_wrappers::device::{Clock, TemperatureSensor};
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::{Device, Nvml};

use super::{GpuProcess, GpuSample, SensorBackend, SensorError, Sensors};
use overtime_core::{GpuId, GpuReading, ThrottleReasons};

/// Reads every NVIDIA GPU the driver reports. Holds the NVML handle for its whole life; devices
/// are looked up by index on each call (a cheap table lookup in NVML).
pub struct NvmlSensors {
    nvml: Nvml,
    driver_version: Option<String>,
    nvml_version: Option<String>,
    gpus: Vec<NvmlGpu>,
    /// Whether this process has the rights NVML wants for changing power limits.
    is_admin: bool,
}

/// What we remember about one GPU between samples.
#[derive(Debug)]
struct NvmlGpu {
    id: GpuId,
    unsupported: FieldSet,
    health: FaultTracker,
    /// Board limits never change while the driver runs, so they are read once.
    static_limits: StaticLimits,
    /// Whether the power limit constraints were readable at start.
    limits_readable: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct StaticLimits {
    default_mw: Option<u32>,
    constraints_mw: Option<(u32, u32)>,
}

impl NvmlSensors {
    /// Load NVML and enumerate the GPUs (UUID, index, name) and the driver version.
    ///
    /// Can take seconds on Linux without persistence mode: call it once, off the UI thread.
    /// Errors: `DriverMissing` when the library or the driver is absent; `Driver` when NVML
    /// loads but fails otherwise or reports no usable GPU.
    pub fn init() -> Result<NvmlSensors, SensorError> {
        let nvml = Nvml::init().map_err(init_error)?;
        let count = nvml.device_count().map_err(|e| {
            SensorError::Driver(format!(
                "NVML loaded but could not count the GPUs: {e}; check `nvidia-smi`"
            ))
        })?;

        let mut gpus = Vec::new();
        for index in 0..count {
            let device = match nvml.device_by_index(index) {
                Ok(device) => device,
                Err(e) => {
                    tracing::warn!(index, error = %e, "NVML lists a GPU it cannot open; skipping it");
                    continue;
                }
            };
            let uuid = match device.uuid() {
                Ok(uuid) => uuid,
                Err(e) => {
                    tracing::warn!(index, error = %e, "GPU has no readable UUID; skipping it");
                    continue;
                }
            };
            let name = device
                .name()
                .unwrap_or_else(|_| format!("NVIDIA GPU {index}"));
            let limits_readable = device.power_management_limit_constraints().is_ok();
            gpus.push(NvmlGpu::new(GpuId { uuid, index, name }, limits_readable));
        }
        if gpus.is_empty() {
            return Err(SensorError::Driver(
                "the NVIDIA driver is loaded but reports no usable GPU; check `nvidia-smi`"
                    .to_owned(),
            ));
        }

        let sensors = NvmlSensors {
            driver_version: nvml.sys_driver_version().ok(),
            nvml_version: nvml.sys_nvml_version().ok(),
            nvml,
            gpus,
            is_admin: super::elevation::process_is_admin(),
        };
        tracing::info!(
            gpus = sensors.gpus.len(),
            driver = sensors.driver_version.as_deref().unwrap_or("unknown"),
            "NVML ready"
        );
        Ok(sensors)
    }

    fn gpu(&self, uuid: &str) -> Result<&NvmlGpu, SensorError> {
        self.gpus
            .iter()
            .find(|g| g.id.uuid == uuid)
            .ok_or_else(|| SensorError::UnknownGpu(uuid.to_owned()))
    }
}

impl Sensors for NvmlSensors {
    fn backend(&self) -> SensorBackend {
        SensorBackend::Nvml {
            driver_version: self.driver_version.clone(),
            nvml_version: self.nvml_version.clone(),
        }
    }

    fn gpus(&self) -> Vec<GpuId> {
        self.gpus.iter().map(|g| g.id.clone()).collect()
    }

    fn sample(&mut self, _now: jiff::Timestamp) -> Vec<GpuSample> {
        let nvml = &self.nvml;
        self.gpus
            .iter_mut()
            .map(|gpu| {
                let result = nvml
                    .device_by_index(gpu.id.index)
                    .and_then(|device| gpu.read(&device));
                GpuSample {
                    gpu: gpu.id.clone(),
                    reading: gpu.observe(result),
                }
            })
            .collect()
    }

    fn graphics_processes(&mut self) -> Vec<GpuProcess> {
        let nvml = &self.nvml;
        let mut processes = Vec::new();
        for gpu in &mut self.gpus {
            if gpu.unsupported.contains(Field::GraphicsProcesses) {
                continue;
            }
            if let Ok(device) = nvml.device_by_index(gpu.id.index) {
                processes.extend(gpu.graphics_processes(&device));
            }
        }
        processes
    }

    /// `Some(w)` is clamped to the board's constraints; `None` restores the board default.
    /// Errors: `NotPermitted` without administrator rights, `NotSupported` when the board has
    /// no power limit control, `GpuLost`, `UnknownGpu`, and `Driver` for a non-finite limit or
    /// another NVML failure.
    fn set_power_limit(&mut self, uuid: &str, limit_w: Option<f64>) -> Result<(), SensorError> {
        let gpu = self.gpu(uuid)?;
        let mut device = self
            .nvml
            .device_by_index(gpu.id.index)
            .map_err(|e| control_error(uuid, e))?;
        let target_mw = match limit_w {
            None => device
                .power_management_limit_default()
                .map_err(|e| control_error(uuid, e))?,
            Some(w) if !w.is_finite() => {
                return Err(SensorError::Driver(format!(
                    "refused to set the power limit of GPU {uuid} to {w} W: not a number of watts"
                )));
            }
            Some(w) => {
                let constraints = device
                    .power_management_limit_constraints()
                    .map_err(|e| control_error(uuid, e))?;
                clamp_limit_mw(w, constraints.min_limit, constraints.max_limit)
            }
        };
        device
            .set_power_management_limit(target_mw)
            .map_err(|e| control_error(uuid, e))?;
        tracing::info!(uuid, limit_w = mw_to_w(target_mw), "power limit set");
        Ok(())
    }

    fn can_set_power_limit(&self, uuid: &str) -> bool {
        self.is_admin && self.gpu(uuid).is_ok_and(|g| g.limits_readable)
    }
}

impl NvmlGpu {
    fn new(id: GpuId, limits_readable: bool) -> Self {
        NvmlGpu {
            id,
            unsupported: FieldSet::default(),
            health: FaultTracker::default(),
            static_limits: StaticLimits::default(),
            limits_readable,
        }
    }

    /// One reading of every field the GPU supports. `Err` only when the temperature, the
    /// field every NVIDIA GPU has, cannot be read: then the GPU is not answering.
    fn read(&mut self, device: &impl DeviceQueries) -> Result<GpuReading, NvmlError> {
        let uuid = self.id.uuid.clone();
        let set = &mut self.unsupported;
        // A GPU without a temperature sensor (none known) cannot be judged lost by it; its
        // other fields then just go missing when it stops answering.
        let temp_c = if set.contains(Field::Temperature) {
            None
        } else {
            match device.temperature_c() {
                Ok(t) => Some(f64::from(t)),
                Err(e) if is_unsupported(&e) => {
                    set.insert(Field::Temperature);
                    tracing::debug!(uuid, "GPU reports no temperature; not asking again");
                    None
                }
                Err(e) => return Err(e),
            }
        };

        if self.static_limits.default_mw.is_none() {
            self.static_limits.default_mw = query(set, Field::PowerLimitDefault, &uuid, || {
                device.power_limit_default_mw()
            });
        }
        if self.static_limits.constraints_mw.is_none() {
            self.static_limits.constraints_mw = query(set, Field::PowerConstraints, &uuid, || {
                device.power_limit_constraints_mw()
            });
        }
        let limits = self.static_limits;

        let utilization = query(set, Field::Utilization, &uuid, || device.utilization_pct());
        let memory = query(set, Field::Memory, &uuid, || device.memory_bytes());
        Ok(GpuReading {
            temp_c,
            load_pct: utilization.map(|(gpu, _)| f64::from(gpu)),
            mem_load_pct: utilization.map(|(_, mem)| f64::from(mem)),
            mem_used_mib: memory.map(|(used, _)| bytes_to_mib(used)),
            mem_total_mib: memory.map(|(_, total)| bytes_to_mib(total)),
            power_w: query(set, Field::Power, &uuid, || device.power_usage_mw()).map(mw_to_w),
            power_limit_w: query(set, Field::PowerLimit, &uuid, || {
                device.enforced_power_limit_mw()
            })
            .map(mw_to_w),
            power_limit_default_w: limits.default_mw.map(mw_to_w),
            power_limit_min_w: limits.constraints_mw.map(|(min, _)| mw_to_w(min)),
            power_limit_max_w: limits.constraints_mw.map(|(_, max)| mw_to_w(max)),
            fan_pct: query(set, Field::Fan, &uuid, || device.fan_pct()),
            sm_clock_mhz: query(set, Field::SmClock, &uuid, || device.sm_clock_mhz()),
            mem_clock_mhz: query(set, Field::MemClock, &uuid, || device.mem_clock_mhz()),
            throttle: query(set, Field::Throttle, &uuid, || device.throttle_reasons())
                .map(throttle_from_nvml),
            energy_mj: query(set, Field::Energy, &uuid, || device.energy_mj()),
        })
    }

    /// Processes rendering on this GPU; empty when unsupported (remembered) or on failure.
    fn graphics_processes(&mut self, device: &impl DeviceQueries) -> Vec<GpuProcess> {
        let uuid = &self.id.uuid;
        query(
            &mut self.unsupported,
            Field::GraphicsProcesses,
            uuid,
            || device.graphics_pids(),
        )
        .unwrap_or_default()
        .into_iter()
        .map(|pid| GpuProcess {
            pid,
            gpu_uuid: uuid.clone(),
        })
        .collect()
    }

    /// Turn a read into the sample's result, logging only when the GPU starts or stops failing.
    fn observe(
        &mut self,
        result: Result<GpuReading, NvmlError>,
    ) -> Result<GpuReading, SensorError> {
        let uuid = &self.id.uuid;
        match result {
            Ok(reading) => {
                if self.health.succeeded() {
                    tracing::info!(uuid, "GPU answers again");
                }
                Ok(reading)
            }
            Err(e) => {
                let detail = e.to_string();
                if self.health.failed() {
                    tracing::warn!(uuid, error = %detail, "GPU stopped answering");
                }
                Err(SensorError::GpuLost {
                    uuid: uuid.clone(),
                    detail,
                })
            }
        }
    }
}

/// The readings we take from a device, in plain units. A seam so the bookkeeping around NVML
/// (unsupported fields, faults) can be tested without a GPU.
trait DeviceQueries {
    fn temperature_c(&self) -> Result<u32, NvmlError>;
    /// (GPU, memory controller) utilisation in %.
    fn utilization_pct(&self) -> Result<(u32, u32), NvmlError>;
    /// (used, total) in bytes.
    fn memory_bytes(&self) -> Result<(u64, u64), NvmlError>;
    fn power_usage_mw(&self) -> Result<u32, NvmlError>;
    fn enforced_power_limit_mw(&self) -> Result<u32, NvmlError>;
    fn power_limit_default_mw(&self) -> Result<u32, NvmlError>;
    /// (min, max) in mW.
    fn power_limit_constraints_mw(&self) -> Result<(u32, u32), NvmlError>;
    /// Average over the board's fans, 0–100 %.
    fn fan_pct(&self) -> Result<f64, NvmlError>;
    fn sm_clock_mhz(&self) -> Result<u32, NvmlError>;
    fn mem_clock_mhz(&self) -> Result<u32, NvmlError>;
    fn throttle_reasons(&self) -> Result<NvmlThrottle, NvmlError>;
    fn energy_mj(&self) -> Result<u64, NvmlError>;
    fn graphics_pids(&self) -> Result<Vec<u32>, NvmlError>;
}

impl DeviceQueries for Device<'_> {
    fn temperature_c(&self) -> Result<u32, NvmlError> {
        self.temperature(TemperatureSensor::Gpu)
    }
    fn utilization_pct(&self) -> Result<(u32, u32), NvmlError> {
        self.utilization_rates().map(|u| (u.gpu, u.memory))
    }
    fn memory_bytes(&self) -> Result<(u64, u64), NvmlError> {
        self.memory_info().map(|m| (m.used, m.total))
    }
    fn power_usage_mw(&self) -> Result<u32, NvmlError> {
        self.power_usage()
    }
    fn enforced_power_limit_mw(&self) -> Result<u32, NvmlError> {
        self.enforced_power_limit()
    }
    fn power_limit_default_mw(&self) -> Result<u32, NvmlError> {
        self.power_management_limit_default()
    }
    fn power_limit_constraints_mw(&self) -> Result<(u32, u32), NvmlError> {
        self.power_management_limit_constraints()
            .map(|c| (c.min_limit, c.max_limit))
    }
    fn fan_pct(&self) -> Result<f64, NvmlError> {
        let fans = match self.num_fans() {
            // A passively cooled board: no fan to report.
            Ok(0) => return Err(NvmlError::NotSupported),
            Ok(n) => n,
            // Older drivers cannot count fans; fan 0 is then the only one we can ask.
            Err(e) if is_unsupported(&e) => 1,
            Err(e) => return Err(e),
        };
        let mut speeds = Vec::new();
        let mut first_error = None;
        for fan in 0..fans {
            match self.fan_speed(fan) {
                Ok(pct) => speeds.push(f64::from(pct)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match (average(&speeds), first_error) {
            // NVML may report a little over 100 % on some boards; the reading's range is 0–100.
            (Some(avg), _) => Ok(avg.min(100.0)),
            (None, Some(e)) => Err(e),
            (None, None) => Err(NvmlError::NotSupported),
        }
    }
    fn sm_clock_mhz(&self) -> Result<u32, NvmlError> {
        self.clock_info(Clock::SM)
    }
    fn mem_clock_mhz(&self) -> Result<u32, NvmlError> {
        self.clock_info(Clock::Memory)
    }
    fn throttle_reasons(&self) -> Result<NvmlThrottle, NvmlError> {
        self.current_throttle_reasons()
    }
    fn energy_mj(&self) -> Result<u64, NvmlError> {
        self.total_energy_consumption()
    }
    fn graphics_pids(&self) -> Result<Vec<u32>, NvmlError> {
        self.running_graphics_processes()
            .map(|list| list.into_iter().map(|p| p.pid).collect())
    }
}

/// The readings a GPU may not support; each is asked until the GPU says it does not have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Temperature,
    Utilization,
    Memory,
    Power,
    PowerLimit,
    PowerLimitDefault,
    PowerConstraints,
    Fan,
    SmClock,
    MemClock,
    Throttle,
    Energy,
    GraphicsProcesses,
}

impl Field {
    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// Fields a GPU said it does not support.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct FieldSet(u32);

impl FieldSet {
    fn contains(self, field: Field) -> bool {
        self.0 & field.bit() != 0
    }
    fn insert(&mut self, field: Field) {
        self.0 |= field.bit();
    }
}

/// Ask for one field unless the GPU already said it lacks it. `None` when unsupported (then
/// remembered) or when the read failed this time (asked again next time).
fn query<T>(
    unsupported: &mut FieldSet,
    field: Field,
    uuid: &str,
    read: impl FnOnce() -> Result<T, NvmlError>,
) -> Option<T> {
    if unsupported.contains(field) {
        return None;
    }
    match read() {
        Ok(value) => Some(value),
        Err(e) if is_unsupported(&e) => {
            unsupported.insert(field);
            tracing::debug!(uuid, ?field, "GPU does not report this; not asking again");
            None
        }
        Err(e) => {
            tracing::debug!(uuid, ?field, error = %e, "reading failed this time");
            None
        }
    }
}

/// Errors that mean "this GPU or driver does not have that", as opposed to a passing failure.
fn is_unsupported(e: &NvmlError) -> bool {
    matches!(
        e,
        NvmlError::NotSupported | NvmlError::FunctionNotFound | NvmlError::FailedToLoadSymbol(_)
    )
}

/// Remembers whether a GPU is failing, so a fault is logged when it starts and when it ends.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct FaultTracker {
    failing: bool,
}

impl FaultTracker {
    /// Record a failed read; `true` only when the GPU was fine before (log it now).
    fn failed(&mut self) -> bool {
        !std::mem::replace(&mut self.failing, true)
    }

    /// Record a good read; `true` only when the GPU was failing before (log the recovery).
    fn succeeded(&mut self) -> bool {
        std::mem::replace(&mut self.failing, false)
    }
}

/// Map NVML's clock event bit flags to ours. (NVML's "user defined clocks" is the same bit as
/// application clocks: someone capped the clocks on purpose.)
fn throttle_from_nvml(bits: NvmlThrottle) -> ThrottleReasons {
    ThrottleReasons {
        idle: bits.contains(NvmlThrottle::GPU_IDLE),
        app_clocks: bits.contains(NvmlThrottle::APPLICATIONS_CLOCKS_SETTING),
        sw_power_cap: bits.contains(NvmlThrottle::SW_POWER_CAP),
        hw_slowdown: bits.contains(NvmlThrottle::HW_SLOWDOWN),
        sw_thermal: bits.contains(NvmlThrottle::SW_THERMAL_SLOWDOWN),
        hw_thermal: bits.contains(NvmlThrottle::HW_THERMAL_SLOWDOWN),
        hw_power_brake: bits.contains(NvmlThrottle::HW_POWER_BRAKE_SLOWDOWN),
        sync_boost: bits.contains(NvmlThrottle::SYNC_BOOST),
        display_clocks: bits.contains(NvmlThrottle::DISPLAY_CLOCK_SETTING),
    }
}

fn mw_to_w(mw: u32) -> f64 {
    f64::from(mw) / 1000.0
}

fn bytes_to_mib(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

/// A limit in W as NVML's mW, kept within the board's [min, max] (a finite `limit_w` only).
fn clamp_limit_mw(limit_w: f64, min_mw: u32, max_mw: u32) -> u32 {
    let wanted_mw = (limit_w * 1000.0).round();
    // `max(min)` after `min(max)` so a board reporting min > max still gets its minimum.
    wanted_mw.min(f64::from(max_mw)).max(f64::from(min_mw)) as u32
}

fn average(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// `DriverMissing` when NVML or the driver is absent (the common case on a machine without an
/// NVIDIA GPU); `Driver` when it is there but refuses.
fn init_error(e: NvmlError) -> SensorError {
    match e {
        NvmlError::LibloadingError(_)
        | NvmlError::FailedToLoadSymbol(_)
        | NvmlError::LibraryNotFound
        | NvmlError::DriverNotLoaded => SensorError::DriverMissing(format!(
            "could not load NVML, the NVIDIA management library: {e}"
        )),
        other => SensorError::Driver(format!(
            "NVML is installed but did not start: {other}; check `nvidia-smi`"
        )),
    }
}

/// Errors from changing the power limit, in the user's terms.
fn control_error(uuid: &str, e: NvmlError) -> SensorError {
    match e {
        NvmlError::NoPermission => SensorError::NotPermitted {
            uuid: uuid.to_owned(),
            detail: "the NVIDIA driver refused (no permission)".to_owned(),
        },
        e if is_unsupported(&e) => SensorError::NotSupported {
            uuid: uuid.to_owned(),
            what: "power limit control".to_owned(),
        },
        NvmlError::GpuLost => SensorError::GpuLost {
            uuid: uuid.to_owned(),
            detail: e.to_string(),
        },
        other => SensorError::Driver(format!(
            "changing the power limit of GPU {uuid} failed: {other}"
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A device answering from a script: fields listed in `unsupported` say NotSupported,
    /// everything fails with GpuLost while `lost`, and every call is recorded.
    #[derive(Default)]
    struct ScriptedDevice {
        unsupported: Vec<Field>,
        lost: bool,
        calls: RefCell<Vec<Field>>,
    }

    impl ScriptedDevice {
        fn answer<T>(&self, field: Field, value: T) -> Result<T, NvmlError> {
            self.calls.borrow_mut().push(field);
            if self.lost {
                Err(NvmlError::GpuLost)
            } else if self.unsupported.contains(&field) {
                Err(NvmlError::NotSupported)
            } else {
                Ok(value)
            }
        }
        fn calls_to(&self, field: Field) -> usize {
            self.calls.borrow().iter().filter(|f| **f == field).count()
        }
    }

    impl DeviceQueries for ScriptedDevice {
        fn temperature_c(&self) -> Result<u32, NvmlError> {
            self.answer(Field::Temperature, 61)
        }
        fn utilization_pct(&self) -> Result<(u32, u32), NvmlError> {
            self.answer(Field::Utilization, (97, 40))
        }
        fn memory_bytes(&self) -> Result<(u64, u64), NvmlError> {
            self.answer(Field::Memory, (2048 * 1024 * 1024, 16_376 * 1024 * 1024))
        }
        fn power_usage_mw(&self) -> Result<u32, NvmlError> {
            self.answer(Field::Power, 287_450)
        }
        fn enforced_power_limit_mw(&self) -> Result<u32, NvmlError> {
            self.answer(Field::PowerLimit, 320_000)
        }
        fn power_limit_default_mw(&self) -> Result<u32, NvmlError> {
            self.answer(Field::PowerLimitDefault, 320_000)
        }
        fn power_limit_constraints_mw(&self) -> Result<(u32, u32), NvmlError> {
            self.answer(Field::PowerConstraints, (100_000, 380_000))
        }
        fn fan_pct(&self) -> Result<f64, NvmlError> {
            self.answer(Field::Fan, 55.0)
        }
        fn sm_clock_mhz(&self) -> Result<u32, NvmlError> {
            self.answer(Field::SmClock, 2505)
        }
        fn mem_clock_mhz(&self) -> Result<u32, NvmlError> {
            self.answer(Field::MemClock, 11_201)
        }
        fn throttle_reasons(&self) -> Result<NvmlThrottle, NvmlError> {
            self.answer(Field::Throttle, NvmlThrottle::SW_POWER_CAP)
        }
        fn energy_mj(&self) -> Result<u64, NvmlError> {
            self.answer(Field::Energy, 123_456_789)
        }
        fn graphics_pids(&self) -> Result<Vec<u32>, NvmlError> {
            self.answer(Field::GraphicsProcesses, vec![4242])
        }
    }

    fn gpu(uuid: &str) -> NvmlGpu {
        let id = GpuId {
            uuid: uuid.to_owned(),
            index: 0,
            name: "test".to_owned(),
        };
        NvmlGpu::new(id, true)
    }

    #[test]
    fn a_full_featured_gpu_fills_every_field_in_plain_units() {
        let device = ScriptedDevice::default();
        let reading = gpu("GPU-a").read(&device).unwrap();
        assert_eq!(
            reading,
            GpuReading {
                temp_c: Some(61.0),
                load_pct: Some(97.0),
                mem_load_pct: Some(40.0),
                mem_used_mib: Some(2048),
                mem_total_mib: Some(16_376),
                power_w: Some(287.45),
                power_limit_w: Some(320.0),
                power_limit_default_w: Some(320.0),
                power_limit_min_w: Some(100.0),
                power_limit_max_w: Some(380.0),
                fan_pct: Some(55.0),
                sm_clock_mhz: Some(2505),
                mem_clock_mhz: Some(11_201),
                throttle: Some(ThrottleReasons {
                    sw_power_cap: true,
                    ..ThrottleReasons::default()
                }),
                energy_mj: Some(123_456_789),
            }
        );
    }

    #[test]
    fn an_unsupported_field_is_asked_once_and_then_left_out() {
        let device = ScriptedDevice {
            unsupported: vec![Field::Fan, Field::Energy],
            ..ScriptedDevice::default()
        };
        let mut gpu = gpu("GPU-passive");
        for _ in 0..5 {
            let reading = gpu.read(&device).unwrap();
            assert_eq!(reading.fan_pct, None);
            assert_eq!(reading.energy_mj, None);
            assert_eq!(reading.temp_c, Some(61.0));
        }
        assert_eq!(device.calls_to(Field::Fan), 1);
        assert_eq!(device.calls_to(Field::Energy), 1);
        assert_eq!(device.calls_to(Field::Temperature), 5);
        assert_eq!(device.calls_to(Field::Power), 5);
    }

    #[test]
    fn board_limits_are_read_once_because_they_never_change() {
        let device = ScriptedDevice::default();
        let mut gpu = gpu("GPU-a");
        for _ in 0..3 {
            let reading = gpu.read(&device).unwrap();
            assert_eq!(reading.power_limit_max_w, Some(380.0));
        }
        assert_eq!(device.calls_to(Field::PowerConstraints), 1);
        assert_eq!(device.calls_to(Field::PowerLimitDefault), 1);
        assert_eq!(device.calls_to(Field::PowerLimit), 3);
    }

    #[test]
    fn a_gpu_that_stops_answering_fails_alone_and_recovers() {
        let mut healthy = gpu("GPU-ok");
        let mut lost = gpu("GPU-lost");
        let good = ScriptedDevice::default();
        let bad = ScriptedDevice {
            lost: true,
            ..ScriptedDevice::default()
        };
        let failing = lost.read(&bad);
        match lost.observe(failing) {
            Err(SensorError::GpuLost { uuid, .. }) => assert_eq!(uuid, "GPU-lost"),
            other => panic!("expected GpuLost, got {other:?}"),
        }
        // Only the core field is asked of a GPU that is not answering.
        assert_eq!(bad.calls.borrow().as_slice(), &[Field::Temperature]);
        let fine = healthy.read(&good);
        assert!(healthy.observe(fine).is_ok());

        let back = lost.read(&good);
        assert!(lost.observe(back).is_ok());
        assert!(!lost.health.failing);
    }

    #[test]
    fn a_fault_is_reported_once_when_it_starts_and_once_when_it_ends() {
        let mut tracker = FaultTracker::default();
        let events = [
            ("ok", false),
            ("fail", true),
            ("fail", false),
            ("fail", false),
            ("ok", true),
            ("ok", false),
            ("fail", true),
        ];
        for (step, (outcome, want_log)) in events.into_iter().enumerate() {
            let logged = match outcome {
                "ok" => tracker.succeeded(),
                _ => tracker.failed(),
            };
            assert_eq!(logged, want_log, "step {step} ({outcome})");
        }
    }

    #[test]
    fn throttle_bits_map_to_named_reasons() {
        let cases = [
            (NvmlThrottle::empty(), ThrottleReasons::default()),
            (
                NvmlThrottle::GPU_IDLE,
                ThrottleReasons {
                    idle: true,
                    ..Default::default()
                },
            ),
            (
                NvmlThrottle::SW_POWER_CAP | NvmlThrottle::SW_THERMAL_SLOWDOWN,
                ThrottleReasons {
                    sw_power_cap: true,
                    sw_thermal: true,
                    ..Default::default()
                },
            ),
            (
                NvmlThrottle::HW_SLOWDOWN
                    | NvmlThrottle::HW_THERMAL_SLOWDOWN
                    | NvmlThrottle::HW_POWER_BRAKE_SLOWDOWN,
                ThrottleReasons {
                    hw_slowdown: true,
                    hw_thermal: true,
                    hw_power_brake: true,
                    ..Default::default()
                },
            ),
            (
                NvmlThrottle::SYNC_BOOST
                    | NvmlThrottle::DISPLAY_CLOCK_SETTING
                    | NvmlThrottle::APPLICATIONS_CLOCKS_SETTING,
                ThrottleReasons {
                    sync_boost: true,
                    display_clocks: true,
                    app_clocks: true,
                    ..Default::default()
                },
            ),
        ];
        for (bits, want) in cases {
            assert_eq!(throttle_from_nvml(bits), want, "{bits:?}");
        }
    }

    #[test]
    fn units_convert_from_nvml() {
        assert_eq!(mw_to_w(287_450), 287.45);
        assert_eq!(mw_to_w(0), 0.0);
        assert_eq!(bytes_to_mib(16_376 * 1024 * 1024), 16_376);
        assert_eq!(bytes_to_mib(1024 * 1024 - 1), 0);
    }

    #[test]
    fn a_requested_limit_is_clamped_to_the_board() {
        let cases = [
            (250.0, 100_000, 380_000, 250_000),
            (250.4996, 100_000, 380_000, 250_500),
            (50.0, 100_000, 380_000, 100_000),
            (1000.0, 100_000, 380_000, 380_000),
            (-5.0, 100_000, 380_000, 100_000),
            // A board reporting min above max still gets its minimum, never a panic.
            (250.0, 300_000, 200_000, 300_000),
        ];
        for (limit_w, min_mw, max_mw, want_mw) in cases {
            assert_eq!(
                clamp_limit_mw(limit_w, min_mw, max_mw),
                want_mw,
                "{limit_w} W in [{min_mw}, {max_mw}] mW"
            );
        }
    }

    #[test]
    fn a_missing_driver_is_driver_missing_and_other_failures_are_not() {
        for missing in [
            NvmlError::DriverNotLoaded,
            NvmlError::LibraryNotFound,
            NvmlError::FailedToLoadSymbol("nvmlInit_v2".to_owned()),
        ] {
            assert!(
                matches!(init_error(missing), SensorError::DriverMissing(_)),
                "should read as a missing driver"
            );
        }
        assert!(matches!(
            init_error(NvmlError::NoPermission),
            SensorError::Driver(_)
        ));
    }

    #[test]
    fn power_control_errors_say_what_to_do() {
        let denied = control_error("GPU-a", NvmlError::NoPermission);
        assert!(matches!(denied, SensorError::NotPermitted { .. }));
        let text = denied.to_string();
        assert!(text.contains("administrator"), "{text}");
        assert!(text.contains("thermal.power_limit_control"), "{text}");
        assert!(matches!(
            control_error("GPU-a", NvmlError::NotSupported),
            SensorError::NotSupported { .. }
        ));
        assert!(matches!(
            control_error("GPU-a", NvmlError::GpuLost),
            SensorError::GpuLost { .. }
        ));
    }

    #[test]
    fn graphics_processes_carry_the_gpu_uuid_and_unsupported_is_asked_once() {
        let device = ScriptedDevice::default();
        assert_eq!(
            gpu("GPU-game").graphics_processes(&device),
            vec![GpuProcess {
                pid: 4242,
                gpu_uuid: "GPU-game".to_owned()
            }]
        );

        let windows_tcc = ScriptedDevice {
            unsupported: vec![Field::GraphicsProcesses],
            ..ScriptedDevice::default()
        };
        let mut gpu = gpu("GPU-tcc");
        assert!(gpu.graphics_processes(&windows_tcc).is_empty());
        assert!(gpu.graphics_processes(&windows_tcc).is_empty());
        assert_eq!(windows_tcc.calls_to(Field::GraphicsProcesses), 1);
    }

    #[test]
    fn a_gpu_without_a_temperature_sensor_still_reads_its_other_fields() {
        let device = ScriptedDevice {
            unsupported: vec![Field::Temperature],
            ..ScriptedDevice::default()
        };
        let mut gpu = gpu("GPU-odd");
        for _ in 0..2 {
            let reading = gpu.read(&device).unwrap();
            assert_eq!(reading.temp_c, None);
            assert_eq!(reading.power_w, Some(287.45));
        }
        assert_eq!(device.calls_to(Field::Temperature), 1);
    }
}
