//! Configurations that must be accepted, and what they compile to: the empty file, the
//! annotated reference in examples/overtime.toml, and the schedule forms users write.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use jiff::Timestamp;
use overtime_core::Mode;
use overtime_core::config::{Config, ConfigError, ThermalLimits};
use overtime_core::schedule::ModeSet;

const EXAMPLE: &str = include_str!("../../../examples/overtime.toml");

#[test]
fn an_empty_or_comment_only_file_is_the_default_configuration() {
    assert_eq!(Config::parse("", None).unwrap(), Config::default());
    assert_eq!(
        Config::parse("# nothing here\n\n", None).unwrap(),
        Config::default()
    );
    assert!(Config::default().validate().is_ok());
}

#[test]
fn the_reference_example_parses_and_its_defaults_are_the_real_defaults() {
    let config = Config::parse(EXAMPLE, Some(Path::new("examples/overtime.toml"))).unwrap();
    let default = Config::default();
    // Sections whose example values are all defaults.
    assert_eq!(config.general, default.general);
    assert_eq!(config.policy, default.policy);
    assert_eq!(config.rental, default.rental);
    assert_eq!(config.electricity, default.electricity);
    assert_eq!(config.api, default.api);
    assert_eq!(config.notifications, default.notifications);
    assert_eq!(config.thermal.limits, default.thermal.limits);
    assert_eq!(config.schedule.default, default.schedule.default);
    let mut activity = config.activity.clone();
    activity.games = Vec::new();
    assert_eq!(activity, default.activity);
    // The parts marked as examples.
    assert_eq!(config.schedule.windows.len(), 3);
    assert_eq!(config.activity.games, ["eldenring.exe", "steam_app_*"]);
    let gpu1 = config.thermal.limits_for("GPU-aaaa", 1);
    assert_eq!(gpu1.soft_limit_c, 78.0);
    assert_eq!(gpu1.critical_limit_c, 86.0);
}

/// Every key `Config::default()` has, by its dotted path.
fn keys(value: &toml::Value, prefix: &str, out: &mut Vec<String>) {
    if let toml::Value::Table(table) = value {
        for (key, child) in table {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            keys(child, &path, out);
            out.push(path);
        }
    }
}

#[test]
fn the_reference_example_documents_every_key() {
    let default = toml::Value::try_from(Config::default()).unwrap();
    let example: toml::Value = toml::from_str(EXAMPLE).unwrap();
    let mut default_keys = Vec::new();
    keys(&default, "", &mut default_keys);
    let mut example_keys = Vec::new();
    keys(&example, "", &mut example_keys);
    for key in default_keys {
        // `gpu` and `hooks` are empty by default; the example shows them commented out.
        assert!(
            example_keys.contains(&key) || key == "thermal.gpu" || key == "providers.hooks",
            "examples/overtime.toml does not show {key}"
        );
    }
    // Optional keys absent from the default: shown (commented out) with their meaning.
    assert!(EXAMPLE.contains("# exchange_rate = \"0.92\""));
    assert!(EXAMPLE.contains("# [[providers.hooks]]"));
    for window_key in ["name", "days", "start", "end", "modes"] {
        assert!(
            EXAMPLE.contains(&format!("\n{window_key} = ")),
            "examples/overtime.toml does not show schedule.window.{window_key}"
        );
    }
}

#[test]
fn the_example_schedule_compiles_to_its_windows() {
    let config = Config::parse(EXAMPLE, None).unwrap();
    let schedule = config.schedule();
    assert_eq!(schedule.default_modes, ModeSet::ALL);
    let summary: Vec<_> = schedule
        .windows
        .iter()
        .map(|w| {
            (
                w.name.as_deref().unwrap(),
                w.days,
                w.start_min,
                w.end_min,
                w.modes,
            )
        })
        .collect();
    let t = true;
    let f = false;
    assert_eq!(
        summary,
        vec![
            (
                "gaming evenings",
                [t, t, t, t, f, f, f],
                18 * 60,
                23 * 60 + 30,
                ModeSet::NONE
            ),
            (
                "cheap night power",
                [t; 7],
                23 * 60 + 30,
                7 * 60,
                ModeSet::ALL
            ),
            (
                "weekend gaming",
                [f, f, f, f, f, t, t],
                10 * 60,
                18 * 60,
                ModeSet::NONE
            ),
        ]
    );
    // 2026-01-05 is a Monday: at 19:00 UTC the evening window keeps the GPU idle.
    let state = schedule.at(
        "2026-01-05T19:00Z".parse::<Timestamp>().unwrap(),
        &jiff::tz::TimeZone::UTC,
    );
    assert_eq!(state.window_name.as_deref(), Some("gaming evenings"));
    assert!(!state.modes.allows(Mode::Rental));
}

