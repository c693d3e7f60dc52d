//! Electricity price: flat or time-of-use, in one currency, with an optional carbon intensity.
//!
//! Periods are whole local hours on a set of weekdays, so a tariff compiles to a 7 × 24 grid
//! and a price lookup is one index. Costs split an interval at local hour boundaries, which
//! makes DST days (23 or 25 hours) come out right.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use overtime_core::money::{Currency, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::energy::wh_to_kwh_decimal;

/// A day of the week as written in the config (`mon` … `sun`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// Monday is 0, Sunday is 6.
    pub fn index(self) -> usize {
        self as usize
    }

    /// All seven days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
}

/// One time-of-use period: on each listed weekday, from `start_hour` (inclusive) to `end_hour`
/// (exclusive), local time. `end_hour` may be smaller than `start_hour` to cross midnight; the
/// part after midnight then belongs to the following day (a Friday 22–6 period covers Saturday
/// 00–06).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffPeriod {
    /// A name for messages and the UI ("peak", "night"); optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The weekdays the period starts on; at least one.
    pub days: Vec<Weekday>,
    /// 0–23.
    pub start_hour: u8,
    /// 1–24, or below `start_hour` to cross midnight; never equal to `start_hour`.
    pub end_hour: u8,
    /// Price of one kWh in the tariff's currency, ≥ 0. Written as a string ("0.30") so it stays
    /// exact.
    pub price_per_kwh: Decimal,
}

/// How the price per kWh is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Pricing {
    /// One price at all times.
    Flat { price_per_kwh: Decimal },
    /// Prices by weekday and hour; `default_price_per_kwh` applies outside every period.
    TimeOfUse {
        default_price_per_kwh: Decimal,
        periods: Vec<TariffPeriod>,
    },
}

/// An electricity tariff as the user configures it. Call [`Tariff::validate`] (or
/// [`Tariff::compile`]) before use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tariff {
    /// The currency every price is in.
    pub currency: Currency,
    #[serde(flatten)]
    pub pricing: Pricing,
    /// Grams of CO2 emitted per kWh drawn, if the user knows it; finite and ≥ 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carbon_g_per_kwh: Option<f64>,
}

/// A tariff the user wrote that cannot be used; `field` is the config path of the culprit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("electricity tariff: {field}: {message}")]
pub struct TariffError {
    pub field: String,
    pub message: String,
}

fn tariff_error(field: impl Into<String>, message: impl Into<String>) -> TariffError {
    TariffError {
        field: field.into(),
        message: message.into(),
    }
}

const HOURS_PER_WEEK: usize = 7 * 24;

/// A validated tariff, compiled to one price per weekday-hour for fast lookups.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledTariff {
    currency: Currency,
    /// Index: weekday (Mon = 0) × 24 + local hour.
    grid: Vec<Decimal>,
    carbon_g_per_kwh: Option<f64>,
}

impl Tariff {
    /// A flat tariff (handy for tests and the default config).
    pub fn flat(price_per_kwh: Decimal, currency: Currency) -> Tariff {
        Tariff {
            currency,
            pricing: Pricing::Flat { price_per_kwh },
            carbon_g_per_kwh: None,
        }
    }

    /// Checks every rule and names the offending field: hours within 0–24, non-empty periods,
    /// non-negative prices, no two periods covering the same weekday-hour, a sane carbon figure.
    pub fn validate(&self) -> Result<(), TariffError> {
        self.compile().map(|_| ())
    }

    /// Validates and compiles the tariff into a lookup grid.
    pub fn compile(&self) -> Result<CompiledTariff, TariffError> {
        if let Some(g) = self.carbon_g_per_kwh
            && !(g.is_finite() && g >= 0.0)
        {
            return Err(tariff_error(
                "carbon_g_per_kwh",
                format!("{g} is not a carbon intensity; use grams per kWh, 0 or more"),
            ));
        }
        let grid = match &self.pricing {
            Pricing::Flat { price_per_kwh } => {
                check_price("price_per_kwh", *price_per_kwh)?;
                vec![*price_per_kwh; HOURS_PER_WEEK]
            }
            Pricing::TimeOfUse {
                default_price_per_kwh,
                periods,
            } => {
                check_price("default_price_per_kwh", *default_price_per_kwh)?;
                let mut grid = vec![*default_price_per_kwh; HOURS_PER_WEEK];
                let mut owner: Vec<Option<usize>> = vec![None; HOURS_PER_WEEK];
                for (i, period) in periods.iter().enumerate() {
                    let field = format!("periods[{i}]");
                    check_price(&format!("{field}.price_per_kwh"), period.price_per_kwh)?;
                    for slot in period_slots(period, &field)? {
                        if let Some(other) = owner[slot] {
                            return Err(tariff_error(
                                field,
                                format!(
                                    "overlaps periods[{other}] on {} at {:02}:00; give each hour of the week at most one period",
                                    day_name(slot / 24),
                                    slot % 24
                                ),
                            ));
                        }
                        owner[slot] = Some(i);
                        grid[slot] = period.price_per_kwh;
                    }
                }
                grid
            }
        };
        Ok(CompiledTariff {
            currency: self.currency.clone(),
            grid,
            carbon_g_per_kwh: self.carbon_g_per_kwh,
        })
    }
}

