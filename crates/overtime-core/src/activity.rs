//! What the user is doing, as the activity watchers report it: games running and input idle time.

use serde::{Deserialize, Serialize};

/// A process the game watcher counts as a game.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RunningGame {
    /// Executable name as matched (e.g. `eldenring.exe`).
    pub name: String,
    pub pid: u32,
    /// UUIDs of the GPUs the game renders on, when the driver says so. Empty means "unknown",
    /// and the policy then idles every GPU.
    pub gpu_uuids: Vec<String>,
    /// Why it counts: a configured pattern or "graphics process on the GPU".
    pub matched_by: GameMatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "pattern")]
pub enum GameMatch {
    /// Matched one of the user's patterns (the pattern is carried).
    Pattern(String),
    /// The GPU driver lists it as a graphics process and it is not on the ignore list.
    GraphicsProcess,
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
