//! The Linux `/proc` process source against a hand-built procfs tree and against the real one:
//! a real child process named like a game is seen within 500 ms and forgotten once killed.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use overtime_agent::activity::process_list::linux::LinuxProcSource;
use overtime_agent::activity::process_list::{ProcessNames, ProcessSource};
use overtime_core::activity::ActivityState;
use overtime_core::config::ActivityConfig;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// A fresh, empty folder under the system temp dir, unique to this test process.
fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("overtime-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn fake_process(root: &Path, pid: u32, comm: &str, exe: Option<&str>, cmdline: &[u8]) {
    let dir = root.join(pid.to_string());
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("comm"), format!("{comm}\n")).unwrap();
    fs::write(dir.join("cmdline"), cmdline).unwrap();
    if let Some(exe) = exe {
        symlink(exe, dir.join("exe")).unwrap();
    }
}

#[test]
fn a_procfs_tree_is_listed_and_named() {
    let root = scratch_dir("fake-proc");
    fake_process(
        &root,
        1,
        "systemd",
        Some("/usr/lib/systemd/systemd"),
        b"/sbin/init\0splash\0",
    );
    fake_process(&root, 2, "kthreadd", None, b"");
    fake_process(
        &root,
        4242,
        "GameThatHasALon",
        Some("/home/u/.steam/proton/bin/wine64-preloader"),
        b"Z:\\home\\u\\Games\\GameThatHasALongName.exe\0--fullscreen\0",
    );
    fake_process(
        &root,
        77,
        "bin.x86_64",
        Some("/opt/game/bin.x86_64 (deleted)"),
        b"./bin.x86_64\0",
    );
    fs::write(root.join("cpuinfo"), "model name: x").unwrap();
    fs::create_dir(root.join("sys")).unwrap();
    symlink("4242", root.join("self")).unwrap();

    let mut source = LinuxProcSource::with_root(&root).unwrap();
    let mut pids = Vec::new();
    source.pids(&mut pids).unwrap();
    pids.sort_unstable();
    assert_eq!(pids, vec![1, 2, 77, 4242]);

    let cases: &[(u32, Option<ProcessNames>)] = &[
        (
            4242,
            Some(ProcessNames {
                comm: Some("GameThatHasALon".into()),
                exe: Some("wine64-preloader".into()),
                argv0: Some("GameThatHasALongName.exe".into()),
            }),
        ),
        (
            1,
            Some(ProcessNames {
                comm: Some("systemd".into()),
                exe: Some("systemd".into()),
                argv0: Some("init".into()),
            }),
        ),
        (
            2,
            Some(ProcessNames {
                comm: Some("kthreadd".into()),
                exe: None,
                argv0: None,
            }),
        ),
        (
            77,
            Some(ProcessNames {
                comm: Some("bin.x86_64".into()),
                exe: Some("bin.x86_64".into()),
                argv0: Some("bin.x86_64".into()),
            }),
        ),
        (9999, None),
    ];
    for (pid, want) in cases {
        assert_eq!(&source.describe(*pid), want, "pid {pid}");
    }
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_missing_procfs_is_an_error() {
    assert!(LinuxProcSource::with_root("/nonexistent/overtime/proc").is_err());
}

#[test]
fn our_own_process_is_named_from_the_real_proc() {
    let mut source = LinuxProcSource::new().unwrap();
    let mut pids = Vec::new();
    source.pids(&mut pids).unwrap();
    let own = std::process::id();
    assert!(pids.contains(&own));
    let names = source.describe(own).unwrap();
    let exe = std::env::current_exe().unwrap();
    let exe_name = exe.file_name().unwrap().to_str().unwrap();
    assert_eq!(names.exe.as_deref(), Some(exe_name));
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_until(
    state: &mut watch::Receiver<ActivityState>,
    within: Duration,
    what: &str,
    done: impl Fn(&ActivityState) -> bool,
) -> Duration {
    let start = Instant::now();
    tokio::time::timeout(within, state.wait_for(|s| done(s)))
        .await
        .unwrap_or_else(|_| panic!("{what} not seen within {within:?}"))
        .unwrap();
    start.elapsed()
}

/// Both ways a game binary shows up: a copy (its exe is named like the game) and a symlink to
/// `sleep` (exe reads `sleep`; comm is cut to `overtime-test-g`; only argv0 is whole). One test,
/// run in sequence: exec'ing a freshly written file while another test thread forks can fail
/// with "text file busy".
#[tokio::test]
async fn a_real_game_process_is_seen_within_500ms_and_forgotten_when_killed() {
    let dir = scratch_dir("game-bin");
    let sleep = ["/bin/sleep", "/usr/bin/sleep"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
        .expect("no sleep binary");
    let copied = dir.join("copy").join("overtime-test-game");
    fs::create_dir(copied.parent().unwrap()).unwrap();
    fs::copy(sleep, &copied).unwrap();
    let linked = dir.join("link").join("overtime-test-game");
    fs::create_dir(linked.parent().unwrap()).unwrap();
    symlink(sleep, &linked).unwrap();

    let config = ActivityConfig {
        games: vec!["overtime-test-game".into()],
        ..ActivityConfig::default()
    };
    let (_graphics, graphics_rx) = watch::channel(Vec::new());
    let shutdown = CancellationToken::new();
    let mut handle =
        overtime_agent::activity::spawn(config, graphics_rx, shutdown.clone()).unwrap();

    for binary in [&copied, &linked] {
        let child = KillOnDrop(Command::new(binary).arg("30").spawn().unwrap());
        let pid = child.0.id();
        let took = wait_until(
            &mut handle.state,
            Duration::from_millis(500),
            "game start",
            |s| s.games.iter().any(|g| g.pid == Some(pid)),
        )
        .await;
        let game = handle
            .state
            .borrow()
            .games
            .iter()
            .find(|g| g.pid == Some(pid))
            .cloned()
            .unwrap();
        assert_eq!(game.name, "overtime-test-game", "{}", binary.display());
        eprintln!("{}: seen after {took:?}", binary.display());

        drop(child);
        wait_until(
            &mut handle.state,
            Duration::from_millis(500),
            "game exit",
            |s| !s.games.iter().any(|g| g.pid == Some(pid)),
        )
        .await;
    }

    shutdown.cancel();
    handle.task.await.unwrap();
    fs::remove_dir_all(&dir).unwrap();
}
