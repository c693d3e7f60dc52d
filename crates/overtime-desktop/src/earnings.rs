//! The earnings ledger as the dashboard shows it: whether history is being recorded (and what
//! to do when it is not) and the money figures for today, 7 and 30 days.
//!
//! Money crosses as exact decimal strings with their currency, one entry per currency, never
//! summed across currencies and never turned into a float; the UI formats them per locale.

use overtime_agent::ledger_feed::{EarningsPeriod, EarningsView, LedgerView};
pub use overtime_agent::reports::UiMoney;
use overtime_agent::reports::ui_money as money;
use serde::Serialize;
use ts_rs::TS;

/// The ledger's state and figures, carried in every snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiLedger {
    /// The database file; empty when it could not be opened at all.
    pub path: String,
    /// False while writes fail (disk full, …). GPU control goes on; the writer retries.
    pub recording: bool,
    /// The latest write (or open) error, with what to do; kept after recovery.
    pub last_error: Option<String>,
    /// Events lost because the writer's queue was full.
    #[ts(type = "number")]
    pub dropped: u64,
    /// A damaged file found at start was moved here (never deleted) and a new one started.
    pub moved_aside: Option<String>,
    /// `null` until the figures were first read (a few seconds after start).
    pub earnings: Option<UiEarnings>,
}

/// Figures for the standard ranges, as of one instant.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiEarnings {
    #[ts(type = "number | null")]
    pub as_of_ms: Option<i64>,
    /// Some figure comes from a simulated (demo) GPU or provider: every figure must say so.
    pub simulated: bool,
    /// Today, 7 days, 30 days, in that order (ranges the dashboard does not show are left out).
    pub periods: Vec<UiPeriod>,
}

/// A range the earnings panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub enum UiRange {
    /// Since local midnight in the configured time zone.
    #[serde(rename = "today")]
    Today,
    #[serde(rename = "7d")]
    Days7,
    #[serde(rename = "30d")]
    Days30,
}

impl UiRange {
    fn parse(name: &str) -> Option<UiRange> {
        match name {
            "today" => Some(UiRange::Today),
            "7d" => Some(UiRange::Days7),
            "30d" => Some(UiRange::Days30),
            _ => None,
        }
    }
}

/// What one range earned and cost. Each list holds one amount per currency.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiPeriod {
    pub range: UiRange,
    /// Statements plus live estimates (`overtime_agent::reports` defines each figure).
    pub gross: Vec<UiMoney>,
    /// The part of `gross` that is a live estimate (contract price × elapsed) for rental time
    /// no statement covers yet: a running rental. Replaced by the statement once it comes.
    pub estimated: Vec<UiMoney>,
    /// Electricity for the GPUs and the rest of the PC, in the tariff's currency.
    pub electricity: Vec<UiMoney>,
    /// `gross − electricity`, per currency.
    pub net: Vec<UiMoney>,
    pub energy_kwh: f64,
    /// Volunteer credit earned in the range, per project (credits are points, not money).
    pub credits: Vec<UiCredit>,
}

/// Credit for one volunteer project.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiCredit {
    pub provider: String,
    pub project: String,
    pub credit: f64,
}

impl UiLedger {
    /// `agent_simulated`: the GPU readings are simulated (demo mode), so energy and cost are too.
    pub fn from_view(v: &LedgerView, agent_simulated: bool) -> UiLedger {
        UiLedger {
            path: v.path.clone(),
            recording: v.recording,
            last_error: v.last_error.clone(),
            dropped: v.dropped,
            moved_aside: v.moved_aside.clone(),
            earnings: v
                .earnings
                .as_ref()
                .map(|e| UiEarnings::from_view(e, agent_simulated)),
        }
    }
}

impl UiEarnings {
    fn from_view(e: &EarningsView, agent_simulated: bool) -> UiEarnings {
        UiEarnings {
            as_of_ms: e.as_of.map(|t| t.as_millisecond()),
            simulated: e.includes_simulated || agent_simulated,
            periods: e.periods.iter().filter_map(UiPeriod::from_view).collect(),
        }
    }
}

