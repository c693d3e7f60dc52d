//! Pushes the agent's snapshots to the UI (event `snapshot`) and to the tray. The UI never
//! polls: it asks once for the current snapshot, then listens.
//!
//! While the window is closed nothing is rendered for it, so Overtime in the tray costs next to
//! nothing: the tray is updated only when its content changes.

use std::sync::Arc;

use jiff::Timestamp;
use overtime_agent::config_file;
use tauri::{AppHandle, Emitter};

use crate::shell::Shell;
use crate::tray::Tray;
use crate::tray_state::TrayState;
use crate::window;

/// Name of the event that carries a `UiSnapshot`.
pub const SNAPSHOT_EVENT: &str = "snapshot";

/// Forwards snapshots until the agent stops.
pub async fn forward(app: AppHandle, shell: Arc<Shell>, mut tray: Option<Tray>) {
    let mut rx = shell.handle.snapshots.clone();
    let mut loaded_at = rx.borrow().config.loaded_at;
    loop {
        let snapshot = rx.borrow_and_update().clone();
        if snapshot.config.loaded_at != loaded_at {
            // The agent adopted a changed file: re-read it for the limits shown on the charts.
            loaded_at = snapshot.config.loaded_at;
            if let Ok(config) = config_file::load(&shell.config_path) {
                shell.set_config(config);
            }
        }
        if let Some(tray) = tray.as_mut() {
            tray.show(TrayState::of(&snapshot, Timestamp::now()));
        }
        if window::is_open(&app) {
            let ui = shell.ui_snapshot();
            if let Err(e) = app.emit_to(window::MAIN, SNAPSHOT_EVENT, &ui) {
                tracing::debug!(error = %e, "cannot send a snapshot to the window");
            }
        }
        if rx.changed().await.is_err() {
            break;
        }
    }
}
