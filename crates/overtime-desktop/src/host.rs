//! The resident half of the desktop app: owns the running agent, answers the dashboard window
//! over the local transport (`overtime_link`), launches that window as its own process on demand, and feeds the
//! tray. The window never holds state of its own, so closing it (which ends its process and
//! gives all of WebKit's memory back) loses nothing.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use overtime_link::{
    ENV_ENDPOINT, Endpoint, HELLO_DASHBOARD, HostMessage, IpcError, LineReader, Listener,
    OPEN_DASHBOARD, Request, Stream, event,
};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::control::{self, Control};
use crate::service::{self, Effect};
use crate::shell::Shell;
use crate::tray_state::{TrayState, TrayText};

/// Names the dashboard's executable (tests, packagers); else it is looked for beside ours.
pub const ENV_DASHBOARD_BIN: &str = "OVERTIME_DASHBOARD_BIN";
const DASHBOARD_EXE: &str = "overtime-dashboard";
/// A window process that has not said hello by then is taken for dead and may be started again.
const WINDOW_START_GRACE: Duration = Duration::from_secs(15);
/// Snapshots queued for a window that is not reading; older ones are dropped, never the host.
const WINDOW_QUEUE: usize = 16;

/// How the window's WebKit runs, unless the user's environment already says otherwise. The
/// dashboard is a small 2-D page, so:
/// - no GPU compositing and no DMA-BUF renderer: the window stays off the GPU that is
///   rented out or crunching (and off NVIDIA's known blank-window bug with that renderer);
/// - no JavaScript JIT: the interpreter is plenty for a 1 Hz page and saves ~10 MiB.
const DASHBOARD_WEBKIT_ENV: [(&str, &str); 3] = [
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    ("JSC_useJIT", "0"),
];

/// What the tray asks of the host.
#[derive(Debug, Clone, PartialEq)]
pub enum TrayAction {
    Control(Control),
    OpenDashboard,
    Quit,
    /// A tray host appeared on or left the desktop.
    HostPresent(bool),
}

/// Something that shows a [`TrayState`] (the D-Bus tray, or nothing).
pub trait TrayView: Send + Sync {
    fn show(&self, state: TrayState);
}

struct WindowSlot {
    /// The connected dashboard: its connection id and event queue.
    connected: Option<(u64, mpsc::Sender<HostMessage>)>,
    /// When a window process was started that has not connected yet.
    starting_since: Option<Instant>,
    /// When the user last asked for the window (start-up timing).
    requested_at: Option<Instant>,
}

