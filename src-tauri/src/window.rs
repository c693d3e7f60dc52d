//! The dashboard window's life: created on demand, destroyed when closed so the web view's
//! memory goes back to the system while Overtime sits in the tray.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

/// The only window's label; the capability file grants permissions to this label.
pub const MAIN: &str = "main";

/// Shows the dashboard: brings the existing window forward, or builds a fresh one.
pub fn open(app: &AppHandle) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(MAIN) {
        w.show()?;
        w.unminimize()?;
        w.set_focus()?;
        return Ok(());
    }
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Overtime")
        .inner_size(1100.0, 760.0)
        .min_inner_size(800.0, 600.0)
        .build()?;
    Ok(())
}

/// True while the dashboard exists (snapshots are only worth rendering then).
pub fn is_open(app: &AppHandle) -> bool {
    app.get_webview_window(MAIN).is_some()
}
