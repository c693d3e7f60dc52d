//! Money for people, per language, straight from the exact decimal: `€1,234.56` / `$1,234.56`
//! in English, `1.234,56 €` in German. The digits are worked on as a decimal string, never
//! through a float, so no rounding error can move a cent.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::catalogue::{Catalogue, Language};

/// The symbol a currency is written with, where it has a common one.
fn symbol(code: &str) -> Option<&'static str> {
    match code {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// The currency's usual decimal places (as Intl has them for the ones that differ).
fn places(code: &str) -> u32 {
    match code {
        "JPY" | "KRW" => 0,
        _ => 2,
    }
}

// A no-break space keeps the amount and its currency on one line in tooltips, as Intl does.
const NBSP: char = '\u{a0}';

impl Catalogue {
    /// `amount` rounded half away from zero to its currency's places and written the
    /// language's way: `€1,234.56`, `-$0.40`, `CHF 5.00` in English; `1.234,56 €`,
    /// `-0,40 $`, `5,00 CHF` in German (the space before the currency is a no-break space).
    pub fn money(&self, amount: Decimal, code: &str) -> String {
        self.amount_in(amount, code, places(code))
    }

    /// A price per unit (per hour, per kWh), where a fraction of a cent matters: rounded to four
    /// places, then written with as many places as it needs but at least the currency's
    /// (`€0.108`, `€0.25`, `0,2015 €`).
    pub fn price(&self, amount: Decimal, code: &str) -> String {
        let rounded = amount
            .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        self.amount_in(rounded, code, rounded.scale().max(places(code)))
    }

    fn amount_in(&self, amount: Decimal, code: &str, dp: u32) -> String {
        let mut amount = amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
        amount.rescale(dp);
        let text = amount.abs().to_string();
        let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
        let (group, decimal) = match self.language() {
            Language::English => (',', '.'),
            Language::German => ('.', ','),
        };
        let mut digits = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                digits.push(group);
            }
            digits.push(c);
        }
        if !frac.is_empty() {
            digits.push(decimal);
            digits.push_str(frac);
        }
        let sign = if amount.is_sign_negative() && !amount.is_zero() {
            "-"
        } else {
            ""
        };
        match (self.language(), symbol(code)) {
            (Language::English, Some(s)) => format!("{sign}{s}{digits}"),
            (Language::English, None) => format!("{sign}{code}{NBSP}{digits}"),
            (Language::German, s) => format!("{sign}{digits}{NBSP}{}", s.unwrap_or(code)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn d(amount: &str) -> Decimal {
        amount.parse::<Decimal>().unwrap()
    }

    #[test]
    fn amounts_are_written_the_languages_way_without_floats() {
        let en = Catalogue::english();
        let de = Catalogue::german();
        let cases = [
            (en, "1234.56", "EUR", "€1,234.56"),
            (en, "1234.56", "USD", "$1,234.56"),
            (de, "1234.56", "EUR", "1.234,56\u{a0}€"),
            (de, "1234.565", "EUR", "1.234,57\u{a0}€"),
            (en, "-0.4", "EUR", "-€0.40"),
            (en, "-0.004", "EUR", "€0.00"),
            (en, "1500.4", "JPY", "¥1,500"),
            (en, "5", "CHF", "CHF\u{a0}5.00"),
            (de, "5", "CHF", "5,00\u{a0}CHF"),
            (de, "1234567.891", "USD", "1.234.567,89\u{a0}$"),
            (en, "0.1234567890123456789012", "USD", "$0.12"),
            (en, "999.995", "USD", "$1,000.00"),
        ];
        for (c, amount, code, want) in cases {
            assert_eq!(
                c.money(d(amount), code),
                want,
                "{amount} {code} {:?}",
                c.language()
            );
        }
    }

    #[test]
    fn prices_keep_the_fraction_of_a_cent_up_to_four_places() {
        let en = Catalogue::english();
        let de = Catalogue::german();
        let cases = [
            (en, "0.108", "EUR", "€0.108"),
            (en, "0.25", "USD", "$0.25"),
            (en, "0.2", "USD", "$0.20"),
            (de, "0.20149", "EUR", "0,2015\u{a0}€"),
            (de, "0.30000", "EUR", "0,30\u{a0}€"),
            (en, "-0.00004", "EUR", "€0.00"),
            (en, "12", "JPY", "¥12"),
        ];
        for (c, amount, code, want) in cases {
            assert_eq!(c.price(d(amount), code), want, "{amount} {code}");
        }
    }
}