fn check_price(field: &str, price: Decimal) -> Result<(), TariffError> {
    if price.is_sign_negative() && !price.is_zero() {
        Err(tariff_error(
            field,
            format!("{price} is negative; a price per kWh is 0 or more"),
        ))
    } else {
        Ok(())
    }
}

fn day_name(index: usize) -> &'static str {
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ][index % 7]
}

/// The weekday-hour slots a period covers.
fn period_slots(period: &TariffPeriod, field: &str) -> Result<Vec<usize>, TariffError> {
    if period.days.is_empty() {
        return Err(tariff_error(
            format!("{field}.days"),
            "is empty; list at least one day such as \"mon\"",
        ));
    }
    if period.start_hour > 23 {
        return Err(tariff_error(
            format!("{field}.start_hour"),
            format!("{} is not an hour; use 0–23", period.start_hour),
        ));
    }
    if period.end_hour > 24 {
        return Err(tariff_error(
            format!("{field}.end_hour"),
            format!("{} is not an hour; use 0–24", period.end_hour),
        ));
    }
    if period.end_hour == period.start_hour {
        return Err(tariff_error(
            format!("{field}.end_hour"),
            "equals start_hour, so the period is empty; use 0–24 for a whole day",
        ));
    }
    let start = usize::from(period.start_hour);
    let end = usize::from(period.end_hour);
    let mut slots = Vec::new();
    for day in &period.days {
        let base = day.index() * 24;
        if end > start {
            slots.extend((start..end).map(|h| base + h));
        } else {
            slots.extend((start..24).map(|h| base + h));
            slots.extend((0..end).map(|h| (base + 24 + h) % HOURS_PER_WEEK));
        }
    }
    Ok(slots)
}

impl CompiledTariff {
    /// The currency of every price and cost.
    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    /// Grams of CO2 per kWh, if configured.
    pub fn carbon_g_per_kwh(&self) -> Option<f64> {
        self.carbon_g_per_kwh
    }

    /// The price of one kWh at `at`, local time in `tz`.
    pub fn price_at(&self, at: Timestamp, tz: &TimeZone) -> Money {
        let local_s = at.as_second() + i64::from(tz.to_offset(at).seconds());
        Money::new(self.grid[slot_of_local(local_s)], self.currency.clone())
    }

    /// Cost of `energy_wh` drawn evenly over `[start, end)`: the interval is split at local
    /// hour boundaries and each piece is priced at its own hour. An empty or reversed interval
    /// prices all the energy at `start`. Energy is rounded to whole mWh first.
    pub fn cost(&self, energy_wh: f64, start: Timestamp, end: Timestamp, tz: &TimeZone) -> Money {
        let kwh = wh_to_kwh_decimal(energy_wh);
        let start_s = start.as_second();
        let end_s = end.as_second();
        if end_s <= start_s || kwh.is_zero() {
            return Money::new(kwh * self.price_at(start, tz).amount, self.currency.clone());
        }
        let total_s = Decimal::from(end_s - start_s);
        let mut t = start_s;
        let mut amount = Decimal::ZERO;
        // Pieces with the same price are summed first so a flat tariff costs one division.
        let mut run_price: Option<Decimal> = None;
        let mut run_s: i64 = 0;
        while t < end_s {
            let at = Timestamp::from_second(t).unwrap_or(start);
            let offset_s = i64::from(tz.to_offset(at).seconds());
            let local_s = t + offset_s;
            let next_local_hour = local_s.div_euclid(3600) * 3600 + 3600;
            let next = (next_local_hour - offset_s).min(end_s).max(t + 1);
            let price = self.grid[slot_of_local(local_s)];
            match run_price {
                Some(p) if p == price => run_s += next - t,
                Some(p) => {
                    amount += p * Decimal::from(run_s);
                    run_price = Some(price);
                    run_s = next - t;
                }
                None => {
                    run_price = Some(price);
                    run_s = next - t;
                }
            }
            t = next;
        }
        if let Some(p) = run_price {
            amount += p * Decimal::from(run_s);
        }
        Money::new(kwh * amount / total_s, self.currency.clone())
    }
}

