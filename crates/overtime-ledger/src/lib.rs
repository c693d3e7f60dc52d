//! Overtime's earnings ledger: what each GPU did, what it drew, what it earned and cost.
//!
//! The ledger is one SQLite file (WAL mode) holding mode sessions per GPU, per-minute telemetry
//! roll-ups (hourly after 90 days, kept forever), earnings as rental providers report them,
//! volunteer credits, and the decisions log. Money is exact decimal with its currency; sums
//! never mix currencies ([`Totals`]).
//!
//! # How the agent uses it
//!
//! ```no_run
//! # fn main() -> Result<(), overtime_ledger::LedgerError> {
//! use overtime_ledger::{LedgerStore, LedgerWriter, WriterConfig};
//! let path = std::path::Path::new("ledger.sqlite");
//! // Open (migrates, moves a corrupt file aside, closes sessions a crash left open)…
//! let (store, report) = LedgerStore::open(path)?;
//! if let Some(aside) = &report.moved_aside {
//!     eprintln!("the old ledger was unusable and is now at {}", aside.path.display());
//! }
//! // …hand it to the writer thread; `try_record` never blocks the tick.
//! let writer = LedgerWriter::spawn(store, WriterConfig::default())?;
//! // Figures and exports read through a second connection (WAL lets them run beside writes).
//! let reader = LedgerStore::open_reader(path)?;
//! # let _ = (writer, reader); Ok(()) }
//! ```
//!
//! - [`energy::EnergyMeter`] turns sensor samples into watt-hours (counter or integrated).
//! - [`overtime_core::tariff::Tariff`] (the one compiled from `[electricity]`, which the policy
//!   prices its break-even with too) prices those watt-hours by local weekday and hour.
//! - [`LedgerStore::figures`], [`LedgerStore::daily_series`], [`LedgerStore::sessions`],
//!   [`LedgerStore::sessions_page`], [`LedgerStore::cost_per_hour`] and
//!   [`LedgerStore::export_csv`] read it back; the CSV columns are described in
//!   `docs/ledger-csv.md`.
//!
//! Invariant: re-importing a provider statement never double counts (earnings are unique per
//! provider and source id). Invariant: after [`LedgerStore::open`] no session is left open
//! from an earlier run.

pub mod energy;
mod error;
pub mod event;
mod export;
mod figures;
mod mode_sessions;
pub mod rollup;
mod schema;
mod sessions;
mod store;
mod totals;
mod writer;

pub use energy::{EnergyMeter, EnergySample, EnergySource, EnergyStep};
pub use error::LedgerError;
pub use event::{
    CreditRecord, CreditValue, DecisionRecord, EarningRecord, Event, MinuteRollup, SessionStart,
};
pub use export::{CSV_COLUMNS, ExportSummary, push_csv_field};
pub use figures::{
    BUSY_LOAD_PCT, CostModel, CostPerHour, DayFigures, FigureFilter, Figures, ProjectCredit,
};
pub use mode_sessions::Session;
pub use schema::{APPLICATION_ID, LATEST_VERSION};
pub use sessions::{LedgerDimensions, MAX_SESSION_PAGE, SessionEntry, SessionPage};
pub use store::{LedgerStore, MINUTE_RETENTION, MovedAside, OpenOptions, OpenReport};
pub use totals::Totals;
pub use writer::{LedgerFlusher, LedgerHealth, LedgerWriter, QueueFull, WriterConfig};
