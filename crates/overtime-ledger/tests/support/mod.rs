//! Shared fixtures for the ledger's integration tests: temporary folders and common values.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use overtime_core::money::{Currency, Money};
use overtime_core::tariff::Tariff;
use overtime_ledger::CostModel;

/// A folder under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "overtime-ledger-{tag}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub fn money(amount: &str, currency: &str) -> Money {
    Money::new(amount.parse().unwrap(), Currency::new(currency).unwrap())
}

pub fn flat_model(price_per_kwh: &str, currency: &str, rest_of_pc_w: f64) -> CostModel {
    CostModel {
        tariff: Tariff::flat(
            price_per_kwh.parse().unwrap(),
            Currency::new(currency).unwrap(),
        ),
        tz: TimeZone::UTC,
        rest_of_pc_w,
    }
}
