//! The small languages inside `[[schedule.window]]`: day lists (`mon-fri`, `weekends`) and
//! `HH:MM` times. Kept apart so validation and compilation read them the same way.

use std::fmt::Write as _;

use super::problem::Problem;

/// Day names, Monday first, as a week index (0 = Monday) is printed in messages.
pub(crate) const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The short name a config file is written with for weekday `day` (0 = Monday → `mon`): the
/// first three letters of its [`DAY_NAMES`] entry, lower case, which [`parse_day_entry`] reads.
pub(crate) fn day_key(day: usize) -> String {
    DAY_NAMES[day % 7][..3].to_ascii_lowercase()
}

/// Reads one `days` entry into the days it selects (index 0 = Monday).
///
/// Accepts `mon`…`sun`, `monday`…`sunday` (any case), ranges `a-b` that wrap past Sunday
/// (`fri-mon` is Friday to Monday), and `daily`, `weekdays`, `weekends`. The error says what
/// is wrong and what to write instead.
pub(crate) fn parse_day_entry(entry: &str) -> Result<[bool; 7], Problem> {
    let text = entry.trim().to_ascii_lowercase();
    let mut days = [false; 7];
    match text.as_str() {
        "daily" => return Ok([true; 7]),
        "weekdays" => {
            days[..5].fill(true);
            return Ok(days);
        }
        "weekends" => {
            days[5..].fill(true);
            return Ok(days);
        }
        _ => {}
    }
    if let Some((from, to)) = text.split_once('-') {
        let (Some(from), Some(to)) = (day_index(from.trim()), day_index(to.trim())) else {
            return Err(Problem::new("config-days-notARange").text("entry", entry));
        };
        let mut day = from;
        loop {
            days[day] = true;
            if day == to {
                break;
            }
            day = (day + 1) % 7;
        }
        return Ok(days);
    }
    match day_index(&text) {
        Some(day) => {
            days[day] = true;
            Ok(days)
        }
        None if text.is_empty() => Err(Problem::new("config-days-empty")),
        None => Err(Problem::new("config-days-notADay").text("entry", entry)),
    }
}

fn day_index(name: &str) -> Option<usize> {
    DAY_NAMES
        .iter()
        .position(|full| full.eq_ignore_ascii_case(name) || full[..3].eq_ignore_ascii_case(name))
}

/// Reads `HH:MM` (one-digit hours allowed) into minutes after midnight.
///
/// `24:00` is accepted only when `allow_end_of_day` (a window's `end`), and yields 1440.
pub(crate) fn parse_time_of_day(text: &str, allow_end_of_day: bool) -> Result<u16, Problem> {
    let id = if allow_end_of_day {
        "config-time-notAnEnd"
    } else {
        "config-time-notAStart"
    };
    let not_a_time = || Problem::new(id).text("text", text);
    let (hours, minutes) = text.trim().split_once(':').ok_or_else(not_a_time)?;
    let digits = |s: &str, max_len: usize| {
        !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, 2) || minutes.len() != 2 || !digits(minutes, 2) {
        return Err(not_a_time());
    }
    let hours: u16 = hours.parse().map_err(|_| not_a_time())?;
    let minutes: u16 = minutes.parse().map_err(|_| not_a_time())?;
    match (hours, minutes) {
        (24, 0) if allow_end_of_day => Ok(1440),
        (24, 0) => Err(Problem::new("config-time-midnightStart").text("text", text)),
        (0..=23, 0..=59) => Ok(hours * 60 + minutes),
        _ => Err(not_a_time()),
    }
}

/// `HH:MM` for a minute of the day (1440 prints as `24:00`).
pub(crate) fn format_minute_of_day(minute: u16) -> String {
    let mut text = String::with_capacity(5);
    let _ = write!(text, "{:02}:{:02}", minute / 60, minute % 60);
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn days(list: &[usize]) -> [bool; 7] {
        let mut d = [false; 7];
        for &i in list {
            d[i] = true;
        }
        d
    }

    #[test]
    fn day_entries_name_days_ranges_and_groups() {
        let cases: &[(&str, &[usize])] = &[
            ("mon", &[0]),
            ("Sunday", &[6]),
            ("  TUE ", &[1]),
            ("mon-fri", &[0, 1, 2, 3, 4]),
            ("fri-mon", &[4, 5, 6, 0]),
            ("Saturday - sun", &[5, 6]),
            ("wed-wed", &[2]),
            ("daily", &[0, 1, 2, 3, 4, 5, 6]),
            ("weekdays", &[0, 1, 2, 3, 4]),
            ("Weekends", &[5, 6]),
        ];
        for (entry, expected) in cases {
            assert_eq!(parse_day_entry(entry).unwrap(), days(expected), "{entry}");
        }
    }

    #[test]
    fn each_days_short_name_reads_back_as_that_day() {
        let keys: Vec<String> = (0..7).map(day_key).collect();
        assert_eq!(keys, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
        for (day, key) in keys.iter().enumerate() {
            assert_eq!(parse_day_entry(key).unwrap(), days(&[day]), "{key}");
        }
    }

    #[test]
    fn unknown_day_entries_say_what_to_write() {
        for entry in ["funday", "mo", "mon-", "mon-xyz", "", "mon,tue"] {
            let err = parse_day_entry(entry).unwrap_err().english();
            assert!(err.contains("mon-fri"), "{entry}: {err}");
        }
    }

    #[test]
    fn times_are_hh_mm_and_24_00_only_ends_a_window() {
        assert_eq!(parse_time_of_day("00:00", false), Ok(0));
        assert_eq!(parse_time_of_day("7:05", false), Ok(425));
        assert_eq!(parse_time_of_day("23:59", false), Ok(1439));
        assert_eq!(parse_time_of_day("24:00", true), Ok(1440));
        assert!(
            parse_time_of_day("24:00", false)
                .unwrap_err()
                .english()
                .contains("00:00")
        );
        for bad in [
            "25:00", "12:60", "1200", "12:5", "-1:00", "ab:cd", "", "24:01", "123:00",
        ] {
            let err = parse_time_of_day(bad, true).unwrap_err().english();
            assert!(err.contains("is not a time; use HH:MM"), "{bad}: {err}");
        }
    }

    #[test]
    fn minutes_print_as_hh_mm() {
        assert_eq!(format_minute_of_day(0), "00:00");
        assert_eq!(format_minute_of_day(1439), "23:59");
        assert_eq!(format_minute_of_day(1440), "24:00");
    }
}
