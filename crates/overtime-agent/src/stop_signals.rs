//! The operating system asking Overtime to stop: SIGTERM and SIGINT on Unix; Ctrl-C, Ctrl-Break,
//! the console closing, log-off and shutdown on Windows. Each one is a quit like the tray's, so
//! providers are handed back before the process ends.

/// Listens for every stop request the platform has; one that cannot be installed is simply
/// never heard (the tray and the window can still quit).
pub struct StopSignals(sys::StopSignals);

impl StopSignals {
    /// Installs the listeners. Call it once, early, from inside the runtime.
    pub fn install() -> StopSignals {
        StopSignals(sys::StopSignals::install())
    }

    /// Waits for the next stop request.
    pub async fn recv(&mut self) {
        self.0.recv().await
    }
}

/// Waits for `signal` when it was installed, else forever.
async fn either<F: std::future::Future>(signal: Option<F>) {
    match signal {
        Some(f) => {
            f.await;
        }
        None => std::future::pending::<()>().await,
    }
}

#[cfg(unix)]
use unix as sys;

#[cfg(unix)]
mod unix {
    use tokio::signal::unix::{Signal, SignalKind, signal};

    pub struct StopSignals {
        term: Option<Signal>,
        int: Option<Signal>,
    }

    impl StopSignals {
        pub fn install() -> StopSignals {
            StopSignals {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }

        pub async fn recv(&mut self) {
            tokio::select! {
                () = super::either(self.term.as_mut().map(Signal::recv)) => {}
                () = super::either(self.int.as_mut().map(Signal::recv)) => {}
            }
        }
    }
}

#[cfg(windows)]
use windows as sys;

#[cfg(windows)]
mod windows {
    use tokio::signal::windows::{
        CtrlBreak, CtrlC, CtrlClose, CtrlLogoff, CtrlShutdown, ctrl_break, ctrl_c, ctrl_close,
        ctrl_logoff, ctrl_shutdown,
    };

    /// After close, log-off or shutdown Windows gives a process a few seconds (tokio holds the
    /// handler open meanwhile), enough for the agent to hand providers back. Log-off and
    /// shutdown reach only services and console programs that load no GUI library; any other
    /// program ends with the session, so for it those two are never heard.
    pub struct StopSignals {
        c: Option<CtrlC>,
        brk: Option<CtrlBreak>,
        close: Option<CtrlClose>,
        logoff: Option<CtrlLogoff>,
        shutdown: Option<CtrlShutdown>,
    }

    impl StopSignals {
        pub fn install() -> StopSignals {
            StopSignals {
                c: ctrl_c().ok(),
                brk: ctrl_break().ok(),
                close: ctrl_close().ok(),
                logoff: ctrl_logoff().ok(),
                shutdown: ctrl_shutdown().ok(),
            }
        }

        pub async fn recv(&mut self) {
            tokio::select! {
                () = super::either(self.c.as_mut().map(CtrlC::recv)) => {}
                () = super::either(self.brk.as_mut().map(CtrlBreak::recv)) => {}
                () = super::either(self.close.as_mut().map(CtrlClose::recv)) => {}
                () = super::either(self.logoff.as_mut().map(CtrlLogoff::recv)) => {}
                () = super::either(self.shutdown.as_mut().map(CtrlShutdown::recv)) => {}
            }
        }
    }
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn send_to_self(signal: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(std::process::id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[tokio::test]
    async fn sigterm_and_sigint_are_heard_as_stop_requests_and_nothing_else_is() {
        let mut signals = StopSignals::install();
        let quiet = tokio::time::timeout(Duration::from_millis(50), signals.recv()).await;
        assert!(quiet.is_err(), "no stop request was made yet");
        for signal in ["TERM", "INT"] {
            send_to_self(signal);
            tokio::time::timeout(Duration::from_secs(5), signals.recv())
                .await
                .unwrap_or_else(|_| panic!("SIG{signal} is heard"));
        }
    }
}

#[cfg(all(test, windows))]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Ctrl-Break to every process on this console, which is this test binary alone: the
    /// listener must take it (unheard, the default handler would end the process).
    #[allow(unsafe_code)]
    fn ctrl_break_to_own_console() {
        use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, GenerateConsoleCtrlEvent};
        // SAFETY: plain values in, no pointers.
        let sent = unsafe { GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0) };
        assert_ne!(sent, 0, "{}", std::io::Error::last_os_error());
    }

    #[tokio::test]
    #[ignore = "Wine 8.0 refuses console control events (ERROR_INVALID_ACCESS); on real Windows run it with --ignored"]
    async fn ctrl_break_is_heard_as_a_stop_request_and_nothing_else_is() {
        let mut signals = StopSignals::install();
        let quiet = tokio::time::timeout(Duration::from_millis(50), signals.recv()).await;
        assert!(quiet.is_err(), "no stop request was made yet");
        ctrl_break_to_own_console();
        tokio::time::timeout(Duration::from_secs(5), signals.recv())
            .await
            .expect("Ctrl-Break is heard");
    }
}
