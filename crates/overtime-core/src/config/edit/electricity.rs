//! The electricity section: what a kWh costs (one price, or time-of-use periods by weekday and
//! hour), its currency, the rest of the PC's draw and the grid's carbon intensity. Prices cross
//! as the text the user typed and are written as exact decimal strings.

use crate::config::days::day_key;
use crate::config::{Config, day_flags};
use serde::{Deserialize, Serialize};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table};
use ts_rs::TS;

use super::text::Fields;
use super::{edit_table, set, slot};

/// `[electricity]` (and the rental exchange rate, which only matters when the rental currency
/// differs from this one) as the form shows it. Numbers are text as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ElectricityForm {
    /// "0.32" or "0,32": the price outside every period.
    pub price_per_kwh: String,
    /// Three letters (EUR, USD).
    pub currency: String,
    /// Watts, a whole number.
    pub rest_of_pc_w: String,
    /// Grams of CO2 per kWh; empty: not set.
    pub carbon_g_per_kwh: String,
    /// Time-of-use periods; empty: the one price always.
    pub periods: Vec<TariffPeriodForm>,
    /// Read-only here: the currency rentals are priced in.
    pub rental_currency: String,
    /// Units of this currency per unit of the rental currency; empty: not set.
    pub exchange_rate: String,
}

/// One `[[electricity.period]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TariffPeriodForm {
    pub name: String,
    /// Seven flags, Monday first: the days the period starts on.
    pub days: Vec<bool>,
    /// 0–23.
    pub start_hour: u8,
    /// 1–24; at or below the start crosses midnight.
    pub end_hour: u8,
    pub price_per_kwh: String,
}

/// The form as `config` holds it.
pub fn form(config: &Config) -> ElectricityForm {
    let e = &config.electricity;
    ElectricityForm {
        price_per_kwh: e.price_per_kwh.to_string(),
        currency: e.currency.code().to_owned(),
        rest_of_pc_w: e.rest_of_pc_w.to_string(),
        carbon_g_per_kwh: e
            .carbon_g_per_kwh
            .map(|g| g.to_string())
            .unwrap_or_default(),
        periods: e
            .periods
            .iter()
            .map(|p| TariffPeriodForm {
                name: p.name.clone().unwrap_or_default(),
                days: day_flags(&p.days).to_vec(),
                start_hour: p.start_hour,
                end_hour: p.end_hour,
                price_per_kwh: p.price_per_kwh.to_string(),
            })
            .collect(),
        rental_currency: config.rental.currency.code().to_owned(),
        exchange_rate: config
            .rental
            .exchange_rate
            .map(|r| r.to_string())
            .unwrap_or_default(),
    }
}

/// Writes the form into `[electricity]` and `rental.exchange_rate`. Existing periods are edited
/// in place (their comments survive); extra ones are removed, new ones appended. Fields that do
/// not read are reported in `fields` and left as they were in the document.
pub fn apply(doc: &mut DocumentMut, form: &ElectricityForm, fields: &mut Fields) {
    let price = fields.decimal("electricity.price_per_kwh", &form.price_per_kwh);
    let rest_w = fields.whole::<u32>("electricity.rest_of_pc_w", &form.rest_of_pc_w);
    let carbon = fields.optional_number("electricity.carbon_g_per_kwh", &form.carbon_g_per_kwh);
    let rate = fields.optional_decimal("rental.exchange_rate", &form.exchange_rate);
    let periods: Vec<Option<Table>> = form
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let path = format!("electricity.period[{i}]");
            let price = fields.decimal(&format!("{path}.price_per_kwh"), &p.price_per_kwh)?;
            let mut t = Table::new();
            if !p.name.trim().is_empty() {
                set(&mut t, "name", p.name.trim());
            }
            set(&mut t, "days", day_entries(&p.days));
            set(&mut t, "start_hour", i64::from(p.start_hour));
            set(&mut t, "end_hour", i64::from(p.end_hour));
            set(&mut t, "price_per_kwh", price.to_string());
            Some(t)
        })
        .collect();

    edit_table(slot(doc, "electricity"), false, |e| {
        if let Some(price) = price {
            set(e, "price_per_kwh", price.to_string());
        }
        set(e, "currency", form.currency.trim().to_ascii_uppercase());
        if let Some(w) = rest_w {
            set(e, "rest_of_pc_w", i64::from(w));
        }
        match carbon {
            Ok(Some(g)) => set(e, "carbon_g_per_kwh", g),
            Ok(None) => {
                e.remove("carbon_g_per_kwh");
            }
            Err(()) => {}
        }
        write_periods(e, periods);
    });
    match rate {
        Ok(Some(r)) => edit_table(slot(doc, "rental"), false, |t| {
            set(t, "exchange_rate", r.to_string());
        }),
        Ok(None) => {
            if let Some(t) = doc.get_mut("rental").and_then(Item::as_table_mut) {
                t.remove("exchange_rate");
            }
        }
        Err(()) => {}
    }
}

