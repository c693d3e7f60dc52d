//! Feeds the earnings ledger from the supervisor: per-minute telemetry roll-ups with energy,
//! mode sessions, decisions, and what providers report (statements, credits); and reads back
//! the figures for the snapshot and each GPU's recent draw while working for the policy's
//! break-even price.
//!
//! Invariant: nothing here blocks the tick loop. Events go through the ledger writer's bounded
//! queue (`try_record` never waits; a full queue is counted and shown), and figures are read on
//! a blocking-pool thread whose result comes back through a channel.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use overtime_core::config::Config;
use overtime_core::money::Money;
use overtime_core::tariff::Tariff;
use overtime_core::{GpuReading, Mode, Period};
use overtime_ledger::rollup::MinuteRollupBuilder;
use overtime_ledger::{
    CostModel, CreditRecord, CreditValue, DecisionRecord, EarningRecord, EnergyMeter, EnergySample,
    Event, FigureFilter, LedgerError, LedgerFlusher, LedgerHealth, LedgerStore, LedgerWriter,
    SessionStart, WriterConfig,
};
use serde::{Deserialize, Serialize};

use crate::providers::{CreditReport, Statement};
use crate::reports::Earned;

/// The ledger as front ends see it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LedgerView {
    pub path: String,
    /// False while writes fail (disk full, …); the agent keeps controlling the GPUs meanwhile.
    pub recording: bool,
    pub last_error: Option<String>,
    /// Events dropped because the writer's queue was full.
    pub dropped: u64,
    /// A damaged or foreign database found at start was moved here (never deleted).
    pub moved_aside: Option<String>,
    pub earnings: Option<EarningsView>,
    /// Energy booked per GPU (UUID, kWh) since the agent started.
    #[serde(default)]
    pub energy_kwh: Vec<(String, f64)>,
}

/// Money and energy for a few standard ranges, refreshed every five minutes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EarningsView {
    pub as_of: Option<Timestamp>,
    /// Some figure came from a simulated (demo) provider: label it so.
    pub includes_simulated: bool,
    pub periods: Vec<EarningsPeriod>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EarningsPeriod {
    /// The period's key (`today`, `7d`, `30d`, `all`: [`Period::key`]).
    pub range: String,
    /// Statements plus live estimates ([`crate::reports`] defines each figure).
    pub gross: Vec<Money>,
    /// The part of `gross` that is a live estimate (contract price × elapsed), not yet
    /// replaced by a statement.
    pub estimated: Vec<Money>,
    pub electricity: Vec<Money>,
    pub net: Vec<Money>,
    pub energy_kwh: f64,
    pub co2_g: Option<f64>,
    pub mode_hours: Vec<(Mode, f64)>,
    pub credits: Vec<(String, String, f64)>,
}

/// The electricity tariff and time zone the figures are priced with: the tariff the policy's
/// break-even price reads too, so what the ledger books for an hour is what the policy compared.
pub fn cost_model(config: &Config, tz: &jiff::tz::TimeZone) -> CostModel {
    let e = &config.electricity;
    CostModel {
        tariff: Tariff::from_config(e),
        tz: tz.clone(),
        rest_of_pc_w: f64::from(e.rest_of_pc_w),
    }
}

struct GpuFeed {
    meter: EnergyMeter,
    energy_wh: f64,
    rollup: MinuteRollupBuilder,
    /// The open session's mode and whether it is a paid rental.
    session: Option<(Mode, bool)>,
}

/// The supervisor's end of the ledger.
pub struct LedgerFeed {
    writer: LedgerWriter,
    path: PathBuf,
    gpus: HashMap<String, GpuFeed>,
    moved_aside: Option<String>,
    statements_seen: HashSet<(String, String)>,
    credits_seen: HashMap<(String, String), f64>,
    earnings: Option<EarningsView>,
    /// Each GPU's average draw while working over [`WORKING_DRAW_WINDOW`], W, as last read.
    working_draw_w: HashMap<String, f64>,
    full_logged: bool,
}

