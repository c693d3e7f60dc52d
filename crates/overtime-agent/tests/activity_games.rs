//! Which processes count as games, and how cheaply the watcher keeps track of them, against a
//! scripted process table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use overtime_agent::activity::ActivityError;
use overtime_agent::activity::games::{
    GameMatcher, GameWatcher, PatternMatch, YOUNG_PROCESS_RECHECKS,
};
use overtime_agent::activity::process_list::ProcessNames;
use overtime_agent::activity::process_list::fake::FakeProcessSource;
use overtime_agent::sensors::GpuProcess;
use overtime_core::activity::{GameMatch, RunningGame};
use overtime_core::config::ActivityConfig;

fn config(games: &[&str]) -> ActivityConfig {
    ActivityConfig {
        games: games.iter().map(|g| g.to_string()).collect(),
        ..ActivityConfig::default()
    }
}

fn names(comm: &str, exe: Option<&str>, argv0: Option<&str>) -> ProcessNames {
    ProcessNames::new(comm, exe, argv0)
}

fn on_gpu(pid: u32, uuid: &str) -> GpuProcess {
    GpuProcess {
        pid,
        gpu_uuid: uuid.to_owned(),
    }
}

fn watcher(config: &ActivityConfig) -> (FakeProcessSource, GameWatcher<FakeProcessSource>) {
    let fake = FakeProcessSource::new();
    let watcher = GameWatcher::new(fake.clone(), config).unwrap();
    (fake, watcher)
}

fn pids(games: &[RunningGame]) -> Vec<u32> {
    games.iter().filter_map(|g| g.pid).collect()
}

#[test]
fn game_patterns_match_any_name_of_a_process() {
    struct Case {
        why: &'static str,
        patterns: &'static [&'static str],
        names: ProcessNames,
        want: Option<(&'static str, &'static str)>,
    }
    let cases = [
        Case {
            why: "comm is cut to 15 bytes by the kernel; the executable's name is whole",
            patterns: &["overtime-test-game"],
            names: names(
                "overtime-test-g",
                Some("/tmp/t/overtime-test-game"),
                Some("./overtime-test-game"),
            ),
            want: Some(("overtime-test-game", "overtime-test-game")),
        },
        Case {
            why: "a truncated comm with a symlinked executable still matches through argv0",
            patterns: &["overtime-test-game"],
            names: names(
                "overtime-test-g",
                Some("/usr/bin/sleep"),
                Some("/tmp/t/overtime-test-game"),
            ),
            want: Some(("overtime-test-game", "overtime-test-game")),
        },
        Case {
            why: "a Proton game runs from a wine loader; its argv0 is a Windows path",
            patterns: &["eldenring.exe"],
            names: names(
                "wine64-preload",
                Some("/home/u/.steam/proton/bin/wine64-preloader"),
                Some(r"Z:\home\u\Games\ELDEN RING\Game\eldenring.exe"),
            ),
            want: Some(("eldenring.exe", "eldenring.exe")),
        },
        Case {
            why: "matching ignores case",
            patterns: &["eldenring.exe"],
            names: names("EldenRing.EXE", None, Some(r"C:\Games\EldenRing.EXE")),
            want: Some(("EldenRing.EXE", "eldenring.exe")),
        },
        Case {
            why: "a suffix glob catches native Linux game binaries",
            patterns: &["*.x86_64"],
            names: names(
                "Celeste.x86_64",
                Some("/games/Celeste/Celeste.x86_64"),
                None,
            ),
            want: Some(("Celeste.x86_64", "*.x86_64")),
        },
        Case {
            why: "a prefix glob",
            patterns: &["steam_app_*"],
            names: names("steam_app_1245620", None, None),
            want: Some(("steam_app_1245620", "steam_app_*")),
        },
        Case {
            why: "an unrelated process is not a game",
            patterns: &["eldenring.exe", "*.x86_64"],
            names: names(
                "firefox",
                Some("/usr/lib/firefox/firefox"),
                Some("/usr/lib/firefox/firefox"),
            ),
            want: None,
        },
        Case {
            why: "folder names never match, only file names",
            patterns: &["eldenring.exe"],
            names: names(
                "tool",
                Some("/games/eldenring.exe/tool"),
                Some(r"C:\eldenring.exe\tool.exe"),
            ),
            want: None,
        },
        Case {
            why: "the first pattern in the user's order is reported",
            patterns: &["*.exe", "eldenring.exe"],
            names: names("eldenring.exe", None, None),
            want: Some(("eldenring.exe", "*.exe")),
        },
        Case {
            why: "a glob does not match a longer name",
            patterns: &["celeste"],
            names: names("Celeste.x86_64", None, None),
            want: None,
        },
    ];
    for case in cases {
        let matcher = GameMatcher::new(&config(case.patterns)).unwrap();
        let want = case.want.map(|(name, pattern)| PatternMatch {
            name: name.to_owned(),
            pattern: pattern.to_owned(),
        });
        assert_eq!(matcher.game_pattern(&case.names), want, "{}", case.why);
    }
}

