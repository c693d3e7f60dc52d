//! A hand-made agent for the API tests: a snapshot with three GPUs of different kinds (fully
//! reported, partly reported with an awkward name, faulted) and a task that answers commands
//! and tells the test what it received.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;

use jiff::Timestamp;
use overtime_agent::providers::{ProviderKind, ProviderStatus, ProviderView};
use overtime_agent::snapshot::{ActivityView, ConfigView, DecisionRecord, GpuStatus, ScheduleView};
use overtime_agent::{AgentCommand, AgentHandle, AgentSnapshot};
use overtime_core::activity::{GameMatch, GameSignal, RunningGame};
use overtime_core::money::{Currency, Money};
use overtime_core::{
    DrawSource, GpuId, GpuReading, Mode, Override, OverrideScope, Reason, RunningCost,
    ThrottleReasons,
};
use tokio::sync::{mpsc, watch};

pub const UUID_0: &str = "GPU-00000000-aaaa-bbbb-cccc-000000000000";
pub const UUID_1: &str = "GPU-11111111-aaaa-bbbb-cccc-111111111111";
pub const UUID_2: &str = "GPU-22222222-aaaa-bbbb-cccc-222222222222";
/// A name with every character the metrics format must escape.
pub const AWKWARD_NAME: &str = "Lab \"Quoted\" C:\\GPU\nsecond line, {braces}=x";

pub fn at() -> Timestamp {
    "2026-11-24T20:45:00Z".parse().unwrap()
}

pub fn eur(amount: &str) -> Money {
    Money::new(amount.parse().unwrap(), Currency::new("EUR").unwrap())
}

fn gpu(index: u32, uuid: &str, name: &str) -> GpuId {
    GpuId {
        uuid: uuid.to_owned(),
        index,
        name: name.to_owned(),
    }
}

pub fn snapshot() -> AgentSnapshot {
    let at = at();
    let full = GpuReading {
        temp_c: Some(65.0),
        load_pct: Some(42.0),
        mem_load_pct: Some(10.0),
        mem_used_mib: Some(2048),
        mem_total_mib: Some(24576),
        power_w: Some(180.5),
        power_limit_w: Some(450.0),
        power_limit_default_w: Some(450.0),
        power_limit_min_w: Some(150.0),
        power_limit_max_w: Some(600.0),
        fan_pct: Some(55.0),
        sm_clock_mhz: Some(2520),
        mem_clock_mhz: Some(10501),
        throttle: Some(ThrottleReasons {
            sw_power_cap: true,
            ..ThrottleReasons::default()
        }),
        energy_mj: Some(123_456_789),
    };
    let partial = GpuReading {
        temp_c: Some(40.0),
        load_pct: Some(0.0),
        power_w: Some(20.0),
        ..GpuReading::default()
    };
    let status =
        |id: GpuId, reading: Option<GpuReading>, fault: Option<&str>, mode, reason| GpuStatus {
            gpu: id,
            reading,
            read_at: Some(at),
            fault: fault.map(str::to_owned),
            mode,
            sentence: format!("{} — test", Mode::label(mode)),
            reason,
            since: at,
            power_cap_w: None,
            rented_until: None,
            listed_until: None,
            volunteer_running: false,
            running_cost: None,
            limits: Default::default(),
        };
    let decision = DecisionRecord {
        at,
        gpu_uuid: UUID_0.to_owned(),
        gpu_index: 0,
        from: Some(Mode::Idle),
        to: Mode::Rental,
        reason: Reason::Rented {
            until: "2026-11-25T06:00:00Z".parse().unwrap(),
        },
        sentence: "Rental — rented until Wed 25 Nov 07:00".to_owned(),
    };
    let mut rented = status(
        gpu(0, UUID_0, "NVIDIA GeForce RTX 4090"),
        Some(full),
        None,
        Mode::Rental,
        Reason::Rented {
            until: "2026-11-25T06:00:00Z".parse().unwrap(),
        },
    );
    // 318 W while working plus 60 W for the rest of the PC, at 0.30 EUR/kWh.
    rented.running_cost = Some(RunningCost {
        per_hour: eur("0.1134"),
        gpu_power_w: 318,
        rest_of_pc_w: 60,
        price_per_kwh: eur("0.30"),
        source: DrawSource::RecentAverage,
    });
    AgentSnapshot {
        at,
        agent_version: "0.1.0-test".to_owned(),
        simulated: true,
        sensor_backend: "simulated GPU (seed 42) — demo mode, not real readings".to_owned(),
        timezone: "Europe/Berlin".to_owned(),
        gpus: vec![
            rented,
            status(
                gpu(1, UUID_1, AWKWARD_NAME),
                Some(partial.clone()),
                None,
                Mode::Idle,
                Reason::GameRunning {
                    game: "eldenring.exe".to_owned(),
                    signal: GameSignal::Process,
                },
            ),
            status(
                gpu(2, UUID_2, "NVIDIA RTX A4000"),
                Some(partial),
                Some("GPU fell off the bus"),
                Mode::Idle,
                Reason::TelemetryStale {
                    age_s: Some(30),
                    fault: Some("GPU fell off the bus".to_owned()),
                },
            ),
        ],
        activity: ActivityView {
            games: vec![RunningGame {
                name: "eldenring.exe".to_owned(),
                pid: Some(4242),
                gpu_uuids: vec![UUID_1.to_owned()],
                matched_by: GameMatch::Pattern {
                    pattern: "eldenring.exe".to_owned(),
                },
            }],
            input_idle_s: None,
            input_idle_source: "unavailable: headless".to_owned(),
        },
        overrides: vec![Override {
            mode: Mode::Idle,
            scope: OverrideScope::Gpu(UUID_1.to_owned()),
            until: Some("2026-11-24T22:00:00Z".parse().unwrap()),
            set_at: "2026-11-24T20:00:00Z".parse().unwrap(),
        }],
        providers: vec![
            ProviderView {
                name: "demo-rental".to_owned(),
                kind: ProviderKind::Rental,
                simulated: true,
                status: Some(ProviderStatus::default()),
                error: None,
                last_ok_at: Some(at),
            },
            ProviderView {
                name: "boinc".to_owned(),
                kind: ProviderKind::Volunteer,
                simulated: false,
                status: None,
                error: Some("BOINC is not reachable at 127.0.0.1:31416".to_owned()),
                last_ok_at: None,
            },
        ],
        schedule: ScheduleView {
            modes_allowed: vec![Mode::Rental, Mode::Volunteer],
            window: Some("nights".to_owned()),
            next_change: Some("2026-11-25T06:00:00Z".parse().unwrap()),
        },
        config: ConfigView::default(),
        decisions_total: 7,
        recent_decisions: Arc::new(vec![decision]),
        ledger: None,
    }
}

