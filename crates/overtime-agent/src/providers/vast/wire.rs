//! The JSON shapes of Vast.ai's host API as we read and write them, and the exact reading of
//! money out of JSON numbers. Only the fields Overtime uses are modelled; unknown ones are ignored
//! so that Vast.ai adding fields never breaks us, while a missing field we rely on is an error.

use std::str::FromStr;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Body of `PUT /machines/create_asks/`. Prices are USD; `end_date` is in Unix seconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateAsks {
    pub machine: u64,
    pub price_gpu: serde_json::Number,
    pub price_disk: serde_json::Number,
    pub price_inetu: serde_json::Number,
    pub price_inetd: serde_json::Number,
    pub price_min_bid: serde_json::Number,
    pub min_chunk: u32,
    pub end_date: i64,
    pub credit_discount_max: serde_json::Number,
}

/// The `{success, msg}` envelope Vast.ai wraps most answers in; `success: false` with HTTP 200
/// is a refusal.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub msg: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

impl Envelope {
    /// The most specific explanation the server gave, if any.
    pub fn explanation(&self) -> Option<String> {
        match (&self.error, &self.msg, &self.detail) {
            (Some(e), Some(m), _) => Some(format!("{e}: {m}")),
            (_, Some(m), _) => Some(m.clone()),
            (Some(e), None, _) => Some(e.clone()),
            (None, None, Some(d)) => Some(d.clone()),
            (None, None, None) => None,
        }
    }
}

/// `GET /machines?owner=me` → `{machines: [...]}`. Each machine stays raw JSON until we pick
/// ours, so a machine we do not manage with an odd shape cannot break the reading of ours.
#[derive(Debug, Clone, Deserialize)]
pub struct MachinesReply {
    pub machines: Vec<serde_json::Value>,
}

/// One machine as `vastai show machines --raw` names its fields.
#[derive(Debug, Clone, Deserialize)]
pub struct Machine {
    pub id: u64,
    pub listed: bool,
    /// The listing's end date (Unix seconds, may be fractional); null when never listed.
    #[serde(default)]
    pub end_date: Option<f64>,
    /// The latest end date among the contracts on the machine (Unix seconds).
    #[serde(default)]
    pub client_end_date: Option<f64>,
    pub current_rentals_running: u64,
    #[serde(default)]
    pub current_rentals_on_demand: Option<u64>,
    /// Instances that exist on the machine, stopped ones included: their contracts still hold it.
    #[serde(default)]
    pub current_rentals_resident: Option<u64>,
    /// USD per GPU-hour of the live listing.
    #[serde(default)]
    pub listed_gpu_cost: Option<serde_json::Number>,
    #[serde(default)]
    pub num_gpus: Option<u32>,
    #[serde(default)]
    pub gpu_name: Option<String>,
}

/// `GET /users/me/machine-earnings` → `per_day[]`; the other sections are not used yet.
#[derive(Debug, Clone, Deserialize)]
pub struct EarningsReply {
    pub per_day: Vec<EarningsDay>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EarningsDay {
    /// Days since 1970-01-01 (UTC).
    pub day: serde_json::Number,
    pub gpu_earn: serde_json::Number,
}

/// The exact decimal a JSON number was written as.
///
/// serde_json's `arbitrary_precision` feature would keep the number's text, but Cargo features
/// are unified across the workspace and that one changes how every crate's `serde_json::Value`
/// and untagged enums behave, so it stays off. Without it a number is held as an `f64`, and
/// `Number::to_string` prints the *shortest* text that reads back as the same `f64`; for any
/// decimal of 15 significant digits or fewer (every money amount Vast.ai sends) that text is the
/// decimal that was sent, so `"0.1"` comes back as exactly 0.1 and never as 0.1000000000000000055…
/// Very small or large values print in exponent form ("1e-7"), hence the second parse.
pub fn decimal_from_number(n: &serde_json::Number) -> Option<Decimal> {
    let text = n.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
        .map(|d| d.normalize())
}

/// A decimal amount as a JSON number for a request body. Prices have a handful of digits, so the
/// nearest `f64` prints back as the same decimal (see [`decimal_from_number`]).
pub fn number_from_decimal(d: Decimal) -> Option<serde_json::Number> {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().and_then(serde_json::Number::from_f64)
}

/// An instant given as (possibly fractional) Unix seconds, rounded *up* to the second: used for
/// contract ends, where reporting a moment too early could give a rented GPU back too soon.
pub fn timestamp_from_unix_s(seconds: f64) -> Option<Timestamp> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.ceil();
    if whole < i64::MIN as f64 || whole > i64::MAX as f64 {
        return None;
    }
    Timestamp::from_second(whole as i64).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn number(text: &str) -> serde_json::Number {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn money_reads_back_as_the_decimal_that_was_written() {
        for (text, want) in [
            ("0.1", "0.1"),
            ("0.25", "0.25"),
            ("12.345678", "12.345678"),
            ("3", "3"),
            ("1e-7", "0.0000001"),
            ("0.30000000000000004", "0.30000000000000004"),
        ] {
            let got = decimal_from_number(&number(text)).unwrap();
            assert_eq!(got, Decimal::from_str(want).unwrap(), "{text}");
        }
    }

    #[test]
    fn sums_of_read_money_are_exact() {
        let a = decimal_from_number(&number("0.1")).unwrap();
        let b = decimal_from_number(&number("0.2")).unwrap();
        assert_eq!(a + b, Decimal::from_str("0.3").unwrap());
    }

    #[test]
    fn prices_written_as_numbers_read_back_unchanged() {
        for text in ["0.25", "0.1", "1.005", "0.0123"] {
            let d = Decimal::from_str(text).unwrap();
            let n = number_from_decimal(d).unwrap();
            assert_eq!(n.to_string(), text);
            assert_eq!(decimal_from_number(&n).unwrap(), d);
        }
    }

    #[test]
    fn contract_ends_round_up_to_the_second() {
        assert_eq!(
            timestamp_from_unix_s(1_700_000_000.2).unwrap(),
            Timestamp::from_second(1_700_000_001).unwrap()
        );
        assert_eq!(
            timestamp_from_unix_s(1_700_000_000.0).unwrap(),
            Timestamp::from_second(1_700_000_000).unwrap()
        );
        assert!(timestamp_from_unix_s(f64::NAN).is_none());
        assert!(timestamp_from_unix_s(1e300).is_none());
    }
}
