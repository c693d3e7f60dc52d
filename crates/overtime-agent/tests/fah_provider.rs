//! The Folding@home provider against a fake client that follows the v8 protocol: pauses and
//! resumes land on the client (checked on the fake's side), command times always move forward,
//! the user's state comes back at exit, one group can be controlled alone, and a dead, silent,
//! garbled or absent client gives a bounded, worded error — never a hang.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fah_fake;

use std::time::{Duration, Instant};

use fah_fake::{FakeFah, GPU_UUID, WEB_CONTROL_ORIGIN, one_group_state, two_group_state};
use jiff::Timestamp;
use overtime_agent::providers::fah::connection::ConnectionSettings;
use overtime_agent::providers::fah::{FahConfig, FahProvider};
use overtime_agent::providers::{GpuDesire, Provider, ProviderError, ProviderKind};
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The runner's bound on one call.
const RUNNER_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Upper bound on waiting for the provider to see what the fake did: a failing test gives up
/// after it, a passing one is done in milliseconds.
const WAIT_LIMIT: Duration = Duration::from_secs(10);
/// How long to let the provider's reader run between two looks.
const LOOK_AGAIN: Duration = Duration::from_millis(5);

/// Looks with `look` until `done` holds for what it saw, and returns that; fails the test with
/// the last sight after [`WAIT_LIMIT`]. The provider applies the client's messages on its own
/// reader task, which a test cannot await, so what that task makes true is looked for until it
/// holds, where a fixed sleep would only hope it did.
async fn eventually<T: std::fmt::Debug>(
    what: &str,
    mut look: impl AsyncFnMut() -> T,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + WAIT_LIMIT;
    loop {
        let seen = look().await;
        if done(&seen) {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "gave up waiting for {what}; last seen: {seen:?}"
        );
        tokio::time::sleep(LOOK_AGAIN).await;
    }
}

fn config(url: &str, group: &str) -> FahConfig {
    FahConfig {
        connection: ConnectionSettings {
            url: url.to_owned(),
            connect_timeout: Duration::from_millis(800),
            silence_limit: Duration::from_secs(45),
            ..ConnectionSettings::default()
        },
        group: group.to_owned(),
        confirm_timeout: Duration::from_millis(500),
    }
}

fn provider(fake: &FakeFah, group: &str) -> FahProvider {
    FahProvider::new(config(&fake.url(), group))
}

fn gpu(on: bool) -> Vec<GpuDesire> {
    vec![GpuDesire {
        uuid: format!("GPU-{GPU_UUID}"),
        index: 0,
        on,
        list_until: None,
    }]
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn it_is_the_real_volunteer_provider_named_fah() {
    let p = FahProvider::new(FahConfig::default());
    assert_eq!(p.name(), "fah");
    assert_eq!(p.kind(), ProviderKind::Volunteer);
    assert!(!p.simulated());
    let from_settings = FahConfig::from_settings(&Default::default());
    assert_eq!(
        from_settings.connection.url,
        "ws://127.0.0.1:7396/api/websocket"
    );
    assert_eq!(from_settings.group, "");
}

#[tokio::test]
async fn pausing_and_folding_reach_the_client() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    let mut p = provider(&fake, "");

    let status = p.apply(&gpu(false)).await.unwrap();
    assert_eq!(fake.group_paused(""), Some(true), "the client is paused");
    assert_eq!(fake.state()["units"][0]["paused"], json!(true));
    let g = status.gpu(&format!("GPU-{GPU_UUID}")).unwrap();
    assert!(!g.enabled && !g.working, "{status:?}");
    assert!(
        status.detail.contains("paused by Overtime"),
        "{}",
        status.detail
    );

    let status = p.apply(&gpu(true)).await.unwrap();
    assert_eq!(fake.group_paused(""), Some(false), "the client folds");
    let g = &status.gpus[0];
    assert!(g.enabled && g.working, "{status:?}");
    assert_eq!(
        status.detail,
        "Folding@home 8.3.18: folding, 1 unit, 1,234,567 PPD"
    );

    // The same wish again sends nothing.
    let before = fake.received().len();
    p.apply(&gpu(true)).await.unwrap();
    assert_eq!(fake.received().len(), before);
    let states: Vec<_> = fake
        .accepted_states()
        .iter()
        .map(|c| c["state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(states, ["pause", "fold"]);
    assert!(
        fake.accepted_states()
            .iter()
            .all(|c| c.get("group").is_none()),
        "no group configured: the whole machine"
    );
}

#[tokio::test]
async fn commands_in_the_same_second_all_take_because_their_times_increase() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    let mut p = provider(&fake, "");
    let started = Instant::now();
    for on in [false, true, false, true] {
        p.apply(&gpu(on)).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "four commands well within one second"
    );
    let received = fake.received();
    assert_eq!(received.len(), 4);
    assert!(received.iter().all(|r| r.accepted), "{received:?}");
    let times: Vec<Timestamp> = received
        .iter()
        .map(|r| r.json["time"].as_str().unwrap().parse().unwrap())
        .collect();
    for pair in times.windows(2) {
        assert!(pair[1].as_second() > pair[0].as_second(), "{times:?}");
    }
    assert_eq!(fake.group_paused(""), Some(false));
}

#[tokio::test]
async fn a_command_dropped_for_its_time_is_sent_again_with_a_later_one() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    // Another front end just sent a state command dated this very second.
    fake.set_last_time("state", Timestamp::now());
    let mut p = provider(&fake, "");
    p.apply(&gpu(false)).await.unwrap();
    assert_eq!(fake.group_paused(""), Some(true));
    let accepted: Vec<bool> = fake.received().iter().map(|r| r.accepted).collect();
    assert_eq!(accepted, [false, true]);
}

