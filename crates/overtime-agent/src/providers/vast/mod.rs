//! The Vast.ai host provider: lists this machine on Vast.ai's marketplace while Overtime wants
//! it rented, with an end date that never passes the rental window, and unlists it otherwise.
//!
//! A host lists the *whole machine*: there is one listing, and Vast.ai's host API does not say
//! which GPU a contract holds. So the machine is listed when any GPU is wanted on, and every GPU
//! reports the machine's contracts (the safe reading: a GPU is never taken away from a renter).
//! Unlisting stops *new* contracts only; a running contract keeps the machine until its end date,
//! and Overtime never ends one: it keeps reporting the GPUs rented until the contract is over.

pub mod api;
pub mod wire;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use overtime_core::config::providers::VastSettings;
use rust_decimal::Decimal;

pub use self::api::ApiKey;
use self::api::Client;
use self::wire::{
    CreateAsks, EarningsReply, Machine, MachinesReply, decimal_from_number, number_from_decimal,
    timestamp_from_unix_s,
};
use super::{
    GpuDesire, Provider, ProviderError, ProviderGpuStatus, ProviderKind, ProviderStatus, Statement,
};
use overtime_core::money::{Currency, Money};

/// How the service is named in messages.
pub const SERVICE: &str = "Vast.ai";

/// Bound on one request; under the runner's 10 s per call so our own, clearer timeout fires first.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(8);

/// A live listing whose end date is this much *earlier* than wanted is left alone: the
/// supervisor may slide the wanted end date forward every tick, and re-listing for each second
/// would hammer the API. An end date *later* than wanted is always corrected at once.
pub const RELIST_TOLERANCE_S: i64 = 600;

/// The most a renter prepaying for a long term may get off, as a fraction (Vast.ai's own default
/// for `vastai list machine`).
const CREDIT_DISCOUNT_MAX: &str = "0.4";

/// A reading of the machine younger than this is reused by `apply` instead of asking again: the
/// runner polls the status every few seconds anyway, and `apply` may come every tick.
const LIVE_FRESH: Duration = Duration::from_secs(10);

/// Money asked on the listing, USD.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Prices {
    gpu: Decimal,
    disk: Decimal,
    inetu: Decimal,
    inetd: Decimal,
    min_bid: Decimal,
}

/// What the machine looks like on Vast.ai right now.
#[derive(Debug, Clone, PartialEq)]
struct Live {
    listed: bool,
    /// The listing's end date, in (fractional) Unix seconds as Vast.ai holds it.
    end_date_s: Option<f64>,
    client_end_date_s: Option<f64>,
    price_gpu: Option<Decimal>,
    running: u64,
    /// Contracts holding the machine: running, on-demand or resident (stopped but not ended).
    contracts: u64,
    num_gpus: Option<u32>,
    gpu_name: Option<String>,
}

/// One day of GPU earnings for this machine, as Vast.ai reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyEarnings {
    /// The UTC day.
    pub day: Date,
    /// What the GPUs earned that day, USD, exactly as Vast.ai wrote it.
    pub gpu_usd: Decimal,
}

/// This machine as a Vast.ai host (see the module documentation).
pub struct VastProvider {
    machine_id: u64,
    prices: Prices,
    min_chunk: u32,
    client: Client,
    /// GPUs of the last desired state: the status reports one entry per GPU.
    gpus: Vec<String>,
    live: Option<(tokio::time::Instant, Live)>,
    /// Price of the last listing Overtime made, for when Vast.ai does not echo the price back.
    last_price: Option<Decimal>,
    /// Overtime listed the machine, so it unlists it at shutdown; a listing the user made by hand
    /// before Overtime ever listed is left alone.
    listed_by_us: bool,
    /// The last week's daily earnings, as statements for the ledger, and when to read them again.
    statements: Option<(tokio::time::Instant, Vec<Statement>)>,
}

