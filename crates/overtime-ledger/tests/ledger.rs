//! The ledger's rules, end to end on an in-memory database: sessions, energy and cost,
//! statements and estimates, credits, retention, the daily series and the CSV export.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_core::Mode;
use overtime_core::config::ElectricityConfig;
use overtime_core::money::Currency;
use overtime_core::tariff::Tariff;
use overtime_ledger::*;
use support::{flat_model, money, t};

fn store() -> LedgerStore {
    LedgerStore::open_in_memory().unwrap()
}

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

/// One minute row per minute in `[from, to)` with a constant power and the matching energy.
fn minutes(gpu: &str, from: &str, to: &str, power_w: f64) -> Vec<Event> {
    loaded_minutes(gpu, from, to, power_w, Some(99.0))
}

/// As [`minutes`], at a given average load (`None`: the GPU reports none).
fn loaded_minutes(
    gpu: &str,
    from: &str,
    to: &str,
    power_w: f64,
    load_pct: Option<f64>,
) -> Vec<Event> {
    let (mut at, to) = (t(from), t(to));
    let mut out = Vec::new();
    while at < to {
        out.push(Event::Minute(MinuteRollup {
            gpu_uuid: gpu.into(),
            minute: at,
            temp_min_c: Some(60.0),
            temp_avg_c: Some(65.0),
            temp_max_c: Some(70.0),
            load_avg_pct: load_pct,
            power_avg_w: Some(power_w),
            energy_wh: power_w / 60.0,
            energy_source: EnergySource::Counter,
        }));
        at += SignedDuration::from_mins(1);
    }
    out
}

fn earning(source_id: &str, amount: &str, currency: &str, from: &str, to: &str) -> Event {
    Event::Earning(EarningRecord {
        provider: "vastai".into(),
        source_id: source_id.into(),
        amount: money(amount, currency),
        period_start: t(from),
        period_end: t(to),
        gpu_uuid: Some("GPU-A".into()),
    })
}

fn usd() -> Currency {
    Currency::new("USD").unwrap()
}
fn eur() -> Currency {
    Currency::new("EUR").unwrap()
}

const ALL: FigureFilter = FigureFilter {
    gpu_uuid: None,
    provider: None,
    mode: None,
};

#[test]
fn reimporting_a_statement_replaces_it_instead_of_adding_it_again() {
    let mut s = store();
    s.apply(&[earning(
        "inv-1",
        "5.00",
        "USD",
        "2025-06-01T00:00Z",
        "2025-06-02T00:00Z",
    )])
    .unwrap();
    s.apply(&[earning(
        "inv-1",
        "5.00",
        "USD",
        "2025-06-01T00:00Z",
        "2025-06-02T00:00Z",
    )])
    .unwrap();
    // The provider corrected the line: the new amount replaces the old one.
    s.apply(&[earning(
        "inv-1",
        "4.75",
        "USD",
        "2025-06-01T00:00Z",
        "2025-06-02T00:00Z",
    )])
    .unwrap();
    s.apply(&[earning(
        "inv-2",
        "0.25",
        "USD",
        "2025-06-01T00:00Z",
        "2025-06-02T00:00Z",
    )])
    .unwrap();
    let f = s
        .figures(
            t("2025-06-01T00:00Z"),
            t("2025-06-03T00:00Z"),
            &ALL,
            &flat_model("0.30", "EUR", 0.0),
            t("2025-06-03T00:00Z"),
        )
        .unwrap();
    assert_eq!(f.gross.get(&usd()), money("5.00", "USD"));
    assert_eq!(s.query_i64("SELECT count(*) FROM earnings").unwrap(), 2);
}

#[test]
fn currencies_are_never_merged_into_one_total() {
    let mut s = store();
    let mut events = vec![
        earning("a", "3.00", "USD", "2025-06-01T00:00Z", "2025-06-01T02:00Z"),
        earning("b", "2.00", "EUR", "2025-06-01T00:00Z", "2025-06-01T02:00Z"),
    ];
    events.extend(minutes(
        "GPU-A",
        "2025-06-01T00:00Z",
        "2025-06-01T02:00Z",
        300.0,
    ));
    s.apply(&events).unwrap();
    let f = s
        .figures(
            t("2025-06-01T00:00Z"),
            t("2025-06-01T02:00Z"),
            &ALL,
            &flat_model("0.50", "EUR", 0.0),
            t("2025-06-02T00:00Z"),
        )
        .unwrap();
    // 0.6 kWh at 0.50 EUR = 0.30 EUR of electricity.
    assert_eq!(f.electricity_cost.get(&eur()), money("0.30", "EUR"));
    assert_eq!(f.gross.iter().count(), 2);
    assert_eq!(f.net.get(&usd()), money("3.00", "USD"));
    assert_eq!(f.net.get(&eur()), money("1.70", "EUR"));
}

