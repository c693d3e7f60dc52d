//! Overtime's dashboard window: a Tauri/WebKit process that `overtime-desktop` (the resident
//! process with the agent and the tray) starts on demand. It holds no state: every UI call is
//! forwarded over the local connection (`link`, on `overtime_link`'s transport), snapshots come back as events (`events`), and
//! closing the window ends the process.

mod commands;
mod events;
mod link;
mod window;

pub use window::OPEN_SIZE;

use std::process::ExitCode;

use tauri::Manager;

use crate::link::HostLink;

/// Opens the window and blocks until it closes. Exit code 1 when Overtime could not be reached.
pub fn run() -> ExitCode {
    overtime_link::init_logging();
    let connected = tauri::async_runtime::block_on(async {
        let (link, events) = HostLink::connect_or_start().await?;
        let hello = link
            .call(overtime_link::HELLO_DASHBOARD, serde_json::Value::Null)
            .await
            .map_err(|e| link::LinkError::Start(e.to_string()))?;
        Ok::<_, link::LinkError>((link, events, hello))
    });
    let (link, events, hello) = match connected {
        Ok(c) => c,
        Err(e) => {
            eprintln!("The Overtime dashboard cannot open: {e}");
            return ExitCode::FAILURE;
        }
    };
    if hello.get("accepted").and_then(|v| v.as_bool()) == Some(false) {
        // Another window is open; the host has brought it forward.
        return ExitCode::SUCCESS;
    }

    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![commands::host_call])
        .setup(move |app| {
            app.manage(link);
            tauri::async_runtime::spawn(events::forward(app.handle().clone(), events));
            window::open(app.handle())?;
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(|_, _| {});
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("The Overtime dashboard could not open its window: {e}");
            ExitCode::FAILURE
        }
    }
}