/// How far back a GPU's working draw is averaged: long enough to smooth a rental's load
/// swings, short enough to follow a changed power limit or workload within the hour.
pub const WORKING_DRAW_WINDOW: SignedDuration = SignedDuration::from_hours(1);

impl LedgerFeed {
    /// Open (or create) the ledger at `path`. A damaged file is moved aside and reported.
    pub fn open(path: &Path) -> Result<LedgerFeed, LedgerError> {
        let (store, report) = LedgerStore::open(path)?;
        let moved_aside = report.moved_aside.map(|m| {
            tracing::error!(
                old = %m.path.display(),
                reason = %m.reason,
                "the earnings ledger was unreadable; it was moved aside (not deleted) and a new one started"
            );
            m.path.display().to_string()
        });
        if report.closed_sessions > 0 {
            tracing::info!(
                sessions = report.closed_sessions,
                "closed sessions a crash had left open"
            );
        }
        let writer = LedgerWriter::spawn(store, WriterConfig::default())?;
        Ok(LedgerFeed {
            writer,
            path: path.to_owned(),
            gpus: HashMap::new(),
            moved_aside,
            statements_seen: HashSet::new(),
            credits_seen: HashMap::new(),
            earnings: None,
            working_draw_w: HashMap::new(),
            full_logged: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What a blocking-pool thread needs to read this ledger back (see [`FeedReader`]).
    pub fn reader(&self) -> FeedReader {
        FeedReader {
            path: self.path.clone(),
            flusher: self.writer.flusher(),
        }
    }

    fn record(&mut self, event: Event) {
        if self.writer.try_record(event).is_err() && !self.full_logged {
            self.full_logged = true;
            tracing::warn!(
                "the ledger's queue is full; history is not being recorded (GPU control is unaffected)"
            );
        }
    }

    fn gpu(&mut self, uuid: &str) -> &mut GpuFeed {
        self.gpus.entry(uuid.to_owned()).or_insert_with(|| GpuFeed {
            meter: EnergyMeter::default(),
            energy_wh: 0.0,
            rollup: MinuteRollupBuilder::new(uuid),
            session: None,
        })
    }

    /// One sensor reading: energy since the last one, folded into the minute roll-up.
    pub fn on_reading(&mut self, uuid: &str, at: Timestamp, r: &GpuReading) {
        let feed = self.gpu(uuid);
        let step = feed.meter.record(EnergySample {
            at,
            energy_mj: r.energy_mj,
            power_w: r.power_w,
        });
        feed.energy_wh += step.map_or(0.0, |s| s.energy_wh);
        if let Some(minute) = feed.rollup.push(at, r.temp_c, r.load_pct, r.power_w, step) {
            self.record(Event::Minute(minute));
        }
    }

    /// A GPU's mode or reason changed: close the old session, open the new one, log the decision.
    /// A rental session is a paid one only while rented (`price` set); listing alone earns nothing.
    #[allow(clippy::too_many_arguments)]
    pub fn on_decision(
        &mut self,
        uuid: &str,
        at: Timestamp,
        from: Option<Mode>,
        to: Mode,
        reason_code: &str,
        sentence: &str,
        provider: Option<&str>,
        rented_price: Option<Money>,
    ) {
        let paid = rented_price.is_some();
        let previous = self.gpu(uuid).session;
        if previous != Some((to, paid)) {
            if previous.is_some() {
                self.record(Event::SessionEnded {
                    gpu_uuid: uuid.to_owned(),
                    at,
                });
            }
            self.record(Event::SessionStarted(SessionStart {
                gpu_uuid: uuid.to_owned(),
                at,
                mode: to,
                provider: provider.map(str::to_owned),
                reason_code: reason_code.to_owned(),
                reason: sentence.to_owned(),
                price_per_hour: rented_price,
            }));
            self.gpu(uuid).session = Some((to, paid));
        }
        self.record(Event::Decision(DecisionRecord {
            at,
            gpu_uuid: uuid.to_owned(),
            from,
            to,
            reason_code: reason_code.to_owned(),
            reason: sentence.to_owned(),
        }));
    }

    /// Statements and credits a provider reported; each is recorded once (the ledger also
    /// dedups statements by source id, so a restart re-reporting them never double counts).
    pub fn on_provider_report(
        &mut self,
        provider: &str,
        statements: &[Statement],
        credits: &[CreditReport],
        at: Timestamp,
    ) {
        for s in statements {
            if self
                .statements_seen
                .insert((provider.to_owned(), s.source_id.clone()))
            {
                self.record(Event::Earning(EarningRecord {
                    provider: provider.to_owned(),
                    source_id: s.source_id.clone(),
                    amount: s.amount.clone(),
                    period_start: s.period_start,
                    period_end: s.period_end,
                    gpu_uuid: s.gpu_uuid.clone(),
                }));
            }
        }
        for c in credits {
            let key = (provider.to_owned(), c.project.clone());
            if self.credits_seen.get(&key) != Some(&c.total) {
                self.credits_seen.insert(key, c.total);
                self.record(Event::Credit(CreditRecord {
                    provider: provider.to_owned(),
                    project: c.project.clone(),
                    at,
                    credit: CreditValue::Total(c.total),
                }));
            }
        }
    }

    /// Ask for the daily retention pass (minute rows older than 90 days rolled up).
    pub fn retention(&mut self, now: Timestamp) {
        let _ = self.writer.request_retention(now);
    }

    pub fn set_earnings(&mut self, view: EarningsView) {
        self.earnings = Some(view);
    }

    /// Replaces the working draws with a fresh read; a GPU without working minutes in the
    /// window has none (the policy then falls back to the live reading or the power limit).
    pub fn set_working_draw(&mut self, draws: Vec<(String, Option<f64>)>) {
        self.working_draw_w = draws
            .into_iter()
            .filter_map(|(uuid, w)| w.map(|w| (uuid, w)))
            .collect();
    }

    /// Forgets the working draws (their read failed): better no figure than a stale one.
    pub fn clear_working_draw(&mut self) {
        self.working_draw_w.clear();
    }

    /// `uuid`'s average draw while working over the recent window, W, as last read.
    pub fn working_draw_w(&self, uuid: &str) -> Option<f64> {
        self.working_draw_w.get(uuid).copied()
    }

    pub fn view(&self) -> LedgerView {
        let LedgerHealth {
            recording,
            dropped,
            last_error,
            ..
        } = self.writer.health();
        LedgerView {
            path: self.path.display().to_string(),
            recording,
            last_error,
            dropped,
            moved_aside: self.moved_aside.clone(),
            earnings: self.earnings.clone(),
            energy_kwh: self
                .gpus
                .iter()
                .map(|(uuid, g)| (uuid.clone(), g.energy_wh / 1000.0))
                .collect(),
        }
    }

    /// Close open sessions and minutes, flush, and stop the writer (on a blocking thread).
    pub async fn close(mut self, at: Timestamp) {
        let uuids: Vec<String> = self.gpus.keys().cloned().collect();
        for uuid in uuids {
            let feed = self.gpu(&uuid);
            let minute = feed.rollup.finish();
            let open = feed.session.take().is_some();
            if let Some(m) = minute {
                self.record(Event::Minute(m));
            }
            if open {
                self.record(Event::SessionEnded { gpu_uuid: uuid, at });
            }
        }
        let writer = self.writer;
        let result = tokio::task::spawn_blocking(move || writer.shutdown()).await;
        match result {
            Ok(Ok(_)) => tracing::info!("earnings ledger closed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the earnings ledger did not close cleanly"),
            Err(e) => tracing::warn!(error = %e, "the earnings ledger's writer ended abnormally"),
        }
    }
}

/// Reads the ledger the supervisor feeds, on the caller's (blocking) thread, after waiting for
/// the writer to write every event queued before the read: without that a read misses up to a
/// flush interval of minutes, and under a paused test clock (where the writer's wall-clock
/// flush never comes in time) it would miss them all.
#[derive(Clone)]
pub struct FeedReader {
    path: PathBuf,
    flusher: LedgerFlusher,
}

impl FeedReader {
    fn flush_first(&self) {
        // What is on disk is still worth reading when the flush fails (disk full, writer
        // stopped): only the events that could not be written are missing, and the ledger's
        // health already says so.
        if let Err(e) = self.flusher.flush() {
            tracing::debug!(error = %e, "reading the ledger without the events still queued");
        }
    }

    /// [`read_earnings`] of everything recorded so far.
    pub fn earnings(
        &self,
        model: &CostModel,
        now: Timestamp,
        includes_simulated: bool,
    ) -> Result<EarningsView, LedgerError> {
        self.flush_first();
        read_earnings(&self.path, model, now, includes_simulated)
    }

    /// [`read_working_draw`] of everything recorded so far.
    pub fn working_draw(
        &self,
        uuids: &[String],
        now: Timestamp,
    ) -> Result<Vec<(String, Option<f64>)>, LedgerError> {
        self.flush_first();
        read_working_draw(&self.path, uuids, now)
    }
}

/// Each GPU's average draw while working over the [`WORKING_DRAW_WINDOW`] before `now`, read
/// on the caller's (blocking) thread.
pub fn read_working_draw(
    path: &Path,
    uuids: &[String],
    now: Timestamp,
) -> Result<Vec<(String, Option<f64>)>, LedgerError> {
    let store = LedgerStore::open_reader(path)?;
    uuids
        .iter()
        .map(|uuid| {
            store
                .working_power_w(uuid, WORKING_DRAW_WINDOW, now)
                .map(|w| (uuid.clone(), w))
        })
        .collect()
}

/// Figures for [`Period::STANDARD`] (today, 7 days, 30 days, all time), read on the caller's
/// (blocking) thread. Money as [`crate::reports`] defines it, so these are the numbers History
/// and `overtime earnings` give for the same periods.
pub fn read_earnings(
    path: &Path,
    model: &CostModel,
    now: Timestamp,
    includes_simulated: bool,
) -> Result<EarningsView, LedgerError> {
    let store = LedgerStore::open_reader(path)?;
    let mut periods = Vec::with_capacity(Period::STANDARD.len());
    for period in Period::STANDARD {
        let bounds = period
            .bounds(now, &model.tz)
            .map_err(|e| LedgerError::Range(e.to_string()))?;
        let f = store.figures(bounds.from, bounds.to, &FigureFilter::default(), model, now)?;
        let earned = Earned::of(&f);
        periods.push(EarningsPeriod {
            range: period.key().to_owned(),
            gross: earned.gross,
            estimated: earned.estimated,
            electricity: earned.electricity,
            net: earned.net,
            energy_kwh: f.energy_kwh,
            co2_g: f.co2_g,
            mode_hours: f.mode_hours.into_iter().collect(),
            credits: f
                .credits
                .into_iter()
                .map(|c| (c.provider, c.project, c.credit))
                .collect(),
        });
    }
    Ok(EarningsView {
        as_of: Some(now),
        includes_simulated,
        periods,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use overtime_core::config::{ElectricityConfig, TariffPeriodConfig};
    use overtime_core::money::Currency;
    use overtime_core::{DrawSource, RunningCost, WorkingDraw};
    use overtime_ledger::{EnergySource, MinuteRollup};

    fn period(days: &str, start_hour: u8, end_hour: u8, price: &str) -> TariffPeriodConfig {
        TariffPeriodConfig {
            name: None,
            days: vec![days.to_owned()],
            start_hour,
            end_hour,
            price_per_kwh: price.parse().unwrap(),
        }
    }

    /// One working hour at a steady `power_w` from `from`, as the supervisor records it.
    fn worked_hour(from: Timestamp, power_w: f64) -> Vec<Event> {
        let mut events = vec![Event::SessionStarted(SessionStart {
            gpu_uuid: "GPU-A".into(),
            at: from,
            mode: Mode::Volunteer,
            provider: Some("boinc".into()),
            reason_code: "schedule".into(),
            reason: "test".into(),
            price_per_hour: None,
        })];
        events.extend((0..60).map(|m| {
            Event::Minute(MinuteRollup {
                gpu_uuid: "GPU-A".into(),
                minute: from + SignedDuration::from_mins(m),
                temp_min_c: Some(60.0),
                temp_avg_c: Some(65.0),
                temp_max_c: Some(70.0),
                load_avg_pct: Some(99.0),
                power_avg_w: Some(power_w),
                energy_wh: power_w / 60.0,
                energy_source: EnergySource::Counter,
            })
        }));
        events.push(Event::SessionEnded {
            gpu_uuid: "GPU-A".into(),
            at: from + SignedDuration::from_hours(1),
        });
        events
    }

    /// The policy's break-even and the ledger's electricity cost come from one tariff: an hour
    /// worked at a steady draw is booked at exactly what the policy priced that hour at, on a
    /// plain hour, a peak hour, the morning after a period that crosses midnight and the first
    /// hour after the clocks spring forward.
    #[test]
    fn the_ledger_books_an_hour_at_the_price_the_policy_compared() {
        let eur = Currency::new("EUR").unwrap();
        let mut config = Config::default();
        config.general.timezone = "Europe/Berlin".into();
        config.rental.currency = eur.clone();
        config.electricity = ElectricityConfig {
            price_per_kwh: "0.30".parse().unwrap(),
            currency: eur.clone(),
            rest_of_pc_w: 60,
            periods: vec![
                period("fri-sun", 22, 6, "0.12"),
                period("mon-fri", 17, 21, "0.45"),
            ],
            ..ElectricityConfig::default()
        };
        config.validate().unwrap();
        let tz = config.time_zone().unwrap();
        let model = cost_model(&config, &tz);
        let draw = WorkingDraw {
            gpu_power_w: 300.0,
            source: DrawSource::RecentAverage,
        };
        // (local start of the hour, 360 W for that hour at its price)
        let cases = [
            ("2025-06-02T12:00", "0.108"),  // Monday, no period
            ("2025-06-02T18:00", "0.162"),  // Monday peak
            ("2025-06-07T01:00", "0.0432"), // Saturday, Friday's night period
            ("2025-03-30T03:00", "0.0432"), // Sunday, just after the spring-forward gap
        ];
        for (start, expected) in cases {
            let from = start
                .parse::<jiff::civil::DateTime>()
                .unwrap()
                .to_zoned_datetime(tz.clone())
                .unwrap()
                .timestamp();
            let to = from + SignedDuration::from_hours(1);
            let mut store = LedgerStore::open_in_memory().unwrap();
            store.apply(&worked_hour(from, 300.0)).unwrap();

            let booked = store
                .figures(from, to, &FigureFilter::default(), &model, to)
                .unwrap()
                .electricity_cost
                .get(&eur);
            assert_eq!(booked.amount.normalize().to_string(), expected, "{start}");
            for minute in [0, 30, 59] {
                let at = from + SignedDuration::from_mins(minute);
                let policy = RunningCost::price(&draw, &config.electricity, at, &tz);
                assert_eq!(policy.per_hour, booked, "{start} +{minute} min");
            }

            // The ledger's own break-even for the same instant is the policy's too.
            let now = to - SignedDuration::from_secs(1);
            let ledger = store
                .cost_per_hour("GPU-A", WORKING_DRAW_WINDOW, now, &model)
                .unwrap()
                .expect("a working hour was recorded");
            let policy = RunningCost::price(&draw, &config.electricity, now, &tz);
            assert_eq!(ledger.cost_per_hour, policy.per_hour, "{start}");
            assert_eq!(ledger.price_per_kwh, policy.price_per_kwh, "{start}");
        }
    }
}
