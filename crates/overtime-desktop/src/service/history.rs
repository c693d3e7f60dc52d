//! The history view: what a range of time earned, cost and did, in total, per local day and
//! per session. It reads the earnings ledger through its own read-only connection, so it never
//! waits on or disturbs the agent's writer. Money crosses as exact decimal strings, one total
//! per currency; nothing is ever converted.

use std::path::PathBuf;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use overtime_agent::ledger_feed;
use overtime_agent::snapshot::AgentSnapshot;
use overtime_core::config::Config;
use overtime_core::money::Money;
use overtime_ledger::{CostModel, FigureFilter, Figures, LedgerError, LedgerStore, Totals};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::control;
use crate::error::DesktopError;
use crate::wire::UiMode;

type Result<T> = std::result::Result<T, DesktopError>;

/// Sessions listed when the query names no limit.
pub const DEFAULT_SESSION_LIMIT: u32 = 50;

/// Which stretch of time to show. Named ranges are local days in the agent's time zone and end
/// with today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "preset", rename_all = "snake_case")]
pub enum HistoryRange {
    Today,
    /// Today and the 6 days before it.
    #[serde(rename = "7d")]
    Last7Days,
    /// Today and the 29 days before it.
    #[serde(rename = "30d")]
    Last30Days,
    /// From the 1st of this month to the end of today.
    ThisMonth,
    LastMonth,
    /// Whole local days, `YYYY-MM-DD`, both included: what date pickers give.
    Days {
        first_day: String,
        last_day: String,
    },
    /// Exact instants, `[from_ms, to_ms)`.
    Custom {
        #[ts(type = "number")]
        from_ms: i64,
        #[ts(type = "number")]
        to_ms: i64,
    },
}

/// What the history view asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryQuery {
    pub range: HistoryRange,
    /// One GPU's UUID; `null`: all.
    pub gpu: Option<String>,
    /// One provider (`vastai`, `boinc`, …); `null`: all.
    pub provider: Option<String>,
    /// One mode; `null`: all.
    pub mode: Option<UiMode>,
    /// Sessions to list, newest first; `null`: 50. At most 1,000.
    pub limit: Option<u32>,
}

pub use crate::earnings::UiMoney;

/// History rounds to six places, far below any coin.
impl From<&Money> for UiMoney {
    fn from(m: &Money) -> UiMoney {
        UiMoney {
            amount: m.round_dp(6).amount.normalize().to_string(),
            currency: m.currency.code().to_owned(),
        }
    }
}

fn totals(t: &Totals) -> Vec<UiMoney> {
    t.iter().map(|m| UiMoney::from(&m)).collect()
}

/// Hours one mode was on, summed over GPUs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ModeHours {
    pub mode: UiMode,
    pub hours: f64,
}

/// Volunteer credit one project granted in the range.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProjectCreditWire {
    pub provider: String,
    pub project: String,
    pub credit: f64,
}

/// Money, energy and time for a range. Each money list holds one total per currency.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HistoryFigures {
    /// Earnings: provider statements plus live estimates for rental time no statement
    /// covers yet.
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