#[test]
fn a_live_estimate_stands_until_a_statement_covers_its_period() {
    let mut s = store();
    s.apply(&[start(
        "GPU-A",
        "2025-06-01T10:00Z",
        Mode::Rental,
        Some("vastai"),
        Some("0.40"),
    )])
    .unwrap();
    let model = flat_model("0.30", "EUR", 0.0);
    let (from, to, now) = (
        t("2025-06-01T00:00Z"),
        t("2025-06-02T00:00Z"),
        t("2025-06-01T13:00Z"),
    );
    let f = s.figures(from, to, &ALL, &model, now).unwrap();
    assert!(f.includes_estimate);
    assert_eq!(f.estimated.get(&usd()), money("1.20", "USD"));
    assert!(f.gross.is_empty());
    assert_eq!(f.mode_hours.get(&Mode::Rental), Some(&3.0));

    // The statement for 10:00–12:00 arrives: it replaces the estimate for those hours.
    s.apply(&[earning(
        "st-1",
        "0.75",
        "USD",
        "2025-06-01T10:00Z",
        "2025-06-01T12:00Z",
    )])
    .unwrap();
    let f = s.figures(from, to, &ALL, &model, now).unwrap();
    assert_eq!(f.gross.get(&usd()), money("0.75", "USD"));
    assert_eq!(f.estimated.get(&usd()), money("0.40", "USD"));
    assert_eq!(f.net.get(&usd()), money("1.15", "USD"));

    // Once the session ended and the statement covers all of it, nothing is estimated.
    s.apply(&[
        end("GPU-A", "2025-06-01T13:00Z"),
        earning(
            "st-2",
            "0.40",
            "USD",
            "2025-06-01T12:00Z",
            "2025-06-01T13:00Z",
        ),
    ])
    .unwrap();
    let f = s
        .figures(from, to, &ALL, &model, t("2025-06-01T18:00Z"))
        .unwrap();
    assert!(!f.includes_estimate);
    assert_eq!(f.gross.get(&usd()), money("1.15", "USD"));
}

#[test]
fn starting_a_session_closes_the_open_one_on_that_gpu_only() {
    let mut s = store();
    s.apply(&[
        start(
            "GPU-A",
            "2025-06-01T10:00Z",
            Mode::Volunteer,
            Some("boinc"),
            None,
        ),
        start("GPU-B", "2025-06-01T10:00Z", Mode::Idle, None, None),
        start("GPU-A", "2025-06-01T11:30Z", Mode::Idle, None, None),
    ])
    .unwrap();
    let f = s
        .figures(
            t("2025-06-01T00:00Z"),
            t("2025-06-02T00:00Z"),
            &ALL,
            &flat_model("0.3", "EUR", 0.0),
            t("2025-06-01T12:00Z"),
        )
        .unwrap();
    assert_eq!(f.mode_hours.get(&Mode::Volunteer), Some(&1.5));
    // GPU-B idle 10:00–12:00 plus GPU-A idle 11:30–12:00.
    assert_eq!(f.mode_hours.get(&Mode::Idle), Some(&2.5));
    assert_eq!(s.open_session_count().unwrap(), 2);
}