#[test]
fn an_invalid_glob_is_rejected_naming_the_pattern() {
    let err = GameMatcher::new(&config(&["eldenring.exe", "[abc"])).unwrap_err();
    assert!(
        matches!(&err, ActivityError::InvalidPattern { list: "games", pattern, .. } if pattern == "[abc"),
        "{err:?}"
    );
    assert!(err.to_string().contains("`[abc`"), "{err}");

    let mut cfg = config(&[]);
    cfg.ignore.push("{kwin".into());
    let err = GameMatcher::new(&cfg).unwrap_err();
    assert!(
        matches!(&err, ActivityError::InvalidPattern { list: "ignore", pattern, .. } if pattern == "{kwin"),
        "{err:?}"
    );
}

#[test]
fn graphics_process_on_gpu_1_is_a_game_on_gpu_1_only() {
    let (fake, mut watcher) = watcher(&config(&[]));
    fake.start(
        500,
        names("Celeste", Some("/games/Celeste"), Some("./Celeste")),
    );
    assert!(watcher.poll(&[on_gpu(500, "GPU-1")]));
    assert_eq!(
        watcher.games(),
        vec![RunningGame {
            name: "Celeste".into(),
            pid: Some(500),
            gpu_uuids: vec!["GPU-1".into()],
            matched_by: GameMatch::GraphicsProcess,
        }]
    );
}

#[test]
fn pattern_games_carry_the_gpus_the_driver_lists_them_on() {
    let (fake, mut watcher) = watcher(&config(&["*.x86_64"]));
    fake.start(10, names("a.x86_64", None, None));
    fake.start(11, names("b.x86_64", None, None));
    let graphics = [
        on_gpu(10, "GPU-0"),
        on_gpu(10, "GPU-1"),
        on_gpu(10, "GPU-1"),
    ];
    watcher.poll(&graphics);
    let games = watcher.games();
    assert_eq!(
        games[0].gpu_uuids,
        vec!["GPU-0", "GPU-1"],
        "listed once per GPU"
    );
    assert!(
        games[1].gpu_uuids.is_empty(),
        "not listed by the driver: unknown GPU"
    );
    assert_eq!(
        games[1].matched_by,
        GameMatch::Pattern {
            pattern: "*.x86_64".into()
        }
    );
}

#[test]
fn ignore_list_only_affects_graphics_process_detection() {
    let mut cfg = config(&["firefox"]);
    cfg.ignore = vec!["firefox*".into(), "gnome-shell".into()];
    let (fake, mut watcher) = watcher(&cfg);
    fake.start(20, names("gnome-shell", Some("/usr/bin/gnome-shell"), None));
    fake.start(21, names("firefox", Some("/usr/lib/firefox/firefox"), None));
    fake.start(
        22,
        names(
            "Game.exe",
            Some("/usr/bin/wine64-preloader"),
            Some(r"Z:\g\Game.exe"),
        ),
    );
    watcher.poll(&[
        on_gpu(20, "GPU-0"),
        on_gpu(21, "GPU-0"),
        on_gpu(22, "GPU-0"),
    ]);
    let games = watcher.games();
    assert_eq!(
        pids(&games),
        vec![21, 22],
        "ignored compositor is not a game"
    );
    assert_eq!(
        games[0].matched_by,
        GameMatch::Pattern {
            pattern: "firefox".into()
        },
        "a pattern wins over the ignore list"
    );
    assert_eq!(games[1].matched_by, GameMatch::GraphicsProcess);
    assert_eq!(
        games[1].name, "Game.exe",
        "a Wine game is shown by its Windows name"
    );
}

#[test]
fn graphics_processes_are_games_only_when_detection_is_on() {
    let mut cfg = config(&[]);
    cfg.detect_graphics_processes = false;
    let (fake, mut watcher) = watcher(&cfg);
    fake.start(30, names("Celeste", None, None));
    assert!(!watcher.poll(&[on_gpu(30, "GPU-0")]));
    assert!(watcher.games().is_empty());
}

