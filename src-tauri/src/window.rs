//! The dashboard window. It lives as long as this process: closing it ends the process, so
//! every byte WebKit used goes back to the system while Overtime sits in the tray.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

/// The only window's label; the capability file grants permissions to this label.
pub const MAIN: &str = "main";
/// The window's size when it opens (logical pixels); the benchmark's empty window uses it too.
pub const OPEN_SIZE: (f64, f64) = (1100.0, 760.0);

/// Builds the window.
pub fn open(app: &AppHandle) -> tauri::Result<()> {
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Overtime")
        .inner_size(OPEN_SIZE.0, OPEN_SIZE.1)
        .min_inner_size(800.0, 600.0)
        .build()?;
    Ok(())
}

/// Brings the window forward (a second launch, or "Open dashboard" in the tray).
pub fn focus(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}
