//! The three things a GPU can be doing, and the user's manual overrides of the automatic choice.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a GPU is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "UiMode")]
pub enum Mode {
    /// Listed on (or rented through) a marketplace.
    Rental,
    /// Crunching for a volunteer computing project (BOINC, Folding@home).
    Volunteer,
    /// Left alone.
    Idle,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Rental, Mode::Volunteer, Mode::Idle];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Rental => "rental",
            Mode::Volunteer => "volunteer",
            Mode::Idle => "idle",
        }
    }

    /// The mode's name shown to people, in `catalogue`'s language ("Rental", "Vermietung").
    pub fn text(self, catalogue: overtime_i18n::Catalogue) -> String {
        catalogue.text(
            match self {
                Mode::Rental => "mode-rental",
                Mode::Volunteer => "mode-volunteer",
                Mode::Idle => "mode-idle",
            },
            &[],
        )
    }

    /// The word in English for logs and machine-facing output, capitalised.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Rental => "Rental",
            Mode::Volunteer => "Volunteer",
            Mode::Idle => "Idle",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "rental" | "rent" => Ok(Mode::Rental),
            "volunteer" => Ok(Mode::Volunteer),
            "idle" | "pause" => Ok(Mode::Idle),
            other => Err(format!(
                "unknown mode '{other}': use rental, volunteer or idle"
            )),
        }
    }
}

/// Which GPUs an override applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "uuid")]
pub enum OverrideScope {
    AllGpus,
    Gpu(String),
}

impl OverrideScope {
    pub fn covers(&self, uuid: &str) -> bool {
        match self {
            OverrideScope::AllGpus => true,
            OverrideScope::Gpu(u) => u == uuid,
        }
    }
}

/// A manual choice from the tray or the CLI that beats the schedule and profitability.
/// `Idle` with an expiry is how "pause for 1 h" is expressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub mode: Mode,
    pub scope: OverrideScope,
    /// When the override ends by itself; `None` means "until I resume".
    pub until: Option<jiff::Timestamp>,
    /// When it was set, to tell the user how long it has been running.
    pub set_at: jiff::Timestamp,
}

impl Override {
    pub fn is_active(&self, now: jiff::Timestamp) -> bool {
        self.until.is_none_or(|until| now < until)
    }
}

/// The override that applies to one GPU at `now`: a per-GPU one beats an all-GPU one, and among
/// equals the most recently set wins.
pub fn effective_override<'a>(
    overrides: &'a [Override],
    uuid: &str,
    now: jiff::Timestamp,
) -> Option<&'a Override> {
    overrides
        .iter()
        .filter(|o| o.is_active(now) && o.scope.covers(uuid))
        .max_by_key(|o| (matches!(o.scope, OverrideScope::Gpu(_)), o.set_at))
}
