//! `/metrics` as Prometheus sees it: the rendered text goes through a grammar-based parser of the
//! text format, then specific series are checked, including that missing readings are absent
//! (never 0) and that awkward GPU names survive label escaping.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_fixture;

use api_fixture::{AWKWARD_NAME, UUID_0, UUID_1, UUID_2, snapshot};
use openmetrics_parser::prometheus::parse_prometheus;
use openmetrics_parser::{MetricsExposition, PrometheusType, PrometheusValue};
use overtime_agent::metrics::render;

type Exposition = MetricsExposition<PrometheusType, PrometheusValue>;

fn parse(text: &str) -> Exposition {
    parse_prometheus(text).unwrap_or_else(|e| panic!("not valid Prometheus text: {e:?}\n{text}"))
}

/// Every sample of `family` as (labels, value).
fn samples(x: &Exposition, family: &str) -> Vec<(Vec<(String, String)>, f64)> {
    let Some(f) = x.families.get(family) else {
        return Vec::new();
    };
    f.iter_samples()
        .map(|s| {
            let labels = s
                .get_labelset()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let value = match &s.value {
                PrometheusValue::Gauge(n) | PrometheusValue::Unknown(n) => n.as_f64(),
                PrometheusValue::Counter(c) => c.value.as_f64(),
                other => panic!("unexpected value {other:?}"),
            };
            (labels, value)
        })
        .collect()
}

