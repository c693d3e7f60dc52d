//! Which games the Windows signals add: nothing while the process watcher sees a game; else a
//! full-screen program unless it is ours or ignored, and Steam's running game by its stored name
//! or app id unless that is ignored. Pure, so
//! the rules are checked here on every platform; the Windows calls have their own tests under
//! Wine (`activity::game_signals::windows`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use overtime_agent::activity::game_signals::{
    ForegroundProgram, Signals, SteamApp, signalled_games,
};
use overtime_agent::activity::games::GameMatcher;
use overtime_agent::activity::process_list::ProcessNames;
use overtime_core::activity::{FullScreenState, GameMatch, RunningGame};
use overtime_core::config::ActivityConfig;

fn matcher() -> GameMatcher {
    GameMatcher::new(&ActivityConfig::default()).unwrap()
}

fn in_front(pid: u32, image: &str) -> Option<ForegroundProgram> {
    Some(ForegroundProgram {
        pid,
        names: Some(ProcessNames::new(
            image,
            Some(&format!(r"C:\Games\{image}")),
            None,
        )),
    })
}

fn full_screen(state: FullScreenState, program: Option<ForegroundProgram>) -> Signals {
    Signals {
        full_screen: Some((state, program)),
        steam: None,
    }
}

#[test]
fn a_full_screen_program_is_a_game_named_by_its_image_on_every_gpu() {
    for state in [
        FullScreenState::Direct3d,
        FullScreenState::Busy,
        FullScreenState::PresentationMode,
    ] {
        let games = signalled_games(
            &full_screen(state, in_front(900, "Cyberpunk2077.exe")),
            &matcher(),
            &[1],
            &[],
        );
        assert_eq!(
            games,
            [RunningGame {
                name: "Cyberpunk2077.exe".into(),
                pid: Some(900),
                gpu_uuids: vec![],
                matched_by: GameMatch::FullScreen { state },
            }]
        );
    }
}

#[test]
fn an_ignored_or_own_full_screen_program_is_not_a_game() {
    let m = matcher();
    for browser in ["firefox.exe", "chrome.exe", "explorer.exe"] {
        let games = signalled_games(
            &full_screen(FullScreenState::Busy, in_front(900, browser)),
            &m,
            &[1],
            &[],
        );
        assert!(games.is_empty(), "{browser} is on the default ignore list");
    }
    let ours = signalled_games(
        &full_screen(FullScreenState::Busy, in_front(1, "overtime-desktop.exe")),
        &m,
        &[1],
        &[],
    );
    assert!(ours.is_empty(), "our own window is never a game");
}

#[test]
fn while_the_process_watcher_sees_a_game_the_signals_add_nothing() {
    // Steam started the game the process watcher found on GPU-1; a Steam game on every GPU
    // beside it would idle GPU-2 too.
    let by_pattern = RunningGame {
        name: "eldenring.exe".into(),
        pid: Some(900),
        gpu_uuids: vec!["GPU-1".into()],
        matched_by: GameMatch::Pattern {
            pattern: "eldenring.exe".into(),
        },
    };
    let both = Signals {
        full_screen: Some((
            FullScreenState::Direct3d,
            in_front(901, "start_protected_game.exe"),
        )),
        steam: Some(SteamApp {
            app_id: 1_245_620,
            name: Some("ELDEN RING".into()),
        }),
    };
    let games = signalled_games(&both, &matcher(), &[1], std::slice::from_ref(&by_pattern));
    assert!(games.is_empty(), "{games:?}");
    assert_eq!(
        signalled_games(&both, &matcher(), &[1], &[]).len(),
        2,
        "alone, both count"
    );
}

#[test]
fn a_steam_program_on_the_ignore_list_by_name_or_app_id_is_not_a_game() {
    let mut config = ActivityConfig::default();
    config.ignore.push("Wallpaper Engine".into());
    config.ignore.push("1172470".into());
    let m = GameMatcher::new(&config).unwrap();
    for (app_id, name) in [(431_960, Some("Wallpaper Engine")), (1_172_470, None)] {
        let steam = Signals {
            full_screen: None,
            steam: Some(SteamApp {
                app_id,
                name: name.map(str::to_owned),
            }),
        };
        assert!(
            signalled_games(&steam, &m, &[1], &[]).is_empty(),
            "{app_id}"
        );
    }
}

#[test]
fn a_full_screen_state_without_a_named_program_still_counts() {
    let unnamed = Some(ForegroundProgram {
        pid: 900,
        names: None,
    });
    let games = signalled_games(
        &full_screen(FullScreenState::Direct3d, unnamed),
        &matcher(),
        &[1],
        &[],
    );
    assert_eq!(games.len(), 1);
    assert_eq!(games[0].name, "QUNS_RUNNING_D3D_FULL_SCREEN");
    assert_eq!(games[0].pid, Some(900));

    let nothing_in_front = signalled_games(
        &full_screen(FullScreenState::PresentationMode, None),
        &matcher(),
        &[1],
        &[],
    );
    assert_eq!(nothing_in_front[0].name, "QUNS_PRESENTATION_MODE");
    assert_eq!(nothing_in_front[0].pid, None);
}

#[test]
fn steam_s_game_is_named_as_steam_stores_it_or_by_its_app_id() {
    let named = Signals {
        full_screen: None,
        steam: Some(SteamApp {
            app_id: 1_245_620,
            name: Some("ELDEN RING".into()),
        }),
    };
    let games = signalled_games(&named, &matcher(), &[1], &[]);
    assert_eq!(
        games,
        [RunningGame {
            name: "ELDEN RING".into(),
            pid: None,
            gpu_uuids: vec![],
            matched_by: GameMatch::SteamRunningApp { app_id: 1_245_620 },
        }]
    );
    let unnamed = Signals {
        full_screen: None,
        steam: Some(SteamApp {
            app_id: 570,
            name: None,
        }),
    };
    assert_eq!(
        signalled_games(&unnamed, &matcher(), &[1], &[])[0].name,
        "570"
    );
}

#[test]
fn both_signals_at_once_give_both_games_full_screen_first() {
    let both = Signals {
        full_screen: Some((FullScreenState::Busy, in_front(900, "Game.exe"))),
        steam: Some(SteamApp {
            app_id: 570,
            name: Some("Dota 2".into()),
        }),
    };
    let names: Vec<String> = signalled_games(&both, &matcher(), &[1], &[])
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, ["Game.exe", "Dota 2"]);
}
