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
