//! The BOINC provider against a real boinc-client: each test starts its own client on a free
//! loopback port, drives it through `BoincProvider` and checks the truth with `boinccmd`.
//! These tests fail (they do not skip) when BOINC is not installed: CI installs boinc-client.
//! Not built for Windows: they start Debian's client as a child process, which a Windows build
//! under Wine cannot do, and no Windows BOINC client can be installed here. The RPC itself is
//! covered there by `boinc_rpc.rs` against a scripted server.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod boinc_support;

use std::time::{Duration, Instant};

use boinc_support::{RealBoinc, free_port, path_str};
use overtime_agent::providers::boinc::{BoincConfig, BoincProvider};
use overtime_agent::providers::{GpuDesire, Provider, ProviderError};

const PW: &str = "test-pw-7f3a";

fn desires(on: &[bool]) -> Vec<GpuDesire> {
    on.iter()
        .enumerate()
        .map(|(i, on)| GpuDesire {
            uuid: format!("GPU-{i}"),
            index: i as u32,
            on: *on,
            list_until: None,
        })
        .collect()
}

fn provider_for(client: &RealBoinc, pause: Duration) -> BoincProvider {
    BoincProvider::new(BoincConfig {
        port: client.port,
        password_file: Some(client.auth_file()),
        pause,
        ..BoincConfig::default()
    })
}

const FIVE_MIN: Duration = Duration::from_secs(300);

#[tokio::test]
async fn pausing_sets_gpu_mode_never_for_the_pause_duration_only() {
    let client = RealBoinc::start(PW);
    let mut p = provider_for(&client, FIVE_MIN);

    let status = p.apply(&desires(&[false, false])).await.unwrap();

    let truth = client.gpu_mode();
    assert_eq!(truth.current, "never");
    assert_eq!(truth.perm, "according to prefs", "the user's mode is kept");
    assert!((295..=300).contains(&truth.delay_s), "{truth:?}");
    assert_eq!(status.gpus.len(), 2);
    assert!(status.gpus.iter().all(|g| !g.enabled && !g.working));
    assert!(
        status.detail.starts_with("BOINC 7.")
            && status.detail.contains("paused by Overtime for 5 min"),
        "{}",
        status.detail
    );
    // The CPU is left alone unless asked.
    assert_eq!(client.cpu_mode().current, "according to prefs");
}

#[tokio::test]
async fn any_gpu_wanted_on_allows_gpu_work_and_restores_the_users_own_mode() {
    // (the user's permanent mode as boinccmd sets it, as boinccmd shows it)
    for (user_mode, shown) in [
        ("always", "always"),
        ("auto", "according to prefs"),
        ("never", "never"),
    ] {
        let client = RealBoinc::start(PW);
        client.set_user_gpu_mode(user_mode);
        let mut p = provider_for(&client, FIVE_MIN);

        p.apply(&desires(&[false])).await.unwrap();
        assert_eq!(client.gpu_mode().current, "never", "{user_mode}");

        let status = p.apply(&desires(&[false, true])).await.unwrap();
        let truth = client.gpu_mode();
        assert_eq!(truth.current, shown, "back to the user's {user_mode}");
        assert_eq!(truth.perm, shown);
        assert_eq!(truth.delay_s, 0, "no temporary mode left behind");
        assert_eq!(
            status.gpus.iter().all(|g| g.enabled),
            user_mode != "never",
            "{status:?}"
        );
    }
}

#[tokio::test]
async fn allowing_work_never_overrides_a_mode_overtime_did_not_set() {
    let client = RealBoinc::start(PW);
    client.set_user_gpu_mode("never");
    let mut p = provider_for(&client, FIVE_MIN);
    let status = p.apply(&desires(&[true])).await.unwrap();
    assert_eq!(client.gpu_mode().current, "never");
    assert!(!status.gpus[0].enabled);
    assert!(
        status.detail.contains("turned off in BOINC's own settings"),
        "{}",
        status.detail
    );
}

#[tokio::test]
async fn shutdown_hands_the_client_back_in_the_users_modes() {
    let client = RealBoinc::start(PW);
    client.set_user_gpu_mode("always");
    let mut p = BoincProvider::new(BoincConfig {
        port: client.port,
        password_file: Some(client.auth_file()),
        control_cpu: true,
        ..BoincConfig::default()
    });
    p.apply(&desires(&[false])).await.unwrap();
    assert_eq!(client.gpu_mode().current, "never");
    assert_eq!(
        client.cpu_mode().current,
        "never",
        "control_cpu pauses CPU tasks too"
    );

    p.shutdown().await.unwrap();
    let gpu = client.gpu_mode();
    let cpu = client.cpu_mode();
    assert_eq!((gpu.current.as_str(), gpu.delay_s), ("always", 0));
    assert_eq!(
        (cpu.current.as_str(), cpu.delay_s),
        ("according to prefs", 0)
    );
}