/// Replaces `period` with `periods`, editing existing tables in place so their comments and key
/// order survive. A period that did not read (`None`) keeps its old table, if it had one.
fn write_periods(e: &mut Table, periods: Vec<Option<Table>>) {
    if periods.is_empty() {
        e.remove("period");
        return;
    }
    let mut existing = match e.remove("period") {
        Some(Item::ArrayOfTables(a)) => a,
        _ => ArrayOfTables::new(),
    };
    let mut out = ArrayOfTables::new();
    for (i, new) in periods.into_iter().enumerate() {
        let old = existing.get_mut(i).map(std::mem::take);
        let table = match (old, new) {
            (Some(mut old), Some(new)) => {
                let keep_name = new.contains_key("name");
                for (k, v) in new.iter() {
                    if let Some(v) = v.as_value() {
                        set(&mut old, k, v.clone());
                    }
                }
                if !keep_name {
                    old.remove("name");
                }
                old
            }
            (None, Some(new)) => new,
            (Some(old), None) => old,
            (None, None) => continue,
        };
        out.push(table);
    }
    e.insert("period", Item::ArrayOfTables(out));
}

/// Seven flags as the day entries a person would write: `daily`, `weekdays`, `weekends`, or runs
/// such as `mon-wed` and single days.
fn day_entries(flags: &[bool]) -> Array {
    let on: Vec<bool> = (0..7)
        .map(|d| flags.get(d).copied().unwrap_or(false))
        .collect();
    let named = match on.as_slice() {
        [true, true, true, true, true, true, true] => Some("daily"),
        [true, true, true, true, true, false, false] => Some("weekdays"),
        [false, false, false, false, false, true, true] => Some("weekends"),
        _ => None,
    };
    if let Some(name) = named {
        return Array::from_iter([name]);
    }
    let mut entries = Vec::new();
    let mut d = 0;
    while d < 7 {
        if !on[d] {
            d += 1;
            continue;
        }
        let start = d;
        while d + 1 < 7 && on[d + 1] {
            d += 1;
        }
        entries.push(if d == start {
            day_key(start)
        } else {
            format!("{}-{}", day_key(start), day_key(d))
        });
        d += 1;
    }
    Array::from_iter(entries)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use jiff::tz::TimeZone;
    use rust_decimal::Decimal;

    use super::*;
    use crate::config::edit::{apply_electricity, check, rejected, view};

    fn doc(text: &str) -> DocumentMut {
        text.parse().unwrap()
    }

    fn flat(price: &str) -> ElectricityForm {
        ElectricityForm {
            price_per_kwh: price.into(),
            currency: "USD".into(),
            rest_of_pc_w: "60".into(),
            carbon_g_per_kwh: String::new(),
            periods: Vec::new(),
            rental_currency: "USD".into(),
            exchange_rate: String::new(),
        }
    }

    fn rejected_fields(d: &mut DocumentMut, form: &ElectricityForm) -> Vec<String> {
        let applied = apply_electricity(d, form);
        rejected(d, applied).into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_german_decimal_comma_is_saved_as_an_exact_price_and_comments_stay() {
        let mut d = doc("# my tariff\n[electricity]\n# from the bill\nprice_per_kwh = \"0.30\"\n");
        apply_electricity(&mut d, &flat("0,32")).unwrap();
        let text = d.to_string();
        assert!(
            text.contains("# my tariff") && text.contains("# from the bill"),
            "{text}"
        );
        assert!(text.contains("price_per_kwh = \"0.32\""), "{text}");
        let config = check(&d).unwrap();
        assert_eq!(config.electricity.price_per_kwh, Decimal::new(32, 2));
        assert_eq!(config.electricity.rest_of_pc_w, 60);
    }

    #[test]
    fn time_of_use_periods_by_weekday_and_hour_price_the_right_hours() {
        let mut form = flat("0.30");
        form.currency = "eur".into();
        form.rental_currency = "USD".into();
        form.exchange_rate = "0,92".into();
        form.carbon_g_per_kwh = "380".into();
        form.periods = vec![
            TariffPeriodForm {
                name: "peak".into(),
                days: vec![true, true, true, true, true, false, false],
                start_hour: 17,
                end_hour: 21,
                price_per_kwh: "0,45".into(),
            },
            TariffPeriodForm {
                name: String::new(),
                days: vec![false, false, false, false, false, true, true],
                start_hour: 22,
                end_hour: 6,
                price_per_kwh: "0.18".into(),
            },
        ];
        let mut d = doc("");
        apply_electricity(&mut d, &form).unwrap();
        let config = check(&d).unwrap();
        let e = &config.electricity;
        assert_eq!(e.currency.code(), "EUR");
        assert_eq!(e.carbon_g_per_kwh, Some(380.0));
        assert_eq!(config.rental.exchange_rate, Some(Decimal::new(92, 2)));
        assert_eq!(e.periods[0].days, ["weekdays"]);
        assert_eq!(e.periods[1].days, ["weekends"]);
        // Wednesday 2024-01-03 18:00 UTC is peak; Sunday 2024-01-07 02:00 is the night rate
        // (Saturday's period crossing midnight); Wednesday noon is the flat price.
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let price = |s| e.price_at(at(s), &TimeZone::UTC).amount;
        assert_eq!(price("2024-01-03T18:00:00Z"), Decimal::new(45, 2));
        assert_eq!(price("2024-01-07T02:00:00Z"), Decimal::new(18, 2));
        assert_eq!(price("2024-01-03T12:00:00Z"), Decimal::new(30, 2));
        // And it reads back into the same form.
        let shown = view(&config, std::path::Path::new("c.toml"), &[]).electricity;
        assert_eq!(shown.periods[0].price_per_kwh, "0.45");
        assert_eq!(shown.periods[0].days, form.periods[0].days);
        assert_eq!(shown.exchange_rate, "0.92");
    }

    #[test]
    fn prices_that_do_not_read_are_field_errors_with_their_paths_and_other_problems_too() {
        let mut form = flat("0,3x");
        form.rest_of_pc_w = "5000".into();
        form.periods = vec![TariffPeriodForm {
            name: "peak".into(),
            days: vec![true; 7],
            start_hour: 17,
            end_hour: 21,
            price_per_kwh: "1.234,5".into(),
        }];
        let mut d = doc("[electricity]\nprice_per_kwh = \"0.30\"\n");
        let fields = rejected_fields(&mut d, &form);
        for want in [
            "electricity.price_per_kwh",
            "electricity.period[0].price_per_kwh",
            // The range check of a field that did read still runs.
            "electricity.rest_of_pc_w",
        ] {
            assert!(fields.iter().any(|f| f == want), "{want}: {fields:?}");
        }
    }

    #[test]
    fn overlapping_periods_and_a_missing_exchange_rate_are_named() {
        let mut form = flat("0.30");
        form.currency = "EUR".into();
        let period = |start, end| TariffPeriodForm {
            name: String::new(),
            days: vec![true; 7],
            start_hour: start,
            end_hour: end,
            price_per_kwh: "0.40".into(),
        };
        form.periods = vec![period(17, 21), period(20, 23)];
        let fields = rejected_fields(&mut doc(""), &form);
        for want in ["electricity.period[1].start_hour", "rental.currency"] {
            assert!(fields.iter().any(|f| f == want), "{want}: {fields:?}");
        }
    }

    #[test]
    fn an_edited_period_keeps_its_comment_and_a_removed_one_goes() {
        let mut d = doc(
            "[electricity]\nprice_per_kwh = \"0.30\"\n\n# evening peak, from the bill\n[[electricity.period]]\nname = \"peak\"\ndays = [\"mon-fri\"]\nstart_hour = 17\nend_hour = 21\nprice_per_kwh = \"0.45\"\n\n[[electricity.period]]\ndays = [\"sat\"]\nstart_hour = 1\nend_hour = 5\nprice_per_kwh = \"0.10\"\n",
        );
        let mut form = form(&check(&d).unwrap());
        form.periods.truncate(1);
        form.periods[0].price_per_kwh = "0,50".into();
        form.periods[0].days = vec![true, true, true, false, false, false, false];
        apply_electricity(&mut d, &form).unwrap();
        let text = d.to_string();
        assert!(text.contains("# evening peak, from the bill"), "{text}");
        let config = check(&d).unwrap();
        assert_eq!(config.electricity.periods.len(), 1);
        assert_eq!(config.electricity.periods[0].days, ["mon-wed"]);
        assert_eq!(
            config.electricity.periods[0].price_per_kwh,
            Decimal::new(50, 2)
        );
    }

    #[test]
    fn day_flags_become_the_entries_a_person_would_write() {
        let cases: &[([bool; 7], &[&str])] = &[
            ([true; 7], &["daily"]),
            (
                [true, false, true, true, false, false, true],
                &["mon", "wed-thu", "sun"],
            ),
            ([false; 7], &[]),
        ];
        for (flags, want) in cases {
            let got: Vec<String> = day_entries(flags)
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            assert_eq!(got, *want);
        }
    }
}
