//! The Vast.ai host provider against a loopback fake of the host API: the listing never ends
//! after the rental window, it is re-sent only when it meaningfully changes, unlisting keeps
//! running contracts reported as rented, every failure maps to the right error, and the API key
//! never shows up anywhere but the Authorization header.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod vast_fake;

use std::str::FromStr;
use std::time::{Duration, Instant};

use axum::http::Method;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use overtime_agent::providers::vast::{DEFAULT_REQUEST_TIMEOUT, VastProvider};
use overtime_agent::providers::{GpuDesire, Provider, ProviderError, ProviderKind};
use overtime_core::config::providers::VastSettings;
use rust_decimal::Decimal;
use vast_fake::{FakeVast, Fault, KEY};

const MACHINE: u64 = 4242;

fn settings(fake: &FakeVast) -> VastSettings {
    VastSettings {
        api_url: fake.url.clone(),
        machine_id: MACHINE,
        ..VastSettings::default()
    }
}

fn price(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn provider(fake: &FakeVast) -> VastProvider {
    VastProvider::with_request_timeout(
        &settings(fake),
        price("0.25"),
        Some(KEY.to_owned()),
        Duration::from_millis(400),
    )
    .unwrap()
}

/// The test's "now" in whole seconds, read once so that end dates computed at different moments
/// of one test agree.
fn base_s() -> i64 {
    Timestamp::now().as_second()
}

/// `minutes` after `base_s`, in whole seconds: comparisons with Unix-second end dates are exact.
fn at(base_s: i64, minutes: i64) -> Timestamp {
    Timestamp::from_second(base_s + minutes * 60).unwrap()
}

fn gpu(index: u32, on: bool, list_until: Option<Timestamp>) -> GpuDesire {
    GpuDesire {
        uuid: format!("GPU-{index}"),
        index,
        on,
        list_until,
    }
}

/// The error's message and debug form, both of which must stay free of the key.
fn assert_no_key(err: &ProviderError) {
    let shown = format!("{err} / {err:?}");
    assert!(!shown.contains(KEY), "key leaked: {shown}");
    assert!(
        !shown.contains("3f9a1c77e0"),
        "part of the key leaked: {shown}"
    );
}

#[tokio::test]
async fn is_a_real_rental_provider_named_vast() {
    let fake = FakeVast::start(MACHINE, 2).await;
    let p = provider(&fake);
    assert_eq!(p.name(), "vast");
    assert_eq!(p.kind(), ProviderKind::Rental);
    assert!(!p.simulated());
}

#[tokio::test]
async fn lists_until_the_earliest_list_until_among_the_desired_gpus() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 3).await;
    let mut p = provider(&fake);
    let (early, late) = (at(base, 120), at(base, 180));
    let status = p
        .apply(&[
            gpu(0, true, Some(late)),
            gpu(1, true, Some(early)),
            // Off, but its window ends earliest of all: the listing must not outlast it either.
            gpu(2, false, Some(at(base, 90))),
        ])
        .await
        .unwrap();

    let body = fake.last_listing_body();
    assert_eq!(body["machine"], MACHINE);
    assert_eq!(body["end_date"], at(base, 90).as_second());
    assert_eq!(body["price_gpu"].to_string(), "0.25");
    assert_eq!(
        body["price_min_bid"].to_string(),
        "0.25",
        "empty min_bid = the GPU price"
    );
    assert_eq!(body["price_disk"].to_string(), "0.1");
    assert_eq!(body["min_chunk"], 1);
    assert!(body["credit_discount_max"].is_number());
    assert!(fake.machine(MACHINE).listed);

    assert_eq!(status.gpus.len(), 3);
    for g in &status.gpus {
        assert!(g.enabled, "{g:?}");
        assert!(!g.working);
        assert_eq!(g.rented_until, None);
        assert_eq!(g.listed_until, Some(at(base, 90)));
    }
    assert!(
        status.detail.contains("listed at 0.25 USD/GPU-h"),
        "{}",
        status.detail
    );
}

#[tokio::test]
async fn sub_second_end_dates_round_down_never_past_the_window() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    let mut p = provider(&fake);
    let until = at(base, 60)
        .checked_add(SignedDuration::from_millis(999))
        .unwrap();
    p.apply(&[gpu(0, true, Some(until))]).await.unwrap();
    assert_eq!(
        fake.last_listing_body()["end_date"],
        at(base, 60).as_second()
    );
}

