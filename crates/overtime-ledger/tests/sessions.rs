//! The session listing and the range-cut daily series, read back through a read-only
//! connection from a ledger file on disk, as the desktop's history view reads them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use jiff::SignedDuration;
use jiff::tz::TimeZone;
use overtime_core::Mode;
use overtime_core::money::Currency;
use overtime_ledger::*;
use support::{TempDir, flat_model, money, t};

fn start(gpu: &str, at: &str, mode: Mode, provider: Option<&str>, price: Option<&str>) -> Event {
    Event::SessionStarted(SessionStart {
        gpu_uuid: gpu.into(),
        at: t(at),
        mode,
        provider: provider.map(Into::into),
        reason_code: "schedule".into(),
        reason: format!("{} — test", mode.label()),
        price_per_hour: price.map(|p| money(p, "USD")),
    })
}

fn end(gpu: &str, at: &str) -> Event {
    Event::SessionEnded {
        gpu_uuid: gpu.into(),
        at: t(at),
    }
}

/// One minute row per minute in `[from, to)` at a constant power.
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

/// Writes `events` into a new ledger file and opens it again read-only.
fn on_disk(dir: &TempDir, events: &[Event]) -> LedgerStore {
    let path = dir.path().join("ledger.sqlite");
    let (mut store, _) = LedgerStore::open(&path).unwrap();
    store.apply(events).unwrap();
    drop(store);
    LedgerStore::open_reader(&path).unwrap()
}

const ALL: FigureFilter = FigureFilter {
    gpu_uuid: None,
    provider: None,
    mode: None,
};

fn ids(page: &SessionPage) -> Vec<i64> {
    page.sessions.iter().map(|s| s.id).collect()
}

#[test]
fn sessions_come_newest_first_a_page_at_a_time() {
    let dir = TempDir::new("page");
    let mut events = Vec::new();
    for h in 0..5 {
        let mode = if h % 2 == 0 {
            Mode::Volunteer
        } else {
            Mode::Idle
        };
        let provider = (mode == Mode::Volunteer).then_some("boinc");
        events.push(start(
            "GPU-A",
            &format!("2025-06-01T0{h}:00Z"),
            mode,
            provider,
            None,
        ));
    }
    events.push(end("GPU-A", "2025-06-01T05:00Z"));
    let store = on_disk(&dir, &events);
    let model = flat_model("0.30", "EUR", 0.0);
    let (from, to, now) = (
        t("2025-06-01T00:00Z"),
        t("2025-06-02T00:00Z"),
        t("2025-06-02T00:00Z"),
    );

    let page = store.sessions_page(from, to, &ALL, 2, &model, now).unwrap();
    assert_eq!(ids(&page), vec![5, 4]);
    assert!(page.more);
    assert_eq!(page.sessions[0].start, t("2025-06-01T04:00Z"));
    assert_eq!(page.sessions[0].end, Some(t("2025-06-01T05:00Z")));

    let page = store.sessions_page(from, to, &ALL, 5, &model, now).unwrap();
    assert_eq!(ids(&page), vec![5, 4, 3, 2, 1]);
    assert!(!page.more, "exactly the limit is not 'more'");
}

