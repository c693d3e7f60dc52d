//! HELPER-B: NVML backend (placeholder so the workspace compiles).
use super::*;
pub struct NvmlSensors;
impl NvmlSensors {
    pub fn init() -> Result<Self, SensorError> {
        Err(SensorError::DriverMissing("placeholder".into()))
    }
}
impl Sensors for NvmlSensors {
    fn backend(&self) -> SensorBackend {
        SensorBackend::Nvml {
            driver_version: None,
            nvml_version: None,
        }
    }
    fn gpus(&self) -> Vec<GpuId> {
        Vec::new()
    }
    fn sample(&mut self, _now: jiff::Timestamp) -> Vec<GpuSample> {
        Vec::new()
    }
    fn graphics_processes(&mut self) -> Vec<GpuProcess> {
        Vec::new()
    }
    fn set_power_limit(&mut self, uuid: &str, _limit_w: Option<f64>) -> Result<(), SensorError> {
        Err(SensorError::UnknownGpu(uuid.into()))
    }
    fn can_set_power_limit(&self, _uuid: &str) -> bool {
        false
    }
}
