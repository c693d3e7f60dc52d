//! The stretches of time earnings are shown for — "today", "7 days", "30 days", "this month" —
//! defined once, so the dashboard, History, `overtime earnings` and the API give the same
//! number for the same name.
//!
//! Every named period is made of whole **local calendar days** in the agent's time zone and
//! ends with today: "7 days" is today and the six days before it, from local midnight six days
//! ago to the coming midnight (23 or 25 hours per day across DST changes). A rolling window
//! (`now − 168 h`) would start mid-day and disagree with a chart of days; a calendar period
//! does not. Time comes in as an argument: nothing here reads a clock.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A stretch of time to give figures for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "preset", rename_all = "snake_case")]
pub enum Period {
    /// From local midnight to the coming midnight.
    Today,
    /// Today and the 6 local days before it.
    #[serde(rename = "7d")]
    Last7Days,
    /// Today and the 29 local days before it.
    #[serde(rename = "30d")]
    Last30Days,
    /// From the 1st of this month to the end of today.
    ThisMonth,
    /// The whole previous calendar month.
    LastMonth,
    /// Everything ever recorded: from the Unix epoch to the end of today.
    #[serde(rename = "all")]
    AllTime,
    /// Whole local days, `YYYY-MM-DD`, both included: what date pickers give.
    Days { first_day: String, last_day: String },
    /// Exact instants, `[from_ms, to_ms)`.
    Custom {
        #[ts(type = "number")]
        from_ms: i64,
        #[ts(type = "number")]
        to_ms: i64,
    },
}

/// Why a period cannot be resolved; each says what to pick instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("'{0}' is not a date; pick one as YYYY-MM-DD")]
    NotADate(String),
    #[error("the last day {last} is before the first day {first}; swap them")]
    Reversed { first: Date, last: Date },
    #[error("{0} is not a time Overtime can use; pick a date between the years 1970 and 9999")]
    NotATime(i64),
    #[error("the period is empty: its end must come after its start")]
    Empty,
    #[error("that period reaches outside the calendar Overtime knows (years 1970–9999)")]
    OutOfRange,
}

/// A resolved period: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Bounds {
    /// The first and the last local day the bounds touch.
    pub fn days(&self, tz: &TimeZone) -> (Date, Date) {
        let first = self.from.to_zoned_datetime(tz.clone()).date();
        let last = (self.to - SignedDuration::from_millis(1))
            .to_zoned_datetime(tz.clone())
            .date();
        (first, last)
    }
}

impl Period {
    /// The periods the dashboard and `overtime earnings` show side by side, in that order.
    pub const STANDARD: [Period; 4] = [
        Period::Today,
        Period::Last7Days,
        Period::Last30Days,
        Period::AllTime,
    ];

