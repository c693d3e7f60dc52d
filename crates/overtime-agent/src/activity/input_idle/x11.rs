//! Input idle time on Linux X11 sessions, from the MIT-SCREEN-SAVER extension's
//! `ms_since_user_input`: one round trip to the X server per read, no polling of devices.

use std::time::Duration;

use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::screensaver::{self, ConnectionExt as _};
use x11rb::protocol::xproto::Window;
use x11rb::rust_connection::RustConnection;

use super::{InputIdleSource, Unavailable};

/// Reads idle time from an X server.
pub struct X11IdleSource {
    conn: RustConnection,
    root: Window,
    display: String,
    /// Set after the first failed read so a dead X server is logged once, not every second.
    failing: bool,
}

impl X11IdleSource {
    /// Connects to the display in `DISPLAY`, or explains why input idle time is unavailable:
    /// no `DISPLAY`, a Wayland session (XWayland only sees input to X11 windows, so its idle
    /// time would claim the user is away while they type in a Wayland window), no connection,
    /// or no screensaver extension.
    pub fn from_environment() -> Box<dyn InputIdleSource> {
        let display = std::env::var("DISPLAY").unwrap_or_default();
        let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
            || std::env::var("XDG_SESSION_TYPE").is_ok_and(|v| v.eq_ignore_ascii_case("wayland"));
        let why = if wayland {
            "this is a Wayland session, where idle time is not readable yet; \"pause when user active\" is ignored".to_owned()
        } else if display.is_empty() {
            "no X11 display (DISPLAY is not set, e.g. a headless machine); \"pause when user active\" is ignored".to_owned()
        } else {
            match Self::connect(&display) {
                Ok(source) => return Box::new(source),
                Err(why) => why,
            }
        };
        tracing::info!(%why, "input idle time unavailable");
        Box::new(Unavailable::new(why))
    }

    /// Connects to `display` and checks one idle read works.
    pub fn connect(display: &str) -> Result<Self, String> {
        let (conn, screen) = RustConnection::connect(Some(display)).map_err(|e| {
            format!("cannot connect to X11 display {display} ({e}); \"pause when user active\" is ignored")
        })?;
        let root = conn
            .setup()
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or_else(|| format!("X11 display {display} has no screen {screen}"))?;
        let present = conn
            .extension_information(screensaver::X11_EXTENSION_NAME)
            .map_err(|e| format!("X11 display {display} stopped answering ({e})"))?
            .is_some();
        if !present {
            return Err(format!(
                "X11 display {display} lacks the MIT-SCREEN-SAVER extension needed to read idle time; \"pause when user active\" is ignored"
            ));
        }
        let mut source = X11IdleSource {
            conn,
            root,
            display: display.to_owned(),
            failing: false,
        };
        source
            .query()
            .map_err(|e| format!("X11 display {display} would not report idle time ({e})"))?;
        Ok(source)
    }

    fn query(&mut self) -> Result<Duration, String> {
        let reply = self
            .conn
            .screensaver_query_info(self.root)
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?;
        Ok(Duration::from_millis(u64::from(reply.ms_since_user_input)))
    }
}

impl InputIdleSource for X11IdleSource {
    fn idle(&mut self) -> Option<Duration> {
        match self.query() {
            Ok(idle) => {
                self.failing = false;
                Some(idle)
            }
            Err(e) => {
                if !self.failing {
                    tracing::warn!(display = %self.display, error = %e, "cannot read X11 idle time");
                    self.failing = true;
                }
                None
            }
        }
    }

    fn describe(&self) -> String {
        format!("X11 screensaver extension on display {}", self.display)
    }
}
