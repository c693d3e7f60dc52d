//! "Start on login": on Linux an XDG autostart entry, `$XDG_CONFIG_HOME/autostart/overtime.desktop`,
//! that starts the desktop app with `--background` (to the tray, no window). Whether it is on is
//! read from that file each time, so a change made in the desktop's own session settings shows.
//! Other systems are not supported yet and say so.

use std::ffi::OsString;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::error::AgentError;

/// The argument that starts the app in the tray without opening its window (the shell's
/// start-up must honour it).
pub const BACKGROUND_ARG: &str = "--background";

/// The entry's file name inside `autostart/`.
pub const ENTRY_FILE: &str = "overtime.desktop";

/// Whether this system can start Overtime on login from here.
pub const SUPPORTED: bool = cfg!(target_os = "linux");

/// What the settings screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct AutostartState {
    /// False where this is not implemented yet: the switch is then shown disabled.
    pub supported: bool,
    pub enabled: bool,
}

/// The folder autostart entries live under: `$XDG_CONFIG_HOME` when it is an absolute path,
/// else `$HOME/.config` (the XDG base directory rules). `None` when neither is usable.
pub fn config_home(xdg_config_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let absolute = |v: OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    xdg_config_home
        .and_then(absolute)
        .or_else(|| home.and_then(absolute).map(|h| h.join(".config")))
}

/// [`config_home`] from this process's environment.
pub fn config_home_from_env() -> Result<PathBuf, AgentError> {
    config_home(
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
    )
    .ok_or_else(|| {
        AgentError::Rejected(
            "cannot find your configuration folder: neither XDG_CONFIG_HOME nor HOME is set to \
             an absolute path; set one and try again"
                .to_owned(),
        )
    })
}

/// The executable a login should start: the AppImage itself when running from one (the
/// running binary then lives in a temporary mount), else this binary.
pub fn launcher() -> Result<PathBuf, AgentError> {
    if let Some(appimage) = std::env::var_os("APPIMAGE").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(appimage));
    }
    std::env::current_exe().map_err(|e| {
        AgentError::Rejected(format!(
            "cannot tell where Overtime's program file is ({e}), so it cannot be started on \
             login; start it by hand or add it to your desktop's startup programs"
        ))
    })
}

/// [`state`] for this user: the folder from the environment (not needed where unsupported).
pub fn state_for_user() -> Result<AutostartState, AgentError> {
    if !SUPPORTED {
        return state(Path::new(""));
    }
    state(&config_home_from_env()?)
}

/// [`set`] for this user and this program ([`launcher`]).
pub fn set_for_user(enabled: bool) -> Result<AutostartState, AgentError> {
    if !SUPPORTED {
        return set(Path::new(""), enabled, Path::new(""));
    }
    set(&config_home_from_env()?, enabled, &launcher()?)
}

/// `<config_home>/autostart/overtime.desktop`.
pub fn entry_path(config_home: &Path) -> PathBuf {
    config_home.join("autostart").join(ENTRY_FILE)
}

/// Whether the entry exists and is not switched off (`Hidden=true`, or GNOME's
/// `X-GNOME-Autostart-enabled=false`, which desktops write when the user unticks it).
pub fn state(config_home: &Path) -> Result<AutostartState, AgentError> {
    if !SUPPORTED {
        return Ok(AutostartState {
            supported: false,
            enabled: false,
        });
    }
    let path = entry_path(config_home);
    let enabled = match std::fs::read_to_string(&path) {
        Ok(text) => !text.lines().map(str::trim).any(|line| {
            let flat: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            flat.eq_ignore_ascii_case("Hidden=true")
                || flat.eq_ignore_ascii_case("X-GNOME-Autostart-enabled=false")
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => false,
        Err(e) => return Err(io_error("read", &path, &e)),
    };
    Ok(AutostartState {
        supported: true,
        enabled,
    })
}

/// Turns starting on login on (writing the entry for `exe`) or off (removing it).
pub fn set(config_home: &Path, enabled: bool, exe: &Path) -> Result<AutostartState, AgentError> {
    if !SUPPORTED {
        return Err(AgentError::Rejected(
            "starting Overtime on login is not supported on this system yet; add it to your \
             system's startup programs by hand"
                .to_owned(),
        ));
    }
    let path = entry_path(config_home);
    if enabled {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, &e))?;
        }
        let tmp = path.with_extension("desktop.saving");
        std::fs::write(&tmp, entry(exe)).map_err(|e| io_error("write", &tmp, &e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io_error("write", &path, &e))?;
    } else {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("remove", &path, &e)),
        }
    }
    state(config_home)
}

