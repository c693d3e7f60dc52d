//! Mode sessions as a list for people: newest first, a page at a time, each with the energy its
//! GPU drew, what that cost, and what its rental contract pays. The history view shows it; the
//! figures and the export read the same rows through the same filters.

use jiff::Timestamp;
use overtime_core::Mode;
use overtime_core::money::Money;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::LedgerError;
use crate::figures::{CostModel, FigureFilter, SessionRow};
use crate::store::LedgerStore;
use crate::totals::Totals;

/// The most sessions one page may hold; a caller asking for more gets this many.
pub const MAX_SESSION_PAGE: usize = 1000;

/// One mode session of one GPU.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionEntry {
    /// The session's id in the ledger (also in the CSV export).
    pub id: i64,
    pub gpu_uuid: String,
    pub start: Timestamp,
    /// `None` while the session is still open; its figures then run up to `now`.
    pub end: Option<Timestamp>,
    pub mode: Mode,
    /// The provider serving the mode; `None` when idle.
    pub provider: Option<String>,
    pub reason_code: String,
    /// The reason as the sentence the user saw when the session began.
    pub reason: String,
    /// Energy the GPU drew over the whole session (not cut to the range asked for), in kWh.
    /// The rest of the PC is not included, as in the CSV export.
    pub gpu_energy_kwh: f64,
    /// What that energy cost under the tariff, in the tariff's currency.
    pub electricity_cost: Money,
    /// The rental contract's price per hour, when the session was a paid rental.
    pub price_per_hour: Option<Money>,
    /// `price_per_hour` × the session's length: what the contract pays for it. The provider's
    /// statement is what counts; this is the estimate until then.
    pub contract_earnings: Option<Money>,
}

/// A page of sessions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionPage {
    pub sessions: Vec<SessionEntry>,
    /// True when older sessions in the range did not fit in the page.
    pub more: bool,
}

/// The GPUs and providers the ledger has seen, for filter choices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LedgerDimensions {
    /// GPU UUIDs with at least one session, sorted.
    pub gpus: Vec<String>,
    /// Providers named by a session or a statement, sorted.
    pub providers: Vec<String>,
}

impl LedgerStore {
    /// Sessions overlapping `[from, to)` that match `filter`, newest first (by start), at most
    /// `limit` of them (capped at [`MAX_SESSION_PAGE`]). A session that crosses the range's
    /// edges is listed whole. `now` ends sessions still open.
    pub fn sessions_page(
        &self,
        from: Timestamp,
        to: Timestamp,
        filter: &FigureFilter,
        limit: usize,
        model: &CostModel,
        now: Timestamp,
    ) -> Result<SessionPage, LedgerError> {
        if to <= from {
            return Err(LedgerError::Range(format!(
                "the range {from} – {to} is empty; 'to' must be after 'from'"
            )));
        }
        let limit = limit.min(MAX_SESSION_PAGE);
        // One more than asked for tells whether there are more.
        let mut rows = self.sessions_newest_first(
            from.as_millisecond(),
            to.as_millisecond(),
            filter,
            limit as i64 + 1,
        )?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let now_ms = now.as_millisecond();
        let mut sessions = Vec::with_capacity(rows.len());
        for row in rows {
            let end_ms = row.end_ms.unwrap_or(now_ms).max(row.start_ms);
            let (wh, electricity_cost) = self.session_energy(&row, end_ms, model)?;
            let contract_earnings = row.price_per_hour.as_ref().map(|price| {
                let amount =
                    price.amount * Decimal::from(end_ms - row.start_ms) / Decimal::from(3_600_000);
                Money::new(amount, price.currency.clone())
            });
            sessions.push(SessionEntry {
                id: row.id,
                start: ts(row.start_ms),
                end: row.end_ms.map(ts),
                mode: row.mode,
                provider: row.provider,
                reason_code: row.reason_code,
                reason: row.reason,
                gpu_energy_kwh: wh / 1000.0,
                electricity_cost,
                price_per_hour: row.price_per_hour,
                contract_earnings,
                gpu_uuid: row.gpu_uuid,
            });
        }
        Ok(SessionPage { sessions, more })
    }

    /// The GPUs and providers that appear anywhere in the ledger.
    pub fn dimensions(&self) -> Result<LedgerDimensions, LedgerError> {
        let column = |sql: &str| -> Result<Vec<String>, LedgerError> {
            let mut stmt = self
                .conn
                .prepare_cached(sql)
                .map_err(|e| self.err("read", e))?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(|e| self.err("read", e))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.err("read", e))
        };
        Ok(LedgerDimensions {
            gpus: column("SELECT DISTINCT gpu_uuid FROM sessions ORDER BY gpu_uuid")?,
            providers: column(
                "SELECT provider FROM sessions WHERE provider IS NOT NULL
                 UNION SELECT provider FROM earnings ORDER BY 1",
            )?,
        })
    }

    /// The energy one session's GPU drew from its start to `end_ms`, in Wh, and its cost under
    /// `model` (the rest of the PC left out).
    pub(crate) fn session_energy(
        &self,
        session: &SessionRow,
        end_ms: i64,
        model: &CostModel,
    ) -> Result<(f64, Money), LedgerError> {
        let mut chunks = Vec::new();
        self.energy_chunks(
            Some(&session.gpu_uuid),
            session.start_ms,
            end_ms,
            &mut chunks,
        )?;
        let mut wh = 0.0;
        let mut cost = Totals::new();
        for c in &chunks {
            wh += c.wh;
            cost.add(&model.energy_cost(c.wh, ts(c.start_ms), ts(c.end_ms)));
        }
        Ok((wh, cost.get(model.tariff.currency())))
    }
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}