#[tokio::test]
async fn a_client_that_keeps_dropping_commands_is_a_worded_error() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    // A front end with a clock an hour ahead.
    fake.set_last_time(
        "state",
        Timestamp::now()
            .checked_add(jiff::SignedDuration::from_secs(3600))
            .unwrap(),
    );
    let mut p = provider(&fake, "");
    let err = p.apply(&gpu(false)).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Protocol { detail, .. } if detail.contains("clock")),
        "{err}"
    );
    assert_eq!(fake.group_paused(""), Some(false));
}

#[tokio::test]
async fn shutdown_gives_the_client_back_as_the_user_had_it() {
    // (user's state, Overtime's wish, paused after shutdown, finish after shutdown)
    let cases = [
        ("folding, paused by Overtime", false, false, false, false),
        (
            "paused (fresh install), folded by Overtime",
            true,
            true,
            true,
            false,
        ),
        ("folding, left folding", false, true, false, false),
    ];
    for (what, user_paused, want_on, paused_after, finish_after) in cases {
        let fake = FakeFah::start(one_group_state(user_paused), None).await;
        let mut p = provider(&fake, "");
        p.apply(&gpu(want_on)).await.unwrap();
        assert_eq!(fake.group_paused(""), Some(!want_on), "{what}: applied");
        p.shutdown().await.unwrap();
        assert_eq!(fake.group_paused(""), Some(paused_after), "{what}");
        assert_eq!(fake.group_finish(""), Some(finish_after), "{what}");
    }
}

#[tokio::test]
async fn shutdown_without_ever_applying_changes_nothing() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    let mut p = provider(&fake, "");
    p.status().await.unwrap();
    p.shutdown().await.unwrap();
    assert!(fake.received().is_empty());
}

#[tokio::test]
async fn a_users_own_change_while_overtime_steers_is_what_shutdown_keeps() {
    let fake = FakeFah::start(one_group_state(true), None).await;
    let mut p = provider(&fake, "");
    p.apply(&gpu(true)).await.unwrap();
    // The user clicks "finish" in the web control.
    fake.push_change(json!(["groups", "", "config", "finish", true]));
    eventually(
        "the user's change in the status",
        async || p.status().await.unwrap().detail,
        |detail| detail.contains("finishing"),
    )
    .await;
    p.shutdown().await.unwrap();
    assert_eq!(
        (fake.group_paused(""), fake.group_finish("")),
        (Some(false), Some(true)),
        "finishing, as the user asked, not paused as at the start"
    );
}