#[test]
fn energy_cost_rest_of_pc_and_carbon_follow_the_sessions() {
    let mut s = store();
    let mut events = vec![
        start(
            "GPU-A",
            "2025-06-01T10:00Z",
            Mode::Volunteer,
            Some("boinc"),
            None,
        ),
        start(
            "GPU-B",
            "2025-06-01T10:30Z",
            Mode::Volunteer,
            Some("boinc"),
            None,
        ),
        start("GPU-A", "2025-06-01T12:00Z", Mode::Idle, None, None),
        end("GPU-B", "2025-06-01T12:00Z"),
    ];
    events.extend(minutes(
        "GPU-A",
        "2025-06-01T10:00Z",
        "2025-06-01T12:00Z",
        300.0,
    ));
    events.extend(minutes(
        "GPU-A",
        "2025-06-01T12:00Z",
        "2025-06-01T13:00Z",
        30.0,
    ));
    s.apply(&events).unwrap();
    let mut model = flat_model("0.30", "EUR", 60.0);
    model.tariff = Tariff::from_config(&ElectricityConfig {
        price_per_kwh: "0.30".parse().unwrap(),
        currency: eur(),
        carbon_g_per_kwh: Some(400.0),
        ..ElectricityConfig::default()
    });
    let (from, to, now) = (
        t("2025-06-01T00:00Z"),
        t("2025-06-02T00:00Z"),
        t("2025-06-01T13:00Z"),
    );
    let f = s.figures(from, to, &ALL, &model, now).unwrap();
    // GPU: 0.6 kWh working + 0.03 kWh idle; rest of PC: 60 W over the 2 h any GPU worked.
    assert!(
        (f.gpu_energy_kwh - 0.63).abs() < 1e-9,
        "{}",
        f.gpu_energy_kwh
    );
    assert!((f.rest_of_pc_energy_kwh - 0.12).abs() < 1e-9);
    assert!((f.energy_kwh - 0.75).abs() < 1e-9);
    assert_eq!(f.electricity_cost.get(&eur()), money("0.225", "EUR"));
    assert!((f.co2_g.unwrap() - 300.0).abs() < 1e-6);

    // Only volunteer time: the idle hour's energy is left out.
    let volunteer = FigureFilter {
        mode: Some(Mode::Volunteer),
        ..FigureFilter::default()
    };
    let f = s.figures(from, to, &volunteer, &model, now).unwrap();
    assert!((f.gpu_energy_kwh - 0.6).abs() < 1e-9);
    assert_eq!(f.mode_hours.get(&Mode::Volunteer), Some(&3.5));
    assert_eq!(f.mode_hours.get(&Mode::Idle), None);

    // One GPU: GPU-B drew nothing we know of, but it worked 1.5 h with the rest of the PC.
    let gpu_b = FigureFilter {
        gpu_uuid: Some("GPU-B".into()),
        ..FigureFilter::default()
    };
    let f = s.figures(from, to, &gpu_b, &model, now).unwrap();
    assert_eq!(f.gpu_energy_kwh, 0.0);
    assert!((f.rest_of_pc_energy_kwh - 0.09).abs() < 1e-9);
}

#[test]
fn a_minute_recorded_twice_counts_once() {
    let mut s = store();
    let once = minutes("GPU-A", "2025-06-01T10:00Z", "2025-06-01T10:10Z", 600.0);
    s.apply(&once).unwrap();
    s.apply(&once).unwrap();
    let f = s
        .figures(
            t("2025-06-01T00:00Z"),
            t("2025-06-02T00:00Z"),
            &ALL,
            &flat_model("1", "EUR", 0.0),
            t("2025-06-02T00:00Z"),
        )
        .unwrap();
    assert!((f.gpu_energy_kwh - 0.1).abs() < 1e-9);
}

#[test]
fn partial_hours_at_the_range_edges_use_minutes() {
    let mut s = store();
    s.apply(&minutes(
        "GPU-A",
        "2025-06-01T09:00Z",
        "2025-06-01T12:00Z",
        600.0,
    ))
    .unwrap();
    let model = flat_model("1", "EUR", 0.0);
    let f = s
        .figures(
            t("2025-06-01T09:15Z"),
            t("2025-06-01T11:45Z"),
            &ALL,
            &model,
            t("2025-06-02T00:00Z"),
        )
        .unwrap();
    // 2.5 h at 600 W.
    assert!(
        (f.gpu_energy_kwh - 1.5).abs() < 1e-9,
        "{}",
        f.gpu_energy_kwh
    );
    let f = s
        .figures(
            t("2025-06-01T10:05Z"),
            t("2025-06-01T10:35Z"),
            &ALL,
            &model,
            t("2025-06-02T00:00Z"),
        )
        .unwrap();
    assert!((f.gpu_energy_kwh - 0.3).abs() < 1e-9);
}

