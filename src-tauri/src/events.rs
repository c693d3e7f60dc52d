//! Host events to the window: snapshots become the UI's `snapshot` event (the UI never polls),
//! `focus` brings the window forward, `close` ends the window because the user quit Overtime.

use overtime_desktop::ipc::event;
use tauri::{AppHandle, Emitter};
use tokio::sync::mpsc;

use crate::link::HostEvent;
use crate::window;

/// Forwards until the host goes away.
pub async fn forward(app: AppHandle, mut events: mpsc::Receiver<HostEvent>) {
    while let Some(message) = events.recv().await {
        let Some((name, payload)) = message else {
            // The host is gone: nothing the window shows would stay true. Calls already fail
            // with "start Overtime again"; the UI keeps the last picture rather than vanish.
            tracing::warn!("Overtime's background process stopped; the window no longer updates");
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