/// The host's shared state.
pub struct Host {
    pub shell: Arc<Shell>,
    /// Where the host listens; the window it starts is told to connect there.
    pub endpoint: Endpoint,
    window: Mutex<WindowSlot>,
    next_conn: AtomicU64,
    quit: CancellationToken,
    /// The quit is a restart: the process starts itself again once everything has stopped.
    restart: AtomicBool,
    dashboard_exe: Option<PathBuf>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Host {
    pub fn new(shell: Arc<Shell>, endpoint: Endpoint) -> Arc<Host> {
        Arc::new(Host {
            shell,
            endpoint,
            window: Mutex::new(WindowSlot {
                connected: None,
                starting_since: None,
                requested_at: None,
            }),
            next_conn: AtomicU64::new(1),
            quit: CancellationToken::new(),
            restart: AtomicBool::new(false),
            dashboard_exe: dashboard_exe(),
        })
    }

    /// Cancelled when the user quits.
    pub fn quit_token(&self) -> CancellationToken {
        self.quit.clone()
    }

    /// Quits: the window closes, then the caller stops the agent and exits.
    pub fn quit(&self) {
        self.shell.begin_quit();
        self.send_to_window(event::CLOSE, Value::Null);
        self.quit.cancel();
    }

    /// Quits, and asks the caller to start the app again once the agent has stopped.
    pub fn restart(&self) {
        self.restart.store(true, Ordering::SeqCst);
        self.quit();
    }

    /// True when the quit under way is a restart.
    pub fn restart_requested(&self) -> bool {
        self.restart.load(Ordering::SeqCst)
    }

    /// True while a dashboard window is connected.
    pub fn window_open(&self) -> bool {
        lock(&self.window).connected.is_some()
    }

    /// Brings the dashboard up: focuses the open window, or starts the window process.
    pub fn open_dashboard(self: &Arc<Self>) {
        let mut slot = lock(&self.window);
        slot.requested_at = Some(Instant::now());
        if let Some((_, tx)) = &slot.connected {
            let _ = tx.try_send(HostMessage::Event {
                event: event::FOCUS.into(),
                payload: Value::Null,
            });
            return;
        }
        if slot
            .starting_since
            .is_some_and(|t| t.elapsed() < WINDOW_START_GRACE)
        {
            return;
        }
        let Some(exe) = self.dashboard_exe.clone() else {
            tracing::error!(
                "cannot find the dashboard program ({DASHBOARD_EXE}) next to this one; \
                 reinstall Overtime, or set {ENV_DASHBOARD_BIN} to its path"
            );
            return;
        };
        let mut cmd = tokio::process::Command::new(&exe);
        cmd.env(ENV_ENDPOINT, self.endpoint.as_os_str())
            .stdin(std::process::Stdio::null());
        for (key, value) in DASHBOARD_WEBKIT_ENV {
            if std::env::var_os(key).is_none() {
                cmd.env(key, value);
            }
        }
        match cmd.spawn() {
            Ok(mut child) => {
                slot.starting_since = Some(Instant::now());
                let host = Arc::clone(self);
                tokio::spawn(async move {
                    match child.wait().await {
                        Ok(status) if !status.success() => tracing::warn!(
                            %status,
                            "the dashboard window ended with an error; open it again from the tray"
                        ),
                        Ok(_) => tracing::debug!("dashboard window process ended"),
                        Err(e) => tracing::debug!(error = %e, "cannot wait for the window"),
                    }
                    lock(&host.window).starting_since = None;
                });
            }
            Err(e) => tracing::error!(
                error = %e,
                path = %exe.display(),
                "cannot start the dashboard window"
            ),
        }
    }

    fn send_to_window(&self, name: &str, payload: Value) {
        if let Some((_, tx)) = &lock(&self.window).connected {
            // A full queue means the window is not reading; it gets the next snapshot instead.
            let _ = tx.try_send(HostMessage::Event {
                event: name.to_owned(),
                payload,
            });
        }
    }

    /// Acts on a tray menu choice or click.
    pub async fn on_tray(self: &Arc<Self>, action: TrayAction) {
        match action {
            TrayAction::OpenDashboard => self.open_dashboard(),
            TrayAction::Quit => self.quit(),
            TrayAction::HostPresent(present) => self.shell.set_tray_available(present),
            TrayAction::Control(c) => {
                let handle = self.shell.handle.clone();
                let tz = handle.snapshot().time_zone();
                if let Err(e) = control::apply(&handle, c, Timestamp::now(), &tz).await {
                    tracing::warn!(error = %e, "the tray's choice was refused");
                }
            }
        }
    }
}

/// The dashboard program: `$OVERTIME_DASHBOARD_BIN`, else `overtime-dashboard` beside ours.
fn dashboard_exe() -> Option<PathBuf> {
    overtime_link::sibling_program(ENV_DASHBOARD_BIN, DASHBOARD_EXE)
}

/// Pushes each agent snapshot to the tray (when what it shows changed) and to the open
/// window; with the window closed nothing is serialised at all.
pub async fn forward_snapshots(host: Arc<Host>, tray: Option<Arc<dyn TrayView>>, text: TrayText) {
    let shell = Arc::clone(&host.shell);
    let mut rx = shell.handle.snapshots.clone();
    let mut last_tray: Option<TrayState> = None;
    loop {
        let snapshot = rx.borrow_and_update().clone();
        shell.record_recent(&snapshot);
        if let Some(tray) = &tray {
            let state = TrayState::of(&snapshot, Timestamp::now(), &text);
            if last_tray.as_ref() != Some(&state) {
                tray.show(state.clone());
                last_tray = Some(state);
            }
        }
        if host.window_open() {
            match serde_json::to_value(shell.ui_snapshot()) {
                Ok(v) => host.send_to_window(event::SNAPSHOT, v),
                Err(e) => tracing::debug!(error = %e, "cannot serialise a snapshot"),
            }
        }
        tokio::select! {
            changed = rx.changed() => if changed.is_err() { break },
            () = host.quit.cancelled() => break,
        }
    }
}

/// Accepts window connections until the user quits. The listener goes when this ends, and
/// with it the endpoint (on Unix, the socket file), so a restarted host can bind it afresh.
pub async fn serve(host: Arc<Host>, mut listener: Listener) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(stream) => {
                    let id = host.next_conn.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(connection(Arc::clone(&host), stream, id));
                }
                Err(e) => {
                    tracing::warn!(error = %e, endpoint = %listener.endpoint(), "the dashboard connection failed to accept");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            },
            () = host.quit.cancelled() => break,
        }
    }
}

