//! GPU sensors: the seam between the agent and the GPU driver.
//!
//! [`nvml::NvmlSensors`] reads NVIDIA GPUs through NVML; [`simulated::SimulatedSensors`] is a
//! deterministic stand-in used for demo mode (no NVIDIA driver) and tests. [`auto_select`] picks
//! NVML when the driver loads and says which one it picked.

pub mod elevation;
pub mod nvml;
pub mod simulated;

use overtime_core::{GpuId, GpuReading};

/// Which backend produced the readings; shown to the user so simulated data is never taken as real.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SensorBackend {
    Nvml {
        driver_version: Option<String>,
        nvml_version: Option<String>,
    },
    Simulated {
        seed: u64,
    },
}

impl SensorBackend {
    pub fn is_simulated(&self) -> bool {
        matches!(self, SensorBackend::Simulated { .. })
    }

    pub fn describe(&self) -> String {
        match self {
            SensorBackend::Nvml { driver_version, .. } => match driver_version {
                Some(v) => format!("NVML (NVIDIA driver {v})"),
                None => "NVML".to_owned(),
            },
            SensorBackend::Simulated { seed } => {
                format!("simulated GPU (seed {seed}) — demo mode, not real readings")
            }
        }
    }
}

/// One GPU's result from one sampling pass.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuSample {
    pub gpu: GpuId,
    pub reading: Result<GpuReading, SensorError>,
}

/// A process using a GPU for graphics; a domain type, so the activity wing reads it without
/// knowing the sensors wing.
pub use overtime_core::gpu::GpuProcess;

/// What the work on a GPU looks like, so the simulated backend can make temperature follow load.
/// Real backends ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    None,
    Volunteer,
    Rental,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SensorError {
    #[error(
        "no NVIDIA driver found ({0}); install the NVIDIA driver, or run in demo mode with a simulated GPU"
    )]
    DriverMissing(String),
    #[error(
        "GPU {uuid} stopped answering: {detail}. Check `nvidia-smi`; a GPU that fell off the bus needs a reboot"
    )]
    GpuLost { uuid: String, detail: String },
    #[error(
        "changing the power limit of GPU {uuid} is not permitted: {detail}. Run the agent with administrator rights, or turn thermal.power_limit_control off"
    )]
    NotPermitted { uuid: String, detail: String },
    #[error("GPU {uuid} does not support {what}")]
    NotSupported { uuid: String, what: String },
    #[error("no GPU with UUID {0}")]
    UnknownGpu(String),
    #[error("NVML error: {0}")]
    Driver(String),
}

/// A source of GPU readings. Implementations are synchronous: NVML calls are short driver round
/// trips, and the supervisor calls them once per tick.
pub trait Sensors: Send {
    fn backend(&self) -> SensorBackend;

    /// The GPUs found at start, in index order.
    fn gpus(&self) -> Vec<GpuId>;

    /// Read every GPU once. `now` drives the simulated backend (so it is deterministic under a
    /// paused clock); real backends ignore it. A GPU that fails yields `Err` for that GPU only.
    fn sample(&mut self, now: jiff::Timestamp) -> Vec<GpuSample>;

    /// Processes rendering graphics on each GPU (empty when unsupported).
    fn graphics_processes(&mut self) -> Vec<GpuProcess>;

    /// Set the enforced power limit in W, or restore the board default with `None`.
    fn set_power_limit(&mut self, uuid: &str, limit_w: Option<f64>) -> Result<(), SensorError>;

    /// Whether `set_power_limit` can work for this GPU at all (rights, support), checked once.
    fn can_set_power_limit(&self, uuid: &str) -> bool;

    /// Tell the backend what runs on a GPU. Only the simulated backend uses it.
    fn note_workload(&mut self, uuid: &str, workload: Workload) {
        let _ = (uuid, workload);
    }
}

/// NVML when the NVIDIA driver loads, else a simulated GPU. The `String` says why, for the log
/// and `overtime doctor`.
pub fn auto_select(seed: u64) -> (Box<dyn Sensors>, String) {
    match nvml::NvmlSensors::init() {
        Ok(s) => {
            let why = format!("using {}", s.backend().describe());
            (Box::new(s), why)
        }
        Err(e) => (
            Box::new(simulated::SimulatedSensors::new(seed, 1)),
            format!("{e}; using a simulated GPU instead (demo mode)"),
        ),
    }
}
