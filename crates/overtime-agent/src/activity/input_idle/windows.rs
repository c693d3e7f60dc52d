//! Input idle time on Windows from `GetLastInputInfo`: the tick of the last input in this
//! session, compared with `GetTickCount`. Both are 32-bit millisecond ticks that wrap every
//! 49.7 days, so the difference is taken with wrapping arithmetic.
#![allow(unsafe_code)]

use std::time::Duration;

use windows_sys::Win32::System::SystemInformation::GetTickCount;
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{GetLastInputInfo, LASTINPUTINFO};

use super::InputIdleSource;

/// Reads the session's last input time. A headless service in session 0 sees no input there.
#[derive(Debug, Clone, Copy, Default)]
pub struct WindowsIdleSource;

impl InputIdleSource for WindowsIdleSource {
    fn idle(&mut self) -> Option<Duration> {
        let mut info = LASTINPUTINFO {
            cbSize: std::mem::size_of::<LASTINPUTINFO>() as u32,
            dwTime: 0,
        };
        // SAFETY: `info` is a valid, writable LASTINPUTINFO whose cbSize is set, as the API
        // requires; it outlives the call.
        let ok = unsafe { GetLastInputInfo(&mut info) };
        if ok == 0 {
            return None;
        }
        // SAFETY: GetTickCount takes no arguments and cannot fail.
        let now_ms = unsafe { GetTickCount() };
        Some(Duration::from_millis(u64::from(
            now_ms.wrapping_sub(info.dwTime),
        )))
    }

    fn describe(&self) -> String {
        "Windows GetLastInputInfo (this login session)".to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
        INPUT, INPUT_0, INPUT_MOUSE, MOUSEEVENTF_MOVE, MOUSEINPUT, SendInput,
    };

    /// Moves the mouse by one pixel, as a user would.
    fn nudge_the_mouse() {
        let input = INPUT {
            r#type: INPUT_MOUSE,
            Anonymous: INPUT_0 {
                mi: MOUSEINPUT {
                    dx: 1,
                    dy: 0,
                    mouseData: 0,
                    dwFlags: MOUSEEVENTF_MOVE,
                    time: 0,
                    dwExtraInfo: 0,
                },
            },
        };
        // SAFETY: one valid INPUT of the size passed.
        let sent = unsafe { SendInput(1, &input, size_of::<INPUT>() as i32) };
        assert_eq!(sent, 1, "the input was taken");
    }

    /// On a desktop someone uses, moving the mouse during the pause fails this test: run it
    /// hands off (CI runs it under Wine on an Xvfb display nobody touches).
    #[test]
    fn idle_time_grows_while_nobody_touches_the_pc_and_restarts_at_input() {
        let mut source = WindowsIdleSource;
        nudge_the_mouse();
        let just_after = source.idle().expect("a session with input");
        assert!(just_after < Duration::from_millis(500), "{just_after:?}");
        std::thread::sleep(Duration::from_millis(1200));
        let later = source.idle().expect("a session with input");
        assert!(later >= Duration::from_millis(1000), "{later:?}");
        nudge_the_mouse();
        let again = source.idle().expect("a session with input");
        assert!(again < Duration::from_millis(500), "{again:?}");
    }
}
