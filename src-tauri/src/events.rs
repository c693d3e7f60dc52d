//! Host events to the window: snapshots become the UI's `snapshot` event (the UI never polls),
//! `focus` brings the window forward, `close` ends the window because the user quit Overtime.

use overtime_link::event;
use tauri::{AppHandle, Emitter};
use tokio::sync::mpsc;

use crate::link::HostEvent;
use crate::window;

/// Tells the UI that the host is gone (it shows why nothing updates any more).
pub const HOST_LOST_EVENT: &str = "host_lost";

/// Forwards until the host goes away.
pub async fn forward(app: AppHandle, mut events: mpsc::Receiver<HostEvent>) {
    while let Some(message) = events.recv().await {
        let Some((name, payload)) = message else {
            // The host is gone: nothing the window shows would stay true. Calls already fail
            // with "start Overtime again"; the UI keeps the last picture and says so.
            tracing::warn!("Overtime's background process stopped; the window no longer updates");
            if let Err(e) = app.emit_to(window::MAIN, HOST_LOST_EVENT, ()) {
                tracing::debug!(error = %e, "cannot tell the window");
            }
            break;
        };
        match name.as_str() {
            event::SNAPSHOT => {
                if let Err(e) = app.emit_to(window::MAIN, event::SNAPSHOT, payload) {
                    tracing::debug!(error = %e, "cannot send a snapshot to the window");
                }
            }
            event::FOCUS => window::focus(&app),
            event::CLOSE => app.exit(0),
            other => tracing::debug!(event = other, "ignoring an unknown host event"),
        }
    }
}
