//! What one GPU costs in electricity per hour while it works: the break-even price a rental
//! offer has to beat. The agent measures the draw; this module picks the best figure it has and
//! prices it, so the policy, the snapshot and `overtime simulate` all follow one rule.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use overtime_i18n::Catalogue;
use serde::{Deserialize, Serialize};

use crate::config::ElectricityConfig;
use crate::gpu::GpuReading;
use crate::money::{Money, electricity_cost_per_hour};

/// Where a GPU's working draw came from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawSource {
    /// The ledger's average over the recent minutes the GPU rented or volunteered.
    RecentAverage,
    /// The sensor's reading now, taken while the GPU works (no recent average recorded yet).
    LiveReading,
    /// The GPU's power limit: the most it may draw, used when no working draw was measured.
    PowerLimit,
}

impl DrawSource {
    /// A stable short name for metrics labels (`recent_average`).
    pub fn code(self) -> &'static str {
        match self {
            DrawSource::RecentAverage => "recent_average",
            DrawSource::LiveReading => "live_reading",
            DrawSource::PowerLimit => "power_limit",
        }
    }

    /// "GPU 300 W on average while working recently", for the reason sentences.
    fn describe(self, gpu_power_w: u32, catalogue: Catalogue) -> String {
        let id = match self {
            DrawSource::RecentAverage => "cost-source-recentAverage",
            DrawSource::LiveReading => "cost-source-live",
            DrawSource::PowerLimit => "cost-source-powerLimit",
        };
        catalogue.text(id, &[("watts", &gpu_power_w.to_string())])
    }
}

/// What a GPU draws while it works, in W, and how that was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkingDraw {
    pub gpu_power_w: f64,
    pub source: DrawSource,
}

impl WorkingDraw {
    /// The best figure there is: the recent average while working (`recent_avg_w`, from the
    /// ledger), else the live reading if the GPU is working now (`working_now`; an idle GPU's
    /// reading says nothing about what work costs), else the power limit. `None` when none of
    /// them is a positive, finite number of watts.
    pub fn pick(
        recent_avg_w: Option<f64>,
        reading: Option<&GpuReading>,
        working_now: bool,
    ) -> Option<WorkingDraw> {
        let usable = |w: Option<f64>| w.filter(|w| w.is_finite() && *w > 0.0);
        let live = reading
            .and_then(|r| usable(r.power_w))
            .filter(|_| working_now);
        let limit = reading.and_then(|r| usable(r.power_limit_w));
        let (gpu_power_w, source) = usable(recent_avg_w)
            .map(|w| (w, DrawSource::RecentAverage))
            .or(live.map(|w| (w, DrawSource::LiveReading)))
            .or(limit.map(|w| (w, DrawSource::PowerLimit)))?;
        Some(WorkingDraw {
            gpu_power_w,
            source,
        })
    }
}

/// The electricity cost per hour of running one GPU (plus the rest of the PC) at a known draw,
/// priced at one instant's tariff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningCost {
    /// GPU plus rest of the PC for one hour, in the electricity currency.
    pub per_hour: Money,
    /// The GPU's draw that was priced, whole W.
    pub gpu_power_w: u32,
    /// The configured draw of the rest of the PC while a GPU works, W.
    pub rest_of_pc_w: u32,
    /// The price of a kWh in force at the instant it was priced (time-of-use aware).
    pub price_per_kwh: Money,
    pub source: DrawSource,
}

impl RunningCost {
    /// Prices `draw` plus the configured rest-of-PC draw at the tariff in force at `now`
    /// (local time in `tz`).
    pub fn price(
        draw: &WorkingDraw,
        electricity: &ElectricityConfig,
        now: Timestamp,
        tz: &TimeZone,
    ) -> RunningCost {
        // Whole watts: what is shown is exactly what was priced.
        let gpu_power_w = draw.gpu_power_w.round().clamp(0.0, f64::from(u32::MAX)) as u32;
        let rest_of_pc_w = electricity.rest_of_pc_w;
        let price_per_kwh = electricity.price_at(now, tz);
        RunningCost {
            per_hour: electricity_cost_per_hour(
                f64::from(gpu_power_w) + f64::from(rest_of_pc_w),
                &price_per_kwh,
            ),
            gpu_power_w,
            rest_of_pc_w,
            price_per_kwh,
            source: draw.source,
        }
    }

