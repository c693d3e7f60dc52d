//! A BOINC GUI RPC client over one TCP connection: request framing, replies read up to the 0x03
//! end marker (bounded in size and time), the nonce/MD5 handshake, and reconnection.
//!
//! One request is in flight at a time (`&mut self`). A call cancelled half-way (the runner's
//! timeout dropping our future) leaves its connection marked busy, and the next call opens a fresh
//! one rather than reading a stale reply. A request that fails because a reused connection was
//! broken (the client restarted) is retried once on a new connection; every request we send is
//! idempotent, so the retry is safe.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::auth::{PasswordFileError, PasswordOrigin, PasswordSetting, nonce_hash};
use super::xml::{
    self, BoincProject, BoincTask, CcStatus, HostInfo, ReplyError, RunMode, ServerVersion,
};

/// The port a BOINC client listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 31416;
/// Largest reply accepted (a `get_state` of a busy client is a few hundred KiB).
pub const DEFAULT_MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;
/// Longest one request (connect, handshake and reply included) may take.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

const END_OF_MESSAGE: u8 = 0x03;

/// Where and how to reach the client.
#[derive(Debug, Clone)]
pub struct RpcSettings {
    pub host: String,
    pub port: u16,
    pub password: PasswordSetting,
    /// Bound on one request, from connecting to the end of the reply.
    pub request_timeout: Duration,
    /// Replies longer than this are refused (the connection is dropped).
    pub max_reply_bytes: usize,
}

/// What `set_gpu_mode` / `set_run_mode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChange {
    /// This mode; for `duration` if non-zero (then the user's permanent mode returns by itself),
    /// else permanently.
    Set(RunMode),
    /// End any temporary mode now: back to the user's permanent mode.
    Restore,
}

