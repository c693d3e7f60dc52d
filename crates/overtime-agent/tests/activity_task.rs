//! The activity task as the supervisor sees it: game starts and stops wake receivers within one
//! poll period, input idle time does not wake them, and the task stops on shutdown. Runs on
//! Tokio's paused clock, so periods are exact and the tests take no real time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use overtime_agent::activity::game_signals::fake::FakeSignals;
use overtime_agent::activity::game_signals::{ForegroundProgram, SteamApp};
use overtime_agent::activity::input_idle::FakeInputIdle;
use overtime_agent::activity::process_list::ProcessNames;
use overtime_agent::activity::process_list::fake::FakeProcessSource;
use overtime_agent::activity::{ActivityError, ActivityHandle, SIGNAL_PERIOD, spawn_with};
use overtime_agent::sensors::GpuProcess;
use overtime_core::activity::{ActivityState, FullScreenState, GameMatch, GameSignal};
use overtime_core::config::ActivityConfig;
use tokio::sync::watch;
use tokio::time::{Instant, timeout};
use tokio_util::sync::CancellationToken;

const POLL: Duration = Duration::from_millis(250);

struct Rig {
    fake: FakeProcessSource,
    idle: FakeInputIdle,
    signals: FakeSignals,
    graphics: watch::Sender<Vec<GpuProcess>>,
    shutdown: CancellationToken,
    handle: ActivityHandle,
}

fn config(games: &[&str], poll: Duration) -> ActivityConfig {
    ActivityConfig {
        games: games.iter().map(|g| g.to_string()).collect(),
        poll_ms: poll.as_millis() as u64,
        ..ActivityConfig::default()
    }
}

fn rig_with(config: ActivityConfig, setup: impl FnOnce(&FakeProcessSource)) -> Rig {
    let fake = FakeProcessSource::new();
    fake.start(1, ProcessNames::new("systemd", None, None));
    setup(&fake);
    let idle = FakeInputIdle::new(Some(Duration::from_secs(1)));
    let signals = FakeSignals::new();
    let (graphics, graphics_rx) = watch::channel(Vec::new());
    let shutdown = CancellationToken::new();
    let handle = spawn_with(
        config,
        fake.clone(),
        Box::new(idle.clone()),
        Box::new(signals.clone()),
        graphics_rx,
        shutdown.clone(),
    )
    .unwrap();
    Rig {
        fake,
        idle,
        signals,
        graphics,
        shutdown,
        handle,
    }
}

fn rig(games: &[&str]) -> Rig {
    rig_with(config(games, POLL), |_| {})
}

fn game_pids(state: &ActivityState) -> Vec<u32> {
    state.games.iter().filter_map(|g| g.pid).collect()
}

/// Waits for the next notification; fails if none comes within `within`.
async fn next_change(state: &mut watch::Receiver<ActivityState>, within: Duration) -> Duration {
    let start = Instant::now();
    // The extra millisecond lets a poll due exactly at `within` run before the timeout fires.
    timeout(within + Duration::from_millis(1), state.changed())
        .await
        .expect("no notification in time")
        .unwrap();
    let took = start.elapsed();
    assert!(
        took <= within,
        "notified after {took:?}, allowed {within:?}"
    );
    took
}