#[tokio::test]
async fn a_finishing_client_paused_by_overtime_is_handed_back_finishing() {
    let mut state = one_group_state(false);
    state["groups"][""]["config"]["finish"] = json!(true);
    let fake = FakeFah::start(state, None).await;
    let mut p = provider(&fake, "");
    p.apply(&gpu(false)).await.unwrap();
    assert_eq!(fake.group_paused(""), Some(true));
    p.shutdown().await.unwrap();
    assert_eq!(
        (fake.group_paused(""), fake.group_finish("")),
        (Some(false), Some(true))
    );
}

#[tokio::test]
async fn a_configured_group_is_the_only_one_touched() {
    let fake = FakeFah::start(two_group_state(false, false), None).await;
    let mut p = provider(&fake, "gpu");
    let status = p.apply(&gpu(false)).await.unwrap();
    assert_eq!(fake.group_paused("gpu"), Some(true));
    assert_eq!(fake.group_paused(""), Some(false), "the CPU group folds on");
    assert!(
        fake.accepted_states().iter().all(|c| c["group"] == "gpu"),
        "{:?}",
        fake.accepted_states()
    );
    assert!(!status.gpus[0].enabled && !status.gpus[0].working);
    assert!(
        status
            .detail
            .contains("(group 'gpu'): paused by Overtime, 1 unit, 2,500,000 PPD"),
        "only the group's unit counts: {}",
        status.detail
    );

    let status = p.apply(&gpu(true)).await.unwrap();
    assert_eq!(fake.group_paused("gpu"), Some(false));
    assert!(status.gpus[0].enabled && status.gpus[0].working);
    p.shutdown().await.unwrap();
    assert_eq!(
        (fake.group_paused("gpu"), fake.group_paused("")),
        (Some(false), Some(false))
    );
}

#[tokio::test]
async fn without_a_group_every_group_is_paused_and_each_is_restored() {
    // The user had the CPU group paused and the GPU group folding.
    let fake = FakeFah::start(two_group_state(true, false), None).await;
    let mut p = provider(&fake, "");
    p.apply(&gpu(false)).await.unwrap();
    assert_eq!(
        (fake.group_paused(""), fake.group_paused("gpu")),
        (Some(true), Some(true))
    );
    p.apply(&gpu(true)).await.unwrap();
    assert_eq!(
        (fake.group_paused(""), fake.group_paused("gpu")),
        (Some(false), Some(false)),
        "folding means the whole machine folds"
    );
    p.shutdown().await.unwrap();
    assert_eq!(
        (fake.group_paused(""), fake.group_paused("gpu")),
        (Some(true), Some(false)),
        "each group as the user had it"
    );
}

#[tokio::test]
async fn a_group_the_client_lacks_is_reported_never_created() {
    let fake = FakeFah::start(two_group_state(false, false), None).await;
    let mut p = provider(&fake, "gpus");
    let err = p.apply(&gpu(false)).await.unwrap_err();
    let words = err.to_string();
    assert!(
        words.contains("no resource group 'gpus'")
            && words.contains("the default group, 'gpu'")
            && words.contains("[providers.fah] group"),
        "{words}"
    );
    assert!(
        fake.received().is_empty(),
        "a command would create the group"
    );
    assert!(fake.state()["groups"].get("gpus").is_none());
}

#[tokio::test]
async fn gpus_are_matched_by_uuid_and_others_follow_the_machine() {
    // The CPU group is paused; the GPU group folds with a running unit on the GPU.
    let fake = FakeFah::start(two_group_state(true, false), None).await;
    let mut p = provider(&fake, "");
    let desired = vec![
        GpuDesire {
            uuid: format!("GPU-{}", GPU_UUID.to_uppercase()),
            index: 0,
            on: true,
            list_until: None,
        },
        GpuDesire {
            uuid: "GPU-unknown".into(),
            index: 1,
            on: true,
            list_until: None,
        },
    ];
    let status = p.apply(&desired).await.unwrap();
    let known = status.gpu(&desired[0].uuid).unwrap();
    assert!(known.enabled && known.working, "{status:?}");
    // Not in the client's list (and the lists differ in length): the machine's state stands.
    let unknown = status.gpu("GPU-unknown").unwrap();
    assert!(
        unknown.enabled,
        "falls back to the machine's state: {status:?}"
    );
    assert!(
        status
            .detail
            .starts_with("Folding@home 8.3.18: folding, 2 units, 2,545,000 PPD"),
        "{}",
        status.detail
    );
}