    /// The period's wire name (`today`, `7d`, `30d`, `this_month`, `last_month`, `all`,
    /// `days`, `custom`): what the `preset` tag says.
    pub fn key(&self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Last7Days => "7d",
            Period::Last30Days => "30d",
            Period::ThisMonth => "this_month",
            Period::LastMonth => "last_month",
            Period::AllTime => "all",
            Period::Days { .. } => "days",
            Period::Custom { .. } => "custom",
        }
    }

    /// `[from, to)` for this period in `tz`, as of `now`.
    pub fn bounds(&self, now: Timestamp, tz: &TimeZone) -> Result<Bounds, PeriodError> {
        let today = now.to_zoned_datetime(tz.clone()).date();
        let midnight = |d: Date| -> Result<Timestamp, PeriodError> {
            d.to_zoned_datetime(tz.clone())
                .map(|z| z.timestamp())
                .map_err(|_| PeriodError::OutOfRange)
        };
        let days_before = |n: i64| -> Result<Date, PeriodError> {
            today
                .checked_sub(n.days())
                .map_err(|_| PeriodError::OutOfRange)
        };
        let day_after = |d: Date| -> Result<Timestamp, PeriodError> {
            midnight(d.tomorrow().map_err(|_| PeriodError::OutOfRange)?)
        };
        let (from, to) = match self {
            Period::Today => (midnight(today)?, day_after(today)?),
            Period::Last7Days => (midnight(days_before(6)?)?, day_after(today)?),
            Period::Last30Days => (midnight(days_before(29)?)?, day_after(today)?),
            Period::ThisMonth => (midnight(today.first_of_month())?, day_after(today)?),
            Period::LastMonth => {
                let this = today.first_of_month();
                let last = this
                    .yesterday()
                    .map_err(|_| PeriodError::OutOfRange)?
                    .first_of_month();
                (midnight(last)?, midnight(this)?)
            }
            Period::AllTime => (Timestamp::UNIX_EPOCH, day_after(today)?),
            Period::Days {
                first_day,
                last_day,
            } => {
                let day = |s: &str| -> Result<Date, PeriodError> {
                    s.trim()
                        .parse()
                        .map_err(|_| PeriodError::NotADate(s.to_owned()))
                };
                let (first, last) = (day(first_day)?, day(last_day)?);
                if last < first {
                    return Err(PeriodError::Reversed { first, last });
                }
                (midnight(first)?, day_after(last)?)
            }
            Period::Custom { from_ms, to_ms } => {
                let at = |ms: i64| {
                    Timestamp::from_millisecond(ms).map_err(|_| PeriodError::NotATime(ms))
                };
                (at(*from_ms)?, at(*to_ms)?)
            }
        };
        if to <= from {
            return Err(PeriodError::Empty);
        }
        Ok(Bounds { from, to })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn berlin() -> TimeZone {
        jiff::tz::db().get("Europe/Berlin").unwrap()
    }

    #[test]
    fn seven_days_are_today_and_the_six_local_days_before_it() {
        let b = Period::Last7Days
            .bounds(t("2025-06-10T15:30:00Z"), &berlin())
            .unwrap();
        assert_eq!(b.from, t("2025-06-03T22:00:00Z")); // 4 June, 00:00 CEST
        assert_eq!(b.to, t("2025-06-10T22:00:00Z")); // 11 June, 00:00 CEST
        let (first, last) = b.days(&berlin());
        assert_eq!(
            (first.to_string(), last.to_string()),
            ("2025-06-04".into(), "2025-06-10".into())
        );
    }

    #[test]
    fn today_follows_the_local_day_not_utc() {
        // 23:30 UTC is already the next day in Berlin.
        let b = Period::Today
            .bounds(t("2025-06-10T23:30:00Z"), &berlin())
            .unwrap();
        assert_eq!(b.from, t("2025-06-10T22:00:00Z"));
        assert_eq!(b.to, t("2025-06-11T22:00:00Z"));
    }

    #[test]
    fn a_day_across_the_spring_change_is_23_hours() {
        let b = Period::Today
            .bounds(t("2025-03-30T12:00:00Z"), &berlin())
            .unwrap();
        assert_eq!(b.to.duration_since(b.from), SignedDuration::from_hours(23));
    }

    #[test]
    fn months_and_all_time() {
        let now = t("2025-03-15T12:00:00Z");
        let tz = TimeZone::UTC;
        let this = Period::ThisMonth.bounds(now, &tz).unwrap();
        assert_eq!(
            (this.from, this.to),
            (t("2025-03-01T00:00Z"), t("2025-03-16T00:00Z"))
        );
        let last = Period::LastMonth.bounds(now, &tz).unwrap();
        assert_eq!(
            (last.from, last.to),
            (t("2025-02-01T00:00Z"), t("2025-03-01T00:00Z"))
        );
        let all = Period::AllTime.bounds(now, &tz).unwrap();
        assert_eq!(
            (all.from, all.to),
            (Timestamp::UNIX_EPOCH, t("2025-03-16T00:00Z"))
        );
        let thirty = Period::Last30Days.bounds(now, &tz).unwrap();
        assert_eq!(thirty.from, t("2025-02-14T00:00Z"));
    }

    #[test]
    fn picked_days_include_both_ends_and_bad_picks_say_what_to_do() {
        let tz = TimeZone::UTC;
        let now = t("2025-03-15T12:00:00Z");
        let days = |a: &str, b: &str| Period::Days {
            first_day: a.into(),
            last_day: b.into(),
        };
        let b = days("2025-03-01", "2025-03-02").bounds(now, &tz).unwrap();
        assert_eq!(
            (b.from, b.to),
            (t("2025-03-01T00:00Z"), t("2025-03-03T00:00Z"))
        );
        assert_eq!(
            days("1 March", "2025-03-02").bounds(now, &tz).unwrap_err(),
            PeriodError::NotADate("1 March".into())
        );
        let e = days("2025-03-05", "2025-03-02")
            .bounds(now, &tz)
            .unwrap_err();
        assert!(e.to_string().contains("swap them"), "{e}");
        let e = Period::Custom {
            from_ms: 10,
            to_ms: 10,
        }
        .bounds(now, &tz)
        .unwrap_err();
        assert_eq!(e, PeriodError::Empty);
        let e = Period::Custom {
            from_ms: i64::MAX,
            to_ms: i64::MAX,
        }
        .bounds(now, &tz)
        .unwrap_err();
        assert_eq!(e, PeriodError::NotATime(i64::MAX));
    }

    #[test]
    fn the_wire_names_are_the_preset_tags() {
        for p in [
            Period::Today,
            Period::Last7Days,
            Period::Last30Days,
            Period::ThisMonth,
            Period::LastMonth,
            Period::AllTime,
            Period::Days {
                first_day: "2025-01-01".into(),
                last_day: "2025-01-02".into(),
            },
            Period::Custom {
                from_ms: 0,
                to_ms: 1,
            },
        ] {
            let json = serde_json::to_value(&p).unwrap();
            assert_eq!(json["preset"], p.key());
            assert_eq!(serde_json::from_value::<Period>(json).unwrap(), p);
        }
    }
}
