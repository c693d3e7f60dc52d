//! Overtime's desktop shell: the agent runs in-process, the dashboard is a Tauri window, and a
//! tray icon keeps Overtime reachable while the window is closed.
//!
//! The shell is thin: `commands` (what the UI may call), `events` (snapshots pushed to the UI
//! and the tray), `tray`, `window` (created on open, destroyed on close so its memory is given
//! back), `settings` (the config file edited and validated), and `wire` (the types the UI sees,
//! with generated TypeScript). Decisions stay in the agent and the core.

mod agent_host;
mod bindings;
mod commands;
mod control;
mod earnings;
mod error;
mod events;
mod locale;
mod service;
mod settings;
mod shell;
#[cfg(test)]
mod test_agent;
mod timeline;
mod tray;
mod tray_state;
mod window;
mod wire;

use std::process::ExitCode;
use std::sync::Arc;

use tauri::{AppHandle, Manager, RunEvent};

use crate::agent_host::{AgentHost, HostOptions};
use crate::shell::Shell;

/// Starts the app and blocks until it quits. Exit code 1 when it could not start.
pub fn run() -> ExitCode {
    let started = std::time::Instant::now();
    init_logging();
    let args: Vec<String> = std::env::args().collect();
    let options = HostOptions::from_env_and_args(&args);

    let app = tauri::Builder::default()
        // First, so a second launch only brings the running one's window forward.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Err(e) = window::open(app) {
                tracing::error!(error = %e, "cannot open the dashboard window");
            }
        }))
        .invoke_handler(tauri::generate_handler![commands::host_call])
        .setup(move |app| {
            let host = tauri::async_runtime::block_on(AgentHost::start(&options))?;
            if host.handle.snapshot().simulated {
                tracing::info!("no NVIDIA GPU answered: demo mode with a simulated GPU");
            }
            let shell = Shell::new(host, started);
            app.manage(shell.clone());
            let handle = app.handle().clone();
            // Built even with no tray host in sight: an X11 tray started later still docks it.
            let tray = match tray::build(&handle, shell.clone()) {
                Ok(t) => Some(t),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot create the tray icon");
                    None
                }
            };
            let host_seen = tray.is_some() && tray::host_seen();
            if !host_seen {
                tracing::warn!(
                    "no system tray found on this desktop; Overtime works from its window, and \
                     launching it again brings the window back"
                );
            }
            shell.set_tray_available(host_seen);
            tauri::async_runtime::spawn(events::forward(handle.clone(), shell, tray));
            window::open(&handle)?;
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("Overtime could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    app.run(|app, event| match event {
        // The last window closed: keep running in the tray (or in the background, where
        // there is no tray: launching again brings the window back).
        RunEvent::ExitRequested {
            code: None, api, ..
        } if !app.state::<Arc<Shell>>().is_quitting() => api.prevent_exit(),
        RunEvent::Exit => stop_agent(app),
        _ => {}
    });
    ExitCode::SUCCESS
}

/// Quits for real: closes the window, stops the agent (providers left safe) and exits.
pub(crate) fn quit(app: &AppHandle) {
    if let Some(shell) = app.try_state::<Arc<Shell>>() {
        shell.begin_quit();
    }
    app.exit(0);
}

fn stop_agent(app: &AppHandle) {
    if let Some(host) = app
        .try_state::<Arc<Shell>>()
        .and_then(|shell| shell.take_host())
    {
        tauri::async_runtime::block_on(host.stop());
    }
}

fn init_logging() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    let env_filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}