impl fmt::Debug for VastProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VastProvider")
            .field("machine_id", &self.machine_id)
            .field("prices", &self.prices)
            .field("min_chunk", &self.min_chunk)
            .field("client", &self.client)
            .field("listed_by_us", &self.listed_by_us)
            .finish_non_exhaustive()
    }
}

impl VastProvider {
    /// A provider for the machine in `settings`, asking `price_per_gpu_hour` USD per GPU-hour.
    ///
    /// `api_key`: `None` (or blank) is accepted here, and then every call fails with
    /// `Unauthorized` telling the user how to store one. Errors: a price in `settings` that is not
    /// a decimal number.
    pub fn new(
        settings: &VastSettings,
        price_per_gpu_hour: Decimal,
        api_key: Option<String>,
    ) -> Result<Self, ProviderError> {
        Self::with_request_timeout(
            settings,
            price_per_gpu_hour,
            api_key,
            DEFAULT_REQUEST_TIMEOUT,
        )
    }

    /// [`VastProvider::new`] with another bound on each request.
    pub fn with_request_timeout(
        settings: &VastSettings,
        price_per_gpu_hour: Decimal,
        api_key: Option<String>,
        timeout: Duration,
    ) -> Result<Self, ProviderError> {
        let min_bid = if settings.min_bid.trim().is_empty() {
            price_per_gpu_hour
        } else {
            setting_decimal("min_bid", &settings.min_bid)?
        };
        let prices = Prices {
            gpu: price_per_gpu_hour.normalize(),
            disk: setting_decimal("price_disk", &settings.price_disk)?,
            inetu: setting_decimal("price_inetu", &settings.price_inetu)?,
            inetd: setting_decimal("price_inetd", &settings.price_inetd)?,
            min_bid,
        };
        let client = Client::new(&settings.api_url, api_key.and_then(ApiKey::new), timeout)?;
        Ok(VastProvider {
            machine_id: settings.machine_id,
            prices,
            min_chunk: settings.min_chunk.max(1),
            client,
            gpus: Vec::new(),
            live: None,
            last_price: None,
            listed_by_us: false,
            statements: None,
        })
    }

    /// Re-reads the last 7 days' earnings at most once an hour, as one statement per UTC day
    /// (source id `vast-<machine>-<day>`: a day re-read with a larger amount replaces the earlier
    /// figure in the ledger instead of adding to it). A failure keeps the last good ones: the
    /// machine's state matters more than its bookkeeping.
    async fn refresh_statements(&mut self) {
        let now = tokio::time::Instant::now();
        if self
            .statements
            .as_ref()
            .is_some_and(|(next, _)| now < *next)
        {
            return;
        }
        let today = jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date();
        let from = today
            .checked_sub(jiff::Span::new().days(6))
            .unwrap_or(today);
        match self.earnings(from, today).await {
            Ok(days) => {
                let statements = days
                    .into_iter()
                    .filter_map(|d| {
                        let start = d
                            .day
                            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                            .ok()?
                            .timestamp();
                        let end = d
                            .day
                            .tomorrow()
                            .ok()?
                            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                            .ok()?
                            .timestamp();
                        Some(Statement {
                            source_id: format!("vast-{}-{}", self.machine_id, d.day),
                            amount: Money::new(d.gpu_usd, Currency::usd()),
                            period_start: start,
                            period_end: end,
                            gpu_uuid: None,
                        })
                    })
                    .collect();
                self.statements = Some((now + std::time::Duration::from_secs(3600), statements));
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read Vast.ai earnings; keeping the last ones");
                let kept = self.statements.take().map(|(_, s)| s).unwrap_or_default();
                // Try again in ten minutes rather than on every status poll.
                self.statements = Some((now + std::time::Duration::from_secs(600), kept));
            }
        }
    }