async fn connection(host: Arc<Host>, stream: Stream, id: u64) {
    let (read, mut write) = stream.into_split();
    let (tx, mut rx) = mpsc::channel::<HostMessage>(WINDOW_QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if overtime_link::write_line(&mut write, &message)
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let mut reader = LineReader::new(read);
    loop {
        let request: Request = match reader.next().await {
            Ok(r) => r,
            Err(IpcError::Closed) => break,
            Err(e) => {
                tracing::warn!(error = %e, "dropping a dashboard connection");
                break;
            }
        };
        match request.method.as_str() {
            HELLO_DASHBOARD => {
                let accepted = {
                    let mut slot = lock(&host.window);
                    if let Some((_, other)) = &slot.connected {
                        let _ = other.try_send(HostMessage::Event {
                            event: event::FOCUS.into(),
                            payload: Value::Null,
                        });
                        false
                    } else {
                        slot.connected = Some((id, tx.clone()));
                        slot.starting_since = None;
                        true
                    }
                };
                reply(
                    &tx,
                    request.id,
                    Ok(serde_json::json!({ "accepted": accepted })),
                )
                .await;
            }
            OPEN_DASHBOARD => {
                host.open_dashboard();
                reply(&tx, request.id, Ok(Value::Null)).await;
            }
            _ => {
                // Each call runs on its own so a slow one (a provider test) never holds up a
                // mode change.
                let host = Arc::clone(&host);
                let tx = tx.clone();
                tokio::spawn(async move {
                    let result =
                        service::dispatch(&host.shell, &request.method, request.params).await;
                    let answer = match result {
                        Ok((value, effect)) => {
                            match effect {
                                Effect::Quit => host.quit(),
                                Effect::Restart => host.restart(),
                                Effect::None => {}
                            }
                            if request.method == "ui_ready" {
                                log_window_ready(&host);
                            }
                            Ok(value)
                        }
                        Err(e) => Err(serde_json::to_value(&e).unwrap_or(Value::Null)),
                    };
                    reply(&tx, request.id, answer).await;
                });
            }
        }
    }
    {
        let mut slot = lock(&host.window);
        if slot.connected.as_ref().is_some_and(|(c, _)| *c == id) {
            slot.connected = None;
        }
    }
    drop(tx);
    let _ = writer.await;
}

fn log_window_ready(host: &Host) {
    if let Some(t) = lock(&host.window).requested_at.take() {
        tracing::info!(
            since_request_ms = t.elapsed().as_millis(),
            "dashboard window ready"
        );
    }
}

async fn reply(tx: &mpsc::Sender<HostMessage>, id: u64, result: Result<Value, Value>) {
    let message = match result {
        Ok(v) => HostMessage::Reply {
            id,
            ok: Some(v),
            err: None,
        },
        Err(e) => HostMessage::Reply {
            id,
            ok: None,
            err: Some(e),
        },
    };
    // Replies wait for room: unlike snapshots, none may be dropped.
    let _ = tx.send(message).await;
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::agent_host::AgentHost;
    use overtime_agent::paths::Paths;
    use overtime_link::WriteHalf;
    use serde_json::json;

    struct Rig {
        host: Arc<Host>,
        _dir: tempfile::TempDir,
    }

    impl Rig {
        /// Stops the agent, as the process does after a quit.
        async fn stop_agent(&self) {
            if let Some(agent) = self.host.shell.take_host() {
                agent.stop().await;
            }
        }
    }

    async fn rig() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path());
        let agent = crate::test_agent::start(&paths.state_dir).await;
        // Derived from the state directory as in the real app (a fresh pipe name on Windows).
        let endpoint = Endpoint::in_state_dir(&paths.state_dir);
        let shell = Shell::new(AgentHost::for_test(agent, paths), Instant::now());
        let listener = Listener::bind(&endpoint).await.unwrap();
        let host = Host::new(shell, endpoint);
        tokio::spawn(serve(Arc::clone(&host), listener));
        tokio::spawn(forward_snapshots(
            Arc::clone(&host),
            None,
            TrayText::English,
        ));
        Rig { host, _dir: dir }
    }

    struct Window {
        reader: LineReader,
        writer: WriteHalf,
        next_id: u64,
    }

    impl Window {
        async fn connect(host: &Host) -> Window {
            let (r, w) = Stream::connect(&host.endpoint).await.unwrap().into_split();
            Window {
                reader: LineReader::new(r),
                writer: w,
                next_id: 1,
            }
        }

        async fn send(&mut self, method: &str, params: Value) -> u64 {
            let id = self.next_id;
            self.next_id += 1;
            let request = Request {
                id,
                method: method.into(),
                params,
            };
            overtime_link::write_line(&mut self.writer, &request)
                .await
                .unwrap();
            id
        }

        /// The next message that is not a snapshot.
        async fn next(&mut self) -> HostMessage {
            loop {
                let m: HostMessage =
                    tokio::time::timeout(Duration::from_secs(5), self.reader.next())
                        .await
                        .expect("the host answers within 5 s")
                        .unwrap();
                if !matches!(&m, HostMessage::Event { event, .. } if event == event::SNAPSHOT) {
                    return m;
                }
            }
        }

        async fn call(&mut self, method: &str, params: Value) -> (Option<Value>, Option<Value>) {
            let id = self.send(method, params).await;
            match self.next().await {
                HostMessage::Reply { id: got, ok, err } => {
                    assert_eq!(got, id);
                    (ok, err)
                }
                other => panic!("expected a reply, got {other:?}"),
            }
        }
    }

    // The endpoint's own rules (owner-only directory, a stale socket taken over, the file gone
    // with its listener) are overtime-link's transport tests; here, that a serving host holds it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_host_is_refused_while_one_serves_and_the_endpoint_frees_when_it_quits() {
        let r = rig().await;
        let second = Listener::bind(&r.host.endpoint).await;
        assert_eq!(
            second.err().map(|e| e.kind()),
            Some(std::io::ErrorKind::AddrInUse)
        );
        r.host.quit();
        tokio::time::timeout(Duration::from_secs(5), async {
            while Stream::connect(&r.host.endpoint).await.is_some() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the server lets go of the endpoint once the user quits");
        assert!(Listener::bind(&r.host.endpoint).await.is_ok());
        r.stop_agent().await;
    }

    #[test]
    fn the_window_finds_the_host_where_the_host_listens() {
        // The window works out the state directory without the agent; it must be the agent's.
        let cases: [&[(&str, &str)]; 3] = [
            &[],
            &[("OVERTIME_STATE_DIR", "/run/ot")],
            &[
                ("OVERTIME_STATE_DIR", ""),
                ("OVERTIME_CONFIG", "/etc/ot.toml"),
            ],
        ];
        for vars in cases {
            let lookup = |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            };
            assert_eq!(
                overtime_link::endpoint::state_dir_from_lookup(lookup).unwrap(),
                Paths::from_lookup(lookup).unwrap().state_dir,
                "{vars:?}"
            );
        }
    }

    #[test]
    fn the_windows_own_unavailable_error_has_the_hosts_error_shape() {
        use crate::error::{CommandErrorWire, ErrorCode};
        let host_says = CommandErrorWire {
            code: ErrorCode::AgentUnavailable,
            message: "start Overtime again".into(),
            fields: Vec::new(),
        };
        assert_eq!(
            serde_json::to_value(overtime_link::AgentUnavailable(
                "start Overtime again".into()
            ))
            .unwrap(),
            serde_json::to_value(host_says).unwrap()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_window_calls_methods_and_gets_snapshots_and_a_second_window_only_focuses_the_first()
    {
        let r = rig().await;
        let mut first = Window::connect(&r.host).await;
        let (ok, _) = first.call(HELLO_DASHBOARD, Value::Null).await;
        assert_eq!(ok, Some(json!({"accepted": true})));
        assert!(r.host.window_open());

        let (ok, err) = first.call("get_snapshot", Value::Null).await;
        assert!(err.is_none());
        assert_eq!(ok.unwrap()["gpus"].as_array().unwrap().len(), 2);

        // Snapshots are pushed without asking.
        let m: HostMessage = first.reader.next().await.unwrap();
        assert!(matches!(m, HostMessage::Event { ref event, .. } if event == event::SNAPSHOT));

        // Errors cross as {code, message, fields}.
        let (_, err) = first.call("no_such_method", Value::Null).await;
        assert_eq!(err.unwrap()["code"], "rejected");
        let (_, err) = first.call("set_mode", json!({"mode": "sideways"})).await;
        assert_eq!(err.unwrap()["code"], "rejected");

        let mut second = Window::connect(&r.host).await;
        let (ok, _) = second.call(HELLO_DASHBOARD, Value::Null).await;
        assert_eq!(ok, Some(json!({"accepted": false})));
        assert!(matches!(
            first.next().await,
            HostMessage::Event { ref event, .. } if event == event::FOCUS
        ));

        // A mode change from the window reaches the agent.
        let (_, err) = first
            .call("set_mode", json!({"mode": "idle", "gpu": null}))
            .await;
        assert!(err.is_none(), "{err:?}");
        assert_eq!(r.host.shell.handle.snapshot().overrides.len(), 1);

        // Quit from the window: the window is told to close and the host's quit token fires.
        let id = first.send("quit", Value::Null).await;
        let mut closed = false;
        let mut replied = false;
        while !(closed && replied) {
            match first.next().await {
                HostMessage::Event { event, .. } if event == event::CLOSE => closed = true,
                HostMessage::Reply { id: got, .. } if got == id => replied = true,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(r.host.quit_token().is_cancelled());
        r.stop_agent().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn restart_from_the_window_closes_it_and_ends_the_host_as_a_restart() {
        let r = rig().await;
        let mut w = Window::connect(&r.host).await;
        w.call(HELLO_DASHBOARD, Value::Null).await;
        assert!(!r.host.restart_requested());
        let id = w.send("restart_app", Value::Null).await;
        let mut closed = false;
        let mut replied = false;
        while !(closed && replied) {
            match w.next().await {
                HostMessage::Event { event, .. } if event == event::CLOSE => closed = true,
                HostMessage::Reply { id: got, err, .. } if got == id => {
                    assert!(err.is_none(), "{err:?}");
                    replied = true;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(r.host.quit_token().is_cancelled());
        assert!(r.host.restart_requested());
        r.stop_agent().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_plain_quit_is_not_a_restart() {
        let r = rig().await;
        r.host.quit();
        assert!(r.host.quit_token().is_cancelled());
        assert!(!r.host.restart_requested());
        r.stop_agent().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_closed_window_frees_the_slot_for_the_next_one() {
        let r = rig().await;
        let mut w = Window::connect(&r.host).await;
        w.call(HELLO_DASHBOARD, Value::Null).await;
        drop(w);
        tokio::time::timeout(Duration::from_secs(5), async {
            while r.host.window_open() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the slot frees when the window's connection closes");
        let mut again = Window::connect(&r.host).await;
        let (ok, _) = again.call(HELLO_DASHBOARD, Value::Null).await;
        assert_eq!(ok, Some(json!({"accepted": true})));
        r.host.quit();
        r.stop_agent().await;
    }
}
