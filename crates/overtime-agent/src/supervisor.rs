//! The supervisor: the one loop that owns the agent's state and wires the wings together.
//!
//! Each pass reads the sensors, asks `overtime_core::policy::decide` for a plan, hands the plan
//! to the provider tasks (never waiting on them), applies power limits, and publishes a snapshot.
//! It runs on a fixed tick (1 s by default) and also wakes at once when a game starts or stops,
//! a provider reports a change, or a front end sends a command — reaction time is a feature.
//!
//! Invariant: the supervisor never assumes what a provider is doing. At start it waits briefly
//! for every provider's own report and decides from that, so a restart after a crash keeps a
//! running rental and stops volunteer work that should not be running.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use overtime_core::activity::ActivityState;
use overtime_core::config::Config;
use overtime_core::gpu::{GpuId, GpuTelemetry};
use overtime_core::i18n::Catalogue;
use overtime_core::mode::{Mode, Override, OverrideScope};
use overtime_core::policy::{
    GpuInputs, Plan, PolicyInputs, PolicySettings, PolicyState, RentalAvailability,
    VolunteerAvailability, decide,
};
use overtime_core::reason::{Reason, Unavailable};
use overtime_core::thermal::PowerLimitAction;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::activity::{self, ActivityHandle};
use crate::clock::Clock;
use crate::config_file::{ConfigWatch, ConfigWatcher, LoadedConfig};
use crate::error::AgentError;
use crate::handle::{AgentCommand, AgentHandle};
use crate::keep_awake::KeepAwake;
use crate::ledger_feed::{self, EarningsView, LedgerFeed, LedgerView};
use crate::providers::runner::{self, ProviderLink, RunnerTiming};
use crate::providers::{self, GpuDesire, Provider, ProviderFactory, ProviderKind};
use crate::sensors::{GpuProcess, Sensors, Workload};
use crate::snapshot::{
    ActivityView, AgentSnapshot, ConfigView, DecisionRecord, GpuStatus, PendingProviders,
    ScheduleView,
};
use crate::state_file::StateFile;
use overtime_core::money::Money;
use overtime_core::running_cost::{RunningCost, WorkingDraw};
use overtime_ledger::CostModel;

/// How many mode changes the snapshot keeps.
const DECISIONS_KEPT: usize = 100;
/// How often the earnings figures in the snapshot are re-read from the ledger: money changes
/// slowly, and the all-time figure is a query over the whole ledger.
const EARNINGS_PERIOD: Duration = Duration::from_secs(300);
/// The first read waits for the ledger to have taken in the first readings.
const EARNINGS_FIRST_READ: Duration = Duration::from_secs(5);
/// How often each GPU's recent draw while working is re-read from the ledger for the policy's
/// break-even price: a new roll-up lands once a minute, so reading more often finds nothing new.
const WORKING_DRAW_PERIOD: Duration = Duration::from_secs(60);
/// How long work must have run before a live power reading counts as its draw: a GPU takes a
/// few seconds to ramp up, and a reading from before would make work look cheap.
const LIVE_DRAW_SETTLE: jiff::SignedDuration = jiff::SignedDuration::from_secs(10);
/// How long stopping waits for a provider swap in progress (the replaced provider handing
/// back its work, the new one's secrets being read).
const SWAP_STOP_WAIT: Duration = Duration::from_secs(10);
/// How long start-up waits for providers to report before deciding without them.
const FIRST_REPORT_WAIT: Duration = Duration::from_secs(3);

/// Starts the activity watcher; replaceable so tests can feed a fake process list.
pub type ActivityStarter = Box<
    dyn FnOnce(
            overtime_core::config::ActivityConfig,
            watch::Receiver<Vec<GpuProcess>>,
            CancellationToken,
        ) -> Result<ActivityHandle, activity::ActivityError>
        + Send,
>;

/// Everything the agent is built from. The CLI daemon and the desktop shell fill this in.
pub struct AgentParts {
    pub config: Config,
    /// The file `config` came from, watched for changes (`None`: defaults, nothing to watch).
    pub config_path: Option<PathBuf>,
    /// Where overrides are kept across restarts.
    pub state_dir: PathBuf,
    pub sensors: Box<dyn Sensors>,
    /// Why this sensor backend was picked, for the log and `doctor`.
    pub sensors_note: String,
    pub providers: Vec<Box<dyn Provider>>,
    /// Builds the providers again when their settings or credentials change; `None` keeps
    /// `providers` for the agent's whole run (tests, `simulate`).
    pub provider_factory: Option<Arc<dyn ProviderFactory>>,
    pub clock: Arc<dyn Clock>,
    /// The zone to use when the config names none (normally the system's).
    pub system_tz: TimeZone,
    pub activity: ActivityStarter,
    pub runner_timing: RunnerTiming,
    /// The earnings ledger's database file; `None` records no history (tests, `simulate`).
    pub ledger_path: Option<PathBuf>,
    /// Keeps the PC awake while a paid rental runs ([`crate::keep_awake::native`] outside tests).
    pub keep_awake: Box<dyn KeepAwake>,
}

impl AgentParts {
    /// The real activity watcher (process list, input idle time).
    pub fn real_activity() -> ActivityStarter {
        Box::new(activity::spawn)
    }
}

