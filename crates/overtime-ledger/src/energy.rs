//! Energy accounting per GPU, pure: samples in, watt-hours out, with the source that was used.
//!
//! NVML's energy counter is exact where the GPU has one; otherwise power samples are
//! integrated. A long gap between samples (a suspended PC) books nothing rather than guessing.

use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where an amount of energy came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnergySource {
    /// Difference of the GPU's cumulative energy counter.
    Counter,
    /// Power samples integrated over time (trapezoid rule).
    Integrated,
}

impl EnergySource {
    /// The word stored in the ledger and the CSV export.
    pub fn as_str(self) -> &'static str {
        match self {
            EnergySource::Counter => "counter",
            EnergySource::Integrated => "integrated",
        }
    }

    /// Parses what [`EnergySource::as_str`] wrote.
    pub fn parse(s: &str) -> Option<EnergySource> {
        match s {
            "counter" => Some(EnergySource::Counter),
            "integrated" => Some(EnergySource::Integrated),
            _ => None,
        }
    }
}

/// One sensor reading as the meter needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergySample {
    pub at: Timestamp,
    /// Cumulative energy since the driver loaded, in mJ, where the GPU reports it.
    pub energy_mj: Option<u64>,
    /// Instantaneous board power in W, where the GPU reports it.
    pub power_w: Option<f64>,
}

/// Energy booked for the step between two consecutive samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyStep {
    /// Watt-hours since the previous sample, ≥ 0.
    pub energy_wh: f64,
    pub source: EnergySource,
}

/// Turns a stream of samples of one GPU into energy steps. Keep one per GPU.
#[derive(Debug, Clone)]
pub struct EnergyMeter {
    max_gap: SignedDuration,
    last: Option<EnergySample>,
}

/// The default longest step integrated from power samples: longer gaps (suspend, a hung
/// driver) book nothing.
pub const DEFAULT_MAX_GAP: SignedDuration = SignedDuration::from_secs(30);

impl Default for EnergyMeter {
    fn default() -> Self {
        EnergyMeter::new(DEFAULT_MAX_GAP)
    }
}

impl EnergyMeter {
    /// A meter that refuses to integrate power over steps longer than `max_gap`.
    pub fn new(max_gap: SignedDuration) -> EnergyMeter {
        EnergyMeter {
            max_gap,
            last: None,
        }
    }

    /// Feeds one sample and returns the energy since the previous one.
    ///
    /// Returns `None` when nothing can be booked: the first sample, a sample not later than
    /// the previous one, a step longer than the maximum gap without a usable counter, or no
    /// power at either end. A counter that went down (driver reload, wrap) falls back to
    /// integrating power for that step.
    pub fn record(&mut self, sample: EnergySample) -> Option<EnergyStep> {
        let previous = self.last.replace(sample)?;
        let dt = sample.at.duration_since(previous.at);
        if dt <= SignedDuration::ZERO {
            // Time went backwards or repeated: keep the newer sample as the baseline and
            // book nothing rather than a negative or infinite amount.
            return None;
        }
        if let (Some(before), Some(now)) = (previous.energy_mj, sample.energy_mj)
            && now >= before
        {
            return Some(EnergyStep {
                energy_wh: (now - before) as f64 / 3_600_000.0,
                source: EnergySource::Counter,
            });
        }
        if dt > self.max_gap {
            return None;
        }
        let usable = |p: Option<f64>| p.filter(|w| w.is_finite() && *w >= 0.0);
        let mean_w = match (usable(previous.power_w), usable(sample.power_w)) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => return None,
        };
        Some(EnergyStep {
            energy_wh: mean_w * dt.as_secs_f64() / 3600.0,
            source: EnergySource::Integrated,
        })
    }
}

/// Energy drawn by the rest of the PC (CPU, board, fans, PSU losses) while a GPU works,
/// from the user's estimate of its extra wattage.
pub fn rest_of_pc_energy_wh(rest_of_pc_w: f64, working: SignedDuration) -> f64 {
    if !(rest_of_pc_w.is_finite() && rest_of_pc_w > 0.0) || working <= SignedDuration::ZERO {
        return 0.0;
    }
    rest_of_pc_w * working.as_secs_f64() / 3600.0
}