#[tokio::test]
async fn no_origin_header_is_ever_sent_and_a_foreign_one_is_refused() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    let mut p = provider(&fake, "");
    p.apply(&gpu(false)).await.unwrap();
    fake.close_connections();
    // Until the provider has read the close, a status still comes from the old connection.
    eventually(
        "a second connection",
        async || {
            p.status().await.unwrap();
            fake.upgrades().len()
        },
        |upgrades| *upgrades >= 2,
    )
    .await;
    let upgrades = fake.upgrades();
    assert_eq!(upgrades.len(), 2);
    for u in &upgrades {
        assert_eq!(u.origin, None, "headers sent: {:?}", u.header_names);
        assert!(!u.refused);
    }

    // The fake is as strict as the real client: a web page's origin is refused, the official
    // web control's is let in.
    let mut req = fake.url().into_client_request().unwrap();
    req.headers_mut()
        .insert("Origin", "https://evil.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(req).await;
    assert!(refused.is_err());
    let mut req = fake.url().into_client_request().unwrap();
    req.headers_mut()
        .insert("Origin", WEB_CONTROL_ORIGIN.parse().unwrap());
    assert!(tokio_tungstenite::connect_async(req).await.is_ok());
}

#[tokio::test]
async fn after_the_client_closes_the_connection_the_next_call_reconnects() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    let mut p = provider(&fake, "");
    p.apply(&gpu(true)).await.unwrap();
    fake.close_connections();
    // Changed while we are away: the old connection ends at the close, before this change
    // would be sent on it, so only the fresh state can bring it.
    fake.push_change(json!(["units", 0, "ppd", 777]));
    let (status, upgrades) = eventually(
        "a second connection",
        async || (p.status().await.unwrap(), fake.upgrades().len()),
        |(_, upgrades)| *upgrades >= 2,
    )
    .await;
    assert!(status.detail.contains(" 777 PPD"), "{}", status.detail);
    assert_eq!(upgrades, 2);
    p.apply(&gpu(false)).await.unwrap();
    assert_eq!(fake.group_paused(""), Some(true));
}

#[tokio::test]
async fn changes_pushed_by_the_client_show_in_the_status_without_asking() {
    let fake = FakeFah::start(one_group_state(false), Some(Duration::from_millis(50))).await;
    let mut p = provider(&fake, "");
    p.apply(&gpu(true)).await.unwrap();
    fake.push_change(json!(["units", -1, {"id": "n", "group": "", "state": "RUN", "paused": false, "ppd": 1000, "gpus": []}]));
    fake.push_change(json!(["units", 0, "ppd", 2000]));
    let status = eventually(
        "both changes in the status",
        async || p.status().await.unwrap(),
        |status| status.detail.contains(" 3,000 PPD"),
    )
    .await;
    assert_eq!(
        status.detail,
        "Folding@home 8.3.18: folding, 2 units, 3,000 PPD"
    );
    fake.push_change(json!(["units", 0, null]));
    let status = eventually(
        "the removed unit gone from the status",
        async || p.status().await.unwrap(),
        |status| status.detail.contains("1 unit,"),
    )
    .await;
    assert!(
        status.detail.contains("1 unit, 1,000 PPD"),
        "{}",
        status.detail
    );
    // The unit on the GPU is gone: it no longer works though still enabled.
    assert!(status.gpus[0].enabled && !status.gpus[0].working);
    assert_eq!(fake.upgrades().len(), 1, "all over one connection");
}

#[tokio::test]
async fn a_silent_client_is_a_timeout_within_the_runners_budget() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    fake.go_silent(true);
    // Default timeouts, as in production.
    let mut p = FahProvider::new(FahConfig {
        connection: ConnectionSettings {
            url: fake.url(),
            ..ConnectionSettings::default()
        },
        ..FahConfig::default()
    });
    let started = Instant::now();
    let err = p.apply(&gpu(false)).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, ProviderError::Timeout { .. }), "{err}");
    assert!(took < RUNNER_CALL_TIMEOUT, "took {took:?}");
    assert!(took >= Duration::from_secs(4), "gave up early: {took:?}");
}