impl From<&Figures> for HistoryFigures {
    fn from(f: &Figures) -> HistoryFigures {
        let mut gross = f.gross.clone();
        gross.add_all(&f.estimated);
        HistoryFigures {
            gross: totals(&gross),
            estimated: totals(&f.estimated),
            electricity: totals(&f.electricity_cost),
            net: totals(&f.net),
            energy_kwh: f.energy_kwh,
            mode_hours: f
                .mode_hours
                .iter()
                .map(|(m, h)| ModeHours {
                    mode: (*m).into(),
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

/// One local day of the chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HistoryDay {
    /// `YYYY-MM-DD` in the agent's time zone.
    pub date: String,
    /// Where the day starts (or the range, for a cut first day).
    #[ts(type = "number")]
    pub start_ms: i64,
    pub gross: Vec<UiMoney>,
    pub electricity: Vec<UiMoney>,
    pub net: Vec<UiMoney>,
}

/// One mode session of one GPU, listed whole even where it crosses the range's edges.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HistorySession {
    #[ts(type = "number")]
    pub id: i64,
    pub gpu_uuid: String,
    #[ts(type = "number")]
    pub start_ms: i64,
    /// `null` while the session goes on.
    #[ts(type = "number | null")]
    pub end_ms: Option<i64>,
    pub mode: UiMode,
    pub provider: Option<String>,
    /// Why the GPU entered the mode, as the sentence shown then.
    pub reason: String,
    /// What the GPU drew (the rest of the PC is not included per session).
    pub energy_kwh: f64,
    pub electricity: UiMoney,
    /// What the rental contract pays for the session (price × length); `null` when it was no
    /// paid rental. The provider's statement is what counts.
    pub earnings: Option<UiMoney>,
}

/// A GPU the filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HistoryGpu {
    pub uuid: String,
    /// Index and name while the GPU is present; `null` for one only the ledger remembers.
    pub index: Option<u32>,
    pub name: Option<String>,
}

/// Everything the history view shows for one query.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HistoryView {
    /// Demo mode: simulated GPUs or providers wrote (some of) these figures. Label them so.
    pub simulated: bool,
    /// The range resolved, `[from_ms, to_ms)`.
    #[ts(type = "number")]
    pub from_ms: i64,
    #[ts(type = "number")]
    pub to_ms: i64,
    /// The first and last local day of the range (`YYYY-MM-DD`), for the date pickers.
    pub first_day: String,
    pub last_day: String,
    /// IANA zone the days are in.
    pub timezone: String,
    pub totals: HistoryFigures,
    /// One entry per local day, oldest first.
    pub days: Vec<HistoryDay>,
    /// Newest first.
    pub sessions: Vec<HistorySession>,
    /// Older sessions in the range did not fit in `limit`.
    pub more_sessions: bool,
    /// Filter choices: present GPUs first, then any only the ledger remembers.
    pub gpus: Vec<HistoryGpu>,
    pub providers: Vec<String>,
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
    pub fn from_agent(snapshot: &AgentSnapshot, config: &Config) -> Result<LedgerAccess> {
        let ledger = snapshot.ledger.as_ref().ok_or_else(|| {
            DesktopError::Ledger(
                "this run of Overtime keeps no earnings history, so there is nothing to show; \
                 restart Overtime normally to record it"
                    .to_owned(),
            )
        })?;
        if ledger.path.is_empty() {
            let why = ledger.last_error.as_deref().unwrap_or("unknown reason");
            return Err(DesktopError::Ledger(format!(
                "the earnings history could not be opened when Overtime started ({why}); \
                 fix that and restart Overtime"
            )));
        }
        let tz = control::zone_named(&snapshot.timezone);
        let model = ledger_feed::cost_model(config, &tz).map_err(|e| {
            DesktopError::ConfigFile(format!(
                "the electricity tariff in the configuration cannot be used ({e}); \
                 fix [electricity] in the configuration file"
            ))
        })?;
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

    /// Opens the ledger read-only; a missing file is an error that says so.
    pub fn open(&self) -> Result<LedgerStore> {
        if !self.path.exists() {
            return Err(DesktopError::Ledger(format!(
                "the earnings history file {} is missing (moved or deleted?); restart \
                 Overtime to start a new one",
                self.path.display()
            )));
        }
        LedgerStore::open_reader(&self.path).map_err(ledger_error)
    }
}

/// A ledger failure as the UI shows it: a bad range is the caller's to fix, anything else is
/// the file's (its message says what to do).
pub fn ledger_error(e: LedgerError) -> DesktopError {
    match e {
        LedgerError::Range(_) => DesktopError::Rejected(e.to_string()),
        other => DesktopError::Ledger(other.to_string()),
    }
}

/// `[from, to)` for a range, in `tz`, as of `now`.
pub fn resolve(
    range: &HistoryRange,
    tz: &TimeZone,
    now: Timestamp,
) -> Result<(Timestamp, Timestamp)> {
    let today = now.to_zoned_datetime(tz.clone()).date();
    let midnight = |d: Date| -> Result<Timestamp> {
        d.to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| DesktopError::Rejected(format!("the day {d} has no start here: {e}")))
    };
    let days_before = |n: i64| -> Result<Date> {
        today
            .checked_sub(n.days())
            .map_err(|e| DesktopError::Rejected(format!("that range reaches too far back: {e}")))
    };
    let tomorrow = || -> Result<Timestamp> {
        midnight(
            today
                .tomorrow()
                .map_err(|e| DesktopError::Rejected(e.to_string()))?,
        )
    };
    let (from, to) = match range {
        HistoryRange::Today => (midnight(today)?, tomorrow()?),
        HistoryRange::Last7Days => (midnight(days_before(6)?)?, tomorrow()?),
        HistoryRange::Last30Days => (midnight(days_before(29)?)?, tomorrow()?),
        HistoryRange::ThisMonth => (midnight(today.first_of_month())?, tomorrow()?),
        HistoryRange::LastMonth => {
            let this = today.first_of_month();
            let last = this
                .yesterday()
                .map_err(|e| DesktopError::Rejected(e.to_string()))?
                .first_of_month();
            (midnight(last)?, midnight(this)?)
        }
        HistoryRange::Days {
            first_day,
            last_day,
        } => {
            let day = |s: &str| -> Result<Date> {
                s.parse().map_err(|_| {
                    DesktopError::Rejected(format!("'{s}' is not a date; pick one as YYYY-MM-DD"))
                })
            };
            let (first, last) = (day(first_day)?, day(last_day)?);
            if last < first {
                return Err(DesktopError::Rejected(format!(
                    "the last day {last} is before the first day {first}; swap them"
                )));
            }
            let after = last
                .tomorrow()
                .map_err(|e| DesktopError::Rejected(e.to_string()))?;
            (midnight(first)?, midnight(after)?)
        }
        HistoryRange::Custom { from_ms, to_ms } => {
            let at = |ms: i64| {
                Timestamp::from_millisecond(ms).map_err(|e| {
                    DesktopError::Rejected(format!("{ms} is not a time Overtime can use: {e}"))
                })
            };
            (at(*from_ms)?, at(*to_ms)?)
        }
    };
    if to <= from {
        return Err(DesktopError::Rejected(
            "the range is empty: its end must come after its start".to_owned(),
        ));
    }
    Ok((from, to))
}

/// The local days `[from, to)` covers: its first and its last.
pub fn day_span(from: Timestamp, to: Timestamp, tz: &TimeZone) -> (Date, Date) {
    let first = from.to_zoned_datetime(tz.clone()).date();
    let last = (to - SignedDuration::from_millis(1))
        .to_zoned_datetime(tz.clone())
        .date();
    (first, last)
}

/// Answers a history query from the ledger, as of `now`.
pub fn history(access: &LedgerAccess, query: &HistoryQuery, now: Timestamp) -> Result<HistoryView> {
    let (from, to) = resolve(&query.range, &access.model.tz, now)?;
    let store = access.open()?;
    let filter = FigureFilter {
        gpu_uuid: query.gpu.clone(),
        provider: query.provider.clone(),
        mode: query.mode.map(Into::into),
    };
    let model = &access.model;
    let totals = store
        .figures(from, to, &filter, model, now)
        .map_err(ledger_error)?;
    let days = store
        .daily_series_between(from, to, &filter, model, now)
        .map_err(ledger_error)?;
    let limit = query.limit.unwrap_or(DEFAULT_SESSION_LIMIT) as usize;
    let page = store
        .sessions_page(from, to, &filter, limit, model, now)
        .map_err(ledger_error)?;
    let seen = store.dimensions().map_err(ledger_error)?;

    let mut gpus: Vec<HistoryGpu> = access
        .gpus
        .iter()
        .map(|(uuid, index, name)| HistoryGpu {
            uuid: uuid.clone(),
            index: Some(*index),
            name: Some(name.clone()),
        })
        .collect();
    for uuid in seen.gpus {
        if !gpus.iter().any(|g| g.uuid == uuid) {
            gpus.push(HistoryGpu {
                uuid,
                index: None,
                name: None,
            });
        }
    }
    let (first_day, last_day) = day_span(from, to, &model.tz);
    Ok(HistoryView {
        simulated: access.simulated,
        from_ms: from.as_millisecond(),
        to_ms: to.as_millisecond(),
        first_day: first_day.to_string(),
        last_day: last_day.to_string(),
        timezone: access.timezone.clone(),
        totals: HistoryFigures::from(&totals),
        days: days
            .iter()
            .map(|d| {
                let f = HistoryFigures::from(&d.figures);
                HistoryDay {
                    date: d.date.to_string(),
                    start_ms: d.figures.from.as_millisecond(),
                    gross: f.gross,
                    electricity: f.electricity,
                    net: f.net,
                }
            })
            .collect(),
        sessions: page
            .sessions
            .iter()
            .map(|s| HistorySession {
                id: s.id,
                gpu_uuid: s.gpu_uuid.clone(),
                start_ms: s.start.as_millisecond(),
                end_ms: s.end.map(|e| e.as_millisecond()),
                mode: s.mode.into(),
                provider: s.provider.clone(),
                reason: s.reason.clone(),
                energy_kwh: s.gpu_energy_kwh,
                electricity: UiMoney::from(&s.electricity_cost),
                earnings: s.contract_earnings.as_ref().map(UiMoney::from),
            })
            .collect(),
        more_sessions: page.more,
        gpus,
        providers: seen.providers,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::path::Path;

    use overtime_core::Mode;
    use overtime_core::money::Currency;
    use overtime_ledger::{EarningRecord, EnergySource, Event, MinuteRollup, SessionStart, Tariff};

    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn money(amount: &str, currency: &str) -> Money {
        Money::new(amount.parse().unwrap(), Currency::new(currency).unwrap())
    }

    fn start(
        gpu: &str,
        at: &str,
        mode: Mode,
        provider: Option<&str>,
        price: Option<&str>,
    ) -> Event {
        Event::SessionStarted(SessionStart {
            gpu_uuid: gpu.into(),
            at: t(at),
            mode,
            provider: provider.map(Into::into),
            reason_code: "schedule".into(),
            reason: format!("{} — schedule window", mode.label()),
            price_per_hour: price.map(|p| money(p, "USD")),
        })
    }

    fn minutes(gpu: &str, from: &str, to: &str, power_w: f64) -> Vec<Event> {
        let (mut at, to) = (t(from), t(to));
        let mut out = Vec::new();
        while at < to {
            out.push(Event::Minute(MinuteRollup {
                gpu_uuid: gpu.into(),
                minute: at,
                temp_min_c: None,
                temp_avg_c: None,
                temp_max_c: None,
                load_avg_pct: None,
                power_avg_w: Some(power_w),
                energy_wh: power_w / 60.0,
                energy_source: EnergySource::Counter,
            }));
            at += SignedDuration::from_mins(1);
        }
        out
    }

    fn statement(id: &str, amount: &str, currency: &str, from: &str, to: &str) -> Event {
        Event::Earning(EarningRecord {
            provider: "vastai".into(),
            source_id: id.into(),
            amount: money(amount, currency),
            period_start: t(from),
            period_end: t(to),
            gpu_uuid: Some("GPU-A".into()),
        })
    }

    /// A ledger file written through the ledger crate, as the agent writes it.
    fn ledger(dir: &Path, events: &[Event]) -> PathBuf {
        let path = dir.join("ledger.sqlite");
        let (mut store, _) = LedgerStore::open(&path).unwrap();
        store.apply(events).unwrap();
        path
    }

    fn access(path: PathBuf, tz: &str) -> LedgerAccess {
        let tz = TimeZone::get(tz).unwrap();
        LedgerAccess {
            path,
            model: CostModel {
                tariff: Tariff::flat("0.25".parse().unwrap(), Currency::new("EUR").unwrap())
                    .compile()
                    .unwrap(),
                tz,
                rest_of_pc_w: 0.0,
            },
            timezone: "Europe/Berlin".into(),
            simulated: false,
            gpus: vec![("GPU-A".into(), 0, "RTX 4080".into())],
        }
    }

    fn query(range: HistoryRange) -> HistoryQuery {
        HistoryQuery {
            range,
            gpu: None,
            provider: None,
            mode: None,
            limit: None,
        }
    }

    fn days(first: &str, last: &str) -> HistoryRange {
        HistoryRange::Days {
            first_day: first.into(),
            last_day: last.into(),
        }
    }

    fn amount(list: &[UiMoney], currency: &str) -> Option<String> {
        list.iter()
            .find(|m| m.currency == currency)
            .map(|m| m.amount.clone())
    }

    /// A rental on GPU-A from 22:00 to 02:00 Berlin time (two local days), paid in USD, on a
    /// tariff in EUR; GPU-B volunteers for BOINC meanwhile.
    fn across_midnight(dir: &Path) -> PathBuf {
        let mut events = vec![
            start(
                "GPU-A",
                "2025-06-01T20:00Z",
                Mode::Rental,
                Some("vastai"),
                Some("0.50"),
            ),
            start(
                "GPU-B",
                "2025-06-01T20:00Z",
                Mode::Volunteer,
                Some("boinc"),
                None,
            ),
        ];
        events.extend(minutes(
            "GPU-A",
            "2025-06-01T20:00Z",
            "2025-06-02T00:00Z",
            250.0,
        ));
        events.extend(minutes(
            "GPU-B",
            "2025-06-01T20:00Z",
            "2025-06-02T00:00Z",
            150.0,
        ));
        events.push(start("GPU-A", "2025-06-02T00:00Z", Mode::Idle, None, None));
        events.push(start("GPU-B", "2025-06-02T00:00Z", Mode::Idle, None, None));
        events.push(statement(
            "s1",
            "1.90",
            "USD",
            "2025-06-01T20:00Z",
            "2025-06-02T00:00Z",
        ));
        ledger(dir, &events)
    }

    #[test]
    fn named_ranges_are_local_days_ending_today() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        // 01:30 on 15 March in Berlin, still the 14th in UTC.
        let now = t("2025-03-15T00:30Z");
        let local = |s: &str| t(s);
        let cases = [
            (
                HistoryRange::Today,
                "2025-03-15T00:00+01:00",
                "2025-03-16T00:00+01:00",
            ),
            (
                HistoryRange::Last7Days,
                "2025-03-09T00:00+01:00",
                "2025-03-16T00:00+01:00",
            ),
            (
                HistoryRange::Last30Days,
                "2025-02-14T00:00+01:00",
                "2025-03-16T00:00+01:00",
            ),
            (
                HistoryRange::ThisMonth,
                "2025-03-01T00:00+01:00",
                "2025-03-16T00:00+01:00",
            ),
            (
                HistoryRange::LastMonth,
                "2025-02-01T00:00+01:00",
                "2025-03-01T00:00+01:00",
            ),
            // Across the spring-forward night: the 30th is 23 hours long.
            (
                days("2025-03-30", "2025-03-30"),
                "2025-03-30T00:00+01:00",
                "2025-03-31T00:00+02:00",
            ),
        ];
        for (range, from, to) in cases {
            let got = resolve(&range, &tz, now).unwrap();
            assert_eq!(got, (local(from), local(to)), "{range:?}");
        }
    }

    #[test]
    fn a_backwards_or_empty_range_is_refused_with_what_to_do() {
        let tz = TimeZone::UTC;
        let now = t("2025-03-15T00:30Z");
        let e = resolve(&days("2025-03-10", "2025-03-01"), &tz, now).unwrap_err();
        assert!(e.to_string().contains("swap them"), "{e}");
        let e = resolve(&days("tomorrow", "2025-03-01"), &tz, now).unwrap_err();
        assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
        let e = resolve(
            &HistoryRange::Custom {
                from_ms: 10,
                to_ms: 10,
            },
            &tz,
            now,
        )
        .unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::Rejected);
    }

    #[test]
    fn a_session_across_midnight_is_split_between_two_days_and_listed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let a = access(across_midnight(dir.path()), "Europe/Berlin");
        let view = history(
            &a,
            &query(days("2025-06-01", "2025-06-02")),
            t("2025-06-03T00:00Z"),
        )
        .unwrap();

        let dates: Vec<&str> = view.days.iter().map(|d| d.date.as_str()).collect();
        assert_eq!(dates, vec!["2025-06-01", "2025-06-02"]);
        // 2 h of each GPU before midnight (Berlin) and 2 h after: 0.8 kWh a day at 0.25 EUR.
        for d in &view.days {
            assert_eq!(
                amount(&d.electricity, "EUR").as_deref(),
                Some("0.2"),
                "{}",
                d.date
            );
        }
        // The statement is booked at the middle of its period: midnight, so on the 2nd.
        assert_eq!(amount(&view.days[0].gross, "USD"), None);
        assert_eq!(amount(&view.days[1].gross, "USD").as_deref(), Some("1.9"));
        assert_eq!(amount(&view.days[1].net, "USD").as_deref(), Some("1.9"));
        assert_eq!(amount(&view.days[1].net, "EUR").as_deref(), Some("-0.2"));

        // Newest first; the rental is listed whole with what its contract pays for 4 h.
        let listed: Vec<(&str, UiMode)> = view
            .sessions
            .iter()
            .map(|s| (s.gpu_uuid.as_str(), s.mode))
            .collect();
        assert_eq!(
            listed,
            vec![
                ("GPU-B", UiMode::Idle),
                ("GPU-A", UiMode::Idle),
                ("GPU-B", UiMode::Volunteer),
                ("GPU-A", UiMode::Rental),
            ]
        );
        let rental = &view.sessions[3];
        assert_eq!(rental.start_ms, t("2025-06-01T20:00Z").as_millisecond());
        assert_eq!(rental.end_ms, Some(t("2025-06-02T00:00Z").as_millisecond()));
        assert_eq!(
            rental.earnings,
            Some(UiMoney {
                amount: "2".into(),
                currency: "USD".into()
            })
        );
        assert!((rental.energy_kwh - 1.0).abs() < 1e-9);
        assert!(!view.more_sessions);
        assert_eq!(
            (view.first_day.as_str(), view.last_day.as_str()),
            ("2025-06-01", "2025-06-02")
        );
    }

