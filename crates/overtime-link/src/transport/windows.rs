//! The transport on Windows: a named pipe, `\\.\pipe\overtime-desktop-<hash>` (see
//! `endpoint::pipe_name`). The first instance is created with `FILE_FLAG_FIRST_PIPE_INSTANCE`,
//! so while a host runs no other process can serve the name, and remote clients are refused.
//!
//! The pipe keeps Windows' default ACL: full access for the creating user, SYSTEM and
//! administrators, read-only for everyone else. Another user can open it but never send a
//! request, and the host writes to a connection only in answer to its requests, so nothing
//! reaches them. An owner-only ACL would need a raw security descriptor, i.e. `unsafe`.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::windows::named_pipe::{
    ClientOptions, NamedPipeClient, NamedPipeServer, ServerOptions,
};

/// `ERROR_PIPE_BUSY`: the pipe exists but every instance is taken; one frees up shortly.
const ERROR_PIPE_BUSY: i32 = 231;
/// How long a client waits for a busy pipe before it takes the host for gone. The host makes
/// the next instance as soon as one is taken, so a real host is busy only for an instant.
const BUSY_WAIT: Duration = Duration::from_secs(2);
/// How long `bind` keeps trying to claim a name held by a host that no longer answers (one that
/// is closing: the name frees once its last connection has closed).
const CLAIM_WAIT: Duration = Duration::from_secs(3);

pub type ReadHalf = tokio::io::ReadHalf<Stream>;
pub type WriteHalf = tokio::io::WriteHalf<Stream>;

pub fn endpoint_in(state_dir: &Path) -> OsString {
    crate::endpoint::pipe_name(state_dir)
}

/// Either end of a pipe connection: the host holds the server side, the window the client.
pub enum Stream {
    Server(NamedPipeServer),
    Client(NamedPipeClient),
}

pub async fn connect(name: &OsStr) -> Option<Stream> {
    let deadline = tokio::time::Instant::now() + BUSY_WAIT;
    loop {
        match ClientOptions::new().open(name) {
            Ok(client) => return Some(Stream::Client(client)),
            Err(e)
                if e.raw_os_error() == Some(ERROR_PIPE_BUSY)
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // Not found: nobody serves the name. Busy for too long: a host that stopped serving.
            Err(_) => return None,
        }
    }
}

/// One attempt, no waiting: whether a host serves the name right now. A busy pipe has a host
/// too (all its instances are taken), so that counts as one.
fn connect_now(name: &OsStr) -> Option<()> {
    match ClientOptions::new().open(name) {
        Ok(_client) => Some(()),
        Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY) => Some(()),
        Err(_) => None,
    }
}

pub fn split(stream: Stream) -> (ReadHalf, WriteHalf) {
    tokio::io::split(stream)
}

fn instance(name: &OsStr, first: bool) -> io::Result<NamedPipeServer> {
    ServerOptions::new()
        .first_pipe_instance(first)
        .reject_remote_clients(true)
        .create(name)
}

pub struct Listener {
    name: OsString,
    /// The instance the next client will connect to. It always exists while the host listens,
    /// so the name stays claimed and a client never finds nothing there.
    waiting: Option<NamedPipeServer>,
}

impl Listener {
    pub async fn bind(name: &OsStr) -> io::Result<Listener> {
        // A host that answers owns the name. Asked first because Wine (8.0, seen in CI) lets a
        // second server create an instance despite FILE_FLAG_FIRST_PIPE_INSTANCE; on Windows
        // the flag still settles two hosts starting at the same instant.
        if connect_now(name).is_some() {
            return Err(io::Error::from(io::ErrorKind::AddrInUse));
        }
        let deadline = tokio::time::Instant::now() + CLAIM_WAIT;
        loop {
            match instance(name, true) {
                Ok(first) => {
                    return Ok(Listener {
                        name: name.to_owned(),
                        waiting: Some(first),
                    });
                }
                // Another process has the name: a running host answers; one that is closing
                // frees it shortly.
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                    if connect(name).await.is_some() || tokio::time::Instant::now() >= deadline {
                        return Err(io::Error::from(io::ErrorKind::AddrInUse));
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub async fn accept(&mut self) -> io::Result<Stream> {
        let server = match self.waiting.take() {
            Some(s) => s,
            None => instance(&self.name, false)?,
        };
        // Kept in place while waiting, so a cancelled accept loses nothing.
        let server = self.waiting.insert(server);
        if let Err(e) = server.connect().await {
            // A client that came and went leaves the instance unusable; make a fresh one.
            self.waiting = instance(&self.name, false).ok();
            return Err(e);
        }
        // The next client gets an instance of its own at once; should making it fail, the next
        // accept tries again.
        let next = instance(&self.name, false).ok();
        std::mem::replace(&mut self.waiting, next)
            .map(Stream::Server)
            .ok_or_else(|| io::Error::other("the connected pipe instance went missing"))
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Server(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Client(c) => Pin::new(c).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Server(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Client(c) => Pin::new(c).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Server(s) => Pin::new(s).poll_flush(cx),
            Stream::Client(c) => Pin::new(c).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Server(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Client(c) => Pin::new(c).poll_shutdown(cx),
        }
    }
}
