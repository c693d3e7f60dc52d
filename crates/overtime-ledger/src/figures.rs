//! Figures for a time range, a daily series for charts, and the electricity cost per hour the
//! profitability rule needs.
//!
//! Everything is computed from the same pieces: energy chunks (hourly roll-ups for whole
//! hours, minutes at the edges), sessions, statements and credits, spread over one or more
//! bins. A summary is one bin, a daily series is one bin per local day, so both always agree.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_core::Mode;
use overtime_core::money::{Currency, Money, electricity_cost_per_hour};
use overtime_core::tariff::Tariff;
use rusqlite::params;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::energy::wh_to_kwh_decimal;
use crate::error::LedgerError;
use crate::store::LedgerStore;
use crate::totals::Totals;

/// How energy becomes money: the tariff, the local time zone its hours are in, and the
/// user's estimate of what the rest of the PC draws while a GPU works.
#[derive(Debug, Clone)]
pub struct CostModel {
    pub tariff: Tariff,
    pub tz: TimeZone,
    /// Extra watts drawn by CPU, board, fans and PSU losses while any GPU rents or
    /// volunteers; counted once however many GPUs work. 0 to leave it out.
    pub rest_of_pc_w: f64,
}

impl CostModel {
    /// What `energy_wh` drawn evenly over `[start, end)` cost, at local hours in `tz`. The
    /// energy is rounded to whole mWh first, as it is everywhere it is shown.
    pub(crate) fn energy_cost(&self, energy_wh: f64, start: Timestamp, end: Timestamp) -> Money {
        self.tariff
            .cost(wh_to_kwh_decimal(energy_wh), start, end, &self.tz)
    }
}

/// Restricts figures to one GPU, provider and/or mode; `None` means all.
///
/// - Energy and cost follow the sessions that match a provider or mode filter.
/// - Earnings count only for a `Rental` (or no) mode filter; statements without a GPU are left
///   out of a per-GPU view.
/// - Volunteer credits are per project, not per GPU: they count only without a GPU filter and
///   for a `Volunteer` (or no) mode filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FigureFilter {
    pub gpu_uuid: Option<String>,
    pub provider: Option<String>,
    pub mode: Option<Mode>,
}

/// Credit earned for one volunteer project in a range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectCredit {
    pub provider: String,
    pub project: String,
    pub credit: f64,
}

/// What a range of time earned and cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Earnings from provider statements booked in the range (a statement is booked at the
    /// middle of its period).
    pub gross: Totals,
    /// Live estimates (contract price × elapsed time) for rental time no statement covers yet.
    pub estimated: Totals,
    /// Electricity for the GPUs and the rest of the PC, in the tariff's currency.
    pub electricity_cost: Totals,
    /// `gross + estimated − electricity_cost`, one total per currency.
    pub net: Totals,
    /// True when `net` includes an estimate that a statement will later replace.
    pub includes_estimate: bool,
    pub gpu_energy_kwh: f64,
    pub rest_of_pc_energy_kwh: f64,
    /// GPU plus rest of the PC.
    pub energy_kwh: f64,
    /// Hours spent in each mode (summed over GPUs).
    pub mode_hours: BTreeMap<Mode, f64>,
    pub credits: Vec<ProjectCredit>,
    /// Grams of CO2 for `energy_kwh`, when the tariff has a carbon intensity.
    pub co2_g: Option<f64>,
}

/// Figures for one local day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayFigures {
    pub date: Date,
    pub figures: Figures,
}

/// A minute's average GPU load from which the GPU counts as busy for its working draw, in %.
/// Work (a volunteer task, a renter's job) keeps a GPU near full load; an idle listing or a
/// client without tasks sits near zero. Halfway keeps a renter's uneven job while leaving
/// those out.
pub const BUSY_LOAD_PCT: f64 = 50.0;

/// The electricity cost of running one GPU for an hour now, for the profitability rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostPerHour {
    pub cost_per_hour: Money,
    /// The GPU's average power while working over the recent window, in W.
    pub gpu_power_w: f64,
    pub rest_of_pc_w: f64,
    pub price_per_kwh: Money,
}

#[derive(Debug, Clone)]
pub(crate) struct SessionRow {
    pub id: i64,
    pub gpu_uuid: String,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub mode: Mode,
    pub provider: Option<String>,
    pub reason_code: String,
    pub reason: String,
    pub price_per_hour: Option<Money>,
}

