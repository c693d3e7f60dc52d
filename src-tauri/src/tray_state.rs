//! What the tray shows, worked out from a snapshot as plain data: which icon, the tooltip, and
//! the line about a manual override. Kept apart from the tray widget so it can be tested and so
//! the widget is touched only when this value changes.

use jiff::Timestamp;
use overtime_agent::AgentSnapshot;
use overtime_core::Mode;

use crate::wire::is_alert;

/// One tray icon per state; files `icons/tray-<name>.png`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayIconKind {
    Rental,
    Volunteer,
    Idle,
    Paused,
    Alert,
}

/// The tray's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayState {
    pub icon: TrayIconKind,
    pub tooltip: String,
    /// "Paused — 52 min left"; `None` while automatic.
    pub override_line: Option<String>,
}

impl TrayState {
    /// The tray for `snapshot` at `now` (the override's time left is counted from `now`).
    pub fn of(snapshot: &AgentSnapshot, now: Timestamp) -> TrayState {
        let active_override = snapshot
            .overrides
            .iter()
            .filter(|o| o.is_active(now))
            .max_by_key(|o| o.set_at);
        let alert = snapshot
            .gpus
            .iter()
            .any(|g| g.fault.is_some() || is_alert(&g.reason));
        let has = |m: Mode| snapshot.gpus.iter().any(|g| g.mode == m);
        let icon = if alert {
            TrayIconKind::Alert
        } else if active_override.is_some_and(|o| o.mode == Mode::Idle) {
            TrayIconKind::Paused
        } else if has(Mode::Rental) {
            TrayIconKind::Rental
        } else if has(Mode::Volunteer) {
            TrayIconKind::Volunteer
        } else {
            TrayIconKind::Idle
        };

        let mut modes: Vec<&str> = Vec::new();
        for g in &snapshot.gpus {
            if !modes.contains(&g.mode.label()) {
                modes.push(g.mode.label());
            }
        }
        let mut tooltip = format!(
            "Overtime — {}",
            if modes.is_empty() {
                "no GPU".to_owned()
            } else {
                modes.join(" / ")
            }
        );
        let hottest = snapshot
            .gpus
            .iter()
            .filter_map(|g| g.reading.as_ref().and_then(|r| r.temp_c))
            .fold(None::<f64>, |acc, t| Some(acc.map_or(t, |a| a.max(t))));
        if let Some(t) = hottest {
            tooltip.push_str(&format!(" · {t:.0} °C"));
        }
        if snapshot.simulated {
            tooltip.push_str(" · demo");
        }
        if let Some(g) = snapshot
            .gpus
            .iter()
            .find(|g| g.fault.is_some() || is_alert(&g.reason))
        {
            tooltip.push('\n');
            tooltip.push_str(&g.sentence);
        }

        let override_line = active_override.map(|o| {
            let what = if o.mode == Mode::Idle {
                "Paused".to_owned()
            } else {
                format!("{} now", o.mode.label())
            };
            match o.until {
                None => format!("{what} — until you resume"),
                Some(until) => format!("{what} — {} left", time_left(until.duration_since(now))),
            }
        });
        TrayState {
            icon,
            tooltip,
            override_line,
        }
    }
}

/// "2 h 05 min", "12 min", "under a minute"; rounded up to whole minutes so it never shows 0.
pub fn time_left(d: jiff::SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    let mins = (secs + 59) / 60;
    match mins {
        0 => "under a minute".to_owned(),
        m if m < 60 => format!("{m} min"),
        m => format!("{} h {:02} min", m / 60, m % 60),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    #[test]
    fn time_left_rounds_up_to_whole_minutes() {
        let cases = [
            (0, "under a minute"),
            (1, "1 min"),
            (60, "1 min"),
            (61, "2 min"),
            (3600, "1 h 00 min"),
            (3 * 3600 + 5 * 60, "3 h 05 min"),
        ];
        for (s, want) in cases {
            assert_eq!(time_left(SignedDuration::from_secs(s)), want, "{s} s");
        }
    }

    use overtime_core::{Override, OverrideScope, Reason};

    async fn snapshot() -> (
        AgentSnapshot,
        overtime_agent::supervisor::Agent,
        tempfile::TempDir,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let agent = crate::test_agent::start(dir.path()).await;
        let snap = (*agent.handle.snapshot()).clone();
        (snap, agent, dir)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_tray_shows_mode_hottest_temperature_and_demo() {
        let (mut s, agent, _dir) = snapshot().await;
        s.gpus[0].mode = Mode::Volunteer;
        s.gpus[1].mode = Mode::Idle;
        s.gpus[0].reading.as_mut().unwrap().temp_c = Some(61.4);
        s.gpus[1].reading.as_mut().unwrap().temp_c = Some(72.6);
        let tray = TrayState::of(&s, s.at);
        assert_eq!(tray.icon, TrayIconKind::Volunteer);
        assert_eq!(tray.tooltip, "Overtime — Volunteer / Idle · 73 °C · demo");
        assert_eq!(tray.override_line, None);
        agent.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pause_shows_its_time_left_and_safety_wins_the_icon() {
        let (mut s, agent, _dir) = snapshot().await;
        let now = s.at;
        s.overrides = vec![Override {
            mode: Mode::Idle,
            scope: OverrideScope::AllGpus,
            until: Some(now + SignedDuration::from_mins(52)),
            set_at: now,
        }];
        for g in &mut s.gpus {
            g.mode = Mode::Idle;
        }
        let tray = TrayState::of(&s, now);
        assert_eq!(tray.icon, TrayIconKind::Paused);
        assert_eq!(tray.override_line.as_deref(), Some("Paused — 52 min left"));

        s.gpus[1].reason = Reason::CriticalTemperature {
            temp_c: 93.0,
            limit_c: 90.0,
        };
        s.gpus[1].sentence = "Idle — 93 °C is over the critical 90 °C limit".into();
        let tray = TrayState::of(&s, now);
        assert_eq!(tray.icon, TrayIconKind::Alert);
        assert!(
            tray.tooltip
                .ends_with("\nIdle — 93 °C is over the critical 90 °C limit")
        );

        // An expired override no longer shows.
        let later = now + SignedDuration::from_hours(1);
        s.gpus[1].reason = Reason::Starting;
        assert_eq!(TrayState::of(&s, later).override_line, None);
        agent.stop().await;
    }
}
