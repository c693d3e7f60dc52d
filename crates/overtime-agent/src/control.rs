//! The manual controls every front end shares — the tray, the dashboard, the API and the CLI:
//! force a mode, pause for a while, or go back to automatic. A control goes to the agent's
//! command queue, so it takes effect on the agent's next wake-up (it wakes on every command),
//! well within a second.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_core::{Mode, OverrideScope};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::AgentError;
use crate::handle::AgentHandle;

/// How long a pause lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PausePreset {
    OneHour,
    ThreeHours,
    /// Until local midnight: the start of tomorrow in the agent's time zone.
    UntilTomorrow,
    UntilResumed,
}

/// A manual control, as the tray menu and the dashboard buttons express it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// Clear every override: the schedule and the policy decide again.
    Auto,
    /// Clear the overrides set for this one GPU (by UUID); one set for every GPU stays.
    AutoGpu(String),
    /// Force a mode on every GPU (or one, by UUID) until `until`, or until cleared.
    Force {
        mode: Mode,
        gpu: Option<String>,
        until: Option<Timestamp>,
    },
    /// Idle every GPU for a while.
    Pause(PausePreset),
}

/// When a pause started at `now` ends; `None` means "until I resume".
///
/// "Until tomorrow" is the start of the next local day in `tz`, DST-correct (jiff resolves a
/// midnight that does not exist to the next valid instant).
pub fn pause_until(preset: PausePreset, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
    match preset {
        PausePreset::OneHour => Some(now + SignedDuration::from_hours(1)),
        PausePreset::ThreeHours => Some(now + SignedDuration::from_hours(3)),
        PausePreset::UntilTomorrow => {
            let local = now.to_zoned_datetime(tz.clone());
            let next = local.tomorrow().and_then(|t| t.start_of_day());
            match next {
                Ok(t) => Some(t.timestamp()),
                // Only at the very end of jiff's range; a day's pause is the closest meaning.
                Err(_) => Some(now + SignedDuration::from_hours(24)),
            }
        }
        PausePreset::UntilResumed => None,
    }
}

/// Sends `control` to the agent and waits for its answer.
pub async fn apply(
    handle: &AgentHandle,
    control: Control,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<(), AgentError> {
    match control {
        Control::Auto => handle.clear_override(OverrideScope::AllGpus).await,
        Control::AutoGpu(uuid) => handle.clear_override(OverrideScope::Gpu(uuid)).await,
        Control::Force { mode, gpu, until } => {
            if until.is_some_and(|t| t <= now) {
                return Err(AgentError::TimePassed);
            }
            let scope = gpu.map_or(OverrideScope::AllGpus, OverrideScope::Gpu);
            handle.set_override(mode, scope, until).await
        }
        Control::Pause(preset) => {
            handle
                .set_override(
                    Mode::Idle,
                    OverrideScope::AllGpus,
                    pause_until(preset, now, tz),
                )
                .await
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn pause_presets_end_when_their_names_say() {
        let berlin = jiff::tz::db().get("Europe/Berlin").unwrap();
        let now = ts("2026-03-10T21:15:00Z"); // 22:15 in Berlin
        let cases = [
            (PausePreset::OneHour, Some(ts("2026-03-10T22:15:00Z"))),
            (PausePreset::ThreeHours, Some(ts("2026-03-11T00:15:00Z"))),
            // Midnight in Berlin (UTC+1 in March before DST).
            (PausePreset::UntilTomorrow, Some(ts("2026-03-10T23:00:00Z"))),
            (PausePreset::UntilResumed, None),
        ];
        for (preset, want) in cases {
            assert_eq!(pause_until(preset, now, &berlin), want, "{preset:?}");
        }
    }

    #[test]
    fn until_tomorrow_follows_the_local_day_across_a_dst_change() {
        let berlin = jiff::tz::db().get("Europe/Berlin").unwrap();
        // Saturday 28 March 2026, 23:30 CET; clocks go forward the next night, but midnight
        // itself is still CET.
        let now = ts("2026-03-28T22:30:00Z");
        assert_eq!(
            pause_until(PausePreset::UntilTomorrow, now, &berlin),
            Some(ts("2026-03-28T23:00:00Z"))
        );
        // Sunday 29 March after the change (CEST): next midnight is 22:00 UTC.
        let now = ts("2026-03-29T12:00:00Z");
        assert_eq!(
            pause_until(PausePreset::UntilTomorrow, now, &berlin),
            Some(ts("2026-03-29T22:00:00Z"))
        );
    }

    /// `apply` now, in UTC.
    async fn act(handle: &AgentHandle, control: Control) -> Result<(), AgentError> {
        apply(handle, control, Timestamp::now(), &TimeZone::UTC).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_toggle_reaches_the_agent_within_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let agent = crate::testing::start(dir.path()).await;
        let handle = agent.handle.clone();
        let mut rx = handle.snapshots.clone();

        let started = std::time::Instant::now();
        act(&handle, Control::Pause(PausePreset::OneHour))
            .await
            .unwrap();
        let snap = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            rx.wait_for(|s| s.overrides.len() == 1 && s.gpus.iter().all(|g| g.mode == Mode::Idle)),
        )
        .await
        .expect("the pause showed in a snapshot within 1 s")
        .unwrap()
        .clone();
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert!(snap.overrides[0].until.is_some());

        act(&handle, Control::Auto).await.unwrap();
        tokio::time::timeout(
            std::time::Duration::from_secs(1),
            rx.wait_for(|s| s.overrides.is_empty()),
        )
        .await
        .expect("back to automatic within 1 s")
        .unwrap();

        // One GPU forced and then handed back to automatic; an override for every GPU is not
        // touched by that GPU's "Auto".
        let uuid = handle.snapshot().gpus[0].gpu.uuid.clone();
        let force_one = Control::Force {
            mode: Mode::Volunteer,
            gpu: Some(uuid.clone()),
            until: None,
        };
        act(&handle, force_one).await.unwrap();
        act(&handle, Control::Pause(PausePreset::UntilResumed))
            .await
            .unwrap();
        rx.wait_for(|s| s.overrides.len() == 2).await.unwrap();
        act(&handle, Control::AutoGpu(uuid.clone())).await.unwrap();
        let snap = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            rx.wait_for(|s| s.overrides.len() == 1),
        )
        .await
        .expect("the GPU's own override cleared within 1 s")
        .unwrap()
        .clone();
        assert_eq!(snap.overrides[0].scope, OverrideScope::AllGpus);
        act(&handle, Control::Auto).await.unwrap();
        rx.wait_for(|s| s.overrides.is_empty()).await.unwrap();

        // A GPU the agent does not have is refused, and says so.
        let refused = act(
            &handle,
            Control::Force {
                mode: Mode::Rental,
                gpu: Some("GPU-nope".into()),
                until: None,
            },
        )
        .await;
        assert!(
            matches!(&refused, Err(e) if e.code() == crate::error::ErrorCode::Rejected),
            "{refused:?}"
        );

        // An end already past is refused before it reaches the agent.
        let past = act(
            &handle,
            Control::Force {
                mode: Mode::Idle,
                gpu: None,
                until: Some(Timestamp::now() - SignedDuration::from_secs(1)),
            },
        )
        .await;
        assert!(matches!(past, Err(AgentError::TimePassed)), "{past:?}");
        agent.stop().await;

        // Once stopped, the handle reports the agent as unavailable rather than hanging.
        let after = act(&handle, Control::Auto).await;
        assert!(matches!(&after, Err(e) if e.is_unavailable()), "{after:?}");
    }
}