/// Watt-hours as an exact kWh decimal, rounded to whole mWh (far below any meter's resolution).
/// Non-finite or negative energy counts as zero.
pub fn wh_to_kwh_decimal(energy_wh: f64) -> Decimal {
    if !(energy_wh.is_finite() && energy_wh > 0.0) {
        return Decimal::ZERO;
    }
    Decimal::new((energy_wh * 1000.0).round() as i64, 6)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_750_000_000 + s).unwrap()
    }

    fn sample(s: i64, energy_mj: Option<u64>, power_w: Option<f64>) -> EnergySample {
        EnergySample {
            at: at(s),
            energy_mj,
            power_w,
        }
    }

    #[test]
    fn first_sample_books_nothing() {
        let mut m = EnergyMeter::default();
        assert_eq!(m.record(sample(0, Some(1000), Some(200.0))), None);
    }

    #[test]
    fn counter_deltas_win_over_power() {
        let mut m = EnergyMeter::default();
        m.record(sample(0, Some(10_000_000), Some(999.0)));
        // 3.6e6 mJ = 1 Wh, whatever power says.
        let step = m.record(sample(1, Some(13_600_000), Some(999.0))).unwrap();
        assert_eq!(step.source, EnergySource::Counter);
        assert!((step.energy_wh - 1.0).abs() < 1e-12);
    }

    #[test]
    fn counter_reset_falls_back_to_integration_for_that_step() {
        let mut m = EnergyMeter::default();
        m.record(sample(0, Some(50_000_000), Some(300.0)));
        let step = m.record(sample(10, Some(1_000), Some(300.0))).unwrap();
        assert_eq!(step.source, EnergySource::Integrated);
        assert!((step.energy_wh - 300.0 * 10.0 / 3600.0).abs() < 1e-9);
        // The next step uses the counter again from its new base.
        let step = m.record(sample(11, Some(3_601_000), Some(300.0))).unwrap();
        assert_eq!(step.source, EnergySource::Counter);
        assert!((step.energy_wh - 1.0).abs() < 1e-12);
    }

    #[test]
    fn power_is_integrated_with_the_trapezoid_rule() {
        let mut m = EnergyMeter::default();
        m.record(sample(0, None, Some(100.0)));
        let step = m.record(sample(18, None, Some(300.0))).unwrap();
        // mean 200 W for 18 s = 1 Wh.
        assert_eq!(step.source, EnergySource::Integrated);
        assert!((step.energy_wh - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_gap_longer_than_the_limit_books_nothing_without_a_counter() {
        let mut m = EnergyMeter::new(SignedDuration::from_secs(30));
        m.record(sample(0, None, Some(300.0)));
        assert_eq!(m.record(sample(3600, None, Some(300.0))), None);
        // After the gap, normal steps resume.
        assert!(m.record(sample(3601, None, Some(300.0))).is_some());
    }

    #[test]
    fn a_counter_reset_across_a_long_gap_books_nothing() {
        let mut m = EnergyMeter::new(SignedDuration::from_secs(30));
        m.record(sample(0, Some(9_000_000), Some(300.0)));
        assert_eq!(m.record(sample(7200, Some(5), Some(300.0))), None);
    }

    #[test]
    fn time_going_backwards_books_nothing() {
        let mut m = EnergyMeter::default();
        m.record(sample(10, None, Some(300.0)));
        assert_eq!(m.record(sample(5, None, Some(300.0))), None);
        assert_eq!(m.record(sample(5, None, Some(300.0))), None);
    }

    #[test]
    fn missing_or_nonsense_power_books_nothing() {
        let mut m = EnergyMeter::default();
        m.record(sample(0, None, None));
        assert_eq!(m.record(sample(1, None, Some(f64::NAN))), None);
        let step = m.record(sample(2, None, Some(360.0))).unwrap();
        // Only one end has a power: it is used alone.
        assert!((step.energy_wh - 0.1).abs() < 1e-12);
    }

    #[test]
    fn rest_of_pc_adds_its_wattage_over_working_time() {
        assert!((rest_of_pc_energy_wh(60.0, SignedDuration::from_mins(30)) - 30.0).abs() < 1e-12);
        assert_eq!(
            rest_of_pc_energy_wh(-5.0, SignedDuration::from_hours(1)),
            0.0
        );
        assert_eq!(
            rest_of_pc_energy_wh(60.0, SignedDuration::from_secs(-5)),
            0.0
        );
    }

    #[test]
    fn kwh_decimal_is_rounded_to_milliwatt_hours() {
        assert_eq!(wh_to_kwh_decimal(1234.5678), "1.234568".parse().unwrap());
        assert_eq!(wh_to_kwh_decimal(f64::NAN), Decimal::ZERO);
    }
}
