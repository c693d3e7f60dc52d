//! What a kWh costs when: the `[electricity]` prices compiled to one price per weekday-hour.
//!
//! Periods are whole local hours on a set of weekdays, so a tariff compiles to a 7 × 24 grid
//! and a price lookup is one index. Costs split an interval at local hour boundaries, which
//! makes DST days (23 or 25 hours) come out right. The policy's break-even price
//! ([`crate::RunningCost`]) and the ledger's electricity cost both read this grid, so the two
//! cannot disagree about what an hour costs.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use crate::config::{ElectricityConfig, TariffPeriodConfig, day_flags};
use crate::money::{Currency, Money};

/// Cells in the weekly grid: 7 days × 24 hours, Monday 00:00 first.
pub const HOURS_PER_WEEK: usize = 7 * 24;

/// An electricity tariff, compiled to one price per weekday-hour for fast lookups.
#[derive(Debug, Clone, PartialEq)]
pub struct Tariff {
    currency: Currency,
    /// Index: weekday (Mon = 0) × 24 + local hour.
    grid: Vec<Decimal>,
    carbon_g_per_kwh: Option<f64>,
}

impl Tariff {
    /// The tariff `[electricity]` describes. Meant for a validated config, where no two periods
    /// share an hour; on one that is not, the first period covering an hour sets its price and
    /// day entries that do not read are skipped, rather than failing.
    pub fn from_config(electricity: &ElectricityConfig) -> Tariff {
        let mut grid = vec![electricity.price_per_kwh; HOURS_PER_WEEK];
        let mut taken = [false; HOURS_PER_WEEK];
        for period in &electricity.periods {
            let covered = period_hours(period);
            for (slot, price) in grid.iter_mut().enumerate() {
                if covered[slot] && !taken[slot] {
                    taken[slot] = true;
                    *price = period.price_per_kwh;
                }
            }
        }
        Tariff {
            currency: electricity.currency.clone(),
            grid,
            carbon_g_per_kwh: electricity.carbon_g_per_kwh,
        }
    }

    /// One price at all times, no carbon figure: `[electricity]` with only `price_per_kwh`.
    pub fn flat(price_per_kwh: Decimal, currency: Currency) -> Tariff {
        Tariff::from_config(&ElectricityConfig {
            price_per_kwh,
            currency,
            periods: Vec::new(),
            carbon_g_per_kwh: None,
            ..ElectricityConfig::default()
        })
    }

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