    #[test]
    fn currencies_stay_apart_in_every_total() {
        let dir = tempfile::tempdir().unwrap();
        let a = access(across_midnight(dir.path()), "Europe/Berlin");
        let view = history(
            &a,
            &query(days("2025-06-01", "2025-06-02")),
            t("2025-06-03T00:00Z"),
        )
        .unwrap();
        let f = &view.totals;
        assert_eq!(amount(&f.gross, "USD").as_deref(), Some("1.9"));
        assert_eq!(amount(&f.gross, "EUR"), None);
        assert_eq!(amount(&f.electricity, "EUR").as_deref(), Some("0.4"));
        assert_eq!(amount(&f.net, "USD").as_deref(), Some("1.9"));
        assert_eq!(amount(&f.net, "EUR").as_deref(), Some("-0.4"));
        assert!(f.estimated.is_empty(), "the statement covers the rental");
        assert!((f.energy_kwh - 1.6).abs() < 1e-9);
        let hours: Vec<(UiMode, f64)> = f.mode_hours.iter().map(|m| (m.mode, m.hours)).collect();
        assert_eq!(hours[0], (UiMode::Rental, 4.0));
        assert_eq!(hours[1], (UiMode::Volunteer, 4.0));
    }

    #[test]
    fn filters_narrow_figures_days_and_sessions_alike() {
        let dir = tempfile::tempdir().unwrap();
        let a = access(across_midnight(dir.path()), "Europe/Berlin");
        let now = t("2025-06-03T00:00Z");
        let mut q = query(days("2025-06-01", "2025-06-02"));
        q.provider = Some("boinc".into());
        let view = history(&a, &q, now).unwrap();
        assert_eq!(view.sessions.len(), 1);
        assert_eq!(view.sessions[0].gpu_uuid, "GPU-B");
        assert!(view.totals.gross.is_empty(), "BOINC pays no money");
        assert_eq!(
            amount(&view.totals.electricity, "EUR").as_deref(),
            Some("0.15")
        );

        let mut q = query(days("2025-06-01", "2025-06-02"));
        q.gpu = Some("GPU-A".into());
        q.mode = Some(UiMode::Rental);
        let view = history(&a, &q, now).unwrap();
        assert_eq!(view.sessions.len(), 1);
        assert_eq!(view.sessions[0].mode, UiMode::Rental);
        assert_eq!(
            amount(&view.totals.electricity, "EUR").as_deref(),
            Some("0.25")
        );
        let daily: Vec<Option<String>> = view
            .days
            .iter()
            .map(|d| amount(&d.electricity, "EUR"))
            .collect();
        assert_eq!(daily, vec![Some("0.125".into()), Some("0.125".into())]);

        let mut q = query(days("2025-06-01", "2025-06-02"));
        q.limit = Some(2);
        let view = history(&a, &q, now).unwrap();
        assert_eq!(view.sessions.len(), 2);
        assert!(view.more_sessions);
    }