/// The value of the one sample of `family` whose labels include all of `want`.
fn value(x: &Exposition, family: &str, want: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = samples(x, family)
        .into_iter()
        .filter(|(labels, _)| {
            want.iter()
                .all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|(_, v)| v)
        .collect();
    assert!(
        matching.len() <= 1,
        "{family} {want:?} matched {matching:?}"
    );
    matching.first().copied()
}

fn family_type(x: &Exposition, family: &str) -> PrometheusType {
    x.families[family].family_type.clone()
}

#[test]
fn the_whole_exposition_parses_and_every_family_is_typed_and_documented() {
    let text = render(&snapshot());
    let x = parse(&text);
    for (name, family) in &x.families {
        assert!(name.starts_with("overtime_"), "{name}");
        assert!(!family.help.is_empty(), "{name} has no HELP");
    }
    assert_eq!(
        family_type(&x, "overtime_gpu_energy_joules_total"),
        PrometheusType::Counter
    );
    assert_eq!(
        family_type(&x, "overtime_decisions_total"),
        PrometheusType::Counter
    );
    assert_eq!(
        family_type(&x, "overtime_gpu_temperature_celsius"),
        PrometheusType::Gauge
    );
}

#[test]
fn readings_are_exported_in_base_units() {
    let x = parse(&render(&snapshot()));
    let gpu0 = [("gpu", "0"), ("uuid", UUID_0)];
    let cases: [(&str, f64); 10] = [
        ("overtime_gpu_temperature_celsius", 65.0),
        ("overtime_gpu_load_ratio", 0.42),
        ("overtime_gpu_memory_used_bytes", 2048.0 * 1024.0 * 1024.0),
        ("overtime_gpu_memory_total_bytes", 24576.0 * 1024.0 * 1024.0),
        ("overtime_gpu_power_watts", 180.5),
        ("overtime_gpu_power_limit_watts", 450.0),
        ("overtime_gpu_fan_ratio", 0.55),
        ("overtime_gpu_sm_clock_hertz", 2_520_000_000.0),
        ("overtime_gpu_mem_clock_hertz", 10_501_000_000.0),
        ("overtime_gpu_energy_joules_total", 123_456.789),
    ];
    for (family, expected) in cases {
        let got = value(&x, family, &gpu0).unwrap_or_else(|| panic!("{family} missing"));
        assert!(
            (got - expected).abs() < 1e-9,
            "{family}: {got} != {expected}"
        );
    }
    assert_eq!(
        value(&x, "overtime_gpu_memory_used_bytes", &gpu0),
        Some(2_147_483_648.0)
    );
}

#[test]
fn readings_a_gpu_does_not_report_are_absent_not_zero() {
    let x = parse(&render(&snapshot()));
    let gpu1 = [("uuid", UUID_1)];
    for family in [
        "overtime_gpu_fan_ratio",
        "overtime_gpu_energy_joules_total",
        "overtime_gpu_memory_used_bytes",
        "overtime_gpu_sm_clock_hertz",
        "overtime_gpu_power_limit_watts",
        "overtime_gpu_throttle",
    ] {
        assert_eq!(value(&x, family, &gpu1), None, "{family} for GPU 1");
    }
    // What it does report is there, including a real 0 % load.
    assert_eq!(value(&x, "overtime_gpu_load_ratio", &gpu1), Some(0.0));
    assert_eq!(
        value(&x, "overtime_gpu_temperature_celsius", &gpu1),
        Some(40.0)
    );
    // Input idle time is unknown in the fixture, so the series is absent.
    assert!(samples(&x, "overtime_input_idle_seconds").is_empty());
}

#[test]
fn a_faulted_gpu_is_down_and_its_stale_readings_are_not_exported() {
    let x = parse(&render(&snapshot()));
    let gpu2 = [("uuid", UUID_2)];
    assert_eq!(value(&x, "overtime_gpu_up", &gpu2), Some(0.0));
    assert_eq!(value(&x, "overtime_gpu_up", &[("uuid", UUID_0)]), Some(1.0));
    assert_eq!(value(&x, "overtime_gpu_temperature_celsius", &gpu2), None);
    assert_eq!(value(&x, "overtime_gpu_power_watts", &gpu2), None);
    assert_eq!(
        value(
            &x,
            "overtime_gpu_mode_reason_info",
            &[("uuid", UUID_2), ("reason", "telemetry_stale")]
        ),
        Some(1.0)
    );
}

#[test]
fn awkward_gpu_names_survive_label_escaping() {
    let text = render(&snapshot());
    let x = parse(&text);
    let names: Vec<String> = samples(&x, "overtime_gpu_up")
        .into_iter()
        .filter_map(|(labels, _)| {
            labels
                .into_iter()
                .find(|(k, _)| k == "name")
                .map(|(_, v)| v)
        })
        .collect();
    assert!(
        names.iter().any(|n| n == AWKWARD_NAME),
        "{names:?} lacks {AWKWARD_NAME:?}"
    );
    // The raw newline in the name must not break a sample across lines.
    assert!(text.contains(r#"name="Lab \"Quoted\" C:\\GPU\nsecond line, {braces}=x""#));
}

#[test]
fn mode_is_one_hot_and_carries_the_reason_code() {
    let x = parse(&render(&snapshot()));
    for (mode, expected) in [("rental", 1.0), ("volunteer", 0.0), ("idle", 0.0)] {
        assert_eq!(
            value(&x, "overtime_gpu_mode", &[("uuid", UUID_0), ("mode", mode)]),
            Some(expected),
            "{mode}"
        );
    }
    assert_eq!(
        value(
            &x,
            "overtime_gpu_mode",
            &[("uuid", UUID_1), ("mode", "idle")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &x,
            "overtime_gpu_mode_reason_info",
            &[("uuid", UUID_1), ("reason", "game_running")]
        ),
        Some(1.0)
    );
}

#[test]
fn throttle_reasons_are_one_series_each() {
    let x = parse(&render(&snapshot()));
    let gpu0: Vec<_> = samples(&x, "overtime_gpu_throttle")
        .into_iter()
        .filter(|(labels, _)| labels.iter().any(|(k, v)| k == "uuid" && v == UUID_0))
        .collect();
    assert_eq!(gpu0.len(), 9);
    let active: Vec<String> = gpu0
        .iter()
        .filter(|(_, v)| *v == 1.0)
        .flat_map(|(labels, _)| labels.iter().filter(|(k, _)| k == "reason"))
        .map(|(_, v)| v.clone())
        .collect();
    assert_eq!(active, ["sw_power_cap"]);
}

#[test]
fn the_break_even_electricity_cost_per_hour_is_a_gauge_per_gpu_with_its_source() {
    let x = parse(&render(&snapshot()));
    assert_eq!(
        family_type(&x, "overtime_gpu_electricity_cost_per_hour"),
        PrometheusType::Gauge
    );
    let got = value(
        &x,
        "overtime_gpu_electricity_cost_per_hour",
        &[
            ("uuid", UUID_0),
            ("currency", "EUR"),
            ("source", "recent_average"),
        ],
    )
    .expect("GPU 0 has a running cost");
    assert!((got - 0.1134).abs() < 1e-12, "{got}");
    // A GPU without a known draw has no series, not a cost of 0.
    assert_eq!(
        value(
            &x,
            "overtime_gpu_electricity_cost_per_hour",
            &[("uuid", UUID_1)]
        ),
        None
    );
}

#[test]
fn agent_wide_series_say_demo_mode_overrides_games_and_providers() {
    let mut snap = snapshot();
    let x = parse(&render(&snap));
    assert_eq!(value(&x, "overtime_simulated", &[]), Some(1.0));
    assert_eq!(value(&x, "overtime_decisions_total", &[]), Some(7.0));
    assert_eq!(value(&x, "overtime_games_running", &[]), Some(1.0));
    assert_eq!(
        value(&x, "overtime_override_active", &[("uuid", UUID_1)]),
        Some(1.0)
    );
    assert_eq!(
        value(&x, "overtime_override_active", &[("uuid", UUID_0)]),
        Some(0.0)
    );
    assert_eq!(
        value(
            &x,
            "overtime_provider_up",
            &[("provider", "demo-rental"), ("kind", "rental")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &x,
            "overtime_provider_up",
            &[("provider", "boinc"), ("kind", "volunteer")]
        ),
        Some(0.0)
    );
    assert_eq!(
        value(
            &x,
            "overtime_info",
            &[
                ("version", "0.1.0-test"),
                ("sensor_backend", &snap.sensor_backend)
            ]
        ),
        Some(1.0)
    );

    // Real hardware, input idle known, override expired.
    snap.simulated = false;
    snap.activity.input_idle_s = Some(125);
    snap.at = "2026-11-24T23:00:00Z".parse().unwrap();
    let x = parse(&render(&snap));
    assert_eq!(value(&x, "overtime_simulated", &[]), Some(0.0));
    assert_eq!(value(&x, "overtime_input_idle_seconds", &[]), Some(125.0));
    assert_eq!(
        value(&x, "overtime_override_active", &[("uuid", UUID_1)]),
        Some(0.0)
    );
}

#[test]
fn non_finite_readings_are_left_out() {
    let mut snap = snapshot();
    if let Some(r) = snap.gpus[0].reading.as_mut() {
        r.temp_c = Some(f64::NAN);
        r.power_w = Some(f64::INFINITY);
    }
    let x = parse(&render(&snap));
    assert_eq!(
        value(&x, "overtime_gpu_temperature_celsius", &[("uuid", UUID_0)]),
        None
    );
    assert_eq!(
        value(&x, "overtime_gpu_power_watts", &[("uuid", UUID_0)]),
        None
    );
}
