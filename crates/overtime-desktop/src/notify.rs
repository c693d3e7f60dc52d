//! OS notifications for the moments a user wants to hear about even with the window closed:
//! a thermal trip, a rental starting or ending, a provider failing, an override running out.
//!
//! [`NoticeWatch`] works them out by comparing consecutive agent snapshots (plain data, tested
//! without a desktop); [`run`] sends them through the freedesktop notification service on the
//! session bus, each kind only when the user left it on in `[notifications]`.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use overtime_agent::AgentSnapshot;
use overtime_core::config::NotificationsConfig;
use overtime_core::{Mode, Override, Reason};

use crate::tray_state::TrayText;
use crate::wire::is_alert;

/// Something worth a notification.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// A GPU stopped work because of heat or lost telemetry: the sensor's fault when there is
    /// one, else the reason, rendered in the user's language with times in `tz`.
    ThermalTrip {
        gpu: String,
        fault: Option<String>,
        reason: Reason,
        tz: TimeZone,
    },
    RentalStarted {
        gpu: String,
    },
    RentalEnded {
        gpu: String,
    },
    ProviderError {
        provider: String,
        error: String,
    },
    OverrideExpired {
        mode: Mode,
    },
}

impl Notice {
    /// Whether the user wants this kind.
    pub fn wanted(&self, config: &NotificationsConfig) -> bool {
        match self {
            Notice::ThermalTrip { .. } => config.thermal_trip,
            Notice::RentalStarted { .. } => config.rental_started,
            Notice::RentalEnded { .. } => config.rental_ended,
            Notice::ProviderError { .. } => config.provider_error,
            Notice::OverrideExpired { .. } => config.override_expired,
        }
    }

    /// Summary and body in the user's language, from the shared catalogue.
    pub fn text(&self, lang: TrayText) -> (String, String) {
        let c = lang.catalogue();
        let (kind, body) = match self {
            Notice::ThermalTrip {
                gpu,
                fault,
                reason,
                tz,
            } => (
                "thermalTrip",
                c.text(
                    "notify-thermalTrip-body",
                    &[
                        ("gpu", gpu),
                        (
                            "sentence",
                            &fault.clone().unwrap_or_else(|| reason.sentence(c, tz)),
                        ),
                    ],
                ),
            ),
            Notice::RentalStarted { gpu } => (
                "rentalStarted",
                c.text("notify-rentalStarted-body", &[("gpu", gpu)]),
            ),
            Notice::RentalEnded { gpu } => (
                "rentalEnded",
                c.text("notify-rentalEnded-body", &[("gpu", gpu)]),
            ),
            Notice::ProviderError { provider, error } => (
                "providerError",
                c.text(
                    "notify-providerError-body",
                    &[("provider", provider), ("error", error)],
                ),
            ),
            Notice::OverrideExpired { mode } => {
                let what = match mode {
                    Mode::Idle => c.text("notify-overrideExpired-pause", &[]),
                    m => c.text("notify-overrideExpired-mode", &[("mode", &lang.mode(*m))]),
                };
                (
                    "overrideExpired",
                    c.text("notify-overrideExpired-body", &[("what", &what)]),
                )
            }
        };
        (c.text(&format!("notify-{kind}-summary"), &[]), body)
    }
}

/// What the previous snapshot showed, for telling what changed.
#[derive(Debug, Default)]
struct Seen {
    alert: HashMap<String, bool>,
    rented: HashMap<String, bool>,
    provider_error: HashMap<String, bool>,
    overrides: Vec<Override>,
}

/// Turns a stream of snapshots into notices. The first snapshot only sets the baseline: a
/// state that was already true when Overtime started is not news.
#[derive(Debug, Default)]
pub struct NoticeWatch {
    seen: Option<Seen>,
}

impl NoticeWatch {
    pub fn new() -> NoticeWatch {
        NoticeWatch::default()
    }