/// A running agent.
pub struct Agent {
    pub handle: AgentHandle,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

/// Why the agent could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot start the activity watcher: {0}")]
    Activity(#[from] activity::ActivityError),
    #[error("cannot use the state directory {path}: {source}")]
    StateDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Agent {
    /// Build every part, wait briefly for providers' first reports, decide once, and start the loop.
    pub async fn start(parts: AgentParts) -> Result<Agent, StartError> {
        let shutdown = CancellationToken::new();
        std::fs::create_dir_all(&parts.state_dir).map_err(|source| StartError::StateDir {
            path: parts.state_dir.clone(),
            source,
        })?;

        let (graphics_tx, graphics_rx) = watch::channel(Vec::new());
        let activity = (parts.activity)(
            parts.config.activity.clone(),
            graphics_rx,
            shutdown.child_token(),
        )?;

        let links: Vec<ProviderLink> = parts
            .providers
            .into_iter()
            .map(|p| {
                runner::spawn(
                    p,
                    parts.clock.clone(),
                    parts.runner_timing,
                    shutdown.child_token(),
                )
            })
            .collect();
        wait_for_first_reports(&links).await;

        // The file is checked as often as the loop ticks, as before it moved off the loop.
        let check_every = Duration::from_millis(parts.config.general.tick_ms.clamp(200, 60_000));
        let (config_watcher, config_loads) = match parts.config_path {
            Some(path) => {
                let (watcher, loads) = ConfigWatcher::spawn(ConfigWatch::new(path), check_every);
                (Some(watcher), Some(loads))
            }
            None => (None, None),
        };
        let overrides_path = parts.state_dir.join("overrides.json");
        let now = parts.clock.now();
        let overrides = {
            let path = overrides_path.clone();
            tokio::task::spawn_blocking(move || load_overrides(&path, now))
                .await
                .unwrap_or_default()
        };
        let tz = parts
            .config
            .time_zone()
            .unwrap_or_else(|| parts.system_tz.clone());
        let gpus = parts.sensors.gpus();
        let backend = parts.sensors.backend();
        tracing::info!(sensors = %backend.describe(), gpus = gpus.len(), "{}", parts.sensors_note);

        let (ledger, ledger_error) = match parts.ledger_path {
            None => (None, None),
            Some(path) => {
                match tokio::task::spawn_blocking(move || LedgerFeed::open(&path)).await {
                    Ok(Ok(feed)) => (Some(feed), None),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "the earnings ledger cannot be opened; GPU control goes on without history");
                        (None, Some(e.to_string()))
                    }
                    Err(e) => (None, Some(e.to_string())),
                }
            }
        };
        let cost_model = ledger_feed::cost_model(&parts.config, &tz);
        let (reads_tx, reads_rx) = mpsc::channel(4);

        let (commands_tx, commands_rx) = mpsc::channel(32);
        let (config_tx, config_rx) = watch::channel(Arc::new(parts.config.clone()));
        let (swaps_tx, swaps_rx) = mpsc::channel(2);
        let built_for = KINDS.map(|k| providers::settings_of(&parts.config, k));
        let mut sup = Supervisor {
            config_tx,
            provider_factory: parts.provider_factory,
            built_for,
            credentials_changed: [false; 2],
            swap_in_flight: false,
            swap_task: None,
            swaps_tx,
            providers_pending: None,
            links_changed: false,
            swap_check: false,
            runner_timing: parts.runner_timing,
            shutdown: shutdown.clone(),
            clock: parts.clock,
            settings: PolicySettings::new(parts.config, tz),
            system_tz: parts.system_tz,
            config_watcher,
            config_error: None,
            config_loaded_at: Some(now),
            can_set_power: gpus
                .iter()
                .map(|g| parts.sensors.can_set_power_limit(&g.uuid))
                .collect(),
            telemetry: gpus
                .iter()
                .map(|g| GpuTelemetry {
                    gpu: g.clone(),
                    reading: None,
                    read_at: None,
                    fault: None,
                })
                .collect(),
            workloads: vec![(Workload::None, now); gpus.len()],
            gpus,
            simulated: backend.is_simulated(),
            backend: backend.describe(),
            sensors: parts.sensors,
            power_error_logged: false,
            links,
            activity,
            graphics_tx,
            overrides,
            overrides_file: Some(StateFile::spawn(overrides_path, "overrides")),
            policy_state: PolicyState::default(),
            last_plan: None,
            decisions: VecDeque::new(),
            decisions_shared: Arc::new(Vec::new()),
            decisions_total: 0,
            snapshot_tx: None,
            ledger,
            ledger_error,
            cost_model,
            reads_tx,
            earnings_due: tokio::time::Instant::now() + EARNINGS_FIRST_READ,
            earnings_in_flight: false,
            draw_due: tokio::time::Instant::now() + EARNINGS_FIRST_READ,
            draw_in_flight: false,
            retention_day: None,
            keep_awake: parts.keep_awake,
            kept_awake: false,
        };
        sup.sample();
        let first = sup.pass();
        let (snapshot_tx, snapshot_rx) = watch::channel(Arc::new(first));
        sup.snapshot_tx = Some(snapshot_tx);

        let task = tokio::spawn(sup.run(
            commands_rx,
            reads_rx,
            swaps_rx,
            config_loads,
            shutdown.clone(),
        ));
        Ok(Agent {
            handle: AgentHandle {
                snapshots: snapshot_rx,
                commands: commands_tx,
                config: config_rx,
            },
            shutdown,
            task,
        })
    }

    /// A token that stops the agent when cancelled (e.g. from a signal handler).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stop the loop, hand every provider back in a safe state, restore power limits, and wait.
    pub async fn stop(self) {
        self.shutdown.cancel();
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the agent's loop ended abnormally");
        }
    }

    /// Wait until the agent stops by itself (its shutdown token cancelled elsewhere).
    pub async fn wait(self) {
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the agent's loop ended abnormally");
        }
    }
}