/// A failed GUI RPC request.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    #[error("cannot connect: {0}")]
    Connect(#[source] io::Error),
    #[error("the connection broke: {0}")]
    Broken(#[source] io::Error),
    #[error("the client closed the connection")]
    Closed,
    #[error("no complete answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    #[error("the reply grew past {limit} bytes without an end marker")]
    TooLarge { limit: usize },
    /// The client refused our password (or wants one we do not have).
    #[error("the client refused {origin}")]
    Unauthorized { origin: PasswordOrigin },
    #[error(transparent)]
    Reply(ReplyError),
    #[error(transparent)]
    PasswordFile(#[from] PasswordFileError),
}

impl RpcError {
    /// The connection itself failed after it had been working (worth one retry on a new one).
    fn is_broken_connection(&self) -> bool {
        matches!(self, RpcError::Broken(_) | RpcError::Closed)
    }
}

struct Connection {
    stream: TcpStream,
    /// Bytes received past the last end marker (normally none).
    pending: Vec<u8>,
    authorized: bool,
    /// A request was sent and its reply not fully read: the connection cannot be reused.
    in_flight: bool,
    version: Option<ServerVersion>,
}

/// A GUI RPC client. Connects lazily; reconnects after any failure.
pub struct RpcClient {
    settings: RpcSettings,
    conn: Option<Connection>,
    /// Where the password of the last handshake came from (for error messages).
    origin: Option<PasswordOrigin>,
}

impl RpcClient {
    pub fn new(settings: RpcSettings) -> Self {
        RpcClient {
            settings,
            conn: None,
            origin: None,
        }
    }

    /// `host:port` as the user would type it.
    pub fn address(&self) -> String {
        if self.settings.host.contains(':') {
            format!("[{}]:{}", self.settings.host, self.settings.port)
        } else {
            format!("{}:{}", self.settings.host, self.settings.port)
        }
    }

    pub fn settings(&self) -> &RpcSettings {
        &self.settings
    }

    /// Where the password used (or to be used) comes from, for messages.
    pub fn password_origin(&self) -> PasswordOrigin {
        match &self.origin {
            Some(o) => o.clone(),
            None => match &self.settings.password {
                PasswordSetting::Explicit(_) => PasswordOrigin::Settings,
                PasswordSetting::File(p) => PasswordOrigin::File(p.clone()),
                PasswordSetting::Search(paths) => self
                    .settings
                    .password
                    .resolve()
                    .map(|r| r.origin)
                    .unwrap_or_else(|_| PasswordOrigin::NotFound(paths.clone())),
            },
        }
    }

    /// Close the connection; the next request opens a new one.
    pub fn disconnect(&mut self) {
        self.conn = None;
    }

    /// Connect and prove the password now (a no-op on an authorized connection).
    pub async fn authorize(&mut self) -> Result<(), RpcError> {
        self.send(None, true).await.map(|_| ())
    }

    /// Send one request body (the element(s) inside `<boinc_gui_rpc_request>`) and return the
    /// reply's text, its envelope checked (`<unauthorized/>`, `<error>`, the root element).
    pub async fn request(&mut self, body: &str, needs_auth: bool) -> Result<String, RpcError> {
        let reply = self.send_body(body, needs_auth).await?;
        self.parsed(xml::check_envelope(&reply))?;
        Ok(reply)
    }

    async fn send_body(&mut self, body: &str, needs_auth: bool) -> Result<String, RpcError> {
        Ok(self.send(Some(body), needs_auth).await?.unwrap_or_default())
    }

    /// `get_cc_status` (no password needed from localhost).
    pub async fn get_cc_status(&mut self) -> Result<CcStatus, RpcError> {
        let reply = self.send_body("<get_cc_status/>", false).await?;
        self.parsed(xml::parse_cc_status(&reply))
    }

    /// `set_gpu_mode`; `duration` is rounded down to whole seconds (0 = permanent).
    pub async fn set_gpu_mode(
        &mut self,
        change: ModeChange,
        duration: Duration,
    ) -> Result<(), RpcError> {
        let reply = self
            .send_body(&mode_request("set_gpu_mode", change, duration), true)
            .await?;
        self.parsed(xml::parse_success(&reply))
    }

    /// `set_run_mode` (CPU tasks); `duration` as for [`RpcClient::set_gpu_mode`].
    pub async fn set_run_mode(
        &mut self,
        change: ModeChange,
        duration: Duration,
    ) -> Result<(), RpcError> {
        let reply = self
            .send_body(&mode_request("set_run_mode", change, duration), true)
            .await?;
        self.parsed(xml::parse_success(&reply))
    }

    /// `get_results`: the client's tasks, only those with a process if `active_only`.
    pub async fn get_results(&mut self, active_only: bool) -> Result<Vec<BoincTask>, RpcError> {
        let body = format!(
            "<get_results>\n<active_only>{}</active_only>\n</get_results>",
            u8::from(active_only)
        );
        let reply = self.send_body(&body, false).await?;
        self.parsed(xml::parse_results(&reply))
    }

    /// `get_project_status`: attached projects and their credit.
    pub async fn get_project_status(&mut self) -> Result<Vec<BoincProject>, RpcError> {
        let reply = self.send_body("<get_project_status/>", false).await?;
        self.parsed(xml::parse_projects(&reply))
    }

    /// `get_host_info`: CPU, OS and the GPUs BOINC detected.
    pub async fn get_host_info(&mut self) -> Result<HostInfo, RpcError> {
        let reply = self.send_body("<get_host_info/>", false).await?;
        self.parsed(xml::parse_host_info(&reply))
    }

    /// The client's version (`exchange_versions`), asked once per connection.
    pub async fn server_version(&mut self) -> Result<ServerVersion, RpcError> {
        if let Some(v) = self.conn.as_ref().and_then(|c| c.version) {
            return Ok(v);
        }
        let reply = self
            .send_body(
                "<exchange_versions>\n<major>7</major>\n<minor>20</minor>\n<release>0</release>\n</exchange_versions>",
                false,
            )
            .await?;
        let version = self.parsed(xml::parse_server_version(&reply))?;
        if let Some(c) = self.conn.as_mut() {
            c.version = Some(version);
        }
        Ok(version)
    }

    fn parsed<T>(&mut self, result: Result<T, ReplyError>) -> Result<T, RpcError> {
        result.map_err(|e| self.reply_error(e))
    }

    fn reply_error(&mut self, e: ReplyError) -> RpcError {
        match e {
            ReplyError::Unauthorized => {
                // The client closes a connection after a second failed handshake anyway.
                self.conn = None;
                RpcError::Unauthorized {
                    origin: self.password_origin(),
                }
            }
            ReplyError::Malformed(_) => {
                // We cannot tell where the next reply starts if this one was not understood.
                self.conn = None;
                RpcError::Reply(e)
            }
            ReplyError::Refused(_) => RpcError::Reply(e),
        }
    }

    /// Run one attempt under the request timeout, and once more on a fresh connection if a
    /// reused connection turned out to be broken.
    async fn send(
        &mut self,
        body: Option<&str>,
        needs_auth: bool,
    ) -> Result<Option<String>, RpcError> {
        if self.conn.as_ref().is_some_and(|c| c.in_flight) {
            self.conn = None;
        }
        let reused = self.conn.is_some();
        let timeout = self.settings.request_timeout;
        let first = match tokio::time::timeout(timeout, self.attempt(body, needs_auth)).await {
            Ok(r) => r,
            Err(_) => Err(RpcError::Timeout(timeout)),
        };
        let result = match first {
            Err(e) if reused && e.is_broken_connection() => {
                tracing::debug!(address = %self.address(), error = %e, "BOINC connection broke; reconnecting");
                self.conn = None;
                match tokio::time::timeout(timeout, self.attempt(body, needs_auth)).await {
                    Ok(r) => r,
                    Err(_) => Err(RpcError::Timeout(timeout)),
                }
            }
            other => other,
        };
        match result {
            Ok(reply) => Ok(reply),
            Err(RpcError::Reply(e)) => Err(self.reply_error(e)),
            Err(e) => {
                if !matches!(e, RpcError::Unauthorized { .. } | RpcError::PasswordFile(_)) {
                    self.conn = None;
                }
                Err(e)
            }
        }
    }

    /// Connect if needed, authenticate if asked, then send `body` (if any) and read its reply.
    async fn attempt(
        &mut self,
        body: Option<&str>,
        needs_auth: bool,
    ) -> Result<Option<String>, RpcError> {
        if self.conn.is_none() {
            let stream = TcpStream::connect((self.settings.host.as_str(), self.settings.port))
                .await
                .map_err(RpcError::Connect)?;
            // Requests are small and latency matters more than batching.
            let _ = stream.set_nodelay(true);
            self.conn = Some(Connection {
                stream,
                pending: Vec::new(),
                authorized: false,
                in_flight: false,
                version: None,
            });
        }
        if needs_auth && !self.conn.as_ref().is_some_and(|c| c.authorized) {
            self.handshake().await?;
        }
        let Some(body) = body else {
            return Ok(None);
        };
        let max = self.settings.max_reply_bytes;
        let conn = self.conn.as_mut().ok_or(RpcError::Closed)?;
        Ok(Some(exchange(conn, body, max).await?))
    }

    async fn handshake(&mut self) -> Result<(), RpcError> {
        let resolved = self.settings.password.resolve()?;
        self.origin = Some(resolved.origin.clone());
        let max = self.settings.max_reply_bytes;
        let conn = self.conn.as_mut().ok_or(RpcError::Closed)?;
        let Some(secret) = resolved.secret else {
            // No password: a client with an empty gui_rpc_auth.cfg needs no handshake; one with a
            // password answers <unauthorized/> to the request itself.
            conn.authorized = true;
            return Ok(());
        };
        let nonce =
            xml::parse_nonce(&exchange(conn, "<auth1/>", max).await?).map_err(RpcError::Reply)?;
        let body = format!(
            "<auth2>\n<nonce_hash>{}</nonce_hash>\n</auth2>",
            nonce_hash(&nonce, &secret)
        );
        let reply = exchange(conn, &body, max).await?;
        match xml::parse_authorized(&reply) {
            Ok(()) => {
                conn.authorized = true;
                Ok(())
            }
            Err(ReplyError::Unauthorized) => {
                self.conn = None;
                Err(RpcError::Unauthorized {
                    origin: resolved.origin,
                })
            }
            Err(e) => Err(RpcError::Reply(e)),
        }
    }
}

/// The request body for a mode change.
fn mode_request(op: &str, change: ModeChange, duration: Duration) -> String {
    let mode = match change {
        ModeChange::Set(m) => m.tag(),
        ModeChange::Restore => "restore",
    };
    format!(
        "<{op}>\n<{mode}/>\n<duration>{}</duration>\n</{op}>",
        duration.as_secs()
    )
}

/// The bytes of one framed request.
pub fn frame_request(body: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 64);
    out.extend_from_slice(b"<boinc_gui_rpc_request>\n");
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(b"\n</boinc_gui_rpc_request>\n");
    out.push(END_OF_MESSAGE);
    out
}

/// Send one framed request and read one reply (without its end marker).
async fn exchange(
    conn: &mut Connection,
    body: &str,
    max_reply_bytes: usize,
) -> Result<String, RpcError> {
    conn.in_flight = true;
    conn.stream
        .write_all(&frame_request(body))
        .await
        .map_err(RpcError::Broken)?;
    let mut chunk = vec![0u8; 16 * 1024];
    let mut searched = 0;
    loop {
        if let Some(pos) = conn.pending[searched..]
            .iter()
            .position(|b| *b == END_OF_MESSAGE)
        {
            let end = searched + pos;
            let reply = String::from_utf8_lossy(&conn.pending[..end]).into_owned();
            conn.pending.drain(..=end);
            conn.in_flight = false;
            return Ok(reply);
        }
        searched = conn.pending.len();
        if conn.pending.len() > max_reply_bytes {
            return Err(RpcError::TooLarge {
                limit: max_reply_bytes,
            });
        }
        let n = conn
            .stream
            .read(&mut chunk)
            .await
            .map_err(RpcError::Broken)?;
        if n == 0 {
            return Err(RpcError::Closed);
        }
        conn.pending.extend_from_slice(&chunk[..n]);
    }
}