    /// The notices `snapshot` brings, observed at `now`.
    pub fn observe(&mut self, snapshot: &AgentSnapshot, now: Timestamp) -> Vec<Notice> {
        let mut next = Seen::default();
        let mut notices = Vec::new();
        let prev = self.seen.take();
        let was = |map: fn(&Seen) -> &HashMap<String, bool>, key: &str| {
            prev.as_ref()
                .map(|p| map(p).get(key).copied().unwrap_or(false))
        };
        for g in &snapshot.gpus {
            let name = format!("GPU {} ({})", g.gpu.index, g.gpu.name);
            let alert = g.fault.is_some() || is_alert(&g.reason);
            if alert && was(|s| &s.alert, &g.gpu.uuid) == Some(false) {
                notices.push(Notice::ThermalTrip {
                    gpu: name.clone(),
                    fault: g.fault.clone(),
                    reason: g.reason.clone(),
                    tz: snapshot.time_zone(),
                });
            }
            let rented = g.rented_until.is_some_and(|u| u > now);
            match was(|s| &s.rented, &g.gpu.uuid) {
                Some(false) if rented => notices.push(Notice::RentalStarted { gpu: name.clone() }),
                Some(true) if !rented => notices.push(Notice::RentalEnded { gpu: name.clone() }),
                _ => {}
            }
            next.alert.insert(g.gpu.uuid.clone(), alert);
            next.rented.insert(g.gpu.uuid.clone(), rented);
        }
        for p in &snapshot.providers {
            let failing = p.error.is_some();
            if let Some(error) = &p.error
                && was(|s| &s.provider_error, &p.name) == Some(false)
            {
                notices.push(Notice::ProviderError {
                    provider: p.name.clone(),
                    error: error.clone(),
                });
            }
            next.provider_error.insert(p.name.clone(), failing);
        }
        if let Some(prev) = &prev {
            // Ran out by itself: it had an end, the end has passed, and no override for the same
            // scope replaced it. One cleared by "Auto" ends before its time and is not news.
            for o in &prev.overrides {
                let ran_out = o.until.is_some_and(|u| u <= now);
                let still_there = snapshot
                    .overrides
                    .iter()
                    .any(|c| c.scope == o.scope && c.is_active(now));
                if ran_out && !still_there {
                    notices.push(Notice::OverrideExpired { mode: o.mode });
                }
            }
        }
        next.overrides = snapshot
            .overrides
            .iter()
            .filter(|o| o.is_active(now))
            .cloned()
            .collect();
        self.seen = Some(next);
        notices
    }
}

/// Sends notices for every snapshot until the agent stops. Without a notification service on
/// the session bus this says so once and carries on without.
#[cfg(target_os = "linux")]
pub async fn run(
    mut snapshots: tokio::sync::watch::Receiver<std::sync::Arc<AgentSnapshot>>,
    config: impl Fn() -> NotificationsConfig + Send + 'static,
    lang: TrayText,
) {
    let conn = match zbus::Connection::session().await {
        Ok(c) => c,
        Err(e) => {
            tracing::info!(error = %e, "no session bus: desktop notifications are off");
            return;
        }
    };
    let mut watch = NoticeWatch::new();
    let mut warned = false;
    loop {
        let snapshot = snapshots.borrow_and_update().clone();
        let notices = watch.observe(&snapshot, Timestamp::now());
        // The switches are read only when there is something to tell, not on every tick.
        let wanted = if notices.is_empty() {
            NotificationsConfig::default()
        } else {
            config()
        };
        for notice in notices {
            if !notice.wanted(&wanted) {
                continue;
            }
            let (summary, body) = notice.text(lang);
            tracing::info!(%summary, %body, "notification");
            if let Err(e) = send(&conn, &summary, &body).await
                && !warned
            {
                warned = true;
                tracing::warn!(
                    error = %e,
                    "cannot show desktop notifications (no notification service answers); \
                     the dashboard still shows everything"
                );
            }
        }
        if snapshots.changed().await.is_err() {
            break;
        }
    }
}

