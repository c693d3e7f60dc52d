//! Times and durations as people type and read them on the command line: `--for 1h30m`,
//! `--until 23:00`, "until Tue 24 Nov 23:00 (in 2 h 14 min)".
//!
//! Parsing is pure: the current instant and the time zone are arguments, so the DST edge cases
//! are tested with fixed clocks instead of whatever day the tests run on.

use std::time::Duration;

use jiff::civil::{DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use overtime_agent::api::wire::MAX_OVERRIDE_S;

/// Parses `90s`, `45m`, `2h`, `1h30m`, `1d` (parts may be separated by spaces). The result is
/// between 1 second and 30 days, the range the agent accepts for an override.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let hint = "use a number with a unit, like 90s, 45m, 2h, 1h30m or 1d";
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if compact.is_empty() {
        return Err(format!("no duration given: {hint}"));
    }
    let mut total_s: u64 = 0;
    let mut seen_units = String::new();
    let mut digits = String::new();
    for c in compact.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit_s: u64 = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(format!("'{text}' is not a duration: {hint}")),
        };
        if digits.is_empty() {
            return Err(format!("'{text}' has a unit without a number: {hint}"));
        }
        if seen_units.contains(c) {
            return Err(format!("'{text}' gives the unit '{c}' twice: {hint}"));
        }
        seen_units.push(c);
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("'{text}' is too long a duration: at most 30 days"))?;
        digits.clear();
        total_s = n
            .checked_mul(unit_s)
            .and_then(|s| total_s.checked_add(s))
            .ok_or_else(|| format!("'{text}' is too long a duration: at most 30 days"))?;
    }
    if !digits.is_empty() {
        return Err(format!("'{text}' ends without a unit: {hint}"));
    }
    if total_s == 0 {
        return Err(format!("'{text}' is no time at all: give at least 1s"));
    }
    if total_s > MAX_OVERRIDE_S {
        return Err(format!("'{text}' is too long: at most 30 days (30d)"));
    }
    Ok(Duration::from_secs(total_s))
}

/// What `--until` can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UntilArg {
    /// `23:00`: the next time the local clock shows this.
    Clock(Time),
    /// `2026-12-01T08:00` or `2026-12-01 08:00`: a local date and time.
    Local(DateTime),
    /// `2026-12-01T08:00:00+01:00` or `…Z`: an exact instant.
    Instant(Timestamp),
}

/// Parses a `--until` value; see [`UntilArg`] for the accepted forms.
pub fn parse_until(text: &str) -> Result<UntilArg, String> {
    let text = text.trim();
    let hint = "use a local time like 23:00, a local date and time like 2026-12-01T08:00, or an \
                RFC 3339 time like 2026-12-01T08:00:00+01:00";
    if let Some(time) = parse_clock(text) {
        return Ok(UntilArg::Clock(time));
    }
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(UntilArg::Instant(at));
    }
    if let Ok(dt) = text.replacen(' ', "T", 1).parse::<DateTime>() {
        // A bare date parses as midnight; say so rather than guess which end of the day.
        if !text.contains(':') {
            return Err(format!(
                "'{text}' has no time of day: add one, like {text}T08:00"
            ));
        }
        return Ok(UntilArg::Local(dt));
    }
    Err(format!("'{text}' is not a time: {hint}"))
}

/// `H:MM`, `HH:MM` or `HH:MM:SS` on a 24-hour clock.
fn parse_clock(text: &str) -> Option<Time> {
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
        || parts[1..].iter().any(|p| p.len() != 2)
    {
        return None;
    }
    let num = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<i8>().ok());
    Time::new(num(0)?, num(1)?, num(2)?, 0).ok()
}

impl UntilArg {
    /// The instant this means at `now` in `tz`. A clock time is the next one that is still ahead:
    /// today if it has not passed yet, else tomorrow. Local times are read the way clocks in
    /// `tz` show them: a time skipped by a DST change moves forward past the gap, and a time that
    /// occurs twice picks the first occurrence still ahead. Fails if the time is not ahead.
    pub fn resolve(&self, now: Timestamp, tz: &TimeZone) -> Result<Timestamp, String> {
        match *self {
            UntilArg::Clock(time) => {
                let today = now.to_zoned_datetime(tz.clone()).date();
                for day in [Some(today), today.tomorrow().ok()].into_iter().flatten() {
                    let at = first_ahead(tz, day.to_datetime(time), now)?;
                    if let Some(at) = at {
                        return Ok(at);
                    }
                }
                Err(format!("could not find the next {time} after {now}"))
            }
            UntilArg::Local(dt) => first_ahead(tz, dt, now)?
                .ok_or_else(|| format!("{dt} has already passed; give a time that is still ahead")),
            UntilArg::Instant(at) if at > now => Ok(at),
            UntilArg::Instant(at) => Err(format!(
                "{at} has already passed; give a time that is still ahead"
            )),
        }
    }
}

