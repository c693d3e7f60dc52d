//! The desktop app's methods fail with the agent's one error type, so the window, the tray, the
//! API and the CLI all see the same codes and sentences; this module only names it here.

pub use overtime_agent::error::{AgentError, CommandErrorWire, ErrorCode, FieldError};
