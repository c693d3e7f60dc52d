//! Providers: the services that put a GPU to work (a rental marketplace, a volunteer client).
//!
//! The supervisor never awaits a provider. Each provider runs in its own task
//! ([`runner::ProviderRunner`]) that receives the desired state over a `watch` channel, applies it
//! idempotently, polls the provider's real status, and publishes what it found. A provider that
//! hangs or is down therefore never delays the tick loop or the other providers.

pub mod boinc;
pub mod demo;
pub mod fah;
pub mod hooks;
pub mod probe;
pub mod runner;
pub mod setup;
pub mod vast;

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What a provider is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Rental,
    Volunteer,
}

/// What the supervisor wants from a provider for one GPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuDesire {
    pub uuid: String,
    pub index: u32,
    /// Volunteer: crunch on this GPU. Rental: be listed.
    pub on: bool,
    /// Rental only: list with this end date (never past the rental window).
    pub list_until: Option<Timestamp>,
}

/// What a provider reports for one GPU (the truth the supervisor reconciles with).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProviderGpuStatus {
    pub uuid: String,
    /// Work is running on the GPU for this provider (a volunteer task, a renter's job).
    pub working: bool,
    /// Volunteer: enabled for this GPU. Rental: listed.
    pub enabled: bool,
    /// Rental: a paid contract runs until this instant; the GPU must not be taken away before.
    pub rented_until: Option<Timestamp>,
    /// Rental: the listing's end date.
    pub listed_until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProviderStatus {
    pub gpus: Vec<ProviderGpuStatus>,
    /// One line for the user ("2 tasks running", "listed at 0.25 USD/h").
    pub detail: String,
    /// Earnings statements the service reports (rental providers), for the ledger.
    #[serde(default)]
    pub statements: Vec<Statement>,
    /// Credit totals per project (volunteer providers), for the ledger.
    #[serde(default)]
    pub credits: Vec<CreditReport>,
}

/// Money a rental service says it paid (or will pay) for a period. `source_id` is the service's
/// own id for it, so reporting it again never counts it twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub source_id: String,
    pub amount: overtime_core::money::Money,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub gpu_uuid: Option<String>,
}

/// A volunteer project's credit total as the client reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditReport {
    pub project: String,
    pub total: f64,
}

impl ProviderStatus {
    pub fn gpu(&self, uuid: &str) -> Option<&ProviderGpuStatus> {
        self.gpus.iter().find(|g| g.uuid == uuid)
    }
}

/// A provider failure, phrased for the user: what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("{service} is not reachable at {address}: {detail}. Is it running?")]
    Unreachable {
        service: String,
        address: String,
        detail: String,
    },
    #[error("{service} refused our credentials: {detail}")]
    Unauthorized { service: String, detail: String },
    #[error("{service} asked us to slow down; retrying in {retry_after_s} s")]
    RateLimited { service: String, retry_after_s: u64 },
    #[error("{service} did not answer within {timeout_s} s")]
    Timeout { service: String, timeout_s: u64 },
    #[error("{service} answered something we could not understand: {detail}")]
    Protocol { service: String, detail: String },
    #[error("{service}: {detail}")]
    Other { service: String, detail: String },
}

/// A service that can run work on GPUs. Implementations must make `apply` idempotent: the runner
/// calls it whenever the desired state changes and again after errors.
#[async_trait]
pub trait Provider: Send {
    /// Stable short name ("demo-rental", "boinc").
    fn name(&self) -> &str;
    fn kind(&self) -> ProviderKind;
    /// True for the demo providers: their figures are simulated and must be labelled so.
    fn simulated(&self) -> bool;
    /// Read the real state from the service.
    async fn status(&mut self) -> Result<ProviderStatus, ProviderError>;
    /// Make the service match `desired` and return the state it is then in.
    async fn apply(&mut self, desired: &[GpuDesire]) -> Result<ProviderStatus, ProviderError>;
    /// Leave the service safe when Overtime stops: volunteer work handed back to the user's own
    /// settings, no listing past what was agreed. Running rentals are never ended.
    async fn shutdown(&mut self) -> Result<(), ProviderError>;

    /// How long one call may take, when the provider needs longer than the runner's default
    /// (command hooks with their own timeout).
    fn call_timeout(&self) -> Option<std::time::Duration> {
        None
    }
}

/// A provider's state as front ends see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderView {
    pub name: String,
    pub kind: ProviderKind,
    pub simulated: bool,
    pub status: Option<ProviderStatus>,
    /// The last failure, if the latest attempt failed.
    pub error: Option<String>,
    pub last_ok_at: Option<Timestamp>,
}

/// Builds the providers a configuration names, so the agent can replace them when their
/// settings or credentials change without a restart (the real set in the daemon and the
/// desktop app; a fake in tests).
#[async_trait]
pub trait ProviderFactory: Send + Sync {
    /// Every provider `config` asks for (at most one per kind), built and not yet started.
    async fn build(&self, config: &overtime_core::config::Config) -> Vec<Box<dyn Provider>>;
}

/// The settings a provider of `kind` is built from: when these differ between two
/// configurations, that kind's provider has to be built again.
pub fn settings_of(
    config: &overtime_core::config::Config,
    kind: ProviderKind,
) -> serde_json::Value {
    use overtime_core::config::providers::HookKind;
    let p = &config.providers;
    let hook_kind = match kind {
        ProviderKind::Rental => HookKind::Rental,
        ProviderKind::Volunteer => HookKind::Volunteer,
    };
    let hooks: Vec<_> = p.hooks.iter().filter(|h| h.kind == hook_kind).collect();
    let value = match kind {
        ProviderKind::Rental => serde_json::to_value((&p.rental, &p.vast, hooks, &config.rental)),
        ProviderKind::Volunteer => serde_json::to_value((&p.volunteer, &p.boinc, &p.fah, hooks)),
    };
    // Plain data always serialises; were it ever to fail, every change would look like one.
    value.unwrap_or(serde_json::Value::Null)
}