#[test]
fn day_forms_compile_to_the_days_they_name() {
    let cases: &[(&str, [bool; 7])] = &[
        (
            r#"["mon-fri"]"#,
            [true, true, true, true, true, false, false],
        ),
        (
            r#"["fri-mon"]"#,
            [true, false, false, false, true, true, true],
        ),
        (
            r#"["Monday", "wed", "SUN"]"#,
            [true, false, true, false, false, false, true],
        ),
        (
            r#"["weekdays"]"#,
            [true, true, true, true, true, false, false],
        ),
        (
            r#"["weekends"]"#,
            [false, false, false, false, false, true, true],
        ),
        (r#"["daily"]"#, [true; 7]),
    ];
    for (days, expected) in cases {
        let text = format!(
            "[[schedule.window]]\ndays = {days}\nstart = \"10:00\"\nend = \"11:00\"\nmodes = [\"rental\"]\n"
        );
        let config = Config::parse(&text, None).unwrap();
        assert_eq!(config.schedule().windows[0].days, *expected, "{days}");
    }
}

#[test]
fn windows_that_touch_or_cross_midnight_without_overlapping_are_accepted() {
    let text = r#"
[[schedule.window]]
days = ["sun"]
start = "22:00"
end = "02:00"          # crosses into Monday
modes = ["rental"]

[[schedule.window]]
days = ["mon"]
start = "02:00"        # starts exactly when the Sunday night window ends
end = "24:00"
modes = ["volunteer"]

[[schedule.window]]
days = ["tue"]
start = "00:00"
end = "06:00"
modes = []
"#;
    let config = Config::parse(text, None).unwrap();
    let schedule = config.schedule();
    assert_eq!(schedule.windows.len(), 3);
    assert_eq!(schedule.windows[0].end_min, 120);
    assert_eq!(schedule.windows[1].end_min, 1440);
}

#[test]
fn the_time_zone_is_the_named_one_or_none_for_the_system() {
    assert!(Config::default().time_zone().is_none());
    let config = Config::parse("[general]\ntimezone = \"Europe/Berlin\"\n", None).unwrap();
    assert_eq!(
        config.time_zone().unwrap().iana_name(),
        Some("Europe/Berlin")
    );
}

#[test]
fn different_currencies_are_accepted_with_an_exchange_rate() {
    let text = r#"
[rental]
currency = "USD"
exchange_rate = "0.92"

[electricity]
currency = "eur"
price_per_kwh = "0.35"
"#;
    let config = Config::parse(text, None).unwrap();
    assert_eq!(config.electricity.currency.code(), "EUR");
    assert_eq!(config.rental.exchange_rate.unwrap().to_string(), "0.92");
}

#[test]
fn per_gpu_overrides_accept_uuids_and_indices_and_merge_with_thermal() {
    let text = r#"
[thermal]
soft_limit_c = 80

[thermal.gpu."GPU-5a1b2c3d-0000-1111-2222-333344445555"]
critical_limit_c = 95

[thermal.gpu."0"]
hysteresis_c = 8
"#;
    let config = Config::parse(text, None).unwrap();
    let by_uuid = config
        .thermal
        .limits_for("GPU-5a1b2c3d-0000-1111-2222-333344445555", 3);
    assert_eq!(
        by_uuid,
        ThermalLimits {
            soft_limit_c: 80.0,
            critical_limit_c: 95.0,
            ..ThermalLimits::default()
        }
    );
    assert_eq!(config.thermal.limits_for("GPU-other", 0).hysteresis_c, 8.0);
}

#[test]
fn an_error_displays_as_file_line_column_field_message() {
    let error = ConfigError {
        file: Some("overtime.toml".into()),
        line: Some(14),
        column: Some(7),
        field: "schedule.window[2].end".to_owned(),
        message: "\"25:00\" is not a time; use HH:MM between 00:00 and 24:00".to_owned(),
        problem: overtime_core::config::Problem::new("config-time-notAnEnd").text("text", "25:00"),
    };
    assert_eq!(
        error.problem.english(),
        error.message,
        "the message is the problem in English"
    );
    assert_eq!(
        error.to_string(),
        "overtime.toml:14:7: schedule.window[2].end: \"25:00\" is not a time; use HH:MM between 00:00 and 24:00"
    );
    let without_file = ConfigError {
        file: None,
        ..error
    };
    assert!(
        without_file
            .to_string()
            .starts_with("line 14:7: schedule.window[2].end: ")
    );
}

#[test]
fn a_config_written_back_to_toml_reads_the_same() {
    let config = Config::parse(EXAMPLE, None).unwrap();
    let written = toml::to_string(&config).unwrap();
    assert_eq!(Config::parse(&written, None).unwrap(), config, "{written}");
}

/// The annotated example in the README is real configuration, not prose that can rot.
#[test]
fn the_readme_example_is_a_valid_configuration() {
    let readme = include_str!("../../../README.md");
    let start = readme.find("```toml\n").expect("README has a toml example") + "```toml\n".len();
    let end = start + readme[start..].find("```").expect("closed code block");
    let config =
        Config::parse(&readme[start..end], None).unwrap_or_else(|e| panic!("README example: {e}"));
    assert_eq!(config.schedule.windows.len(), 2);
    assert_eq!(config.rental.exchange_rate, Some("0.92".parse().unwrap()));
}