impl UiPeriod {
    fn from_view(p: &EarningsPeriod) -> Option<UiPeriod> {
        Some(UiPeriod {
            range: UiRange::parse(&p.range)?,
            gross: money(&p.gross),
            estimated: money(&p.estimated),
            electricity: money(&p.electricity),
            net: money(&p.net),
            energy_kwh: p.energy_kwh,
            credits: p
                .credits
                .iter()
                .map(|(provider, project, credit)| UiCredit {
                    provider: provider.clone(),
                    project: project.clone(),
                    credit: *credit,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use overtime_core::money::{Currency, Money};

    fn m(amount: &str, currency: &str) -> Money {
        Money::new(amount.parse().unwrap(), Currency::new(currency).unwrap())
    }

    fn period(range: &str) -> EarningsPeriod {
        EarningsPeriod {
            range: range.into(),
            gross: vec![m("1.0000000001", "USD")],
            estimated: vec![m("0.35", "USD")],
            electricity: vec![m("0.42", "EUR")],
            net: vec![m("-0.42", "EUR"), m("1.3500000001", "USD")],
            energy_kwh: 1.5,
            credits: vec![("BOINC".into(), "Einstein@Home".into(), 1200.0)],
            ..EarningsPeriod::default()
        }
    }

    fn view(simulated: bool) -> LedgerView {
        LedgerView {
            path: "/data/ledger.sqlite".into(),
            recording: true,
            earnings: Some(EarningsView {
                as_of: Some("2026-03-01T12:00:00Z".parse().unwrap()),
                includes_simulated: simulated,
                periods: ["today", "7d", "30d", "all"].map(period).to_vec(),
            }),
            ..LedgerView::default()
        }
    }

    #[test]
    fn money_crosses_as_exact_decimal_strings_one_per_currency() {
        let ui = UiLedger::from_view(&view(false), false);
        let today = &ui.earnings.as_ref().unwrap().periods[0];
        assert_eq!(today.range, UiRange::Today);
        assert_eq!(
            today.net,
            vec![
                UiMoney {
                    amount: "-0.42".into(),
                    currency: "EUR".into()
                },
                // Six places, as every figure crosses: below any coin.
                UiMoney {
                    amount: "1.35".into(),
                    currency: "USD".into()
                },
            ]
        );
        assert_eq!(today.estimated[0].amount, "0.35");
        assert_eq!(today.credits[0].project, "Einstein@Home");
        let json = serde_json::to_value(today).unwrap();
        assert_eq!(json["gross"][0]["amount"], "1");
        assert_eq!(json["range"], "today");
    }

    #[test]
    fn only_the_ranges_the_panel_shows_cross_in_order() {
        let ui = UiLedger::from_view(&view(false), false);
        let ranges: Vec<UiRange> = ui
            .earnings
            .unwrap()
            .periods
            .iter()
            .map(|p| p.range)
            .collect();
        assert_eq!(
            ranges,
            vec![UiRange::Today, UiRange::Days7, UiRange::Days30]
        );
    }

    #[test]
    fn figures_are_simulated_when_the_gpu_or_a_provider_is() {
        let by_provider = UiLedger::from_view(&view(true), false);
        assert!(by_provider.earnings.unwrap().simulated);
        let by_gpu = UiLedger::from_view(&view(false), true);
        assert!(by_gpu.earnings.unwrap().simulated);
        let real = UiLedger::from_view(&view(false), false);
        assert!(!real.earnings.unwrap().simulated);
    }

    #[test]
    fn a_ledger_that_is_not_recording_says_why() {
        let v = LedgerView {
            path: "/data/ledger.sqlite".into(),
            recording: false,
            last_error: Some("database or disk is full".into()),
            dropped: 3,
            moved_aside: Some("/data/ledger.sqlite.corrupt-20260301T000000Z".into()),
            ..LedgerView::default()
        };
        let ui = UiLedger::from_view(&v, false);
        assert!(!ui.recording);
        assert_eq!(ui.last_error.as_deref(), Some("database or disk is full"));
        assert_eq!(ui.dropped, 3);
        assert!(ui.moved_aside.unwrap().contains("corrupt"));
        assert!(ui.earnings.is_none());
    }
}