#[tokio::test]
async fn relists_only_when_the_listing_meaningfully_changes() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    let mut p = provider(&fake);
    let puts = || fake.count(Method::PUT, "/machines/create_asks/");
    let end = at(base, 240);

    p.apply(&[gpu(0, true, Some(end))]).await.unwrap();
    assert_eq!(puts(), 1);

    // The same wish again, and a window that grew by less than the tolerance: nothing sent.
    p.apply(&[gpu(0, true, Some(end))]).await.unwrap();
    p.apply(&[gpu(0, true, Some(at(base, 245)))]).await.unwrap();
    assert_eq!(puts(), 1);

    // The window grew by more than ten minutes: the end date is extended.
    p.apply(&[gpu(0, true, Some(at(base, 260)))]).await.unwrap();
    assert_eq!(puts(), 2);
    assert_eq!(
        fake.last_listing_body()["end_date"],
        at(base, 260).as_second()
    );

    // The window shrank, even by one minute: corrected at once.
    p.apply(&[gpu(0, true, Some(at(base, 259)))]).await.unwrap();
    assert_eq!(puts(), 3);
    assert_eq!(
        fake.last_listing_body()["end_date"],
        at(base, 259).as_second()
    );

    // Repeated applies reuse a fresh reading instead of asking Vast.ai each time.
    let gets_before = fake.count(Method::GET, "/machines");
    for _ in 0..5 {
        p.apply(&[gpu(0, true, Some(at(base, 259)))]).await.unwrap();
    }
    assert_eq!(fake.count(Method::GET, "/machines"), gets_before);
    assert_eq!(puts(), 3);
}

#[tokio::test]
async fn relists_when_the_live_price_differs() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    let end = at(base, 120);
    // The user listed by hand at another price, with our end date.
    fake.set_listing(MACHINE, true, "0.40", Some(end));
    let mut p = provider(&fake);
    p.apply(&[gpu(0, true, Some(end))]).await.unwrap();
    assert_eq!(fake.count(Method::PUT, "/machines/create_asks/"), 1);
    assert_eq!(fake.last_listing_body()["price_gpu"].to_string(), "0.25");

    // Same price written differently ("0.250") is no change.
    let fake = FakeVast::start(MACHINE, 1).await;
    fake.set_listing(MACHINE, true, "0.250", Some(end));
    let mut p = provider(&fake);
    p.apply(&[gpu(0, true, Some(end))]).await.unwrap();
    assert_eq!(fake.count(Method::PUT, "/machines/create_asks/"), 0);
}

#[tokio::test]
async fn without_an_echoed_price_our_own_last_listing_counts() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    fake.hide_price();
    let mut p = provider(&fake);
    let end = at(base, 120);
    p.apply(&[gpu(0, true, Some(end))]).await.unwrap();
    p.apply(&[gpu(0, true, Some(at(base, 121)))]).await.unwrap();
    assert_eq!(fake.count(Method::PUT, "/machines/create_asks/"), 1);
}

#[tokio::test]
async fn a_gpu_on_without_an_end_date_never_lists() {
    let fake = FakeVast::start(MACHINE, 1).await;
    let mut p = provider(&fake);
    let status = p.apply(&[gpu(0, true, None)]).await.unwrap();
    assert_eq!(fake.count(Method::PUT, "/"), 0);
    assert!(!status.gpus[0].enabled);
}