async fn wait_for_first_reports(links: &[ProviderLink]) {
    let waits = links.iter().map(|l| {
        let mut view = l.view.clone();
        async move {
            let _ = view
                .wait_for(|v| v.status.is_some() || v.error.is_some())
                .await;
        }
    });
    let all = async {
        for w in waits {
            w.await;
        }
    };
    if tokio::time::timeout(FIRST_REPORT_WAIT, all).await.is_err() {
        tracing::warn!(
            "not every provider reported within {FIRST_REPORT_WAIT:?}; deciding without them"
        );
    }
}

/// What a read of the ledger off the loop brings back.
enum LedgerRead {
    Earnings(Result<EarningsView, String>),
    /// Per GPU UUID, its average draw while working over the recent window, W.
    WorkingDraw(Result<Vec<(String, Option<f64>)>, String>),
}

struct Supervisor {
    /// Publishes the configuration in force to every handle.
    config_tx: watch::Sender<Arc<Config>>,
    /// Builds providers again when their settings or credentials change.
    provider_factory: Option<Arc<dyn ProviderFactory>>,
    /// The settings each kind's running provider was built from (in [`KINDS`] order).
    built_for: [serde_json::Value; 2],
    /// Credentials changed since each kind's provider was built.
    credentials_changed: [bool; 2],
    /// A swap is being built (old providers handing back their work first).
    swap_in_flight: bool,
    /// The task doing it, awaited at stop so a provider being replaced still hands back.
    swap_task: Option<JoinHandle<()>>,
    swaps_tx: mpsc::Sender<ProviderSwap>,
    /// A change that waits for a rental contract to end.
    providers_pending: Option<PendingProviders>,
    /// `links` changed: the loop must watch the new providers' views.
    links_changed: bool,
    /// The configuration or the credentials changed (or a swap ended): compare the providers'
    /// settings again. Kept off the hot path: most wake-ups change neither.
    swap_check: bool,
    runner_timing: RunnerTiming,
    shutdown: CancellationToken,
    clock: Arc<dyn Clock>,
    settings: PolicySettings,
    system_tz: TimeZone,
    /// Reads the configuration file off the loop; `None` when there is no file (tests).
    config_watcher: Option<ConfigWatcher>,
    config_error: Option<String>,
    config_loaded_at: Option<Timestamp>,
    gpus: Vec<GpuId>,
    telemetry: Vec<GpuTelemetry>,
    can_set_power: Vec<bool>,
    /// What each GPU was last told to run and since when (same order as `telemetry`): a
    /// working GPU's live power reading stands in for its working draw until the ledger has an
    /// average.
    workloads: Vec<(Workload, Timestamp)>,
    simulated: bool,
    backend: String,
    sensors: Box<dyn Sensors>,
    power_error_logged: bool,
    links: Vec<ProviderLink>,
    activity: ActivityHandle,
    graphics_tx: watch::Sender<Vec<GpuProcess>>,
    overrides: Vec<Override>,
    /// Where the overrides are kept across restarts; written off the loop. `None` once the
    /// agent has stopped.
    overrides_file: Option<StateFile>,
    policy_state: PolicyState,
    last_plan: Option<Plan>,
    decisions: VecDeque<DecisionRecord>,
    decisions_shared: Arc<Vec<DecisionRecord>>,
    decisions_total: u64,
    snapshot_tx: Option<watch::Sender<Arc<AgentSnapshot>>>,
    ledger: Option<LedgerFeed>,
    ledger_error: Option<String>,
    cost_model: CostModel,
    reads_tx: mpsc::Sender<LedgerRead>,
    earnings_due: tokio::time::Instant,
    earnings_in_flight: bool,
    draw_due: tokio::time::Instant,
    draw_in_flight: bool,
    retention_day: Option<jiff::civil::Date>,
    keep_awake: Box<dyn KeepAwake>,
    /// Whether the PC is being kept awake for a running rental.
    kept_awake: bool,
}

impl Supervisor {
    async fn run(
        mut self,
        mut commands: mpsc::Receiver<AgentCommand>,
        mut reads: mpsc::Receiver<LedgerRead>,
        mut swaps: mpsc::Receiver<ProviderSwap>,
        mut config_loads: Option<mpsc::Receiver<LoadedConfig>>,
        shutdown: CancellationToken,
    ) {
        let tick = Duration::from_millis(self.settings.config.general.tick_ms.clamp(200, 60_000));
        let mut interval = tokio::time::interval(tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await;
        let mut provider_views: Vec<_> = self.links.iter().map(|l| l.view.clone()).collect();
        let mut activity_rx = self.activity.state.clone();

        loop {
            let full_tick = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                changed = activity_rx.changed() => {
                    if changed.is_err() {
                        // The watcher stopped; keep ticking on the timer alone.
                        activity_rx = watch::channel(ActivityState::default()).1;
                    }
                    false
                }
                Some(cmd) = commands.recv() => {
                    self.command(cmd);
                    false
                }
                Some(read) = reads.recv() => {
                    self.ledger_read(read);
                    false
                }
                Some(swap) = swaps.recv() => {
                    self.adopt_swap(swap);
                    false
                }
                Some(loaded) = next_load(&mut config_loads) => {
                    self.adopt_loaded(loaded);
                    false
                }
                _ = any_changed(&mut provider_views) => false,
                _ = interval.tick() => true,
            };
            if full_tick {
                self.sample();
                self.ledger_upkeep();
            }
            // A change waiting for a contract's end is looked at again once a tick.
            if self.swap_check || (full_tick && self.providers_pending.is_some()) {
                self.plan_swaps();
            }
            if self.links_changed {
                provider_views = self.links.iter().map(|l| l.view.clone()).collect();
                for v in &mut provider_views {
                    v.borrow_and_update();
                }
                self.links_changed = false;
            }
            let snapshot = self.pass();
            if let Some(tx) = &self.snapshot_tx {
                tx.send_replace(Arc::new(snapshot));
            }
            self.keep_awake_for_rentals();
        }
        self.stop().await;
    }

