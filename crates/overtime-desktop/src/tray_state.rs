//! What the tray shows, worked out from a snapshot as plain data: which icon, the tooltip, and
//! the line about a manual override. Kept apart from the tray widget so it can be tested and so
//! the widget is touched only when this value changes.

use jiff::Timestamp;
use overtime_agent::AgentSnapshot;
use overtime_core::Mode;

use overtime_i18n::{Catalogue, Language};

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

/// The tray's words in the user's language (English or German, like the dashboard), from the
/// shared catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayText {
    English,
    German,
}

/// Menu entries, in menu order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuEntry {
    Auto,
    Rent,
    Volunteer,
    Idle,
    PauseOneHour,
    PauseThreeHours,
    PauseUntilTomorrow,
    PauseUntilResumed,
    OpenDashboard,
    Quit,
}

impl MenuEntry {
    /// The entry's message id in the catalogue.
    fn id(self) -> &'static str {
        use MenuEntry::*;
        match self {
            Auto => "tray-entry-auto",
            Rent => "tray-entry-rent",
            Volunteer => "tray-entry-volunteer",
            Idle => "tray-entry-idle",
            PauseOneHour => "tray-entry-pauseOneHour",
            PauseThreeHours => "tray-entry-pauseThreeHours",
            PauseUntilTomorrow => "tray-entry-pauseUntilTomorrow",
            PauseUntilResumed => "tray-entry-pauseUntilResumed",
            OpenDashboard => "tray-entry-openDashboard",
            Quit => "tray-entry-quit",
        }
    }
}

impl TrayText {
    /// From the locale the system names (`LC_ALL`, `LC_MESSAGES`, `LANG`): German for `de*`,
    /// else English.
    pub fn from_env() -> TrayText {
        TrayText::for_locale(&crate::locale::system_posix().unwrap_or_default())
    }

    pub fn for_locale(posix: &str) -> TrayText {
        match Catalogue::for_locale(posix).language() {
            Language::German => TrayText::German,
            Language::English => TrayText::English,
        }
    }

    /// The catalogue this language reads its words from.
    pub fn catalogue(self) -> Catalogue {
        match self {
            TrayText::English => Catalogue::english(),
            TrayText::German => Catalogue::german(),
        }
    }

    fn text(self, id: &str, args: &[(&str, &str)]) -> String {
        self.catalogue().text(id, args)
    }

    pub fn entry(self, e: MenuEntry) -> String {
        self.text(e.id(), &[])
    }

    /// The mode's name as the dashboard writes it ("Volunteer", "Ehrenamtlich").
    pub fn mode(self, m: Mode) -> String {
        self.text(&format!("mode-{}", m.as_str()), &[])
    }

    fn mode_now(self, m: Mode) -> String {
        self.text("tray-modeNow", &[("mode", &self.mode(m))])
    }

    /// "Paused — 52 min left"; `what` is "Paused" or "Rental now".
    fn left(self, what: &str, d: jiff::SignedDuration) -> String {
        self.text(
            "tray-left",
            &[("what", what), ("left", &time_left_in(self, d))],
        )
    }

