//! Property tests for the weekly schedule: random valid schedules, random instants (many near DST
//! transitions in zones with whole- and half-hour shifts), checked against each other and against
//! the plain wall-clock rule wherever no transition is near.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_core::Mode;
use overtime_core::schedule::{ModeSet, Schedule, Window};
use proptest::prelude::*;

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Pacific/Chatham",
    "America/Santiago",
    "Asia/Kolkata",
    "UTC",
];
const WEEK_MIN: usize = 7 * 1440;
const HORIZON: SignedDuration = SignedDuration::from_hours(8 * 24);

#[derive(Debug, Clone)]
struct WindowSpec {
    days: [bool; 7],
    start_min: u16,
    end_min: u16,
    modes: ModeSet,
}

fn mode_set() -> impl Strategy<Value = ModeSet> {
    (any::<bool>(), any::<bool>()).prop_map(|(rental, volunteer)| ModeSet { rental, volunteer })
}

/// Minutes on a coarse grid most of the time, so windows touch each other and land on the
/// transition hours, with some arbitrary minutes mixed in.
fn minute_of_day() -> impl Strategy<Value = u16> {
    prop_oneof![
        (0u16..48).prop_map(|h| h * 30),
        (0u16..96).prop_map(|q| q * 15),
        0u16..1440,
    ]
}

fn window_spec() -> impl Strategy<Value = WindowSpec> {
    (
        prop::array::uniform7(prop::bool::weighted(0.4)),
        minute_of_day(),
        prop_oneof![minute_of_day(), Just(1440u16)],
        mode_set(),
    )
        .prop_filter(
            "a window needs a day and a length",
            |(days, start, end, _)| days.iter().any(|d| *d) && start != end,
        )
        .prop_map(|(days, start_min, end_min, modes)| WindowSpec {
            days,
            start_min,
            end_min,
            modes,
        })
}

/// The week minutes a window occupies, as the validator sees them.
fn occupied_minutes(w: &WindowSpec) -> impl Iterator<Item = usize> + '_ {
    let start = usize::from(w.start_min);
    let end = if w.end_min > w.start_min {
        usize::from(w.end_min)
    } else {
        usize::from(w.end_min) + 1440
    };
    (0..7)
        .filter(|d| w.days[*d])
        .flat_map(move |d| (d * 1440 + start..d * 1440 + end).map(|m| m % WEEK_MIN))
}

/// Keeps the windows that do not overlap those kept before them: a valid schedule.
fn valid_schedule(specs: Vec<WindowSpec>, default_modes: ModeSet) -> Schedule {
    let mut taken = vec![false; WEEK_MIN];
    let mut windows = Vec::new();
    for spec in specs {
        if occupied_minutes(&spec).any(|m| taken[m]) {
            continue;
        }
        for m in occupied_minutes(&spec) {
            taken[m] = true;
        }
        windows.push(Window {
            name: Some(format!("w{}", windows.len())),
            days: spec.days,
            start_min: spec.start_min,
            end_min: spec.end_min,
            modes: spec.modes,
        });
    }
    Schedule {
        windows,
        default_modes,
    }
}

fn schedule() -> impl Strategy<Value = Schedule> {
    (prop::collection::vec(window_spec(), 0..8), mode_set())
        .prop_map(|(specs, default_modes)| valid_schedule(specs, default_modes))
}

/// A zone and an instant in 2000–2035; half of them within ±4 h of one of the zone's transitions.
fn zone_and_instant() -> impl Strategy<Value = (TimeZone, Timestamp)> {
    (
        0..ZONES.len(),
        946_684_800i64..2_051_222_400i64,
        any::<bool>(),
        -4 * 3600i64..4 * 3600i64,
    )
        .prop_map(|(zone, base_s, near_transition, offset_s)| {
            let tz = TimeZone::get(ZONES[zone]).unwrap();
            let base = Timestamp::from_second(base_s).unwrap();
            let now = if near_transition {
                match tz.following(base).next() {
                    Some(tr) => tr.timestamp() + SignedDuration::from_secs(offset_s),
                    None => base,
                }
            } else {
                base
            };
            (tz, now)
        })
}

fn secs(s: i64) -> SignedDuration {
    SignedDuration::from_secs(s)
}

/// Whether `now` is more than 3 h away from every transition of `tz`.
fn far_from_transitions(tz: &TimeZone, now: Timestamp) -> bool {
    let near = SignedDuration::from_hours(3);
    let before = tz.preceding(now + secs(1)).next().map(|t| t.timestamp());
    let after = tz.following(now).next().map(|t| t.timestamp());
    before.is_none_or(|t| now.duration_since(t) > near)
        && after.is_none_or(|t| t.duration_since(now) > near)
}