    /// Read sensors and graphics processes (only on timer ticks: wake-ups reuse the last reading).
    fn sample(&mut self) {
        let now = self.clock.now();
        for sample in self.sensors.sample(now) {
            let Some(t) = self
                .telemetry
                .iter_mut()
                .find(|t| t.gpu.uuid == sample.gpu.uuid)
            else {
                continue;
            };
            match sample.reading {
                Ok(reading) => {
                    if t.fault.take().is_some() {
                        tracing::info!(gpu = t.gpu.index, "GPU answers again");
                    }
                    if let Some(ledger) = &mut self.ledger {
                        ledger.on_reading(&t.gpu.uuid, now, &reading);
                    }
                    t.reading = Some(reading);
                    t.read_at = Some(now);
                }
                Err(e) => {
                    if t.fault.is_none() {
                        tracing::warn!(gpu = t.gpu.index, error = %e, "GPU stopped answering; its work stops once its last reading is stale");
                    }
                    t.fault = Some(e.to_string());
                }
            }
        }
        let graphics = self.sensors.graphics_processes();
        self.graphics_tx.send_if_modified(|g| {
            if *g != graphics {
                *g = graphics;
                true
            } else {
                false
            }
        });
    }

    /// Once a tick: what providers reported goes to the ledger; the figures are re-read about
    /// every five minutes and the GPUs' recent working draw every minute, both off the loop;
    /// retention runs once a day.
    fn ledger_upkeep(&mut self) {
        let Some(ledger) = &mut self.ledger else {
            return;
        };
        let now = self.clock.now();
        for link in &self.links {
            let view = link.view.borrow();
            if let Some(status) = &view.status
                && (!status.statements.is_empty() || !status.credits.is_empty())
            {
                ledger.on_provider_report(&link.name, &status.statements, &status.credits, now);
            }
        }
        let today = now.to_zoned_datetime(self.settings.tz.clone()).date();
        if self.retention_day != Some(today) {
            self.retention_day = Some(today);
            ledger.retention(now);
        }
        if tokio::time::Instant::now() >= self.earnings_due && !self.earnings_in_flight {
            let model = self.cost_model.clone();
            self.earnings_in_flight = true;
            self.earnings_due = tokio::time::Instant::now() + EARNINGS_PERIOD;
            let reader = ledger.reader();
            let simulated = self.simulated || self.links.iter().any(|l| l.simulated);
            let tx = self.reads_tx.clone();
            tokio::task::spawn_blocking(move || {
                let result = reader
                    .earnings(&model, now, simulated)
                    .map_err(|e| e.to_string());
                let _ = tx.blocking_send(LedgerRead::Earnings(result));
            });
        }
        if tokio::time::Instant::now() >= self.draw_due && !self.draw_in_flight {
            self.draw_in_flight = true;
            self.draw_due = tokio::time::Instant::now() + WORKING_DRAW_PERIOD;
            let reader = ledger.reader();
            let uuids: Vec<String> = self.gpus.iter().map(|g| g.uuid.clone()).collect();
            let tx = self.reads_tx.clone();
            tokio::task::spawn_blocking(move || {
                let result = reader.working_draw(&uuids, now).map_err(|e| e.to_string());
                let _ = tx.blocking_send(LedgerRead::WorkingDraw(result));
            });
        }
    }

    fn ledger_read(&mut self, read: LedgerRead) {
        match read {
            LedgerRead::Earnings(result) => {
                self.earnings_in_flight = false;
                match (result, &mut self.ledger) {
                    (Ok(view), Some(ledger)) => ledger.set_earnings(view),
                    (Err(e), _) => tracing::warn!(error = %e, "cannot read the earnings figures"),
                    _ => {}
                }
            }
            LedgerRead::WorkingDraw(result) => {
                self.draw_in_flight = false;
                match (result, &mut self.ledger) {
                    (Ok(draws), Some(ledger)) => ledger.set_working_draw(draws),
                    (Err(e), Some(ledger)) => {
                        tracing::warn!(error = %e, "cannot read the GPUs' recent draw; pricing electricity from live readings or power limits");
                        ledger.clear_working_draw();
                    }
                    _ => {}
                }
            }
        }
    }

    /// Adopts a configuration the watcher read, and answers whoever asked for the read.
    fn adopt_loaded(&mut self, loaded: LoadedConfig) {
        let outcome = match &loaded.result {
            Ok(_) => Ok(()),
            Err(e) => Err(AgentError::from(e)),
        };
        self.adopt_config(loaded.result);
        if let Some(reply) = loaded.asked {
            let _ = reply.send(outcome);
        }
    }

    fn adopt_config(&mut self, result: Result<Config, crate::config_file::ConfigFileError>) {
        match result {
            Ok(config) => {
                tracing::info!("configuration reloaded");
                let tz = config.time_zone().unwrap_or_else(|| self.system_tz.clone());
                self.activity.config.send_replace(config.activity.clone());
                self.cost_model = ledger_feed::cost_model(&config, &tz);
                self.config_tx.send_replace(Arc::new(config.clone()));
                self.swap_check = true;
                self.settings = PolicySettings::new(config, tz);
                self.config_error = None;
                self.config_loaded_at = Some(self.clock.now());
            }
            Err(e) => {
                let message = e.to_string();
                if self.config_error.as_deref() != Some(message.as_str()) {
                    tracing::error!(
                        "the changed configuration is invalid, keeping the previous one:\n{message}"
                    );
                }
                self.config_error = Some(message);
            }
        }
    }

