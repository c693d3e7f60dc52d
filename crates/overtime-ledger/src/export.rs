//! CSV export of sessions and earnings for a range, for spreadsheets and tax returns.
//!
//! RFC 4180 (CRLF line ends, fields quoted when they hold a comma, quote or line break),
//! written by hand because the format is tiny. Columns are documented in `docs/ledger-csv.md`.

use std::io::Write;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::params;

use crate::energy::wh_to_kwh_decimal;
use crate::error::LedgerError;
use crate::figures::{CostModel, FigureFilter, parse_money};
use crate::store::LedgerStore;

/// The header row, in order. Keep `docs/ledger-csv.md` in step.
pub const CSV_COLUMNS: [&str; 19] = [
    "record",
    "id",
    "gpu_uuid",
    "provider",
    "mode",
    "start_utc",
    "start_local",
    "end_utc",
    "end_local",
    "hours",
    "open",
    "energy_kwh",
    "electricity_cost",
    "electricity_currency",
    "amount",
    "currency",
    "source_id",
    "reason_code",
    "reason",
];

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    pub sessions: usize,
    pub earnings: usize,
}

/// Appends one field to `line`, quoted when it needs to be.
pub fn push_csv_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

fn push_row(out: &mut impl Write, fields: &[&str]) -> Result<(), LedgerError> {
    let mut line = String::with_capacity(256);
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_csv_field(&mut line, f);
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes()).map_err(LedgerError::Export)
}

fn utc(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn local(ms: i64, tz: &TimeZone) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

fn hours(ms: i64) -> String {
    rust_decimal::Decimal::new(ms, 3)
        .checked_div(rust_decimal::Decimal::from(3600))
        .map(|h| h.round_dp(4).normalize().to_string())
        .unwrap_or_default()
}

impl LedgerStore {
    /// Writes every session that starts in `[from, to)` and every provider statement booked in
    /// it (at the middle of its period) as CSV to `out`. Sessions carry the energy their GPU
    /// drew and its electricity cost under `model` (the rest of the PC is not included per
    /// session); a session still open is exported up to `now` and marked `open`.
    pub fn export_csv(
        &self,
        from: Timestamp,
        to: Timestamp,
        model: &CostModel,
        now: Timestamp,
        mut out: impl Write,
    ) -> Result<ExportSummary, LedgerError> {
        let (from_ms, to_ms, now_ms) = (
            from.as_millisecond(),
            to.as_millisecond(),
            now.as_millisecond(),
        );
        push_row(&mut out, &CSV_COLUMNS)?;
        let sessions: Vec<_> = self
            .sessions_overlapping(from_ms, to_ms, &FigureFilter::default())?
            .into_iter()
            .filter(|s| s.start_ms >= from_ms)
            .collect();
        for s in &sessions {
            let end_ms = s.end_ms.unwrap_or(now_ms).max(s.start_ms);
            let (wh, cost) = self.session_energy(s, end_ms, model)?;
            push_row(
                &mut out,
                &[
                    "session",
                    &s.id.to_string(),
                    &s.gpu_uuid,
                    s.provider.as_deref().unwrap_or(""),
                    s.mode.as_str(),
                    &utc(s.start_ms),
                    &local(s.start_ms, &model.tz),
                    &utc(end_ms),
                    &local(end_ms, &model.tz),
                    &hours(end_ms - s.start_ms),
                    if s.end_ms.is_none() { "true" } else { "false" },
                    &wh_to_kwh_decimal(wh).normalize().to_string(),
                    &cost.round_dp(6).amount.normalize().to_string(),
                    cost.currency.code(),
                    "",
                    "",
                    "",
                    &s.reason_code,
                    &s.reason,
                ],
            )?;
        }

        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, provider, source_id, amount, currency, period_start_ms, period_end_ms, gpu_uuid
                 FROM earnings WHERE booked_ms >= ?1 AND booked_ms < ?2 ORDER BY period_start_ms, id",
            )
            .map_err(|e| self.err("read", e))?;
        let rows = stmt
            .query_map(params![from_ms, to_ms], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .map_err(|e| self.err("read", e))?;
        let mut earnings = 0;
        for row in rows {
            let (id, provider, source_id, amount, currency, start_ms, end_ms, gpu) =
                row.map_err(|e| self.err("read", e))?;
            let money = parse_money(&amount, &currency)?;
            push_row(
                &mut out,
                &[
                    "earning",
                    &id.to_string(),
                    gpu.as_deref().unwrap_or(""),
                    &provider,
                    "",
                    &utc(start_ms),
                    &local(start_ms, &model.tz),
                    &utc(end_ms),
                    &local(end_ms, &model.tz),
                    &hours(end_ms - start_ms),
                    "false",
                    "",
                    "",
                    "",
                    &money.amount.to_string(),
                    money.currency.code(),
                    &source_id,
                    "",
                    "",
                ],
            )?;
            earnings += 1;
        }
        out.flush().map_err(LedgerError::Export)?;
        Ok(ExportSummary {
            sessions: sessions.len(),
            earnings,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_or_line_breaks_are_quoted() {
        let cases = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\rhere", "\"cr\rhere\""),
            ("", ""),
            ("-0.25", "-0.25"),
        ];
        for (field, want) in cases {
            let mut line = String::new();
            push_csv_field(&mut line, field);
            assert_eq!(line, want, "field {field:?}");
        }
    }

    #[test]
    fn durations_are_hours_with_four_decimals() {
        assert_eq!(hours(5_400_000), "1.5");
        assert_eq!(hours(1000), "0.0003");
    }
}