/// The window the wall-clock rule says is in force: no time zone arithmetic beyond reading the
/// local weekday and minute.
fn wall_clock_window(s: &Schedule, tz: &TimeZone, now: Timestamp) -> Option<usize> {
    let local = tz.to_datetime(now);
    let weekday = usize::try_from(local.date().weekday().to_monday_zero_offset()).unwrap();
    let minute = u16::try_from(local.hour()).unwrap() * 60 + u16::try_from(local.minute()).unwrap();
    let yesterday = (weekday + 6) % 7;
    s.windows.iter().position(|w| {
        if w.end_min > w.start_min {
            w.days[weekday] && minute >= w.start_min && minute < w.end_min
        } else {
            (w.days[weekday] && minute >= w.start_min) || (w.days[yesterday] && minute < w.end_min)
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn modes_hold_until_next_change_and_differ_there(
        s in schedule(),
        (tz, now) in zone_and_instant(),
        fractions in prop::collection::vec(0.0f64..1.0, 12),
    ) {
        let state = s.at(now, &tz);
        let until = match state.next_change {
            Some(change) => {
                prop_assert!(change > now);
                prop_assert!(change <= now + HORIZON);
                prop_assert_ne!(s.at(change, &tz).modes, state.modes);
                change
            }
            None => now + HORIZON,
        };
        let span_s = until.duration_since(now).as_secs();
        let mut probes: Vec<Timestamp> = fractions
            .iter()
            .map(|f| now + secs((span_s as f64 * f) as i64))
            .collect();
        probes.push(until - secs(1));
        for probe in probes.into_iter().filter(|p| *p >= now && *p < until) {
            prop_assert_eq!(s.at(probe, &tz).modes, state.modes, "at {}", probe);
        }
        if let Some(since) = state.since {
            prop_assert!(since <= now);
            prop_assert_eq!(s.at(since, &tz).window, state.window);
        }
        prop_assert_eq!(state.window.is_some(), state.since.is_some());
        prop_assert_eq!(
            state.window_name.clone(),
            state.window.and_then(|i| s.windows[i].name.clone())
        );
    }

    #[test]
    fn allowed_until_and_next_allowed_agree_with_at(
        s in schedule(),
        (tz, now) in zone_and_instant(),
    ) {
        let state = s.at(now, &tz);
        for mode in [Mode::Rental, Mode::Volunteer] {
            let until = s.allowed_until(mode, now, &tz);
            let next = s.next_allowed(mode, now, &tz);
            if state.modes.allows(mode) {
                prop_assert_eq!(next, Some(now));
                match (until, state.next_change) {
                    (Some(u), Some(change)) => {
                        prop_assert!(u >= change);
                        prop_assert!(!s.at(u, &tz).modes.allows(mode));
                        prop_assert!(s.at(u - secs(1), &tz).modes.allows(mode));
                        if !s.at(change, &tz).modes.allows(mode) {
                            prop_assert_eq!(u, change);
                        }
                    }
                    (Some(_), None) => prop_assert!(false, "a change without next_change"),
                    (None, _) => {}
                }
            } else {
                prop_assert_eq!(until, Some(now));
                if let Some(n) = next {
                    prop_assert!(n >= state.next_change.unwrap());
                    prop_assert!(s.at(n, &tz).modes.allows(mode));
                    prop_assert!(!s.at(n - secs(1), &tz).modes.allows(mode));
                }
            }
        }
    }

    #[test]
    fn timeline_is_contiguous_and_agrees_with_at(
        s in schedule(),
        (tz, from) in zone_and_instant(),
        length_s in 1i64..(10 * 86_400),
    ) {
        let to = from + secs(length_s);
        let segments = s.timeline(from, to, &tz);
        prop_assert!(!segments.is_empty());
        prop_assert_eq!(segments[0].start, from);
        prop_assert_eq!(segments[segments.len() - 1].end, to);
        for pair in segments.windows(2) {
            prop_assert_eq!(pair[0].end, pair[1].start);
            prop_assert!(
                pair[0].modes != pair[1].modes || pair[0].window != pair[1].window,
                "adjacent equal segments must be merged"
            );
        }
        for segment in &segments {
            prop_assert!(segment.start < segment.end);
            let state = s.at(segment.start, &tz);
            prop_assert_eq!(state.modes, segment.modes);
            prop_assert_eq!(state.window, segment.window);
            prop_assert_eq!(&state.window_name, &segment.window_name);
        }
    }

    #[test]
    fn away_from_transitions_membership_is_the_wall_clock_rule(
        s in schedule(),
        (tz, now) in zone_and_instant(),
    ) {
        prop_assume!(far_from_transitions(&tz, now));
        let state = s.at(now, &tz);
        prop_assert_eq!(state.window, wall_clock_window(&s, &tz, now));
        let expected_modes = state.window.map_or(s.default_modes, |i| s.windows[i].modes);
        prop_assert_eq!(state.modes, expected_modes);
    }
}