    fn command(&mut self, cmd: AgentCommand) {
        let now = self.clock.now();
        match cmd {
            AgentCommand::SetOverride {
                mode,
                scope,
                until,
                reply,
            } => {
                let result = self.check_scope(&scope).and_then(|()| match until {
                    Some(u) if u <= now => Err(AgentError::TimePassed),
                    _ => Ok(()),
                });
                if result.is_ok() {
                    self.overrides.retain(|o| o.scope != scope);
                    self.overrides.push(Override {
                        mode,
                        scope,
                        until,
                        set_at: now,
                    });
                    tracing::info!(mode = %mode, until = ?until, "override set");
                    self.save_overrides();
                }
                let _ = reply.send(result);
            }
            AgentCommand::ClearOverride { scope, reply } => {
                let result = self.check_scope(&scope);
                if result.is_ok() {
                    match &scope {
                        OverrideScope::AllGpus => self.overrides.clear(),
                        OverrideScope::Gpu(_) => self.overrides.retain(|o| o.scope != scope),
                    }
                    tracing::info!("back to automatic");
                    self.save_overrides();
                }
                let _ = reply.send(result);
            }
            AgentCommand::CredentialsChanged { reply } => {
                if self.provider_factory.is_some() {
                    self.credentials_changed = [true; 2];
                    self.swap_check = true;
                }
                let _ = reply.send(Ok(()));
            }
            AgentCommand::ReloadConfig { reply } => match &self.config_watcher {
                None => {
                    let _ = reply.send(Err(AgentError::NoConfigFile));
                }
                Some(w) => w.reload(reply),
            },
        }
    }

    /// Starts replacing the providers whose settings or credentials changed. A rental
    /// provider with a GPU in a paid contract is left alone until the contract ends (the
    /// snapshot says so); the others are stopped — handing their work back — and built anew
    /// off the loop.
    fn plan_swaps(&mut self) {
        let Some(factory) = self.provider_factory.clone() else {
            return;
        };
        if self.swap_in_flight {
            // Looked at again when the swap lands.
            return;
        }
        self.swap_check = false;
        let config = self.settings.config.clone();
        let mut ready = Vec::new();
        let mut waiting = None;
        for (i, kind) in KINDS.into_iter().enumerate() {
            let changed = self.credentials_changed[i]
                || providers::settings_of(&config, kind) != self.built_for[i];
            if !changed {
                continue;
            }
            match self.contract_until(kind) {
                Some(until) => {
                    waiting = Some(PendingProviders {
                        kind,
                        until: Some(until),
                    })
                }
                None => ready.push(kind),
            }
        }
        if waiting != self.providers_pending {
            if let Some(w) = &waiting {
                tracing::info!(until = ?w.until, "new rental settings wait for the running contract to end");
            }
            self.providers_pending = waiting;
        }
        if ready.is_empty() {
            return;
        }
        let (old, kept): (Vec<ProviderLink>, Vec<ProviderLink>) = std::mem::take(&mut self.links)
            .into_iter()
            .partition(|l| ready.contains(&l.kind));
        self.links = kept;
        self.links_changed = true;
        for link in &old {
            tracing::info!(provider = %link.name, "provider settings changed; replacing it");
            link.shutdown.cancel();
        }
        self.swap_in_flight = true;
        let tx = self.swaps_tx.clone();
        self.swap_task = Some(tokio::spawn(async move {
            // The old provider hands its work back before the new one may touch the service.
            for link in old {
                if let Err(e) = link.task.await {
                    tracing::warn!(provider = %link.name, error = %e, "provider task ended abnormally");
                }
            }
            let providers = factory
                .build(&config)
                .await
                .into_iter()
                .filter(|p| ready.contains(&p.kind()))
                .collect();
            let built_for = ready
                .iter()
                .map(|&k| (k, providers::settings_of(&config, k)))
                .collect();
            let _ = tx
                .send(ProviderSwap {
                    providers,
                    built_for,
                })
                .await;
        }));
    }

    /// Starts the providers a swap built.
    fn adopt_swap(&mut self, swap: ProviderSwap) {
        for (kind, settings) in swap.built_for {
            let i = kind_index(kind);
            self.built_for[i] = settings;
            self.credentials_changed[i] = false;
        }
        for provider in swap.providers {
            tracing::info!(
                provider = provider.name(),
                "provider started with the new settings"
            );
            self.links.push(runner::spawn(
                provider,
                self.clock.clone(),
                self.runner_timing,
                self.shutdown.child_token(),
            ));
        }
        self.links_changed = true;
        self.swap_in_flight = false;
        // The configuration may have changed again while the swap was built.
        self.swap_check = true;
    }

    /// Asks the OS to keep the PC awake exactly while a paid contract runs.
    fn keep_awake_for_rentals(&mut self) {
        let rented = self.contract_until(ProviderKind::Rental).is_some();
        if rented != self.kept_awake {
            self.kept_awake = rented;
            self.keep_awake.set(rented);
            tracing::info!(
                awake = rented,
                "{}",
                if rented {
                    "a paid rental runs: keeping the PC from sleeping"
                } else {
                    "no paid rental runs: the PC may sleep again"
                }
            );
        }
    }

