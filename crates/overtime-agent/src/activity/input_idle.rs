//! How long since the user last touched keyboard or mouse, per platform: X11's screensaver
//! extension, Windows' `GetLastInputInfo`, macOS' CoreGraphics event source. Where none works
//! (Wayland, a headless box) the source says why and reports `None`, which the policy ignores.

#[cfg(target_os = "macos")]
pub mod macos;
#[cfg(windows)]
pub mod windows;
#[cfg(target_os = "linux")]
pub mod x11;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// A way to read the time since the last user input.
pub trait InputIdleSource: Send {
    /// Time since the last keyboard or mouse input; `None` when it cannot be told right now.
    /// Called about once a second from the activity task, so it must answer in well under a
    /// millisecond (a local round trip at most).
    fn idle(&mut self) -> Option<Duration>;

    /// One line for the user saying what is read, or why nothing is (shown by `overtime doctor`).
    fn describe(&self) -> String;
}

/// The platform's source. Never fails: without a usable backend it returns [`Unavailable`]
/// whose description says why.
pub fn input_idle_source() -> Box<dyn InputIdleSource> {
    #[cfg(target_os = "linux")]
    {
        x11::X11IdleSource::from_environment()
    }
    #[cfg(windows)]
    {
        Box::new(windows::WindowsIdleSource)
    }
    #[cfg(target_os = "macos")]
    {
        Box::new(macos::MacIdleSource)
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        Box::new(Unavailable::new(
            "input idle time is not supported on this OS; \"pause when user active\" is ignored",
        ))
    }
}

/// No input idle time on this machine; always `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    why: String,
}

impl Unavailable {
    /// `why` is shown to the user as is: say what is missing and what it means.
    pub fn new(why: impl Into<String>) -> Self {
        Unavailable { why: why.into() }
    }
}

impl InputIdleSource for Unavailable {
    fn idle(&mut self) -> Option<Duration> {
        None
    }

    fn describe(&self) -> String {
        format!("input idle time unavailable: {}", self.why)
    }
}

/// A scripted idle time for tests and demo mode. Clones share the value, so a test keeps one
/// to change what the activity task reads.
#[derive(Debug, Clone, Default)]
pub struct FakeInputIdle {
    idle: Arc<Mutex<Option<Duration>>>,
}

impl FakeInputIdle {
    pub fn new(idle: Option<Duration>) -> Self {
        FakeInputIdle {
            idle: Arc::new(Mutex::new(idle)),
        }
    }

    /// What the next `idle()` returns.
    pub fn set(&self, idle: Option<Duration>) {
        *self.idle.lock().unwrap_or_else(PoisonError::into_inner) = idle;
    }
}

impl InputIdleSource for FakeInputIdle {
    fn idle(&mut self) -> Option<Duration> {
        *self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn describe(&self) -> String {
        "scripted input idle time (test/demo)".to_owned()
    }
}
