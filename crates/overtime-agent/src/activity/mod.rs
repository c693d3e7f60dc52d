//! LEAD-STUB: replaced by helper C's activity watchers.
use overtime_core::activity::ActivityState;
use overtime_core::config::ActivityConfig;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::sensors::GpuProcess;

#[derive(Debug, thiserror::Error)]
#[error("activity")]
pub struct ActivityError;

pub struct ActivityHandle {
    pub state: watch::Receiver<ActivityState>,
    pub config: watch::Sender<ActivityConfig>,
    pub input_idle_source: String,
    pub task: tokio::task::JoinHandle<()>,
}

pub fn spawn(
    config: ActivityConfig,
    graphics: watch::Receiver<Vec<GpuProcess>>,
    shutdown: CancellationToken,
) -> Result<ActivityHandle, ActivityError> {
    let _ = (graphics, shutdown);
    let (_tx, state) = watch::channel(ActivityState::default());
    let (config, _) = watch::channel(config);
    Ok(ActivityHandle {
        state,
        config,
        input_idle_source: String::new(),
        task: tokio::spawn(async {}),
    })
}
