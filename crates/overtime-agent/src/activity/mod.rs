//! The activity wing: which games run and how long the user has been away, published on a watch
//! channel. Game starts and stops wake the supervisor at once; input idle time is refreshed
//! silently, since the supervisor's own tick reads it often enough.
//!
//! Invariant: a new game is seen within one `poll_ms` period (250 ms by default), at a cost of
//! one PID listing per poll. Only new PIDs are read in detail (see [`games::GameWatcher`]).
//! The [`game_signals`] (Windows: full screen, Steam's running game) are read once every
//! [`SIGNAL_PERIOD`] on the same timer.

pub mod game_signals;
pub mod games;
pub mod input_idle;
pub mod process_list;
pub mod running;

use std::time::Duration;

use overtime_core::activity::ActivityState;
use overtime_core::config::ActivityConfig;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use game_signals::GameSignalSource;
use games::GameWatcher;
use input_idle::InputIdleSource;
use overtime_core::activity::RunningGame;
use overtime_core::gpu::GpuProcess;
use process_list::ProcessSource;

/// How often input idle time is read. Coarse on purpose: "user active" thresholds are seconds
/// to minutes, and the policy's own tick is one second.
pub const INPUT_IDLE_PERIOD: Duration = Duration::from_secs(1);

/// How often the game signals are read: a shell call and a registry read, not worth paying at
/// every poll, while once a second still keeps a full-screen or Steam game within the "work
/// pauses within a second" promise. (Under Wine, turning both signals off made no measurable
/// difference to the agent's CPU time: 1.43 % against 1.45 % of a core over 60 s.)
pub const SIGNAL_PERIOD: Duration = Duration::from_secs(1);

/// Bounds on the game poll period whatever the config says; validation keeps it in 50–5000 ms,
/// this only stops a zero period from spinning (or panicking the interval).
const POLL_MS_BOUNDS: (u64, u64) = (10, 60_000);

#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    #[error(
        "activity.{list} pattern `{pattern}` is not a valid glob ({detail}); fix or remove it in the config file (`*` matches any characters, `?` one, `[abc]` a set)"
    )]
    InvalidPattern {
        /// `games` or `ignore`.
        list: &'static str,
        pattern: String,
        detail: String,
    },
    #[error(
        "cannot read the process list ({0}), so running games cannot be detected; if the agent runs in a sandbox or container, give it access to the host's processes"
    )]
    ProcessListUnavailable(String),
}

/// What the supervisor holds of the activity task.
pub struct ActivityHandle {
    /// Current games and input idle time. `changed()` fires only when the games (or the GPUs
    /// they use) change; input idle time is updated in place without waking receivers.
    pub state: watch::Receiver<ActivityState>,
    /// Send a new config here; it takes effect at the next poll. Invalid patterns are logged and
    /// the previous patterns stay in force, so validate with [`games::GameMatcher::new`] first.
    pub config: watch::Sender<ActivityConfig>,
    /// How input idle time is read on this machine, or why it is not (for `overtime doctor`).
    pub input_idle_source: String,
    /// The task; it ends when `shutdown` is cancelled or every state receiver is dropped.
    pub task: JoinHandle<()>,
}

/// Starts the activity task with this OS's process list, game signals and input idle source.
/// Must be called inside a Tokio runtime. Fails when a pattern is invalid or the process list
/// cannot be read.
pub fn spawn(
    config: ActivityConfig,
    graphics: watch::Receiver<Vec<GpuProcess>>,
    shutdown: CancellationToken,
) -> Result<ActivityHandle, ActivityError> {
    let source = process_list::native_source()
        .map_err(|e| ActivityError::ProcessListUnavailable(e.to_string()))?;
    spawn_with(
        config,
        source,
        input_idle::input_idle_source(),
        game_signals::native_source(),
        graphics,
        shutdown,
    )
}

/// Starts the activity task with the given sources (fakes in tests and demo mode). The state is
/// filled by a first poll before this returns, so receivers never see an empty placeholder.
pub fn spawn_with<S: ProcessSource + 'static>(
    config: ActivityConfig,
    source: S,
    mut idle: Box<dyn InputIdleSource>,
    mut signals: Box<dyn GameSignalSource>,
    mut graphics: watch::Receiver<Vec<GpuProcess>>,
    shutdown: CancellationToken,
) -> Result<ActivityHandle, ActivityError> {
    let mut watcher = GameWatcher::new(source, &config)?;
    watcher.poll(&graphics.borrow_and_update());
    let signal_games = signalled(&watcher, &mut *signals, &config);
    let initial = ActivityState {
        games: all_games(&watcher, &signal_games),
        input_idle: idle.idle(),
    };
    let input_idle_source = idle.describe();
    let poll = poll_period(&config);
    let (state_tx, state) = watch::channel(initial);
    let (config_tx, config_rx) = watch::channel(config.clone());
    let task = tokio::spawn(run(Task {
        watcher,
        signals,
        signal_games,
        current: config,
        idle,
        graphics,
        config: config_rx,
        state: state_tx,
        shutdown,
        poll,
        idle_read_at: None,
        signals_read_at: Instant::now(),
    }));
    Ok(ActivityHandle {
        state,
        config: config_tx,
        input_idle_source,
        task,
    })
}