    /// GPU plus rest of the PC, W.
    pub fn total_power_w(&self) -> u32 {
        self.gpu_power_w.saturating_add(self.rest_of_pc_w)
    }

    /// "€0.108/h at 360 W (GPU 300 W on average while working recently; rest of the PC
    /// 60 W)" in `catalogue`'s language, for the reason sentences.
    pub fn describe(&self, catalogue: Catalogue) -> String {
        let price = self.per_hour.price_text(catalogue);
        let watts = self.total_power_w().to_string();
        let source = self.source.describe(self.gpu_power_w, catalogue);
        if self.rest_of_pc_w > 0 {
            let rest = self.rest_of_pc_w.to_string();
            catalogue.text(
                "cost-perHour-rest",
                &[
                    ("price", &price),
                    ("watts", &watts),
                    ("source", &source),
                    ("rest", &rest),
                ],
            )
        } else {
            catalogue.text(
                "cost-perHour",
                &[("price", &price), ("watts", &watts), ("source", &source)],
            )
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::config::TariffPeriodConfig;
    use crate::money::Currency;

    fn reading(power_w: Option<f64>, limit_w: Option<f64>) -> GpuReading {
        GpuReading {
            power_w,
            power_limit_w: limit_w,
            ..GpuReading::default()
        }
    }

    #[test]
    fn the_recent_average_beats_the_live_reading_and_the_power_limit() {
        let r = reading(Some(250.0), Some(320.0));
        assert_eq!(
            WorkingDraw::pick(Some(210.0), Some(&r), true),
            Some(WorkingDraw {
                gpu_power_w: 210.0,
                source: DrawSource::RecentAverage
            })
        );
    }

    #[test]
    fn without_an_average_a_working_gpu_uses_its_live_reading() {
        let r = reading(Some(250.0), Some(320.0));
        let d = WorkingDraw::pick(None, Some(&r), true).unwrap();
        assert_eq!((d.gpu_power_w, d.source), (250.0, DrawSource::LiveReading));
    }

    #[test]
    fn an_idle_gpus_reading_is_not_taken_for_its_working_draw() {
        let r = reading(Some(22.0), Some(320.0));
        let d = WorkingDraw::pick(None, Some(&r), false).unwrap();
        assert_eq!((d.gpu_power_w, d.source), (320.0, DrawSource::PowerLimit));
    }

    #[test]
    fn nonsense_figures_are_skipped_and_nothing_usable_is_none() {
        let r = reading(Some(f64::NAN), Some(0.0));
        assert_eq!(WorkingDraw::pick(Some(-3.0), Some(&r), true), None);
        assert_eq!(WorkingDraw::pick(None, None, true), None);
    }

    #[test]
    fn the_cost_adds_the_rest_of_the_pc_at_the_price_in_force_now() {
        let tz = TimeZone::UTC;
        let mut e = ElectricityConfig {
            price_per_kwh: "0.30".parse().unwrap(),
            currency: Currency::new("EUR").unwrap(),
            rest_of_pc_w: 60,
            ..ElectricityConfig::default()
        };
        e.periods.push(TariffPeriodConfig {
            name: Some("peak".into()),
            days: vec!["daily".into()],
            start_hour: 17,
            end_hour: 21,
            price_per_kwh: "0.50".parse().unwrap(),
        });
        let draw = WorkingDraw {
            gpu_power_w: 299.6,
            source: DrawSource::RecentAverage,
        };
        let noon: Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
        let evening: Timestamp = "2026-11-24T18:00:00Z".parse().unwrap();
        let day = RunningCost::price(&draw, &e, noon, &tz);
        assert_eq!(day.gpu_power_w, 300);
        assert_eq!(day.per_hour.amount.normalize().to_string(), "0.108");
        assert_eq!(
            day.describe(Catalogue::english()),
            "€0.108/h at 360 W (GPU 300 W on average while working recently; rest of the PC 60 W)"
        );
        assert_eq!(
            day.describe(Catalogue::german()),
            "0,108\u{a0}€/h bei 360 W (GPU 300 W im Schnitt bei der Arbeit zuletzt; übriger PC 60 W)"
        );
        let peak = RunningCost::price(&draw, &e, evening, &tz);
        assert_eq!(peak.per_hour.amount.normalize().to_string(), "0.18");
        assert_eq!(peak.price_per_kwh.amount.normalize().to_string(), "0.5");
    }
}
