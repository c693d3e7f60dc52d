//! The weekly schedule: windows that allow a set of modes, evaluated in the user's time zone.
//!
//! Semantics (the contract the policy relies on):
//! - A window *occurrence* is the instant interval [start, end) built from the civil start on a
//!   day listed in `days` and the civil end on the same day (or the next day when the window
//!   crosses midnight, i.e. end <= start in minutes). Civil → instant uses the time zone with
//!   jiff's "compatible" disambiguation: a start in a spring-forward gap moves later; in a
//!   fall-back fold the earlier instant is used. Evaluating by instant intervals (not by wall
//!   clock) means a repeated hour never re-opens a window that already ended.
//! - Outside every occurrence, `default` modes apply.
//! - Windows never overlap on the wall clock (validation rejects it). Around a spring-forward gap
//!   two occurrences can still overlap as instants (a window ending at 02:30 in the gap ends at
//!   03:30, after a window starting at 03:00 has begun): the occurrence that started first keeps
//!   the GPU until it ends, and the later one takes over from then. So at most one occurrence is
//!   in force at any instant, and evaluation never depends on the order of `windows`.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
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

/// How far ahead `at`, `allowed_until` and `next_allowed` look for a change.
const HORIZON: SignedDuration = SignedDuration::from_hours(8 * 24);
const MINUTES_PER_DAY: u16 = 1440;
const SECONDS_PER_DAY: i64 = 86_400;

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
        let default_state = ScheduleState {
            modes: self.default_modes,
            window: None,
            window_name: None,
            since: None,
            next_change: None,
        };
        if self.windows.is_empty() {
            return default_state;
        }
        let horizon_end = later(now, HORIZON);
        let occurrences = self.occurrences_around(now, horizon_end, tz);
        let mut pieces = Pieces::new(&occurrences, now, horizon_end);
        let Some(first) = pieces.next() else {
            return default_state;
        };
        let modes = self.modes_of(first.window);
        let next_change = pieces
            .find(|p| self.modes_of(p.window) != modes)
            .map(|p| p.start);
        ScheduleState {
            modes,
            window: first.window,
            window_name: self.name_of(first.window),
            since: first.occurrence_start,
            next_change,
        }
    }

    /// The first instant ≥ `now` at which `mode` is no longer allowed, `None` if it stays allowed
    /// through the 8-day horizon. If it is not allowed at `now`, returns `Some(now)`.
    pub fn allowed_until(&self, mode: Mode, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        self.first_piece_where(now, tz, |modes| !modes.allows(mode))
    }

    /// The first instant ≥ `now` at which `mode` is allowed, `None` if never within 8 days.
    pub fn next_allowed(&self, mode: Mode, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        self.first_piece_where(now, tz, |modes| modes.allows(mode))
    }

    /// Consecutive segments covering [from, to), adjacent segments with equal modes and window merged.
    /// Empty when `to <= from`.
    pub fn timeline(&self, from: Timestamp, to: Timestamp, tz: &TimeZone) -> Vec<Segment> {
        if to <= from {
            return Vec::new();
        }
        let occurrences = if self.windows.is_empty() {
            Vec::new()
        } else {
            self.occurrences_around(from, to, tz)
        };
        let mut segments: Vec<Segment> = Vec::new();
        for piece in Pieces::new(&occurrences, from, to) {
            let modes = self.modes_of(piece.window);
            if let Some(last) = segments.last_mut()
                && last.modes == modes
                && last.window == piece.window
                && last.end == piece.start
            {
                last.end = piece.end;
                continue;
            }
            segments.push(Segment {
                start: piece.start,
                end: piece.end,
                modes,
                window: piece.window,
                window_name: self.name_of(piece.window),
            });
        }
        segments
    }

    fn first_piece_where(
        &self,
        now: Timestamp,
        tz: &TimeZone,
        wanted: impl Fn(ModeSet) -> bool,
    ) -> Option<Timestamp> {
        if self.windows.is_empty() {
            return wanted(self.default_modes).then_some(now);
        }
        let horizon_end = later(now, HORIZON);
        let occurrences = self.occurrences_around(now, horizon_end, tz);
        Pieces::new(&occurrences, now, horizon_end)
            .find(|p| wanted(self.modes_of(p.window)))
            .map(|p| p.start)
    }

    fn modes_of(&self, window: Option<usize>) -> ModeSet {
        window
            .and_then(|i| self.windows.get(i))
            .map_or(self.default_modes, |w| w.modes)
    }

    /// The window's name, or its hours ("23:30–09:00") when the user gave it none, so a reason
    /// never reads as if no window applied.
    fn name_of(&self, window: Option<usize>) -> Option<String> {
        let w = self.windows.get(window?)?;
        Some(w.name.clone().unwrap_or_else(|| {
            let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
            format!("{}–{}", hm(w.start_min), hm(w.end_min))
        }))
    }

    /// Every occurrence that can be in force during [from, to), sorted by start and made
    /// disjoint by the first-come rule.
    ///
    /// Days start two local days before `from`: an occurrence lasts at most a day (plus a DST
    /// shift), so one that started earlier cannot reach `from`, nor clip one that does.
    fn occurrences_around(&self, from: Timestamp, to: Timestamp, tz: &TimeZone) -> Vec<Occurrence> {
        let from_date = tz.to_datetime(from).date();
        let to_date = tz.to_datetime(to).date();
        let first_day = from_date
            .yesterday()
            .and_then(Date::yesterday)
            .unwrap_or(from_date);
        // One day past `to`'s date: a DST shift can make an occurrence that starts early on the
        // following civil day begin before `to`.
        let day_count = to_date
            .duration_since(first_day)
            .as_secs()
            .div_euclid(SECONDS_PER_DAY)
            .saturating_add(2)
            .max(1);
        let day_count = usize::try_from(day_count).unwrap_or(usize::MAX);

        let clock = CivilClock::new(tz, first_day, from, to);
        let mut occurrences =
            Vec::with_capacity(self.windows.len().saturating_mul(day_count.min(64)));
        let mut day = first_day;
        for day_index in 0..day_count {
            let weekday = usize::try_from(day.weekday().to_monday_zero_offset()).unwrap_or(0);
            for (window_index, window) in self.windows.iter().enumerate() {
                if !window.days.get(weekday).copied().unwrap_or(false) || !window.is_well_formed() {
                    continue;
                }
                let end_offset_min = if window.end_min > window.start_min {
                    window.end_min
                } else {
                    window.end_min + MINUTES_PER_DAY
                };
                let (Some(start), Some(end)) = (
                    clock.instant(day, day_index, window.start_min),
                    clock.instant(day, day_index, end_offset_min),
                ) else {
                    continue;
                };
                if start < end {
                    occurrences.push(Occurrence {
                        start,
                        end,
                        window: window_index,
                        wall_order: (day_index, window.start_min),
                    });
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }

        occurrences.sort_unstable_by_key(|o| (o.start, o.wall_order));
        let mut busy_until = Timestamp::MIN;
        occurrences.retain_mut(|o| {
            o.start = o.start.max(busy_until);
            if o.start < o.end {
                busy_until = o.end;
                true
            } else {
                false
            }
        });
        occurrences
    }
}

/// `t + d`, clamped to the representable range (the horizon must not fail near year 9999).
fn later(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

impl Window {
    /// Whether the minutes describe a non-empty window; unvalidated ones that don't are ignored.
    fn is_well_formed(&self) -> bool {
        self.start_min < MINUTES_PER_DAY
            && self.end_min <= MINUTES_PER_DAY
            && self.start_min != self.end_min
    }
}

/// One occurrence of a window as an instant interval.
#[derive(Debug, Clone, Copy)]
struct Occurrence {
    start: Timestamp,
    end: Timestamp,
    window: usize,
    /// Breaks ties between equal start instants (only possible inside a DST gap) by wall clock.
    wall_order: (usize, u16),
}

/// Civil day + minute → instant, with jiff's "compatible" disambiguation.
///
/// Most of the year no transition is near, and the conversion is plain arithmetic with one
/// offset; only ranges that hold a transition ask the time zone for each instant.
struct CivilClock<'a> {
    tz: &'a TimeZone,
    /// Instant of civil midnight of the first day, when the offset is the same over the range.
    fixed_first_midnight_s: Option<i64>,
}

impl<'a> CivilClock<'a> {
    fn new(tz: &'a TimeZone, first_day: Date, from: Timestamp, to: Timestamp) -> CivilClock<'a> {
        let margin = SignedDuration::from_hours(4 * 24);
        let range_start = later(from, -margin);
        let range_end = later(to, margin);
        let no_transition = tz
            .following(range_start)
            .next()
            .is_none_or(|t| t.timestamp() > range_end);
        let fixed_first_midnight_s = if no_transition {
            tz.to_offset(from)
                .to_timestamp(first_day.at(0, 0, 0, 0))
                .ok()
                .map(Timestamp::as_second)
        } else {
            None
        };
        CivilClock {
            tz,
            fixed_first_midnight_s,
        }
    }

    /// The instant of `minute` minutes (may exceed a day) after civil midnight of `day`, which is
    /// the `day_index`-th day after the first one.
    fn instant(&self, day: Date, day_index: usize, minute: u16) -> Option<Timestamp> {
        if let Some(first_midnight_s) = self.fixed_first_midnight_s {
            let day_index = i64::try_from(day_index).ok()?;
            let seconds = first_midnight_s
                .checked_add(day_index.checked_mul(SECONDS_PER_DAY)?)?
                .checked_add(i64::from(minute) * 60)?;
            return Timestamp::from_second(seconds).ok();
        }
        let mut day = day;
        let mut minute = minute;
        while minute >= MINUTES_PER_DAY {
            day = day.tomorrow().ok()?;
            minute -= MINUTES_PER_DAY;
        }
        let hour = i8::try_from(minute / 60).ok()?;
        let min = i8::try_from(minute % 60).ok()?;
        self.tz
            .to_ambiguous_timestamp(day.at(hour, min, 0, 0))
            .compatible()
            .ok()
    }
}

/// A stretch of [from, to) in which one occurrence, or the default, is in force.
#[derive(Debug, Clone, Copy)]
struct Piece {
    start: Timestamp,
    end: Timestamp,
    window: Option<usize>,
    /// The start of the occurrence this piece lies in (before clipping to `from`).
    occurrence_start: Option<Timestamp>,
}

/// Walks sorted, disjoint occurrences as consecutive pieces covering [from, to).
struct Pieces<'o> {
    occurrences: &'o [Occurrence],
    next: usize,
    position: Timestamp,
    end: Timestamp,
}

impl<'o> Pieces<'o> {
    fn new(occurrences: &'o [Occurrence], from: Timestamp, to: Timestamp) -> Pieces<'o> {
        let next = occurrences.partition_point(|o| o.end <= from);
        Pieces {
            occurrences,
            next,
            position: from,
            end: to,
        }
    }
}

impl Iterator for Pieces<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        if self.position >= self.end {
            return None;
        }
        let start = self.position;
        let piece = match self.occurrences.get(self.next) {
            Some(o) if o.start <= start => {
                self.next += 1;
                Piece {
                    start,
                    end: o.end.min(self.end),
                    window: Some(o.window),
                    occurrence_start: Some(o.start),
                }
            }
            Some(o) => Piece {
                start,
                end: o.start.min(self.end),
                window: None,
                occurrence_start: None,
            },
            None => Piece {
                start,
                end: self.end,
                window: None,
                occurrence_start: None,
            },
        };
        self.position = piece.end;
        Some(piece)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const MON: usize = 0;
    const FRI: usize = 4;
    const SAT: usize = 5;
    const SUN: usize = 6;
    const RENTAL: ModeSet = ModeSet {
        rental: true,
        volunteer: false,
    };
    const VOLUNTEER: ModeSet = ModeSet {
        rental: false,
        volunteer: true,
    };

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    /// An instant written with its UTC offset, so folds are unambiguous in the test text.
    fn t(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn hm(text: &str) -> u16 {
        let (h, m) = text.split_once(':').unwrap();
        h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap()
    }

    fn window(name: &str, days: &[usize], start: &str, end: &str, modes: ModeSet) -> Window {
        let mut on = [false; 7];
        for &d in days {
            on[d] = true;
        }
        Window {
            name: Some(name.to_owned()),
            days: on,
            start_min: hm(start),
            end_min: hm(end),
            modes,
        }
    }

    fn schedule(default_modes: ModeSet, windows: Vec<Window>) -> Schedule {
        Schedule {
            windows,
            default_modes,
        }
    }

    #[test]
    fn a_schedule_without_windows_never_changes() {
        let s = Schedule::always(VOLUNTEER);
        let state = s.at(t("2026-05-01T12:00Z"), &tz("Europe/Berlin"));
        assert_eq!(state.modes, VOLUNTEER);
        assert_eq!(state.window, None);
        assert_eq!(state.since, None);
        assert_eq!(state.next_change, None);
    }

    #[test]
    fn a_window_crossing_midnight_holds_until_its_end_the_next_morning() {
        let s = schedule(
            VOLUNTEER,
            vec![window("nights", &[FRI], "22:00", "06:00", RENTAL)],
        );
        let utc = TimeZone::UTC;
        // 2026-01-09 is a Friday.
        let before = s.at(t("2026-01-09T21:00Z"), &utc);
        assert_eq!(before.modes, VOLUNTEER);
        assert_eq!(before.next_change, Some(t("2026-01-09T22:00Z")));

        let inside = s.at(t("2026-01-10T02:00Z"), &utc);
        assert_eq!(inside.modes, RENTAL);
        assert_eq!(inside.window, Some(0));
        assert_eq!(inside.window_name.as_deref(), Some("nights"));
        assert_eq!(inside.since, Some(t("2026-01-09T22:00Z")));
        assert_eq!(inside.next_change, Some(t("2026-01-10T06:00Z")));

        // Saturday night is not listed: the window only starts on Fridays.
        let saturday_night = s.at(t("2026-01-10T23:00Z"), &utc);
        assert_eq!(saturday_night.modes, VOLUNTEER);
        assert_eq!(saturday_night.next_change, Some(t("2026-01-16T22:00Z")));
    }

    #[test]
    fn a_sunday_window_crossing_midnight_wraps_into_monday() {
        let s = schedule(
            VOLUNTEER,
            vec![window("late sunday", &[SUN], "23:00", "01:00", RENTAL)],
        );
        let utc = TimeZone::UTC;
        // 2026-01-05 is a Monday; the occurrence began on Sunday 2026-01-04.
        let state = s.at(t("2026-01-05T00:30Z"), &utc);
        assert_eq!(state.modes, RENTAL);
        assert_eq!(state.since, Some(t("2026-01-04T23:00Z")));
        assert_eq!(state.next_change, Some(t("2026-01-05T01:00Z")));
        assert_eq!(s.at(t("2026-01-05T01:00Z"), &utc).modes, VOLUNTEER);
    }

    #[test]
    fn an_end_of_24_00_is_midnight_and_equal_neighbours_are_not_a_change() {
        let s = schedule(
            VOLUNTEER,
            vec![
                window("evening", &[MON], "18:00", "24:00", RENTAL),
                window("small hours", &[1], "00:00", "02:00", RENTAL),
            ],
        );
        let utc = TimeZone::UTC;
        let evening = s.at(t("2026-01-05T23:59:59Z"), &utc);
        assert_eq!(evening.window, Some(0));
        assert_eq!(evening.next_change, Some(t("2026-01-06T02:00Z")));

        let small_hours = s.at(t("2026-01-06T00:00Z"), &utc);
        assert_eq!(small_hours.window, Some(1));
        assert_eq!(small_hours.since, Some(t("2026-01-06T00:00Z")));
        assert_eq!(small_hours.next_change, Some(t("2026-01-06T02:00Z")));
    }

    #[test]
    fn a_window_allowing_the_default_modes_is_not_a_change() {
        let s = schedule(
            ModeSet::ALL,
            vec![
                window("office", &[MON], "09:00", "17:00", ModeSet::ALL),
                window("quiet", &[MON], "17:00", "18:00", ModeSet::NONE),
            ],
        );
        let utc = TimeZone::UTC;
        let morning = s.at(t("2026-01-05T08:00Z"), &utc);
        assert_eq!(morning.window, None);
        assert_eq!(morning.next_change, Some(t("2026-01-05T17:00Z")));
        let office = s.at(t("2026-01-05T10:00Z"), &utc);
        assert_eq!(office.window, Some(0));
        assert_eq!(office.since, Some(t("2026-01-05T09:00Z")));
        assert_eq!(office.next_change, Some(t("2026-01-05T17:00Z")));
        let quiet = s.at(t("2026-01-05T17:30Z"), &utc);
        assert_eq!(quiet.modes, ModeSet::NONE);
        assert_eq!(quiet.next_change, Some(t("2026-01-05T18:00Z")));
    }

    #[test]
    fn modes_that_never_change_within_eight_days_have_no_next_change() {
        let every_day = [0, 1, 2, 3, 4, 5, 6];
        let s = schedule(
            RENTAL,
            vec![window("all", &every_day, "00:00", "24:00", ModeSet::ALL)],
        );
        let state = s.at(t("2026-01-05T10:00Z"), &TimeZone::UTC);
        assert_eq!(state.modes, ModeSet::ALL);
        assert_eq!(state.since, Some(t("2026-01-05T00:00Z")));
        assert_eq!(state.next_change, None);
        assert_eq!(
            s.allowed_until(Mode::Rental, t("2026-01-05T10:00Z"), &TimeZone::UTC),
            None
        );
    }

    #[test]
    fn a_change_just_past_the_horizon_is_not_reported() {
        let s = schedule(
            VOLUNTEER,
            vec![window("weekly", &[MON], "10:00", "11:00", RENTAL)],
        );
        let utc = TimeZone::UTC;
        // Monday 10:00 next week is 7 days away: reported.
        assert_eq!(
            s.at(t("2026-01-05T11:00Z"), &utc).next_change,
            Some(t("2026-01-12T10:00Z"))
        );
        // From inside the window, the end is reported; from just after it, the next start.
        assert_eq!(
            s.next_allowed(Mode::Rental, t("2026-01-05T11:00Z"), &utc),
            Some(t("2026-01-12T10:00Z"))
        );
        let never = schedule(VOLUNTEER, Vec::new());
        assert_eq!(
            never.next_allowed(Mode::Rental, t("2026-01-05T11:00Z"), &utc),
            None
        );
    }

    #[test]
    fn allowed_until_and_next_allowed_follow_the_windows() {
        let s = schedule(
            VOLUNTEER,
            vec![window("evening", &[MON], "18:00", "23:00", RENTAL)],
        );
        let utc = TimeZone::UTC;
        let noon = t("2026-01-05T12:00Z");
        assert_eq!(s.allowed_until(Mode::Rental, noon, &utc), Some(noon));
        assert_eq!(
            s.allowed_until(Mode::Volunteer, noon, &utc),
            Some(t("2026-01-05T18:00Z"))
        );
        assert_eq!(
            s.next_allowed(Mode::Rental, noon, &utc),
            Some(t("2026-01-05T18:00Z"))
        );
        assert_eq!(s.next_allowed(Mode::Volunteer, noon, &utc), Some(noon));
        assert_eq!(s.next_allowed(Mode::Idle, noon, &utc), Some(noon));
        assert_eq!(s.allowed_until(Mode::Idle, noon, &utc), None);
        let evening = t("2026-01-05T19:00Z");
        assert_eq!(
            s.allowed_until(Mode::Rental, evening, &utc),
            Some(t("2026-01-05T23:00Z"))
        );
        assert_eq!(
            s.next_allowed(Mode::Volunteer, evening, &utc),
            Some(t("2026-01-05T23:00Z"))
        );
    }

    #[test]
    fn spring_forward_shortens_a_window_spanning_the_gap() {
        // Europe/Berlin 2026-03-29 (a Sunday): 02:00 CET becomes 03:00 CEST.
        let s = schedule(
            VOLUNTEER,
            vec![window("night", &[SUN], "01:00", "05:00", RENTAL)],
        );
        let berlin = tz("Europe/Berlin");
        let state = s.at(t("2026-03-29T01:30+01:00"), &berlin);
        assert_eq!(state.since, Some(t("2026-03-29T01:00+01:00")));
        assert_eq!(state.next_change, Some(t("2026-03-29T05:00+02:00")));
        let segments = s.timeline(
            t("2026-03-29T00:00+01:00"),
            t("2026-03-29T12:00+02:00"),
            &berlin,
        );
        let night = segments.iter().find(|s| s.window == Some(0)).unwrap();
        assert_eq!(
            night.end.duration_since(night.start),
            SignedDuration::from_hours(3)
        );
    }

    #[test]
    fn a_window_starting_in_the_spring_gap_starts_as_late_as_the_gap_is_long() {
        let s = schedule(
            VOLUNTEER,
            vec![window("gap start", &[SUN], "02:30", "04:00", RENTAL)],
        );
        let berlin = tz("Europe/Berlin");
        // 02:30 does not exist; "compatible" reads it with the old offset: 03:30 CEST.
        assert_eq!(s.at(t("2026-03-29T03:15+02:00"), &berlin).modes, VOLUNTEER);
        let state = s.at(t("2026-03-29T03:30+02:00"), &berlin);
        assert_eq!(state.modes, RENTAL);
        assert_eq!(state.since, Some(t("2026-03-29T03:30+02:00")));
        assert_eq!(state.next_change, Some(t("2026-03-29T04:00+02:00")));
    }

    #[test]
    fn a_window_ending_in_the_spring_gap_keeps_the_gpu_until_a_later_window_takes_over() {
        let s = schedule(
            ModeSet::NONE,
            vec![
                window("before", &[SUN], "01:00", "02:30", RENTAL),
                window("after", &[SUN], "03:00", "05:00", VOLUNTEER),
            ],
        );
        let berlin = tz("Europe/Berlin");
        // "before" ends at 02:30 read as 03:30 CEST, after "after" began at 03:00 CEST: the
        // first-come occurrence keeps the GPU until it ends.
        let at_three = s.at(t("2026-03-29T03:15+02:00"), &berlin);
        assert_eq!(at_three.window, Some(0));
        assert_eq!(at_three.next_change, Some(t("2026-03-29T03:30+02:00")));
        let later = s.at(t("2026-03-29T03:30+02:00"), &berlin);
        assert_eq!(later.window, Some(1));
        assert_eq!(later.since, Some(t("2026-03-29T03:30+02:00")));
    }

    #[test]
    fn a_window_entirely_inside_the_spring_gap_still_lasts_its_length() {
        let s = schedule(
            VOLUNTEER,
            vec![window("ghost", &[SUN], "02:15", "02:45", RENTAL)],
        );
        let berlin = tz("Europe/Berlin");
        let state = s.at(t("2026-03-29T03:20+02:00"), &berlin);
        assert_eq!(state.modes, RENTAL);
        assert_eq!(state.since, Some(t("2026-03-29T03:15+02:00")));
        assert_eq!(state.next_change, Some(t("2026-03-29T03:45+02:00")));
    }

    #[test]
    fn fall_back_lengthens_a_window_spanning_the_fold() {
        // Europe/Berlin 2026-10-25 (a Sunday): 03:00 CEST becomes 02:00 CET.
        let s = schedule(
            VOLUNTEER,
            vec![window("night", &[SUN], "01:00", "05:00", RENTAL)],
        );
        let berlin = tz("Europe/Berlin");
        let state = s.at(t("2026-10-25T02:30+01:00"), &berlin);
        assert_eq!(state.modes, RENTAL);
        assert_eq!(state.since, Some(t("2026-10-25T01:00+02:00")));
        assert_eq!(state.next_change, Some(t("2026-10-25T05:00+01:00")));
        assert_eq!(
            t("2026-10-25T05:00+01:00").duration_since(t("2026-10-25T01:00+02:00")),
            SignedDuration::from_hours(5)
        );
    }

    #[test]
    fn a_window_ending_in_the_fold_does_not_reopen_in_the_repeated_hour() {
        let s = schedule(
            VOLUNTEER,
            vec![window(
                "until half past two",
                &[SUN],
                "00:00",
                "02:30",
                RENTAL,
            )],
        );
        let berlin = tz("Europe/Berlin");
        let first_pass = s.at(t("2026-10-25T02:15+02:00"), &berlin);
        assert_eq!(first_pass.modes, RENTAL);
        assert_eq!(first_pass.next_change, Some(t("2026-10-25T02:30+02:00")));
        let repeated = s.at(t("2026-10-25T02:15+01:00"), &berlin);
        assert_eq!(repeated.modes, VOLUNTEER);
        assert_eq!(repeated.next_change, Some(t("2026-11-01T00:00+01:00")));
    }

    #[test]
    fn a_window_starting_in_the_fold_starts_at_the_first_pass() {
        let s = schedule(
            VOLUNTEER,
            vec![window(
                "from half past two",
                &[SUN],
                "02:30",
                "04:00",
                RENTAL,
            )],
        );
        let berlin = tz("Europe/Berlin");
        assert_eq!(s.at(t("2026-10-25T02:15+02:00"), &berlin).modes, VOLUNTEER);
        let state = s.at(t("2026-10-25T02:15+01:00"), &berlin);
        assert_eq!(state.modes, RENTAL);
        assert_eq!(state.since, Some(t("2026-10-25T02:30+02:00")));
        assert_eq!(state.next_change, Some(t("2026-10-25T04:00+01:00")));
    }

    #[test]
    fn new_york_windows_follow_the_wall_clock_across_both_transitions() {
        let weekdays = [0, 1, 2, 3, 4];
        let s = schedule(
            VOLUNTEER,
            vec![
                window("work", &weekdays, "09:00", "17:00", ModeSet::NONE),
                window("saturday night", &[SAT], "22:00", "06:00", RENTAL),
            ],
        );
        let ny = tz("America/New_York");
        // Winter: EST is UTC-5; summer: EDT is UTC-4.
        assert_eq!(
            s.at(t("2026-03-06T14:00Z"), &ny).since,
            Some(t("2026-03-06T09:00-05:00"))
        );
        assert_eq!(
            s.at(t("2026-03-09T13:00Z"), &ny).since,
            Some(t("2026-03-09T09:00-04:00"))
        );
        // Saturday 2026-03-07 22:00 EST to Sunday 06:00 EDT lasts 7 hours.
        let night = s.at(t("2026-03-08T03:00Z"), &ny);
        assert_eq!(night.since, Some(t("2026-03-07T22:00-05:00")));
        assert_eq!(night.next_change, Some(t("2026-03-08T06:00-04:00")));
        // Saturday 2026-10-31 22:00 EDT to Sunday 06:00 EST lasts 9 hours.
        let night = s.at(t("2026-11-01T05:00Z"), &ny);
        assert_eq!(night.since, Some(t("2026-10-31T22:00-04:00")));
        assert_eq!(night.next_change, Some(t("2026-11-01T06:00-05:00")));
    }

    #[test]
    fn lord_howe_half_hour_shift_is_honoured() {
        // Australia/Lord_Howe: +10:30 standard, +11:00 summer. On 2026-10-04 (a Sunday) 02:00
        // becomes 02:30; on 2026-04-05 02:00 goes back to 01:30.
        let s = schedule(
            VOLUNTEER,
            vec![window("early", &[SUN], "01:00", "03:00", RENTAL)],
        );
        let lh = tz("Australia/Lord_Howe");
        let spring = s.at(t("2026-10-04T01:30+10:30"), &lh);
        assert_eq!(spring.since, Some(t("2026-10-04T01:00+10:30")));
        assert_eq!(spring.next_change, Some(t("2026-10-04T03:00+11:00")));
        let autumn = s.at(t("2026-04-05T01:45+10:30"), &lh);
        assert_eq!(autumn.modes, RENTAL);
        assert_eq!(autumn.since, Some(t("2026-04-05T01:00+11:00")));
        assert_eq!(autumn.next_change, Some(t("2026-04-05T03:00+10:30")));
        // A start inside the half-hour gap moves half an hour later.
        let gap = schedule(
            VOLUNTEER,
            vec![window("gap", &[SUN], "02:10", "04:00", RENTAL)],
        );
        assert_eq!(
            gap.at(t("2026-10-04T02:50+11:00"), &lh).since,
            Some(t("2026-10-04T02:40+11:00"))
        );
    }

    #[test]
    fn timeline_covers_the_range_and_merges_repeats_of_one_window() {
        let every_day = [0, 1, 2, 3, 4, 5, 6];
        let s = schedule(
            VOLUNTEER,
            vec![window("all day", &every_day, "00:00", "24:00", RENTAL)],
        );
        let utc = TimeZone::UTC;
        let from = t("2026-01-05T10:00Z");
        let to = t("2026-01-08T10:00Z");
        let segments = s.timeline(from, to, &utc);
        assert_eq!(segments.len(), 1);
        assert_eq!((segments[0].start, segments[0].end), (from, to));
        assert_eq!(segments[0].window_name.as_deref(), Some("all day"));
        assert!(s.timeline(to, from, &utc).is_empty());
    }

    #[test]
    fn timeline_alternates_between_windows_and_the_default() {
        let s = schedule(
            VOLUNTEER,
            vec![window("evening", &[MON, 1], "18:00", "23:00", RENTAL)],
        );
        let segments = s.timeline(
            t("2026-01-05T12:00Z"),
            t("2026-01-06T20:00Z"),
            &TimeZone::UTC,
        );
        let summary: Vec<_> = segments
            .iter()
            .map(|s| (s.start, s.end, s.modes, s.window))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    t("2026-01-05T12:00Z"),
                    t("2026-01-05T18:00Z"),
                    VOLUNTEER,
                    None
                ),
                (
                    t("2026-01-05T18:00Z"),
                    t("2026-01-05T23:00Z"),
                    RENTAL,
                    Some(0)
                ),
                (
                    t("2026-01-05T23:00Z"),
                    t("2026-01-06T18:00Z"),
                    VOLUNTEER,
                    None
                ),
                (
                    t("2026-01-06T18:00Z"),
                    t("2026-01-06T20:00Z"),
                    RENTAL,
                    Some(0)
                ),
            ]
        );
    }

    #[test]
    fn malformed_windows_are_ignored_instead_of_panicking() {
        let mut empty = window("empty", &[MON], "10:00", "10:00", RENTAL);
        let mut late = window("late", &[MON], "10:00", "11:00", RENTAL);
        late.start_min = 2000;
        empty.end_min = empty.start_min;
        let s = schedule(VOLUNTEER, vec![empty, late]);
        let state = s.at(t("2026-01-05T10:30Z"), &TimeZone::UTC);
        assert_eq!(state.modes, VOLUNTEER);
        assert_eq!(state.next_change, None);
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let s = schedule(
            VOLUNTEER,
            vec![window("evening", &[MON], "18:00", "23:00", RENTAL)],
        );
        let berlin = tz("Europe/Berlin");
        for now in [Timestamp::MIN, Timestamp::MAX] {
            let _ = s.at(now, &berlin);
            let _ = s.timeline(now, later(now, SignedDuration::from_hours(48)), &berlin);
            let _ = s.timeline(later(now, SignedDuration::from_hours(-48)), now, &berlin);
            let _ = s.next_allowed(Mode::Rental, now, &berlin);
        }
    }
}