/// The first instant after `now` that the local `dt` in `tz` stands for, if any.
fn first_ahead(tz: &TimeZone, dt: DateTime, now: Timestamp) -> Result<Option<Timestamp>, String> {
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    let candidates = match ambiguous.offset() {
        // Clocks show this time twice (DST ends): either occurrence may be the next one.
        AmbiguousOffset::Fold { .. } => vec![ambiguous.earlier(), ambiguous.later()],
        _ => vec![ambiguous.compatible()],
    };
    for candidate in candidates {
        let at = candidate.map_err(|e| format!("{dt} cannot be placed in time: {e}"))?;
        if at > now {
            return Ok(Some(at));
        }
    }
    Ok(None)
}

/// `Tue 24 Nov 23:00 (in 2 h 14 min)`: when `until` is in `tz` and how far it is from `now`.
pub fn describe_until(until: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let local = until.to_zoned_datetime(tz.clone());
    let left = until.duration_since(now);
    if left.is_negative() {
        format!("{} (passed)", local.strftime("%a %d %b %H:%M"))
    } else {
        format!(
            "{} (in {})",
            local.strftime("%a %d %b %H:%M"),
            describe_duration(left)
        )
    }
}

/// A duration the way people say it, to the precision that matters: `45 s`, `14 min`,
/// `2 h 14 min`, `3 d 2 h`. Negative durations are shown as their size.
pub fn describe_duration(duration: SignedDuration) -> String {
    let total_s = duration.as_secs().unsigned_abs();
    let (d, h, m, s) = (
        total_s / 86_400,
        total_s % 86_400 / 3_600,
        total_s % 3_600 / 60,
        total_s % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use jiff::civil::Date;

    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn durations_in_the_usual_shorthand() {
        let cases = [
            ("90s", 90),
            ("45m", 2_700),
            ("2h", 7_200),
            ("1h30m", 5_400),
            ("1h 30m", 5_400),
            ("1d", 86_400),
            ("1d2h3m4s", 93_784),
            ("2H", 7_200),
            ("30d", 2_592_000),
        ];
        for (text, secs) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(secs)),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_or_out_of_range_durations_say_what_to_write() {
        let cases = [
            ("", "no duration"),
            ("90", "without a unit"),
            ("h", "without a number"),
            ("2w", "not a duration"),
            ("1h1h", "twice"),
            ("0s", "at least 1s"),
            ("31d", "at most 30 days"),
            ("99999999999999999999999h", "at most 30 days"),
            ("1.5h", "not a duration"),
        ];
        for (text, needle) in cases {
            let err = parse_duration(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn until_forms_are_recognised() {
        assert_eq!(
            parse_until("23:00"),
            Ok(UntilArg::Clock(Time::new(23, 0, 0, 0).unwrap()))
        );
        assert_eq!(
            parse_until("7:05"),
            Ok(UntilArg::Clock(Time::new(7, 5, 0, 0).unwrap()))
        );
        assert_eq!(
            parse_until("2026-12-01T08:00"),
            Ok(UntilArg::Local("2026-12-01T08:00".parse().unwrap()))
        );
        assert_eq!(
            parse_until("2026-12-01 08:00"),
            Ok(UntilArg::Local("2026-12-01T08:00".parse().unwrap()))
        );
        assert_eq!(
            parse_until("2026-12-01T08:00:00+01:00"),
            Ok(UntilArg::Instant(ts("2026-12-01T07:00:00Z")))
        );
        for bad in [
            "24:00",
            "23:60",
            "23",
            "23:0",
            "tonight",
            "2026-12-01",
            "123:00",
        ] {
            assert!(parse_until(bad).is_err(), "{bad}");
        }
        assert!(
            parse_until("2026-12-01")
                .unwrap_err()
                .contains("no time of day")
        );
    }

    #[test]
    fn a_clock_time_still_ahead_today_means_today() {
        // 20:45 in Berlin (UTC+1 in November).
        let now = ts("2026-11-24T19:45:00Z");
        let at = UntilArg::Clock(Time::new(23, 0, 0, 0).unwrap())
            .resolve(now, &berlin())
            .unwrap();
        assert_eq!(at, ts("2026-11-24T22:00:00Z"));
    }

    #[test]
    fn a_clock_time_already_passed_means_tomorrow() {
        let now = ts("2026-11-24T19:45:00Z");
        for clock in [
            Time::new(8, 0, 0, 0).unwrap(),
            Time::new(20, 45, 0, 0).unwrap(),
        ] {
            let at = UntilArg::Clock(clock).resolve(now, &berlin()).unwrap();
            let local = at.to_zoned_datetime(berlin());
            assert_eq!(local.date(), "2026-11-25".parse::<Date>().unwrap());
            assert_eq!(local.time(), clock);
        }
    }

    #[test]
    fn a_clock_time_tomorrow_across_spring_forward_keeps_the_wall_clock() {
        // Saturday 28 March 2026, 22:00 CET; Sunday the clocks jump 02:00 → 03:00.
        let now = ts("2026-03-28T21:00:00Z");
        let at = UntilArg::Clock(Time::new(8, 0, 0, 0).unwrap())
            .resolve(now, &berlin())
            .unwrap();
        // 08:00 CEST is 06:00 UTC: ten hours of clock, nine real hours.
        assert_eq!(at, ts("2026-03-29T06:00:00Z"));
    }

    #[test]
    fn a_clock_time_skipped_by_spring_forward_moves_past_the_gap() {
        let now = ts("2026-03-28T21:00:00Z");
        let at = UntilArg::Clock(Time::new(2, 30, 0, 0).unwrap())
            .resolve(now, &berlin())
            .unwrap();
        assert_eq!(
            at.to_zoned_datetime(berlin()).time(),
            Time::new(3, 30, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_clock_time_shown_twice_at_fall_back_picks_the_next_occurrence() {
        // Sunday 25 October 2026: clocks go 03:00 CEST → 02:00 CET, so 02:30 happens twice.
        let tz = berlin();
        let before_both = ts("2026-10-24T22:00:00Z"); // 00:00 CEST
        let first = UntilArg::Clock(Time::new(2, 30, 0, 0).unwrap())
            .resolve(before_both, &tz)
            .unwrap();
        assert_eq!(first, ts("2026-10-25T00:30:00Z")); // 02:30 CEST
        let between = ts("2026-10-25T00:45:00Z"); // 02:45 CEST, first 02:30 has passed
        let second = UntilArg::Clock(Time::new(2, 30, 0, 0).unwrap())
            .resolve(between, &tz)
            .unwrap();
        assert_eq!(second, ts("2026-10-25T01:30:00Z")); // 02:30 CET
    }

    #[test]
    fn local_date_times_and_instants_must_be_ahead() {
        let now = ts("2026-11-24T19:45:00Z");
        let local = UntilArg::Local("2026-12-01T08:00".parse().unwrap());
        assert_eq!(
            local.resolve(now, &berlin()).unwrap(),
            ts("2026-12-01T07:00:00Z")
        );
        let past = UntilArg::Local("2026-11-24T08:00".parse().unwrap());
        assert!(past.resolve(now, &berlin()).unwrap_err().contains("passed"));
        let instant = UntilArg::Instant(ts("2026-11-24T19:00:00Z"));
        assert!(instant.resolve(now, &berlin()).is_err());
    }

    #[test]
    fn durations_read_the_way_people_say_them() {
        let cases = [
            (0, "0 s"),
            (45, "45 s"),
            (60, "1 min"),
            (14 * 60 + 59, "14 min"),
            (2 * 3600, "2 h"),
            (2 * 3600 + 14 * 60, "2 h 14 min"),
            (86_400, "1 d"),
            (3 * 86_400 + 2 * 3600 + 59 * 60, "3 d 2 h"),
            (-90, "1 min"),
        ];
        for (secs, text) in cases {
            assert_eq!(describe_duration(SignedDuration::from_secs(secs)), text);
        }
    }

    #[test]
    fn until_is_described_with_weekday_local_time_and_time_left() {
        let now = ts("2026-11-24T19:46:00Z");
        assert_eq!(
            describe_until(ts("2026-11-24T22:00:00Z"), now, &berlin()),
            "Tue 24 Nov 23:00 (in 2 h 14 min)"
        );
    }
}
