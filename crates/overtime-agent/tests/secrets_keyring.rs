//! The secrets stores against a real Secret Service: each test re-runs itself inside a private
//! D-Bus session with a freshly unlocked gnome-keyring (in a throw-away HOME, so the developer's
//! own keyring is never touched), or with no session bus at all for the headless-box path.
//!
//! Needs `dbus-run-session` (package `dbus`) and `gnome-keyring-daemon` (package
//! `gnome-keyring`); without them these tests fail with an install hint rather than skip.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use overtime_agent::secrets::{
    KeyringStore, LayeredStore, SecretName, SecretSource, SecretStore, SecretsError,
};

/// Set (to the test's name) in the re-executed process: "you are the inside, run the body".
const INSIDE_VAR: &str = "OVERTIME_TEST_SECRETS_INSIDE";
/// The outer process waits this long for the inner one (startup of D-Bus and gnome-keyring
/// included) before killing it and failing.
const INNER_TIMEOUT: Duration = Duration::from_secs(30);
const INSTALL_HINT: &str = "install them with `apt-get install dbus gnome-keyring` \
     (or `OVERTIME_WITH_TEST_DEPS=1 scripts/ensure-deps.sh`)";

/// Where the re-executed test runs.
enum Session {
    /// A private `dbus-run-session` with gnome-keyring's Secret Service, unlocked.
    UnlockedGnomeKeyring,
    /// No session bus: `DBUS_SESSION_BUS_ADDRESS` points at a socket that does not exist.
    BusAddressToNowhere,
    /// No session bus: `DBUS_SESSION_BUS_ADDRESS` unset, no display to autolaunch one.
    NoBusAddress,
    /// A private session bus on which nobody provides `org.freedesktop.secrets` (and no service
    /// directory to activate one from).
    BusWithoutSecretService,
}

/// A session bus configuration with no service directories, so nothing can be activated.
const BARE_BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

