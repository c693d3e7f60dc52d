//! Folds per-tick readings of one GPU into per-minute roll-ups, pure (no clock, no I/O).
//!
//! The agent reads sensors every second; the ledger keeps one row per GPU-minute. Feed each
//! reading with the energy step the [`crate::EnergyMeter`] booked for it; a finished minute
//! comes back when the first reading of the next minute arrives.

use jiff::Timestamp;

use crate::energy::{EnergySource, EnergyStep};
use crate::event::MinuteRollup;

#[derive(Debug, Clone, Default)]
struct Stat {
    min: Option<f64>,
    max: Option<f64>,
    sum: f64,
    n: u32,
}

impl Stat {
    fn push(&mut self, v: Option<f64>) {
        let Some(v) = v.filter(|v| v.is_finite()) else {
            return;
        };
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
        self.sum += v;
        self.n += 1;
    }

    fn avg(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / f64::from(self.n))
    }
}

/// Builds [`MinuteRollup`]s for one GPU.
#[derive(Debug, Clone)]
pub struct MinuteRollupBuilder {
    gpu_uuid: String,
    minute_s: Option<i64>,
    temp: Stat,
    load: Stat,
    power: Stat,
    energy_wh: f64,
    counter_steps: u32,
    integrated_steps: u32,
}

impl MinuteRollupBuilder {
    pub fn new(gpu_uuid: impl Into<String>) -> MinuteRollupBuilder {
        MinuteRollupBuilder {
            gpu_uuid: gpu_uuid.into(),
            minute_s: None,
            temp: Stat::default(),
            load: Stat::default(),
            power: Stat::default(),
            energy_wh: 0.0,
            counter_steps: 0,
            integrated_steps: 0,
        }
    }

    /// Adds one reading taken at `at`. Returns the previous minute once `at` falls in a later
    /// minute. A reading from an earlier minute than the current one is ignored.
    pub fn push(
        &mut self,
        at: Timestamp,
        temp_c: Option<f64>,
        load_pct: Option<f64>,
        power_w: Option<f64>,
        step: Option<EnergyStep>,
    ) -> Option<MinuteRollup> {
        let minute_s = at.as_second().div_euclid(60) * 60;
        let finished = match self.minute_s {
            Some(current) if minute_s < current => return None,
            Some(current) if minute_s > current => self.finish(),
            _ => None,
        };
        self.minute_s = Some(minute_s);
        self.temp.push(temp_c);
        self.load.push(load_pct);
        self.power.push(power_w);
        if let Some(step) = step {
            self.energy_wh += step.energy_wh;
            match step.source {
                EnergySource::Counter => self.counter_steps += 1,
                EnergySource::Integrated => self.integrated_steps += 1,
            }
        }
        finished
    }

    /// Ends the current minute now (at shutdown), if it has any reading.
    pub fn finish(&mut self) -> Option<MinuteRollup> {
        let minute_s = self.minute_s.take()?;
        let rollup = MinuteRollup {
            gpu_uuid: self.gpu_uuid.clone(),
            minute: Timestamp::from_second(minute_s).ok()?,
            temp_min_c: self.temp.min,
            temp_avg_c: self.temp.avg(),
            temp_max_c: self.temp.max,
            load_avg_pct: self.load.avg(),
            power_avg_w: self.power.avg(),
            energy_wh: self.energy_wh,
            // A minute that mixed sources is labelled by the one that booked most steps.
            energy_source: if self.counter_steps >= self.integrated_steps && self.counter_steps > 0
            {
                EnergySource::Counter
            } else {
                EnergySource::Integrated
            },
        };
        self.temp = Stat::default();
        self.load = Stat::default();
        self.power = Stat::default();
        self.energy_wh = 0.0;
        self.counter_steps = 0;
        self.integrated_steps = 0;
        Some(rollup)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_is_emitted_when_the_next_one_starts() {
        let mut b = MinuteRollupBuilder::new("GPU-1");
        let t0 = Timestamp::from_second(1_749_999_980).unwrap(); // 20 s into a minute
        let step = |wh| {
            Some(EnergyStep {
                energy_wh: wh,
                source: EnergySource::Counter,
            })
        };
        assert!(
            b.push(t0, Some(60.0), Some(90.0), Some(300.0), step(0.1))
                .is_none()
        );
        assert!(
            b.push(
                t0 + jiff::SignedDuration::from_secs(30),
                Some(70.0),
                Some(100.0),
                Some(320.0),
                step(0.2)
            )
            .is_none()
        );
        let m = b
            .push(
                t0 + jiff::SignedDuration::from_secs(45),
                Some(71.0),
                None,
                None,
                step(0.05),
            )
            .unwrap();
        assert_eq!(m.minute.as_second(), 1_749_999_980 / 60 * 60);
        assert_eq!(
            (m.temp_min_c, m.temp_max_c, m.temp_avg_c),
            (Some(60.0), Some(70.0), Some(65.0))
        );
        assert_eq!(m.load_avg_pct, Some(95.0));
        assert_eq!(m.power_avg_w, Some(310.0));
        assert!((m.energy_wh - 0.3).abs() < 1e-12);
        assert_eq!(m.energy_source, EnergySource::Counter);
        let last = b.finish().unwrap();
        assert!((last.energy_wh - 0.05).abs() < 1e-12);
        assert_eq!(last.load_avg_pct, None);
        assert!(b.finish().is_none());
    }
}