#[test]
fn a_game_that_exits_disappears_and_quiet_polls_report_no_change() {
    let (fake, mut watcher) = watcher(&config(&["eldenring.exe"]));
    fake.start(1, names("systemd", None, None));
    assert!(!watcher.poll(&[]), "no game yet");
    fake.start(40, names("eldenring.exe", None, None));
    assert!(watcher.poll(&[]), "game started");
    assert_eq!(pids(&watcher.games()), vec![40]);
    assert!(!watcher.poll(&[]), "nothing changed");
    fake.stop(40);
    assert!(watcher.poll(&[]), "game exited");
    assert!(watcher.games().is_empty());
    assert_eq!(
        watcher.known_process_count(),
        1,
        "exited PIDs are forgotten"
    );
}

#[test]
fn a_graphics_game_that_stops_rendering_is_no_longer_a_game() {
    let (fake, mut watcher) = watcher(&config(&[]));
    fake.start(41, names("Celeste", None, None));
    assert!(watcher.poll(&[on_gpu(41, "GPU-0")]));
    assert!(watcher.poll(&[]));
    assert!(watcher.games().is_empty());
}

#[test]
fn a_pid_that_disappears_and_reappears_is_named_afresh() {
    let (fake, mut watcher) = watcher(&config(&["eldenring.exe"]));
    fake.start(100, names("bash", None, None));
    watcher.poll(&[]);
    fake.stop(100);
    watcher.poll(&[]);
    fake.start(100, names("eldenring.exe", None, None));
    assert!(watcher.poll(&[]));
    assert_eq!(pids(&watcher.games()), vec![100]);
    assert_eq!(fake.describe_calls_for(100), 2);
}

#[test]
fn only_new_pids_are_named_and_settled_ones_never_again() {
    let (fake, mut watcher) = watcher(&config(&["eldenring.exe"]));
    for pid in 1000..1100 {
        fake.start(pid, names("worker", None, None));
    }
    watcher.poll(&[]);
    assert_eq!(
        fake.describe_calls(),
        100,
        "first poll names each process once"
    );

    for _ in 0..200 {
        watcher.poll(&[]);
    }
    let settled = fake.describe_calls();
    assert_eq!(
        settled,
        100 * (1 + YOUNG_PROCESS_RECHECKS),
        "a few rechecks while young, then none"
    );
    for _ in 0..200 {
        watcher.poll(&[]);
    }
    assert_eq!(
        fake.describe_calls(),
        settled,
        "settled processes are never read again"
    );

    fake.start(2000, names("eldenring.exe", None, None));
    assert!(watcher.poll(&[]));
    assert_eq!(
        fake.describe_calls(),
        settled + 1,
        "only the new PID is read"
    );
    assert_eq!(fake.describe_calls_for(2000), 1);
}

#[test]
fn a_process_that_renames_itself_soon_after_start_is_recognised() {
    // Wine starts as its loader and takes the game's name a moment later.
    let (fake, mut watcher) = watcher(&config(&["eldenring.exe"]));
    fake.start(
        50,
        names(
            "wine64-preload",
            Some("/usr/bin/wine64-preloader"),
            Some("wine64-preloader"),
        ),
    );
    assert!(!watcher.poll(&[]));
    fake.start(
        50,
        names(
            "eldenring.exe",
            Some("/usr/bin/wine64-preloader"),
            Some(r"Z:\g\eldenring.exe"),
        ),
    );
    let mut polls = 0;
    while !watcher.poll(&[]) {
        polls += 1;
        assert!(polls < 4, "rename not noticed within 4 polls");
    }
    assert_eq!(
        watcher.games()[0].matched_by,
        GameMatch::Pattern {
            pattern: "eldenring.exe".into()
        }
    );
}

#[test]
fn a_settled_process_is_named_again_when_it_starts_rendering() {
    let (fake, mut watcher) = watcher(&config(&["eldenring.exe"]));
    fake.start(60, names("launcher", None, None));
    for _ in 0..100 {
        watcher.poll(&[]);
    }
    fake.start(60, names("eldenring.exe", None, None));
    assert!(
        !watcher.poll(&[]),
        "a settled process is not read every poll"
    );
    assert!(watcher.poll(&[on_gpu(60, "GPU-0")]));
    assert_eq!(
        watcher.games()[0].matched_by,
        GameMatch::Pattern {
            pattern: "eldenring.exe".into()
        },
        "named afresh, so the pattern (not just the GPU) matched"
    );
}