/// Runs `body` in the process `session` describes. Called from the test harness (outside), it
/// re-executes this test binary for just `test_name` and asserts that exactly that test passed
/// there; called inside (marked by [`INSIDE_VAR`]), it runs `body`. `extra_env` is added to the
/// inner process's environment.
fn run_in(session: Session, test_name: &str, extra_env: &[(&str, &str)], body: impl FnOnce()) {
    if std::env::var(INSIDE_VAR).as_deref() == Ok(test_name) {
        body();
        return;
    }

    let scratch = Scratch::new();
    let runtime_dir = scratch.dir("run");
    let exe = std::env::current_exe().unwrap();
    let test_args = [test_name, "--exact", "--nocapture", "--test-threads=1"];

    let mut cmd = match session {
        Session::UnlockedGnomeKeyring => {
            let dbus_run_session = require_tool("dbus-run-session", "dbus");
            require_tool("gnome-keyring-daemon", "gnome-keyring");
            let mut cmd = Command::new(dbus_run_session);
            // gnome-keyring creates the login keyring with this password and unlocks it; it
            // registers org.freedesktop.secrets on the private bus before it returns.
            cmd.args([
                "--",
                "sh",
                "-c",
                "printf %s overtime-test | gnome-keyring-daemon --unlock --components=secrets \
                 >/dev/null || { echo 'gnome-keyring-daemon --unlock failed' >&2; exit 97; }; \
                 exec \"$@\"",
                "sh",
            ]);
            cmd.arg(&exe);
            cmd
        }
        Session::BusAddressToNowhere => {
            let mut cmd = Command::new(&exe);
            let nowhere = scratch.path.join("no-such-bus-socket");
            cmd.env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", nowhere.display()),
            );
            cmd
        }
        Session::BusWithoutSecretService => {
            let config = scratch.path.join("bare-session.conf");
            std::fs::write(&config, BARE_BUS_CONFIG).unwrap();
            let mut cmd = Command::new(require_tool("dbus-run-session", "dbus"));
            cmd.arg(format!("--config-file={}", config.display()))
                .arg("--")
                .arg(&exe);
            cmd
        }
        Session::NoBusAddress => {
            let mut cmd = Command::new(&exe);
            cmd.env_remove("DBUS_SESSION_BUS_ADDRESS");
            cmd
        }
    };
    cmd.args(test_args)
        .env(INSIDE_VAR, test_name)
        // A throw-away home: gnome-keyring writes its keyrings under XDG_DATA_HOME and its
        // sockets under XDG_RUNTIME_DIR; none of it may land in the developer's.
        .env("HOME", &scratch.path)
        .env("XDG_DATA_HOME", scratch.dir("data"))
        .env("XDG_CONFIG_HOME", scratch.dir("config"))
        .env("XDG_CACHE_HOME", scratch.dir("cache"))
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("GNOME_KEYRING_CONTROL")
        .env_remove("RUST_TEST_THREADS");
    for &name in SecretName::ALL {
        cmd.env_remove(name.env_var());
    }
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let stdout_path = scratch.path.join("stdout.txt");
    let stderr_path = scratch.path.join("stderr.txt");
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap());

    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > INNER_TIMEOUT {
            child.kill().ok();
            child.wait().ok();
            panic!(
                "`{test_name}` did not finish within {INNER_TIMEOUT:?} inside its session\n{}",
                read_output(&stdout_path, &stderr_path)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = read_output(&stdout_path, &stderr_path);
    assert!(
        status.success(),
        "`{test_name}` failed inside its session ({status})\n{output}"
    );
    // A filter that matched nothing also exits 0: insist the test really ran.
    assert!(
        output.contains("test result: ok. 1 passed"),
        "`{test_name}` did not run inside its session\n{output}"
    );
    // Captured by the harness unless --nocapture: shows what the inner run printed.
    eprintln!(
        "{test_name}: inner run took {:?}\n{output}",
        started.elapsed()
    );
}

fn require_tool(tool: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{tool}` (Debian package `{package}`) is needed to test against a real Secret \
                 Service; {INSTALL_HINT}"
            )
        })
}

fn read_output(stdout: &Path, stderr: &Path) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        std::fs::read_to_string(stdout).unwrap_or_default(),
        std::fs::read_to_string(stderr).unwrap_or_default()
    )
}

/// A per-test temporary directory, removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> Self {
        // Short: a D-Bus socket path inside it must stay under ~100 bytes.
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "ot-sec-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch { path }
    }

    fn dir(&self, name: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.path.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        // XDG_RUNTIME_DIR must be private to the user; the others may as well be.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

// ---------------------------------------------------------------------------------------------

#[test]
fn keyring_stores_overwrites_and_deletes_a_secret() {
    run_in(
        Session::UnlockedGnomeKeyring,
        "keyring_stores_overwrites_and_deletes_a_secret",
        &[],
        || {
            let store = KeyringStore::new();
            let name = SecretName::VastApiKey;
            assert!(
                store.describe().contains("Secret Service"),
                "{}",
                store.describe()
            );

            assert!(store.get(name).unwrap().is_none());
            assert!(!store.is_set(name).unwrap());

            store.set(name, "vast-first-value").unwrap();
            assert_eq!(
                store.get(name).unwrap().unwrap().expose(),
                "vast-first-value"
            );
            assert!(store.is_set(name).unwrap());
            // Another name is a separate entry.
            assert!(!store.is_set(SecretName::BoincRpcPassword).unwrap());
            // A fresh store (a later run of the CLI, the daemon) reads the same entry.
            assert_eq!(
                KeyringStore::new().get(name).unwrap().unwrap().expose(),
                "vast-first-value"
            );

            store.set(name, "vast-second-value").unwrap();
            assert_eq!(
                store.get(name).unwrap().unwrap().expose(),
                "vast-second-value"
            );

            assert!(store.delete(name).unwrap());
            assert!(store.get(name).unwrap().is_none());
            assert!(!store.is_set(name).unwrap());
            assert!(
                !store.delete(name).unwrap(),
                "a second delete finds nothing"
            );
        },
    );
}

#[test]
fn keyring_round_trips_unicode_newlines_and_long_values() {
    run_in(
        Session::UnlockedGnomeKeyring,
        "keyring_round_trips_unicode_newlines_and_long_values",
        &[],
        || {
            let store = KeyringStore::new();
            let name = SecretName::BoincRpcPassword;
            let long = "k".repeat(4096);
            for value in [
                "pässwörd 🔑 密码",
                "line one\nline two\r\n\ttabbed  ",
                " leading and trailing spaces ",
                "quotes ' \" and \\ backslash; $(not a command)",
                long.as_str(),
            ] {
                store.set(name, value).unwrap();
                assert_eq!(store.get(name).unwrap().unwrap().expose(), value);
            }
            assert!(store.delete(name).unwrap());
        },
    );
}

#[test]
fn layered_store_prefers_the_environment_over_the_keyring() {
    run_in(
        Session::UnlockedGnomeKeyring,
        "layered_store_prefers_the_environment_over_the_keyring",
        &[("OVERTIME_BOINC_PASSWORD", "boinc-from-env")],
        || {
            let keyring = KeyringStore::new();
            keyring
                .set(SecretName::BoincRpcPassword, "boinc-from-keyring")
                .unwrap();
            keyring
                .set(SecretName::VastApiKey, "vast-from-keyring")
                .unwrap();

            let layered = LayeredStore::from_env();
            let table = [
                (
                    SecretName::BoincRpcPassword,
                    "boinc-from-env",
                    SecretSource::Env,
                ),
                (
                    SecretName::VastApiKey,
                    "vast-from-keyring",
                    SecretSource::Keyring,
                ),
            ];
            for (name, value, source) in table {
                assert_eq!(layered.get(name).unwrap().unwrap().expose(), value);
                assert_eq!(layered.source(name).unwrap(), Some(source));
            }

            // Writes land in the keyring, under the environment's override.
            layered
                .set(SecretName::BoincRpcPassword, "boinc-rewritten")
                .unwrap();
            assert_eq!(
                keyring
                    .get(SecretName::BoincRpcPassword)
                    .unwrap()
                    .unwrap()
                    .expose(),
                "boinc-rewritten"
            );
            assert_eq!(
                layered
                    .get(SecretName::BoincRpcPassword)
                    .unwrap()
                    .unwrap()
                    .expose(),
                "boinc-from-env"
            );

            assert!(layered.delete(SecretName::VastApiKey).unwrap());
            assert_eq!(layered.source(SecretName::VastApiKey).unwrap(), None);
            assert!(layered.delete(SecretName::BoincRpcPassword).unwrap());
            assert_eq!(
                layered.source(SecretName::BoincRpcPassword).unwrap(),
                Some(SecretSource::Env)
            );
        },
    );
}

/// What a headless box without a keyring sees: an error naming the environment variable to use
/// instead, quickly, without a panic, and with no value in it.
fn assert_no_service_points_to_the_env_var() {
    const DISTINCTIVE: &str = "sk-live-DISTINCTIVE-9731";
    let store = KeyringStore::new();
    let started = Instant::now();
    let errors = [
        store.get(SecretName::VastApiKey).map(|_| ()),
        store.set(SecretName::VastApiKey, DISTINCTIVE),
        store.delete(SecretName::VastApiKey).map(|_| ()),
        store.is_set(SecretName::VastApiKey).map(|_| ()),
    ];
    for result in errors {
        let err = result.unwrap_err();
        assert!(matches!(err, SecretsError::NoService { .. }), "{err:?}");
        let shown = format!("{err} / {err:?}");
        assert!(shown.contains("OVERTIME_VAST_API_KEY"), "{shown}");
        assert!(shown.contains("no keyring service is running"), "{shown}");
        assert!(!shown.contains(DISTINCTIVE), "{shown}");
        eprintln!("{err}");
    }
    let boinc = store.get(SecretName::BoincRpcPassword).unwrap_err();
    assert!(
        boinc.to_string().contains("OVERTIME_BOINC_PASSWORD"),
        "{boinc}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?} to find there is no keyring",
        started.elapsed()
    );

    // The documented way out works with the keyring still missing.
    let layered = LayeredStore::from_env();
    assert_eq!(
        layered
            .get(SecretName::VastApiKey)
            .unwrap()
            .unwrap()
            .expose(),
        "vast-from-env"
    );
    assert_eq!(
        layered.source(SecretName::VastApiKey).unwrap(),
        Some(SecretSource::Env)
    );
}

#[test]
fn without_a_session_bus_the_error_names_the_environment_variable() {
    run_in(
        Session::BusAddressToNowhere,
        "without_a_session_bus_the_error_names_the_environment_variable",
        &[("OVERTIME_VAST_API_KEY", "vast-from-env")],
        assert_no_service_points_to_the_env_var,
    );
}

#[test]
fn without_any_bus_address_the_error_names_the_environment_variable() {
    run_in(
        Session::NoBusAddress,
        "without_any_bus_address_the_error_names_the_environment_variable",
        &[("OVERTIME_VAST_API_KEY", "vast-from-env")],
        assert_no_service_points_to_the_env_var,
    );
}

#[test]
fn a_bus_without_a_secret_service_gives_the_same_advice() {
    run_in(
        Session::BusWithoutSecretService,
        "a_bus_without_a_secret_service_gives_the_same_advice",
        &[("OVERTIME_VAST_API_KEY", "vast-from-env")],
        assert_no_service_points_to_the_env_var,
    );
}

#[test]
fn a_locked_keyring_says_to_unlock_it() {
    run_in(
        Session::UnlockedGnomeKeyring,
        "a_locked_keyring_says_to_unlock_it",
        &[],
        || {
            const DISTINCTIVE: &str = "boinc-DISTINCTIVE-5512";
            let store = KeyringStore::new();
            store
                .set(SecretName::BoincRpcPassword, DISTINCTIVE)
                .unwrap();

            // Lock the default collection the way a screen locker or a timeout would.
            let lock = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.secrets",
                    "/org/freedesktop/secrets",
                    "org.freedesktop.Secret.Service.Lock",
                    "array:objpath:/org/freedesktop/secrets/collection/login",
                ])
                .output()
                .unwrap();
            assert!(lock.status.success(), "{lock:?}");

            let started = Instant::now();
            let err = store.get(SecretName::BoincRpcPassword).unwrap_err();
            let shown = format!("{err} / {err:?}");
            eprintln!("{err}");
            assert!(matches!(err, SecretsError::Locked { .. }), "{shown}");
            assert!(shown.contains("Unlock it"), "{shown}");
            assert!(shown.contains("OVERTIME_BOINC_PASSWORD"), "{shown}");
            assert!(!shown.contains(DISTINCTIVE), "{shown}");
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "took {:?}",
                started.elapsed()
            );
        },
    );
}