struct Task<S> {
    watcher: GameWatcher<S>,
    signals: Box<dyn GameSignalSource>,
    /// The games the signals added at the last poll.
    signal_games: Vec<RunningGame>,
    /// The config in force.
    current: ActivityConfig,
    idle: Box<dyn InputIdleSource>,
    graphics: watch::Receiver<Vec<GpuProcess>>,
    config: watch::Receiver<ActivityConfig>,
    state: watch::Sender<ActivityState>,
    shutdown: CancellationToken,
    poll: Duration,
    /// When input idle time was last read (it is read about once per `INPUT_IDLE_PERIOD`).
    idle_read_at: Option<Instant>,
    /// When the game signals were last read (about once per `SIGNAL_PERIOD`).
    signals_read_at: Instant,
}

async fn run<S: ProcessSource>(mut task: Task<S>) {
    let mut process_tick = ticker(task.poll);
    let mut graphics_open = true;
    loop {
        tokio::select! {
            biased;
            () = task.shutdown.cancelled() => break,
            () = task.state.closed() => break,
            changed = task.graphics.changed(), if graphics_open => {
                if changed.is_err() {
                    // The sensor task is gone; keep judging with the last list it sent.
                    graphics_open = false;
                    continue;
                }
                task.poll_games(&mut process_tick);
            }
            _ = process_tick.tick() => {
                task.poll_games(&mut process_tick);
                // Input idle time rides on the process poll instead of a timer of its own: one
                // wakeup fewer per second, which is most of what an idle agent costs.
                if task.idle_read_at.is_none_or(|at| at.elapsed() >= INPUT_IDLE_PERIOD) {
                    task.idle_read_at = Some(Instant::now());
                    let idle = task.idle.idle();
                    task.state.send_if_modified(|state| {
                        state.input_idle = idle;
                        false
                    });
                }
            }
        }
    }
    tracing::debug!("activity watcher stopped");
}

impl<S: ProcessSource> Task<S> {
    fn poll_games(&mut self, process_tick: &mut Interval) {
        let reconfigured = self.config.has_changed().unwrap_or(false);
        let mut changed = self.apply_config(process_tick);
        changed |= self.watcher.poll(&self.graphics.borrow_and_update());
        // A poll that changed the process games or the config looks again too, so a program
        // matched by its process now is not also counted by the signals until their next read.
        // Half a poll of slack: a tick fires a little after its deadline, and reading at the
        // first tick past the period would slip by a whole poll every time.
        let due = self.signals_read_at.elapsed() + self.poll / 2 >= SIGNAL_PERIOD;
        if changed || reconfigured || due {
            self.signals_read_at = Instant::now();
            let signal_games = signalled(&self.watcher, &mut *self.signals, &self.current);
            if signal_games != self.signal_games {
                self.signal_games = signal_games;
                changed = true;
            }
        }
        if changed {
            let games = all_games(&self.watcher, &self.signal_games);
            tracing::info!(
                games = ?games.iter().map(|g| (&g.name, g.pid)).collect::<Vec<_>>(),
                "running games changed"
            );
            self.state.send_modify(|state| state.games = games);
        }
    }

    /// Takes a new config if one was sent; returns whether the games changed because of it.
    fn apply_config(&mut self, process_tick: &mut Interval) -> bool {
        // An error means the handle's sender is gone: no config can come any more.
        if !self.config.has_changed().unwrap_or(false) {
            return false;
        }
        let config = self.config.borrow_and_update().clone();
        let poll = poll_period(&config);
        if poll != self.poll {
            self.poll = poll;
            *process_tick = ticker(poll);
        }
        match self.watcher.set_config(&config) {
            Ok(changed) => {
                self.current = config;
                changed
            }
            Err(e) => {
                tracing::warn!(error = %e, "new activity config rejected; keeping the previous patterns");
                false
            }
        }
    }
}

/// The games the signals add to the process watcher's.
fn signalled<S: ProcessSource>(
    watcher: &GameWatcher<S>,
    signals: &mut dyn GameSignalSource,
    config: &ActivityConfig,
) -> Vec<RunningGame> {
    let seen = game_signals::read(signals, config);
    game_signals::signalled_games(
        &seen,
        watcher.matcher(),
        watcher.own_pids(),
        watcher.running_games(),
    )
}

/// The process watcher's games and the signals' (only ever one kind at a time: the signals are a
/// fallback for when the process watcher sees none).
fn all_games<S: ProcessSource>(
    watcher: &GameWatcher<S>,
    signal_games: &[RunningGame],
) -> Vec<RunningGame> {
    let mut games = watcher.games();
    games.extend_from_slice(signal_games);
    games
}

fn poll_period(config: &ActivityConfig) -> Duration {
    Duration::from_millis(config.poll_ms.clamp(POLL_MS_BOUNDS.0, POLL_MS_BOUNDS.1))
}

/// An interval whose first tick is one period from now (the caller has just polled) and that,
/// after a stall, waits a full period rather than firing a burst.
fn ticker(period: Duration) -> Interval {
    let mut interval = tokio::time::interval_at(Instant::now() + period, period);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    interval
}