#[test]
fn retention_rolls_old_minutes_into_hours_and_keeps_the_totals() {
    let mut s = store();
    let now = t("2025-09-30T00:00Z");
    let mut old = minutes("GPU-A", "2025-06-01T10:00Z", "2025-06-01T12:00Z", 300.0);
    // Vary the temperature inside the first old hour so min/avg/max are tested.
    if let Event::Minute(m) = &mut old[5] {
        m.temp_min_c = Some(40.0);
        m.temp_max_c = Some(90.0);
        m.temp_avg_c = Some(125.0);
    }
    s.apply(&old).unwrap();
    s.apply(&minutes(
        "GPU-A",
        "2025-09-29T10:00Z",
        "2025-09-29T11:00Z",
        200.0,
    ))
    .unwrap();
    let model = flat_model("0.30", "EUR", 0.0);
    let (from, to) = (t("2025-05-01T00:00Z"), t("2025-10-01T00:00Z"));
    let before = s.figures(from, to, &ALL, &model, now).unwrap();

    let deleted = s.apply_retention(now, MINUTE_RETENTION).unwrap();
    assert_eq!(deleted, 120);
    assert_eq!(
        s.query_i64("SELECT count(*) FROM telemetry_minute")
            .unwrap(),
        60
    );
    assert_eq!(
        s.query_i64("SELECT count(*) FROM telemetry_hour").unwrap(),
        3
    );
    let (min, max, sum, n): (f64, f64, f64, i64) = (
        s.query_i64(
            "SELECT CAST(temp_min_c AS INTEGER) FROM telemetry_hour WHERE hour_s = 1748772000",
        )
        .unwrap() as f64,
        s.query_i64(
            "SELECT CAST(temp_max_c AS INTEGER) FROM telemetry_hour WHERE hour_s = 1748772000",
        )
        .unwrap() as f64,
        s.query_i64(
            "SELECT CAST(temp_sum_c AS INTEGER) FROM telemetry_hour WHERE hour_s = 1748772000",
        )
        .unwrap() as f64,
        s.query_i64("SELECT temp_n FROM telemetry_hour WHERE hour_s = 1748772000")
            .unwrap(),
    );
    assert_eq!((min, max), (40.0, 90.0));
    assert_eq!(sum / n as f64, (59.0 * 65.0 + 125.0) / 60.0);

    let after = s.figures(from, to, &ALL, &model, now).unwrap();
    assert!((after.gpu_energy_kwh - before.gpu_energy_kwh).abs() < 1e-9);
    assert_eq!(after.electricity_cost, before.electricity_cost);
    // Part of a pruned hour is prorated from its roll-up.
    let half = s
        .figures(
            t("2025-06-01T10:00Z"),
            t("2025-06-01T10:30Z"),
            &ALL,
            &model,
            now,
        )
        .unwrap();
    assert!((half.gpu_energy_kwh - 0.15).abs() < 1e-9);
    // Running it again changes nothing.
    assert_eq!(s.apply_retention(now, MINUTE_RETENTION).unwrap(), 0);
}

#[test]
fn credits_count_increases_of_totals_and_sums_of_deltas() {
    let mut s = store();
    let credit = |project: &str, at: &str, credit| {
        Event::Credit(CreditRecord {
            provider: "boinc".into(),
            project: project.into(),
            at: t(at),
            credit,
        })
    };
    s.apply(&[
        credit("einstein", "2025-06-01T00:00Z", CreditValue::Total(1000.0)),
        credit("einstein", "2025-06-02T00:00Z", CreditValue::Total(1300.0)),
        credit("einstein", "2025-06-02T12:00Z", CreditValue::Total(1450.0)),
        credit("fah", "2025-06-02T06:00Z", CreditValue::Delta(50.0)),
        credit("fah", "2025-06-02T07:00Z", CreditValue::Delta(25.0)),
    ])
    .unwrap();
    let f = s
        .figures(
            t("2025-06-02T00:00Z"),
            t("2025-06-03T00:00Z"),
            &ALL,
            &flat_model("0.3", "EUR", 0.0),
            t("2025-06-03T00:00Z"),
        )
        .unwrap();
    let got: Vec<(String, f64)> = f
        .credits
        .iter()
        .map(|c| (c.project.clone(), c.credit))
        .collect();
    assert_eq!(got, vec![("einstein".into(), 450.0), ("fah".into(), 75.0)]);
}