/// The desktop entry (Desktop Entry Specification 1.5) that starts `exe` in the background.
fn entry(exe: &Path) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Overtime\n\
         Comment=Puts the idle GPU to work; starts in the tray\n\
         Exec={} {BACKGROUND_ARG}\n\
         Icon=overtime\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n",
        exec_quoted(&exe.to_string_lossy())
    )
}

/// One argument of an `Exec` key: in double quotes, with `"`, `` ` ``, `$` and `\` escaped by
/// a backslash, then every backslash doubled (string values are escaped once more), and `%`
/// doubled so it is not read as a field code.
fn exec_quoted(arg: &str) -> String {
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' => {
                quoted.push_str("\\\\");
                quoted.push(c);
            }
            '\\' => quoted.push_str("\\\\\\\\"),
            '%' => quoted.push_str("%%"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

fn io_error(action: &str, path: &Path, e: &std::io::Error) -> AgentError {
    AgentError::Rejected(format!(
        "cannot {action} {}: {e}; check the folder's permissions",
        path.display()
    ))
}

#[cfg(all(test, target_os = "linux"))]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn switching_on_writes_an_entry_that_starts_in_the_tray_and_off_removes_it() {
        let home = tempfile::tempdir().unwrap();
        let exe = Path::new("/opt/overtime/overtime-desktop");
        assert!(!state(home.path()).unwrap().enabled);

        let on = set(home.path(), true, exe).unwrap();
        assert_eq!(
            on,
            AutostartState {
                supported: true,
                enabled: true
            }
        );
        let text = std::fs::read_to_string(home.path().join("autostart/overtime.desktop")).unwrap();
        assert!(text.starts_with("[Desktop Entry]\n"), "{text}");
        assert!(
            text.contains("\nExec=\"/opt/overtime/overtime-desktop\" --background\n"),
            "{text}"
        );
        assert!(text.contains("\nType=Application\n"), "{text}");

        let off = set(home.path(), false, exe).unwrap();
        assert!(!off.enabled);
        assert!(!home.path().join("autostart/overtime.desktop").exists());
        // Off when already off is fine.
        assert!(!set(home.path(), false, exe).unwrap().enabled);
    }

    #[test]
    fn an_entry_switched_off_in_the_session_settings_reads_as_off() {
        let home = tempfile::tempdir().unwrap();
        set(home.path(), true, Path::new("/usr/bin/overtime-desktop")).unwrap();
        let path = entry_path(home.path());
        for off in ["Hidden=true", "X-GNOME-Autostart-enabled = false"] {
            let text = std::fs::read_to_string(&path)
                .unwrap()
                .replace("X-GNOME-Autostart-enabled=true", off);
            std::fs::write(&path, text).unwrap();
            assert!(!state(home.path()).unwrap().enabled, "{off}");
            // Switching on again rewrites it on.
            set(home.path(), true, Path::new("/usr/bin/overtime-desktop")).unwrap();
            assert!(state(home.path()).unwrap().enabled);
        }
    }

    #[test]
    fn awkward_paths_are_quoted_as_the_desktop_entry_spec_asks() {
        let cases = [
            (
                "/home/a b/Overtime.AppImage",
                "\"/home/a b/Overtime.AppImage\"",
            ),
            ("/opt/$x/100%/o\"t", "\"/opt/\\\\$x/100%%/o\\\\\"t\""),
            ("/opt/back\\slash", "\"/opt/back\\\\\\\\slash\""),
        ];
        for (path, want) in cases {
            assert_eq!(exec_quoted(path), want, "{path}");
        }
    }

    #[test]
    fn the_folder_follows_the_xdg_rules() {
        let os = |s: &str| Some(OsString::from(s));
        let cases = [
            (os("/x/cfg"), os("/home/u"), Some("/x/cfg")),
            (os(""), os("/home/u"), Some("/home/u/.config")),
            (os("relative/cfg"), os("/home/u"), Some("/home/u/.config")),
            (None, os("/home/u"), Some("/home/u/.config")),
            (None, None, None),
        ];
        for (xdg, home, want) in cases {
            assert_eq!(
                config_home(xdg.clone(), home.clone()),
                want.map(PathBuf::from),
                "{xdg:?} {home:?}"
            );
        }
    }
}
