//! The dashboard's 48-hour strip: what each GPU did over the past 24 hours (the ledger's mode
//! sessions) and what the weekly schedule allows over the next 24 (the core's plan), with the
//! local hour ticks of the configured time zone, DST included.
//!
//! [`build`] is a plain function of its inputs (tested below against a real
//! ledger file), and [`timeline`] only gathers those inputs from a snapshot.

use std::path::PathBuf;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_core::Mode;
use overtime_core::schedule::Schedule;
use overtime_ledger::{FigureFilter, LedgerStore};
use serde::Serialize;
use ts_rs::TS;

use crate::error::AgentError;
use crate::snapshot::AgentSnapshot;

/// How far back the recorded modes reach.
pub const PAST: SignedDuration = SignedDuration::from_hours(24);
/// How far ahead the schedule's plan reaches.
pub const AHEAD: SignedDuration = SignedDuration::from_hours(24);

/// Offsets of every zone in use are whole multiples of 15 minutes (Nepal's +05:45 included),
/// so a local whole hour always falls on one of these steps.
const TICK_SCAN_STEP: SignedDuration = SignedDuration::from_mins(15);

/// Everything the strip draws. Instants are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiTimeline {
    /// `now − 24 h`: the strip's left edge.
    #[ts(type = "number")]
    pub from_ms: i64,
    #[ts(type = "number")]
    pub now_ms: i64,
    /// `now + 24 h`: the strip's right edge.
    #[ts(type = "number")]
    pub to_ms: i64,
    /// IANA name of the zone the ticks and the plan are in.
    pub timezone: String,
    /// Whether the past half could be drawn from the ledger, and if not, why.
    pub history: HistoryState,
    /// Set when `history` is `unreadable`: what went wrong and what to do.
    pub history_error: Option<String>,
    /// One row per GPU, in the agent's order; `spans` empty when no history is shown.
    pub gpus: Vec<UiGpuTimeline>,
    /// The schedule's allowed modes from now to `to_ms`, shared by every GPU.
    pub plan: Vec<UiPlanSpan>,
    /// Every whole local hour in `[from_ms, to_ms]`, in order. Around a DST change an hour
    /// may be missing (spring forward) or appear twice (fall back).
    pub hour_ticks: Vec<UiHourTick>,
}

/// Why the past half of the strip is, or is not, drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HistoryState {
    /// Drawn from the ledger's sessions.
    Recorded,
    /// This agent keeps no ledger, so there is no history to draw.
    NotKept,
    /// The ledger exists but could not be read (see `history_error`).
    Unreadable,
}

/// The past 24 hours of one GPU.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiGpuTimeline {
    pub uuid: String,
    pub index: u32,
    pub name: String,
    /// Recorded sessions clipped to `[from_ms, now_ms]`, oldest first. Gaps are times no
    /// session was recorded (Overtime was not running).
    pub spans: Vec<UiSpan>,
}

/// One recorded mode session, clipped to the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UiSpan {
    #[ts(type = "number")]
    pub start_ms: i64,
    #[ts(type = "number")]
    pub end_ms: i64,
    pub mode: Mode,
    /// Still going: the GPU is in this mode now (the span ends at `now_ms`).
    pub open: bool,
}

/// A stretch of the next 24 hours with one set of allowed modes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UiPlanSpan {
    #[ts(type = "number")]
    pub start_ms: i64,
    #[ts(type = "number")]
    pub end_ms: i64,
    /// What the schedule allows (`["idle"]` when it allows no work). Which one runs is still
    /// up to the policy (games, temperature, prices).
    pub modes: Vec<Mode>,
    /// The window's name or hours ("23:30–09:00"); `null` outside every window.
    pub window: Option<String>,
}

/// A whole local hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct UiHourTick {
    #[ts(type = "number")]
    pub at_ms: i64,
    /// 0–23 on the local wall clock, so labels can be put on, say, every sixth hour.
    pub hour: u8,
}

/// Where the past half comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerSource {
    NotKept,
    /// The agent could not open its ledger at start; the message says why.
    Failed(String),
    File(PathBuf),
}

/// A GPU row: UUID, index, name, and its mode now as the agent's snapshot has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuRow {
    pub uuid: String,
    pub index: u32,
    pub name: String,
    /// The mode the GPU is in and since when. The ledger's writer lags up to a second behind
    /// a change, so the snapshot, not the file, says how the strip ends at "now".
    pub current: Option<(Mode, Timestamp)>,
}

