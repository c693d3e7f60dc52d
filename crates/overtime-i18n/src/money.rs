//! Money for people, per language, straight from the exact decimal: `€1,234.56` / `$1,234.56`
//! in English, `1.234,56 €` in German. The digits are worked on as a decimal string, never
//! through a float, so no rounding error can move a cent.

use overtime_core::money::Money;
use rust_decimal::RoundingStrategy;

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
    pub fn money(&self, money: &Money) -> String {
        let code = money.currency.code();
        let dp = places(code);
        let mut amount = money
            .amount
            .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
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
    use overtime_core::money::Currency;
    use rust_decimal::Decimal;

    use super::*;

    fn m(amount: &str, code: &str) -> Money {
        Money::new(
            amount.parse::<Decimal>().unwrap(),
            Currency::new(code).unwrap(),
        )
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
                c.money(&m(amount, code)),
                want,
                "{amount} {code} {:?}",
                c.language()
            );
        }
    }
}
