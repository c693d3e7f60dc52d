//! The JSON bodies of the loopback API besides the snapshot itself, shared by the server and the
//! `overtime` CLI so both sides agree on one definition.

use jiff::Timestamp;
use overtime_core::{GpuId, Mode, OverrideScope};
use serde::{Deserialize, Serialize};

/// The longest override a request may ask for with `for_s`: 30 days, in seconds.
pub const MAX_OVERRIDE_S: u64 = 30 * 24 * 60 * 60;

/// Which GPU a request is about: its index as a number (`0`) or a string (`"0"`), or its UUID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GpuSelector {
    Index(u32),
    Text(String),
}

impl std::fmt::Display for GpuSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GpuSelector::Index(i) => write!(f, "{i}"),
            GpuSelector::Text(t) => f.write_str(t),
        }
    }
}

/// `POST /api/v1/override`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    /// `rental`, `volunteer` or `idle` (`pause` is accepted for idle).
    pub mode: String,
    /// One GPU; absent means all GPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuSelector>,
    /// RFC 3339 instant the override ends (`2026-11-24T23:00:00+01:00`). Excludes `for_s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// How long the override lasts, in seconds (1 to [`MAX_OVERRIDE_S`]). Excludes `until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_s: Option<u64>,
}

/// The answer to `POST /api/v1/override`: what the agent accepted, resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverrideApplied {
    pub ok: bool,
    pub mode: Mode,
    pub scope: OverrideScope,
    /// The GPU the override is for; `None` for all GPUs.
    pub gpu: Option<GpuId>,
    /// When it ends; `None` means until cleared.
    pub until: Option<Timestamp>,
}

/// The answer to `DELETE /api/v1/override`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverrideCleared {
    pub ok: bool,
    pub scope: OverrideScope,
    /// The GPU that went back to automatic; `None` for all GPUs.
    pub gpu: Option<GpuId>,
}

/// Every error response: a stable machine-readable `code` and a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}