#[test]
fn the_daily_series_uses_local_days_and_adds_up_to_the_total() {
    let mut s = store();
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    // Around the spring-forward night: 2025-03-29 to 2025-03-31, 100 W all the time.
    s.apply(&minutes(
        "GPU-A",
        "2025-03-28T23:00Z",
        "2025-03-31T22:00Z",
        100.0,
    ))
    .unwrap();
    s.apply(&[earning(
        "d1",
        "1.10",
        "USD",
        "2025-03-29T00:00+01:00",
        "2025-03-30T00:00+01:00",
    )])
    .unwrap();
    let mut model = flat_model("0.30", "EUR", 0.0);
    model.tz = berlin;
    let days = s
        .daily_series(
            "2025-03-29".parse().unwrap(),
            "2025-03-31".parse().unwrap(),
            &ALL,
            &model,
            t("2025-04-01T00:00Z"),
        )
        .unwrap();
    let kwh: Vec<f64> = days
        .iter()
        .map(|d| (d.figures.gpu_energy_kwh * 1000.0).round() / 1000.0)
        .collect();
    // The 30th has 23 hours.
    assert_eq!(kwh, vec![2.4, 2.3, 2.4]);
    assert_eq!(days[0].figures.gross.get(&usd()), money("1.10", "USD"));
    assert!(days[1].figures.gross.is_empty());
    let total = s
        .figures(
            days[0].figures.from,
            days[2].figures.to,
            &ALL,
            &model,
            t("2025-04-01T00:00Z"),
        )
        .unwrap();
    let sum: f64 = days.iter().map(|d| d.figures.gpu_energy_kwh).sum();
    assert!((total.gpu_energy_kwh - sum).abs() < 1e-9);
}

#[test]
fn cost_per_hour_uses_recent_average_power_while_working_plus_the_rest_of_the_pc() {
    let mut s = store();
    s.apply(&[start(
        "GPU-A",
        "2025-06-01T09:00Z",
        Mode::Volunteer,
        Some("boinc"),
        None,
    )])
    .unwrap();
    s.apply(&minutes(
        "GPU-A",
        "2025-06-01T10:00Z",
        "2025-06-01T10:10Z",
        100.0,
    ))
    .unwrap();
    s.apply(&minutes(
        "GPU-A",
        "2025-06-01T10:50Z",
        "2025-06-01T11:00Z",
        300.0,
    ))
    .unwrap();
    let model = flat_model("0.30", "EUR", 60.0);
    let c = s
        .cost_per_hour(
            "GPU-A",
            SignedDuration::from_mins(15),
            t("2025-06-01T11:00Z"),
            &model,
        )
        .unwrap()
        .unwrap();
    assert_eq!(c.gpu_power_w, 300.0);
    // 360 W for an hour at 0.30 EUR/kWh.
    assert_eq!(c.cost_per_hour, money("0.108", "EUR"));
    assert!(
        s.cost_per_hour(
            "GPU-B",
            SignedDuration::from_mins(15),
            t("2025-06-01T11:00Z"),
            &model
        )
        .unwrap()
        .is_none()
    );
}

#[test]
fn the_working_draw_counts_only_busy_minutes_of_rental_and_volunteer_sessions() {
    let mut s = store();
    let sessions = [
        // A game on an idle GPU: busy, but not work.
        start("GPU-A", "2025-06-01T10:00Z", Mode::Idle, None, None),
        // Listed, nobody renting, no backfill.
        start(
            "GPU-A",
            "2025-06-01T10:10Z",
            Mode::Rental,
            Some("vastai"),
            None,
        ),
        // Volunteering from 10:20:30; from 10:30 the client has no tasks.
        start(
            "GPU-A",
            "2025-06-01T10:20:30Z",
            Mode::Volunteer,
            Some("boinc"),
            None,
        ),
        // Rented, on a GPU that reports no load.
        start(
            "GPU-A",
            "2025-06-01T10:40Z",
            Mode::Rental,
            Some("vastai"),
            Some("0.40"),
        ),
        // Listed again, volunteer work backfilling.
        start(
            "GPU-A",
            "2025-06-01T10:50Z",
            Mode::Rental,
            Some("vastai"),
            None,
        ),
    ];
    let mut events = Vec::new();
    for e in sessions {
        // Starting a session ends the one before on the same GPU.
        if let Event::SessionStarted(st) = &e
            && st.at > t("2025-06-01T10:00Z")
        {
            events.push(Event::SessionEnded {
                gpu_uuid: "GPU-A".into(),
                at: st.at,
            });
        }
        events.push(e);
    }
    for (from, to, power_w, load) in [
        ("10:00", "10:10", 280.0, Some(99.0)),
        ("10:10", "10:20", 25.0, Some(2.0)),
        // The minute volunteering started in is half idle.
        ("10:20", "10:21", 110.0, Some(50.0)),
        ("10:21", "10:30", 200.0, Some(99.0)),
        ("10:30", "10:40", 30.0, Some(1.0)),
        ("10:40", "10:50", 320.0, None),
        ("10:50", "11:00", 240.0, Some(97.0)),
    ] {
        events.extend(loaded_minutes(
            "GPU-A",
            &format!("2025-06-01T{from}Z"),
            &format!("2025-06-01T{to}Z"),
            power_w,
            load,
        ));
    }
    s.apply(&events).unwrap();

    let now = t("2025-06-01T11:00Z");
    let draw = |mins: i64| {
        s.working_power_w("GPU-A", SignedDuration::from_mins(mins), now)
            .unwrap()
    };
    // 9 volunteer minutes at 200 W, 10 rented at 320 W, 10 backfilling at 240 W.
    let expected = (9.0 * 200.0 + 10.0 * 320.0 + 10.0 * 240.0) / 29.0;
    let w = draw(60).unwrap();
    assert!((w - expected).abs() < 1e-9, "{w} != {expected}");
    assert_eq!(draw(10), Some(240.0));
    assert_eq!(draw(20), Some(280.0));
    // 10:30–10:40 alone: a volunteer client without tasks is not working.
    assert_eq!(
        s.working_power_w(
            "GPU-A",
            SignedDuration::from_mins(10),
            t("2025-06-01T10:40Z")
        )
        .unwrap(),
        None
    );
    assert_eq!(
        s.working_power_w("GPU-B", SignedDuration::from_hours(1), now)
            .unwrap(),
        None
    );
}

