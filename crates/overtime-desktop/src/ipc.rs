//! The local socket between the process that runs the agent (the *host*) and the dashboard
//! window, which is a separate process so that closing it returns all of the web view's memory.
//!
//! One JSON message per line. The window sends `{id, method, params}`; the host answers
//! `{kind: "reply", id, ok | err}` and pushes `{kind: "event", event, payload}` (a snapshot per
//! agent tick, `focus`, `close`) to the window that said `hello_dashboard`. The socket file is
//! created in an owner-only directory under the state directory, so other users on the machine cannot connect.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

/// Overrides the socket's path (tests; a dashboard started by the host gets it this way).
pub const ENV_SOCKET: &str = "OVERTIME_HOST_SOCKET";

/// Longest line either side accepts; a snapshot is a few KiB, settings a few tens.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// Method a window sends first: it is the dashboard and wants events.
pub const HELLO_DASHBOARD: &str = "hello_dashboard";
/// Method a second launch sends: bring the dashboard up (open it or focus it).
pub const OPEN_DASHBOARD: &str = "open_dashboard";

/// Events the host pushes to the dashboard.
pub mod event {
    /// Payload: the UI snapshot.
    pub const SNAPSHOT: &str = "snapshot";
    /// Bring the window forward.
    pub const FOCUS: &str = "focus";
    /// Close the window: the user quit Overtime.
    pub const CLOSE: &str = "close";
}

/// The socket for the state directory `state_dir`, unless `OVERTIME_HOST_SOCKET` names one.
pub fn socket_path(state_dir: &Path) -> PathBuf {
    match std::env::var_os(ENV_SOCKET) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => state_dir.join("run").join("desktop.sock"),
    }
}

/// A call from the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub method: String,
    #[serde(default)]
    pub params: Value,
}

/// Anything the host sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HostMessage {
    /// The answer to request `id`: `ok` on success, else `err` (`{code, message, fields}`).
    Reply {
        id: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ok: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        err: Option<Value>,
    },
    Event {
        event: String,
        #[serde(default)]
        payload: Value,
    },
}

/// What can go wrong on the socket.
#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    #[error("the local socket failed: {0}")]
    Io(#[from] io::Error),
    #[error("the other side sent a line this version cannot read ({0}); restart Overtime")]
    Malformed(String),
    #[error("the other side sent a line over {MAX_LINE_BYTES} bytes; restart Overtime")]
    TooLong,
    #[error("the other side closed the connection")]
    Closed,
}

/// Reads one message per line, refusing lines over [`MAX_LINE_BYTES`].
pub struct LineReader {
    inner: BufReader<OwnedReadHalf>,
    buf: Vec<u8>,
}

impl LineReader {
    pub fn new(read: OwnedReadHalf) -> LineReader {
        LineReader {
            inner: BufReader::new(read),
            buf: Vec::new(),
        }
    }

    /// The next message; `Err(Closed)` at the end of the stream.
    pub async fn next<T: for<'de> Deserialize<'de>>(&mut self) -> Result<T, IpcError> {
        self.buf.clear();
        loop {
            let available = self.inner.fill_buf().await?;
            if available.is_empty() {
                return Err(IpcError::Closed);
            }
            let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (&available[..i], Some(i + 1)),
                None => (available, None),
            };
            if self.buf.len() + chunk.len() > MAX_LINE_BYTES {
                return Err(IpcError::TooLong);
            }
            self.buf.extend_from_slice(chunk);
            let used = done.unwrap_or(available.len());
            self.inner.consume(used);
            if done.is_some() {
                return serde_json::from_slice(&self.buf)
                    .map_err(|e| IpcError::Malformed(e.to_string()));
            }
        }
    }
}

/// Writes `message` as one line.
pub async fn write_line<T: Serialize>(w: &mut OwnedWriteHalf, message: &T) -> Result<(), IpcError> {
    let mut line = serde_json::to_vec(message).map_err(|e| IpcError::Malformed(e.to_string()))?;
    line.push(b'\n');
    w.write_all(&line).await?;
    Ok(())
}

/// Connects to a running host, or `None` when nothing listens at `path` (no file, or a file
/// left by a host that died).
pub async fn connect(path: &Path) -> Option<UnixStream> {
    UnixStream::connect(path).await.ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replies_and_events_have_a_stable_shape() {
        let reply = HostMessage::Reply {
            id: 7,
            ok: Some(json!({"a": 1})),
            err: None,
        };
        assert_eq!(
            serde_json::to_value(&reply).unwrap(),
            json!({"kind": "reply", "id": 7, "ok": {"a": 1}})
        );
        let event = HostMessage::Event {
            event: event::FOCUS.into(),
            payload: Value::Null,
        };
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            json!({"kind": "event", "event": "focus", "payload": null})
        );
        let req: Request = serde_json::from_str(r#"{"id":1,"method":"resume_auto"}"#).unwrap();
        assert_eq!(req.params, Value::Null);
    }

    #[tokio::test]
    async fn lines_are_read_whole_and_overlong_or_garbage_lines_are_refused() {
        let (a, b) = UnixStream::pair().unwrap();
        let (ra, _wa) = a.into_split();
        let (_rb, mut wb) = b.into_split();
        let mut reader = LineReader::new(ra);

        write_line(&mut wb, &json!({"id": 1, "method": "x"}))
            .await
            .unwrap();
        let r: Request = reader.next().await.unwrap();
        assert_eq!(r.method, "x");

        wb.write_all(b"not json\n").await.unwrap();
        assert!(matches!(
            reader.next::<Request>().await,
            Err(IpcError::Malformed(_))
        ));

        let long = vec![b'a'; MAX_LINE_BYTES + 10];
        let writer = tokio::spawn(async move {
            let _ = wb.write_all(&long).await;
            wb
        });
        assert!(matches!(
            reader.next::<Request>().await,
            Err(IpcError::TooLong)
        ));
        drop(reader);
        let _ = writer.await;
    }

    #[tokio::test]
    async fn a_closed_peer_reads_as_closed() {
        let (a, b) = UnixStream::pair().unwrap();
        let (ra, _wa) = a.into_split();
        drop(b);
        let mut reader = LineReader::new(ra);
        assert!(matches!(
            reader.next::<Request>().await,
            Err(IpcError::Closed)
        ));
    }
}
