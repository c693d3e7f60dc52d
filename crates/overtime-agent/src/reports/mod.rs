//! Reports over the earnings ledger, for every front end: History, the dashboard's 24-hour
//! strip, CSV export and the standard earnings periods. The window, the API and the CLI all
//! come here, so each figure has one definition:
//!
//! - **gross**: everything a range earned — providers' statements plus live estimates
//!   (contract price × time) for rental time no statement covers yet;
//! - **estimated**: the part of gross that is such an estimate, shown beside it so an estimate
//!   is never dressed as a statement;
//! - **electricity**: what the GPUs and the rest of the PC drew, at the tariff in force;
//! - **net**: gross − electricity, per currency.
//!
//! Periods ("today", "7 days", …) are [`overtime_core::Period`]. Reports read the ledger through
//! their own read-only connection, so they never wait on or disturb the agent's writer; callers
//! on the async runtime run them on a blocking thread.

pub mod export;
pub mod history;
pub mod timeline;

use std::path::PathBuf;

use overtime_core::Mode;
use overtime_core::config::Config;
use overtime_core::money::Money;
use overtime_ledger::{CostModel, Figures, LedgerError, LedgerStore, Totals};
use serde::Serialize;
use ts_rs::TS;

use crate::error::AgentError;
use crate::ledger_feed;
use crate::snapshot::AgentSnapshot;

/// Decimal places money crosses to front ends with: far below any coin, so nothing a person
/// reads is lost, and the same everywhere (the ledger itself keeps every digit).
pub const WIRE_MONEY_DP: u32 = 6;

/// An exact amount of money: `amount` is a decimal string (`"12.34"`, `"-0.5"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UiMoney {
    pub amount: String,
    /// ISO 4217 code (`EUR`).
    pub currency: String,
}

impl From<&Money> for UiMoney {
    fn from(m: &Money) -> UiMoney {
        UiMoney {
            amount: m.round_dp(WIRE_MONEY_DP).amount.normalize().to_string(),
            currency: m.currency.code().to_owned(),
        }
    }
}

/// A list of amounts, one per currency, as they cross.
pub fn ui_money(list: &[Money]) -> Vec<UiMoney> {
    list.iter().map(UiMoney::from).collect()
}

/// The money of one range, as defined at the top of this module. One total per currency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Earned {
    pub gross: Vec<Money>,
    pub estimated: Vec<Money>,
    pub electricity: Vec<Money>,
    pub net: Vec<Money>,
}

impl Earned {
    pub fn of(f: &Figures) -> Earned {
        let list = |t: &Totals| t.iter().collect::<Vec<Money>>();
        let mut gross = f.gross.clone();
        gross.add_all(&f.estimated);
        Earned {
            gross: list(&gross),
            estimated: list(&f.estimated),
            electricity: list(&f.electricity_cost),
            // The ledger's net is already `statements + estimates − electricity`.
            net: list(&f.net),
        }
    }
}

/// Hours one mode was on, summed over GPUs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ModeHours {
    pub mode: Mode,
    pub hours: f64,
}

/// Volunteer credit one project granted in the range.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProjectCreditWire {
    pub provider: String,
    pub project: String,
    pub credit: f64,
}

/// Money, energy and time for a range. Each money list holds one total per currency; gross,
/// estimated, electricity and net mean what the top of this module says.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(rename = "HistoryFigures")]
pub struct PeriodFigures {
    /// Statements plus live estimates.
    pub gross: Vec<UiMoney>,
    /// The part of `gross` that is an estimate (contract price × time).
    pub estimated: Vec<UiMoney>,
    /// Electricity for the GPUs and the rest of the PC, in the tariff's currency.
    pub electricity: Vec<UiMoney>,
    /// `gross − electricity`, per currency.
    pub net: Vec<UiMoney>,
    pub energy_kwh: f64,
    pub mode_hours: Vec<ModeHours>,
    pub credits: Vec<ProjectCreditWire>,
    /// Grams of CO2 for `energy_kwh`, when the configuration gives a carbon intensity.
    pub co2_g: Option<f64>,
}

impl From<&Figures> for PeriodFigures {
    fn from(f: &Figures) -> PeriodFigures {
        let earned = Earned::of(f);
        PeriodFigures {
            gross: ui_money(&earned.gross),
            estimated: ui_money(&earned.estimated),
            electricity: ui_money(&earned.electricity),
            net: ui_money(&earned.net),
            energy_kwh: f.energy_kwh,
            mode_hours: f
                .mode_hours
                .iter()
                .map(|(m, h)| ModeHours {
                    mode: *m,
                    hours: *h,
                })
                .collect(),
            credits: f
                .credits
                .iter()
                .map(|c| ProjectCreditWire {
                    provider: c.provider.clone(),
                    project: c.project.clone(),
                    credit: c.credit,
                })
                .collect(),
            co2_g: f.co2_g,
        }
    }
}

/// Where the ledger is and how to read it, gathered from the agent's snapshot and the
/// configuration in force.
#[derive(Debug, Clone)]
pub struct LedgerAccess {
    pub path: PathBuf,
    pub model: CostModel,
    pub timezone: String,
    pub simulated: bool,
    /// Present GPUs: UUID, index, name.
    pub gpus: Vec<(String, u32, String)>,
}

