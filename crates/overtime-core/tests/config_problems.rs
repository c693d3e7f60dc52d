//! Every validation problem is a catalogue message that reads in English and in German: a file
//! and settings forms with one mistake of each kind, each error rendered in both languages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use overtime_core::config::edit::{self, ApiForm, ElectricityForm, FieldError};
use overtime_core::config::{Config, ConfigError};
use overtime_core::i18n::Catalogue;
use toml_edit::DocumentMut;

/// One mistake of (nearly) every kind `Config::parse` reports after the TOML has been read.
const BROKEN: &str = r#"
[general]
timezone = "Mars/Olympus"
tick_ms = 10

[[schedule.window]]
days = ["funday", "mon-xyz", ""]
start = "25:00"
end = "24:00"
modes = ["idle"]

[[schedule.window]]
days = []
start = "10:00"
end = "10:00"
modes = ["idle"]

[[schedule.window]]
days = ["sun"]
start = "24:00"
end = "24:30"
modes = ["idle"]

[[schedule.window]]
name = "evenings"
days = ["mon"]
start = "18:00"
end = "23:00"
modes = ["volunteer"]

[[schedule.window]]
days = ["monday"]
start = "22:00"
end = "23:30"
modes = ["idle"]

[thermal]
soft_limit_c = 80.0
critical_limit_c = 75.5
hysteresis_c = 2.0

[thermal.gpu."banana"]
soft_limit_c = 120.0

[thermal.gpu."1"]
hysteresis_c = 25.0
soft_limit_c = 60.0
critical_limit_c = 59.0

[activity]
games = ["", "[unclosed"]

[rental]
price_per_gpu_hour = "-0.10"
currency = "USD"
exchange_rate = "0"

[electricity]
price_per_kwh = "0.30"
currency = "EUR"
carbon_g_per_kwh = 5000.0

[[electricity.period]]
days = []
start_hour = 30
end_hour = 0
price_per_kwh = "0.40"

[[electricity.period]]
days = ["tue"]
start_hour = 5
end_hour = 5
price_per_kwh = "0.40"

[[electricity.period]]
days = ["mon"]
start_hour = 8
end_hour = 12
price_per_kwh = "0.40"

[[electricity.period]]
days = ["mon"]
start_hour = 10
end_hour = 14
price_per_kwh = "0.40"

[api]
port = 80

[providers]
rental = "hooks"

[providers.boinc]
host = "local host"

[providers.fah]
url = "http://127.0.0.1:7396"

[providers.vast]
api_url = "console.vast.ai"
price_disk = "cheap"
min_bid = "1,2,3"
min_chunk = 0

[[providers.hooks]]
name = ""
kind = "volunteer"
start = []
stop = [""]
status = [" "]
"#;

fn parse_errors(text: &str) -> Vec<ConfigError> {
    Config::parse(text, None).unwrap_err().0
}

