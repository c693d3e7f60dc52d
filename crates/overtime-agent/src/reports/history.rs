//! The history view: what a range of time earned, cost and did, in total, per local day and
//! per session. It reads the earnings ledger through its own read-only connection, so it never
//! waits on or disturbs the agent's writer. Money crosses as exact decimal strings, one total
//! per currency; nothing is ever converted.

use overtime_core::{Mode, Period};
use overtime_ledger::FigureFilter;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{LedgerAccess, PeriodFigures, UiMoney, ledger_error};
use crate::error::AgentError;
use jiff::Timestamp;

type Result<T> = std::result::Result<T, AgentError>;

/// Sessions listed when the query names no limit.
pub const DEFAULT_SESSION_LIMIT: u32 = 50;

/// What the history view asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryQuery {
    pub range: Period,
    /// One GPU's UUID; `null`: all.
    pub gpu: Option<String>,
    /// One provider (`vastai`, `boinc`, …); `null`: all.
    pub provider: Option<String>,
    /// One mode; `null`: all.
    pub mode: Option<Mode>,
    /// Sessions to list, newest first; `null`: 50. At most 1,000.
    pub limit: Option<u32>,
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
    pub mode: Mode,
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
    pub totals: PeriodFigures,
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

/// Answers a history query from the ledger, as of `now`.
pub fn history(access: &LedgerAccess, query: &HistoryQuery, now: Timestamp) -> Result<HistoryView> {
    let bounds = query
        .range
        .bounds(now, &access.model.tz)
        .map_err(|e| AgentError::Rejected(e.to_string()))?;
    let (from, to) = (bounds.from, bounds.to);
    let store = access.open()?;
    let filter = FigureFilter {
        gpu_uuid: query.gpu.clone(),
        provider: query.provider.clone(),
        mode: query.mode,
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
    let (first_day, last_day) = bounds.days(&model.tz);
    Ok(HistoryView {
        simulated: access.simulated,
        from_ms: from.as_millisecond(),
        to_ms: to.as_millisecond(),
        first_day: first_day.to_string(),
        last_day: last_day.to_string(),
        timezone: access.timezone.clone(),
        totals: PeriodFigures::from(&totals),
        days: days
            .iter()
            .map(|d| {
                let f = PeriodFigures::from(&d.figures);
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
                mode: s.mode,
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
    use std::path::{Path, PathBuf};

    use jiff::SignedDuration;
    use jiff::tz::TimeZone;
    use overtime_core::money::{Currency, Money};
    use overtime_core::tariff::Tariff;
    use overtime_ledger::{
        CostModel, EarningRecord, EnergySource, Event, LedgerStore, MinuteRollup, SessionStart,
    };

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
                tariff: Tariff::flat("0.25".parse().unwrap(), Currency::new("EUR").unwrap()),
                tz,
                rest_of_pc_w: 0.0,
            },
            timezone: "Europe/Berlin".into(),
            simulated: false,
            gpus: vec![("GPU-A".into(), 0, "RTX 4080".into())],
        }
    }

    fn query(range: Period) -> HistoryQuery {
        HistoryQuery {
            range,
            gpu: None,
            provider: None,
            mode: None,
            limit: None,
        }
    }

    fn days(first: &str, last: &str) -> Period {
        Period::Days {
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
                Period::Today,
                "2025-03-15T00:00+01:00",
                "2025-03-16T00:00+01:00",
            ),
            (
                Period::Last7Days,
                "2025-03-09T00:00+01:00",
                "2025-03-16T00:00+01:00",
            ),
            (
                Period::Last30Days,
                "2025-02-14T00:00+01:00",
                "2025-03-16T00:00+01:00",
            ),
            (
                Period::ThisMonth,
                "2025-03-01T00:00+01:00",
                "2025-03-16T00:00+01:00",
            ),
            (
                Period::LastMonth,
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
            let got = range.bounds(now, &tz).unwrap();
            assert_eq!((got.from, got.to), (local(from), local(to)), "{range:?}");
        }
    }

    #[test]
    fn a_backwards_or_empty_range_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let a = access(dir.path().join("ledger.sqlite"), "UTC");
        let now = t("2025-03-15T00:30Z");
        let refused = |range: Period| {
            let e = history(&a, &query(range), now).unwrap_err();
            assert_eq!(e.code(), crate::error::ErrorCode::Rejected);
            e.to_string()
        };
        let e = refused(days("2025-03-10", "2025-03-01"));
        assert!(e.contains("swap them"), "{e}");
        let e = refused(days("tomorrow", "2025-03-01"));
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        refused(Period::Custom {
            from_ms: 10,
            to_ms: 10,
        });
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
        let listed: Vec<(&str, Mode)> = view
            .sessions
            .iter()
            .map(|s| (s.gpu_uuid.as_str(), s.mode))
            .collect();
        assert_eq!(
            listed,
            vec![
                ("GPU-B", Mode::Idle),
                ("GPU-A", Mode::Idle),
                ("GPU-B", Mode::Volunteer),
                ("GPU-A", Mode::Rental),
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
        let hours: Vec<(Mode, f64)> = f.mode_hours.iter().map(|m| (m.mode, m.hours)).collect();
        assert_eq!(hours[0], (Mode::Rental, 4.0));
        assert_eq!(hours[1], (Mode::Volunteer, 4.0));
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
        q.mode = Some(Mode::Rental);
        let view = history(&a, &q, now).unwrap();
        assert_eq!(view.sessions.len(), 1);
        assert_eq!(view.sessions[0].mode, Mode::Rental);
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
        let view = history(&a, &query(Period::Today), t("2025-06-03T00:00Z")).unwrap();
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
        let view = history(&a, &query(Period::Last7Days), t("2025-06-03T12:00Z")).unwrap();
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
        let e = history(&a, &query(Period::Today), t("2025-06-03T12:00Z")).unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::Ledger);
        let message = e.to_string();
        assert!(message.contains("missing"), "{message}");
        assert!(message.contains("restart Overtime"), "{message}");
    }

    /// The dashboard's and `overtime earnings`' figures (`ledger_feed::read_earnings`) and
    /// History's must be one number per period: same bounds, same gross, same estimate.
    #[test]
    fn seven_days_are_the_same_number_on_the_dashboard_in_history_and_the_cli() {
        let dir = tempfile::tempdir().unwrap();
        // Work on the edges of the 7-day period (4–10 June in Berlin): 3 June at noon is
        // outside, though a rolling 168 h would count it; 4 June at 03:00 local is inside; and
        // a rental is still running.
        let mut events = Vec::new();
        for (gpu, from, to) in [
            ("GPU-A", "2025-06-03T10:00Z", "2025-06-03T14:00Z"),
            ("GPU-A", "2025-06-04T01:00Z", "2025-06-04T03:00Z"),
        ] {
            events.push(start(gpu, from, Mode::Volunteer, Some("boinc"), None));
            events.extend(minutes(gpu, from, to, 200.0));
            events.push(start(gpu, to, Mode::Idle, None, None));
        }
        events.push(statement(
            "old",
            "3.00",
            "USD",
            "2025-06-03T10:00Z",
            "2025-06-03T14:00Z",
        ));
        events.push(statement(
            "new",
            "1.25",
            "USD",
            "2025-06-04T01:00Z",
            "2025-06-04T03:00Z",
        ));
        events.push(start(
            "GPU-A",
            "2025-06-10T08:00Z",
            Mode::Rental,
            Some("vastai"),
            Some("0.40"),
        ));
        events.extend(minutes(
            "GPU-A",
            "2025-06-10T08:00Z",
            "2025-06-10T10:00Z",
            300.0,
        ));
        let path = ledger(dir.path(), &events);
        let a = access(path.clone(), "Europe/Berlin");
        let now = t("2025-06-10T10:00Z");

        let history = history(&a, &query(Period::Last7Days), now).unwrap();
        let dashboard = crate::ledger_feed::read_earnings(&path, &a.model, now, false).unwrap();
        let seven = dashboard.periods.iter().find(|p| p.range == "7d").unwrap();

        assert_eq!(super::super::ui_money(&seven.gross), history.totals.gross);
        assert_eq!(
            super::super::ui_money(&seven.estimated),
            history.totals.estimated
        );
        assert_eq!(
            super::super::ui_money(&seven.electricity),
            history.totals.electricity
        );
        assert_eq!(super::super::ui_money(&seven.net), history.totals.net);
        assert_eq!(seven.energy_kwh, history.totals.energy_kwh);
        // 1.25 from the statement inside, 0.80 estimated for the running rental; the
        // statement from 3 June is outside.
        assert_eq!(
            amount(&history.totals.gross, "USD").as_deref(),
            Some("2.05")
        );
        assert_eq!(
            amount(&history.totals.estimated, "USD").as_deref(),
            Some("0.8")
        );
        assert_eq!(
            (history.first_day.as_str(), history.last_day.as_str()),
            ("2025-06-04", "2025-06-10")
        );
    }

    #[test]
    fn a_query_crosses_the_wire_with_a_preset_tag() {
        let q: HistoryQuery = serde_json::from_value(serde_json::json!({
            "range": { "preset": "7d" }, "gpu": null, "provider": "boinc", "mode": "volunteer",
            "limit": 20
        }))
        .unwrap();
        assert_eq!(q.range, Period::Last7Days);
        assert_eq!(q.mode, Some(Mode::Volunteer));
        let q: HistoryQuery = serde_json::from_value(serde_json::json!({
            "range": { "preset": "days", "first_day": "2025-06-01", "last_day": "2025-06-30" },
            "gpu": "GPU-A", "provider": null, "mode": null, "limit": null
        }))
        .unwrap();
        assert_eq!(q.range, days("2025-06-01", "2025-06-30"));
    }
}