#[tokio::test]
async fn a_connection_gone_quiet_is_dropped_and_pings_keep_one_alive() {
    let fake = FakeFah::start(one_group_state(false), Some(Duration::from_millis(50))).await;
    let mut cfg = config(&fake.url(), "");
    cfg.connection.silence_limit = Duration::from_millis(300);
    let mut p = FahProvider::new(cfg);
    p.status().await.unwrap();
    // Twelve pings 50 ms apart: twice the silence limit has passed, with the pings flowing.
    fake.wait_for_pings(12, WAIT_LIMIT).await;
    p.status().await.unwrap();
    assert_eq!(fake.upgrades().len(), 1, "pings kept the connection");

    fake.go_silent(true);
    // Statuses come from the quiet connection until it has been silent past the limit; then
    // the provider drops it, and the fresh one brings no state either.
    let (err, took) = eventually(
        "the quiet connection to be dropped",
        async || {
            let started = Instant::now();
            (p.status().await.err(), started.elapsed())
        },
        |(err, _)| err.is_some(),
    )
    .await;
    let err = err.unwrap();
    assert!(matches!(err, ProviderError::Timeout { .. }), "{err}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(fake.upgrades().len(), 2, "it tried a fresh connection");

    fake.go_silent(false);
    p.status().await.unwrap();
}

#[tokio::test]
async fn a_malformed_state_is_a_protocol_error() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    fake.malformed_on_connect(true);
    let mut p = provider(&fake, "");
    let err = p.status().await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Protocol { detail, .. } if detail.contains("not JSON")),
        "{err}"
    );
    assert!(err.to_string().contains("Folding@home v8 client"), "{err}");
}

#[tokio::test]
async fn garbage_after_the_state_drops_the_connection_for_a_fresh_one() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    let mut p = provider(&fake, "");
    p.apply(&gpu(true)).await.unwrap();
    fake.send_garbage();
    let upgrades = eventually(
        "a second connection",
        async || {
            p.status().await.unwrap();
            fake.upgrades().len()
        },
        |upgrades| *upgrades >= 2,
    )
    .await;
    assert_eq!(upgrades, 2);
    p.apply(&gpu(false)).await.unwrap();
    assert_eq!(fake.group_paused(""), Some(true));
}

#[tokio::test]
async fn a_client_that_is_not_running_is_unreachable() {
    let url = format!("ws://127.0.0.1:{}/api/websocket", free_port());
    let mut p = FahProvider::new(config(&url, ""));
    let started = Instant::now();
    let err = p.status().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    match &err {
        ProviderError::Unreachable {
            address, detail, ..
        } => {
            assert_eq!(address, &url);
            assert!(detail.contains("Folding@home is not running"), "{detail}");
        }
        other => panic!("{other}"),
    }
    assert!(p.apply(&gpu(false)).await.is_err());
    assert!(
        p.shutdown().await.is_ok(),
        "nothing was taken, nothing to restore"
    );
}

#[tokio::test]
async fn a_client_that_stops_and_comes_back_is_found_again() {
    let fake = FakeFah::start(one_group_state(false), None).await;
    let mut p = provider(&fake, "");
    p.apply(&gpu(false)).await.unwrap();
    fake.refuse_connections(true).await;
    fake.close_connections();
    let err = eventually(
        "the outage in the status",
        async || p.status().await.err(),
        Option::is_some,
    )
    .await
    .unwrap();
    assert!(matches!(err, ProviderError::Unreachable { .. }), "{err}");
    fake.refuse_connections(false).await;
    p.status().await.unwrap();
    p.shutdown().await.unwrap();
    assert_eq!(
        fake.group_paused(""),
        Some(false),
        "restored after the outage"
    );
}

#[tokio::test]
async fn urls_that_cannot_work_say_so() {
    for url in [
        "wss://127.0.0.1:7396/api/websocket",
        "not a url",
        "http://127.0.0.1:1/",
    ] {
        let mut p = FahProvider::new(config(url, ""));
        let err = p.status().await.unwrap_err();
        assert!(
            matches!(
                err,
                ProviderError::Other { .. } | ProviderError::Unreachable { .. }
            ),
            "{url}: {err}"
        );
    }
}
