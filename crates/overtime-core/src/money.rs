//! Exact money: a decimal amount with its currency. Never floats, never a silent conversion.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An ISO-4217-style currency code, upper case (`EUR`, `USD`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// Accepts three ASCII letters in any case.
    pub fn new(code: &str) -> Result<Self, String> {
        if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(Currency(code.to_ascii_uppercase()))
        } else {
            Err(format!(
                "'{code}' is not a currency code: use three letters such as EUR or USD"
            ))
        }
    }

    /// US dollars, the marketplaces' currency and our default.
    pub fn usd() -> Self {
        Currency("USD".to_owned())
    }

    pub fn code(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::new(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.0
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount of money in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Serialised as a decimal string so no JSON reader turns it into a float.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub currency: Currency,
}

/// Two amounts in different currencies met where one currency was needed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot combine {left} with {right} without an exchange rate")]
pub struct CurrencyMismatch {
    pub left: Currency,
    pub right: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// The amount for people in `catalogue`'s language, rounded to the currency's places
    /// (`€1,234.56`, `1.234,56 €`).
    pub fn text(&self, catalogue: overtime_i18n::Catalogue) -> String {
        catalogue.money(self.amount, self.currency.code())
    }

    /// A price per hour or per kWh for people, keeping up to four places (`€0.108`).
    pub fn price_text(&self, catalogue: overtime_i18n::Catalogue) -> String {
        catalogue.price(self.amount, self.currency.code())
    }

    pub fn zero(currency: Currency) -> Self {
        Money {
            amount: Decimal::ZERO,
            currency,
        }
    }

    pub fn checked_add(&self, other: &Money) -> Result<Money, CurrencyMismatch> {
        self.same_currency(other)?;
        Ok(Money::new(
            self.amount + other.amount,
            self.currency.clone(),
        ))
    }

    pub fn checked_sub(&self, other: &Money) -> Result<Money, CurrencyMismatch> {
        self.same_currency(other)?;
        Ok(Money::new(
            self.amount - other.amount,
            self.currency.clone(),
        ))
    }

    fn same_currency(&self, other: &Money) -> Result<(), CurrencyMismatch> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(CurrencyMismatch {
                left: self.currency.clone(),
                right: other.currency.clone(),
            })
        }
    }

    /// Rounded to `dp` decimal places, half away from zero (how bills are rounded).
    pub fn round_dp(&self, dp: u32) -> Money {
        Money::new(
            self.amount
                .round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            self.currency.clone(),
        )
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount.normalize(), self.currency)
    }
}

/// Amounts in several currencies for people: "1.25 EUR + 0.40 USD", rounded to `dp` places;
/// "0" when there are none. Currencies are listed side by side, never added up.
pub fn format_totals(list: &[Money], dp: u32) -> String {
    if list.is_empty() {
        return "0".to_owned();
    }
    list.iter()
        .map(|m| m.round_dp(dp).to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Electricity cost of drawing `power_w` watts for one hour at `price_per_kwh`.
///
/// Power comes from a sensor as a float; it is rounded to whole watts before it enters
/// decimal arithmetic, which is far finer than any meter the user is billed by.
pub fn electricity_cost_per_hour(power_w: f64, price_per_kwh: &Money) -> Money {
    let watts = if power_w.is_finite() && power_w > 0.0 {
        power_w.round() as i64
    } else {
        0
    };
    let kwh = Decimal::new(watts, 3);
    Money::new(kwh * price_per_kwh.amount, price_per_kwh.currency.clone())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn eur(s: &str) -> Money {
        Money::new(s.parse().unwrap(), Currency::new("eur").unwrap())
    }

    #[test]
    fn cost_per_hour_is_exact() {
        // 350 W for an hour at 0.30 EUR/kWh is 0.105 EUR, not 0.10499999…
        assert_eq!(electricity_cost_per_hour(350.4, &eur("0.30")), eur("0.105"));
    }

    #[test]
    fn negative_or_nan_power_costs_nothing() {
        assert_eq!(
            electricity_cost_per_hour(f64::NAN, &eur("0.30")).amount,
            Decimal::ZERO
        );
        assert_eq!(
            electricity_cost_per_hour(-5.0, &eur("0.30")).amount,
            Decimal::ZERO
        );
    }

    #[test]
    fn currencies_never_mix() {
        let usd = Money::new(Decimal::ONE, Currency::new("USD").unwrap());
        assert!(eur("1").checked_add(&usd).is_err());
        assert_eq!(eur("1.10").checked_sub(&eur("0.25")).unwrap(), eur("0.85"));
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert!(Currency::new("EURO").is_err());
        assert!(Currency::new("E1R").is_err());
        assert_eq!(Currency::new("usd").unwrap().code(), "USD");
    }
}
