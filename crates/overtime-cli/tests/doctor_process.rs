//! `overtime doctor` as a user runs it on a machine without an NVIDIA driver: it says how games
//! are watched on this OS and, where Vast.ai cannot host (every OS but Linux), that it is
//! refused and what to use instead. No network: the Vast.ai address is a closed local port.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_overtime");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("overtime-doctor-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn doctor(dir: &Path, config: &str) -> Output {
    std::fs::write(dir.join("config.toml"), config).unwrap();
    Command::new(BIN)
        .arg("doctor")
        .env("OVERTIME_CONFIG", dir.join("config.toml"))
        .env("OVERTIME_DATA_DIR", dir.join("data"))
        .env("OVERTIME_STATE_DIR", dir.join("state"))
        // The key comes from the environment, so no keyring is asked.
        .env("OVERTIME_VAST_API_KEY", "k".repeat(64))
        .output()
        .unwrap()
}

const VAST: &str = r#"
[providers]
rental = "vast"
volunteer = "none"
[providers.vast]
machine_id = 4242
api_url = "http://127.0.0.1:9/api/v0"
[api]
enabled = false
"#;

#[test]
fn doctor_says_how_games_are_watched_and_where_vast_cannot_host() {
    let dir = scratch("vast");
    let out = doctor(&dir, VAST);
    let text = String::from_utf8_lossy(&out.stdout);
    let watcher = text
        .lines()
        .find(|l| l.contains("game watcher"))
        .unwrap_or_else(|| panic!("a game watcher line:\n{text}"));
    assert!(watcher.starts_with("[ok  ]"), "{text}");
    if cfg!(windows) {
        assert!(
            watcher.contains("full-screen programs on; Steam's running game on"),
            "{text}"
        );
    } else {
        assert!(!watcher.contains("Steam"), "{text}");
    }

    let refused = text
        .lines()
        .find(|l| l.contains("cannot be used on this system"));
    if cfg!(target_os = "linux") {
        assert!(refused.is_none(), "{text}");
        assert!(
            text.lines().any(|l| l.contains("vast")),
            "the Vast.ai host is asked for its state: {text}"
        );
    } else {
        let line = refused.unwrap_or_else(|| panic!("Vast.ai refused:\n{text}"));
        assert!(line.starts_with("[FAIL]"), "{text}");
        assert!(line.contains("Ubuntu") && line.contains("hooks"), "{text}");
        assert!(!out.status.success(), "a refused provider fails the check");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
