//! Runs one provider in its own task so that a slow, hanging or failing service never delays the
//! supervisor's tick loop or the other providers.
//!
//! The supervisor writes the desired state into a `watch` channel and reads the provider's view
//! from another. The task applies a new desired state at once, re-reads the real status on a
//! slow poll, bounds every call with a timeout, and backs off (with jitter) after failures —
//! and stops retrying on its own after the service refused our credentials.

use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{GpuDesire, Provider, ProviderError, ProviderKind, ProviderView};
use crate::clock::Clock;

/// How the runner paces its calls.
#[derive(Debug, Clone, Copy)]
pub struct RunnerTiming {
    /// Status poll period while healthy.
    pub poll: Duration,
    /// Longest a single call may take before it counts as failed.
    pub call_timeout: Duration,
    /// First retry delay after a failure; doubles up to `max_backoff`.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RunnerTiming {
    fn default() -> Self {
        RunnerTiming {
            poll: Duration::from_secs(5),
            call_timeout: Duration::from_secs(10),
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(120),
        }
    }
}

/// The supervisor's end of a running provider.
pub struct ProviderLink {
    pub name: String,
    pub kind: ProviderKind,
    pub simulated: bool,
    /// `None` until the supervisor has decided once: nothing is changed before that.
    pub desired: watch::Sender<Option<Vec<GpuDesire>>>,
    pub view: watch::Receiver<ProviderView>,
    pub task: JoinHandle<()>,
    /// Stops this provider alone (it hands its work back first), for a swap.
    pub shutdown: CancellationToken,
}

/// Start `provider` in its own task.
pub fn spawn(
    mut provider: Box<dyn Provider>,
    clock: Arc<dyn Clock>,
    timing: RunnerTiming,
    shutdown: CancellationToken,
) -> ProviderLink {
    let name = provider.name().to_owned();
    let kind = provider.kind();
    let simulated = provider.simulated();
    let (desired_tx, mut desired_rx) = watch::channel::<Option<Vec<GpuDesire>>>(None);
    let (view_tx, view_rx) = watch::channel(ProviderView {
        name: name.clone(),
        kind,
        simulated,
        status: None,
        error: None,
        last_ok_at: None,
    });

    let task_name = name.clone();
    // A provider with its own, longer bound (a command hook's timeout) gets it, plus a margin so
    // its own timeout error, which says more, wins.
    let timing = RunnerTiming {
        call_timeout: provider.call_timeout().map_or(timing.call_timeout, |t| {
            timing.call_timeout.max(t + Duration::from_secs(2))
        }),
        ..timing
    };
    let link_shutdown = shutdown.clone();
    let task = tokio::spawn(async move {
        let mut rng = rand::rngs::SmallRng::seed_from_u64(task_name.bytes().map(u64::from).sum());
        let mut failures: u32 = 0;
        let mut applied: Option<Vec<GpuDesire>> = None;
        let mut refused = false;
        let mut next_poll = tokio::time::Instant::now();
        let mut retry_at = tokio::time::Instant::now();

        loop {
            let desired = desired_rx.borrow_and_update().clone();
            let pending = desired.is_some() && desired != applied;
            let now = tokio::time::Instant::now();

            if !refused && now >= retry_at && (pending || now >= next_poll) {
                let call = async {
                    match &desired {
                        Some(want) if pending => provider.apply(want).await,
                        _ => provider.status().await,
                    }
                };
                let result = match tokio::time::timeout(timing.call_timeout, call).await {
                    Ok(r) => r,
                    Err(_) => Err(ProviderError::Timeout {
                        service: task_name.clone(),
                        timeout_s: timing.call_timeout.as_secs().max(1),
                    }),
                };
                match result {
                    Ok(status) => {
                        if failures > 0 {
                            tracing::info!(provider = %task_name, "provider is answering again");
                        }
                        failures = 0;
                        if pending {
                            applied = desired.clone();
                        }
                        let at = clock.now();
                        view_tx.send_if_modified(|v| {
                            let changed = v.status.as_ref() != Some(&status) || v.error.is_some();
                            v.status = Some(status);
                            v.error = None;
                            v.last_ok_at = Some(at);
                            changed
                        });
                        next_poll = tokio::time::Instant::now() + timing.poll;
                    }
                    Err(e) => {
                        failures = failures.saturating_add(1);
                        if failures == 1 {
                            tracing::warn!(provider = %task_name, error = %e, "provider call failed");
                        }
                        // Hammering a service that refused our credentials can get the key locked.
                        refused = matches!(e, ProviderError::Unauthorized { .. });
                        let wait = match e {
                            ProviderError::RateLimited { retry_after_s, .. } => {
                                Duration::from_secs(retry_after_s)
                            }
                            _ => backoff(failures, timing, &mut rng),
                        };
                        let message = e.to_string();
                        view_tx.send_if_modified(|v| {
                            let changed = v.error.as_deref() != Some(message.as_str());
                            v.error = Some(message);
                            changed
                        });
                        retry_at = tokio::time::Instant::now() + wait;
                        next_poll = retry_at;
                    }
                }
                continue;
            }

            let wake = if refused {
                None
            } else if pending {
                Some(retry_at)
            } else {
                Some(next_poll.max(retry_at))
            };
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                changed = desired_rx.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    // New wishes (a config reload, a new decision) deserve a fresh try after a refusal.
                    refused = false;
                }
                _ = sleep_until_opt(wake) => {}
            }
        }

        match tokio::time::timeout(timing.call_timeout, provider.shutdown()).await {
            Ok(Ok(())) => tracing::info!(provider = %task_name, "provider left in a safe state"),
            Ok(Err(e)) => {
                tracing::warn!(provider = %task_name, error = %e, "provider could not be restored on shutdown")
            }
            Err(_) => tracing::warn!(provider = %task_name, "provider did not answer at shutdown"),
        }
    });

    ProviderLink {
        name,
        kind,
        simulated,
        desired: desired_tx,
        view: view_rx,
        task,
        shutdown: link_shutdown,
    }
}

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Exponential backoff with ±25 % jitter so several agents do not retry in lockstep.
fn backoff(failures: u32, timing: RunnerTiming, rng: &mut impl Rng) -> Duration {
    let exp = timing
        .min_backoff
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    let base = exp.min(timing.max_backoff);
    let jitter = rng.random_range(0.75..1.25);
    base.mul_f64(jitter)
}