impl LedgerAccess {
    /// Finds the ledger the agent writes. Fails when this run keeps none or it could not be
    /// opened, saying why.
    pub fn from_agent(
        snapshot: &AgentSnapshot,
        config: &Config,
    ) -> Result<LedgerAccess, AgentError> {
        let ledger = snapshot.ledger.as_ref().ok_or_else(|| {
            AgentError::Ledger(
                "this run of Overtime keeps no earnings history, so there is nothing to show; \
                 restart Overtime normally to record it"
                    .to_owned(),
            )
        })?;
        if ledger.path.is_empty() {
            let why = ledger.last_error.as_deref().unwrap_or("unknown reason");
            return Err(AgentError::Ledger(format!(
                "the earnings history could not be opened when Overtime started ({why}); \
                 fix that and restart Overtime"
            )));
        }
        let model = ledger_feed::cost_model(config, &snapshot.time_zone());
        Ok(LedgerAccess {
            path: PathBuf::from(&ledger.path),
            model,
            timezone: snapshot.timezone.clone(),
            simulated: snapshot.simulated || snapshot.providers.iter().any(|p| p.simulated),
            gpus: snapshot
                .gpus
                .iter()
                .map(|g| (g.gpu.uuid.clone(), g.gpu.index, g.gpu.name.clone()))
                .collect(),
        })
    }

    /// The ledger at `path` as `config` prices it, for a front end that reads it whether or not
    /// the agent runs (`overtime export`). `tz` is the time zone days are counted in.
    pub fn offline(path: PathBuf, config: &Config, tz: &jiff::tz::TimeZone) -> LedgerAccess {
        use overtime_core::config::providers::{RentalChoice, VolunteerChoice};
        LedgerAccess {
            path,
            model: ledger_feed::cost_model(config, tz),
            timezone: tz.iana_name().unwrap_or("UTC").to_owned(),
            simulated: config.providers.rental == RentalChoice::Demo
                || config.providers.volunteer == VolunteerChoice::Demo,
            gpus: Vec::new(),
        }
    }

    /// Opens the ledger read-only; a missing file is an error that says so.
    pub fn open(&self) -> Result<LedgerStore, AgentError> {
        if !self.path.exists() {
            return Err(AgentError::Ledger(format!(
                "the earnings history file {} is missing (moved or deleted?); restart \
                 Overtime to start a new one",
                self.path.display()
            )));
        }
        LedgerStore::open_reader(&self.path).map_err(ledger_error)
    }
}

/// A ledger failure as front ends show it: a bad range is the caller's to fix, anything else
/// is the file's (its message says what to do).
pub fn ledger_error(e: LedgerError) -> AgentError {
    match e {
        LedgerError::Range(_) => AgentError::Rejected(e.to_string()),
        other => AgentError::Ledger(other.to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::Arc;

    use overtime_core::money::Currency;

    use super::*;
    use crate::error::ErrorCode;
    use crate::snapshot::{ActivityView, ConfigView, ScheduleView};

    fn snapshot(simulated: bool) -> AgentSnapshot {
        AgentSnapshot {
            at: "2025-06-03T12:00:00Z".parse().unwrap(),
            agent_version: "test".into(),
            simulated,
            sensor_backend: "test".into(),
            timezone: "Europe/Berlin".into(),
            gpus: Vec::new(),
            activity: ActivityView::default(),
            overrides: Vec::new(),
            providers: Vec::new(),
            schedule: ScheduleView::default(),
            config: ConfigView::default(),
            decisions_total: 0,
            recent_decisions: Arc::new(Vec::new()),
            ledger: None,
        }
    }

    #[test]
    fn the_agent_says_where_its_ledger_is_or_why_there_is_none() {
        let mut snap = snapshot(true);
        let config = Config::default();

        let e = LedgerAccess::from_agent(&snap, &config).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Ledger);
        assert!(e.to_string().contains("keeps no earnings history"), "{e}");

        // The ledger failed to open at start-up: the reason is passed on.
        snap.ledger = Some(ledger_feed::LedgerView {
            recording: false,
            last_error: Some("the disk is full".into()),
            ..Default::default()
        });
        let e = LedgerAccess::from_agent(&snap, &config).unwrap_err();
        assert!(e.to_string().contains("the disk is full"), "{e}");

        // A ledger in use: its path, its zone and demo mode.
        snap.ledger = Some(ledger_feed::LedgerView {
            path: "/data/ledger.sqlite".into(),
            recording: true,
            ..Default::default()
        });
        let a = LedgerAccess::from_agent(&snap, &config).unwrap();
        assert_eq!(a.path, PathBuf::from("/data/ledger.sqlite"));
        assert_eq!(a.model.tz.iana_name(), Some("Europe/Berlin"));
        assert!(a.simulated, "simulated GPUs make simulated figures");
        assert!(!LedgerAccess::from_agent(&snapshot(false), &config).is_ok_and(|a| a.simulated));
    }

    #[test]
    fn money_crosses_with_one_rounding_everywhere() {
        let m = |a: &str| Money::new(a.parse().unwrap(), Currency::new("EUR").unwrap());
        assert_eq!(UiMoney::from(&m("1.0000000001")).amount, "1");
        assert_eq!(UiMoney::from(&m("12.3400")).amount, "12.34");
        assert_eq!(UiMoney::from(&m("0.0000005")).amount, "0.000001");
        assert_eq!(UiMoney::from(&m("-0.5")).amount, "-0.5");
    }
}