/// What [`build`] needs.
pub struct TimelineInputs<'a> {
    pub now: Timestamp,
    pub tz: &'a TimeZone,
    pub timezone: String,
    pub schedule: &'a Schedule,
    pub gpus: Vec<GpuRow>,
    pub ledger: LedgerSource,
}

/// The strip around `now`. A ledger that cannot be read leaves the past half empty with
/// `history: unreadable` and the reason; the plan is still given.
pub fn build(inputs: TimelineInputs<'_>) -> UiTimeline {
    let now = inputs.now;
    let from = now - PAST;
    let to = now + AHEAD;
    let (history, history_error, sessions) = match &inputs.ledger {
        LedgerSource::NotKept => (HistoryState::NotKept, None, Vec::new()),
        LedgerSource::Failed(e) => (HistoryState::Unreadable, Some(e.clone()), Vec::new()),
        LedgerSource::File(path) => match read_sessions(path, from, now) {
            Ok(s) => (HistoryState::Recorded, None, s),
            Err(e) => (HistoryState::Unreadable, Some(e.to_string()), Vec::new()),
        },
    };
    let gpus = inputs
        .gpus
        .into_iter()
        .map(|g| UiGpuTimeline {
            spans: if history == HistoryState::Recorded {
                spans_of(&sessions, &g.uuid, g.current, from, now)
            } else {
                Vec::new()
            },
            uuid: g.uuid,
            index: g.index,
            name: g.name,
        })
        .collect();
    let plan = inputs
        .schedule
        .timeline(now, to, inputs.tz)
        .into_iter()
        .map(|s| UiPlanSpan {
            start_ms: s.start.as_millisecond(),
            end_ms: s.end.as_millisecond(),
            modes: s.modes.modes().into_iter().collect(),
            window: s.window_name,
        })
        .collect();
    UiTimeline {
        from_ms: from.as_millisecond(),
        now_ms: now.as_millisecond(),
        to_ms: to.as_millisecond(),
        timezone: inputs.timezone,
        history,
        history_error,
        gpus,
        plan,
        hour_ticks: hour_ticks(from, to, inputs.tz),
    }
}

fn read_sessions(
    path: &std::path::Path,
    from: Timestamp,
    now: Timestamp,
) -> Result<Vec<overtime_ledger::Session>, overtime_ledger::LedgerError> {
    let store = LedgerStore::open_reader(path)?;
    // `now + 1 ms` so a session that began at this very instant is not lost.
    store.sessions(
        from,
        now + SignedDuration::from_millis(1),
        &FigureFilter::default(),
    )
}

/// One GPU's sessions clipped to `[from, now]`; an open session runs to `now`. With the
/// current mode known, recorded sessions stop where it began and it runs from there to `now`.
fn spans_of(
    sessions: &[overtime_ledger::Session],
    uuid: &str,
    current: Option<(Mode, Timestamp)>,
    from: Timestamp,
    now: Timestamp,
) -> Vec<UiSpan> {
    let live_from = current.map_or(now, |(_, since)| since.clamp(from, now));
    let mut spans: Vec<UiSpan> = sessions
        .iter()
        .filter(|s| s.gpu_uuid == uuid)
        .filter_map(|s| {
            let mut end = s.end.unwrap_or(now).min(now);
            let mut open = s.end.is_none();
            if current.is_some() && end > live_from {
                end = live_from;
                open = false;
            }
            let start = s.start.max(from);
            (end > start).then(|| UiSpan {
                start_ms: start.as_millisecond(),
                end_ms: end.as_millisecond(),
                mode: s.mode,
                open,
            })
        })
        .collect();
    if let Some((mode, _)) = current
        && now > live_from
    {
        spans.push(UiSpan {
            start_ms: live_from.as_millisecond(),
            end_ms: now.as_millisecond(),
            mode,
            open: true,
        });
    }
    spans
}

