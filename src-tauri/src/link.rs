//! The window's end of the local connection to the host (`overtime-desktop`): calls out,
//! replies and events in, over `overtime_link`'s transport (a Unix socket, or a named pipe on
//! Windows). Started before the window so the first paint already has an agent to ask;
//! when no host answers, one is started in the background (the window was launched directly).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use overtime_link::{
    AgentUnavailable, ENV_ENDPOINT, Endpoint, EndpointError, HostMessage, IpcError, LineReader,
    Request, Stream, WriteHalf,
};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// Names the host's executable (tests); else `overtime-desktop` beside ours.
pub const ENV_DESKTOP_BIN: &str = "OVERTIME_DESKTOP_BIN";
const HOST_EXE: &str = "overtime-desktop";
/// How long a freshly started host may take to answer.
const HOST_START_WAIT: Duration = Duration::from_secs(15);
/// A call the host has not answered by then fails instead of leaving the UI waiting.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

type Pending = Mutex<HashMap<u64, oneshot::Sender<Result<Value, Value>>>>;

/// A connection to the host.
pub struct HostLink {
    writer: tokio::sync::Mutex<WriteHalf>,
    pending: Arc<Pending>,
    next_id: AtomicU64,
}

/// An event pushed by the host: `(name, payload)`, or `None` once the host is gone.
pub type HostEvent = Option<(String, Value)>;

/// Why the window cannot reach the host.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{0}")]
    Endpoint(#[from] EndpointError),
    #[error(
        "Overtime's background process is not running and could not be started ({0}); start \
         Overtime from your applications menu"
    )]
    Start(String),
    #[error("Overtime's background process did not answer within {0:?}; start Overtime again")]
    NoAnswer(Duration),
    #[error("{0}")]
    Ipc(#[from] IpcError),
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl HostLink {
    /// Connects to the running host, starting it in the background when none answers.
    /// Returns the link and the stream of the host's events.
    pub async fn connect_or_start() -> Result<(Arc<HostLink>, mpsc::Receiver<HostEvent>), LinkError>
    {
        let endpoint = Endpoint::from_env()?;
        let stream = match Stream::connect(&endpoint).await {
            Some(s) => s,
            None => start_host(&endpoint).await?,
        };
        let (read, write) = stream.into_split();
        let pending: Arc<Pending> = Arc::new(Mutex::new(HashMap::new()));
        let (events_tx, events_rx) = mpsc::channel(32);
        tokio::spawn(read_loop(
            LineReader::new(read),
            Arc::clone(&pending),
            events_tx,
        ));
        let link = Arc::new(HostLink {
            writer: tokio::sync::Mutex::new(write),
            pending,
            next_id: AtomicU64::new(1),
        });
        Ok((link, events_rx))
    }

    /// Calls `method` on the host. `Err` carries the host's `{code, message, fields}`.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id, tx);
        let request = Request {
            id,
            method: method.to_owned(),
            params,
        };
        let sent = {
            let mut w = self.writer.lock().await;
            overtime_link::write_line(&mut *w, &request).await
        };
        if let Err(e) = sent {
            lock(&self.pending).remove(&id);
            return Err(gone(&e.to_string()));
        }
        match tokio::time::timeout(CALL_TIMEOUT, rx).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(gone("the connection closed")),
            Err(_) => {
                lock(&self.pending).remove(&id);
                Err(AgentUnavailable(format!(
                    "Overtime did not answer `{method}` within {} s; try again, or restart \
                     Overtime if it keeps happening",
                    CALL_TIMEOUT.as_secs()
                ))
                .to_value())
            }
        }
    }
}

fn gone(detail: &str) -> Value {
    AgentUnavailable(format!(
        "Overtime's background process has stopped ({detail}); start Overtime again"
    ))
    .to_value()
}

async fn read_loop(mut reader: LineReader, pending: Arc<Pending>, events: mpsc::Sender<HostEvent>) {
    loop {
        match reader.next::<HostMessage>().await {
            Ok(HostMessage::Reply { id, ok, err }) => {
                if let Some(tx) = lock(&pending).remove(&id) {
                    let _ = tx.send(match err {
                        Some(e) => Err(e),
                        None => Ok(ok.unwrap_or(Value::Null)),
                    });
                }
            }
            Ok(HostMessage::Event { event, payload }) => {
                // Snapshots come every second; if the window is behind, it gets the next one.
                let _ = events.try_send(Some((event, payload)));
            }
            Err(e) => {
                tracing::warn!(error = %e, "lost the connection to Overtime's background process");
                break;
            }
        }
    }
    for (_, tx) in lock(&pending).drain() {
        let _ = tx.send(Err(gone("the connection closed")));
    }
    let _ = events.send(None).await;
}

/// Starts `overtime-desktop --background` on `endpoint` and waits until it answers.
async fn start_host(endpoint: &Endpoint) -> Result<Stream, LinkError> {
    let exe = host_exe().ok_or_else(|| {
        LinkError::Start(format!(
            "{HOST_EXE} was not found next to this program; set {ENV_DESKTOP_BIN} to its path"
        ))
    })?;
    tracing::info!(path = %exe.display(), "starting Overtime's background process");
    std::process::Command::new(&exe)
        .arg("--background")
        .env(ENV_ENDPOINT, endpoint.as_os_str())
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|e| LinkError::Start(format!("{}: {e}", exe.display())))?;
    let deadline = tokio::time::Instant::now() + HOST_START_WAIT;
    while tokio::time::Instant::now() < deadline {
        if let Some(s) = Stream::connect(endpoint).await {
            return Ok(s);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err(LinkError::NoAnswer(HOST_START_WAIT))
}

fn host_exe() -> Option<PathBuf> {
    overtime_link::sibling_program(ENV_DESKTOP_BIN, HOST_EXE)
}
