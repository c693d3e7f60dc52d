//! HELPER-B: simulated backend (placeholder so the workspace compiles).
use super::*;
pub struct SimulatedSensors;
impl SimulatedSensors {
    pub fn new(_seed: u64, _count: usize) -> Self {
        SimulatedSensors
    }
}
impl Sensors for SimulatedSensors {
    fn backend(&self) -> SensorBackend {
        SensorBackend::Simulated { seed: 0 }
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