/// Weekday-hour slot of a local time given as seconds since the Unix epoch in local wall time.
fn slot_of_local(local_s: i64) -> usize {
    let days = local_s.div_euclid(86_400);
    // 1970-01-01 was a Thursday, index 3 with Monday = 0.
    let weekday = (days + 3).rem_euclid(7) as usize;
    let hour = (local_s.rem_euclid(86_400) / 3600) as usize;
    weekday * 24 + hour
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::new("EUR").unwrap()
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn local(s: &str) -> Timestamp {
        s.parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned_datetime(berlin())
            .unwrap()
            .timestamp()
    }

    fn night_and_peak() -> Tariff {
        Tariff {
            currency: eur(),
            pricing: Pricing::TimeOfUse {
                default_price_per_kwh: d("0.30"),
                periods: vec![
                    TariffPeriod {
                        name: Some("night".into()),
                        days: Weekday::ALL.to_vec(),
                        start_hour: 0,
                        end_hour: 7,
                        price_per_kwh: d("0.10"),
                    },
                    TariffPeriod {
                        name: Some("peak".into()),
                        days: vec![
                            Weekday::Mon,
                            Weekday::Tue,
                            Weekday::Wed,
                            Weekday::Thu,
                            Weekday::Fri,
                        ],
                        start_hour: 17,
                        end_hour: 21,
                        price_per_kwh: d("0.50"),
                    },
                ],
            },
            carbon_g_per_kwh: Some(380.0),
        }
    }

    #[test]
    fn flat_tariff_costs_energy_times_price() {
        let t = Tariff::flat(d("0.30"), eur()).compile().unwrap();
        let cost = t.cost(
            1500.0,
            local("2025-06-02T10:00"),
            local("2025-06-02T13:00"),
            &berlin(),
        );
        assert_eq!(cost, Money::new(d("0.45"), eur()));
    }

    #[test]
    fn price_follows_weekday_and_local_hour() {
        let t = night_and_peak().compile().unwrap();
        let tz = berlin();
        // 2025-06-02 is a Monday.
        let cases = [
            ("2025-06-02T03:00", "0.10"),
            ("2025-06-02T07:00", "0.30"),
            ("2025-06-02T17:00", "0.50"),
            ("2025-06-02T20:59", "0.50"),
            ("2025-06-02T21:00", "0.30"),
            ("2025-06-07T18:00", "0.30"), // Saturday: no peak
        ];
        for (at, price) in cases {
            assert_eq!(t.price_at(local(at), &tz).amount, d(price), "at {at}");
        }
    }

    #[test]
    fn cost_splits_an_interval_across_periods() {
        let t = night_and_peak().compile().unwrap();
        // Monday 16:00–18:00, 2 kWh evenly: 1 kWh at 0.30 and 1 kWh at 0.50.
        let cost = t.cost(
            2000.0,
            local("2025-06-02T16:00"),
            local("2025-06-02T18:00"),
            &berlin(),
        );
        assert_eq!(cost.amount, d("0.80"));
        // 06:30–07:30: half at night price, half at day price.
        let cost = t.cost(
            1000.0,
            local("2025-06-02T06:30"),
            local("2025-06-02T07:30"),
            &berlin(),
        );
        assert_eq!(cost.amount, d("0.20"));
    }

    #[test]
    fn spring_forward_day_has_six_night_hours() {
        // 2025-03-30 (Sunday) in Berlin lasts 23 h; 02:00–03:00 does not exist, so the
        // 00–07 night period is 6 real hours. 23 kWh evenly: 6 at 0.10, 17 at 0.30.
        let t = night_and_peak().compile().unwrap();
        let start = local("2025-03-30T00:00");
        let end = local("2025-03-31T00:00");
        assert_eq!(end.as_second() - start.as_second(), 23 * 3600);
        let cost = t.cost(23_000.0, start, end, &berlin());
        assert_eq!(cost.amount, d("5.7"));
    }

    #[test]
    fn fall_back_day_has_eight_night_hours() {
        // 2025-10-26 lasts 25 h; 02:00–03:00 happens twice: 8 night hours, 17 day hours.
        let t = night_and_peak().compile().unwrap();
        let start = local("2025-10-26T00:00");
        let end = local("2025-10-27T00:00");
        assert_eq!(end.as_second() - start.as_second(), 25 * 3600);
        let cost = t.cost(25_000.0, start, end, &berlin());
        assert_eq!(cost.amount, d("5.9"));
    }

    #[test]
    fn a_period_crossing_midnight_belongs_to_the_next_morning() {
        let tariff = Tariff {
            currency: eur(),
            pricing: Pricing::TimeOfUse {
                default_price_per_kwh: d("0.30"),
                periods: vec![TariffPeriod {
                    name: None,
                    days: vec![Weekday::Fri],
                    start_hour: 22,
                    end_hour: 6,
                    price_per_kwh: d("0.12"),
                }],
            },
            carbon_g_per_kwh: None,
        };
        let t = tariff.compile().unwrap();
        // 2025-06-06 is a Friday.
        assert_eq!(
            t.price_at(local("2025-06-06T23:00"), &berlin()).amount,
            d("0.12")
        );
        assert_eq!(
            t.price_at(local("2025-06-07T05:00"), &berlin()).amount,
            d("0.12")
        );
        assert_eq!(
            t.price_at(local("2025-06-07T06:00"), &berlin()).amount,
            d("0.30")
        );
        assert_eq!(
            t.price_at(local("2025-06-05T23:00"), &berlin()).amount,
            d("0.30")
        );
    }

    #[test]
    fn invalid_tariffs_name_the_field() {
        let period = |start: u8, end: u8, price: &str| TariffPeriod {
            name: None,
            days: vec![Weekday::Mon],
            start_hour: start,
            end_hour: end,
            price_per_kwh: d(price),
        };
        let tou = |periods: Vec<TariffPeriod>| Tariff {
            currency: eur(),
            pricing: Pricing::TimeOfUse {
                default_price_per_kwh: d("0.3"),
                periods,
            },
            carbon_g_per_kwh: None,
        };
        let cases: Vec<(Tariff, &str)> = vec![
            (tou(vec![period(0, 25, "0.1")]), "periods[0].end_hour"),
            (tou(vec![period(24, 2, "0.1")]), "periods[0].start_hour"),
            (tou(vec![period(5, 5, "0.1")]), "periods[0].end_hour"),
            (tou(vec![period(1, 2, "-0.1")]), "periods[0].price_per_kwh"),
            (
                tou(vec![period(1, 5, "0.1"), period(4, 8, "0.2")]),
                "periods[1]",
            ),
            (
                tou(vec![TariffPeriod {
                    days: vec![],
                    ..period(1, 2, "0.1")
                }]),
                "periods[0].days",
            ),
            (Tariff::flat(d("-1"), eur()), "price_per_kwh"),
            (
                Tariff {
                    carbon_g_per_kwh: Some(f64::NAN),
                    ..Tariff::flat(d("1"), eur())
                },
                "carbon_g_per_kwh",
            ),
        ];
        for (tariff, field) in cases {
            let err = tariff.validate().unwrap_err();
            assert_eq!(err.field, field, "{err}");
        }
        assert!(night_and_peak().validate().is_ok());
    }

    #[test]
    fn tariff_reads_from_toml_with_exact_prices() {
        let text = r#"
            currency = "EUR"
            kind = "time_of_use"
            default_price_per_kwh = "0.30"
            carbon_g_per_kwh = 380.0
            [[periods]]
            name = "night"
            days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            start_hour = 0
            end_hour = 7
            price_per_kwh = "0.10"
            [[periods]]
            name = "peak"
            days = ["mon", "tue", "wed", "thu", "fri"]
            start_hour = 17
            end_hour = 21
            price_per_kwh = "0.50"
        "#;
        let tariff: Tariff = toml::from_str(text).unwrap();
        assert_eq!(tariff, night_and_peak());
        let back: Tariff = toml::from_str(&toml::to_string(&tariff).unwrap()).unwrap();
        assert_eq!(back, tariff);
    }
}
