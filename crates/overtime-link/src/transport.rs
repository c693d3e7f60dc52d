//! One local connection type for both platforms, so nothing above it names a Unix socket or a
//! Windows pipe: the host binds a [`Listener`] and accepts [`Stream`]s, the window connects one,
//! and each side splits it into a [`ReadHalf`] (for [`LineReader`](crate::LineReader)) and a
//! [`WriteHalf`] (for [`write_line`](crate::write_line)).
//!
//! Unix: a Unix domain socket in an owner-only (0700) directory, so no other user can connect.
//! Windows: a named pipe that refuses remote clients, whose first instance is created with
//! `FILE_FLAG_FIRST_PIPE_INSTANCE`, so only one host can own the name. Either way a second host
//! is told `AddrInUse`, and an endpoint left by a host that died is taken over.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::endpoint::Endpoint;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as sys;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as sys;

/// The platform's endpoint for the state directory `state_dir` (see [`Endpoint::in_state_dir`]).
pub(crate) fn endpoint_in(state_dir: &std::path::Path) -> std::ffi::OsString {
    sys::endpoint_in(state_dir)
}

/// The host's end: listens at one [`Endpoint`] until dropped. On Unix, dropping it removes the
/// socket file (unless another host has replaced it since).
pub struct Listener {
    inner: sys::Listener,
    endpoint: Endpoint,
}

impl Listener {
    /// Starts listening at `endpoint`, creating what it needs (on Unix the owner-only
    /// directory). `Err` of kind [`io::ErrorKind::AddrInUse`] means another host already
    /// answers there; an endpoint nobody answers on (a host that was killed) is taken over.
    pub async fn bind(endpoint: &Endpoint) -> io::Result<Listener> {
        Ok(Listener {
            inner: sys::Listener::bind(endpoint.as_os_str()).await?,
            endpoint: endpoint.clone(),
        })
    }

    /// The next connection. An error concerns that one connection attempt only; the listener
    /// stays usable.
    pub async fn accept(&mut self) -> io::Result<Stream> {
        Ok(Stream(self.inner.accept().await?))
    }

    /// Where this listener listens.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }
}

/// One connection between the host and a window (or a second launch).
pub struct Stream(sys::Stream);

impl Stream {
    /// Connects to the host at `endpoint`, or `None` when nothing listens there (no host, or
    /// what a host that died left behind).
    pub async fn connect(endpoint: &Endpoint) -> Option<Stream> {
        sys::connect(endpoint.as_os_str()).await.map(Stream)
    }

    /// Splits the connection so one task can read while another writes.
    pub fn into_split(self) -> (ReadHalf, WriteHalf) {
        let (read, write) = sys::split(self.0);
        (ReadHalf(read), WriteHalf(write))
    }
}

/// The reading half of a [`Stream`].
pub struct ReadHalf(sys::ReadHalf);

/// The writing half of a [`Stream`]; dropping it ends the connection for the other side.
pub struct WriteHalf(sys::WriteHalf);

impl AsyncRead for ReadHalf {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteHalf {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::protocol::{IpcError, LineReader, Request, write_line};
    use serde_json::Value;
    use std::time::Duration;

    fn endpoint_in(dir: &tempfile::TempDir) -> Endpoint {
        Endpoint::in_state_dir(&dir.path().join("state"))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nobody_listening_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Stream::connect(&endpoint_in(&dir)).await.is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lines_cross_both_ways_and_a_closed_peer_reads_as_closed() {
        let dir = tempfile::tempdir().unwrap();
        let endpoint = endpoint_in(&dir);
        let mut listener = Listener::bind(&endpoint).await.unwrap();
        assert_eq!(listener.endpoint(), &endpoint);
        let server = tokio::spawn(async move {
            let (read, mut write) = listener.accept().await.unwrap().into_split();
            let mut reader = LineReader::new(read);
            let request: Request = reader.next().await.unwrap();
            write_line(&mut write, &request).await.unwrap();
            // The client hangs up next.
            assert!(matches!(
                reader.next::<Request>().await,
                Err(IpcError::Closed)
            ));
        });
        let (read, mut write) = Stream::connect(&endpoint).await.unwrap().into_split();
        let sent = Request {
            id: 3,
            method: "get_snapshot".into(),
            params: Value::Null,
        };
        write_line(&mut write, &sent).await.unwrap();
        let echoed: Request =
            tokio::time::timeout(Duration::from_secs(5), LineReader::new(read).next())
                .await
                .unwrap()
                .unwrap();
        assert_eq!(echoed, sent);
        drop(write);
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_host_is_refused_while_the_first_listens_and_may_bind_once_it_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let endpoint = endpoint_in(&dir);
        let first = Listener::bind(&endpoint).await.unwrap();
        let second = Listener::bind(&endpoint).await;
        assert_eq!(
            second.err().map(|e| e.kind()),
            Some(io::ErrorKind::AddrInUse)
        );
        drop(first);
        assert!(Stream::connect(&endpoint).await.is_none());
        assert!(Listener::bind(&endpoint).await.is_ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_listener_keeps_accepting_after_a_client_came_and_went() {
        let dir = tempfile::tempdir().unwrap();
        let endpoint = endpoint_in(&dir);
        let mut listener = Listener::bind(&endpoint).await.unwrap();
        let accepting = tokio::spawn(async move {
            for _ in 0..3 {
                let stream = listener.accept().await.unwrap();
                let (_read, mut write) = stream.into_split();
                write_line(&mut write, &Value::Bool(true)).await.unwrap();
            }
        });
        for _ in 0..3 {
            let (read, _write) = Stream::connect(&endpoint).await.unwrap().into_split();
            let got: Value =
                tokio::time::timeout(Duration::from_secs(5), LineReader::new(read).next())
                    .await
                    .unwrap()
                    .unwrap();
            assert_eq!(got, Value::Bool(true));
        }
        tokio::time::timeout(Duration::from_secs(5), accepting)
            .await
            .unwrap()
            .unwrap();
    }
}
