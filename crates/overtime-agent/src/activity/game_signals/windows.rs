//! The Windows signals: `SHQueryUserNotificationState` for a full-screen program, the window in
//! front (`GetForegroundWindow`) for which program it is, and the values the Steam client keeps
//! under `HKEY_CURRENT_USER\Software\Valve\Steam`: `RunningAppID` (0 when no game runs),
//! `Apps\<id>\Name`, and `ActiveProcess\pid` (Steam's own PID, 0 once it has exited).
//!
//! Steam's values are written by the Steam client, which publishes no description of them; they
//! are read only, never written, and each may be missing. A `RunningAppID` left behind by a
//! Steam that crashed is recognised by `ActiveProcess\pid` naming no running `steam.exe`;
//! without an `ActiveProcess` key at all, `RunningAppID` is trusted.
#![allow(unsafe_code)]

use overtime_core::activity::FullScreenState;
use windows_sys::Win32::Foundation::HWND;
use windows_sys::Win32::UI::Shell::{
    QUERY_USER_NOTIFICATION_STATE, QUNS_BUSY, QUNS_PRESENTATION_MODE, QUNS_RUNNING_D3D_FULL_SCREEN,
    SHQueryUserNotificationState,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{GetForegroundWindow, GetWindowThreadProcessId};

use super::{ForegroundProgram, GameSignalSource, SteamApp};
use crate::activity::process_list::windows::names_of;
use crate::windows_registry::{Root, read_dword, read_string};

/// Where the Steam client keeps its values for the signed-in user.
pub const STEAM_KEY: &str = r"Software\Valve\Steam";

/// Reads the signals from the shell and the registry.
#[derive(Debug)]
pub struct WindowsSignals {
    steam_key: String,
    /// The last program in front, so one staying in front is named once.
    foreground: Option<ForegroundProgram>,
    /// The last Steam app and its name, so a name is read once per game.
    steam: Option<SteamApp>,
}

impl Default for WindowsSignals {
    fn default() -> Self {
        Self::new()
    }
}

impl WindowsSignals {
    pub fn new() -> Self {
        Self::with_steam_key(STEAM_KEY)
    }

    /// Reads Steam's values under `key` (below `HKEY_CURRENT_USER`) instead; for tests, which
    /// must not touch a real Steam's values.
    pub fn with_steam_key(key: &str) -> Self {
        WindowsSignals {
            steam_key: key.to_owned(),
            foreground: None,
            steam: None,
        }
    }
}

impl GameSignalSource for WindowsSignals {
    fn full_screen(&mut self) -> Option<FullScreenState> {
        query_notification_state().ok().and_then(full_screen_state)
    }

    fn foreground(&mut self) -> Option<ForegroundProgram> {
        // SAFETY: no arguments; a null window means none is in front.
        let window: HWND = unsafe { GetForegroundWindow() };
        if window.is_null() {
            return None;
        }
        let mut pid = 0u32;
        // SAFETY: a window handle (possibly gone by now, which makes the call return 0) and a
        // valid out pointer.
        unsafe { GetWindowThreadProcessId(window, &mut pid) };
        if pid == 0 {
            return None;
        }
        if let Some(known) = &self.foreground
            && known.pid == pid
            && known.names.is_some()
        {
            return Some(known.clone());
        }
        let program = ForegroundProgram {
            pid,
            names: names_of(pid),
        };
        self.foreground = Some(program.clone());
        Some(program)
    }

    fn steam_running_app(&mut self) -> Option<SteamApp> {
        let app_id =
            read_dword(Root::CurrentUser, &self.steam_key, "RunningAppID").filter(|&id| id != 0);
        let Some(app_id) = app_id else {
            self.steam = None;
            return None;
        };
        let steam_pid = read_dword(
            Root::CurrentUser,
            &format!(r"{}\ActiveProcess", self.steam_key),
            "pid",
        );
        if let Some(pid) = steam_pid
            && !is_steam(pid)
        {
            // Steam is not running (its PID is 0, gone, or reused by another program), so its
            // running game is a leftover.
            return None;
        }
        if let Some(known) = &self.steam
            && known.app_id == app_id
        {
            return Some(known.clone());
        }
        let name = read_string(
            Root::CurrentUser,
            &format!(r"{}\Apps\{app_id}", self.steam_key),
            "Name",
        )
        .filter(|n| !n.trim().is_empty());
        let app = SteamApp { app_id, name };
        self.steam = Some(app.clone());
        Some(app)
    }
}

/// Whether `pid` is a running Steam client (`steam.exe`).
fn is_steam(pid: u32) -> bool {
    pid != 0
        && names_of(pid)
            .and_then(|names| names.exe)
            .is_some_and(|exe| exe.eq_ignore_ascii_case("steam.exe"))
}

/// The shell's notification state, a `QUNS_*` value.
fn query_notification_state() -> Result<QUERY_USER_NOTIFICATION_STATE, i32> {
    let mut state: QUERY_USER_NOTIFICATION_STATE = 0;
    // SAFETY: a valid out pointer.
    let hr = unsafe { SHQueryUserNotificationState(&mut state) };
    if hr < 0 { Err(hr) } else { Ok(state) }
}

/// The full-screen states among the shell's notification states.
fn full_screen_state(state: QUERY_USER_NOTIFICATION_STATE) -> Option<FullScreenState> {
    match state {
        QUNS_RUNNING_D3D_FULL_SCREEN => Some(FullScreenState::Direct3d),
        QUNS_BUSY => Some(FullScreenState::Busy),
        QUNS_PRESENTATION_MODE => Some(FullScreenState::PresentationMode),
        // Accepts notifications, quiet time (a new user's first hour), not present (locked,
        // screen saver) and "an app in front" (a Windows Store app, not full screen).
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::activity::process_list::windows::tests::start_sleeper;
    use crate::windows_registry::test_key::TestKey;
    use windows_sys::Win32::UI::Shell::{QUNS_ACCEPTS_NOTIFICATIONS, QUNS_APP, QUNS_NOT_PRESENT};

    #[test]
    fn steam_running_game_is_read_with_its_name_while_steam_runs() {
        // Steam's own values are never touched: a key of the test's own stands in.
        let key = TestKey::new(r"Valve\Steam");
        let mut signals = WindowsSignals::with_steam_key(key.path());
        assert_eq!(signals.steam_running_app(), None, "no Steam key at all");

        key.set_dword("", "RunningAppID", 0);
        assert_eq!(signals.steam_running_app(), None, "Steam runs no game");

        key.set_dword("", "RunningAppID", 1_245_620);
        assert_eq!(
            signals.steam_running_app(),
            Some(SteamApp {
                app_id: 1_245_620,
                name: None
            }),
            "a game without a stored name, and no ActiveProcess key"
        );

        key.set_string(r"Apps\570", "Name", "Dota 2");
        key.set_dword("", "RunningAppID", 570);
        let dir = std::env::temp_dir().join(format!("overtime-steam-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut steam = start_sleeper(&dir, "steam.exe");
        key.set_dword("ActiveProcess", "pid", steam.id());
        assert_eq!(
            signals.steam_running_app(),
            Some(SteamApp {
                app_id: 570,
                name: Some("Dota 2".into())
            })
        );
        key.set_dword("ActiveProcess", "pid", std::process::id());
        assert_eq!(
            signals.steam_running_app(),
            None,
            "the PID of a program that is not Steam"
        );
        steam.kill().unwrap();
        steam.wait().unwrap();
        let _ = std::fs::remove_dir_all(&dir);

        key.set_dword("ActiveProcess", "pid", 0);
        assert_eq!(
            signals.steam_running_app(),
            None,
            "Steam has exited: its RunningAppID is a leftover"
        );
        // Windows PIDs are multiples of four below 2^32; this one is never a process.
        key.set_dword("ActiveProcess", "pid", 0xFFFF_FFF0);
        assert_eq!(
            signals.steam_running_app(),
            None,
            "Steam crashed: ActiveProcess names no running process"
        );
    }

    #[test]
    fn the_shell_answers_with_a_notification_state() {
        let state = query_notification_state().expect("SHQueryUserNotificationState succeeds");
        assert!(
            (QUNS_NOT_PRESENT..=QUNS_APP).contains(&state),
            "a QUERY_USER_NOTIFICATION_STATE value: {state}"
        );
    }

    #[test]
    fn only_the_full_screen_states_count() {
        assert_eq!(
            full_screen_state(QUNS_RUNNING_D3D_FULL_SCREEN),
            Some(FullScreenState::Direct3d)
        );
        assert_eq!(full_screen_state(QUNS_BUSY), Some(FullScreenState::Busy));
        assert_eq!(
            full_screen_state(QUNS_PRESENTATION_MODE),
            Some(FullScreenState::PresentationMode)
        );
        for other in [
            QUNS_NOT_PRESENT,
            QUNS_ACCEPTS_NOTIFICATIONS,
            6,
            QUNS_APP,
            0,
            99,
        ] {
            assert_eq!(full_screen_state(other), None, "{other}");
        }
    }

    #[test]
    fn the_program_in_front_is_named_by_its_image() {
        use windows_sys::Win32::UI::WindowsAndMessaging::{
            CreateWindowExW, DestroyWindow, SW_SHOW, SetForegroundWindow, ShowWindow, WS_POPUP,
            WS_VISIBLE,
        };
        let class = crate::windows_registry::wide("STATIC");
        let title = crate::windows_registry::wide("overtime foreground test");
        // SAFETY: a predefined window class, NUL-terminated strings, no parent, menu or
        // creation data.
        let window = unsafe {
            CreateWindowExW(
                0,
                class.as_ptr(),
                title.as_ptr(),
                WS_POPUP | WS_VISIBLE,
                0,
                0,
                200,
                100,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null(),
            )
        };
        assert!(!window.is_null(), "a test window");
        // SAFETY: the window just created.
        unsafe {
            ShowWindow(window, SW_SHOW);
            SetForegroundWindow(window);
        }
        // SAFETY: no arguments.
        let in_front = unsafe { GetForegroundWindow() } == window;
        let program = WindowsSignals::new().foreground();
        // SAFETY: the window created above, destroyed once.
        unsafe { DestroyWindow(window) };
        if !in_front {
            // Windows lets a background program (a test started from a terminal) bring its
            // window to the front only in some situations; Wine always does.
            eprintln!("the test window could not come to the front; nothing to check");
            return;
        }
        let program = program.expect("a window in front");
        assert_eq!(program.pid, std::process::id());
        let exe = std::env::current_exe().unwrap();
        let ours = exe.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            program.names.and_then(|n| n.exe).as_deref(),
            Some(ours),
            "named by its image file"
        );
    }
}
