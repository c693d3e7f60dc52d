//! A scripted process table for tests and demo mode. Clones share one table, so a test keeps a
//! clone to start and stop "processes" while the watcher owns another, and counts how often the
//! watcher asked to name a process.

use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{ProcessNames, ProcessSource};

/// In-memory process table; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct FakeProcessSource {
    shared: Arc<Mutex<FakeTable>>,
}

#[derive(Debug, Default)]
struct FakeTable {
    processes: BTreeMap<u32, ProcessNames>,
    describe_calls: BTreeMap<u32, u64>,
    fail_listing: bool,
    /// `Some(n)` once generations are turned on: bumped by every `start`, like Linux's last PID.
    generation: Option<u64>,
    listings: u64,
}

impl FakeProcessSource {
    pub fn new() -> Self {
        Self::default()
    }

    fn table(&self) -> MutexGuard<'_, FakeTable> {
        // A test that panicked while holding the lock has already failed; keep the table usable.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts (or replaces) the process `pid`.
    pub fn start(&self, pid: u32, names: ProcessNames) {
        let mut table = self.table();
        table.processes.insert(pid, names);
        if let Some(g) = &mut table.generation {
            *g += 1;
        }
    }

    /// Changes a running process's names without creating a process (an exec, a rename).
    pub fn rename_for_test(&self, pid: u32, names: ProcessNames) {
        self.table().processes.insert(pid, names);
    }

    /// Report a process generation (as Linux does) so the watcher may skip listings.
    pub fn track_generation(&self) {
        self.table().generation = Some(0);
    }

    /// How many times the whole process list was read.
    pub fn listings(&self) -> u64 {
        self.table().listings
    }

    /// Ends the process `pid`; no effect if it is not running.
    pub fn stop(&self, pid: u32) {
        self.table().processes.remove(&pid);
    }

    /// Makes the next listings fail (`true`) or succeed again (`false`).
    pub fn fail_listing(&self, fail: bool) {
        self.table().fail_listing = fail;
    }

    /// How many times `describe` has been called, for all PIDs.
    pub fn describe_calls(&self) -> u64 {
        self.table().describe_calls.values().sum()
    }

    /// How many times `describe` has been called for `pid`.
    pub fn describe_calls_for(&self, pid: u32) -> u64 {
        self.table().describe_calls.get(&pid).copied().unwrap_or(0)
    }
}

impl ProcessSource for FakeProcessSource {
    fn pids(&mut self, out: &mut Vec<u32>) -> io::Result<()> {
        let mut table = self.table();
        if table.fail_listing {
            return Err(io::Error::other("fake process listing failure"));
        }
        table.listings += 1;
        out.clear();
        out.extend(table.processes.keys().copied());
        Ok(())
    }

    fn describe(&mut self, pid: u32) -> Option<ProcessNames> {
        let mut table = self.table();
        *table.describe_calls.entry(pid).or_default() += 1;
        table.processes.get(&pid).cloned()
    }

    fn generation(&mut self) -> Option<u64> {
        self.table().generation
    }

    fn alive(&mut self, pid: u32) -> bool {
        self.table().processes.contains_key(&pid)
    }
}
