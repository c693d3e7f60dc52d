//! Mode sessions as recorded, for timelines and history views: which mode each GPU was in,
//! from when to when. The figures already read sessions internally; this is the public,
//! read-only door to the same rows, so a front end never needs SQL of its own.

use jiff::Timestamp;
use overtime_core::Mode;
use overtime_core::money::Money;

use crate::error::LedgerError;
use crate::figures::FigureFilter;
use crate::store::LedgerStore;

/// One recorded mode session of one GPU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub gpu_uuid: String,
    pub start: Timestamp,
    /// `None` while the session is still open (the GPU is in this mode now).
    pub end: Option<Timestamp>,
    pub mode: Mode,
    pub provider: Option<String>,
    pub reason_code: String,
    /// The sentence shown when the session began ("Idle — game running: eldenring.exe").
    pub reason: String,
    /// The contract price while a rental was paid; `None` otherwise.
    pub price_per_hour: Option<Money>,
}

impl LedgerStore {
    /// Every session that overlaps `[from, to)` and matches `filter`, oldest first, unclipped
    /// (a session that began before `from` keeps its own start).
    pub fn sessions(
        &self,
        from: Timestamp,
        to: Timestamp,
        filter: &FigureFilter,
    ) -> Result<Vec<Session>, LedgerError> {
        let rows = self.sessions_overlapping(from.as_millisecond(), to.as_millisecond(), filter)?;
        rows.into_iter()
            .map(|r| {
                let instant = |ms: i64| {
                    Timestamp::from_millisecond(ms).map_err(|e| {
                        LedgerError::BadValue(format!("session {}: time {ms} ms: {e}", r.id))
                    })
                };
                Ok(Session {
                    id: r.id,
                    start: instant(r.start_ms)?,
                    end: r.end_ms.map(instant).transpose()?,
                    gpu_uuid: r.gpu_uuid,
                    mode: r.mode,
                    provider: r.provider,
                    reason_code: r.reason_code,
                    reason: r.reason,
                    price_per_hour: r.price_per_hour,
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::event::{Event, SessionStart};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn start(gpu: &str, at: &str, mode: Mode) -> Event {
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

    #[test]
    fn sessions_overlapping_the_range_come_back_unclipped_and_the_open_one_without_an_end() {
        let mut store = LedgerStore::open_in_memory().unwrap();
        store
            .apply(&[
                start("GPU-0", "2026-03-01T08:00:00Z", Mode::Idle),
                start("GPU-0", "2026-03-01T10:00:00Z", Mode::Volunteer),
                start("GPU-0", "2026-03-01T12:00:00Z", Mode::Rental),
                start("GPU-1", "2026-03-01T11:00:00Z", Mode::Idle),
            ])
            .unwrap();
        let got = store
            .sessions(
                ts("2026-03-01T09:00:00Z"),
                ts("2026-03-01T11:30:00Z"),
                &FigureFilter {
                    gpu_uuid: Some("GPU-0".into()),
                    ..FigureFilter::default()
                },
            )
            .unwrap();
        let spans: Vec<_> = got.iter().map(|s| (s.mode, s.start, s.end)).collect();
        assert_eq!(
            spans,
            vec![
                (
                    Mode::Idle,
                    ts("2026-03-01T08:00:00Z"),
                    Some(ts("2026-03-01T10:00:00Z"))
                ),
                (
                    Mode::Volunteer,
                    ts("2026-03-01T10:00:00Z"),
                    Some(ts("2026-03-01T12:00:00Z"))
                ),
            ]
        );
        let open = store
            .sessions(
                ts("2026-03-01T13:00:00Z"),
                ts("2026-03-01T14:00:00Z"),
                &FigureFilter::default(),
            )
            .unwrap();
        assert_eq!(open.len(), 2, "both GPUs' last sessions are still open");
        assert!(open.iter().all(|s| s.end.is_none()));
    }
}
