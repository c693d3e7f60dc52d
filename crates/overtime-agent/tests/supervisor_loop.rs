//! The supervisor end to end, in-process, under tokio's paused clock: a simulated GPU, the demo
//! providers, and an activity source the test controls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use overtime_agent::activity::ActivityHandle;
use overtime_agent::clock::TokioClock;
use overtime_agent::keep_awake::{RecordedKeepAwake, Unmanaged};
use overtime_agent::providers::demo::{DemoMarket, DemoRental, DemoVolunteer};
use overtime_agent::providers::{
    GpuDesire, Provider, ProviderError, ProviderFactory, ProviderKind, ProviderStatus,
};
use overtime_agent::sensors::simulated::SimulatedSensors;
use overtime_agent::sensors::{
    GpuProcess, GpuSample, SensorBackend, SensorError, Sensors, Workload,
};
use overtime_agent::supervisor::{ActivityStarter, Agent, AgentParts};
use overtime_agent::{AgentHandle, AgentSnapshot};
use overtime_core::GpuId;
use overtime_core::activity::{ActivityState, GameMatch, GameSignal, RunningGame};
use overtime_core::config::Config;
use overtime_core::mode::{Mode, OverrideScope};
use overtime_core::reason::Reason;
use overtime_core::running_cost::DrawSource;
use rust_decimal::Decimal;
use tokio::sync::watch;

