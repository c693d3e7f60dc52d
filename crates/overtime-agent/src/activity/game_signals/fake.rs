//! Scripted signals for tests. Clones share one state, so a test keeps a clone to put a
//! program full screen or start a Steam game while the watcher owns another.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use overtime_core::activity::FullScreenState;

use super::{ForegroundProgram, GameSignalSource, SteamApp};

#[derive(Debug, Clone, Default)]
pub struct FakeSignals {
    shared: Arc<Mutex<FakeState>>,
}

#[derive(Debug, Default)]
struct FakeState {
    full_screen: Option<FullScreenState>,
    foreground: Option<ForegroundProgram>,
    steam: Option<SteamApp>,
    foreground_asks: u64,
    full_screen_asks: u64,
}

impl FakeSignals {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, FakeState> {
        // A test that panicked while holding the lock has already failed; keep it usable.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_full_screen(&self, state: Option<FullScreenState>) {
        self.state().full_screen = state;
    }

    pub fn set_foreground(&self, program: Option<ForegroundProgram>) {
        self.state().foreground = program;
    }

    pub fn set_steam(&self, app: Option<SteamApp>) {
        self.state().steam = app;
    }

    /// How often the watcher asked whether a program runs full screen: once per read.
    pub fn full_screen_asks(&self) -> u64 {
        self.state().full_screen_asks
    }

    /// How often the watcher asked for the foreground program.
    pub fn foreground_asks(&self) -> u64 {
        self.state().foreground_asks
    }
}

impl GameSignalSource for FakeSignals {
    fn full_screen(&mut self) -> Option<FullScreenState> {
        let mut state = self.state();
        state.full_screen_asks += 1;
        state.full_screen
    }

    fn foreground(&mut self) -> Option<ForegroundProgram> {
        let mut state = self.state();
        state.foreground_asks += 1;
        state.foreground.clone()
    }

    fn steam_running_app(&mut self) -> Option<SteamApp> {
        self.state().steam.clone()
    }
}
