//! Input idle time on macOS from CoreGraphics: seconds since the last input event of any kind
//! in the combined session state, the same clock the screensaver uses.
#![allow(unsafe_code)]

use std::time::Duration;

use super::InputIdleSource;

/// `kCGEventSourceStateCombinedSessionState` (CGEventSourceStateID, an int32 enum).
const COMBINED_SESSION_STATE: i32 = 0;
/// `kCGAnyInputEventType` (CGEventType, a uint32 enum: `~0`).
const ANY_INPUT_EVENT_TYPE: u32 = u32::MAX;

#[link(name = "CoreGraphics", kind = "framework")]
unsafe extern "C" {
    /// Returns a CFTimeInterval (double, seconds).
    fn CGEventSourceSecondsSinceLastEventType(state_id: i32, event_type: u32) -> f64;
}

/// Reads the session's seconds since last input.
#[derive(Debug, Clone, Copy, Default)]
pub struct MacIdleSource;

impl InputIdleSource for MacIdleSource {
    fn idle(&mut self) -> Option<Duration> {
        // SAFETY: the function takes two plain integers and returns a double; it has no
        // preconditions and touches no memory of ours.
        let idle_s = unsafe {
            CGEventSourceSecondsSinceLastEventType(COMBINED_SESSION_STATE, ANY_INPUT_EVENT_TYPE)
        };
        Duration::try_from_secs_f64(idle_s).ok()
    }

    fn describe(&self) -> String {
        "macOS CoreGraphics event source (combined session)".to_owned()
    }
}