#[tokio::test]
async fn unlisting_keeps_a_running_contract_reported_as_rented_until_its_end() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 2).await;
    let mut p = provider(&fake);
    p.apply(&[
        gpu(0, true, Some(at(base, 300))),
        gpu(1, true, Some(at(base, 300))),
    ])
    .await
    .unwrap();
    let contract_end = at(base, 200);
    fake.rent(MACHINE, contract_end);

    // A game starts: nothing is wanted on any more.
    let status = p
        .apply(&[gpu(0, false, None), gpu(1, false, None)])
        .await
        .unwrap();
    assert_eq!(fake.count(Method::DELETE, "/machines/4242/asks/"), 1);
    let machine = fake.machine(MACHINE);
    assert!(!machine.listed);
    assert_eq!(machine.rentals.len(), 1, "the contract was not touched");

    for g in &status.gpus {
        assert!(!g.enabled, "{g:?}");
        assert!(g.working, "{g:?}");
        assert_eq!(g.rented_until, Some(contract_end), "{g:?}");
        assert_eq!(g.listed_until, None);
    }
    assert!(
        status.detail.contains("unlisting never ends a rental"),
        "{}",
        status.detail
    );

    // A later poll says the same.
    let polled = p.status().await.unwrap();
    assert_eq!(polled, status);

    // Already unlisted: asking again sends nothing.
    p.apply(&[gpu(0, false, None), gpu(1, false, None)])
        .await
        .unwrap();
    assert_eq!(fake.count(Method::DELETE, "/"), 1);
}

#[tokio::test]
async fn a_rental_on_an_unlisted_machine_is_still_reported() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    let end = at(base, 30);
    fake.rent(MACHINE, end);
    let mut p = provider(&fake);
    let status = p.apply(&[gpu(0, false, None)]).await.unwrap();
    assert_eq!(status.gpus[0].rented_until, Some(end));
    assert!(status.gpus[0].working);
    assert!(!status.gpus[0].enabled);
    assert_eq!(fake.count(Method::DELETE, "/"), 0);
}

#[tokio::test]
async fn shutdown_unlists_only_a_listing_overtime_made() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    fake.set_listing(MACHINE, true, "0.25", Some(at(base, 60)));
    let mut p = provider(&fake);
    p.status().await.unwrap();
    p.shutdown().await.unwrap();
    assert!(fake.machine(MACHINE).listed, "the user's own listing stays");

    let fake = FakeVast::start(MACHINE, 1).await;
    let mut p = provider(&fake);
    p.apply(&[gpu(0, true, Some(at(base, 60)))]).await.unwrap();
    fake.rent(MACHINE, at(base, 45));
    p.shutdown().await.unwrap();
    let machine = fake.machine(MACHINE);
    assert!(!machine.listed);
    assert_eq!(machine.rentals.len(), 1);
}

#[tokio::test]
async fn the_key_travels_only_in_the_bearer_header() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    let mut p = provider(&fake);
    p.apply(&[gpu(0, true, Some(at(base, 60)))]).await.unwrap();
    p.apply(&[gpu(0, false, None)]).await.unwrap();
    p.earnings(Date::constant(2026, 1, 1), Date::constant(2026, 1, 2))
        .await
        .unwrap();
    let seen = fake.seen();
    assert!(seen.len() >= 4);
    for s in &seen {
        assert_eq!(
            s.authorization.as_deref(),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert!(!s.uri.contains(KEY), "{}", s.uri);
        assert!(!s.uri.contains("api_key"), "{}", s.uri);
        if let Some(body) = &s.body {
            assert!(!body.to_string().contains(KEY));
        }
    }
    assert!(!format!("{p:?}").contains(KEY));
    assert!(!format!("{p:?}").contains("3f9a1c77e0"));
}