    /// Amounts per currency in the language's money format ("€1.25 + $0.40", "1,25 € + …"),
    /// side by side, never added up; no amounts read as zero.
    fn money(self, list: &[overtime_core::money::Money]) -> String {
        let catalogue = self.catalogue();
        if list.is_empty() {
            return "0".to_owned();
        }
        list.iter()
            .map(|m| m.text(catalogue))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// The tray's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayState {
    pub icon: TrayIconKind,
    /// First line: "Overtime — Volunteer · 73 °C"; further lines add today's net and any alert.
    pub tooltip: String,
    /// "Paused — 52 min left", or "Automatic".
    pub override_line: String,
}

impl TrayState {
    /// The tray for `snapshot` at `now` (the override's time left is counted from `now`).
    pub fn of(snapshot: &AgentSnapshot, now: Timestamp, text: &TrayText) -> TrayState {
        let text = *text;
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

        let mut modes: Vec<String> = Vec::new();
        for g in &snapshot.gpus {
            let label = text.mode(g.mode);
            if !modes.contains(&label) {
                modes.push(label);
            }
        }
        let modes = if modes.is_empty() {
            text.text("tray-noGpu", &[])
        } else {
            modes.join(" / ")
        };
        let mut tooltip = text.text("tray-tooltip", &[("modes", &modes)]);
        let hottest = snapshot
            .gpus
            .iter()
            .filter_map(|g| g.reading.as_ref().and_then(|r| r.temp_c))
            .fold(None::<f64>, |acc, t| Some(acc.map_or(t, |a| a.max(t))));
        if let Some(t) = hottest {
            tooltip.push_str(&format!(" · {t:.0} °C"));
        }
        if snapshot.simulated {
            tooltip.push_str(" · ");
            tooltip.push_str(&text.text("tray-demo", &[]));
        }
        let today = snapshot
            .ledger
            .as_ref()
            .and_then(|l| l.earnings.as_ref())
            .and_then(|e| {
                e.periods
                    .iter()
                    .find(|p| p.range == "today")
                    .map(|p| (p, e.includes_simulated))
            });
        if let Some((period, simulated)) = today {
            tooltip.push('\n');
            let amounts = text.money(&period.net);
            tooltip.push_str(&text.text("tray-netToday", &[("amounts", &amounts)]));
            if simulated {
                tooltip.push_str(&format!(" ({})", text.text("tray-simulated", &[])));
            }
        }
        if let Some(g) = snapshot
            .gpus
            .iter()
            .find(|g| g.fault.is_some() || is_alert(&g.reason))
        {
            tooltip.push('\n');
            tooltip.push_str(
                &g.reason
                    .with_mode(g.mode, text.catalogue(), &snapshot.time_zone()),
            );
        }

        let override_line = match active_override {
            None => text.text("tray-automatic", &[]),
            Some(o) => {
                let what = if o.mode == Mode::Idle {
                    text.text("tray-paused", &[])
                } else {
                    text.mode_now(o.mode)
                };
                match o.until {
                    None => text.text("tray-untilResumed", &[("what", &what)]),
                    Some(until) => text.left(&what, until.duration_since(now)),
                }
            }
        };
        TrayState {
            icon,
            tooltip,
            override_line,
        }
    }
}

/// "2 h 05 min", "12 min", "under a minute"; rounded up to whole minutes so it never shows 0.
pub fn time_left(d: jiff::SignedDuration) -> String {
    time_left_in(TrayText::English, d)
}

/// [`time_left`] in `text`'s language.
fn time_left_in(text: TrayText, d: jiff::SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    let mins = (secs + 59) / 60;
    match mins {
        0 => text.text("tray-underAMinute", &[]),
        m if m < 60 => text.text("tray-minutes", &[("minutes", &m.to_string())]),
        m => text.text(
            "tray-hoursMinutes",
            &[
                ("hours", &(m / 60).to_string()),
                ("minutes", &format!("{:02}", m % 60)),
            ],
        ),
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

    use crate::test_agent::snapshot;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_tray_shows_mode_hottest_temperature_and_demo() {
        let (mut s, agent, _dir) = snapshot().await;
        s.gpus[0].mode = Mode::Volunteer;
        s.gpus[1].mode = Mode::Idle;
        s.gpus[0].reading.as_mut().unwrap().temp_c = Some(61.4);
        s.gpus[1].reading.as_mut().unwrap().temp_c = Some(72.6);
        let tray = TrayState::of(&s, s.at, &TrayText::English);
        assert_eq!(tray.icon, TrayIconKind::Volunteer);
        assert_eq!(tray.tooltip, "Overtime — Volunteer / Idle · 73 °C · demo");
        assert_eq!(tray.override_line, "Automatic");
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
        let tray = TrayState::of(&s, now, &TrayText::English);
        assert_eq!(tray.icon, TrayIconKind::Paused);
        assert_eq!(tray.override_line, "Paused — 52 min left");
        let german = TrayState::of(&s, now, &TrayText::German);
        assert_eq!(german.override_line, "Pausiert — noch 52 min");
        assert!(german.tooltip.starts_with("Overtime — Leerlauf"));

        s.gpus[1].reason = Reason::CriticalTemperature {
            temp_c: 93.0,
            limit_c: 90.0,
        };
        let tray = TrayState::of(&s, now, &TrayText::English);
        assert_eq!(tray.icon, TrayIconKind::Alert);
        assert!(
            tray.tooltip
                .ends_with("\nIdle — 93 °C reached the critical limit of 90 °C, all work stopped"),
            "{}",
            tray.tooltip
        );
        let german = TrayState::of(&s, now, &TrayText::German);
        assert!(
            german.tooltip.ends_with(
                "\nLeerlauf — 93 °C: kritische Grenze von 90 °C erreicht, alle Arbeit ist gestoppt"
            ),
            "{}",
            german.tooltip
        );

        // An expired override no longer shows.
        let later = now + SignedDuration::from_hours(1);
        s.gpus[1].reason = Reason::Starting;
        assert_eq!(
            TrayState::of(&s, later, &TrayText::English).override_line,
            "Automatic"
        );
        agent.stop().await;
    }

    #[test]
    fn todays_net_is_written_in_the_languages_money_format() {
        use overtime_core::money::{Currency, Money};
        let eur = Money::new("1234.56".parse().unwrap(), Currency::new("EUR").unwrap());
        let usd = Money::new("-0.4".parse().unwrap(), Currency::usd());
        assert_eq!(
            TrayText::German.money(&[eur.clone(), usd.clone()]),
            "1.234,56\u{a0}€ + -0,40\u{a0}$"
        );
        assert_eq!(TrayText::English.money(&[eur, usd]), "€1,234.56 + -$0.40");
        assert_eq!(TrayText::English.money(&[]), "0");
    }

    #[test]
    fn the_tray_speaks_german_where_the_system_does() {
        assert_eq!(TrayText::for_locale("de_DE.UTF-8"), TrayText::German);
        assert_eq!(TrayText::for_locale("de_AT"), TrayText::German);
        assert_eq!(TrayText::for_locale("en_US.UTF-8"), TrayText::English);
        assert_eq!(TrayText::for_locale("C"), TrayText::English);
        assert_eq!(TrayText::German.entry(MenuEntry::Quit), "Beenden");
        assert_eq!(
            TrayText::English.entry(MenuEntry::PauseThreeHours),
            "Pause for 3 h"
        );
    }
}
