//! Sums of money that keep one total per currency, so dollars and euros are never added up.
//!
//! Figures mix rental earnings (often USD) with electricity costs (the user's currency); a
//! `Totals` holds both side by side and leaves conversion to a human.

use std::collections::BTreeMap;

use overtime_core::money::{Currency, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One exact total per currency, in currency-code order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Vec<Money>", from = "Vec<Money>")]
pub struct Totals(BTreeMap<Currency, Decimal>);

impl Totals {
    pub fn new() -> Totals {
        Totals::default()
    }

    /// Adds an amount to the total of its own currency.
    pub fn add(&mut self, money: &Money) {
        *self.0.entry(money.currency.clone()).or_default() += money.amount;
    }

    /// Subtracts an amount from the total of its own currency.
    pub fn sub(&mut self, money: &Money) {
        *self.0.entry(money.currency.clone()).or_default() -= money.amount;
    }

    /// Adds every total of `other`.
    pub fn add_all(&mut self, other: &Totals) {
        for money in other.iter() {
            self.add(&money);
        }
    }

    /// The total in one currency (zero when none was added).
    pub fn get(&self, currency: &Currency) -> Money {
        Money::new(
            self.0.get(currency).copied().unwrap_or_default(),
            currency.clone(),
        )
    }

    /// True when nothing was ever added.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each currency's total.
    pub fn iter(&self) -> impl Iterator<Item = Money> + '_ {
        self.0.iter().map(|(c, a)| Money::new(*a, c.clone()))
    }

    /// Each currency's total, rounded to `dp` places half away from zero, for display.
    pub fn rounded(&self, dp: u32) -> Vec<Money> {
        self.iter().map(|m| m.round_dp(dp)).collect()
    }
}

impl From<Totals> for Vec<Money> {
    fn from(t: Totals) -> Vec<Money> {
        t.iter().collect()
    }
}

impl From<Vec<Money>> for Totals {
    fn from(v: Vec<Money>) -> Totals {
        let mut t = Totals::new();
        for m in &v {
            t.add(m);
        }
        t
    }
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return f.write_str("0");
        }
        let parts: Vec<String> = self.iter().map(|m| m.to_string()).collect();
        f.write_str(&parts.join(" + "))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn money(s: &str, c: &str) -> Money {
        Money::new(s.parse().unwrap(), Currency::new(c).unwrap())
    }

    #[test]
    fn currencies_are_summed_separately_and_exactly() {
        let mut t = Totals::new();
        t.add(&money("0.10", "USD"));
        t.add(&money("0.20", "USD"));
        t.add(&money("1.50", "EUR"));
        t.sub(&money("0.25", "EUR"));
        assert_eq!(t.get(&Currency::new("USD").unwrap()), money("0.30", "USD"));
        assert_eq!(t.get(&Currency::new("EUR").unwrap()), money("1.25", "EUR"));
        assert_eq!(t.iter().count(), 2);
        assert_eq!(t.to_string(), "1.25 EUR + 0.3 USD");
    }

    #[test]
    fn totals_cross_the_wire_as_decimal_strings() {
        let mut t = Totals::new();
        t.add(&money("12.345", "USD"));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"[{"amount":"12.345","currency":"USD"}]"#);
        assert_eq!(serde_json::from_str::<Totals>(&json).unwrap(), t);
    }
}
