//! How fast Overtime frees the GPU from BOINC when a game starts: against a real boinc-client,
//! 30 times, time from the provider's `apply` with every GPU off (what the supervisor sends)
//! until `boinccmd --get_cc_status` reports GPU mode never. Target: p95 ≤ 1 s.
//!
//! Run: `cargo run -p overtime-agent --example boinc_pause_latency` (needs boinc-client).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/boinc_support/mod.rs"]
mod boinc_support;

use std::time::{Duration, Instant};

use boinc_support::RealBoinc;
use overtime_agent::providers::boinc::{BoincConfig, BoincProvider};
use overtime_agent::providers::{GpuDesire, Provider};

const ROUNDS: usize = 30;

fn desires(on: bool) -> Vec<GpuDesire> {
    (0..2)
        .map(|i| GpuDesire {
            uuid: format!("GPU-{i}"),
            index: i,
            on,
            list_until: None,
        })
        .collect()
}

fn summary(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let pick = |q: f64| ms[((q * (ms.len() - 1) as f64).round() as usize).min(ms.len() - 1)];
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    println!(
        "{label}: n={} min={:.1} ms mean={:.1} ms p50={:.1} ms p95={:.1} ms max={:.1} ms",
        ms.len(),
        ms[0],
        mean,
        pick(0.50),
        pick(0.95),
        ms[ms.len() - 1]
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let client = RealBoinc::start("bench-pw");
    let mut provider = BoincProvider::new(BoincConfig {
        port: client.port,
        password_file: Some(client.auth_file()),
        ..BoincConfig::default()
    });
    let mut until_boinccmd_ms = Vec::with_capacity(ROUNDS);
    let mut apply_ms = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        provider.apply(&desires(true)).await.unwrap();
        assert_ne!(
            client.gpu_mode().current,
            "never",
            "round {round}: allowed first"
        );

        let started = Instant::now();
        provider.apply(&desires(false)).await.unwrap();
        apply_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        let seen = boinc_support::wait_until(Duration::from_secs(5), || {
            client.gpu_mode().current == "never"
        });
        assert!(seen, "round {round}: boinccmd never showed GPU mode never");
        until_boinccmd_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    provider.shutdown().await.unwrap();
    let version = client.boinccmd(&["--client_version"]);
    println!(
        "BOINC pause latency against {} on 127.0.0.1:{} ({ROUNDS} rounds, 2 GPUs wanted off)",
        version.trim(),
        client.port
    );
    summary(
        "apply(all off) → boinccmd shows GPU never",
        until_boinccmd_ms,
    );
    summary("apply(all off) returned", apply_ms);
}