#[test]
fn csv_export_has_one_row_per_session_and_statement_with_quoted_text() {
    let mut s = store();
    let mut events = vec![
        Event::SessionStarted(SessionStart {
            gpu_uuid: "GPU-A".into(),
            at: t("2025-06-01T10:00Z"),
            mode: Mode::Idle,
            provider: None,
            reason_code: "game_running".into(),
            reason: "Idle — game running: \"Elden Ring\", patch 1.2\nsecond line".into(),
            price_per_hour: None,
        }),
        start(
            "GPU-A",
            "2025-06-01T11:00Z",
            Mode::Rental,
            Some("vastai"),
            Some("0.40"),
        ),
        earning(
            "inv,7",
            "-0.05",
            "USD",
            "2025-06-01T00:00Z",
            "2025-06-02T00:00Z",
        ),
    ];
    events.extend(minutes(
        "GPU-A",
        "2025-06-01T10:00Z",
        "2025-06-01T12:00Z",
        600.0,
    ));
    s.apply(&events).unwrap();
    let mut model = flat_model("0.30", "EUR", 0.0);
    model.tz = TimeZone::get("Europe/Berlin").unwrap();
    let mut out = Vec::new();
    let summary = s
        .export_csv(
            t("2025-06-01T00:00Z"),
            t("2025-06-02T00:00Z"),
            &model,
            t("2025-06-01T12:00Z"),
            &mut out,
        )
        .unwrap();
    assert_eq!(
        summary,
        ExportSummary {
            sessions: 2,
            earnings: 1
        }
    );
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], CSV_COLUMNS.join(","));
    assert!(lines[1].starts_with(
        "session,1,GPU-A,,idle,2025-06-01T10:00:00Z,2025-06-01T12:00:00+02:00,2025-06-01T11:00:00Z,2025-06-01T13:00:00+02:00,1,false,0.6,0.18,EUR,,,,game_running,"
    ), "{}", lines[1]);
    assert!(
        lines[1].ends_with("\"Idle — game running: \"\"Elden Ring\"\", patch 1.2\nsecond line\"")
    );
    assert!(
        lines[2].starts_with("session,2,GPU-A,vastai,rental,2025-06-01T11:00:00Z"),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains(",true,0.6,0.18,EUR,"), "{}", lines[2]);
    assert!(
        lines[3].starts_with("earning,1,GPU-A,vastai,,2025-06-01T00:00:00Z"),
        "{}",
        lines[3]
    );
    assert!(lines[3].ends_with(",-0.05,USD,\"inv,7\",,"), "{}", lines[3]);
    assert_eq!(lines[4], "");
    assert_eq!(lines.len(), 5);
}

#[test]
fn an_empty_range_is_refused() {
    let s = store();
    let at = Timestamp::UNIX_EPOCH;
    assert!(matches!(
        s.figures(at, at, &ALL, &flat_model("1", "EUR", 0.0), at),
        Err(LedgerError::Range(_))
    ));
}
