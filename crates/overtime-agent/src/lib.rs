//! The runtime around `overtime-core`: everything that waits, reads a clock, or touches a GPU,
//! a process list, a socket or a file.
//!
//! The wings (`sensors`, `activity`, `providers`) know `overtime-core` and nothing of each other;
//! only the `supervisor` wires them together. Front ends (the CLI, the loopback API, the desktop
//! shell) hold an [`AgentHandle`]: they read snapshots and send commands, never touch state.

pub mod activity;
pub mod api;
pub mod clock;
pub mod config_file;
pub mod control;
pub mod error;
pub mod file_replace;
pub mod handle;
pub mod keep_awake;
pub mod ledger_feed;
pub mod metrics;
pub mod paths;
pub mod private_files;
pub mod providers;
pub mod reports;
pub mod secrets;
pub mod sensors;
pub mod service;
pub mod settings;
pub mod snapshot;
pub mod startup;
mod state_file;
pub mod stop_signals;
pub mod supervisor;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
#[cfg(windows)]
pub mod windows_registry;

pub use error::{AgentError, ErrorCode, FieldError};
pub use handle::{AgentCommand, AgentHandle};
pub use snapshot::AgentSnapshot;
