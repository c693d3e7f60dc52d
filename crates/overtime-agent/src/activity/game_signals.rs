//! Games seen without matching their process: Windows saying a full-screen program is in front,
//! and Steam saying which game it runs. The activity task asks about once a second
//! ([`super::SIGNAL_PERIOD`]) and [`signalled_games`] turns the answers into games beside the
//! process watcher's.
//!
//! The signals are a fallback for games the process watcher cannot see: while it sees one, they
//! add nothing. Neither knows which GPU a game renders on, so a signalled game idles every GPU,
//! and counting one beside a process game would undo the per-GPU choice for that game (most
//! Windows games are started through Steam).
//!
//! Both are on by default because the costs are lopsided: a game missed stutters, which users
//! do not forgive; a full-screen video or slide show taken for a game pauses work for a while.
//! The ignore list applies to the full-screen program (a browser playing a video full screen
//! is not a game) and to Steam's game, by its name or app id (Steam also runs programs such as
//! Wallpaper Engine); either signal can be turned off in `[activity]`.

pub mod fake;
#[cfg(windows)]
pub mod windows;

use overtime_core::activity::{FullScreenState, GameMatch, RunningGame};
use overtime_core::config::ActivityConfig;

use super::games::GameMatcher;
use super::process_list::ProcessNames;

/// A program whose window is in front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForegroundProgram {
    pub pid: u32,
    /// `None` when it could not be named (it exited, or Windows refused a query).
    pub names: Option<ProcessNames>,
}

/// Steam's running game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SteamApp {
    pub app_id: u32,
    /// The name Steam stored for it, when it did.
    pub name: Option<String>,
}

/// What the OS and Steam said at one poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    /// A full-screen state and the program in front (`None`: no window is in front).
    pub full_screen: Option<(FullScreenState, Option<ForegroundProgram>)>,
    pub steam: Option<SteamApp>,
}

/// Where the signals come from: Windows' shell and registry, or a fake.
pub trait GameSignalSource: Send {
    /// One of the "do not disturb: full screen" states, when one holds.
    fn full_screen(&mut self) -> Option<FullScreenState>;
    /// The program whose window is in front. Asked only while a full-screen state holds.
    fn foreground(&mut self) -> Option<ForegroundProgram>;
    /// Steam's running game, when Steam runs one.
    fn steam_running_app(&mut self) -> Option<SteamApp>;
}

/// Reads both signals, asking only for those the config turns on.
pub fn read(source: &mut dyn GameSignalSource, config: &ActivityConfig) -> Signals {
    let full_screen = if config.detect_full_screen {
        source
            .full_screen()
            .map(|state| (state, source.foreground()))
    } else {
        None
    };
    let steam = if config.detect_steam_game {
        source.steam_running_app()
    } else {
        None
    };
    Signals { full_screen, steam }
}

/// The games the signals add to `process_games` (which the process watcher found): none while
/// it found any. Otherwise the full-screen program counts unless it is ours or on the ignore
/// list, and Steam's game unless its name or app id is on the ignore list.
pub fn signalled_games(
    signals: &Signals,
    matcher: &GameMatcher,
    own_pids: &[u32],
    process_games: &[RunningGame],
) -> Vec<RunningGame> {
    let mut games = Vec::new();
    if !process_games.is_empty() {
        return games;
    }
    if let Some((state, program)) = &signals.full_screen {
        let pid = program.as_ref().map(|p| p.pid);
        let names = program.as_ref().and_then(|p| p.names.as_ref());
        let ours = pid.is_some_and(|pid| own_pids.contains(&pid));
        let ignored = names.is_some_and(|n| matcher.is_ignored(n));
        if !ours && !ignored {
            games.push(RunningGame {
                name: match names {
                    Some(n) => n.display_name().to_owned(),
                    // Without a program to name, the state's own Windows name says what was
                    // seen, the same in every language.
                    None => windows_state_name(*state).to_owned(),
                },
                pid,
                gpu_uuids: Vec::new(),
                matched_by: GameMatch::FullScreen { state: *state },
            });
        }
    }
    if let Some(app) = &signals.steam {
        let id = app.app_id.to_string();
        let names = ProcessNames::new(app.name.as_deref().unwrap_or(&id), Some(&id), None);
        if !matcher.is_ignored(&names) {
            games.push(RunningGame {
                name: app.name.clone().unwrap_or(id),
                pid: None,
                gpu_uuids: Vec::new(),
                matched_by: GameMatch::SteamRunningApp { app_id: app.app_id },
            });
        }
    }
    games
}

/// The `QUERY_USER_NOTIFICATION_STATE` constant for a state.
pub fn windows_state_name(state: FullScreenState) -> &'static str {
    match state {
        FullScreenState::Direct3d => "QUNS_RUNNING_D3D_FULL_SCREEN",
        FullScreenState::Busy => "QUNS_BUSY",
        FullScreenState::PresentationMode => "QUNS_PRESENTATION_MODE",
    }
}

/// A source that never sees anything: platforms without these signals.
#[derive(Debug, Default)]
pub struct NoSignals;

impl GameSignalSource for NoSignals {
    fn full_screen(&mut self) -> Option<FullScreenState> {
        None
    }
    fn foreground(&mut self) -> Option<ForegroundProgram> {
        None
    }
    fn steam_running_app(&mut self) -> Option<SteamApp> {
        None
    }
}

/// This OS's signals: Windows' shell and Steam's registry values on Windows, none elsewhere
/// (Steam's running game on Linux comes with reading its libraries).
pub fn native_source() -> Box<dyn GameSignalSource> {
    #[cfg(windows)]
    {
        Box::new(windows::WindowsSignals::new())
    }
    #[cfg(not(windows))]
    {
        Box::new(NoSignals)
    }
}