/// Whole local hours in `[from, to]`, found by walking quarter hours and keeping those the
/// wall clock shows as `HH:00`; the zone database decides, so DST needs no special case.
fn hour_ticks(from: Timestamp, to: Timestamp, tz: &TimeZone) -> Vec<UiHourTick> {
    let step_s = TICK_SCAN_STEP.as_secs();
    let first_s = from.as_second().div_euclid(step_s) * step_s;
    let mut out = Vec::with_capacity(50);
    let mut s = first_s;
    while s <= to.as_second() {
        if let Ok(t) = Timestamp::from_second(s)
            && t >= from
        {
            let local = t.to_zoned_datetime(tz.clone());
            if local.minute() == 0 && local.second() == 0 {
                out.push(UiHourTick {
                    at_ms: t.as_millisecond(),
                    hour: u8::try_from(local.hour()).unwrap_or(0),
                });
            }
        }
        s += step_s;
    }
    out
}

/// The strip as of now, for the dashboard (`timeline` method). Reads the ledger on a blocking
/// thread so the agent's runtime never waits on the disk.
pub async fn timeline(
    snapshot: &AgentSnapshot,
    schedule: Schedule,
) -> Result<UiTimeline, AgentError> {
    let ledger = match &snapshot.ledger {
        None => LedgerSource::NotKept,
        Some(l) if l.path.is_empty() => LedgerSource::Failed(
            l.last_error
                .clone()
                .unwrap_or_else(|| "the earnings ledger could not be opened".to_owned()),
        ),
        Some(l) => LedgerSource::File(PathBuf::from(&l.path)),
    };
    let gpus = snapshot
        .gpus
        .iter()
        .map(|g| GpuRow {
            uuid: g.gpu.uuid.clone(),
            index: g.gpu.index,
            name: g.gpu.name.clone(),
            current: Some((g.mode, g.since)),
        })
        .collect();
    let timezone = snapshot.timezone.clone();
    let tz = snapshot.time_zone();
    tokio::task::spawn_blocking(move || {
        build(TimelineInputs {
            now: Timestamp::now(),
            tz: &tz,
            timezone,
            schedule: &schedule,
            gpus,
            ledger,
        })
    })
    .await
    .map_err(|e| {
        AgentError::Rejected(format!(
            "reading the 24-hour timeline failed unexpectedly ({e}); reopen the dashboard to try again"
        ))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use overtime_core::schedule::{ModeSet, Window};
    use overtime_ledger::{Event, SessionStart};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn ms(s: &str) -> i64 {
        ts(s).as_millisecond()
    }

    fn gpu(uuid: &str, index: u32) -> GpuRow {
        GpuRow {
            uuid: uuid.into(),
            index,
            name: format!("GPU {index}"),
            current: None,
        }
    }

    fn started(gpu: &str, at: &str, mode: Mode) -> Event {
        Event::SessionStarted(SessionStart {
            gpu_uuid: gpu.into(),
            at: ts(at),
            mode,
            provider: None,
            reason_code: "schedule".into(),
            reason: "test".into(),
            price_per_hour: None,
        })
    }

    /// A ledger file holding `events`, as the agent's writer would leave it.
    fn ledger_with(dir: &tempfile::TempDir, events: &[Event]) -> PathBuf {
        let path = dir.path().join("ledger.sqlite");
        let (mut store, _) = LedgerStore::open(&path).unwrap();
        store.apply(events).unwrap();
        path
    }

    fn inputs<'a>(
        now: &str,
        tz: &'a TimeZone,
        schedule: &'a Schedule,
        ledger: LedgerSource,
    ) -> TimelineInputs<'a> {
        TimelineInputs {
            now: ts(now),
            tz,
            timezone: "UTC".into(),
            schedule,
            gpus: vec![gpu("GPU-0", 0), gpu("GPU-1", 1)],
            ledger,
        }
    }

    #[test]
    fn sessions_crossing_the_left_edge_are_clipped_and_the_open_one_runs_to_now() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_with(
            &dir,
            &[
                // Begins two days back, ends inside the window.
                started("GPU-0", "2026-03-08T06:00:00Z", Mode::Idle),
                started("GPU-0", "2026-03-09T18:00:00Z", Mode::Volunteer),
                // Still open.
                started("GPU-0", "2026-03-10T09:00:00Z", Mode::Rental),
                // Entirely before the window: left out.
                started("GPU-1", "2026-03-08T01:00:00Z", Mode::Volunteer),
                Event::SessionEnded {
                    gpu_uuid: "GPU-1".into(),
                    at: ts("2026-03-08T02:00:00Z"),
                },
            ],
        );
        let schedule = Schedule::always(ModeSet::ALL);
        let t = build(inputs(
            "2026-03-10T12:00:00Z",
            &TimeZone::UTC,
            &schedule,
            LedgerSource::File(path),
        ));
        assert_eq!(t.history, HistoryState::Recorded);
        assert_eq!(t.from_ms, ms("2026-03-09T12:00:00Z"));
        assert_eq!(t.to_ms, ms("2026-03-11T12:00:00Z"));
        assert_eq!(
            t.gpus[0].spans,
            vec![
                UiSpan {
                    start_ms: ms("2026-03-09T12:00:00Z"),
                    end_ms: ms("2026-03-09T18:00:00Z"),
                    mode: Mode::Idle,
                    open: false
                },
                UiSpan {
                    start_ms: ms("2026-03-09T18:00:00Z"),
                    end_ms: ms("2026-03-10T09:00:00Z"),
                    mode: Mode::Volunteer,
                    open: false
                },
                UiSpan {
                    start_ms: ms("2026-03-10T09:00:00Z"),
                    end_ms: ms("2026-03-10T12:00:00Z"),
                    mode: Mode::Rental,
                    open: true
                },
            ]
        );
        assert!(
            t.gpus[1].spans.is_empty(),
            "GPU 1 has nothing in the window"
        );
    }

    #[test]
    fn the_strip_ends_in_the_mode_the_agent_reports_now_even_before_the_ledger_has_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_with(
            &dir,
            &[started("GPU-0", "2026-03-10T09:00:00Z", Mode::Volunteer)],
        );
        let schedule = Schedule::always(ModeSet::ALL);
        let utc = TimeZone::UTC;
        let mut i = inputs(
            "2026-03-10T12:00:00Z",
            &utc,
            &schedule,
            LedgerSource::File(path),
        );
        // A game started half a second ago; the writer has not flushed the new session yet.
        i.gpus[0].current = Some((Mode::Idle, ts("2026-03-10T11:59:59.5Z")));
        i.gpus[1].current = Some((Mode::Rental, ts("2026-03-01T00:00:00Z")));
        let t = build(i);
        assert_eq!(
            t.gpus[0].spans,
            vec![
                UiSpan {
                    start_ms: ms("2026-03-10T09:00:00Z"),
                    end_ms: ms("2026-03-10T11:59:59.5Z"),
                    mode: Mode::Volunteer,
                    open: false
                },
                UiSpan {
                    start_ms: ms("2026-03-10T11:59:59.5Z"),
                    end_ms: ms("2026-03-10T12:00:00Z"),
                    mode: Mode::Idle,
                    open: true
                },
            ]
        );
        assert_eq!(
            t.gpus[1].spans,
            vec![UiSpan {
                start_ms: t.from_ms,
                end_ms: t.now_ms,
                mode: Mode::Rental,
                open: true
            }],
            "a mode held for days fills the whole past half"
        );
    }

    #[test]
    fn without_a_ledger_only_the_plan_is_given_and_the_reason_is_named() {
        let schedule = Schedule::always(ModeSet::ALL);
        let t = build(inputs(
            "2026-03-10T12:00:00Z",
            &TimeZone::UTC,
            &schedule,
            LedgerSource::NotKept,
        ));
        assert_eq!(t.history, HistoryState::NotKept);
        assert!(t.gpus.iter().all(|g| g.spans.is_empty()));
        assert_eq!(t.gpus.len(), 2, "every GPU still gets its row for the plan");
        assert_eq!(t.plan.len(), 1);
        assert_eq!(t.plan[0].modes, vec![Mode::Rental, Mode::Volunteer]);

        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("ledger.sqlite");
        std::fs::write(&broken, b"this is not a database, just some text").unwrap();
        let t = build(inputs(
            "2026-03-10T12:00:00Z",
            &TimeZone::UTC,
            &schedule,
            LedgerSource::File(broken),
        ));
        assert_eq!(t.history, HistoryState::Unreadable);
        assert!(t.history_error.unwrap().contains("ledger.sqlite"));
        assert_eq!(t.plan.len(), 1, "the plan does not depend on the ledger");
    }

    /// Every evening 22:00–06:00 volunteer only; the rest of the day anything.
    fn nights() -> Schedule {
        Schedule {
            windows: vec![Window {
                name: Some("nights".into()),
                days: [true; 7],
                start_min: 22 * 60,
                end_min: 6 * 60,
                modes: ModeSet::from_modes(&[Mode::Volunteer]),
            }],
            default_modes: ModeSet::from_modes(&[Mode::Rental]),
        }
    }

    #[test]
    fn the_plan_crosses_midnight_in_the_configured_zone() {
        let tz = jiff::tz::db().get("Europe/Berlin").unwrap();
        let schedule = nights();
        // 12:00 in Berlin (UTC+1 in January).
        let t = build(inputs(
            "2026-01-15T11:00:00Z",
            &tz,
            &schedule,
            LedgerSource::NotKept,
        ));
        let plan: Vec<_> = t
            .plan
            .iter()
            .map(|p| (p.start_ms, p.end_ms, p.modes.clone(), p.window.clone()))
            .collect();
        assert_eq!(
            plan,
            vec![
                (
                    ms("2026-01-15T11:00:00Z"),
                    ms("2026-01-15T21:00:00Z"),
                    vec![Mode::Rental],
                    None
                ),
                (
                    ms("2026-01-15T21:00:00Z"),
                    ms("2026-01-16T05:00:00Z"),
                    vec![Mode::Volunteer],
                    Some("nights".into())
                ),
                (
                    ms("2026-01-16T05:00:00Z"),
                    ms("2026-01-16T11:00:00Z"),
                    vec![Mode::Rental],
                    None
                ),
            ]
        );
    }

    #[test]
    fn over_the_spring_forward_night_the_plan_and_the_ticks_follow_the_wall_clock() {
        let tz = jiff::tz::db().get("Europe/Berlin").unwrap();
        let schedule = nights();
        // Berlin springs forward on 2026-03-29 at 02:00 → 03:00. Now: 28 March 12:00 CET.
        let t = build(inputs(
            "2026-03-28T11:00:00Z",
            &tz,
            &schedule,
            LedgerSource::NotKept,
        ));
        // The night window runs 22:00 CET to 06:00 CEST: seven hours, not eight.
        let night = t
            .plan
            .iter()
            .find(|p| p.window.is_some())
            .expect("the night window is in the plan");
        assert_eq!(night.start_ms, ms("2026-03-28T21:00:00Z"));
        assert_eq!(night.end_ms, ms("2026-03-29T04:00:00Z"));

        let hours: Vec<u8> = t
            .hour_ticks
            .iter()
            .filter(|h| h.at_ms > t.now_ms)
            .map(|h| h.hour)
            .collect();
        assert!(!hours.contains(&2), "02:00 does not exist that night");
        assert_eq!(
            hours,
            [
                13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                13
            ],
            "the wall clock skips from 01:00 to 03:00, yet every real hour is ticked"
        );
        assert!(t.hour_ticks.windows(2).all(|w| w[0].at_ms < w[1].at_ms));
    }

    #[test]
    fn over_the_fall_back_night_one_hour_is_ticked_twice() {
        let tz = jiff::tz::db().get("Europe/Berlin").unwrap();
        let schedule = Schedule::always(ModeSet::ALL);
        // Berlin falls back on 2026-10-25 at 03:00 → 02:00. Now: 25 October 12:00 CET.
        let t = build(inputs(
            "2026-10-25T11:00:00Z",
            &tz,
            &schedule,
            LedgerSource::NotKept,
        ));
        let past_twos = t
            .hour_ticks
            .iter()
            .filter(|h| h.at_ms <= t.now_ms && h.hour == 2)
            .count();
        assert_eq!(past_twos, 2, "02:00 happened twice last night");
        // Berlin's offsets are whole hours: every real hour of the closed 48 h range is ticked.
        assert_eq!(t.hour_ticks.len(), 48 + 1);
    }

    #[test]
    fn hour_ticks_land_on_local_whole_hours_in_zones_with_odd_offsets() {
        let tz = jiff::tz::db().get("Asia/Kathmandu").unwrap();
        let schedule = Schedule::always(ModeSet::ALL);
        let t = build(inputs(
            "2026-03-10T12:07:00Z",
            &tz,
            &schedule,
            LedgerSource::NotKept,
        ));
        assert_eq!(t.hour_ticks.len(), 48);
        for tick in &t.hour_ticks {
            let local = Timestamp::from_millisecond(tick.at_ms)
                .unwrap()
                .to_zoned_datetime(tz.clone());
            assert_eq!(
                (local.minute(), local.hour()),
                (0, i8::try_from(tick.hour).unwrap())
            );
        }
    }
}