fn form_errors(result: Result<(), edit::EditError>) -> Vec<FieldError> {
    match result {
        Err(edit::EditError::Invalid(errors)) => errors,
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// Both languages render the problem fully, differently, and the English one is the message.
fn check(field: &str, message: &str, problem: &overtime_core::config::Problem) {
    let english = problem.render(Catalogue::english());
    let german = problem.render(Catalogue::german());
    assert_eq!(
        english, message,
        "{field}: the message is the English rendering"
    );
    for (language, text) in [("English", &english), ("German", &german)] {
        assert!(!text.is_empty(), "{field}: empty in {language}");
        assert_ne!(
            text, &problem.id,
            "{field}: {} is not in the {language} catalogue",
            problem.id
        );
        assert!(
            !text.contains("{$"),
            "{field}: a variable is missing in {language}: {text}"
        );
    }
    assert_ne!(
        english, german,
        "{field}: German reads like English: {german}"
    );
}

#[test]
fn every_file_problem_reads_in_english_and_german() {
    let errors = parse_errors(BROKEN);
    let ids: std::collections::BTreeSet<&str> =
        errors.iter().map(|e| e.problem.id.as_str()).collect();
    for error in &errors {
        check(&error.field, &error.message, &error.problem);
    }
    // The file above makes most kinds of mistake at once; keep it that way.
    for id in [
        "config-outOfRange",
        "config-price-negative",
        "config-timezone-unknown",
        "config-days-none",
        "config-days-notADay",
        "config-days-notARange",
        "config-days-empty",
        "config-time-notAStart",
        "config-time-notAnEnd",
        "config-time-midnightStart",
        "config-window-empty",
        "config-window-overlap",
        "config-thermal-gpuKey",
        "config-thermal-criticalNotAboveSoft",
        "config-thermal-criticalNotAboveSoft-merged",
        "config-activity-emptyName",
        "config-activity-badGlob",
        "config-rental-badExchangeRate",
        "config-electricity-carbon",
        "config-period-noDays",
        "config-period-startHour",
        "config-period-endHour",
        "config-period-empty",
        "config-period-overlap",
        "config-providers-noHook",
        "config-boinc-host",
        "config-fah-url",
        "config-vast-url",
        "config-vast-price",
        "config-vast-price-optional",
        "config-vast-minChunk",
        "config-hook-name",
        "config-hook-noCommand",
        "config-hook-noStatusProgram",
    ] {
        assert!(ids.contains(id), "no {id} among {ids:?}");
    }
}

#[test]
fn syntax_and_type_errors_keep_the_parsers_detail_inside_a_translated_message() {
    for text in [
        "[thermal]\nsoft_limit_c = \"hot\"\n",
        "this is = = not toml",
    ] {
        let errors = parse_errors(text);
        let e = &errors[0];
        assert!(e.problem.id.starts_with("config-toml-"), "{:?}", e.problem);
        check(&e.field, &e.message, &e.problem);
    }
    let errors = parse_errors("[rental]\ncurrency = \"EUR\"\n[electricity]\ncurrency = \"USD\"\n");
    assert_eq!(errors[0].problem.id, "config-rental-currencyMismatch");
    check(&errors[0].field, &errors[0].message, &errors[0].problem);
}

#[test]
fn settings_form_problems_read_in_english_and_german() {
    let mut doc = DocumentMut::new();
    let form = ElectricityForm {
        price_per_kwh: "1.234,56".into(),
        currency: "USD".into(),
        rest_of_pc_w: String::new(),
        carbon_g_per_kwh: "abc".into(),
        periods: Vec::new(),
        rental_currency: "USD".into(),
        exchange_rate: String::new(),
    };
    let errors = form_errors(edit::apply_electricity(&mut doc, &form));
    let ids: Vec<&str> = errors.iter().map(|e| e.problem.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "config-price-notDecimal",
            "config-field-emptyWhole",
            "config-field-notANumber"
        ]
    );
    let mut all = errors;
    for (port, id) in [
        ("lots", "config-field-notWhole"),
        ("99999999", "config-field-tooLarge"),
    ] {
        let errors = form_errors(edit::apply_api(
            &mut DocumentMut::new(),
            &ApiForm {
                enabled: true,
                port: port.into(),
                metrics: true,
            },
        ));
        assert_eq!(errors[0].problem.id, id, "{port:?}");
        assert_eq!(errors[0].field, "api.port");
        all.extend(errors);
    }
    for e in &all {
        check(&e.field, &e.message, &e.problem);
    }
}

#[test]
fn german_writes_numbers_and_weekdays_its_own_way() {
    let errors = parse_errors("[thermal]\nsoft_limit_c = 120.5\n");
    assert_eq!(
        errors[0].problem.render(Catalogue::german()),
        "120,5 liegt außerhalb des Bereichs; verwenden Sie einen Wert von 40 bis 105 °C"
    );
    let overlap = parse_errors(
        "[[schedule.window]]\ndays = [\"wed\"]\nstart = \"18:00\"\nend = \"20:00\"\nmodes = [\"idle\"]\n\
         [[schedule.window]]\ndays = [\"wed\"]\nstart = \"19:00\"\nend = \"21:00\"\nmodes = [\"idle\"]\n",
    );
    let german = overlap[0].problem.render(Catalogue::german());
    assert!(german.contains("am Mittwoch um 19:00"), "{german}");
    assert!(
        overlap[0].message.contains("on Wednesday at 19:00"),
        "{}",
        overlap[0].message
    );
}