#[cfg(unix)]
#[test]
fn our_own_process_and_its_parent_are_never_games() {
    let own = std::process::id();
    let parent = std::os::unix::process::parent_id();
    let (fake, mut watcher) = watcher(&config(&["*"]));
    fake.start(own, names("overtime", None, None));
    fake.start(parent, names("overtime-desktop", None, None));
    fake.start(70, names("eldenring.exe", None, None));
    watcher.poll(&[on_gpu(own, "GPU-0"), on_gpu(parent, "GPU-0")]);
    assert_eq!(pids(&watcher.games()), vec![70]);
    assert_eq!(fake.describe_calls_for(own), 0);
}

#[test]
fn new_patterns_rejudge_known_processes_without_reading_them_again() {
    let (fake, mut watcher) = watcher(&config(&[]));
    fake.start(80, names("Celeste.x86_64", None, None));
    for _ in 0..100 {
        watcher.poll(&[]);
    }
    let calls = fake.describe_calls();
    assert!(watcher.set_config(&config(&["*.X86_64"])).unwrap());
    assert_eq!(pids(&watcher.games()), vec![80]);
    assert_eq!(fake.describe_calls(), calls);

    assert!(watcher.set_config(&config(&["["])).is_err());
    assert_eq!(
        pids(&watcher.games()),
        vec![80],
        "a rejected config keeps the old patterns"
    );
    assert!(watcher.set_config(&config(&[])).unwrap());
    assert!(watcher.games().is_empty());
}

#[test]
fn a_failed_listing_keeps_the_last_known_games() {
    let (fake, mut watcher) = watcher(&config(&["eldenring.exe"]));
    fake.start(90, names("eldenring.exe", None, None));
    watcher.poll(&[]);
    fake.fail_listing(true);
    assert!(!watcher.poll(&[]));
    assert_eq!(pids(&watcher.games()), vec![90]);
    fake.fail_listing(false);
    fake.stop(90);
    assert!(watcher.poll(&[]));
    assert!(watcher.games().is_empty());
}

#[test]
fn process_names_keep_file_names_only() {
    let cases: &[(&str, Option<&str>, Option<&str>, ProcessNames)] = &[
        (
            "Game.exe\n",
            Some("/usr/bin/wine64-preloader"),
            Some(r"Z:\games\Game.exe"),
            ProcessNames {
                comm: Some("Game.exe".into()),
                exe: Some("wine64-preloader".into()),
                argv0: Some("Game.exe".into()),
            },
        ),
        (
            "bin.x86_64",
            Some("/opt/game/bin.x86_64 (deleted)"),
            Some("bin.x86_64"),
            ProcessNames {
                comm: Some("bin.x86_64".into()),
                exe: Some("bin.x86_64".into()),
                argv0: Some("bin.x86_64".into()),
            },
        ),
        (
            "kthreadd",
            None,
            Some(""),
            ProcessNames {
                comm: Some("kthreadd".into()),
                exe: None,
                argv0: None,
            },
        ),
    ];
    for (comm, exe, argv0, want) in cases {
        assert_eq!(&ProcessNames::new(comm, *exe, *argv0), want, "{comm}");
    }
}

#[test]
fn polls_skip_the_process_listing_while_nothing_new_was_started() {
    let (table, mut w) = watcher(&config(&["eldenring.exe"]));
    table.track_generation();
    table.start(100, names("bash", None, None));
    table.start(200, names("eldenring.exe", None, None));
    assert!(w.poll(&[]));
    assert_eq!(pids(&w.games()), [200]);
    let listed = table.listings();

    // A quiet PC: many polls, no listing at all.
    for _ in 0..100 {
        assert!(!w.poll(&[]));
    }
    assert_eq!(
        table.listings(),
        listed,
        "no process was started, so nothing was listed"
    );

    // The game exits: noticed on the next poll without a listing.
    table.stop(200);
    assert!(w.poll(&[]));
    assert!(w.games().is_empty());
    assert_eq!(table.listings(), listed);

    // A new process: the next poll lists and names it.
    table.start(300, names("eldenring.exe", None, None));
    assert!(w.poll(&[]));
    assert_eq!(pids(&w.games()), [300]);
    assert_eq!(table.listings(), listed + 1);
}

#[test]
fn a_young_process_that_becomes_a_game_is_caught_without_a_listing() {
    let (table, mut w) = watcher(&config(&["game.exe"]));
    table.track_generation();
    table.start(10, names("wine-preloader", None, None));
    assert!(!w.poll(&[]));
    // Wine renames itself after start; no new PID, so only the young-process second look sees it.
    table.rename_for_test(10, names("game.exe", None, None));
    let mut seen = false;
    for _ in 0..4 {
        seen |= w.poll(&[]);
    }
    assert!(seen);
    assert_eq!(pids(&w.games()), [10]);
}
