//! The link between Overtime's two desktop processes: the resident *host* (`overtime-desktop`:
//! the agent and the tray) and the dashboard *window* (`src-tauri`), a separate process so that
//! closing it gives all of the web view's memory back.
//!
//! Everything both sides share lives here, so the window needs none of the engine:
//! - [`endpoint`]: where the host listens ([`Endpoint`]), found the same way by both sides;
//! - [`transport`]: one local connection type ([`Listener`], [`Stream`]) that is a Unix domain
//!   socket in an owner-only directory on Unix and a local-only named pipe on Windows;
//! - [`protocol`]: one JSON message per line ([`Request`] out, [`HostMessage`] back);
//! - the small things both programs need at start: [`init_logging`], [`sibling_program`], and
//!   [`AgentUnavailable`], the error the window gives its UI when the host has gone.

pub mod endpoint;
mod logging;
mod program;
pub mod protocol;
pub mod transport;
mod unavailable;

pub use endpoint::{ENV_ENDPOINT, Endpoint, EndpointError};
pub use logging::init_logging;
pub use program::sibling_program;
pub use protocol::{
    HELLO_DASHBOARD, HostMessage, IpcError, LineReader, MAX_LINE_BYTES, OPEN_DASHBOARD, Request,
    event, write_line,
};
pub use transport::{Listener, ReadHalf, Stream, WriteHalf};
pub use unavailable::AgentUnavailable;