/// A command as the fake agent received it.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    Set {
        mode: Mode,
        scope: OverrideScope,
        until: Option<Timestamp>,
    },
    Clear {
        scope: OverrideScope,
    },
    Reload,
}

/// An [`AgentHandle`] over `snapshot`, whose commands are answered by a task: overrides are
/// accepted, a reload answers `reload_answer`. Every command is reported on the receiver.
pub fn fake_agent(
    snapshot: AgentSnapshot,
    reload_answer: Result<(), overtime_agent::AgentError>,
) -> (AgentHandle, mpsc::UnboundedReceiver<Seen>) {
    let (_snapshot_tx, snapshots) = watch::channel(Arc::new(snapshot));
    let (commands, mut inbox) = mpsc::channel::<AgentCommand>(8);
    let (seen_tx, seen) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        // Keep the sender alive so the watch channel stays open as long as the task runs.
        let _keep = _snapshot_tx;
        while let Some(command) = inbox.recv().await {
            match command {
                AgentCommand::SetOverride {
                    mode,
                    scope,
                    until,
                    reply,
                } => {
                    let _ = seen_tx.send(Seen::Set { mode, scope, until });
                    let _ = reply.send(Ok(()));
                }
                AgentCommand::ClearOverride { scope, reply } => {
                    let _ = seen_tx.send(Seen::Clear { scope });
                    let _ = reply.send(Ok(()));
                }
                AgentCommand::ReloadConfig { reply } => {
                    let _ = seen_tx.send(Seen::Reload);
                    let _ = reply.send(reload_answer.clone());
                }
                // The API never stores credentials.
                AgentCommand::CredentialsChanged { reply } => {
                    let _ = reply.send(Ok(()));
                }
            }
        }
    });
    (
        AgentHandle::new(snapshots, commands, Default::default()),
        seen,
    )
}
