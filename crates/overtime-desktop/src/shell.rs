//! The resident process's state: the agent's handle, the running agent itself (taken once,
//! to stop it on quit) and the facts the desktop app adds to what the UI sees.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use overtime_agent::AgentHandle;
use overtime_agent::api::ApiStatus;
use overtime_agent::service::AgentService;
use overtime_core::config::Config;
use tokio::sync::watch;

use crate::agent_host::AgentHost;
use crate::recent::{RecentReadings, UiRecentGpu};
use crate::wire::{ApiState, ShellFacts, UiSnapshot};

/// Shared by the socket's method calls, the tray and the snapshot forwarder.
pub struct Shell {
    pub handle: AgentHandle,
    /// The agent's typed service: every call the window makes that is not the host's own.
    pub service: AgentService,
    pub config_path: PathBuf,
    host: Mutex<Option<AgentHost>>,
    facts: Mutex<ShellFacts>,
    /// The loopback API's state; it changes when `[api]` is saved.
    api_status: watch::Receiver<ApiStatus>,
    quitting: AtomicBool,
    /// The last hour of chart readings, for a window that has just opened.
    recent: Mutex<RecentReadings>,
    /// When the process started, for start-up timing.
    pub started: Instant,
}

/// A poisoned lock only means another thread panicked mid-update of plain data; the data is
/// still usable, so carry on rather than take the whole app down.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shell {
    pub fn new(host: AgentHost, started: Instant) -> Arc<Shell> {
        Arc::new(Shell {
            handle: host.handle.clone(),
            service: AgentService::new(host.handle.clone(), host.paths.config_file.clone()),
            config_path: host.paths.config_file.clone(),
            facts: Mutex::new(ShellFacts {
                tray_available: false,
                startup_config_error: host.startup_config_error.clone(),
                catalogue: crate::tray_state::TrayText::from_env().catalogue(),
            }),
            api_status: host.api_status.clone(),
            host: Mutex::new(Some(host)),
            quitting: AtomicBool::new(false),
            recent: Mutex::new(RecentReadings::new()),
            started,
        })
    }

    /// The dashboard's view of the latest agent snapshot.
    pub fn ui_snapshot(&self) -> UiSnapshot {
        let snapshot = self.handle.snapshot();
        let api = ApiState::from_status(&self.api_status.borrow());
        UiSnapshot::from_agent(&snapshot, &lock(&self.facts), api)
    }

    /// Keeps `snapshot`'s readings for the charts of windows opened later.
    pub fn record_recent(&self, snapshot: &overtime_agent::AgentSnapshot) {
        lock(&self.recent).record(snapshot);
    }

    /// The last hour of chart readings per GPU.
    pub fn recent_view(&self) -> Vec<UiRecentGpu> {
        lock(&self.recent).view()
    }

    /// The configuration in force, as the agent adopted it.
    pub fn config(&self) -> Arc<Config> {
        self.handle.config()
    }

    pub fn set_tray_available(&self, available: bool) {
        lock(&self.facts).tray_available = available;
    }

    /// Marks that the user asked to quit (so closing the last window may end the app).
    pub fn begin_quit(&self) {
        self.quitting.store(true, Ordering::SeqCst);
    }

    pub fn is_quitting(&self) -> bool {
        self.quitting.load(Ordering::SeqCst)
    }

    /// The agent, once: whoever takes it stops it.
    pub fn take_host(&self) -> Option<AgentHost> {
        lock(&self.host).take()
    }
}
