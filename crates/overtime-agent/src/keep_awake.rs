//! Keeps the PC from going to sleep while a paid rental runs. A renter's job stops when an idle
//! desktop PC sleeps, which breaks the contract and costs the host marketplace reliability;
//! the agent asks for this only while a contract runs and lets the PC sleep again after.
//!
//! Windows: `SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED)`, held by a thread of
//! its own because the request belongs to the thread that made it (async tasks move between
//! threads). The display may still turn off. Elsewhere nothing is asked: a Linux rental host is
//! a machine set up not to sleep (Vast.ai requires one).

use std::sync::{Arc, Mutex, PoisonError};

/// Asks the OS to keep the PC awake, or lets it sleep again.
pub trait KeepAwake: Send {
    /// `awake`: a paid rental runs. Called when that changes, not every tick.
    fn set(&mut self, awake: bool);
}

/// This OS's way of keeping awake.
pub fn native() -> Box<dyn KeepAwake> {
    #[cfg(windows)]
    {
        match windows::ExecutionState::start() {
            Ok(state) => Box::new(state),
            Err(e) => {
                tracing::warn!(error = %e, "cannot keep the PC awake during rentals: no thread for it");
                Box::new(Unmanaged)
            }
        }
    }
    #[cfg(not(windows))]
    {
        Box::new(Unmanaged)
    }
}

/// Asks nothing of the OS.
#[derive(Debug, Default)]
pub struct Unmanaged;

impl KeepAwake for Unmanaged {
    fn set(&mut self, _awake: bool) {}
}

/// Records every request, for tests.
#[derive(Debug, Clone, Default)]
pub struct RecordedKeepAwake {
    requests: Arc<Mutex<Vec<bool>>>,
}

impl RecordedKeepAwake {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<bool> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl KeepAwake for RecordedKeepAwake {
    fn set(&mut self, awake: bool) {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(awake);
    }
}

#[cfg(windows)]
#[allow(unsafe_code)]
mod windows {
    use std::sync::mpsc;

    use windows_sys::Win32::System::Power::{
        ES_CONTINUOUS, ES_SYSTEM_REQUIRED, EXECUTION_STATE, SetThreadExecutionState,
    };

    use super::KeepAwake;

    struct Request {
        awake: bool,
        /// Gets the state the thread had before, for tests.
        reply: Option<mpsc::Sender<EXECUTION_STATE>>,
    }

    /// The thread holding the execution state; it clears it and ends when this is dropped.
    pub struct ExecutionState {
        requests: mpsc::Sender<Request>,
    }

    impl ExecutionState {
        pub fn start() -> std::io::Result<ExecutionState> {
            let (requests, inbox) = mpsc::channel::<Request>();
            std::thread::Builder::new()
                .name("overtime-keep-awake".into())
                .spawn(move || {
                    for request in inbox {
                        let flags = if request.awake {
                            ES_CONTINUOUS | ES_SYSTEM_REQUIRED
                        } else {
                            ES_CONTINUOUS
                        };
                        // SAFETY: plain flags in; 0 back means the call failed.
                        let before = unsafe { SetThreadExecutionState(flags) };
                        if before == 0 {
                            tracing::warn!(awake = request.awake, "SetThreadExecutionState failed");
                        }
                        if let Some(reply) = request.reply {
                            let _ = reply.send(before);
                        }
                    }
                    // SAFETY: as above; the agent is stopping, so sleep is allowed again.
                    unsafe { SetThreadExecutionState(ES_CONTINUOUS) };
                })?;
            Ok(ExecutionState { requests })
        }

        /// Sets the state and returns the one before (0: the call failed).
        #[cfg(test)]
        fn set_and_report(&mut self, awake: bool) -> EXECUTION_STATE {
            let (reply, answer) = mpsc::channel();
            self.requests
                .send(Request {
                    awake,
                    reply: Some(reply),
                })
                .ok();
            answer.recv().unwrap_or(0)
        }
    }

    impl KeepAwake for ExecutionState {
        fn set(&mut self, awake: bool) {
            if self.requests.send(Request { awake, reply: None }).is_err() {
                tracing::warn!(
                    "the keep-awake thread has stopped; the PC may sleep during a rental"
                );
            }
        }
    }

    #[cfg(test)]
    #[allow(clippy::expect_used)]
    mod tests {
        use super::*;

        #[test]
        fn the_thread_holds_the_awake_state_until_told_otherwise() {
            let mut state = ExecutionState::start().expect("a thread");
            state.set_and_report(true);
            assert_eq!(
                state.set_and_report(true),
                ES_CONTINUOUS | ES_SYSTEM_REQUIRED,
                "still held from the first request"
            );
            assert_eq!(
                state.set_and_report(false),
                ES_CONTINUOUS | ES_SYSTEM_REQUIRED
            );
            assert_eq!(state.set_and_report(false), ES_CONTINUOUS, "released");
        }
    }
}