    /// GPU earnings of this machine per UTC day, `from_day` to `to_day` inclusive, oldest first.
    ///
    /// Asks `GET /users/me/machine-earnings?sday=&eday=&machid=` (days counted from the Unix
    /// epoch, as the official CLI does; `eday` is sent one past `to_day` so the whole last day is
    /// covered, and days outside the range are dropped). Amounts are exact decimals.
    pub async fn earnings(
        &self,
        from_day: Date,
        to_day: Date,
    ) -> Result<Vec<DailyEarnings>, ProviderError> {
        self.check_machine_id()?;
        if from_day > to_day {
            return Err(other(format!(
                "earnings asked from {from_day} to {to_day}: the first day is after the last"
            )));
        }
        let sday = epoch_day(from_day);
        let eday = epoch_day(to_day) + 1;
        let path = format!(
            "/users/me/machine-earnings?sday={sday}&eday={eday}&machid={}",
            self.machine_id
        );
        let reply: EarningsReply = self.client.get(&path).await?;
        let mut days = Vec::with_capacity(reply.per_day.len());
        for row in &reply.per_day {
            let day_number = decimal_from_number(&row.day)
                .map(|d| d.floor())
                .and_then(|d| i64::try_from(d).ok())
                .and_then(date_from_epoch_day)
                .ok_or_else(|| protocol(format!("earnings day {} is not a day number", row.day)))?;
            let gpu_usd = decimal_from_number(&row.gpu_earn).ok_or_else(|| {
                protocol(format!("earnings amount {} is not a number", row.gpu_earn))
            })?;
            if day_number >= from_day && day_number <= to_day {
                days.push(DailyEarnings {
                    day: day_number,
                    gpu_usd,
                });
            }
        }
        days.sort_by_key(|d| d.day);
        Ok(days)
    }