    #[test]
    fn filter_choices_name_present_gpus_and_ones_only_the_ledger_remembers() {
        let dir = tempfile::tempdir().unwrap();
        let a = access(across_midnight(dir.path()), "Europe/Berlin");
        let view = history(&a, &query(HistoryRange::Today), t("2025-06-03T00:00Z")).unwrap();
        assert_eq!(
            view.gpus,
            vec![
                HistoryGpu {
                    uuid: "GPU-A".into(),
                    index: Some(0),
                    name: Some("RTX 4080".into())
                },
                HistoryGpu {
                    uuid: "GPU-B".into(),
                    index: None,
                    name: None
                },
            ]
        );
        assert_eq!(view.providers, vec!["boinc", "vastai"]);
    }

    #[test]
    fn an_empty_ledger_answers_zero_days_and_no_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = access(ledger(dir.path(), &[]), "UTC");
        a.simulated = true;
        let view = history(&a, &query(HistoryRange::Last7Days), t("2025-06-03T12:00Z")).unwrap();
        assert!(view.simulated);
        assert_eq!(view.days.len(), 7);
        assert!(view.days.iter().all(|d| d.gross.is_empty()));
        assert!(view.sessions.is_empty());
        assert!(view.gpus.iter().all(|g| g.index.is_some()));
        assert_eq!(amount(&view.totals.net, "EUR").as_deref(), Some("0"));
    }

    #[test]
    fn a_missing_ledger_file_is_an_error_that_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let a = access(dir.path().join("ledger.sqlite"), "UTC");
        let e = history(&a, &query(HistoryRange::Today), t("2025-06-03T12:00Z")).unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::Ledger);
        let message = e.to_string();
        assert!(message.contains("missing"), "{message}");
        assert!(message.contains("restart Overtime"), "{message}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_agent_says_where_its_ledger_is_or_why_there_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let agent = crate::test_agent::start(dir.path()).await;
        let mut snap = (*agent.handle.snapshot()).clone();
        let config = Config::default();

        // This test agent keeps no ledger at all.
        let e = LedgerAccess::from_agent(&snap, &config).unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::Ledger);
        assert!(e.to_string().contains("keeps no earnings history"), "{e}");

        // The ledger failed to open at start-up: the reason is passed on.
        snap.ledger = Some(ledger_feed::LedgerView {
            recording: false,
            last_error: Some("the disk is full".into()),
            ..Default::default()
        });
        let e = LedgerAccess::from_agent(&snap, &config).unwrap_err();
        assert!(e.to_string().contains("the disk is full"), "{e}");

        // A ledger in use: its path, demo mode and the present GPUs.
        snap.ledger = Some(ledger_feed::LedgerView {
            path: "/data/ledger.sqlite".into(),
            recording: true,
            ..Default::default()
        });
        let a = LedgerAccess::from_agent(&snap, &config).unwrap();
        assert_eq!(a.path, PathBuf::from("/data/ledger.sqlite"));
        assert!(a.simulated, "simulated GPUs make simulated figures");
        assert_eq!(a.gpus.len(), 2);
        agent.stop().await;
    }

    #[test]
    fn a_query_crosses_the_wire_with_a_preset_tag() {
        let q: HistoryQuery = serde_json::from_value(serde_json::json!({
            "range": { "preset": "7d" }, "gpu": null, "provider": "boinc", "mode": "volunteer",
            "limit": 20
        }))
        .unwrap();
        assert_eq!(q.range, HistoryRange::Last7Days);
        assert_eq!(q.mode, Some(UiMode::Volunteer));
        let q: HistoryQuery = serde_json::from_value(serde_json::json!({
            "range": { "preset": "days", "first_day": "2025-06-01", "last_day": "2025-06-30" },
            "gpu": "GPU-A", "provider": null, "mode": null, "limit": null
        }))
        .unwrap();
        assert_eq!(q.range, days("2025-06-01", "2025-06-30"));
    }
}
