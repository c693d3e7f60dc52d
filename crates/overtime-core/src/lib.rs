//! Overtime's domain, kept pure: readings and time come in as arguments, a plan comes out.
//!
//! Nothing in this crate reads a clock, touches a file, a socket or a GPU. That is what lets
//! the schedule, the thermal guard and the policy be tested exhaustively and instantly; the
//! `overtime-agent` crate owns every side effect and calls into here once per tick.

pub mod activity;
pub mod config;
pub mod gpu;
pub mod mode;
pub mod money;
pub mod period;
pub mod policy;
pub mod reason;
pub mod running_cost;
pub mod schedule;
pub mod tariff;
pub mod thermal;

/// The one catalogue of user-visible text, re-exported so every layer above speaks through it.
pub use overtime_i18n as i18n;

pub use gpu::{GpuId, GpuReading, ThrottleReasons};
pub use mode::{Mode, Override, OverrideScope};
pub use period::{Bounds, Period, PeriodError};
pub use reason::{Reason, Unavailable};
pub use running_cost::{DrawSource, RunningCost, WorkingDraw};
