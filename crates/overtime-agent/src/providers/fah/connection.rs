//! One WebSocket connection to the Folding@home client: it opens the socket (sending no
//! `Origin` header, which the client would refuse), reads the full state, then keeps a
//! background task applying the client's changes so that reading the state never waits.
//!
//! A connection that closed, sent something we could not apply, or stayed silent longer than
//! the client's ping period allows is reported dead by [`Connection::health`]; the owner then
//! drops it and opens a new one, which brings a fresh full state.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::protocol::{FahState, ParseError, parse_message};

type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How to reach the client and when to give up on it.
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// `ws://host:port/api/websocket`.
    pub url: String,
    /// Bound on TCP connect, WebSocket handshake and the first (full state) message together.
    pub connect_timeout: Duration,
    /// A connection that brought no message (pings included) for this long is dead. The client
    /// pings every ~15 s; 45 s tolerates two lost pings.
    pub silence_limit: Duration,
    /// Bound on sending one command.
    pub send_timeout: Duration,
    /// Largest message accepted; a full state with a few units is tens of KiB.
    pub max_message_bytes: usize,
}

/// Default address of the client's local WebSocket API.
pub const DEFAULT_URL: &str = "ws://127.0.0.1:7396/api/websocket";

impl Default for ConnectionSettings {
    fn default() -> Self {
        ConnectionSettings {
            url: DEFAULT_URL.to_owned(),
            connect_timeout: Duration::from_secs(5),
            silence_limit: Duration::from_secs(45),
            send_timeout: Duration::from_secs(2),
            max_message_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Why the connection failed or died.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    #[error("the address is not a usable ws:// URL ({0})")]
    Url(String),
    #[error("connection refused")]
    Refused,
    #[error("cannot connect ({0})")]
    Connect(String),
    #[error("the WebSocket handshake failed ({0})")]
    Handshake(String),
    #[error("no answer while {waiting_for} within {} ms", after.as_millis())]
    Timeout {
        waiting_for: &'static str,
        after: Duration,
    },
    #[error("the connection closed ({0})")]
    Closed(String),
    #[error("{0}")]
    Protocol(String),
}

/// What the reader task and the owner share.
struct Shared {
    state: FahState,
    last_heard: Instant,
    /// Set once the reader stopped: why the connection is dead.
    dead: Option<ConnectionError>,
}

/// An open connection with its background reader (stopped when the connection is dropped).
pub struct Connection {
    shared: Arc<Mutex<Shared>>,
    /// Bumped after every message the reader handled, and when it stops.
    updates: watch::Receiver<u64>,
    sink: SplitSink<WsStream, WsMessage>,
    reader: JoinHandle<()>,
    settings: ConnectionSettings,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Connection {
    /// Connect, and read the full state. Errors: [`ConnectionError::Refused`] when nothing
    /// listens, `Timeout` after `connect_timeout`, `Handshake` when the server refused the
    /// upgrade, `Protocol` when the first message is not a Folding@home state.
    pub async fn open(settings: &ConnectionSettings) -> Result<Connection, ConnectionError> {
        let timeout = settings.connect_timeout;
        let (sink, stream, state) = tokio::time::timeout(timeout, handshake(settings))
            .await
            .map_err(|_| ConnectionError::Timeout {
                waiting_for: "connecting and reading the client's state",
                after: timeout,
            })??;
        let shared = Arc::new(Mutex::new(Shared {
            state,
            last_heard: Instant::now(),
            dead: None,
        }));
        let (updates_tx, updates) = watch::channel(0u64);
        let reader = tokio::spawn(read_changes(stream, shared.clone(), updates_tx));
        Ok(Connection {
            shared,
            updates,
            sink,
            reader,
            settings: settings.clone(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic while holding the lock cannot leave the state half-written in a way that
        // matters more than a stale read, so a poisoned lock is used as is.
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Ok` while the connection is usable; otherwise why it is dead (closed, broken, or
    /// silent for longer than `silence_limit`).
    pub fn health(&self) -> Result<(), ConnectionError> {
        let shared = self.lock();
        if let Some(dead) = &shared.dead {
            return Err(dead.clone());
        }
        let silent = shared.last_heard.elapsed();
        if silent > self.settings.silence_limit {
            return Err(ConnectionError::Timeout {
                waiting_for: "waiting for the client's ping",
                after: silent,
            });
        }
        Ok(())
    }

    /// Read the current state (a copy of what the reader has applied so far).
    pub fn read<R>(&self, f: impl FnOnce(&FahState) -> R) -> R {
        f(&self.lock().state)
    }

    /// Send one command (JSON text). Errors: `Timeout` after `send_timeout`, `Closed` when the
    /// socket is gone.
    pub async fn send(&mut self, text: String) -> Result<(), ConnectionError> {
        self.health()?;
        let timeout = self.settings.send_timeout;
        tracing::debug!(command = %text, "sending to Folding@home");
        match tokio::time::timeout(timeout, self.sink.send(WsMessage::text(text))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ConnectionError::Closed(e.to_string())),
            Err(_) => Err(ConnectionError::Timeout {
                waiting_for: "sending a command",
                after: timeout,
            }),
        }
    }

    /// Wait until `done` holds for the state, the connection dies, or `deadline` passes.
    /// Returns whether `done` held.
    pub async fn wait_for(
        &mut self,
        deadline: Instant,
        done: impl Fn(&FahState) -> bool,
    ) -> Result<bool, ConnectionError> {
        loop {
            // Marked seen before checking, so a change landing in between wakes us.
            self.updates.borrow_and_update();
            if self.read(&done) {
                return Ok(true);
            }
            self.health()?;
            match tokio::time::timeout_at(deadline, self.updates.changed()).await {
                Ok(Ok(())) => {}
                // The reader is gone: health() says why on the next turn.
                Ok(Err(_)) => {
                    self.health()?;
                    return Ok(false);
                }
                Err(_) => return Ok(self.read(&done)),
            }
        }
    }

    /// Say goodbye politely (a close frame), bounded by `send_timeout`.
    pub async fn close(mut self) {
        let timeout = self.settings.send_timeout;
        let _ = tokio::time::timeout(timeout, self.sink.close()).await;
    }
}

async fn handshake(
    settings: &ConnectionSettings,
) -> Result<
    (
        SplitSink<WsStream, WsMessage>,
        SplitStream<WsStream>,
        FahState,
    ),
    ConnectionError,
> {
    // A request built from the URL alone carries Host, Upgrade, Connection, the key and the
    // version; never an Origin, which the client refuses unless it is its own web front end.
    let request = settings
        .url
        .as_str()
        .into_client_request()
        .map_err(|e| ConnectionError::Url(e.to_string()))?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(settings.max_message_bytes))
        .max_frame_size(Some(settings.max_message_bytes));
    let (ws, _response) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
        .await
        .map_err(handshake_error)?;
    let (sink, mut stream) = ws.split();
    loop {
        match stream.next().await {
            Some(Ok(WsMessage::Text(text))) => {
                let state = FahState::from_full(&text).map_err(|e| protocol(&e))?;
                return Ok((sink, stream, state));
            }
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_))) => {}
            Some(Ok(WsMessage::Binary(_))) => {
                return Err(ConnectionError::Protocol(
                    "a binary message where the state was expected".to_owned(),
                ));
            }
            Some(Ok(WsMessage::Close(frame))) => {
                return Err(ConnectionError::Closed(close_words(frame.as_ref())));
            }
            Some(Err(e)) => return Err(stream_error(e)),
            None => {
                return Err(ConnectionError::Closed(
                    "before sending its state".to_owned(),
                ));
            }
        }
    }
}

fn protocol(e: &ParseError) -> ConnectionError {
    ConnectionError::Protocol(e.to_string())
}

fn handshake_error(e: tungstenite::Error) -> ConnectionError {
    match e {
        tungstenite::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            ConnectionError::Refused
        }
        tungstenite::Error::Io(io) => ConnectionError::Connect(io.to_string()),
        tungstenite::Error::Url(u) => ConnectionError::Url(u.to_string()),
        tungstenite::Error::Http(response) => {
            ConnectionError::Handshake(format!("the server answered HTTP {}", response.status()))
        }
        other => ConnectionError::Handshake(other.to_string()),
    }
}

fn stream_error(e: tungstenite::Error) -> ConnectionError {
    match e {
        tungstenite::Error::Capacity(c) => ConnectionError::Protocol(format!("{c}")),
        tungstenite::Error::Utf8(u) => ConnectionError::Protocol(format!("not UTF-8 text: {u}")),
        other => ConnectionError::Closed(other.to_string()),
    }
}

fn close_words(frame: Option<&tungstenite::protocol::CloseFrame>) -> String {
    match frame {
        Some(f) if !f.reason.is_empty() => format!("the client closed it: {}", f.reason),
        _ => "the client closed it".to_owned(),
    }
}

/// The background reader: applies every message until the connection ends or breaks, then
/// records why.
async fn read_changes(
    mut stream: SplitStream<WsStream>,
    shared: Arc<Mutex<Shared>>,
    updates: watch::Sender<u64>,
) {
    let dead = loop {
        let outcome = match stream.next().await {
            Some(Ok(WsMessage::Text(text))) => parse_message(&text).map(Some),
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_))) => Ok(None),
            Some(Ok(WsMessage::Binary(_))) => {
                break ConnectionError::Protocol("an unexpected binary message".to_owned());
            }
            Some(Ok(WsMessage::Close(frame))) => {
                break ConnectionError::Closed(close_words(frame.as_ref()));
            }
            Some(Err(e)) => break stream_error(e),
            None => break ConnectionError::Closed("the socket ended".to_owned()),
        };
        let mut guard = shared.lock().unwrap_or_else(|p| p.into_inner());
        guard.last_heard = Instant::now();
        let applied = outcome.and_then(|message| match message {
            Some(message) => guard.state.absorb(message),
            None => Ok(()),
        });
        drop(guard);
        if let Err(e) = applied {
            // Our copy no longer matches the client's: drop the connection so the next one
            // starts from a fresh full state.
            tracing::warn!(error = %e, "Folding@home sent a message we could not apply");
            break protocol(&e);
        }
        updates.send_modify(|n| *n = n.wrapping_add(1));
    };
    tracing::debug!(reason = %dead, "Folding@home connection ended");
    shared.lock().unwrap_or_else(|p| p.into_inner()).dead = Some(dead);
    updates.send_modify(|n| *n = n.wrapping_add(1));
}
