//! Configurations that must be rejected, each with the exact field, line and a message that
//! says what to do; and several problems reported together.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use overtime_core::config::{Config, ConfigErrors};

struct Case {
    name: &'static str,
    text: &'static str,
    field: &'static str,
    line: usize,
    message: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "an end that is not a time",
        text: "[[schedule.window]]\ndays = [\"mon\"]\nstart = \"10:00\"\nend = \"25:00\"\nmodes = []\n",
        field: "schedule.window[0].end",
        line: 4,
        message: "\"25:00\" is not a time; use HH:MM between 00:00 and 24:00",
    },
    Case {
        name: "a start of 24:00",
        text: "[[schedule.window]]\ndays = [\"mon\"]\nstart = \"24:00\"\nend = \"02:00\"\nmodes = []\n",
        field: "schedule.window[0].start",
        line: 3,
        message: "starts at 00:00",
    },
    Case {
        name: "an unknown day",
        text: "[[schedule.window]]\ndays = [\"mon\",\n  \"funday\"]\nstart = \"10:00\"\nend = \"11:00\"\nmodes = []\n",
        field: "schedule.window[0].days[1]",
        line: 3,
        message: "\"funday\" is not a day; use mon…sun",
    },
    Case {
        name: "no days",
        text: "[[schedule.window]]\ndays = []\nstart = \"10:00\"\nend = \"11:00\"\nmodes = []\n",
        field: "schedule.window[0].days",
        line: 2,
        message: "no days listed",
    },
    Case {
        name: "an empty window",
        text: "[[schedule.window]]\ndays = [\"mon\"]\nstart = \"10:00\"\nend = \"10:00\"\nmodes = []\n",
        field: "schedule.window[0].end",
        line: 4,
        message: "starts and ends at 10:00, so it is empty",
    },
    Case {
        name: "overlapping windows",
        text: "[[schedule.window]]\nname = \"work\"\ndays = [\"mon-fri\"]\nstart = \"09:00\"\nend = \"17:00\"\nmodes = []\n\n[[schedule.window]]\nname = \"lunch\"\ndays = [\"tue\"]\nstart = \"12:00\"\nend = \"13:00\"\nmodes = [\"rental\"]\n",
        field: "schedule.window[1]",
        line: 8,
        message: "schedule.window[1] (\"lunch\") overlaps schedule.window[0] (\"work\") on Tuesday at 12:00",
    },
    Case {
        name: "a crossing window overlapping the next morning",
        text: "[[schedule.window]]\ndays = [\"fri\"]\nstart = \"22:00\"\nend = \"06:00\"\nmodes = [\"rental\"]\n\n[[schedule.window]]\ndays = [\"sat\"]\nstart = \"05:00\"\nend = \"08:00\"\nmodes = []\n",
        field: "schedule.window[1]",
        line: 7,
        message: "overlaps schedule.window[0] on Saturday at 05:00",
    },
    Case {
        name: "a sunday night window overlapping monday",
        text: "[[schedule.window]]\ndays = [\"mon\"]\nstart = \"01:00\"\nend = \"03:00\"\nmodes = []\n\n[[schedule.window]]\ndays = [\"sun\"]\nstart = \"23:00\"\nend = \"02:00\"\nmodes = [\"rental\"]\n",
        field: "schedule.window[1]",
        line: 7,
        message: "on Monday at 01:00",
    },
    Case {
        name: "an unknown key",
        text: "[general]\ntick_ms = 1000\ntimezon = \"Europe/Berlin\"\n",
        field: "general.timezon",
        line: 3,
        message: "unknown field `timezon`, expected `timezone` or `tick_ms`",
    },
    Case {
        name: "an unknown key in [thermal]",
        text: "[thermal]\nsoft_limit_c = 80\nsoft_limt_c = 80\n",
        field: "thermal.soft_limt_c",
        line: 3,
        message: "unknown field `soft_limt_c`",
    },
    Case {
        name: "a string where a number belongs",
        text: "[general]\n\ntick_ms = \"fast\"\n",
        field: "general.tick_ms",
        line: 3,
        message: "invalid type: string \"fast\", expected a whole number",
    },
    Case {
        name: "a number too large for its type",
        text: "[thermal]\npower_limit_pct = 300\n",
        field: "thermal.power_limit_pct",
        line: 2,
        message: "expected a whole number from 0 to 255",
    },
    Case {
        name: "an unknown mode",
        text: "[schedule]\ndefault = [\"rental\", \"gaming\"]\n",
        field: "schedule.default[1]",
        line: 2,
        message: "unknown variant `gaming`",
    },
    Case {
        name: "a window missing its start",
        text: "[general]\ntick_ms = 1000\n\n[[schedule.window]]\ndays = [\"mon\"]\nend = \"10:00\"\nmodes = []\n",
        field: "schedule.window[0]",
        line: 4,
        message: "missing field `start`",
    },
    Case {
        name: "a tick out of range",
        text: "[general]\ntick_ms = 50\n",
        field: "general.tick_ms",
        line: 2,
        message: "50 is out of range; use a value from 200 to 60000 ms",
    },
    Case {
        name: "a privileged port",
        text: "[api]\nenabled = true\nport = 80\n",
        field: "api.port",
        line: 3,
        message: "from 1024 to 65535",
    },
    Case {
        name: "an unknown time zone",
        text: "[general]\ntimezone = \"Europe/Berln\"\n",
        field: "general.timezone",
        line: 2,
        message: "\"Europe/Berln\" is not a known IANA time zone",
    },
    Case {
        name: "currencies that differ without an exchange rate",
        text: "[rental]\ncurrency = \"USD\"\n\n[electricity]\ncurrency = \"EUR\"\n",
        field: "rental.currency",
        line: 2,
        message: "set rental.exchange_rate to how many EUR one USD is worth",
    },
    Case {
        name: "a zero exchange rate",
        text: "[rental]\nexchange_rate = \"0\"\n",
        field: "rental.exchange_rate",
        line: 2,
        message: "a number above 0",
    },
    Case {
        name: "a negative price",
        text: "[electricity]\nprice_per_kwh = \"-0.10\"\n",
        field: "electricity.price_per_kwh",
        line: 2,
        message: "-0.10 is negative; a price must be 0 or more",
    },
    Case {
        name: "a bad glob",
        text: "[activity]\ngames = [\"eldenring.exe\", \"game[12.exe\"]\n",
        field: "activity.games[1]",
        line: 2,
        message: "\"game[12.exe\" is not a valid glob",
    },
    Case {
        name: "an empty ignore entry",
        text: "[activity]\nignore = [\n  \"Xorg\",\n  \"  \",\n]\n",
        field: "activity.ignore[1]",
        line: 4,
        message: "an empty name",
    },
    Case {
        name: "a critical limit at or below the soft limit",
        text: "[thermal]\nsoft_limit_c = 90\ncritical_limit_c = 90\n",
        field: "thermal.critical_limit_c",
        line: 3,
        message: "critical_limit_c (90 °C) must be above soft_limit_c (90 °C)",
    },
    Case {
        name: "a per-GPU critical limit below the merged soft limit",
        text: "[thermal]\nsoft_limit_c = 85\n\n[thermal.gpu.\"0\"]\ncritical_limit_c = 84.5\n",
        field: "thermal.gpu.\"0\".critical_limit_c",
        line: 5,
        message: "critical_limit_c (84.5 °C) must be above soft_limit_c (85 °C) (after applying [thermal] defaults)",
    },
    Case {
        name: "a per-GPU value out of range",
        text: "[thermal.gpu.\"GPU-12ab\"]\nstale_after_s = 1\n",
        field: "thermal.gpu.GPU-12ab.stale_after_s",
        line: 2,
        message: "1 is out of range; use a value from 2 to 600 s",
    },
    Case {
        name: "a per-GPU key that is no GPU",
        text: "[thermal.gpu.\"first\"]\nsoft_limit_c = 80\n",
        field: "thermal.gpu.first",
        line: 1,
        message: "\"first\" is neither a GPU UUID nor an index",
    },
    Case {
        name: "a soft limit that is not a number",
        text: "[thermal]\nsoft_limit_c = nan\n",
        field: "thermal.soft_limit_c",
        line: 2,
        message: "NaN is out of range; use a value from 40 to 105 °C",
    },
    Case {
        name: "a notification switch that is not true or false",
        text: "[notifications]\nthermal_trip = \"yes\"\n",
        field: "notifications.thermal_trip",
        line: 2,
        message: "invalid type: string \"yes\", expected a boolean",
    },
    Case {
        name: "an unknown notification kind",
        text: "[notifications]\nrental_start = false\n",
        field: "notifications.rental_start",
        line: 2,
        message: "unknown field `rental_start`",
    },
    Case {
        name: "hooks chosen with no hook of that kind",
        text: "[providers]\nrental = \"hooks\"\n",
        field: "providers.rental",
        line: 2,
        message: "no [[providers.hooks]] has kind = \"rental\"",
    },
    Case {
        name: "a BOINC pause too short to renew",
        text: "[providers.boinc]\npause_s = 5\n",
        field: "providers.boinc.pause_s",
        line: 2,
        message: "5 is out of range; use a value from 60 to 3600 s",
    },
    Case {
        name: "a BOINC port of zero",
        text: "[providers.boinc]\nport = 0\n",
        field: "providers.boinc.port",
        line: 2,
        message: "from 1 to 65535",
    },
    Case {
        name: "a Folding@home address that is not a WebSocket",
        text: "[providers.fah]\nurl = \"http://127.0.0.1:7396\"\n",
        field: "providers.fah.url",
        line: 2,
        message: "is not a WebSocket address",
    },
    Case {
        name: "a Vast.ai price that is not a decimal",
        text: "[providers.vast]\nprice_disk = \"0,10\"\n",
        field: "providers.vast.price_disk",
        line: 2,
        message: "\"0,10\" is not a price; write a decimal number such as \"0.10\"",
    },
    Case {
        name: "a negative minimum bid",
        text: "[providers.vast]\nmin_bid = \"-1\"\n",
        field: "providers.vast.min_bid",
        line: 2,
        message: "-1 is negative",
    },
    Case {
        name: "a hook without a start command",
        text: "[[providers.hooks]]\nname = \"m\"\nkind = \"rental\"\nstart = []\nstop = [\"m\", \"stop\"]\n",
        field: "providers.hooks[0].start",
        line: 4,
        message: "no command given",
    },
    Case {
        name: "a hook timeout out of range",
        text: "[[providers.hooks]]\nname = \"m\"\nkind = \"volunteer\"\nstart = [\"m\"]\nstop = [\"m\"]\ntimeout_s = 0\n",
        field: "providers.hooks[0].timeout_s",
        line: 6,
        message: "0 is out of range; use a value from 1 to 600 s",
    },
    Case {
        name: "broken TOML",
        text: "[general]\ntick_ms = 1000\n[api\n",
        field: "",
        line: 3,
        message: "this is not valid TOML: unclosed table",
    },
];

