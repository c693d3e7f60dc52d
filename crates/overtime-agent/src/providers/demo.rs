//! Demo providers: a simulated rental marketplace and a simulated volunteer client, for demo
//! mode and tests. Everything they report is simulated and says so (`simulated() == true`).
//!
//! They keep their state in a JSON file that plays the part of the remote service: it outlives
//! the agent, so a restarted agent (even after SIGKILL) must reconcile with what they report,
//! exactly as with a real marketplace or BOINC client.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    CreditReport, GpuDesire, Provider, ProviderError, ProviderGpuStatus, ProviderKind,
    ProviderStatus, Statement,
};
use crate::clock::Clock;
use overtime_core::money::{Currency, Money};

/// How the simulated marketplace behaves. Times in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoMarket {
    /// A renter shows up this long after a GPU is listed (uniform in the range).
    pub renter_after_s: (u64, u64),
    /// A contract lasts this long (uniform), never past the listing's end date.
    pub contract_s: (u64, u64),
    pub seed: u64,
}

impl Default for DemoMarket {
    fn default() -> Self {
        DemoMarket {
            renter_after_s: (120, 900),
            contract_s: (1800, 7200),
            seed: 7,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct DemoListing {
    listed_until: Option<Timestamp>,
    renter_at: Option<Timestamp>,
    rented_from: Option<Timestamp>,
    rented_until: Option<Timestamp>,
    #[serde(default)]
    contract_id: Option<u64>,
}

/// A finished simulated contract, reported as a statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DemoContract {
    id: u64,
    gpu_uuid: String,
    from: Timestamp,
    until: Timestamp,
    amount_usd: Decimal,
}

/// How many finished contracts the simulated marketplace keeps reporting.
const CONTRACTS_KEPT: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct MarketWorld {
    gpus: BTreeMap<String, DemoListing>,
    /// Simulated earnings of finished contracts, USD.
    earned_usd: Decimal,
    contracts: u64,
    draws: u64,
    #[serde(default)]
    finished: Vec<DemoContract>,
}

/// A simulated rental marketplace (think Vast.ai) that lists GPUs and sends renters.
pub struct DemoRental {
    path: PathBuf,
    clock: Arc<dyn Clock>,
    market: DemoMarket,
    price_per_hour_usd: Decimal,
}

impl DemoRental {
    /// `path` holds the marketplace's state across agent restarts.
    pub fn new(
        path: PathBuf,
        clock: Arc<dyn Clock>,
        market: DemoMarket,
        price_per_hour_usd: Decimal,
    ) -> Self {
        DemoRental {
            path,
            clock,
            market,
            price_per_hour_usd,
        }
    }

    fn advance(&self, world: &mut MarketWorld, now: Timestamp) {
        let MarketWorld {
            gpus,
            earned_usd,
            contracts,
            draws,
            finished,
        } = world;
        for (uuid, listing) in gpus.iter_mut() {
            if let (Some(from), Some(until)) = (listing.rented_from, listing.rented_until)
                && until <= now
            {
                let hours = Decimal::from(until.duration_since(from).as_secs().max(0))
                    / Decimal::from(3600);
                let amount_usd = (hours * self.price_per_hour_usd).round_dp(6);
                *earned_usd += amount_usd;
                finished.push(DemoContract {
                    id: listing.contract_id.unwrap_or(*contracts),
                    gpu_uuid: uuid.clone(),
                    from,
                    until,
                    amount_usd,
                });
                listing.rented_from = None;
                listing.rented_until = None;
                listing.contract_id = None;
            }
            let listed = listing.listed_until.filter(|u| *u > now);
            if listing.rented_until.is_none()
                && let (Some(listed_until), Some(arrives)) = (listed, listing.renter_at)
                && arrives <= now
            {
                *draws += 1;
                let mut rng = rand::rngs::SmallRng::seed_from_u64(self.market.seed ^ *draws);
                let (lo, hi) = self.market.contract_s;
                let length = rng.random_range(lo..=hi.max(lo));
                *contracts += 1;
                listing.rented_from = Some(arrives);
                listing.rented_until =
                    Some((arrives + SignedDuration::from_secs(length as i64)).min(listed_until));
                listing.renter_at = None;
                listing.contract_id = Some(*contracts);
            }
            if listed.is_none() {
                listing.listed_until = None;
                listing.renter_at = None;
            }
        }
        if finished.len() > CONTRACTS_KEPT {
            let excess = finished.len() - CONTRACTS_KEPT;
            finished.drain(..excess);
        }
    }

    fn next_renter(&self, world: &mut MarketWorld, now: Timestamp) -> Timestamp {
        world.draws += 1;
        let mut rng =
            rand::rngs::SmallRng::seed_from_u64(self.market.seed ^ world.draws.rotate_left(17));
        let (lo, hi) = self.market.renter_after_s;
        now + SignedDuration::from_secs(rng.random_range(lo..=hi.max(lo)) as i64)
    }

    fn status_of(&self, world: &MarketWorld, now: Timestamp) -> ProviderStatus {
        let gpus: Vec<ProviderGpuStatus> = world
            .gpus
            .iter()
            .map(|(uuid, l)| ProviderGpuStatus {
                uuid: uuid.clone(),
                working: l.rented_until.is_some_and(|u| u > now),
                enabled: l.listed_until.is_some_and(|u| u > now),
                rented_until: l.rented_until.filter(|u| *u > now),
                listed_until: l.listed_until.filter(|u| *u > now),
            })
            .collect();
        let listed = gpus.iter().filter(|g| g.enabled).count();
        let rented = gpus.iter().filter(|g| g.working).count();
        ProviderStatus {
            detail: format!(
                "simulated marketplace: {listed} listed, {rented} rented at {} USD/h; {} contracts, {} USD earned (simulated)",
                self.price_per_hour_usd.normalize(),
                world.contracts,
                world.earned_usd.round_dp(2)
            ),
            gpus,
            statements: world
                .finished
                .iter()
                .map(|c| Statement {
                    source_id: format!("demo-contract-{}", c.id),
                    amount: Money::new(c.amount_usd, Currency::usd()),
                    period_start: c.from,
                    period_end: c.until,
                    gpu_uuid: Some(c.gpu_uuid.clone()),
                })
                .collect(),
            credits: Vec::new(),
        }
    }
}

#[async_trait]
impl Provider for DemoRental {
    fn name(&self) -> &str {
        "demo-rental"
    }
    fn kind(&self) -> ProviderKind {
        ProviderKind::Rental
    }
    fn simulated(&self) -> bool {
        true
    }

    async fn status(&mut self) -> Result<ProviderStatus, ProviderError> {
        let now = self.clock.now();
        let mut world: MarketWorld = load(&self.path, self.name())?;
        let before = world.clone();
        self.advance(&mut world, now);
        if world != before {
            save(&self.path, &world, self.name())?;
        }
        Ok(self.status_of(&world, now))
    }

    async fn apply(&mut self, desired: &[GpuDesire]) -> Result<ProviderStatus, ProviderError> {
        let now = self.clock.now();
        let mut world: MarketWorld = load(&self.path, self.name())?;
        self.advance(&mut world, now);
        for d in desired {
            let mut listing = world.gpus.get(&d.uuid).cloned().unwrap_or_default();
            match (d.on, d.list_until.filter(|u| *u > now)) {
                (true, Some(until)) => {
                    if listing.listed_until.is_none() && listing.rented_until.is_none() {
                        listing.renter_at = Some(self.next_renter(&mut world, now));
                    }
                    listing.listed_until = Some(until);
                }
                _ => {
                    // Unlisting stops new contracts only; a running one continues to its end.
                    listing.listed_until = None;
                    listing.renter_at = None;
                }
            }
            world.gpus.insert(d.uuid.clone(), listing);
        }
        save(&self.path, &world, self.name())?;
        Ok(self.status_of(&world, now))
    }

    async fn shutdown(&mut self) -> Result<(), ProviderError> {
        let now = self.clock.now();
        let mut world: MarketWorld = load(&self.path, self.name())?;
        self.advance(&mut world, now);
        for listing in world.gpus.values_mut() {
            listing.listed_until = None;
            listing.renter_at = None;
        }
        save(&self.path, &world, self.name())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct VolunteerWorld {
    /// GPU UUID → crunching since.
    running: BTreeMap<String, Timestamp>,
    /// Simulated credit earned by finished stretches.
    credits: Decimal,
}

/// A simulated volunteer client (think BOINC) that crunches on the GPUs it is told to.
pub struct DemoVolunteer {
    path: PathBuf,
    clock: Arc<dyn Clock>,
}

impl DemoVolunteer {
    pub fn new(path: PathBuf, clock: Arc<dyn Clock>) -> Self {
        DemoVolunteer { path, clock }
    }

    /// Simulated credit rate: 1,000 credits per GPU-hour.
    fn credits_between(from: Timestamp, to: Timestamp) -> Decimal {
        Decimal::from(to.duration_since(from).as_secs().max(0)) * Decimal::from(1000)
            / Decimal::from(3600)
    }

    fn status_of(world: &VolunteerWorld, now: Timestamp, known: &[String]) -> ProviderStatus {
        let mut uuids: Vec<&String> = known.iter().chain(world.running.keys()).collect();
        uuids.sort();
        uuids.dedup();
        let live: Decimal = world
            .running
            .values()
            .map(|from| Self::credits_between(*from, now))
            .sum();
        ProviderStatus {
            gpus: uuids
                .into_iter()
                .map(|u| {
                    let on = world.running.contains_key(u);
                    ProviderGpuStatus {
                        uuid: u.clone(),
                        working: on,
                        enabled: on,
                        rented_until: None,
                        listed_until: None,
                    }
                })
                .collect(),
            detail: format!(
                "simulated volunteer client: {} GPU(s) crunching; {} credits (simulated)",
                world.running.len(),
                (world.credits + live).round_dp(0)
            ),
            statements: Vec::new(),
            credits: vec![CreditReport {
                project: "Demo project (simulated)".to_owned(),
                total: (world.credits + live)
                    .round_dp(2)
                    .to_string()
                    .parse()
                    .unwrap_or(0.0),
            }],
        }
    }
}

#[async_trait]
impl Provider for DemoVolunteer {
    fn name(&self) -> &str {
        "demo-volunteer"
    }
    fn kind(&self) -> ProviderKind {
        ProviderKind::Volunteer
    }
    fn simulated(&self) -> bool {
        true
    }

    async fn status(&mut self) -> Result<ProviderStatus, ProviderError> {
        let world: VolunteerWorld = load(&self.path, self.name())?;
        Ok(Self::status_of(&world, self.clock.now(), &[]))
    }

    async fn apply(&mut self, desired: &[GpuDesire]) -> Result<ProviderStatus, ProviderError> {
        let now = self.clock.now();
        let mut world: VolunteerWorld = load(&self.path, self.name())?;
        for d in desired {
            match (d.on, world.running.get(&d.uuid).copied()) {
                (true, None) => {
                    world.running.insert(d.uuid.clone(), now);
                }
                (false, Some(from)) => {
                    world.credits += Self::credits_between(from, now);
                    world.running.remove(&d.uuid);
                }
                _ => {}
            }
        }
        save(&self.path, &world, self.name())?;
        let known: Vec<String> = desired.iter().map(|d| d.uuid.clone()).collect();
        Ok(Self::status_of(&world, now, &known))
    }

    async fn shutdown(&mut self) -> Result<(), ProviderError> {
        let now = self.clock.now();
        let mut world: VolunteerWorld = load(&self.path, self.name())?;
        let stopped: Decimal = world
            .running
            .values()
            .map(|from| Self::credits_between(*from, now))
            .sum();
        world.credits += stopped;
        world.running.clear();
        save(&self.path, &world, self.name())
    }
}

fn load<T: Default + for<'de> Deserialize<'de>>(
    path: &Path,
    service: &str,
) -> Result<T, ProviderError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ProviderError::Protocol {
            service: service.to_owned(),
            detail: format!(
                "state file {} is damaged ({e}); delete it to start the demo afresh",
                path.display()
            ),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(ProviderError::Other {
            service: service.to_owned(),
            detail: format!("cannot read {}: {e}", path.display()),
        }),
    }
}

/// Write-then-rename, so a kill mid-write never leaves half a file.
fn save<T: Serialize>(path: &Path, value: &T, service: &str) -> Result<(), ProviderError> {
    let err = |e: std::io::Error| ProviderError::Other {
        service: service.to_owned(),
        detail: format!("cannot write {}: {e}", path.display()),
    };
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| ProviderError::Other {
        service: service.to_owned(),
        detail: e.to_string(),
    })?;
    crate::file_replace::replace_file(path, "json.tmp", &bytes).map_err(err)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::clock::TokioClock;

    fn desire(on: bool, until: Option<Timestamp>) -> Vec<GpuDesire> {
        vec![GpuDesire {
            uuid: "GPU-1".into(),
            index: 0,
            on,
            list_until: until,
        }]
    }

    fn t0() -> Timestamp {
        Timestamp::from_second(1_790_000_000).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_listed_gpu_gets_a_renter_whose_contract_ends_by_the_listing_end() {
        let dir = tempdir();
        let clock = Arc::new(TokioClock::starting_at(t0()));
        let market = DemoMarket {
            renter_after_s: (10, 10),
            contract_s: (100_000, 100_000),
            seed: 1,
        };
        let mut p = DemoRental::new(
            dir.join("m.json"),
            clock.clone(),
            market,
            Decimal::new(25, 2),
        );
        let until = t0() + SignedDuration::from_secs(3600);
        let s = p.apply(&desire(true, Some(until))).await.unwrap();
        assert!(s.gpus[0].enabled && !s.gpus[0].working);
        tokio::time::advance(std::time::Duration::from_secs(11)).await;
        let s = p.status().await.unwrap();
        assert_eq!(
            s.gpus[0].rented_until,
            Some(until),
            "contract capped at the listing's end"
        );
        assert!(s.detail.contains("simulated"));

        // Unlisting does not end the contract.
        let s = p.apply(&desire(false, None)).await.unwrap();
        assert_eq!(s.gpus[0].rented_until, Some(until));
        assert!(!s.gpus[0].enabled);

        // A new agent (after a crash) sees the same contract.
        let mut again = DemoRental::new(dir.join("m.json"), clock, market, Decimal::new(25, 2));
        assert_eq!(
            again.status().await.unwrap().gpus[0].rented_until,
            Some(until)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn volunteer_work_survives_an_agent_restart_until_turned_off() {
        let dir = tempdir();
        let clock = Arc::new(TokioClock::starting_at(t0()));
        let mut p = DemoVolunteer::new(dir.join("v.json"), clock.clone());
        assert!(p.apply(&desire(true, None)).await.unwrap().gpus[0].working);
        let mut again = DemoVolunteer::new(dir.join("v.json"), clock);
        assert!(again.status().await.unwrap().gpus[0].working);
        again.shutdown().await.unwrap();
        assert!(again.status().await.unwrap().gpus.is_empty());
    }

    fn tempdir() -> PathBuf {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("overtime-demo-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
