//! The last hour of each GPU's chart readings, kept by the resident process so a dashboard
//! window that opens (a new process each time) draws its 1-hour charts at once instead of
//! starting empty.
//!
//! Cost: one row of 20 bytes per GPU per snapshot, at most an hour of them — about 72 KB per GPU
//! at 1 Hz (a little more while wake-ups add snapshots), dropped as it ages.

use std::collections::{HashMap, VecDeque};

use overtime_agent::AgentSnapshot;
use serde::Serialize;
use ts_rs::TS;

/// How far back the log reaches, in milliseconds.
pub const SPAN_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Row {
    at_ms: i64,
    temp_c: f32,
    load_pct: f32,
    power_w: f32,
}

/// Readings per GPU, oldest first.
#[derive(Debug, Default)]
pub struct RecentReadings {
    gpus: HashMap<String, VecDeque<Row>>,
}

/// One GPU's readings as columns (`null` where the GPU gave none).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UiRecentGpu {
    pub uuid: String,
    #[ts(type = "number[]")]
    pub t_ms: Vec<i64>,
    pub temp_c: Vec<Option<f32>>,
    pub load_pct: Vec<Option<f32>>,
    pub power_w: Vec<Option<f32>>,
}

fn or_nan(v: Option<f64>) -> f32 {
    v.map_or(f32::NAN, |x| x as f32)
}

fn or_none(v: f32) -> Option<f32> {
    (!v.is_nan()).then_some(v)
}

impl RecentReadings {
    pub fn new() -> RecentReadings {
        RecentReadings::default()
    }

    /// Takes `snapshot`'s readings; GPUs gone from it are forgotten.
    pub fn record(&mut self, snapshot: &AgentSnapshot) {
        let at_ms = snapshot.at.as_millisecond();
        self.gpus
            .retain(|uuid, _| snapshot.gpus.iter().any(|g| &g.gpu.uuid == uuid));
        for g in &snapshot.gpus {
            let rows = self.gpus.entry(g.gpu.uuid.clone()).or_default();
            // Snapshots come in order; one that is not newer (a replay) adds nothing.
            if rows.back().is_some_and(|r| r.at_ms >= at_ms) {
                continue;
            }
            let r = g.reading.as_ref();
            rows.push_back(Row {
                at_ms,
                temp_c: or_nan(r.and_then(|r| r.temp_c)),
                load_pct: or_nan(r.and_then(|r| r.load_pct)),
                power_w: or_nan(r.and_then(|r| r.power_w)),
            });
            while rows.front().is_some_and(|r| r.at_ms < at_ms - SPAN_MS) {
                rows.pop_front();
            }
        }
    }

    /// Everything kept, per GPU, for a window that has just opened.
    pub fn view(&self) -> Vec<UiRecentGpu> {
        let mut out: Vec<UiRecentGpu> = self
            .gpus
            .iter()
            .map(|(uuid, rows)| UiRecentGpu {
                uuid: uuid.clone(),
                t_ms: rows.iter().map(|r| r.at_ms).collect(),
                temp_c: rows.iter().map(|r| or_none(r.temp_c)).collect(),
                load_pct: rows.iter().map(|r| or_none(r.load_pct)).collect(),
                power_w: rows.iter().map(|r| or_none(r.power_w)).collect(),
            })
            .collect();
        out.sort_by(|a, b| a.uuid.cmp(&b.uuid));
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_hour_is_kept_per_gpu_in_order_with_gaps_as_null() {
        let (mut s, agent, _dir) = crate::test_agent::snapshot().await;
        let t0 = s.at;
        let mut log = RecentReadings::new();
        for i in 0..3700 {
            s.at = t0 + SignedDuration::from_secs(i);
            s.gpus[0].reading.as_mut().unwrap().temp_c = Some(50.0 + (i % 10) as f64);
            s.gpus[1].reading.as_mut().unwrap().temp_c = if i == 3699 { None } else { Some(60.0) };
            log.record(&s);
        }
        // A replayed (not newer) snapshot adds nothing.
        log.record(&s);
        let v = log.view();
        assert_eq!(v.len(), 2);
        let of = |uuid: &str| v.iter().find(|g| g.uuid == uuid).unwrap();
        let g0 = of(&s.gpus[0].gpu.uuid);
        assert_eq!(g0.t_ms.len(), 3601, "an hour and its first second");
        assert!(g0.t_ms.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            *g0.t_ms.last().unwrap(),
            (t0 + SignedDuration::from_secs(3699)).as_millisecond()
        );
        let g1 = of(&s.gpus[1].gpu.uuid);
        assert_eq!(
            g1.temp_c.last().copied().flatten(),
            None,
            "a missing reading stays a gap"
        );
        assert_eq!(g1.temp_c.first().copied().flatten(), Some(60.0));

        // A GPU that leaves the snapshot is forgotten.
        s.gpus.truncate(1);
        s.at += SignedDuration::from_secs(1);
        log.record(&s);
        assert_eq!(log.view().len(), 1);
        agent.stop().await;
    }
}
