//! The line protocol between the host and the window: one JSON message per line.
//!
//! The window sends `{id, method, params}`; the host answers `{kind: "reply", id, ok | err}` and
//! pushes `{kind: "event", event, payload}` (a snapshot per agent tick, `focus`, `close`) to the
//! window that said `hello_dashboard`. Reading and writing work on any async byte stream, so the
//! same code runs over the [`transport`](crate::transport) on every platform and over in-memory
//! pipes in tests.

use std::io;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

use crate::transport::ReadHalf;

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

/// What can go wrong on the connection.
#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    #[error("the local connection between Overtime's processes failed: {0}")]
    Io(#[from] io::Error),
    #[error("the other side sent a line this version cannot read ({0}); restart Overtime")]
    Malformed(String),
    #[error("the other side sent a line over {MAX_LINE_BYTES} bytes; restart Overtime")]
    TooLong,
    #[error("the other side closed the connection")]
    Closed,
}

/// Reads one message per line from `R` (by default the transport's read half), refusing lines
/// over [`MAX_LINE_BYTES`].
pub struct LineReader<R = ReadHalf> {
    inner: BufReader<R>,
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(read: R) -> LineReader<R> {
        LineReader {
            inner: BufReader::new(read),
            buf: Vec::new(),
        }
    }

    /// The next message; `Err(Closed)` at the end of the stream. A line that is too long is
    /// refused as soon as it passes the limit, without waiting for its end.
    pub async fn next<T: DeserializeOwned>(&mut self) -> Result<T, IpcError> {
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

/// Writes `message` as one line to `w` (the transport's write half, or any async writer).
pub async fn write_line<W, T>(w: &mut W, message: &T) -> Result<(), IpcError>
where
    W: AsyncWrite + Unpin + ?Sized,
    T: Serialize + ?Sized,
{
    let mut line = serde_json::to_vec(message).map_err(|e| IpcError::Malformed(e.to_string()))?;
    line.push(b'\n');
    w.write_all(&line).await?;
    Ok(())
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
        // An in-memory pipe: the transport's own tests cover the real connection.
        let (a, mut wb) = tokio::io::duplex(64 * 1024);
        let mut reader = LineReader::new(a);

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
        // Dropping the reader closes the pipe, so the writer's last write fails and it ends.
        drop(reader);
        let _ = writer.await;
    }

    #[tokio::test]
    async fn a_closed_peer_reads_as_closed() {
        let (a, b) = tokio::io::duplex(1024);
        drop(b);
        let mut reader = LineReader::new(a);
        assert!(matches!(
            reader.next::<Request>().await,
            Err(IpcError::Closed)
        ));
    }
}