    fn check_machine_id(&self) -> Result<(), ProviderError> {
        if self.machine_id == 0 {
            return Err(other(
                "no machine to manage: set providers.vast.machine_id to this machine's id \
                 (the ID column of `vastai show machines`)"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// Read the machine from Vast.ai (`GET /machines?owner=me`, the official CLI's way: it needs
    /// no user id, so no extra request to learn ours).
    async fn read_live(&mut self) -> Result<Live, ProviderError> {
        let reply: MachinesReply = self.client.get("/machines?owner=me").await?;
        let raw = reply
            .machines
            .into_iter()
            .find(|m| m.get("id").and_then(serde_json::Value::as_u64) == Some(self.machine_id))
            .ok_or_else(|| {
                other(format!(
                    "this account has no machine {}; check providers.vast.machine_id against \
                     `vastai show machines`",
                    self.machine_id
                ))
            })?;
        let machine: Machine = serde_json::from_value(raw).map_err(|e| {
            protocol(format!(
                "machine {} is missing a field we need ({e})",
                self.machine_id
            ))
        })?;
        let live = Live {
            listed: machine.listed,
            end_date_s: machine.end_date,
            client_end_date_s: machine.client_end_date,
            price_gpu: machine
                .listed_gpu_cost
                .as_ref()
                .and_then(decimal_from_number),
            running: machine.current_rentals_running,
            contracts: machine
                .current_rentals_running
                .max(machine.current_rentals_on_demand.unwrap_or(0))
                .max(machine.current_rentals_resident.unwrap_or(0)),
            num_gpus: machine.num_gpus,
            gpu_name: machine.gpu_name,
        };
        self.live = Some((tokio::time::Instant::now(), live.clone()));
        Ok(live)
    }

    /// The last reading if it is fresh, else a new one.
    async fn live(&mut self) -> Result<Live, ProviderError> {
        match &self.live {
            Some((at, live)) if at.elapsed() < LIVE_FRESH => Ok(live.clone()),
            _ => self.read_live().await,
        }
    }

    /// Does the live listing differ from the one wanted enough to list again?
    fn needs_listing(&self, live: &Live, end_s: i64) -> bool {
        if !live.listed {
            return true;
        }
        let price = live.price_gpu.or(self.last_price);
        if price.map(|p| p.normalize()) != Some(self.prices.gpu) {
            return true;
        }
        match live.end_date_s {
            None => true,
            // Never a listing past the window, not even by a second.
            Some(live_end) if live_end > end_s as f64 => true,
            Some(live_end) => end_s as f64 - live_end > RELIST_TOLERANCE_S as f64,
        }
    }

    async fn list(&mut self, end_s: i64) -> Result<(), ProviderError> {
        let number = |what: &str, d: Decimal| {
            number_from_decimal(d).ok_or_else(|| other(format!("{what} {d} cannot be sent")))
        };
        let body = CreateAsks {
            machine: self.machine_id,
            price_gpu: number("price", self.prices.gpu)?,
            price_disk: number("price_disk", self.prices.disk)?,
            price_inetu: number("price_inetu", self.prices.inetu)?,
            price_inetd: number("price_inetd", self.prices.inetd)?,
            price_min_bid: number("min_bid", self.prices.min_bid)?,
            min_chunk: self.min_chunk,
            end_date: end_s,
            credit_discount_max: number(
                "credit_discount_max",
                Decimal::from_str(CREDIT_DISCOUNT_MAX).unwrap_or_default(),
            )?,
        };
        // Marked before sending: if the call is cut short, the listing may exist all the same.
        self.listed_by_us = true;
        self.live = None;
        self.client.put("/machines/create_asks/", &body).await?;
        self.last_price = Some(self.prices.gpu);
        tracing::info!(
            machine_id = self.machine_id,
            price_gpu = %self.prices.gpu,
            end_date = %Timestamp::from_second(end_s).map(|t| t.to_string()).unwrap_or_default(),
            "Vast.ai listing made"
        );
        Ok(())
    }

    async fn unlist(&mut self) -> Result<(), ProviderError> {
        self.live = None;
        self.client
            .delete(&format!("/machines/{}/asks/", self.machine_id))
            .await?;
        self.listed_by_us = false;
        tracing::info!(machine_id = self.machine_id, "Vast.ai listing removed");
        Ok(())
    }

    fn describe(&self, live: &Live) -> ProviderStatus {
        // `client_end_date` is the end of the contracts on the machine, the figure that says when
        // the GPU is free again. Without it, the listing's `end_date` is the best bound Vast.ai
        // gives: a contract never outlives the listing it was made under.
        let contract_end = live
            .client_end_date_s
            .or(live.end_date_s)
            .and_then(timestamp_from_unix_s);
        let listed_until = if live.listed {
            live.end_date_s.and_then(timestamp_from_unix_s)
        } else {
            None
        };
        let rented = live.contracts > 0;
        let gpus = self
            .gpus
            .iter()
            .map(|uuid| ProviderGpuStatus {
                uuid: uuid.clone(),
                working: live.running > 0,
                enabled: live.listed,
                rented_until: if rented { contract_end } else { None },
                listed_until,
            })
            .collect();

        let machine = match (&live.num_gpus, &live.gpu_name) {
            (Some(n), Some(name)) => format!("machine {} ({n}× {name})", self.machine_id),
            _ => format!("machine {}", self.machine_id),
        };
        let listing = if live.listed {
            let price = live
                .price_gpu
                .map(|p| format!(" at {p} USD/GPU-h"))
                .unwrap_or_default();
            let until = listed_until
                .map(|t| format!(" until {t}"))
                .unwrap_or_default();
            format!("listed{price}{until}")
        } else {
            "not listed".to_owned()
        };
        let rentals = match (live.contracts, contract_end) {
            (0, _) => "no rental".to_owned(),
            (n, end) => {
                let until = end
                    .map(|t| format!(" until {t}"))
                    .unwrap_or_else(|| " (end date not given)".to_owned());
                let plural = if n == 1 { "" } else { "s" };
                let kept = if live.listed {
                    ""
                } else {
                    " (unlisting never ends a rental)"
                };
                format!("{n} rental{plural}{until}{kept}")
            }
        };
        ProviderStatus {
            gpus,
            detail: format!("Vast.ai {machine}: {listing}; {rentals}"),
            ..ProviderStatus::default()
        }
    }
}

#[async_trait]
impl Provider for VastProvider {
    fn name(&self) -> &str {
        "vast"
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Rental
    }

    fn simulated(&self) -> bool {
        false
    }

    /// Read the machine's listing and contracts from Vast.ai.
    async fn status(&mut self) -> Result<ProviderStatus, ProviderError> {
        self.check_machine_id()?;
        let live = self.read_live().await?;
        let mut status = self.describe(&live);
        self.refresh_statements().await;
        status.statements = self
            .statements
            .as_ref()
            .map(|(_, s)| s.clone())
            .unwrap_or_default();
        Ok(status)
    }

    /// List the machine when a GPU is wanted on with an end date, ending no later than the
    /// earliest `list_until` among all desired GPUs; otherwise unlist it. A GPU wanted on without
    /// an end date does not count: Overtime never lists without one. Re-lists only when the live
    /// listing differs (price, an end date later than wanted, or one more than
    /// [`RELIST_TOLERANCE_S`] earlier). Unlisting leaves running contracts alone.
    async fn apply(&mut self, desired: &[GpuDesire]) -> Result<ProviderStatus, ProviderError> {
        self.gpus = desired.iter().map(|d| d.uuid.clone()).collect();
        self.check_machine_id()?;
        for d in desired.iter().filter(|d| d.on && d.list_until.is_none()) {
            tracing::warn!(
                gpu = d.index,
                "rental wanted without an end date; not listing for it"
            );
        }
        let wants_listing = desired.iter().any(|d| d.on && d.list_until.is_some());
        let end = desired.iter().filter_map(|d| d.list_until).min();
        let live = self.live().await?;
        match end {
            Some(end) if wants_listing => {
                // Whole seconds, rounded down: never past the wanted end.
                let end_s = end.as_second();
                if self.needs_listing(&live, end_s) {
                    self.list(end_s).await?;
                }
            }
            _ => {
                if live.listed {
                    self.unlist().await?;
                }
            }
        }
        let live = self.live().await?;
        Ok(self.describe(&live))
    }

    /// Unlist the machine if Overtime listed it, so no new renter arrives while Overtime is not
    /// there to guard the games; running contracts continue to their end.
    async fn shutdown(&mut self) -> Result<(), ProviderError> {
        if self.machine_id == 0 || !self.listed_by_us {
            return Ok(());
        }
        self.unlist().await
    }
}

fn setting_decimal(name: &str, text: &str) -> Result<Decimal, ProviderError> {
    Decimal::from_str(text.trim())
        .map(|d| d.normalize())
        .map_err(|_| {
            other(format!(
                "providers.vast.{name} = {text:?} is not a decimal number; write it like \"0.10\""
            ))
        })
}

fn other(detail: String) -> ProviderError {
    ProviderError::Other {
        service: SERVICE.to_owned(),
        detail,
    }
}

fn protocol(detail: String) -> ProviderError {
    ProviderError::Protocol {
        service: SERVICE.to_owned(),
        detail,
    }
}

const EPOCH: Date = Date::constant(1970, 1, 1);

/// Days since 1970-01-01.
fn epoch_day(day: Date) -> i64 {
    day.duration_since(EPOCH).as_secs().div_euclid(86_400)
}

fn date_from_epoch_day(days: i64) -> Option<Date> {
    let span = jiff::Span::new().try_days(days).ok()?;
    EPOCH.checked_add(span).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn epoch_days_round_trip() {
        for (date, days) in [
            (Date::constant(1970, 1, 1), 0),
            (Date::constant(2024, 2, 29), 19_782),
            (Date::constant(2026, 1, 1), 20_454),
        ] {
            assert_eq!(epoch_day(date), days);
            assert_eq!(date_from_epoch_day(days), Some(date));
        }
    }

    #[test]
    fn bad_prices_in_settings_are_named() {
        let settings = VastSettings {
            price_disk: "ten cents".into(),
            ..VastSettings::default()
        };
        let err = VastProvider::new(&settings, Decimal::new(25, 2), None).unwrap_err();
        assert!(
            err.to_string().contains("providers.vast.price_disk"),
            "{err}"
        );
    }
}