/// What a fault must turn into.
#[derive(Debug)]
enum Want {
    RateLimited(u64),
    Other(&'static str),
    Timeout,
    Protocol,
    Unauthorized(&'static str),
}

fn check(err: &ProviderError, want: &Want) {
    assert_no_key(err);
    match (err, want) {
        (ProviderError::RateLimited { retry_after_s, .. }, Want::RateLimited(s)) => {
            assert_eq!(retry_after_s, s)
        }
        (ProviderError::Other { detail, .. }, Want::Other(text)) => {
            assert!(detail.contains(text), "{detail}")
        }
        (ProviderError::Timeout { .. }, Want::Timeout) => {}
        (ProviderError::Protocol { .. }, Want::Protocol) => {}
        (ProviderError::Unauthorized { detail, .. }, Want::Unauthorized(text)) => {
            assert!(detail.contains(text), "{detail}")
        }
        _ => panic!("{want:?} wanted, got {err:?}"),
    }
}

#[tokio::test]
async fn each_server_fault_maps_to_the_right_error() {
    let base = base_s();
    let cases: Vec<(Fault, Want)> = vec![
        (
            Fault::RateLimited {
                retry_after_s: Some(7),
            },
            Want::RateLimited(7),
        ),
        (
            Fault::RateLimited {
                retry_after_s: None,
            },
            Want::RateLimited(30),
        ),
        (Fault::ServerError, Want::Other("HTTP 500")),
        (Fault::EchoAuthorization, Want::Other("<redacted>")),
        (Fault::Hang, Want::Timeout),
        (Fault::MalformedBody, Want::Protocol),
        (Fault::MissingFields, Want::Protocol),
        (Fault::UnknownMachine, Want::Other("HTTP 404")),
    ];
    for (fault, want) in cases {
        for call in ["status", "apply", "earnings"] {
            let fake = FakeVast::start(MACHINE, 1).await;
            fake.push_fault(fault.clone());
            let mut p = provider(&fake);
            let started = Instant::now();
            let result = match call {
                "status" => p.status().await.map(|_| ()),
                "apply" => p
                    .apply(&[gpu(0, true, Some(at(base, 60)))])
                    .await
                    .map(|_| ()),
                _ => p
                    .earnings(Date::constant(2026, 1, 1), Date::constant(2026, 1, 1))
                    .await
                    .map(|_| ()),
            };
            let err = result.expect_err(&format!("{fault:?} in {call} must fail"));
            check(&err, &want);
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "{fault:?} in {call} took {:?}",
                started.elapsed()
            );
            // The next call, with the fault gone, works again.
            if call == "status" {
                p.status().await.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn a_fault_while_listing_is_reported_and_the_next_apply_lists() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    let mut p = provider(&fake);
    p.status().await.unwrap();
    // The GET is answered, the PUT is not.
    fake.push_fault(Fault::ServerError);
    let wish = [gpu(0, true, Some(at(base, 60)))];
    // The reading is fresh, so the fault hits the listing request itself.
    let err = p.apply(&wish).await.unwrap_err();
    check(&err, &Want::Other("PUT /machines/create_asks/"));
    p.apply(&wish).await.unwrap();
    assert!(fake.machine(MACHINE).listed);
}

#[tokio::test]
async fn a_hang_times_out_at_the_request_bound() {
    let fake = FakeVast::start(MACHINE, 1).await;
    fake.push_fault(Fault::Hang);
    let mut p = provider(&fake);
    let started = Instant::now();
    let err = p.status().await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, ProviderError::Timeout { timeout_s: 1, .. }),
        "{err:?}"
    );
    assert!(
        took >= Duration::from_millis(350) && took < Duration::from_secs(2),
        "{took:?}"
    );
    // The default stays under the runner's 10 s per call.
    assert!(DEFAULT_REQUEST_TIMEOUT < Duration::from_secs(10));
}

#[tokio::test]
async fn an_unknown_machine_names_the_setting_to_fix() {
    let fake = FakeVast::start(MACHINE, 1).await;
    let mut s = settings(&fake);
    s.machine_id = 7;
    let mut p = VastProvider::new(&s, price("0.25"), Some(KEY.to_owned())).unwrap();
    let err = p.status().await.unwrap_err();
    check(&err, &Want::Other("providers.vast.machine_id"));
    let err = p.apply(&[]).await.unwrap_err();
    check(&err, &Want::Other("providers.vast.machine_id"));
}

#[tokio::test]
async fn a_404_from_the_api_names_the_setting_to_fix() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    let mut p = provider(&fake);
    p.status().await.unwrap();
    // The machine left the account between the reading and the listing.
    fake.push_fault(Fault::UnknownMachine);
    let err = p
        .apply(&[gpu(0, true, Some(at(base, 60)))])
        .await
        .unwrap_err();
    check(&err, &Want::Other("HTTP 404"));
    check(&err, &Want::Other("providers.vast.machine_id"));
}

#[tokio::test]
async fn machine_id_zero_asks_for_the_setting_and_sends_nothing() {
    let base = base_s();
    let fake = FakeVast::start(MACHINE, 1).await;
    let mut s = settings(&fake);
    s.machine_id = 0;
    let mut p = VastProvider::new(&s, price("0.25"), Some(KEY.to_owned())).unwrap();
    for err in [
        p.status().await.unwrap_err(),
        p.apply(&[gpu(0, true, Some(at(base, 5)))])
            .await
            .unwrap_err(),
    ] {
        check(&err, &Want::Other("set providers.vast.machine_id"));
    }
    assert!(fake.seen().is_empty());
    p.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_missing_key_says_how_to_set_one_and_sends_nothing() {
    let fake = FakeVast::start(MACHINE, 1).await;
    for key in [None, Some(String::new()), Some("  ".to_owned())] {
        let mut p = VastProvider::new(&settings(&fake), price("0.25"), key).unwrap();
        let err = p.status().await.unwrap_err();
        check(
            &err,
            &Want::Unauthorized("overtime secrets set vast-api-key"),
        );
        check(&err, &Want::Unauthorized("OVERTIME_VAST_API_KEY"));
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn a_wrong_key_is_unauthorized_and_never_quoted() {
    let fake = FakeVast::start(MACHINE, 1).await;
    let wrong = "vk-WRONG-0000-also-secret";
    let mut p = VastProvider::new(&settings(&fake), price("0.25"), Some(wrong.to_owned())).unwrap();
    let err = p.status().await.unwrap_err();
    check(&err, &Want::Unauthorized("HTTP 401"));
    assert!(!format!("{err} {err:?} {p:?}").contains(wrong));
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let s = VastSettings {
        api_url: format!("http://{addr}/api/v0"),
        machine_id: MACHINE,
        ..VastSettings::default()
    };
    let mut p = VastProvider::new(&s, price("0.25"), Some(KEY.to_owned())).unwrap();
    let err = p.status().await.unwrap_err();
    assert_no_key(&err);
    match &err {
        ProviderError::Unreachable { address, .. } => assert!(address.contains(&addr.to_string())),
        other => panic!("Unreachable wanted, got {other:?}"),
    }
}

#[tokio::test]
async fn earnings_are_exact_decimals_per_day() {
    let fake = FakeVast::start(MACHINE, 1).await;
    // 2026-01-01 is day 20454.
    fake.set_earnings(&[
        ("20453", "5.5"),
        ("20454", "0.1"),
        ("20455", "0.2"),
        ("20456", "9"),
    ]);
    let p = provider(&fake);
    let days = p
        .earnings(Date::constant(2026, 1, 1), Date::constant(2026, 1, 2))
        .await
        .unwrap();
    assert_eq!(
        days.iter().map(|d| d.day).collect::<Vec<_>>(),
        vec![Date::constant(2026, 1, 1), Date::constant(2026, 1, 2)]
    );
    let total: Decimal = days.iter().map(|d| d.gpu_usd).sum();
    assert_eq!(total, price("0.3"));
    assert_eq!(total.to_string(), "0.3");

    let asked = fake
        .seen()
        .into_iter()
        .find(|s| s.uri.contains("machine-earnings"))
        .unwrap();
    assert!(asked.uri.contains("sday=20454"), "{}", asked.uri);
    assert!(asked.uri.contains("eday=20456"), "{}", asked.uri);
    assert!(asked.uri.contains("machid=4242"), "{}", asked.uri);

    let err = p
        .earnings(Date::constant(2026, 1, 2), Date::constant(2026, 1, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Other { .. }));
}

#[tokio::test]
async fn status_reports_the_last_weeks_earnings_as_daily_statements_read_at_most_hourly() {
    let fake = FakeVast::start(MACHINE, 1).await;
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let day_number = today.duration_since(Date::constant(1970, 1, 1)).as_hours() / 24;
    fake.set_earnings(&[(&day_number.to_string(), "1.234567")]);
    let mut p = provider(&fake);
    let status = p.status().await.unwrap();
    assert_eq!(status.statements.len(), 1, "{status:?}");
    let s = &status.statements[0];
    assert_eq!(s.amount.amount.to_string(), "1.234567");
    assert_eq!(s.amount.currency.code(), "USD");
    assert_eq!(s.source_id, format!("vast-{MACHINE}-{today}"));
    assert_eq!(s.period_end.duration_since(s.period_start).as_hours(), 24);

    // The next polls reuse them: earnings are not asked for every few seconds.
    p.status().await.unwrap();
    assert_eq!(
        fake.seen()
            .iter()
            .filter(|x| x.uri.contains("machine-earnings"))
            .count(),
        1
    );
}
