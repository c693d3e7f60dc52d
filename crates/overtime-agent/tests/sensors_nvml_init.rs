//! The one environment-dependent sensor test: on a machine without an NVIDIA driver NVML must
//! fail as `DriverMissing` (no panic); on a machine with one it must start and read temperatures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use overtime_agent::sensors::nvml::NvmlSensors;
use overtime_agent::sensors::{SensorError, Sensors};

#[test]
fn nvml_init_reports_a_missing_driver_or_reads_a_real_gpu() {
    match NvmlSensors::init() {
        Err(SensorError::DriverMissing(detail)) => {
            assert!(!detail.is_empty());
            let message = SensorError::DriverMissing(detail).to_string();
            assert!(message.contains("install the NVIDIA driver"), "{message}");
        }
        Err(other) => panic!("NVML failed for another reason than a missing driver: {other}"),
        Ok(mut sensors) => {
            let gpus = sensors.gpus();
            assert!(!gpus.is_empty(), "NVML started but lists no GPU");
            assert!(!sensors.backend().is_simulated());
            let samples = sensors.sample(jiff::Timestamp::now());
            assert_eq!(samples.len(), gpus.len());
            assert!(
                samples
                    .iter()
                    .any(|s| s.reading.as_ref().is_ok_and(|r| r.temp_c.is_some())),
                "no GPU reported a temperature: {samples:?}"
            );
        }
    }
}