#[test]
fn a_session_across_midnight_shows_on_both_days_and_its_hours_split_between_them() {
    let dir = TempDir::new("midnight");
    let mut events = vec![start(
        "GPU-A",
        "2025-06-01T22:00Z",
        Mode::Rental,
        Some("vastai"),
        Some("0.50"),
    )];
    events.extend(minutes(
        "GPU-A",
        "2025-06-01T22:00Z",
        "2025-06-02T02:00Z",
        300.0,
    ));
    events.push(end("GPU-A", "2025-06-02T02:00Z"));
    let store = on_disk(&dir, &events);
    let model = flat_model("0.25", "EUR", 0.0);
    let now = t("2025-06-03T00:00Z");

    for (from, to) in [
        ("2025-06-01T00:00Z", "2025-06-02T00:00Z"),
        ("2025-06-02T00:00Z", "2025-06-03T00:00Z"),
    ] {
        let page = store
            .sessions_page(t(from), t(to), &ALL, 10, &model, now)
            .unwrap();
        assert_eq!(ids(&page), vec![1], "listed for the day starting {from}");
        // Listed whole: 4 h at 300 W, and what the contract pays for 4 h.
        let s = &page.sessions[0];
        assert!((s.gpu_energy_kwh - 1.2).abs() < 1e-9);
        assert_eq!(s.electricity_cost.round_dp(2), money("0.30", "EUR"));
        assert_eq!(s.contract_earnings, Some(money("2.00", "USD")));
    }

    let days = store
        .daily_series_between(
            t("2025-06-01T00:00Z"),
            t("2025-06-03T00:00Z"),
            &ALL,
            &model,
            now,
        )
        .unwrap();
    let hours: Vec<f64> = days
        .iter()
        .map(|d| {
            d.figures
                .mode_hours
                .get(&Mode::Rental)
                .copied()
                .unwrap_or(0.0)
        })
        .collect();
    assert_eq!(hours, vec![2.0, 2.0]);
    assert_eq!(days[0].figures.estimated.get(&usd()), money("1.00", "USD"));
    assert_eq!(days[1].figures.estimated.get(&usd()), money("1.00", "USD"));
}

#[test]
fn filters_pick_sessions_by_gpu_provider_and_mode() {
    let dir = TempDir::new("filters");
    let store = on_disk(
        &dir,
        &[
            start(
                "GPU-A",
                "2025-06-01T00:00Z",
                Mode::Rental,
                Some("vastai"),
                None,
            ),
            start(
                "GPU-B",
                "2025-06-01T00:00Z",
                Mode::Volunteer,
                Some("boinc"),
                None,
            ),
            start(
                "GPU-A",
                "2025-06-01T01:00Z",
                Mode::Volunteer,
                Some("fah"),
                None,
            ),
            start("GPU-B", "2025-06-01T01:00Z", Mode::Idle, None, None),
            end("GPU-A", "2025-06-01T02:00Z"),
            end("GPU-B", "2025-06-01T02:00Z"),
        ],
    );
    let model = flat_model("0.30", "EUR", 0.0);
    let list = |filter: FigureFilter| {
        ids(&store
            .sessions_page(
                t("2025-06-01T00:00Z"),
                t("2025-06-02T00:00Z"),
                &filter,
                10,
                &model,
                t("2025-06-02T00:00Z"),
            )
            .unwrap())
    };
    assert_eq!(list(ALL), vec![4, 3, 2, 1]);
    assert_eq!(
        list(FigureFilter {
            gpu_uuid: Some("GPU-B".into()),
            ..ALL
        }),
        vec![4, 2]
    );
    assert_eq!(
        list(FigureFilter {
            provider: Some("boinc".into()),
            ..ALL
        }),
        vec![2]
    );
    assert_eq!(
        list(FigureFilter {
            mode: Some(Mode::Volunteer),
            ..ALL
        }),
        vec![3, 2]
    );
    assert_eq!(
        list(FigureFilter {
            gpu_uuid: Some("GPU-A".into()),
            mode: Some(Mode::Idle),
            ..ALL
        }),
        Vec::<i64>::new()
    );
}

#[test]
fn an_open_session_runs_up_to_now() {
    let dir = TempDir::new("open");
    let mut events = vec![start(
        "GPU-A",
        "2025-06-01T10:00Z",
        Mode::Rental,
        Some("vastai"),
        Some("0.60"),
    )];
    events.extend(minutes(
        "GPU-A",
        "2025-06-01T10:00Z",
        "2025-06-01T10:30Z",
        200.0,
    ));
    let store = on_disk(&dir, &events);
    let page = store
        .sessions_page(
            t("2025-06-01T00:00Z"),
            t("2025-06-02T00:00Z"),
            &ALL,
            10,
            &flat_model("0.30", "EUR", 0.0),
            t("2025-06-01T10:30Z"),
        )
        .unwrap();
    let s = &page.sessions[0];
    assert_eq!(s.end, None);
    assert_eq!(s.price_per_hour, Some(money("0.60", "USD")));
    assert_eq!(s.contract_earnings, Some(money("0.30", "USD")));
    assert!((s.gpu_energy_kwh - 0.1).abs() < 1e-9);
}

