//! Overtime's desktop app. Two processes: this one — resident, small, no GUI toolkit — runs the
//! agent, the tray icon (a D-Bus StatusNotifierItem on Linux) and the local endpoint; the
//! dashboard window (`src-tauri`, WebKit) is started on demand and ends when closed, so Overtime
//! in the tray costs no web view memory at all.
//!
//! Modules: `host` (window process, connection server, snapshot forwarding), `signals` (the
//! system asking to stop), `service` (every method the window may call), `tray` + `tray_state`, `settings`
//! (the config file edited and validated), `control` (overrides from tray and window), `wire`
//! (the types the UI sees, with generated TypeScript). The protocol and the transport to the
//! window (a Unix socket, a named pipe on Windows) are `overtime_link`'s, shared with the window.
//! Decisions stay in the agent and the core.

pub mod agent_host;
mod bindings;
pub mod control;
pub mod earnings;
pub mod error;
pub mod host;
pub mod locale;
pub mod notify;
pub mod recent;
pub mod service;
pub mod settings;
pub mod shell;
#[cfg(test)]
mod test_agent;
#[cfg(target_os = "linux")]
pub mod tray;
pub mod tray_state;
pub mod wire;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use overtime_link::{Endpoint, HostMessage, IpcError, LineReader, Listener, Request, Stream};
use tokio::sync::mpsc;

use crate::agent_host::{AgentHost, HostOptions};
use crate::host::{Host, TrayAction, TrayView};
use crate::shell::Shell;
use crate::tray_state::{TrayState, TrayText};
use overtime_agent::stop_signals::StopSignals;

const USAGE: &str = "\
Usage: overtime-desktop [--demo] [--background]

Starts Overtime's desktop app: the agent, the tray icon and the dashboard window.
  --demo        use a simulated GPU even when an NVIDIA driver is present (also OVERTIME_DEMO=1;
                OVERTIME_DEMO_GPUS=N simulates N GPUs, up to 8)
  --background  start in the tray without opening the window (what start-on-login uses)
Launching it again while it runs brings the dashboard window up.";

/// Starts the app and blocks until the user quits. Exit code 1 when it could not start.
pub fn run() -> ExitCode {
    let started = Instant::now();
    overtime_link::init_logging();
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if let Some(unknown) = args
        .iter()
        .skip(1)
        .find(|a| !matches!(a.as_str(), "--demo" | "--background"))
    {
        eprintln!("unknown argument `{unknown}`\n\n{USAGE}");
        return ExitCode::from(2);
    }
    let options = HostOptions::from_env_and_args(&args);
    let background = args.iter().any(|a| a == "--background");
    let demo = options.demo;
    // Two workers: the agent's tick, the socket and the tray are all light; more threads would
    // only cost memory.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Overtime could not start: cannot create its async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_host(options, background, started)) {
        Ended::Quit(code) => code,
        Ended::Restart => start_again(demo),
    }
}

/// How the host's run ended.
enum Ended {
    Quit(ExitCode),
    /// The user asked for a restart (settings read at start changed): everything has stopped
    /// and the endpoint is free, so a new process can take over.
    Restart,
}

/// Starts a new Overtime with the window open, as the user was in it when asking for the
/// restart, in demo mode if this one was; the rest of the environment carries over on its own.
fn start_again(demo: bool) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            tracing::error!(error = %e, "cannot find Overtime's own program to restart it; start Overtime again from the menu");
            return ExitCode::FAILURE;
        }
    };
    let mut command = std::process::Command::new(&exe);
    if demo {
        command.arg("--demo");
    }
    match command.stdin(std::process::Stdio::null()).spawn() {
        Ok(child) => {
            tracing::info!(pid = child.id(), "Overtime restarted");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, path = %exe.display(), "cannot restart Overtime; start it again from the menu");
            ExitCode::FAILURE
        }
    }
}