/// Energy drawn evenly over `[start_ms, end_ms)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunk {
    pub start_ms: i64,
    pub end_ms: i64,
    pub wh: f64,
}

#[derive(Default)]
struct BinAcc {
    gross: Totals,
    estimated: Totals,
    cost: Totals,
    gpu_wh: f64,
    rest_wh: f64,
    mode_ms: BTreeMap<Mode, i64>,
    credits: BTreeMap<(String, String), f64>,
}

/// The sessions query shared by the figures, the export and the listing: sessions overlapping
/// `[?1, ?2)`, filtered by GPU (`?3`), provider (`?4`) and mode (`?5`), in the given order, at
/// most `?6` rows (negative: all).
macro_rules! overlapping_sessions_sql {
    ($order:literal) => {
        concat!(
            "SELECT id, gpu_uuid, start_ms, end_ms, mode, provider, reason_code, reason,
                    price_per_hour, price_currency
             FROM sessions
             WHERE start_ms < ?2 AND (end_ms IS NULL OR end_ms > ?1)
               AND (?3 IS NULL OR gpu_uuid = ?3) AND (?4 IS NULL OR provider = ?4)
               AND (?5 IS NULL OR mode = ?5) ",
            $order,
            " LIMIT ?6"
        )
    };
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `[start, end)` of one bin, in ms since the Unix epoch.
type Bin = (i64, i64);

/// The local days from `first_day` to `last_day` inclusive and their `[start, end)` in ms.
/// Days are 23 or 25 hours long across DST changes. At most 3,700 days.
fn day_bins(
    first_day: Date,
    last_day: Date,
    tz: &TimeZone,
) -> Result<(Vec<Date>, Vec<Bin>), LedgerError> {
    if last_day < first_day {
        return Err(LedgerError::Range(format!(
            "the last day {last_day} is before the first day {first_day}"
        )));
    }
    let bad_day =
        |e: jiff::Error| LedgerError::Range(format!("a day in the range has no local start: {e}"));
    let mut days = Vec::new();
    let mut bins = Vec::new();
    let mut day = first_day;
    let mut start = day
        .to_zoned_datetime(tz.clone())
        .map_err(bad_day)?
        .timestamp();
    while day <= last_day {
        if days.len() >= 3700 {
            return Err(LedgerError::Range(
                "more than 3,700 days asked for; ask for a shorter range".to_owned(),
            ));
        }
        let next = day.tomorrow().map_err(bad_day)?;
        let end = next
            .to_zoned_datetime(tz.clone())
            .map_err(bad_day)?
            .timestamp();
        days.push(day);
        bins.push((start.as_millisecond(), end.as_millisecond()));
        day = next;
        start = end;
    }
    Ok((days, bins))
}

/// Calls `f(bin, start, end)` for each piece of `[start, end)` inside a bin. Bins are sorted
/// and contiguous.
fn for_each_piece(bins: &[(i64, i64)], start: i64, end: i64, mut f: impl FnMut(usize, i64, i64)) {
    if end <= start {
        return;
    }
    let mut i = bins.partition_point(|b| b.1 <= start);
    while i < bins.len() && bins[i].0 < end {
        let a = start.max(bins[i].0);
        let b = end.min(bins[i].1);
        if b > a {
            f(i, a, b);
        }
        i += 1;
    }
}

/// Union of intervals, sorted.
fn merge_intervals(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.retain(|(a, b)| b > a);
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

impl LedgerStore {
    /// Figures for `[from, to)`, optionally filtered. `now` ends sessions still open.
    pub fn figures(
        &self,
        from: Timestamp,
        to: Timestamp,
        filter: &FigureFilter,
        model: &CostModel,
        now: Timestamp,
    ) -> Result<Figures, LedgerError> {
        if to <= from {
            return Err(LedgerError::Range(format!(
                "the range {from} – {to} is empty; 'to' must be after 'from'"
            )));
        }
        let mut out = self.compute(
            &[(from.as_millisecond(), to.as_millisecond())],
            filter,
            model,
            now,
        )?;
        out.pop()
            .ok_or_else(|| LedgerError::Range("no figures computed".to_owned()))
    }

    /// One [`Figures`] per local day (in `model.tz`) from `first_day` to `last_day` inclusive,
    /// for charts. Days are 23 or 25 hours long across DST changes. At most 3,700 days.
    pub fn daily_series(
        &self,
        first_day: Date,
        last_day: Date,
        filter: &FigureFilter,
        model: &CostModel,
        now: Timestamp,
    ) -> Result<Vec<DayFigures>, LedgerError> {
        let (days, bins) = day_bins(first_day, last_day, &model.tz)?;
        self.series(days, &bins, filter, model, now)
    }

    /// One [`Figures`] per local day that `[from, to)` touches, the first and last day cut to
    /// the range, so the days add up to [`LedgerStore::figures`] for the same range even when
    /// it does not start or end at midnight. At most 3,700 days.
    pub fn daily_series_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        filter: &FigureFilter,
        model: &CostModel,
        now: Timestamp,
    ) -> Result<Vec<DayFigures>, LedgerError> {
        if to <= from {
            return Err(LedgerError::Range(format!(
                "the range {from} – {to} is empty; 'to' must be after 'from'"
            )));
        }
        let first_day = from.to_zoned_datetime(model.tz.clone()).date();
        let last_instant = to - SignedDuration::from_nanos(1);
        let last_day = last_instant.to_zoned_datetime(model.tz.clone()).date();
        let (days, mut bins) = day_bins(first_day, last_day, &model.tz)?;
        if let Some(first) = bins.first_mut() {
            first.0 = first.0.max(from.as_millisecond());
        }
        if let Some(last) = bins.last_mut() {
            last.1 = last.1.min(to.as_millisecond());
        }
        self.series(days, &bins, filter, model, now)
    }

    fn series(
        &self,
        days: Vec<Date>,
        bins: &[(i64, i64)],
        filter: &FigureFilter,
        model: &CostModel,
        now: Timestamp,
    ) -> Result<Vec<DayFigures>, LedgerError> {
        let figures = self.compute(bins, filter, model, now)?;
        Ok(days
            .into_iter()
            .zip(figures)
            .map(|(date, figures)| DayFigures { date, figures })
            .collect())
    }

    /// The average power of `gpu_uuid` while it worked over the last `recent` before `now`, in
    /// W. A minute counts when it lies wholly inside a rental or volunteer session and the GPU
    /// was busy in it (average load at least [`BUSY_LOAD_PCT`]; where the GPU reports no load,
    /// when the session is a volunteer or a paid rental one). Idle sessions (a game's load is
    /// not work), a listing nobody rented and no backfill uses, a volunteer client with nothing
    /// to crunch, and the minutes in which the mode changed are left out: they say nothing
    /// about what work draws. A minute with no power figure counts by its energy. `None` when
    /// no minute in the window counts.
    pub fn working_power_w(
        &self,
        gpu_uuid: &str,
        recent: SignedDuration,
        now: Timestamp,
    ) -> Result<Option<f64>, LedgerError> {
        let to_s = now.as_second();
        let from_s = to_s - recent.as_secs().max(60);
        let (power_sum, minutes): (Option<f64>, i64) = self
            .conn
            .prepare_cached(
                // The GPU's work sessions overlapping the window, found once: checking each
                // minute against all the GPU's sessions would scan a year of them per minute.
                "WITH work AS MATERIALIZED (
                   SELECT start_ms, end_ms, mode, price_per_hour FROM sessions
                   WHERE gpu_uuid = ?1 AND mode IN ('rental', 'volunteer')
                     AND start_ms < ?3 * 1000 AND (end_ms IS NULL OR end_ms > ?2 * 1000)
                 )
                 SELECT sum(coalesce(m.power_avg_w, m.energy_wh * 60.0)), count(*)
                 FROM telemetry_minute m
                 WHERE m.gpu_uuid = ?1 AND m.minute_s >= ?2 AND m.minute_s < ?3
                   AND EXISTS (
                     SELECT 1 FROM work s
                     WHERE s.start_ms <= m.minute_s * 1000
                       AND (s.end_ms IS NULL OR s.end_ms >= (m.minute_s + 60) * 1000)
                       AND (m.load_avg_pct >= ?4
                            OR (m.load_avg_pct IS NULL
                                AND (s.mode = 'volunteer' OR s.price_per_hour IS NOT NULL))))",
            )
            .and_then(|mut s| {
                s.query_row(params![gpu_uuid, from_s, to_s, BUSY_LOAD_PCT], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
            })
            .map_err(|e| self.err("read", e))?;
        Ok(power_sum
            .filter(|_| minutes > 0)
            .map(|p| p / minutes as f64))
    }

    /// Electricity cost per hour of running `gpu_uuid` now: its average power while working
    /// over the last `recent` ([`LedgerStore::working_power_w`]) plus the rest of the PC, at
    /// the tariff's price at `now`. `None` when the window holds no working minute for that GPU.
    pub fn cost_per_hour(
        &self,
        gpu_uuid: &str,
        recent: SignedDuration,
        now: Timestamp,
        model: &CostModel,
    ) -> Result<Option<CostPerHour>, LedgerError> {
        let Some(gpu_power_w) = self.working_power_w(gpu_uuid, recent, now)? else {
            return Ok(None);
        };
        let rest_of_pc_w = model.rest_of_pc_w.max(0.0);
        let price_per_kwh = model.tariff.price_at(now, &model.tz);
        Ok(Some(CostPerHour {
            cost_per_hour: electricity_cost_per_hour(gpu_power_w + rest_of_pc_w, &price_per_kwh),
            gpu_power_w,
            rest_of_pc_w,
            price_per_kwh,
        }))
    }

    /// Sessions overlapping `[from_ms, to_ms)` that match the filter, oldest first.
    pub(crate) fn sessions_overlapping(
        &self,
        from_ms: i64,
        to_ms: i64,
        filter: &FigureFilter,
    ) -> Result<Vec<SessionRow>, LedgerError> {
        self.read_sessions(
            overlapping_sessions_sql!("ORDER BY start_ms, id"),
            from_ms,
            to_ms,
            filter,
            -1,
        )
    }

    /// Sessions overlapping `[from_ms, to_ms)` that match the filter, newest first, at most
    /// `limit` of them (a negative limit means all).
    pub(crate) fn sessions_newest_first(
        &self,
        from_ms: i64,
        to_ms: i64,
        filter: &FigureFilter,
        limit: i64,
    ) -> Result<Vec<SessionRow>, LedgerError> {
        self.read_sessions(
            overlapping_sessions_sql!("ORDER BY start_ms DESC, id DESC"),
            from_ms,
            to_ms,
            filter,
            limit,
        )
    }

    fn read_sessions(
        &self,
        sql: &str,
        from_ms: i64,
        to_ms: i64,
        filter: &FigureFilter,
        limit: i64,
    ) -> Result<Vec<SessionRow>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| self.err("read", e))?;
        let rows = stmt
            .query_map(
                params![
                    from_ms,
                    to_ms,
                    filter.gpu_uuid,
                    filter.provider,
                    filter.mode.map(|m| m.as_str()),
                    limit
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, Option<String>>(9)?,
                    ))
                },
            )
            .map_err(|e| self.err("read", e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, gpu_uuid, start_ms, end_ms, mode, provider, reason_code, reason, price, cur) =
                row.map_err(|e| self.err("read", e))?;
            let mode: Mode = mode
                .parse()
                .map_err(|e| LedgerError::BadValue(format!("session {id}: {e}")))?;
            let price_per_hour = match (price, cur) {
                (Some(p), Some(c)) => Some(parse_money(&p, &c)?),
                _ => None,
            };
            out.push(SessionRow {
                id,
                gpu_uuid,
                start_ms,
                end_ms,
                mode,
                provider,
                reason_code,
                reason,
                price_per_hour,
            });
        }
        Ok(out)
    }

    /// Energy chunks of one GPU (or all, summed) for `[from_ms, to_ms)`: hourly roll-ups for
    /// whole UTC hours, minutes at the edges, and an hour prorated when its minutes were
    /// already pruned. A minute belongs to the range its start lies in.
    pub(crate) fn energy_chunks(
        &self,
        gpu: Option<&str>,
        from_ms: i64,
        to_ms: i64,
        out: &mut Vec<Chunk>,
    ) -> Result<(), LedgerError> {
        if to_ms <= from_ms {
            return Ok(());
        }
        let a_s = from_ms.div_euclid(1000) + i64::from(from_ms.rem_euclid(1000) != 0);
        let b_s = to_ms.div_euclid(1000) + i64::from(to_ms.rem_euclid(1000) != 0);
        let h0 = a_s.div_euclid(3600) * 3600 + if a_s.rem_euclid(3600) == 0 { 0 } else { 3600 };
        let h1 = b_s.div_euclid(3600) * 3600;
        if h0 >= h1 {
            return self.edge_chunks(gpu, a_s, b_s, out);
        }
        self.edge_chunks(gpu, a_s, h0, out)?;
        self.bucket_chunks(
            "SELECT hour_s, sum(energy_wh) FROM telemetry_hour
             WHERE hour_s >= ?1 AND hour_s < ?2 AND (?3 IS NULL OR gpu_uuid = ?3)
             GROUP BY hour_s ORDER BY hour_s",
            (h0, h1),
            gpu,
            3600,
            out,
        )?;
        self.edge_chunks(gpu, h1, b_s, out)
    }

    /// One chunk per row of `sql` (bucket start in seconds, watt-hours) for buckets starting in
    /// `[a_s, b_s)`, each `bucket_s` long but never reaching past `b_s`.
    fn bucket_chunks(
        &self,
        sql: &str,
        (a_s, b_s): (i64, i64),
        gpu: Option<&str>,
        bucket_s: i64,
        out: &mut Vec<Chunk>,
    ) -> Result<(), LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| self.err("read", e))?;
        let rows = stmt
            .query_map(params![a_s, b_s, gpu], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?))
            })
            .map_err(|e| self.err("read", e))?;
        for row in rows {
            let (start_s, wh) = row.map_err(|e| self.err("read", e))?;
            out.push(Chunk {
                start_ms: start_s * 1000,
                end_ms: (start_s + bucket_s).min(b_s) * 1000,
                wh,
            });
        }
        Ok(())
    }

    /// Chunks for `[a_s, b_s)`, which lies within one UTC hour.
    fn edge_chunks(
        &self,
        gpu: Option<&str>,
        a_s: i64,
        b_s: i64,
        out: &mut Vec<Chunk>,
    ) -> Result<(), LedgerError> {
        if b_s <= a_s {
            return Ok(());
        }
        let before = out.len();
        self.bucket_chunks(
            "SELECT minute_s, sum(energy_wh) FROM telemetry_minute
             WHERE minute_s >= ?1 AND minute_s < ?2 AND (?3 IS NULL OR gpu_uuid = ?3)
             GROUP BY minute_s ORDER BY minute_s",
            (a_s, b_s),
            gpu,
            60,
            out,
        )?;
        if out.len() > before {
            return Ok(());
        }
        // No minutes: if the hour's minutes were pruned by retention, prorate its roll-up.
        let hour_s = a_s.div_euclid(3600) * 3600;
        let (minutes_left, hour): (i64, Option<f64>) = self
            .conn
            .prepare_cached(
                "SELECT (SELECT count(*) FROM telemetry_minute
                         WHERE minute_s >= ?1 AND minute_s < ?1 + 3600 AND (?2 IS NULL OR gpu_uuid = ?2)),
                        (SELECT sum(energy_wh) FROM telemetry_hour
                         WHERE hour_s = ?1 AND (?2 IS NULL OR gpu_uuid = ?2))",
            )
            .and_then(|mut s| s.query_row(params![hour_s, gpu], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(|e| self.err("read", e))?;
        if let (0, Some(wh)) = (minutes_left, hour) {
            out.push(Chunk {
                start_ms: a_s * 1000,
                end_ms: b_s * 1000,
                wh: wh * (b_s - a_s) as f64 / 3600.0,
            });
        }
        Ok(())
    }

    /// The latest statement period end for a provider on a GPU (or for all its GPUs): rental
    /// time before it is covered by statements, time after it is estimated.
    pub(crate) fn covered_until_ms(
        &self,
        provider: &str,
        gpu: &str,
    ) -> Result<Option<i64>, LedgerError> {
        self.conn
            .prepare_cached(
                "SELECT max(period_end_ms) FROM earnings
                 WHERE provider = ?1 AND (gpu_uuid IS NULL OR gpu_uuid = ?2)",
            )
            .and_then(|mut s| s.query_row(params![provider, gpu], |r| r.get(0)))
            .map_err(|e| self.err("read", e))
    }

    fn compute(
        &self,
        bins: &[(i64, i64)],
        filter: &FigureFilter,
        model: &CostModel,
        now: Timestamp,
    ) -> Result<Vec<Figures>, LedgerError> {
        let (Some(first), Some(last)) = (bins.first(), bins.last()) else {
            return Ok(Vec::new());
        };
        let (from_ms, to_ms) = (first.0, last.1);
        let now_ms = now.as_millisecond();
        let mut acc: Vec<BinAcc> = bins.iter().map(|_| BinAcc::default()).collect();

        let sessions = self.sessions_overlapping(from_ms, to_ms, filter)?;
        let clip = |s: &SessionRow| {
            let end = s.end_ms.unwrap_or(now_ms).max(s.start_ms);
            (s.start_ms.max(from_ms), end.min(to_ms))
        };
        for s in &sessions {
            let (a, b) = clip(s);
            for_each_piece(bins, a, b, |i, a, b| {
                *acc[i].mode_ms.entry(s.mode).or_default() += b - a;
            });
        }

        // GPU energy and its cost.
        let mut chunks = Vec::new();
        if filter.provider.is_some() || filter.mode.is_some() {
            let mut per_gpu: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
            for s in &sessions {
                per_gpu.entry(&s.gpu_uuid).or_default().push(clip(s));
            }
            for (gpu, windows) in per_gpu {
                for (a, b) in merge_intervals(windows) {
                    self.energy_chunks(Some(gpu), a, b, &mut chunks)?;
                }
            }
        } else {
            self.energy_chunks(filter.gpu_uuid.as_deref(), from_ms, to_ms, &mut chunks)?;
        }
        let tariff: &Tariff = &model.tariff;
        for c in &chunks {
            let len = (c.end_ms - c.start_ms).max(1) as f64;
            for_each_piece(bins, c.start_ms, c.end_ms.max(c.start_ms + 1), |i, a, b| {
                let wh = c.wh * (b - a) as f64 / len;
                acc[i].gpu_wh += wh;
                acc[i].cost.add(&model.energy_cost(wh, ts(a), ts(b)));
            });
        }

        // The rest of the PC, once over the time any matching GPU works.
        if model.rest_of_pc_w > 0.0 {
            let working = merge_intervals(
                sessions
                    .iter()
                    .filter(|s| s.mode != Mode::Idle)
                    .map(clip)
                    .collect(),
            );
            for (a, b) in working {
                for_each_piece(bins, a, b, |i, a, b| {
                    let wh = model.rest_of_pc_w * (b - a) as f64 / 3_600_000.0;
                    acc[i].rest_wh += wh;
                    acc[i].cost.add(&model.energy_cost(wh, ts(a), ts(b)));
                });
            }
        }

        if filter.mode.is_none_or(|m| m == Mode::Rental) {
            self.add_earnings(bins, filter, &mut acc)?;
            // Live estimates for rental time no statement covers yet.
            let mut covered: HashMap<(String, String), Option<i64>> = HashMap::new();
            for s in sessions.iter().filter(|s| s.mode == Mode::Rental) {
                let Some(price) = &s.price_per_hour else {
                    continue;
                };
                let covered_ms = match &s.provider {
                    Some(p) => {
                        let key = (p.clone(), s.gpu_uuid.clone());
                        match covered.get(&key) {
                            Some(v) => *v,
                            None => {
                                let v = self.covered_until_ms(p, &s.gpu_uuid)?;
                                covered.insert(key, v);
                                v
                            }
                        }
                    }
                    None => None,
                };
                let (a, b) = clip(s);
                let a = a.max(covered_ms.unwrap_or(i64::MIN));
                for_each_piece(bins, a, b, |i, a, b| {
                    let amount = price.amount * Decimal::from(b - a) / Decimal::from(3_600_000);
                    acc[i]
                        .estimated
                        .add(&Money::new(amount, price.currency.clone()));
                });
            }
        }

        if filter.gpu_uuid.is_none() && filter.mode.is_none_or(|m| m == Mode::Volunteer) {
            self.add_credits(bins, filter, &mut acc)?;
        }

        let currency: &Currency = tariff.currency();
        Ok(bins
            .iter()
            .zip(acc)
            .map(|(&(a, b), mut acc)| {
                acc.cost.add(&Money::zero(currency.clone()));
                let mut net = acc.gross.clone();
                net.add_all(&acc.estimated);
                for m in acc.cost.iter() {
                    net.sub(&m);
                }
                let energy_kwh = (acc.gpu_wh + acc.rest_wh) / 1000.0;
                Figures {
                    from: ts(a),
                    to: ts(b),
                    includes_estimate: !acc.estimated.is_empty(),
                    gross: acc.gross,
                    estimated: acc.estimated,
                    electricity_cost: acc.cost,
                    net,
                    gpu_energy_kwh: acc.gpu_wh / 1000.0,
                    rest_of_pc_energy_kwh: acc.rest_wh / 1000.0,
                    energy_kwh,
                    mode_hours: acc
                        .mode_ms
                        .into_iter()
                        .map(|(m, ms)| (m, ms as f64 / 3_600_000.0))
                        .collect(),
                    credits: acc
                        .credits
                        .into_iter()
                        .map(|((provider, project), credit)| ProjectCredit {
                            provider,
                            project,
                            credit,
                        })
                        .collect(),
                    co2_g: tariff.carbon_g_per_kwh().map(|g| g * energy_kwh),
                }
            })
            .collect())
    }

    fn add_earnings(
        &self,
        bins: &[(i64, i64)],
        filter: &FigureFilter,
        acc: &mut [BinAcc],
    ) -> Result<(), LedgerError> {
        let (Some(first), Some(last)) = (bins.first(), bins.last()) else {
            return Ok(());
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT amount, currency, booked_ms FROM earnings
                 WHERE booked_ms >= ?1 AND booked_ms < ?2
                   AND (?3 IS NULL OR gpu_uuid = ?3) AND (?4 IS NULL OR provider = ?4)",
            )
            .map_err(|e| self.err("read", e))?;
        let rows = stmt
            .query_map(
                params![first.0, last.1, filter.gpu_uuid, filter.provider],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )
            .map_err(|e| self.err("read", e))?;
        for row in rows {
            let (amount, currency, booked_ms) = row.map_err(|e| self.err("read", e))?;
            let money = parse_money(&amount, &currency)?;
            let i = bins.partition_point(|b| b.1 <= booked_ms);
            if let Some(bin) = acc.get_mut(i) {
                bin.gross.add(&money);
            }
        }
        Ok(())
    }

    fn add_credits(
        &self,
        bins: &[(i64, i64)],
        filter: &FigureFilter,
        acc: &mut [BinAcc],
    ) -> Result<(), LedgerError> {
        let (Some(first), Some(last)) = (bins.first(), bins.last()) else {
            return Ok(());
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT provider, project, at_ms, kind, value FROM credits
                 WHERE at_ms < ?1 AND (?2 IS NULL OR provider = ?2)
                 ORDER BY provider, project, at_ms, id",
            )
            .map_err(|e| self.err("read", e))?;
        let rows = stmt
            .query_map(params![last.1, filter.provider], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, f64>(4)?,
                ))
            })
            .map_err(|e| self.err("read", e))?;
        let mut last_total: HashMap<(String, String), f64> = HashMap::new();
        for row in rows {
            let (provider, project, at_ms, kind, value) = row.map_err(|e| self.err("read", e))?;
            let key = (provider, project);
            let earned = match kind.as_str() {
                "delta" => value.max(0.0),
                "total" => {
                    // The first total is a baseline; a lower total means the project reset.
                    let earned = match last_total.get(&key) {
                        Some(prev) if value >= *prev => value - prev,
                        _ => 0.0,
                    };
                    last_total.insert(key.clone(), value);
                    earned
                }
                other => {
                    return Err(LedgerError::BadValue(format!("credit kind '{other}'")));
                }
            };
            if at_ms < first.0 {
                continue;
            }
            let i = bins.partition_point(|b| b.1 <= at_ms);
            if let Some(bin) = acc.get_mut(i) {
                *bin.credits.entry(key).or_default() += earned;
            }
        }
        Ok(())
    }
}

pub(crate) fn parse_money(amount: &str, currency: &str) -> Result<Money, LedgerError> {
    let amount: Decimal = amount
        .parse()
        .map_err(|e| LedgerError::BadValue(format!("amount '{amount}': {e}")))?;
    let currency = Currency::new(currency).map_err(LedgerError::BadValue)?;
    Ok(Money::new(amount, currency))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_clipped_to_each_bin() {
        let bins = [(0, 10), (10, 20), (20, 30)];
        let mut seen = Vec::new();
        for_each_piece(&bins, 5, 25, |i, a, b| seen.push((i, a, b)));
        assert_eq!(seen, vec![(0, 5, 10), (1, 10, 20), (2, 20, 25)]);
        seen.clear();
        for_each_piece(&bins, 30, 40, |i, a, b| seen.push((i, a, b)));
        assert!(seen.is_empty());
    }

    #[test]
    fn overlapping_intervals_merge() {
        assert_eq!(
            merge_intervals(vec![(5, 8), (0, 3), (2, 4), (8, 9), (10, 10)]),
            vec![(0, 4), (5, 9)]
        );
    }
}