#[tokio::test(start_paused = true)]
async fn a_game_start_is_published_within_one_poll_period() {
    let mut rig = rig(&["eldenring.exe"]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    rig.fake
        .start(4242, ProcessNames::new("eldenring.exe", None, None));
    next_change(&mut rig.handle.state, POLL).await;
    let state = rig.handle.state.borrow_and_update().clone();
    assert_eq!(game_pids(&state), vec![4242]);
    assert_eq!(
        state.games[0].matched_by,
        GameMatch::Pattern {
            pattern: "eldenring.exe".into()
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_game_exit_is_published_within_one_poll_period() {
    let mut rig = rig_with(config(&["eldenring.exe"], POLL), |fake| {
        fake.start(4242, ProcessNames::new("eldenring.exe", None, None));
    });
    assert_eq!(
        game_pids(&rig.handle.state.borrow_and_update()),
        vec![4242],
        "known before spawn returns"
    );
    rig.fake.stop(4242);
    next_change(&mut rig.handle.state, POLL).await;
    assert!(rig.handle.state.borrow().games.is_empty());
}

#[tokio::test(start_paused = true)]
async fn input_idle_changes_are_written_without_waking_receivers() {
    let mut rig = rig(&["eldenring.exe"]);
    assert_eq!(
        rig.handle.state.borrow_and_update().input_idle,
        Some(Duration::from_secs(1))
    );
    rig.idle.set(Some(Duration::from_secs(42)));
    let woke = timeout(Duration::from_secs(5), rig.handle.state.changed()).await;
    assert!(woke.is_err(), "an input idle change woke the receiver");
    assert_eq!(
        rig.handle.state.borrow().input_idle,
        Some(Duration::from_secs(42))
    );
    rig.idle.set(None);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(rig.handle.state.borrow().input_idle, None);
    assert!(!rig.handle.state.has_changed().unwrap());
}

#[tokio::test(start_paused = true)]
async fn a_new_graphics_process_is_judged_at_once_without_waiting_for_a_poll() {
    let slow_poll = Duration::from_secs(5);
    let mut rig = rig_with(config(&[], slow_poll), |fake| {
        fake.start(300, ProcessNames::new("Celeste", None, None));
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    rig.graphics.send_replace(vec![GpuProcess {
        pid: 300,
        gpu_uuid: "GPU-1".into(),
    }]);
    let took = next_change(&mut rig.handle.state, slow_poll).await;
    assert!(took < Duration::from_millis(1), "took {took:?}");
    let state = rig.handle.state.borrow().clone();
    assert_eq!(state.games[0].gpu_uuids, vec!["GPU-1"]);
    assert_eq!(state.games[0].matched_by, GameMatch::GraphicsProcess);
}

#[tokio::test(start_paused = true)]
async fn a_config_change_takes_effect_at_the_next_poll() {
    let mut rig = rig_with(config(&[], POLL), |fake| {
        fake.start(77, ProcessNames::new("Celeste.x86_64", None, None));
    });
    assert!(rig.handle.state.borrow_and_update().games.is_empty());
    rig.handle.config.send_replace(config(&["*.x86_64"], POLL));
    next_change(&mut rig.handle.state, POLL).await;
    assert_eq!(game_pids(&rig.handle.state.borrow()), vec![77]);
}

#[tokio::test(start_paused = true)]
async fn a_shorter_poll_period_applies_from_the_next_poll() {
    let mut rig = rig_with(config(&["eldenring.exe"], Duration::from_secs(2)), |_| {});
    let fast = Duration::from_millis(100);
    rig.handle
        .config
        .send_replace(config(&["eldenring.exe"], fast));
    // The new period starts at the next (old-period) poll.
    tokio::time::sleep(Duration::from_millis(2001)).await;
    rig.fake
        .start(5, ProcessNames::new("eldenring.exe", None, None));
    next_change(&mut rig.handle.state, fast).await;
}

#[tokio::test(start_paused = true)]
async fn a_gone_gpu_sensor_leaves_game_polling_working() {
    let mut rig = rig(&["eldenring.exe"]);
    drop(rig.graphics);
    tokio::time::sleep(Duration::from_millis(600)).await;
    rig.fake
        .start(9, ProcessNames::new("eldenring.exe", None, None));
    next_change(&mut rig.handle.state, POLL).await;
}

#[tokio::test(start_paused = true)]
async fn cancelling_shutdown_stops_the_task() {
    let rig = rig(&[]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = rig.fake.describe_calls();
    rig.shutdown.cancel();
    timeout(Duration::from_millis(10), rig.handle.task)
        .await
        .expect("task did not stop")
        .unwrap();
    rig.fake.start(10, ProcessNames::new("new", None, None));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        rig.fake.describe_calls(),
        before,
        "no polling after shutdown"
    );
}

#[tokio::test(start_paused = true)]
async fn an_invalid_pattern_refuses_to_start() {
    let (_graphics, graphics_rx) = watch::channel(Vec::new());
    let result = spawn_with(
        config(&["[oops"], POLL),
        FakeProcessSource::new(),
        Box::new(FakeInputIdle::new(None)),
        Box::new(FakeSignals::new()),
        graphics_rx,
        CancellationToken::new(),
    );
    assert!(matches!(result, Err(ActivityError::InvalidPattern { .. })));
}

#[tokio::test(start_paused = true)]
async fn a_full_screen_program_is_a_game_within_a_second_and_stops_being_one_when_it_leaves() {
    let mut rig = rig(&["eldenring.exe"]);
    rig.fake
        .start(77, ProcessNames::new("Cyberpunk2077.exe", None, None));
    rig.signals.set_foreground(Some(ForegroundProgram {
        pid: 77,
        names: Some(ProcessNames::new("Cyberpunk2077.exe", None, None)),
    }));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        rig.signals.foreground_asks(),
        0,
        "asked only while full screen"
    );
    rig.signals.set_full_screen(Some(FullScreenState::Direct3d));
    next_change(&mut rig.handle.state, SIGNAL_PERIOD).await;
    let state = rig.handle.state.borrow_and_update().clone();
    assert_eq!(state.games.len(), 1, "{state:?}");
    assert_eq!(state.games[0].name, "Cyberpunk2077.exe");
    assert_eq!(state.games[0].pid, Some(77));
    assert_eq!(state.games[0].matched_by.signal(), GameSignal::FullScreen);
    assert!(state.games[0].gpu_uuids.is_empty(), "every GPU");

    rig.signals.set_full_screen(None);
    next_change(&mut rig.handle.state, SIGNAL_PERIOD).await;
    assert!(rig.handle.state.borrow().games.is_empty());
}

#[tokio::test(start_paused = true)]
async fn steam_s_running_game_is_a_game_within_a_second_until_steam_says_none() {
    let mut rig = rig(&[]);
    rig.signals.set_steam(Some(SteamApp {
        app_id: 1_245_620,
        name: Some("ELDEN RING".into()),
    }));
    next_change(&mut rig.handle.state, SIGNAL_PERIOD).await;
    let state = rig.handle.state.borrow_and_update().clone();
    assert_eq!(state.games.len(), 1, "{state:?}");
    assert_eq!(state.games[0].name, "ELDEN RING");
    assert_eq!(state.games[0].pid, None);
    assert_eq!(
        state.games[0].matched_by,
        GameMatch::SteamRunningApp { app_id: 1_245_620 }
    );
    rig.signals.set_steam(None);
    next_change(&mut rig.handle.state, SIGNAL_PERIOD).await;
    assert!(rig.handle.state.borrow().games.is_empty());
}

#[tokio::test(start_paused = true)]
async fn signals_turned_off_in_the_config_are_not_asked_for() {
    let mut cfg = config(&[], POLL);
    cfg.detect_full_screen = false;
    cfg.detect_steam_game = false;
    let mut rig = rig_with(cfg, |_| {});
    rig.signals.set_full_screen(Some(FullScreenState::Busy));
    rig.signals.set_steam(Some(SteamApp {
        app_id: 570,
        name: None,
    }));
    tokio::time::sleep(SIGNAL_PERIOD * 3).await;
    assert!(!rig.handle.state.has_changed().unwrap());
    assert!(rig.handle.state.borrow().games.is_empty());
    assert_eq!(rig.signals.foreground_asks(), 0);

    // Turned on while running: the next poll sees both, without waiting for the next read.
    let mut on = config(&[], POLL);
    on.detect_full_screen = true;
    on.detect_steam_game = true;
    rig.handle.config.send(on).unwrap();
    next_change(&mut rig.handle.state, POLL).await;
    let names: Vec<String> = rig
        .handle
        .state
        .borrow()
        .games
        .iter()
        .map(|g| g.name.clone())
        .collect();
    assert_eq!(
        names,
        ["QUNS_BUSY", "570"],
        "no window in front: the state names it"
    );
}

#[tokio::test(start_paused = true)]
async fn the_signals_are_read_once_a_second_not_at_every_poll() {
    let rig = rig(&[]);
    let before = rig.signals.full_screen_asks();
    tokio::time::sleep(Duration::from_secs(10) + Duration::from_millis(1)).await;
    let reads = rig.signals.full_screen_asks() - before;
    assert!(
        (9..=11).contains(&reads),
        "{reads} reads in 10 s at a {POLL:?} poll"
    );
}