#[test]
fn a_series_cut_to_a_range_adds_up_to_the_range_figures() {
    let dir = TempDir::new("cut");
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let mut events = vec![start(
        "GPU-A",
        "2025-06-01T06:00Z",
        Mode::Volunteer,
        Some("boinc"),
        None,
    )];
    events.extend(minutes(
        "GPU-A",
        "2025-06-01T06:00Z",
        "2025-06-03T06:00Z",
        120.0,
    ));
    events.push(end("GPU-A", "2025-06-03T06:00Z"));
    let store = on_disk(&dir, &events);
    let mut model = flat_model("0.30", "EUR", 50.0);
    model.tz = berlin;
    // 12:00 local on the 1st to 03:00 local on the 3rd: three local days, the outer ones cut.
    let (from, to) = (t("2025-06-01T10:00Z"), t("2025-06-03T01:00Z"));
    let now = t("2025-06-04T00:00Z");
    let days = store
        .daily_series_between(from, to, &ALL, &model, now)
        .unwrap();
    let dates: Vec<String> = days.iter().map(|d| d.date.to_string()).collect();
    assert_eq!(dates, vec!["2025-06-01", "2025-06-02", "2025-06-03"]);
    assert_eq!(days[0].figures.from, from);
    assert_eq!(days[2].figures.to, to);
    let hours: Vec<f64> = days
        .iter()
        .map(|d| d.figures.mode_hours[&Mode::Volunteer])
        .collect();
    assert_eq!(hours, vec![12.0, 24.0, 3.0]);

    let total = store.figures(from, to, &ALL, &model, now).unwrap();
    let kwh: f64 = days.iter().map(|d| d.figures.energy_kwh).sum();
    assert!((total.energy_kwh - kwh).abs() < 1e-9);
    let mut cost = Totals::new();
    for d in &days {
        cost.add_all(&d.figures.electricity_cost);
    }
    assert_eq!(
        cost.get(&eur()).round_dp(6),
        total.electricity_cost.get(&eur()).round_dp(6)
    );
}

#[test]
fn dimensions_name_every_gpu_and_provider_seen() {
    let dir = TempDir::new("dims");
    let store = on_disk(
        &dir,
        &[
            start(
                "GPU-B",
                "2025-06-01T00:00Z",
                Mode::Volunteer,
                Some("boinc"),
                None,
            ),
            start("GPU-A", "2025-06-01T00:00Z", Mode::Idle, None, None),
            Event::Earning(EarningRecord {
                provider: "vastai".into(),
                source_id: "x".into(),
                amount: money("1.00", "USD"),
                period_start: t("2025-06-01T00:00Z"),
                period_end: t("2025-06-01T01:00Z"),
                gpu_uuid: None,
            }),
        ],
    );
    let d = store.dimensions().unwrap();
    assert_eq!(d.gpus, vec!["GPU-A", "GPU-B"]);
    assert_eq!(d.providers, vec!["boinc", "vastai"]);
}

#[test]
fn an_empty_ledger_lists_nothing_and_an_empty_range_is_refused() {
    let dir = TempDir::new("empty");
    let store = on_disk(&dir, &[]);
    let model = flat_model("0.30", "EUR", 0.0);
    let (from, to) = (t("2025-06-01T00:00Z"), t("2025-06-02T00:00Z"));
    let page = store.sessions_page(from, to, &ALL, 50, &model, to).unwrap();
    assert!(page.sessions.is_empty());
    assert!(!page.more);
    assert_eq!(store.dimensions().unwrap(), LedgerDimensions::default());
    assert!(matches!(
        store.sessions_page(to, from, &ALL, 50, &model, to),
        Err(LedgerError::Range(_))
    ));
    assert!(matches!(
        store.daily_series_between(to, to, &ALL, &model, to),
        Err(LedgerError::Range(_))
    ));
}

fn usd() -> Currency {
    Currency::new("USD").unwrap()
}
fn eur() -> Currency {
    Currency::new("EUR").unwrap()
}