    /// The end of the latest paid contract on any GPU of `kind`'s provider, when one runs.
    fn contract_until(&self, kind: ProviderKind) -> Option<Timestamp> {
        let now = self.clock.now();
        self.links
            .iter()
            .filter(|l| l.kind == kind)
            .filter_map(|l| {
                let view = l.view.borrow();
                view.status.as_ref().and_then(|s| {
                    s.gpus
                        .iter()
                        .filter_map(|g| g.rented_until)
                        .filter(|u| *u > now)
                        .max()
                })
            })
            .max()
    }

    fn check_scope(&self, scope: &OverrideScope) -> Result<(), AgentError> {
        match scope {
            OverrideScope::AllGpus => Ok(()),
            OverrideScope::Gpu(uuid) if self.gpus.iter().any(|g| &g.uuid == uuid) => Ok(()),
            OverrideScope::Gpu(uuid) => Err(AgentError::UnknownGpu { gpu: uuid.clone() }),
        }
    }

    fn save_overrides(&self) {
        let Some(file) = &self.overrides_file else {
            return;
        };
        match serde_json::to_vec_pretty(&self.overrides) {
            Ok(bytes) => file.save(bytes),
            Err(e) => {
                tracing::warn!(error = %e, "cannot encode the overrides; they will not survive a restart")
            }
        }
    }

    /// Decide, apply and describe: one pass of the loop.
    fn pass(&mut self) -> AgentSnapshot {
        let now = self.clock.now();
        let before = self.overrides.len();
        self.overrides.retain(|o| o.is_active(now));
        if self.overrides.len() != before {
            tracing::info!("an override expired; back to automatic");
            self.save_overrides();
        }

        let activity = self.activity.state.borrow().clone();
        let rental = self.link_of(ProviderKind::Rental);
        let volunteer = self.link_of(ProviderKind::Volunteer);
        let electricity = &self.settings.config.electricity;
        let inputs: Vec<GpuInputs> = self
            .telemetry
            .iter()
            .zip(&self.can_set_power)
            .zip(&self.workloads)
            .map(|((t, can_set), (workload, since))| {
                // The break-even: the best draw figure there is, priced at the tariff in force now.
                let recent_w = self
                    .ledger
                    .as_ref()
                    .and_then(|l| l.working_draw_w(&t.gpu.uuid));
                let working_now = *workload != Workload::None
                    && t.read_at.is_some_and(|at| at >= *since + LIVE_DRAW_SETTLE);
                let draw = WorkingDraw::pick(recent_w, t.reading.as_ref(), working_now);
                GpuInputs {
                    rental: rental_availability(rental.map(|l| &l.view), &t.gpu.uuid, now),
                    volunteer: volunteer_availability(volunteer.map(|l| &l.view)),
                    can_set_power_limit: *can_set,
                    running_cost: draw
                        .map(|d| RunningCost::price(&d, electricity, now, &self.settings.tz)),
                    telemetry: t.clone(),
                }
            })
            .collect();

        let plan = decide(
            now,
            PolicyInputs {
                gpus: &inputs,
                activity: &activity,
            },
            &self.settings,
            &self.overrides,
            &self.policy_state,
        );
        self.apply(&plan, &inputs);
        self.record(&plan, now);
        self.policy_state = plan.state.clone();
        let snapshot = self.describe(&plan, &inputs, &activity, now);
        self.last_plan = Some(plan);
        snapshot
    }

    fn link_of(&self, kind: ProviderKind) -> Option<&ProviderLink> {
        self.links.iter().find(|l| l.kind == kind)
    }

    fn apply(&mut self, plan: &Plan, inputs: &[GpuInputs]) {
        for (g, input) in plan.gpus.iter().zip(inputs) {
            let limit = match g.power {
                PowerLimitAction::Keep => None,
                PowerLimitAction::Set(w) => Some(Some(w)),
                PowerLimitAction::Restore => Some(None),
            };
            if let Some(limit) = limit {
                match self.sensors.set_power_limit(&g.uuid, limit) {
                    Ok(()) => {
                        tracing::info!(gpu = g.index, limit_w = ?limit, "power limit changed by the thermal guard")
                    }
                    Err(e) if !self.power_error_logged => {
                        self.power_error_logged = true;
                        tracing::warn!(gpu = g.index, error = %e, "cannot change the power limit");
                    }
                    Err(_) => {}
                }
            }
            let workload = match g.mode {
                Mode::Rental if rental_working(&input.rental) => Workload::Rental,
                _ if g.volunteer_on => Workload::Volunteer,
                _ => Workload::None,
            };
            self.sensors.note_workload(&g.uuid, workload);
            if let Some(slot) = self
                .telemetry
                .iter()
                .position(|t| t.gpu.uuid == g.uuid)
                .and_then(|i| self.workloads.get_mut(i))
                && slot.0 != workload
            {
                *slot = (workload, self.clock.now());
            }
        }

        // The first provider of each kind does the work; any others are kept off.
        let mut first_rental = true;
        let mut first_volunteer = true;
        for link in &self.links {
            let active = match link.kind {
                ProviderKind::Rental => std::mem::replace(&mut first_rental, false),
                ProviderKind::Volunteer => std::mem::replace(&mut first_volunteer, false),
            };
            let desires: Vec<GpuDesire> = plan
                .gpus
                .iter()
                .map(|g| {
                    let (on, list_until) = match link.kind {
                        ProviderKind::Rental => (
                            active && g.list_until.is_some(),
                            g.list_until.filter(|_| active),
                        ),
                        ProviderKind::Volunteer => (active && g.volunteer_on, None),
                    };
                    GpuDesire {
                        uuid: g.uuid.clone(),
                        index: g.index,
                        on,
                        list_until,
                    }
                })
                .collect();
            link.desired.send_if_modified(|d| {
                if d.as_ref() != Some(&desires) {
                    *d = Some(desires);
                    true
                } else {
                    false
                }
            });
        }
    }

