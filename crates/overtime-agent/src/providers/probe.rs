//! Asking a provider for its real state once, with a time limit: what `overtime doctor` and the
//! desktop's "Test connection" button both do, so the two never disagree about a provider.
//! A probe only reads (`Provider::status`); it never lists, pauses or starts anything.

use std::time::Duration;

use super::{Provider, ProviderError};

/// How long `overtime doctor` and the settings screen wait for one provider's answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// What one probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// The service answered; `detail` is its one-line state ("2 tasks running").
    Answered { detail: String },
    /// A demo provider: nothing real to reach, its figures are simulated.
    Simulated { name: String },
    /// The service answered with a failure (unreachable, refused credentials, …).
    Failed(ProviderError),
    /// No answer within the time limit.
    TimedOut { name: String, timeout_s: u64 },
}

impl Probe {
    /// Whether this counts as a problem to fix (a demo provider is not one).
    pub fn is_failure(&self) -> bool {
        matches!(self, Probe::Failed(_) | Probe::TimedOut { .. })
    }

    /// One sentence for the user, saying what to do when something is wrong.
    pub fn message(&self) -> String {
        match self {
            Probe::Answered { detail } => detail.clone(),
            Probe::Simulated { name } => format!(
                "{name}: simulated demo provider — no real work and no real money (choose a \
                 real provider in [providers])"
            ),
            Probe::Failed(e) => e.to_string(),
            Probe::TimedOut { name, timeout_s } => format!(
                "{name} did not answer within {timeout_s} s; check that it is running and that \
                 the address is right"
            ),
        }
    }
}

/// Asks `provider` for its state, giving up after `timeout`. Demo providers are not asked.
pub async fn probe(provider: &mut dyn Provider, timeout: Duration) -> Probe {
    let name = provider.name().to_owned();
    if provider.simulated() {
        return Probe::Simulated { name };
    }
    match tokio::time::timeout(timeout, provider.status()).await {
        Ok(Ok(status)) => Probe::Answered {
            detail: status.detail,
        },
        Ok(Err(e)) => Probe::Failed(e),
        Err(_) => Probe::TimedOut {
            name,
            timeout_s: timeout.as_secs().max(1),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use async_trait::async_trait;

    use super::*;
    use crate::providers::{GpuDesire, ProviderKind, ProviderStatus};

    /// A provider whose `status` answers as scripted, and which fails the test if asked to
    /// change anything.
    struct Scripted {
        answer: Option<Result<ProviderStatus, ProviderError>>,
        simulated: bool,
    }

    #[async_trait]
    impl Provider for Scripted {
        fn name(&self) -> &str {
            "scripted"
        }
        fn kind(&self) -> ProviderKind {
            ProviderKind::Volunteer
        }
        fn simulated(&self) -> bool {
            self.simulated
        }
        async fn status(&mut self) -> Result<ProviderStatus, ProviderError> {
            match self.answer.clone() {
                Some(a) => a,
                None => std::future::pending().await,
            }
        }
        async fn apply(&mut self, _: &[GpuDesire]) -> Result<ProviderStatus, ProviderError> {
            panic!("a probe must not change the provider's state")
        }
        async fn shutdown(&mut self) -> Result<(), ProviderError> {
            panic!("a probe must not shut the provider down")
        }
    }

    #[tokio::test]
    async fn an_answer_is_reported_with_the_services_own_words() {
        let mut p = Scripted {
            answer: Some(Ok(ProviderStatus {
                detail: "2 tasks running".into(),
                ..ProviderStatus::default()
            })),
            simulated: false,
        };
        let found = probe(&mut p, PROBE_TIMEOUT).await;
        assert_eq!(
            found,
            Probe::Answered {
                detail: "2 tasks running".into()
            }
        );
        assert!(!found.is_failure());
    }

    #[tokio::test]
    async fn a_refusal_is_a_failure_that_says_what_happened() {
        let mut p = Scripted {
            answer: Some(Err(ProviderError::Unauthorized {
                service: "BOINC".into(),
                detail: "wrong password".into(),
            })),
            simulated: false,
        };
        let found = probe(&mut p, PROBE_TIMEOUT).await;
        assert!(found.is_failure());
        assert_eq!(
            found.message(),
            "BOINC refused our credentials: wrong password"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_service_times_out_after_the_limit() {
        let mut p = Scripted {
            answer: None,
            simulated: false,
        };
        let started = tokio::time::Instant::now();
        let found = probe(&mut p, Duration::from_secs(3)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(3));
        assert_eq!(
            found,
            Probe::TimedOut {
                name: "scripted".into(),
                timeout_s: 3
            }
        );
        assert!(found.message().contains("did not answer within 3 s"));
    }

    #[tokio::test]
    async fn a_demo_provider_is_not_asked_and_is_labelled_simulated() {
        let mut p = Scripted {
            answer: None,
            simulated: true,
        };
        let found = probe(&mut p, PROBE_TIMEOUT).await;
        assert!(matches!(found, Probe::Simulated { .. }));
        assert!(!found.is_failure());
        assert!(found.message().contains("simulated"));
    }
}