    /// Cost of `energy_kwh` drawn evenly over `[start, end)`: the interval is split at local
    /// hour boundaries and each piece is priced at its own hour. An empty or reversed interval
    /// prices all the energy at `start`.
    pub fn cost(
        &self,
        energy_kwh: Decimal,
        start: Timestamp,
        end: Timestamp,
        tz: &TimeZone,
    ) -> Money {
        let start_s = start.as_second();
        let end_s = end.as_second();
        if end_s <= start_s || energy_kwh.is_zero() {
            return Money::new(
                energy_kwh * self.price_at(start, tz).amount,
                self.currency.clone(),
            );
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
        Money::new(energy_kwh * amount / total_s, self.currency.clone())
    }
}

/// The weekday-hours (Monday 00:00 first) a period covers. A period whose end is at or before
/// its start crosses midnight, and the part after midnight belongs to the following day (a
/// Friday 22–6 period covers Saturday 00–06; Sunday's wraps to Monday). Hours past 24 count
/// as 24, so an unvalidated period still yields a definite set.
pub(crate) fn period_hours(period: &TariffPeriodConfig) -> [bool; HOURS_PER_WEEK] {
    let days = day_flags(&period.days);
    let start = usize::from(period.start_hour);
    let end = usize::from(period.end_hour).min(24);
    let mut covered = [false; HOURS_PER_WEEK];
    for day in (0..7).filter(|d| days[*d]) {
        let base = day * 24;
        if start < end {
            covered[base + start..base + end].fill(true);
        } else {
            for hour in start.min(24)..24 {
                covered[base + hour] = true;
            }
            for hour in 0..end {
                covered[(base + 24 + hour) % HOURS_PER_WEEK] = true;
            }
        }
    }
    covered
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
    use crate::config::Config;

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

    fn period(days: &[&str], start_hour: u8, end_hour: u8, price: &str) -> TariffPeriodConfig {
        TariffPeriodConfig {
            name: None,
            days: days.iter().map(|d| (*d).to_owned()).collect(),
            start_hour,
            end_hour,
            price_per_kwh: d(price),
        }
    }

    fn night_and_peak() -> ElectricityConfig {
        ElectricityConfig {
            price_per_kwh: d("0.30"),
            currency: eur(),
            periods: vec![
                TariffPeriodConfig {
                    name: Some("night".into()),
                    ..period(&["daily"], 0, 7, "0.10")
                },
                TariffPeriodConfig {
                    name: Some("peak".into()),
                    ..period(&["mon-fri"], 17, 21, "0.50")
                },
            ],
            carbon_g_per_kwh: Some(380.0),
            ..ElectricityConfig::default()
        }
    }

    #[test]
    fn flat_tariff_costs_energy_times_price() {
        let t = Tariff::flat(d("0.30"), eur());
        let cost = t.cost(
            d("1.5"),
            local("2025-06-02T10:00"),
            local("2025-06-02T13:00"),
            &berlin(),
        );
        assert_eq!(cost, Money::new(d("0.45"), eur()));
    }

    #[test]
    fn price_follows_weekday_and_local_hour() {
        let t = Tariff::from_config(&night_and_peak());
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
        let t = Tariff::from_config(&night_and_peak());
        // Monday 16:00–18:00, 2 kWh evenly: 1 kWh at 0.30 and 1 kWh at 0.50.
        let cost = t.cost(
            d("2"),
            local("2025-06-02T16:00"),
            local("2025-06-02T18:00"),
            &berlin(),
        );
        assert_eq!(cost.amount, d("0.80"));
        // 06:30–07:30: half at night price, half at day price.
        let cost = t.cost(
            d("1"),
            local("2025-06-02T06:30"),
            local("2025-06-02T07:30"),
            &berlin(),
        );
        assert_eq!(cost.amount, d("0.20"));
    }

    #[test]
    fn an_empty_interval_prices_all_the_energy_at_its_start() {
        let t = Tariff::from_config(&night_and_peak());
        let at = local("2025-06-02T18:00");
        assert_eq!(t.cost(d("2"), at, at, &berlin()).amount, d("1.00"));
    }

    #[test]
    fn spring_forward_day_has_six_night_hours() {
        // 2025-03-30 (Sunday) in Berlin lasts 23 h; 02:00–03:00 does not exist, so the
        // 00–07 night period is 6 real hours. 23 kWh evenly: 6 at 0.10, 17 at 0.30.
        let t = Tariff::from_config(&night_and_peak());
        let start = local("2025-03-30T00:00");
        let end = local("2025-03-31T00:00");
        assert_eq!(end.as_second() - start.as_second(), 23 * 3600);
        let cost = t.cost(d("23"), start, end, &berlin());
        assert_eq!(cost.amount, d("5.7"));
    }

    #[test]
    fn fall_back_day_has_eight_night_hours() {
        // 2025-10-26 lasts 25 h; 02:00–03:00 happens twice: 8 night hours, 17 day hours.
        let t = Tariff::from_config(&night_and_peak());
        let start = local("2025-10-26T00:00");
        let end = local("2025-10-27T00:00");
        assert_eq!(end.as_second() - start.as_second(), 25 * 3600);
        let cost = t.cost(d("25"), start, end, &berlin());
        assert_eq!(cost.amount, d("5.9"));
    }

    #[test]
    fn a_period_crossing_midnight_belongs_to_the_next_morning() {
        let t = Tariff::from_config(&ElectricityConfig {
            price_per_kwh: d("0.30"),
            currency: eur(),
            periods: vec![period(&["fri"], 22, 6, "0.12")],
            ..ElectricityConfig::default()
        });
        // 2025-06-06 is a Friday.
        let price = |at| t.price_at(local(at), &berlin()).amount;
        assert_eq!(price("2025-06-06T23:00"), d("0.12"));
        assert_eq!(price("2025-06-07T05:00"), d("0.12"));
        assert_eq!(price("2025-06-07T06:00"), d("0.30"));
        assert_eq!(price("2025-06-05T23:00"), d("0.30"));
    }

    #[test]
    fn sundays_night_period_wraps_to_monday_morning() {
        let t = Tariff::from_config(&ElectricityConfig {
            price_per_kwh: d("0.30"),
            currency: eur(),
            periods: vec![period(&["sun"], 23, 2, "0.12")],
            ..ElectricityConfig::default()
        });
        // 2025-06-08 is a Sunday, 2025-06-09 the Monday after.
        let price = |at| t.price_at(local(at), &berlin()).amount;
        assert_eq!(price("2025-06-08T23:30"), d("0.12"));
        assert_eq!(price("2025-06-09T01:59"), d("0.12"));
        assert_eq!(price("2025-06-09T02:00"), d("0.30"));
        assert_eq!(price("2025-06-02T01:00"), d("0.12"));
    }

    #[test]
    fn on_an_unvalidated_config_the_first_period_covering_an_hour_wins() {
        let t = Tariff::from_config(&ElectricityConfig {
            price_per_kwh: d("0.30"),
            currency: eur(),
            periods: vec![
                period(&["mon", "funday"], 1, 5, "0.10"),
                period(&["mon"], 4, 8, "0.20"),
            ],
            ..ElectricityConfig::default()
        });
        let price = |at| t.price_at(local(at), &berlin()).amount;
        assert_eq!(price("2025-06-02T04:00"), d("0.10"));
        assert_eq!(price("2025-06-02T05:00"), d("0.20"));
        assert_eq!(price("2025-06-02T08:00"), d("0.30"));
    }

    /// A tariff that cannot be used is refused by the one config validation, naming the field.
    #[test]
    fn unusable_tariffs_are_refused_by_the_config_naming_the_field() {
        let tou = |periods: Vec<TariffPeriodConfig>| ElectricityConfig {
            price_per_kwh: d("0.3"),
            currency: eur(),
            periods,
            ..ElectricityConfig::default()
        };
        let mon = |start, end, price| period(&["mon"], start, end, price);
        let cases: Vec<(ElectricityConfig, &str)> = vec![
            (
                tou(vec![mon(0, 25, "0.1")]),
                "electricity.period[0].end_hour",
            ),
            (
                tou(vec![mon(24, 2, "0.1")]),
                "electricity.period[0].start_hour",
            ),
            (
                tou(vec![mon(5, 5, "0.1")]),
                "electricity.period[0].end_hour",
            ),
            (
                tou(vec![mon(1, 2, "-0.1")]),
                "electricity.period[0].price_per_kwh",
            ),
            (
                tou(vec![mon(1, 5, "0.1"), mon(4, 8, "0.2")]),
                "electricity.period[1].start_hour",
            ),
            (
                tou(vec![period(&[], 1, 2, "0.1")]),
                "electricity.period[0].days",
            ),
            (
                ElectricityConfig {
                    price_per_kwh: d("-1"),
                    ..tou(Vec::new())
                },
                "electricity.price_per_kwh",
            ),
            (
                ElectricityConfig {
                    carbon_g_per_kwh: Some(f64::NAN),
                    ..tou(Vec::new())
                },
                "electricity.carbon_g_per_kwh",
            ),
            (
                ElectricityConfig {
                    carbon_g_per_kwh: Some(-1.0),
                    ..tou(Vec::new())
                },
                "electricity.carbon_g_per_kwh",
            ),
        ];
        let config = |electricity: ElectricityConfig| {
            let mut c = Config::default();
            c.rental.currency = electricity.currency.clone();
            c.electricity = electricity;
            c
        };
        for (electricity, field) in cases {
            let errors = config(electricity).validate().unwrap_err();
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, [field], "{errors}");
        }
        assert!(config(night_and_peak()).validate().is_ok());
    }

    #[test]
    fn a_tariff_written_in_toml_keeps_its_exact_prices() {
        let text = r#"
            [rental]
            currency = "EUR"
            [electricity]
            currency = "EUR"
            price_per_kwh = "0.30"
            carbon_g_per_kwh = 380.0
            [[electricity.period]]
            name = "night"
            days = ["daily"]
            start_hour = 0
            end_hour = 7
            price_per_kwh = "0.10"
            [[electricity.period]]
            name = "peak"
            days = ["mon-fri"]
            start_hour = 17
            end_hour = 21
            price_per_kwh = "0.50"
        "#;
        let config = Config::parse(text, None).unwrap();
        assert_eq!(config.electricity, night_and_peak());
        let t = Tariff::from_config(&config.electricity);
        assert_eq!(t, Tariff::from_config(&night_and_peak()));
        let peak = t.price_at(local("2025-06-02T18:00"), &berlin()).amount;
        assert_eq!(peak.to_string(), "0.50");
        let back = Config::parse(&toml::to_string(&config).unwrap(), None).unwrap();
        assert_eq!(back.electricity, config.electricity);
    }
}