#[cfg(target_os = "linux")]
async fn send(conn: &zbus::Connection, summary: &str, body: &str) -> zbus::Result<()> {
    let hints: HashMap<&str, zbus::zvariant::Value<'_>> = HashMap::new();
    let actions: Vec<&str> = Vec::new();
    conn.call_method(
        Some("org.freedesktop.Notifications"),
        "/org/freedesktop/Notifications",
        Some("org.freedesktop.Notifications"),
        "Notify",
        &("Overtime", 0u32, "", summary, body, actions, hints, -1i32),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use jiff::SignedDuration;
    use overtime_core::{OverrideScope, Reason};

    use crate::test_agent::snapshot as base;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_first_snapshot_is_a_baseline_not_news() {
        let (mut s, agent, _dir) = base().await;
        s.gpus[0].reason = Reason::CriticalTemperature {
            temp_c: 93.0,
            limit_c: 90.0,
        };
        let mut w = NoticeWatch::new();
        assert!(w.observe(&s, s.at).is_empty());
        assert!(w.observe(&s, s.at).is_empty(), "still hot is not news");
        agent.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_thermal_trip_and_a_rental_starting_and_ending_are_each_told_once() {
        let (mut s, agent, _dir) = base().await;
        let now = s.at;
        let mut w = NoticeWatch::new();
        w.observe(&s, now);

        s.gpus[1].reason = Reason::CriticalTemperature {
            temp_c: 93.0,
            limit_c: 90.0,
        };
        s.gpus[0].rented_until = Some(now + SignedDuration::from_hours(3));
        let n = w.observe(&s, now);
        assert_eq!(n.len(), 2, "{n:?}");
        assert!(matches!(&n[0], Notice::RentalStarted { gpu } if gpu.starts_with("GPU 0")));
        assert!(matches!(&n[1], Notice::ThermalTrip { .. }), "{n:?}");
        assert_eq!(
            n[1].text(TrayText::German).1,
            format!(
                "{}: 93 °C: kritische Grenze von 90 °C erreicht, alle Arbeit ist gestoppt",
                match &n[1] {
                    Notice::ThermalTrip { gpu, .. } => gpu.as_str(),
                    _ => "",
                }
            )
        );
        assert!(w.observe(&s, now).is_empty());

        s.gpus[0].rented_until = None;
        let n = w.observe(&s, now);
        assert!(matches!(&n[..], [Notice::RentalEnded { .. }]), "{n:?}");
        agent.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_override_that_runs_out_is_told_but_one_cleared_early_is_not() {
        let (mut s, agent, _dir) = base().await;
        let now = s.at;
        let pause = Override {
            mode: Mode::Idle,
            scope: OverrideScope::AllGpus,
            until: Some(now + SignedDuration::from_secs(60)),
            set_at: now,
        };
        let mut w = NoticeWatch::new();
        s.overrides = vec![pause.clone()];
        w.observe(&s, now);
        // Cleared by "Auto" before its end.
        s.overrides.clear();
        assert!(
            w.observe(&s, now + SignedDuration::from_secs(10))
                .is_empty()
        );

        s.overrides = vec![pause];
        w.observe(&s, now + SignedDuration::from_secs(20));
        s.overrides.clear();
        let n = w.observe(&s, now + SignedDuration::from_secs(61));
        assert_eq!(n, vec![Notice::OverrideExpired { mode: Mode::Idle }]);
        let (summary, body) = n[0].text(TrayText::English);
        assert_eq!(summary, "Back to automatic");
        assert!(body.starts_with("The pause ran out"));
        assert_eq!(n[0].text(TrayText::German).0, "Automatik wieder an");
        agent.stop().await;
    }

    #[test]
    fn notices_read_from_the_catalogue_in_either_language() {
        let started = Notice::RentalStarted {
            gpu: "GPU 0 (RTX 4090)".into(),
        };
        assert_eq!(
            started.text(TrayText::German),
            (
                "Vermietung begonnen".to_owned(),
                "GPU 0 (RTX 4090) ist jetzt vermietet.".to_owned()
            )
        );
        let expired = Notice::OverrideExpired { mode: Mode::Rental };
        assert!(
            expired
                .text(TrayText::English)
                .1
                .starts_with("“Rental now” ran out")
        );
        assert!(
            expired
                .text(TrayText::German)
                .1
                .starts_with("„Jetzt Vermietung“ ist abgelaufen")
        );
    }

    #[test]
    fn each_kind_follows_its_own_switch() {
        let off = NotificationsConfig {
            rental_started: false,
            ..NotificationsConfig::default()
        };
        assert!(!Notice::RentalStarted { gpu: "g".into() }.wanted(&off));
        assert!(Notice::RentalEnded { gpu: "g".into() }.wanted(&off));
        assert!(
            Notice::OverrideExpired { mode: Mode::Idle }.wanted(&NotificationsConfig::default())
        );
    }
}