    fn record(&mut self, plan: &Plan, now: Timestamp) {
        let mut added = false;
        for g in &plan.gpus {
            let prev = self.policy_state.gpus.get(&g.uuid);
            let same = prev.is_some_and(|p| p.mode == g.mode && p.reason.code() == g.reason.code());
            if same {
                continue;
            }
            let sentence = g
                .reason
                .with_mode(g.mode, Catalogue::english(), &self.settings.tz);
            tracing::info!(gpu = g.index, "{sentence}");
            if let Some(ledger) = &mut self.ledger {
                let kind = match g.mode {
                    Mode::Rental => Some(ProviderKind::Rental),
                    Mode::Volunteer => Some(ProviderKind::Volunteer),
                    Mode::Idle => None,
                };
                let provider = kind
                    .and_then(|k| self.links.iter().find(|l| l.kind == k))
                    .map(|l| l.name.as_str());
                // Only a running contract earns; a listing alone does not.
                let rented = matches!(
                    g.reason,
                    Reason::Rented { .. }
                        | Reason::GameRentalKept { .. }
                        | Reason::OverrideRentalKept { .. }
                );
                let rental = &self.settings.config.rental;
                let paid =
                    rented.then(|| Money::new(rental.price_per_gpu_hour, rental.currency.clone()));
                ledger.on_decision(
                    &g.uuid,
                    now,
                    prev.map(|p| p.mode),
                    g.mode,
                    g.reason.code(),
                    &sentence,
                    provider,
                    paid,
                );
            }
            self.decisions.push_back(DecisionRecord {
                at: now,
                gpu_uuid: g.uuid.clone(),
                gpu_index: g.index,
                from: prev.map(|p| p.mode),
                to: g.mode,
                reason: g.reason.clone(),
                sentence,
            });
            self.decisions_total += 1;
            added = true;
        }
        if added {
            while self.decisions.len() > DECISIONS_KEPT {
                self.decisions.pop_front();
            }
            self.decisions_shared = Arc::new(self.decisions.iter().cloned().collect());
        }
    }

    fn describe(
        &self,
        plan: &Plan,
        inputs: &[GpuInputs],
        activity: &ActivityState,
        now: Timestamp,
    ) -> AgentSnapshot {
        let tz = &self.settings.tz;
        let rental = self
            .link_of(ProviderKind::Rental)
            .map(|l| l.view.borrow().clone());
        let volunteer = self
            .link_of(ProviderKind::Volunteer)
            .map(|l| l.view.borrow().clone());
        let config = self.config_tx.borrow().clone();
        let gpus = plan
            .gpus
            .iter()
            .zip(&self.telemetry)
            .zip(inputs)
            .map(|((g, t), input)| {
                let rs = rental
                    .as_ref()
                    .and_then(|v| v.status.as_ref())
                    .and_then(|s| s.gpu(&g.uuid));
                let vs = volunteer
                    .as_ref()
                    .and_then(|v| v.status.as_ref())
                    .and_then(|s| s.gpu(&g.uuid));
                GpuStatus {
                    gpu: t.gpu.clone(),
                    reading: t.reading.clone(),
                    read_at: t.read_at,
                    fault: t.fault.clone(),
                    mode: g.mode,
                    sentence: g.reason.with_mode(g.mode, Catalogue::english(), tz),
                    reason: g.reason.clone(),
                    since: plan.state.gpus.get(&g.uuid).map_or(now, |s| s.since),
                    power_cap_w: g.power_cap_w,
                    rented_until: rs.and_then(|s| s.rented_until),
                    listed_until: rs.and_then(|s| s.listed_until),
                    volunteer_running: vs.is_some_and(|s| s.working),
                    running_cost: input.running_cost.clone(),
                    limits: config.thermal.limits_for(&t.gpu.uuid, t.gpu.index),
                }
            })
            .collect();
        AgentSnapshot {
            at: now,
            agent_version: env!("CARGO_PKG_VERSION").to_owned(),
            simulated: self.simulated,
            sensor_backend: self.backend.clone(),
            timezone: tz.iana_name().unwrap_or("UTC").to_owned(),
            gpus,
            activity: ActivityView {
                games: activity.games.clone(),
                input_idle_s: activity.input_idle.map(|d| d.as_secs()),
                input_idle_source: self.activity.input_idle_source.clone(),
            },
            overrides: self.overrides.clone(),
            providers: self.links.iter().map(|l| l.view.borrow().clone()).collect(),
            schedule: ScheduleView {
                modes_allowed: plan.schedule.modes.modes(),
                window: plan.schedule.window_name.clone(),
                next_change: plan.schedule.next_change,
            },
            config: ConfigView {
                path: self
                    .config_watcher
                    .as_ref()
                    .map(|w| w.path().display().to_string()),
                error: self.config_error.clone(),
                loaded_at: self.config_loaded_at,
                providers_pending: self.providers_pending.clone(),
            },
            decisions_total: self.decisions_total,
            recent_decisions: self.decisions_shared.clone(),
            ledger: match (&self.ledger, &self.ledger_error) {
                (Some(l), _) => Some(l.view()),
                (None, Some(e)) => Some(LedgerView {
                    recording: false,
                    last_error: Some(e.clone()),
                    ..LedgerView::default()
                }),
                (None, None) => None,
            },
        }
    }

