//! The weekly schedule: windows that allow a set of modes, evaluated in the user's time zone.
//!
//! HELPER-A implements this module. Semantics (the contract the policy relies on):
//! - A window *occurrence* is the instant interval [start, end) built from the civil start on a
//!   day listed in `days` and the civil end on the same day (or the next day when the window
//!   crosses midnight, i.e. end <= start in minutes). Civil → instant uses the time zone with
//!   jiff's "compatible" disambiguation: a start in a spring-forward gap moves later; in a
//!   fall-back fold the earlier instant is used. Evaluating by instant intervals (not by wall
//!   clock) means a repeated hour never re-opens a window that already ended.
//! - Outside every occurrence, `default` modes apply.
//! - Windows never overlap (validation rejects it), so at most one occurrence contains an instant.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::mode::Mode;

/// A set of modes (small, copyable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ModeSet {
    pub rental: bool,
    pub volunteer: bool,
}

impl ModeSet {
    pub const NONE: ModeSet = ModeSet {
        rental: false,
        volunteer: false,
    };
    pub const ALL: ModeSet = ModeSet {
        rental: true,
        volunteer: true,
    };

    /// Idle is always allowed, so it is not stored.
    pub fn from_modes(modes: &[Mode]) -> ModeSet {
        ModeSet {
            rental: modes.contains(&Mode::Rental),
            volunteer: modes.contains(&Mode::Volunteer),
        }
    }

    pub fn allows(&self, mode: Mode) -> bool {
        match mode {
            Mode::Rental => self.rental,
            Mode::Volunteer => self.volunteer,
            Mode::Idle => true,
        }
    }

    /// The modes allowed, for display (`["rental", "volunteer"]`, or `["idle"]` when none).
    pub fn modes(&self) -> Vec<Mode> {
        let mut v = Vec::new();
        if self.rental {
            v.push(Mode::Rental);
        }
        if self.volunteer {
            v.push(Mode::Volunteer);
        }
        if v.is_empty() {
            v.push(Mode::Idle);
        }
        v
    }
}

/// One compiled window. Minutes count from local midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub name: Option<String>,
    /// Days the window starts on, Monday first (`days[0]` is Monday, `days[6]` Sunday).
    pub days: [bool; 7],
    /// 0..1440
    pub start_min: u16,
    /// 0..=1440; `end_min <= start_min` means the window crosses midnight.
    pub end_min: u16,
    pub modes: ModeSet,
}

/// A compiled, validated weekly schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub windows: Vec<Window>,
    pub default_modes: ModeSet,
}

/// What the schedule says at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleState {
    pub modes: ModeSet,
    /// Index into `Schedule::windows` of the window in force, `None` for the default.
    pub window: Option<usize>,
    pub window_name: Option<String>,
    /// When the current window occurrence started (`None` for the default period).
    pub since: Option<Timestamp>,
    /// The next instant at which the allowed modes change (window ends, or next one starts),
    /// `None` if they never change within the search horizon (8 days).
    pub next_change: Option<Timestamp>,
}

/// A stretch of time with one set of allowed modes, for timelines and `overtime simulate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub start: Timestamp,
    pub end: Timestamp,
    pub modes: ModeSet,
    pub window: Option<usize>,
    pub window_name: Option<String>,
}

impl Schedule {
    /// A schedule with no windows: `default_modes` always.
    pub fn always(modes: ModeSet) -> Schedule {
        Schedule {
            windows: Vec::new(),
            default_modes: modes,
        }
    }

    /// What applies at `now`.
    pub fn at(&self, now: Timestamp, tz: &TimeZone) -> ScheduleState {
        let _ = (now, tz);
        todo!("HELPER-A")
    }

    /// The first instant ≥ `now` at which `mode` is no longer allowed, `None` if it stays allowed
    /// through the 8-day horizon. If it is not allowed at `now`, returns `Some(now)`.
    pub fn allowed_until(&self, mode: Mode, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let _ = (mode, now, tz);
        todo!("HELPER-A")
    }

    /// The first instant ≥ `now` at which `mode` is allowed, `None` if never within 8 days.
    pub fn next_allowed(&self, mode: Mode, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let _ = (mode, now, tz);
        todo!("HELPER-A")
    }

    /// Consecutive segments covering [from, to), adjacent segments with equal modes and window merged.
    pub fn timeline(&self, from: Timestamp, to: Timestamp, tz: &TimeZone) -> Vec<Segment> {
        let _ = (from, to, tz);
        todo!("HELPER-A")
    }
}