fn t0() -> Timestamp {
    // A Tuesday, 12:00 UTC.
    "2026-11-24T12:00:00Z".parse().unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("overtime-sup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Lets the test reach into the simulated GPU after the agent owns it.
#[derive(Clone)]
struct SharedSim(Arc<Mutex<SimulatedSensors>>);

impl Sensors for SharedSim {
    fn backend(&self) -> SensorBackend {
        self.0.lock().unwrap().backend()
    }
    fn gpus(&self) -> Vec<GpuId> {
        self.0.lock().unwrap().gpus()
    }
    fn sample(&mut self, now: Timestamp) -> Vec<GpuSample> {
        self.0.lock().unwrap().sample(now)
    }
    fn graphics_processes(&mut self) -> Vec<GpuProcess> {
        self.0.lock().unwrap().graphics_processes()
    }
    fn set_power_limit(&mut self, uuid: &str, limit_w: Option<f64>) -> Result<(), SensorError> {
        self.0.lock().unwrap().set_power_limit(uuid, limit_w)
    }
    fn can_set_power_limit(&self, uuid: &str) -> bool {
        self.0.lock().unwrap().can_set_power_limit(uuid)
    }
    fn note_workload(&mut self, uuid: &str, workload: Workload) {
        self.0.lock().unwrap().note_workload(uuid, workload)
    }
}

struct Rig {
    agent: Agent,
    handle: AgentHandle,
    sim: SharedSim,
    games: watch::Sender<ActivityState>,
    dir: PathBuf,
    keep_awake: RecordedKeepAwake,
}

fn activity_starter(tx_out: Arc<Mutex<Option<watch::Sender<ActivityState>>>>) -> ActivityStarter {
    Box::new(move |config, _graphics, _shutdown| {
        let (tx, rx) = watch::channel(ActivityState::default());
        *tx_out.lock().unwrap() = Some(tx);
        let (config_tx, _) = watch::channel(config);
        Ok(ActivityHandle {
            state: rx,
            config: config_tx,
            input_idle_source: "test".into(),
            task: tokio::spawn(async {}),
        })
    })
}

async fn rig(name: &str, config: Config, gpus: usize, extra: Vec<Box<dyn Provider>>) -> Rig {
    rig_with(name, config, gpus, extra, false).await
}

async fn rig_with(
    name: &str,
    config: Config,
    gpus: usize,
    extra: Vec<Box<dyn Provider>>,
    ledger: bool,
) -> Rig {
    rig_full(name, config, gpus, extra, ledger, None).await
}

async fn rig_full(
    name: &str,
    config: Config,
    gpus: usize,
    extra: Vec<Box<dyn Provider>>,
    ledger: bool,
    provider_factory: Option<Arc<dyn ProviderFactory>>,
) -> Rig {
    let dir = temp_dir(name);
    let clock = Arc::new(TokioClock::starting_at(t0()));
    let sim = SharedSim(Arc::new(Mutex::new(SimulatedSensors::new(3, gpus))));
    let slot = Arc::new(Mutex::new(None));
    let keep_awake = RecordedKeepAwake::new();
    let mut providers: Vec<Box<dyn Provider>> = vec![
        Box::new(DemoRental::new(
            dir.join("rental.json"),
            clock.clone(),
            DemoMarket::default(),
            "0.25".parse().unwrap(),
        )),
        Box::new(DemoVolunteer::new(
            dir.join("volunteer.json"),
            clock.clone(),
        )),
    ];
    providers.extend(extra);
    let agent = Agent::start(AgentParts {
        config,
        config_path: Some(dir.join("config.toml")),
        state_dir: dir.clone(),
        sensors: Box::new(sim.clone()),
        sensors_note: "test".into(),
        providers,
        provider_factory,
        clock,
        system_tz: jiff::tz::TimeZone::UTC,
        activity: activity_starter(slot.clone()),
        runner_timing: Default::default(),
        ledger_path: ledger.then(|| dir.join("ledger.sqlite")),
        keep_awake: Box::new(keep_awake.clone()),
    })
    .await
    .unwrap();
    let games = slot.lock().unwrap().take().unwrap();
    let handle = agent.handle.clone();
    Rig {
        agent,
        handle,
        sim,
        games,
        dir,
        keep_awake,
    }
}

fn volunteer_only() -> Config {
    let mut c = Config::default();
    c.schedule.default = vec![Mode::Volunteer];
    c
}

async fn settle(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

fn volunteer_running(s: &AgentSnapshot, gpu: usize) -> bool {
    s.providers
        .iter()
        .find(|p| p.kind == ProviderKind::Volunteer)
        .and_then(|p| p.status.as_ref())
        .and_then(|st| st.gpus.get(gpu).map(|g| g.working))
        .unwrap_or(false)
}

#[tokio::test(start_paused = true)]
async fn the_first_snapshot_is_labelled_simulated_and_explains_each_gpu() {
    let r = rig("first", volunteer_only(), 2, vec![]).await;
    settle(1500).await;
    let s = r.handle.snapshot();
    assert!(s.simulated);
    assert!(s.sensor_backend.contains("simulated"));
    assert_eq!(s.gpus.len(), 2);
    assert!(
        s.gpus
            .iter()
            .all(|g| g.mode == Mode::Volunteer && g.sentence.starts_with("Volunteer — "))
    );
    assert!(s.providers.iter().all(|p| p.simulated));
    r.agent.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_game_start_stops_volunteer_work_at_once_and_it_resumes_after_the_grace_period() {
    let r = rig("game", volunteer_only(), 1, vec![]).await;
    settle(1500).await;
    assert!(volunteer_running(&r.handle.snapshot(), 0));
    let uuid = r.handle.snapshot().gpus[0].gpu.uuid.clone();

    r.games.send_replace(ActivityState {
        games: vec![RunningGame {
            name: "eldenring.exe".into(),
            pid: Some(7),
            gpu_uuids: vec![uuid],
            matched_by: GameMatch::Pattern {
                pattern: "eldenring.exe".into(),
            },
        }],
        input_idle: None,
    });
    // Well inside one tick: the game wakes the loop, the provider task applies at once.
    settle(20).await;
    let s = r.handle.snapshot();
    assert_eq!(s.gpus[0].mode, Mode::Idle);
    assert_eq!(
        s.gpus[0].reason,
        Reason::GameRunning {
            game: "eldenring.exe".into(),
            signal: GameSignal::Process,
        }
    );
    assert!(
        !volunteer_running(&s, 0),
        "the volunteer client was told to stop within 20 ms"
    );

    r.games.send_replace(ActivityState::default());
    settle(5_000).await;
    assert_eq!(
        r.handle.snapshot().gpus[0].mode,
        Mode::Idle,
        "grace period (10 s) not over"
    );
    settle(6_500).await;
    let s = r.handle.snapshot();
    assert_eq!(s.gpus[0].mode, Mode::Volunteer);
    assert!(volunteer_running(&s, 0));
    assert!(s.decisions_total >= 3);
    r.agent.stop().await;
}

#[tokio::test(start_paused = true)]
async fn an_override_from_a_front_end_applies_and_expires_by_itself() {
    let r = rig("override", volunteer_only(), 1, vec![]).await;
    settle(1500).await;
    let until = r.handle.snapshot().at + jiff::SignedDuration::from_secs(60);
    r.handle
        .set_override(Mode::Idle, OverrideScope::AllGpus, Some(until))
        .await
        .unwrap();
    settle(10).await;
    let s = r.handle.snapshot();
    assert_eq!(s.gpus[0].mode, Mode::Idle);
    assert!(matches!(s.gpus[0].reason, Reason::Override { .. }));
    assert_eq!(s.overrides.len(), 1);
    assert!(
        r.dir.join("overrides.json").exists(),
        "overrides survive a restart"
    );

    let err = r
        .handle
        .set_override(Mode::Idle, OverrideScope::Gpu("GPU-NOPE".into()), None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        overtime_agent::AgentError::UnknownGpu {
            gpu: "GPU-NOPE".into()
        }
    );
    assert!(err.to_string().contains("GPU-NOPE"));

    settle(61_000).await;
    let s = r.handle.snapshot();
    assert!(s.overrides.is_empty());
    assert_eq!(s.gpus[0].mode, Mode::Volunteer);
    r.agent.stop().await;
}

#[tokio::test(start_paused = true)]
async fn the_snapshot_carries_each_gpus_thermal_limits_and_follows_a_reload() {
    let r = rig("limits", volunteer_only(), 2, vec![]).await;
    settle(1500).await;
    let s = r.handle.snapshot();
    assert!(s.gpus.iter().all(|g| g.limits.soft_limit_c == 83.0));

    // GPU 1 gets its own soft limit; GPU 0 keeps [thermal]'s, which changes too.
    std::fs::write(
        r.dir.join("config.toml"),
        "[schedule]\ndefault = [\"volunteer\"]\n[thermal]\nsoft_limit_c = 80.0\n\
         [thermal.gpu.\"1\"]\nsoft_limit_c = 72.0\ncritical_limit_c = 85.0\n",
    )
    .unwrap();
    r.handle.reload_config().await.unwrap();
    settle(1100).await;
    let s = r.handle.snapshot();
    let by_index = |i: u32| &s.gpus.iter().find(|g| g.gpu.index == i).unwrap().limits;
    assert_eq!(by_index(0).soft_limit_c, 80.0);
    assert_eq!(by_index(0).critical_limit_c, 90.0);
    assert_eq!(by_index(1).soft_limit_c, 72.0);
    assert_eq!(by_index(1).critical_limit_c, 85.0);
    r.agent.stop().await;
}

#[tokio::test(start_paused = true)]
async fn an_invalid_config_change_keeps_the_last_good_one_and_is_reported() {
    let r = rig("config", volunteer_only(), 1, vec![]).await;
    settle(1500).await;
    std::fs::write(
        r.dir.join("config.toml"),
        "[thermal]\nsoft_limit_c = \"hot\"\n",
    )
    .unwrap();
    let err = r.handle.reload_config().await.unwrap_err();
    assert_eq!(err.code(), overtime_agent::ErrorCode::InvalidSettings);
    assert!(err.to_string().contains("soft_limit_c"), "{err}");
    assert!(
        err.fields()
            .iter()
            .any(|f| f.field == "thermal.soft_limit_c"),
        "{:?}",
        err.fields()
    );
    settle(10).await;
    let s = r.handle.snapshot();
    assert!(
        s.config
            .error
            .as_deref()
            .unwrap_or("")
            .contains("soft_limit_c")
    );
    assert_eq!(
        s.gpus[0].mode,
        Mode::Volunteer,
        "still running on the last good config"
    );

    std::fs::write(r.dir.join("config.toml"), "[schedule]\ndefault = []\n").unwrap();
    r.handle.reload_config().await.unwrap();
    settle(10).await;
    let s = r.handle.snapshot();
    assert!(s.config.error.is_none());
    assert_eq!(s.gpus[0].mode, Mode::Idle);
    r.agent.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_gpu_that_stops_answering_goes_safe_while_the_others_continue() {
    let r = rig("fault", volunteer_only(), 2, vec![]).await;
    settle(1500).await;
    let bad = r.handle.snapshot().gpus[1].gpu.uuid.clone();
    r.sim
        .0
        .lock()
        .unwrap()
        .set_fault(&bad, Some("GPU has fallen off the bus".into()));
    settle(5_000).await;
    let s = r.handle.snapshot();
    assert!(s.gpus[1].fault.is_some());
    assert_eq!(s.gpus[1].mode, Mode::Volunteer, "not stale yet (10 s)");
    settle(7_000).await;
    let s = r.handle.snapshot();
    assert_eq!(s.gpus[1].mode, Mode::Idle);
    assert!(matches!(s.gpus[1].reason, Reason::TelemetryStale { .. }));
    assert_eq!(s.gpus[0].mode, Mode::Volunteer);
    r.agent.stop().await;
}

/// A provider whose calls never return.
struct Hanging;

#[async_trait]
impl Provider for Hanging {
    fn name(&self) -> &str {
        "hanging"
    }
    fn kind(&self) -> ProviderKind {
        ProviderKind::Volunteer
    }
    fn simulated(&self) -> bool {
        true
    }
    async fn status(&mut self) -> Result<ProviderStatus, ProviderError> {
        std::future::pending().await
    }
    async fn apply(&mut self, _: &[GpuDesire]) -> Result<ProviderStatus, ProviderError> {
        std::future::pending().await
    }
    async fn shutdown(&mut self) -> Result<(), ProviderError> {
        std::future::pending().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_hanging_provider_never_delays_the_tick_loop() {
    let r = rig("hang", volunteer_only(), 1, vec![Box::new(Hanging)]).await;
    let mut rx = r.handle.snapshots.clone();
    let start = r.handle.snapshot().at;
    let mut seen = Vec::new();
    for _ in 0..10 {
        tokio::time::timeout(Duration::from_millis(1_100), rx.changed())
            .await
            .expect("a snapshot every tick")
            .unwrap();
        seen.push(rx.borrow_and_update().at);
    }
    assert!(seen.last().unwrap().duration_since(start).as_secs() <= 11);
    assert!(
        volunteer_running(&r.handle.snapshot(), 0),
        "the working provider is unaffected"
    );
    r.agent.stop().await;
}

#[tokio::test(start_paused = true)]
async fn stopping_hands_volunteer_work_back() {
    let r = rig("stop", volunteer_only(), 1, vec![]).await;
    settle(1500).await;
    assert!(volunteer_running(&r.handle.snapshot(), 0));
    let snapshots = r.handle.snapshots.clone();
    r.agent.stop().await;
    let file = std::fs::read_to_string(r.dir.join("volunteer.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(v["running"].as_object().map(|m| m.len()), Some(0), "{file}");
    let last = snapshots.borrow().clone();
    assert_eq!(last.gpus[0].reason, Reason::Stopped);
}

#[tokio::test(start_paused = true)]
async fn a_restarted_agent_keeps_a_rental_it_did_not_start() {
    // A renter was put on the GPU by an earlier run (its state is the marketplace's).
    let dir = temp_dir("reconcile-seed");
    let clock = Arc::new(TokioClock::starting_at(t0()));
    let uuid = SimulatedSensors::new(3, 1).gpus()[0].uuid.clone();
    let market = DemoMarket {
        renter_after_s: (1, 1),
        contract_s: (7200, 7200),
        seed: 1,
    };
    let mut m = DemoRental::new(
        dir.join("rental.json"),
        clock.clone(),
        market,
        "0.25".parse().unwrap(),
    );
    let until = t0() + jiff::SignedDuration::from_hours(3);
    m.apply(&[GpuDesire {
        uuid: uuid.clone(),
        index: 0,
        on: true,
        list_until: Some(until),
    }])
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(m.status().await.unwrap().gpus[0].rented_until.is_some());

    // The new agent's schedule allows only volunteer work; the contract must survive anyway.
    let state_dir = temp_dir("reconcile-agent");
    let slot = Arc::new(Mutex::new(None));
    let r = Agent::start(AgentParts {
        config: volunteer_only(),
        config_path: None,
        state_dir: state_dir.clone(),
        sensors: Box::new(SimulatedSensors::new(3, 1)),
        sensors_note: "test".into(),
        providers: vec![
            Box::new(DemoRental::new(
                dir.join("rental.json"),
                clock.clone(),
                market,
                "0.25".parse().unwrap(),
            )),
            Box::new(DemoVolunteer::new(
                state_dir.join("volunteer.json"),
                clock.clone(),
            )),
        ],
        provider_factory: None,
        clock,
        system_tz: jiff::tz::TimeZone::UTC,
        activity: activity_starter(slot),
        runner_timing: Default::default(),
        ledger_path: None,
        keep_awake: Box::new(Unmanaged),
    })
    .await
    .unwrap();
    let s = r.handle.snapshot();
    assert_eq!(s.gpus[0].mode, Mode::Rental, "{:?}", s.gpus[0]);
    assert!(matches!(s.gpus[0].reason, Reason::Rented { .. }));
    assert!(!volunteer_running(&s, 0));
    r.stop().await;
}

#[tokio::test(start_paused = true)]
async fn the_ledger_records_sessions_energy_and_decisions_without_slowing_the_loop() {
    let r = rig_with("ledger", volunteer_only(), 1, vec![], true).await;
    settle(90_000).await;
    let uuid = r.handle.snapshot().gpus[0].gpu.uuid.clone();
    r.games.send_replace(ActivityState {
        games: vec![RunningGame {
            name: "game".into(),
            pid: Some(1),
            gpu_uuids: vec![uuid],
            matched_by: GameMatch::GraphicsProcess,
        }],
        input_idle: None,
    });
    settle(30_000).await;
    let s = r.handle.snapshot();
    let ledger = s.ledger.clone().expect("a ledger view");
    assert!(ledger.recording, "{ledger:?}");
    assert!(ledger.energy_kwh[0].1 > 0.0, "energy booked: {ledger:?}");
    let earnings = ledger.earnings.expect("figures read once a minute");
    assert!(earnings.includes_simulated);
    let dir = r.dir.clone();
    r.agent.stop().await;

    let store = overtime_ledger::LedgerStore::open_reader(&dir.join("ledger.sqlite")).unwrap();
    let mut csv = Vec::new();
    let model =
        overtime_agent::ledger_feed::cost_model(&volunteer_only(), &jiff::tz::TimeZone::UTC);
    let summary = store
        .export_csv(
            t0() - jiff::SignedDuration::from_hours(1),
            t0() + jiff::SignedDuration::from_hours(1),
            &model,
            t0(),
            &mut csv,
        )
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(
        summary.sessions, 2,
        "volunteer, then idle for the game:\n{csv}"
    );
    assert!(
        csv.contains(",volunteer,") && csv.contains(",idle,"),
        "{csv}"
    );
    assert_eq!(
        store.open_session_count().unwrap(),
        0,
        "sessions are closed at stop"
    );
}

#[tokio::test(start_paused = true)]
async fn the_break_even_moves_from_the_power_limit_to_the_live_draw_to_the_ledgers_average() {
    let mut config = Config::default();
    config.electricity.rest_of_pc_w = 50;
    let r = rig_with("break-even", config, 1, vec![], true).await;

    // Nothing measured while working yet: the simulated board's 320 W limit, and it says so.
    let first = r.handle.snapshot();
    let cost = first.gpus[0].running_cost.clone().expect("a cost");
    assert_eq!(cost.source, DrawSource::PowerLimit, "{cost:?}");
    assert_eq!((cost.gpu_power_w, cost.rest_of_pc_w), (320, 50));
    // 370 W at the default 0.30 USD/kWh.
    assert_eq!(cost.per_hour.amount.normalize().to_string(), "0.111");

    // Backfilling for a while: the live reading stands in.
    settle(15_000).await;
    let s = r.handle.snapshot();
    assert!(
        s.gpus[0].reason.code() == "listed_backfill" || s.gpus[0].reason.code() == "rented",
        "{:?}",
        s.gpus[0].reason
    );
    let cost = s.gpus[0].running_cost.clone().expect("a cost");
    assert_eq!(cost.source, DrawSource::LiveReading, "{cost:?}");
    let live_w = s.gpus[0].reading.as_ref().and_then(|r| r.power_w).unwrap();
    assert_eq!(f64::from(cost.gpu_power_w), live_w.round());

    // Once the ledger holds whole working minutes and was re-read: their average. Each read
    // first waits for the writer to write what was queued, so the paused clock alone gets
    // there (the writer's own flush runs on the wall clock, which the paused clock leaves be).
    settle(241_000).await;
    let s = r.handle.snapshot();
    let cost = s.gpus[0].running_cost.clone().expect("a cost");
    assert_eq!(cost.source, DrawSource::RecentAverage, "{cost:?}");
    assert!(
        (250..=320).contains(&cost.gpu_power_w),
        "a loaded simulated GPU draws up to its limit: {cost:?}"
    );
    let expected = Decimal::from(cost.gpu_power_w + 50) * Decimal::new(30, 2) / Decimal::from(1000);
    assert_eq!(cost.per_hour.amount, expected);
    if s.gpus[0].reason.code() == "listed_backfill" {
        let sentence = &s.gpus[0].sentence;
        assert!(
            sentence.contains("on average while working recently")
                && sentence.contains(&format!("GPU {} W", cost.gpu_power_w)),
            "{sentence}"
        );
    }
    let metrics = overtime_agent::metrics::render(&s);
    assert!(
        metrics.contains("overtime_gpu_electricity_cost_per_hour{")
            && metrics.contains("source=\"recent_average\""),
        "{metrics}"
    );
    r.agent.stop().await;
}

/// A provider that reports one GPU, in a paid contract until `rented_until` when that is set,
/// and counts how often it was told to stop.
struct Reporting {
    name: &'static str,
    kind: ProviderKind,
    uuid: String,
    rented_until: Option<Timestamp>,
    stopped: Arc<Mutex<Vec<&'static str>>>,
}

#[async_trait]
impl Provider for Reporting {
    fn name(&self) -> &str {
        self.name
    }
    fn kind(&self) -> ProviderKind {
        self.kind
    }
    fn simulated(&self) -> bool {
        true
    }
    async fn status(&mut self) -> Result<ProviderStatus, ProviderError> {
        Ok(ProviderStatus {
            gpus: vec![overtime_agent::providers::ProviderGpuStatus {
                uuid: self.uuid.clone(),
                working: self.rented_until.is_some(),
                enabled: true,
                rented_until: self.rented_until,
                listed_until: None,
            }],
            detail: self.name.to_owned(),
            statements: Vec::new(),
            credits: Vec::new(),
        })
    }
    async fn apply(&mut self, _: &[GpuDesire]) -> Result<ProviderStatus, ProviderError> {
        self.status().await
    }
    async fn shutdown(&mut self) -> Result<(), ProviderError> {
        self.stopped.lock().unwrap().push(self.name);
        Ok(())
    }
}

/// Builds the "new" providers a changed configuration asks for, and remembers each build.
struct Rebuild {
    uuid: String,
    builds: Arc<Mutex<u32>>,
    stopped: Arc<Mutex<Vec<&'static str>>>,
}

#[async_trait]
impl ProviderFactory for Rebuild {
    async fn build(&self, _config: &Config) -> Vec<Box<dyn Provider>> {
        *self.builds.lock().unwrap() += 1;
        let make = |name, kind| -> Box<dyn Provider> {
            Box::new(Reporting {
                name,
                kind,
                uuid: self.uuid.clone(),
                rented_until: None,
                stopped: self.stopped.clone(),
            })
        };
        vec![
            make("rebuilt-rental", ProviderKind::Rental),
            make("rebuilt-volunteer", ProviderKind::Volunteer),
        ]
    }
}

fn first_sim_uuid() -> String {
    SimulatedSensors::new(3, 1).gpus()[0].uuid.clone()
}

fn provider_names(s: &AgentSnapshot) -> Vec<String> {
    let mut names: Vec<String> = s.providers.iter().map(|p| p.name.clone()).collect();
    names.sort();
    names
}

#[tokio::test(start_paused = true)]
async fn changed_volunteer_settings_replace_that_provider_without_a_restart() {
    let stopped = Arc::new(Mutex::new(Vec::new()));
    let builds = Arc::new(Mutex::new(0));
    let factory = Arc::new(Rebuild {
        uuid: first_sim_uuid(),
        builds: builds.clone(),
        stopped: stopped.clone(),
    });
    let r = rig_full(
        "swap-volunteer",
        volunteer_only(),
        1,
        vec![],
        false,
        Some(factory),
    )
    .await;
    settle(1500).await;
    assert_eq!(
        provider_names(&r.handle.snapshot()),
        ["demo-rental", "demo-volunteer"]
    );

    // The user picks another volunteer client in Settings: the file changes and is reloaded.
    std::fs::write(
        r.dir.join("config.toml"),
        "[schedule]\ndefault = [\"volunteer\"]\n[providers]\nvolunteer = \"fah\"\n",
    )
    .unwrap();
    r.handle.reload_config().await.unwrap();
    settle(2000).await;

    let s = r.handle.snapshot();
    assert_eq!(
        provider_names(&s),
        ["demo-rental", "rebuilt-volunteer"],
        "only the volunteer provider is replaced; the rental one keeps running"
    );
    assert_eq!(*builds.lock().unwrap(), 1);
    assert!(s.config.providers_pending.is_none());
    r.agent.stop().await;
    assert_eq!(*stopped.lock().unwrap(), ["rebuilt-volunteer"]);
}

#[tokio::test(start_paused = true)]
async fn a_rental_provider_in_a_paid_contract_is_replaced_only_when_the_contract_ends() {
    let stopped = Arc::new(Mutex::new(Vec::new()));
    let builds = Arc::new(Mutex::new(0));
    let uuid = first_sim_uuid();
    let until = t0() + jiff::SignedDuration::from_mins(30);
    let factory = Arc::new(Rebuild {
        uuid: uuid.clone(),
        builds: builds.clone(),
        stopped: stopped.clone(),
    });
    let rented = Box::new(Reporting {
        name: "rented-host",
        kind: ProviderKind::Rental,
        uuid,
        rented_until: Some(until),
        stopped: stopped.clone(),
    });
    // The rig's demo rental comes first; the contracted host is the rental link that counts.
    let mut config = volunteer_only();
    config.providers.rental = overtime_core::config::providers::RentalChoice::Hooks;
    let r = rig_full("swap-rental", config, 1, vec![rented], false, Some(factory)).await;
    settle(1500).await;

    // A new asking price while a renter holds the GPU.
    std::fs::write(
        r.dir.join("config.toml"),
        "[schedule]\ndefault = [\"volunteer\"]\n[rental]\nprice_per_gpu_hour = \"0.40\"\n",
    )
    .unwrap();
    r.handle.reload_config().await.unwrap();
    settle(2000).await;
    let s = r.handle.snapshot();
    let pending = s
        .config
        .providers_pending
        .clone()
        .expect("the change waits, and says so");
    assert_eq!(pending.kind, ProviderKind::Rental);
    assert_eq!(pending.until, Some(until));
    assert!(provider_names(&s).contains(&"rented-host".to_owned()));
    assert!(
        stopped.lock().unwrap().is_empty(),
        "nothing is stopped mid-contract"
    );

    // Once the contract's end has passed, the rental providers are replaced.
    settle(31 * 60 * 1000).await;
    let s = r.handle.snapshot();
    assert!(s.config.providers_pending.is_none());
    assert!(provider_names(&s).contains(&"rebuilt-rental".to_owned()));
    assert!(stopped.lock().unwrap().contains(&"rented-host"));
    r.agent.stop().await;
}

#[tokio::test(start_paused = true)]
async fn the_pc_is_kept_awake_exactly_while_a_paid_contract_runs() {
    let until = t0() + jiff::SignedDuration::from_mins(10);
    let rented = Box::new(Reporting {
        name: "rented-host",
        kind: ProviderKind::Rental,
        uuid: first_sim_uuid(),
        rented_until: Some(until),
        stopped: Arc::default(),
    });
    let r = rig_full("awake", volunteer_only(), 1, vec![rented], false, None).await;
    settle(1500).await;
    assert_eq!(
        r.keep_awake.requests(),
        [true],
        "asked once, not every tick"
    );
    settle(5 * 60 * 1000).await;
    assert_eq!(r.keep_awake.requests(), [true]);
    settle(6 * 60 * 1000).await;
    assert_eq!(
        r.keep_awake.requests(),
        [true, false],
        "the contract's end lets the PC sleep again"
    );
    r.agent.stop().await;
}

#[tokio::test(start_paused = true)]
async fn without_a_contract_the_pc_is_never_kept_awake() {
    let r = rig("no-awake", volunteer_only(), 1, vec![]).await;
    settle(60_000).await;
    assert!(r.keep_awake.requests().is_empty());
    r.agent.stop().await;
}