#[test]
fn each_bad_input_names_its_field_line_and_what_to_do() {
    for case in CASES {
        let errors = Config::parse(case.text, Some(Path::new("overtime.toml")))
            .map(|_| ())
            .expect_err(case.name);
        assert_eq!(errors.len(), 1, "{}: {errors}", case.name);
        let error = &errors.0[0];
        assert_eq!(error.field, case.field, "{}: {error}", case.name);
        assert_eq!(error.line, Some(case.line), "{}: {error}", case.name);
        assert!(
            error.message.contains(case.message),
            "{}: message {:?} lacks {:?}",
            case.name,
            error.message,
            case.message
        );
        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!("overtime.toml:{}:", case.line)),
            "{}: {shown}",
            case.name
        );
    }
}

#[test]
fn every_semantic_problem_is_reported_at_once() {
    let text = r#"[general]
timezone = "Mars/Olympus"
tick_ms = 100

[[schedule.window]]
days = ["mon"]
start = "9:00"
end = "7:60"
modes = []

[thermal]
soft_limit_c = 120

[api]
port = 22
"#;
    let errors: ConfigErrors = Config::parse(text, None).unwrap_err();
    let found: Vec<(&str, Option<usize>)> =
        errors.iter().map(|e| (e.field.as_str(), e.line)).collect();
    assert_eq!(
        found,
        vec![
            ("general.timezone", Some(2)),
            ("general.tick_ms", Some(3)),
            ("schedule.window[0].end", Some(8)),
            ("thermal.soft_limit_c", Some(12)),
            ("api.port", Some(15)),
        ]
    );
    let shown = errors.to_string();
    assert_eq!(shown.lines().count(), 5);
    assert!(shown.lines().all(|l| l.starts_with("line ")), "{shown}");
}