    /// Leave everything safe: providers hand work back (their tasks see the same shutdown
    /// token), power limits go back to the board's defaults, a last snapshot says so.
    async fn stop(mut self) {
        tracing::info!("supervisor stopped; restoring power limits");
        if let Some(plan) = &self.last_plan {
            for g in plan.gpus.iter().filter(|g| g.power_cap_w.is_some()) {
                if let Err(e) = self.sensors.set_power_limit(&g.uuid, None) {
                    tracing::warn!(gpu = g.index, error = %e, "could not restore the power limit");
                }
            }
        }
        for link in std::mem::take(&mut self.links) {
            if let Err(e) = link.task.await {
                tracing::warn!(provider = %link.name, error = %e, "provider task ended abnormally");
            }
        }
        if let Some(swap) = self.swap_task.take()
            && tokio::time::timeout(SWAP_STOP_WAIT, swap).await.is_err()
        {
            tracing::warn!("a provider being replaced did not finish handing back its work");
        }
        if let Some(ledger) = self.ledger.take() {
            ledger.close(self.clock.now()).await;
        }
        if let Some(file) = self.overrides_file.take() {
            file.close().await;
        }
        if let Some(tx) = &self.snapshot_tx {
            let mut last = (**tx.borrow()).clone();
            for g in &mut last.gpus {
                if g.rented_until.is_none() {
                    g.mode = Mode::Idle;
                    g.reason = Reason::Stopped;
                    g.sentence =
                        g.reason
                            .with_mode(Mode::Idle, Catalogue::english(), &self.settings.tz);
                }
            }
            tx.send_replace(Arc::new(last));
        }
    }
}

/// The provider kinds, in the order the supervisor's per-kind arrays use.
const KINDS: [ProviderKind; 2] = [ProviderKind::Rental, ProviderKind::Volunteer];

fn kind_index(kind: ProviderKind) -> usize {
    match kind {
        ProviderKind::Rental => 0,
        ProviderKind::Volunteer => 1,
    }
}

/// Providers built anew for some kinds, ready to start.
struct ProviderSwap {
    providers: Vec<Box<dyn Provider>>,
    built_for: Vec<(ProviderKind, serde_json::Value)>,
}

/// Resolves when any provider's view changes (a rental starting must stop backfill at once).
async fn any_changed(views: &mut [watch::Receiver<crate::providers::ProviderView>]) {
    if views.is_empty() {
        return std::future::pending().await;
    }
    let futures = views.iter_mut().map(|v| Box::pin(v.changed()));
    let (result, _, _) = futures_select_all(futures).await;
    if result.is_err() {
        // A provider task ended (shutdown); don't spin on it.
        std::future::pending::<()>().await;
    }
}

/// A minimal `select_all` over boxed futures, to avoid pulling in the `futures` crate for one call.
async fn futures_select_all<F>(
    futures: impl Iterator<Item = std::pin::Pin<Box<F>>>,
) -> (F::Output, usize, ())
where
    F: std::future::Future,
{
    let mut futures: Vec<_> = futures.collect();
    std::future::poll_fn(move |cx| {
        for (i, f) in futures.iter_mut().enumerate() {
            if let std::task::Poll::Ready(out) = f.as_mut().poll(cx) {
                return std::task::Poll::Ready((out, i, ()));
            }
        }
        std::task::Poll::Pending
    })
    .await
}

fn rental_availability(
    view: Option<&watch::Receiver<crate::providers::ProviderView>>,
    uuid: &str,
    now: Timestamp,
) -> RentalAvailability {
    let Some(view) = view else {
        return RentalAvailability::Unavailable {
            why: Unavailable::NotSetUp,
        };
    };
    let v = view.borrow();
    let gpu = v.status.as_ref().and_then(|s| s.gpu(uuid));
    // A contract reported earlier stays in force through provider errors: it is the renter's.
    if let Some(until) = gpu.and_then(|g| g.rented_until).filter(|u| *u > now) {
        return RentalAvailability::Rented { until };
    }
    if let Some(e) = &v.error {
        return RentalAvailability::Unavailable {
            why: Unavailable::Failed { error: e.clone() },
        };
    }
    match (&v.status, gpu.and_then(|g| g.listed_until)) {
        (None, _) => RentalAvailability::Unavailable {
            why: Unavailable::NotReported {
                provider: v.name.clone(),
            },
        },
        (Some(_), Some(until)) => RentalAvailability::Listed { until },
        (Some(_), None) => RentalAvailability::Ready,
    }
}

fn rental_working(r: &RentalAvailability) -> bool {
    matches!(r, RentalAvailability::Rented { .. })
}

fn volunteer_availability(
    view: Option<&watch::Receiver<crate::providers::ProviderView>>,
) -> VolunteerAvailability {
    let Some(view) = view else {
        return VolunteerAvailability::Unavailable {
            why: Unavailable::NotSetUp,
        };
    };
    let v = view.borrow();
    match (&v.error, &v.status) {
        (Some(e), _) => VolunteerAvailability::Unavailable {
            why: Unavailable::Failed { error: e.clone() },
        },
        (None, None) => VolunteerAvailability::Unavailable {
            why: Unavailable::NotReported {
                provider: v.name.clone(),
            },
        },
        (None, Some(_)) => VolunteerAvailability::Ready,
    }
}

/// The next configuration the watcher read; never, when there is no watcher.
async fn next_load(loads: &mut Option<mpsc::Receiver<LoadedConfig>>) -> Option<LoadedConfig> {
    match loads {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn load_overrides(path: &std::path::Path, now: Timestamp) -> Vec<Override> {
    match std::fs::read(path) {
        Ok(bytes) => match serde_json::from_slice::<Vec<Override>>(&bytes) {
            Ok(list) => list.into_iter().filter(|o| o.is_active(now)).collect(),
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "ignoring a damaged overrides file");
                Vec::new()
            }
        },
        Err(_) => Vec::new(),
    }
}
