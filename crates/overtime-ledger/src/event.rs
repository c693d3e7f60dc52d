//! What the agent records in the ledger: one `Event` per fact, sent to the writer.
//!
//! Events are plain data with units in their names; the store turns them into rows. Times are
//! UTC timestamps; local time only appears in figures and exports.

use jiff::Timestamp;
use overtime_core::Mode;
use overtime_core::money::Money;

use crate::energy::EnergySource;

/// One fact for the ledger.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A GPU entered a mode. Any session still open on that GPU ends at `at`.
    SessionStarted(SessionStart),
    /// The open session on a GPU ended (agent stopping, GPU gone). Nothing happens if none is open.
    SessionEnded { gpu_uuid: String, at: Timestamp },
    /// One minute of telemetry for one GPU. A minute already recorded is kept, not replaced.
    Minute(MinuteRollup),
    /// Money as a rental provider's statement reports it; re-importing replaces, never adds.
    Earning(EarningRecord),
    /// Volunteer credit or points as a project reports them.
    Credit(CreditRecord),
    /// One automatic or manual decision, for the decisions log.
    Decision(DecisionRecord),
}

impl Event {
    /// The GPU the event is about, if any.
    pub fn gpu_uuid(&self) -> Option<&str> {
        match self {
            Event::SessionStarted(s) => Some(&s.gpu_uuid),
            Event::SessionEnded { gpu_uuid, .. } => Some(gpu_uuid),
            Event::Minute(m) => Some(&m.gpu_uuid),
            Event::Earning(e) => e.gpu_uuid.as_deref(),
            Event::Credit(_) => None,
            Event::Decision(d) => Some(&d.gpu_uuid),
        }
    }
}

/// The start of a mode session on one GPU.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionStart {
    pub gpu_uuid: String,
    pub at: Timestamp,
    pub mode: Mode,
    /// The provider serving the mode (`vastai`, `boinc`, …); `None` when idle.
    pub provider: Option<String>,
    /// [`overtime_core::Reason::code`] of the reason for the mode.
    pub reason_code: String,
    /// The reason rendered as the sentence the user saw.
    pub reason: String,
    /// For a rental, the contract's price per hour: used for the live estimate until the
    /// provider's statement for that period arrives.
    pub price_per_hour: Option<Money>,
}

/// Telemetry of one GPU over one minute.
#[derive(Debug, Clone, PartialEq)]
pub struct MinuteRollup {
    pub gpu_uuid: String,
    /// The start of the minute; seconds below the minute are ignored.
    pub minute: Timestamp,
    pub temp_min_c: Option<f64>,
    pub temp_avg_c: Option<f64>,
    pub temp_max_c: Option<f64>,
    /// Average utilisation, 0–100 %.
    pub load_avg_pct: Option<f64>,
    pub power_avg_w: Option<f64>,
    /// Energy drawn by the GPU during the minute, ≥ 0 Wh.
    pub energy_wh: f64,
    pub energy_source: EnergySource,
}

/// Money reported by a rental provider for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct EarningRecord {
    pub provider: String,
    /// The provider's identifier for this line (invoice line, payout id); unique per provider.
    pub source_id: String,
    /// Exact amount with its currency; negative for fees and refunds.
    pub amount: Money,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    /// The GPU it was earned on, when the statement says.
    pub gpu_uuid: Option<String>,
}

/// Volunteer credit as a project reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditRecord {
    pub provider: String,
    pub project: String,
    pub at: Timestamp,
    pub credit: CreditValue,
}

/// Projects report either a running total or the credit earned since the last report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CreditValue {
    /// The project's cumulative total for this user/host; increases between totals count.
    Total(f64),
    /// Credit earned since the last report.
    Delta(f64),
}

/// One entry of the decisions log.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRecord {
    pub at: Timestamp,
    pub gpu_uuid: String,
    /// The mode before; `None` at start-up.
    pub from: Option<Mode>,
    pub to: Mode,
    pub reason_code: String,
    pub reason: String,
}