#[tokio::test]
async fn the_pause_is_renewed_while_needed_and_lapses_by_itself_if_overtime_dies() {
    let client = RealBoinc::start(PW);
    let mut p = provider_for(&client, Duration::from_secs(4));
    p.apply(&desires(&[false])).await.unwrap();
    assert_eq!(client.gpu_mode().current, "never");

    // Past half the pause, the runner's status poll renews it.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert!(client.gpu_mode().delay_s <= 2);
    p.status().await.unwrap();
    let renewed = client.gpu_mode();
    assert_eq!(renewed.current, "never");
    assert!(
        renewed.delay_s >= 3,
        "renewed to the full pause: {renewed:?}"
    );

    // Overtime dies (no shutdown): BOINC goes back to the user's mode on its own.
    drop(p);
    assert!(
        boinc_support::wait_until(Duration::from_secs(6), || {
            client.gpu_mode().current == "according to prefs"
        }),
        "the pause lapsed: {:?}",
        client.gpu_mode()
    );
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized_naming_the_file_never_the_password() {
    let client = RealBoinc::start(PW);
    let wrong = client.dir.join("wrong_auth.cfg");
    std::fs::write(&wrong, "not-the-pw-91c2\n").unwrap();
    let mut p = BoincProvider::new(BoincConfig {
        port: client.port,
        password_file: Some(wrong.clone()),
        ..BoincConfig::default()
    });
    let err = p.apply(&desires(&[false])).await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, ProviderError::Unauthorized { .. }), "{err:?}");
    assert!(message.contains(&path_str(&wrong)), "{message}");
    assert!(!message.contains("not-the-pw-91c2"), "{message}");
    assert_eq!(
        client.gpu_mode().current,
        "according to prefs",
        "nothing changed"
    );

    let probe = p.probe().await;
    assert!(probe.reachable && !probe.authenticated, "{probe:?}");
    assert!(!probe.summary().contains("not-the-pw-91c2"));
}

#[tokio::test]
async fn probe_reports_version_and_modes_of_a_healthy_client() {
    let client = RealBoinc::start(PW);
    let mut p = provider_for(&client, FIVE_MIN);
    let probe = p.probe().await;
    assert!(probe.reachable && probe.authenticated, "{probe:?}");
    assert_eq!(probe.version.map(|v| v.major), Some(7));
    assert_eq!(probe.projects, Some(0));
    let summary = probe.summary();
    assert!(
        summary.contains(&path_str(&client.auth_file())),
        "{summary}"
    );
    assert!(summary.contains("no project attached"), "{summary}");
    assert!(!summary.contains(PW));
}

#[tokio::test]
async fn no_client_running_is_unreachable() {
    let port = free_port();
    let mut p = BoincProvider::new(BoincConfig {
        port,
        password: Some(PW.into()),
        ..BoincConfig::default()
    });
    let started = Instant::now();
    let err = p.apply(&desires(&[false])).await.unwrap_err();
    assert!(matches!(err, ProviderError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("start boinc-client"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
    let probe = p.probe().await;
    assert!(!probe.reachable);
}

#[tokio::test]
async fn a_client_killed_mid_session_fails_cleanly_and_is_steered_again_after_restart() {
    let mut client = RealBoinc::start(PW);
    let mut p = provider_for(&client, FIVE_MIN);
    p.apply(&desires(&[false])).await.unwrap();
    assert_eq!(client.gpu_mode().current, "never");

    client.kill();
    let started = Instant::now();
    let err = p.status().await.unwrap_err();
    assert!(matches!(err, ProviderError::Unreachable { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(4));

    // A restarted client forgot the temporary pause; the next poll puts it back.
    client.restart();
    assert_eq!(client.gpu_mode().current, "according to prefs");
    let status = p.status().await.unwrap();
    assert!(!status.gpus[0].enabled, "{status:?}");
    assert_eq!(client.gpu_mode().current, "never");

    p.apply(&desires(&[true])).await.unwrap();
    assert_eq!(client.gpu_mode().current, "according to prefs");
}