async fn run_host(options: HostOptions, background: bool, started: Instant) -> Ended {
    let paths = match overtime_agent::paths::Paths::from_env() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("Overtime could not start: {e}");
            return Ended::Quit(ExitCode::FAILURE);
        }
    };
    let endpoint = Endpoint::from_env_or(&paths.state_dir);
    let listener = match Listener::bind(&endpoint).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return Ended::Quit(hand_over_to_running(&endpoint, background).await);
        }
        Err(e) => {
            eprintln!(
                "Overtime could not start: cannot open its local endpoint {endpoint}: {e}. Check \
                 that the state directory is writable, or point OVERTIME_STATE_DIR elsewhere."
            );
            return Ended::Quit(ExitCode::FAILURE);
        }
    };
    let agent = match AgentHost::start(&options).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("Overtime could not start: {e}");
            // Frees the endpoint (on Unix, removes the socket file).
            drop(listener);
            return Ended::Quit(ExitCode::FAILURE);
        }
    };
    if agent.handle.snapshot().simulated {
        tracing::info!("no NVIDIA GPU answered: demo mode with a simulated GPU");
    }
    let shell = Shell::new(agent, started);
    let host = Host::new(Arc::clone(&shell), endpoint);
    let (tray_tx, mut tray_rx) = mpsc::unbounded_channel::<TrayAction>();
    let text = TrayText::from_env();
    let initial = TrayState::of(&shell.handle.snapshot(), jiff::Timestamp::now(), &text);
    let tray = start_tray(text, initial, tray_tx).await;
    let tray_seen = tray.as_ref().is_some_and(|(_, seen)| *seen);
    shell.set_tray_available(tray_seen);
    if !tray_seen {
        tracing::warn!(
            "no system tray found on this desktop; Overtime works from its window, and \
             launching it again brings the window back"
        );
    }
    let tray = tray.map(|(t, _)| t);

    let mut serving = tokio::spawn(host::serve(Arc::clone(&host), listener));
    tokio::spawn(host::forward_snapshots(
        Arc::clone(&host),
        tray.clone().map(|t| t as Arc<dyn TrayView>),
        text,
    ));
    #[cfg(target_os = "linux")]
    {
        let config_shell = Arc::clone(&shell);
        tokio::spawn(notify::run(
            shell.handle.snapshots.clone(),
            move || config_shell.config().notifications.clone(),
            text,
        ));
    }
    if !background {
        host.open_dashboard();
    }

    let quit = host.quit_token();
    let mut stop_signals = StopSignals::install();
    loop {
        tokio::select! {
            Some(action) = tray_rx.recv() => {
                let host = Arc::clone(&host);
                tokio::spawn(async move { host.on_tray(action).await });
            }
            () = quit.cancelled() => break,
            () = stop_signals.recv() => host.quit(),
        }
    }
    // The agent first: providers are handed back while the icon still shows, and the tray's
    // answer to the "Quit" click has long left before the icon goes.
    if let Some(agent) = shell.take_host() {
        agent.stop().await;
    }
    stop_tray(tray).await;
    // The server's listener frees the endpoint when it ends (on Unix it removes the socket
    // file); that must have happened before a restarted process binds it. Aborting a server
    // that is slow to end drops its listener too, and awaiting the abort waits for that.
    if tokio::time::timeout(std::time::Duration::from_secs(2), &mut serving)
        .await
        .is_err()
    {
        serving.abort();
        let _ = serving.await;
    }
    if host.restart_requested() {
        Ended::Restart
    } else {
        Ended::Quit(ExitCode::SUCCESS)
    }
}

/// Another Overtime runs: ask it to show its window (unless started in the background) and
/// leave.
async fn hand_over_to_running(endpoint: &Endpoint, background: bool) -> ExitCode {
    if background {
        tracing::info!("Overtime is already running");
        return ExitCode::SUCCESS;
    }
    match ask_to_open(endpoint).await {
        Ok(()) => {
            tracing::info!("Overtime is already running: its dashboard was brought up");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "Overtime is already running but did not answer ({e}); quit it from the tray, \
                 or end the process, and start it again"
            );
            ExitCode::FAILURE
        }
    }
}

async fn ask_to_open(endpoint: &Endpoint) -> Result<(), IpcError> {
    let stream = Stream::connect(endpoint).await.ok_or(IpcError::Closed)?;
    let (read, mut write) = stream.into_split();
    let request = Request {
        id: 1,
        method: overtime_link::OPEN_DASHBOARD.to_owned(),
        params: serde_json::Value::Null,
    };
    overtime_link::write_line(&mut write, &request).await?;
    let mut reader = LineReader::new(read);
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        reader.next::<HostMessage>(),
    )
    .await
    .map_err(|_| IpcError::Closed)??;
    match answer {
        HostMessage::Reply { err: None, .. } => Ok(()),
        other => Err(IpcError::Malformed(format!("{other:?}"))),
    }
}

#[cfg(target_os = "linux")]
type TrayHandle = Arc<tray::Tray>;
#[cfg(not(target_os = "linux"))]
type TrayHandle = Arc<NoTray>;

/// Stands for the tray where this build has none (the tray is written for Linux so far).
#[cfg(not(target_os = "linux"))]
pub struct NoTray;

#[cfg(not(target_os = "linux"))]
impl TrayView for NoTray {
    fn show(&self, _state: TrayState) {}
}

#[cfg(target_os = "linux")]
async fn start_tray(
    text: TrayText,
    initial: TrayState,
    actions: mpsc::UnboundedSender<TrayAction>,
) -> Option<(TrayHandle, bool)> {
    match tray::Tray::start(text, initial, actions).await {
        Ok((t, seen)) => Some((Arc::new(t), seen)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot create the tray icon");
            None
        }
    }
}

#[cfg(not(target_os = "linux"))]
async fn start_tray(
    _text: TrayText,
    _initial: TrayState,
    _actions: mpsc::UnboundedSender<TrayAction>,
) -> Option<(TrayHandle, bool)> {
    None
}

#[cfg(target_os = "linux")]
async fn stop_tray(tray: Option<TrayHandle>) {
    if let Some(t) = tray {
        t.stop().await;
    }
}

#[cfg(not(target_os = "linux"))]
async fn stop_tray(_tray: Option<TrayHandle>) {}