#[test]
fn validate_checks_a_config_built_in_code_without_lines() {
    let mut config = Config::default();
    config.api.port = 1000;
    config.rental.min_margin_pct = 5000;
    let errors = config.validate().unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["rental.min_margin_pct", "api.port"]);
    assert!(errors.iter().all(|e| e.line.is_none() && e.file.is_none()));
}

#[test]
fn an_unvalidated_config_still_compiles_a_schedule_without_panicking() {
    let mut config = Config::parse(
        "[[schedule.window]]\ndays = [\"mon\"]\nstart = \"10:00\"\nend = \"11:00\"\nmodes = [\"rental\"]\n",
        None,
    )
    .unwrap();
    config.schedule.windows[0].days.push("funday".to_owned());
    let mut broken = config.schedule.windows[0].clone();
    broken.start = "noon".to_owned();
    config.schedule.windows.push(broken);
    let schedule = config.schedule();
    assert_eq!(schedule.windows.len(), 1);
    assert_eq!(
        schedule.windows[0].days,
        [true, false, false, false, false, false, false]
    );
}

#[test]
fn overlapping_time_of_use_periods_are_named() {
    let text = "[electricity]\nprice_per_kwh = \"0.30\"\n\n[[electricity.period]]\ndays = [\"mon-fri\"]\nstart_hour = 7\nend_hour = 20\nprice_per_kwh = \"0.40\"\n\n[[electricity.period]]\ndays = [\"fri\"]\nstart_hour = 18\nend_hour = 2\nprice_per_kwh = \"0.20\"\n";
    let errors = overtime_core::config::Config::parse(text, None).unwrap_err();
    let e = errors.iter().next().unwrap();
    assert_eq!(e.field, "electricity.period[1].start_hour");
    assert!(
        e.message
            .contains("overlaps electricity.period[0] on Friday at 18:00"),
        "{}",
        e.message
    );
    assert_eq!(e.line, Some(12));
}

#[test]
fn a_time_of_use_period_crossing_midnight_prices_the_next_morning() {
    let text = "[electricity]\nprice_per_kwh = \"0.30\"\n[[electricity.period]]\nname = \"night\"\ndays = [\"daily\"]\nstart_hour = 22\nend_hour = 6\nprice_per_kwh = \"0.12\"\n";
    let c = overtime_core::config::Config::parse(text, None).unwrap();
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let at = |h: i8| {
        jiff::civil::date(2026, 11, 24)
            .at(h, 30, 0, 0)
            .to_zoned_datetime(tz.clone())
            .unwrap()
            .timestamp()
    };
    assert_eq!(
        c.electricity.price_at(at(3), &tz).amount.to_string(),
        "0.12"
    );
    assert_eq!(
        c.electricity.price_at(at(12), &tz).amount.to_string(),
        "0.30"
    );
    assert_eq!(
        c.electricity.price_at(at(23), &tz).amount.to_string(),
        "0.12"
    );
}
