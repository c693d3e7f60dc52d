//! What the user is doing, as the activity watchers report it: games running and input idle time.
//!
//! A game is seen by its process (a pattern or the GPU driver) or, on Windows, by what the
//! system and Steam report: a full-screen program in front, or Steam's running game.

use serde::{Deserialize, Serialize};

/// A process the game watcher counts as a game.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RunningGame {
    /// Executable name as matched (e.g. `eldenring.exe`), or the name Steam gives its game.
    pub name: String,
    /// `None` when the signal names no process (Steam's running game).
    pub pid: Option<u32>,
    /// UUIDs of the GPUs the game renders on, when the driver says so. Empty means "unknown",
    /// and the policy then idles every GPU.
    pub gpu_uuids: Vec<String>,
    /// Why it counts: a configured pattern or "graphics process on the GPU".
    pub matched_by: GameMatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum GameMatch {
    /// Matched one of the user's patterns (the pattern is carried).
    Pattern { pattern: String },
    /// The GPU driver lists it as a graphics process and it is not on the ignore list.
    GraphicsProcess,
    /// Windows says a full-screen program is in front, in this state; the program is the
    /// foreground window's.
    FullScreen { state: FullScreenState },
    /// Steam reports this app id as its running game.
    SteamRunningApp { app_id: u32 },
}

impl GameMatch {
    /// Which kind of watcher saw the game, as the reason sentence names it.
    pub fn signal(&self) -> GameSignal {
        match self {
            GameMatch::Pattern { .. } | GameMatch::GraphicsProcess => GameSignal::Process,
            GameMatch::FullScreen { .. } => GameSignal::FullScreen,
            GameMatch::SteamRunningApp { .. } => GameSignal::Steam,
        }
    }
}

/// The states of Windows' `SHQueryUserNotificationState` that mean "do not disturb: something
/// runs full screen". The others (accepts notifications, quiet time, locked) are not games.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FullScreenState {
    /// `QUNS_RUNNING_D3D_FULL_SCREEN`: an exclusive-mode Direct3D program.
    Direct3d,
    /// `QUNS_BUSY`: a full-screen program (borderless games among them).
    Busy,
    /// `QUNS_PRESENTATION_MODE`: the user turned on presentation settings.
    PresentationMode,
}

/// How a game was seen, for the reason sentence ("full-screen program running: …").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GameSignal {
    /// Its process: a game pattern or the GPU driver's graphics processes.
    #[default]
    Process,
    /// Windows reports a full-screen program in front.
    FullScreen,
    /// Steam reports it as its running game.
    Steam,
}

/// Everything the activity watchers know at one instant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivityState {
    pub games: Vec<RunningGame>,
    /// Time since the last keyboard/mouse input. `None` when the platform cannot tell (Wayland
    /// without a portal, a headless box): the policy then ignores input activity.
    pub input_idle: Option<std::time::Duration>,
}

impl ActivityState {
    /// Games that use the GPU with this UUID (games with unknown GPUs use every GPU).
    pub fn games_on<'a>(&'a self, uuid: &'a str) -> impl Iterator<Item = &'a RunningGame> + 'a {
        self.games
            .iter()
            .filter(move |g| g.gpu_uuids.is_empty() || g.gpu_uuids.iter().any(|u| u == uuid))
    }
}
