//! The ledger writer: a dedicated thread that owns the write connection and drains a bounded
//! queue, so recording an event never blocks the agent's loop.
//!
//! Events are written in batches (one transaction per ≤ `batch_max` events, at least every
//! `flush_interval`). When the disk is full or writes fail, events wait in memory (bounded),
//! health says "not recording" with the error, and writes are retried until they succeed.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::Serialize;

use crate::error::LedgerError;
use crate::event::Event;
use crate::store::{LedgerStore, MINUTE_RETENTION};

/// Tuning of the writer; the defaults suit the agent.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Events the queue holds before `try_record` refuses (and counts) more.
    pub queue_capacity: usize,
    /// Most events written in one transaction.
    pub batch_max: usize,
    /// Longest time an event waits before it is written.
    pub flush_interval: Duration,
    /// Wait after a failed write before trying again.
    pub retry_interval: Duration,
    /// Events kept in memory while writes fail; beyond it the oldest are dropped (and counted).
    pub pending_max: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            queue_capacity: 4096,
            batch_max: 512,
            flush_interval: Duration::from_secs(1),
            retry_interval: Duration::from_secs(10),
            pending_max: 100_000,
        }
    }
}

/// The queue was full (or the writer has stopped): the event was dropped and counted in
/// [`LedgerHealth::dropped`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the ledger queue is full; the event was dropped and counted")]
pub struct QueueFull;

/// How the ledger is doing, for the UI, `/metrics` and `overtime doctor`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LedgerHealth {
    /// False while writes fail (disk full, I/O error) or after the writer stopped.
    pub recording: bool,
    /// Events lost: refused by a full queue, or dropped while writes failed for too long.
    pub dropped: u64,
    /// Events that SQLite refused on their own (written one by one and skipped).
    pub rejected: u64,
    /// Events written so far.
    pub written: u64,
    /// Events waiting in memory for a write to succeed.
    pub pending: usize,
    /// The latest write error, kept after recovery so the user can see what happened.
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
}

enum Msg {
    Event(Event),
    Retention(Timestamp),
    Flush(SyncSender<Result<(), String>>),
    PageLimit(Option<u64>),
    Shutdown,
}

/// Handle to the writer thread. Dropping it stops the thread after a last flush.
pub struct LedgerWriter {
    tx: SyncSender<Msg>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<LedgerStore>>,
}

/// Flushes a [`LedgerWriter`] from anywhere (see [`LedgerWriter::flusher`]). The writer's own
/// flush comes every `flush_interval` on the wall clock; a reader that waits on this instead
/// knows the ledger holds what was queued before, which is also what lets a test running on a
/// paused clock read what it recorded without sleeping for real.
#[derive(Clone)]
pub struct LedgerFlusher {
    tx: SyncSender<Msg>,
}

impl LedgerFlusher {
    /// Blocks until everything queued before this call is written, or returns the write
    /// error (the events stay queued for a retry), or [`LedgerError::WriterStopped`] once the
    /// writer is gone. Call it from a blocking context, never on the async runtime.
    pub fn flush(&self) -> Result<(), LedgerError> {
        let (reply_tx, reply_rx) = sync_channel(1);
        self.tx
            .send(Msg::Flush(reply_tx))
            .map_err(|_| LedgerError::WriterStopped)?;
        match reply_rx.recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(LedgerError::BadValue(message)),
            Err(_) => Err(LedgerError::WriterStopped),
        }
    }
}

struct Shared {
    health: Mutex<LedgerHealth>,
    dropped: AtomicU64,
}

impl Shared {
    fn update(&self, f: impl FnOnce(&mut LedgerHealth)) {
        let mut h = self.health.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut h);
    }
}

impl LedgerWriter {
    /// Starts the writer thread around an open store.
    pub fn spawn(store: LedgerStore, config: WriterConfig) -> Result<LedgerWriter, LedgerError> {
        let (tx, rx) = sync_channel(config.queue_capacity.max(1));
        let shared = Arc::new(Shared {
            health: Mutex::new(LedgerHealth {
                recording: true,
                ..LedgerHealth::default()
            }),
            dropped: AtomicU64::new(0),
        });
        let worker = Worker {
            store,
            config,
            rx,
            shared: shared.clone(),
            pending: VecDeque::new(),
            retry_at: None,
        };
        let thread = std::thread::Builder::new()
            .name("overtime-ledger".to_owned())
            .spawn(move || worker.run())
            .map_err(LedgerError::Spawn)?;
        Ok(LedgerWriter {
            tx,
            shared,
            thread: Some(thread),
        })
    }

    /// Queues an event for writing. Never blocks: when the queue is full the event is dropped,
    /// counted, and `QueueFull` returned.
    pub fn try_record(&self, event: Event) -> Result<(), QueueFull> {
        match self.tx.try_send(Msg::Event(event)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                Err(QueueFull)
            }
        }
    }

    /// Asks the writer to apply retention (see [`LedgerStore::apply_retention`]) as of `now`
    /// after writing what is queued. Never blocks.
    pub fn request_retention(&self, now: Timestamp) -> Result<(), QueueFull> {
        self.tx.try_send(Msg::Retention(now)).map_err(|_| QueueFull)
    }

    /// A snapshot of the writer's health.
    pub fn health(&self) -> LedgerHealth {
        let mut h = self
            .shared
            .health
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        h.dropped += self.shared.dropped.load(Ordering::Relaxed);
        if self.thread.as_ref().is_none_or(|t| t.is_finished()) {
            h.recording = false;
        }
        h
    }

    /// Blocks until everything queued before this call is written, or returns the write
    /// error (the events stay queued for a retry). Call it from a blocking context
    /// (`spawn_blocking`), never on the async runtime.
    pub fn flush(&self) -> Result<(), LedgerError> {
        self.flusher().flush()
    }

    /// A handle that flushes this writer from another thread, e.g. a blocking-pool thread that
    /// is about to read the ledger and must see every event recorded before the read.
    pub fn flusher(&self) -> LedgerFlusher {
        LedgerFlusher {
            tx: self.tx.clone(),
        }
    }

    /// Caps the database at `pages` pages on the writer's connection (`None` lifts it), to
    /// simulate a full disk in tests.
    #[doc(hidden)]
    pub fn inject_page_limit_for_tests(&self, pages: Option<u64>) -> Result<(), LedgerError> {
        self.tx
            .send(Msg::PageLimit(pages))
            .map_err(|_| LedgerError::WriterStopped)
    }

    /// Writes what is queued, stops the thread and hands the store back.
    pub fn shutdown(mut self) -> Result<LedgerStore, LedgerError> {
        // Blocking send: shutdown waits for room rather than losing the stop message.
        let _ = self.tx.send(Msg::Shutdown);
        let thread = self.thread.take().ok_or(LedgerError::WriterStopped)?;
        thread.join().map_err(|_| LedgerError::WriterStopped)
    }
}

impl Drop for LedgerWriter {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = self.tx.send(Msg::Shutdown);
            let _ = thread.join();
        }
    }
}

struct Worker {
    store: LedgerStore,
    config: WriterConfig,
    rx: Receiver<Msg>,
    shared: Arc<Shared>,
    pending: VecDeque<Event>,
    /// Set while writes fail: no write is attempted before this instant.
    retry_at: Option<Instant>,
}

impl Worker {
    fn run(mut self) -> LedgerStore {
        let mut oldest: Option<Instant> = None;
        loop {
            let wait = match (oldest, self.retry_at) {
                (_, Some(retry)) => retry.saturating_duration_since(Instant::now()),
                (Some(t), None) => {
                    (t + self.config.flush_interval).saturating_duration_since(Instant::now())
                }
                (None, None) => Duration::from_secs(3600),
            };
            let mut stop = false;
            match self.rx.recv_timeout(wait) {
                Ok(msg) => stop = self.handle(msg, &mut oldest),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => stop = true,
            }
            // Take whatever else is already queued, so one transaction carries it all.
            while !stop && self.pending.len() < self.config.batch_max {
                match self.rx.try_recv() {
                    Ok(msg) => stop = self.handle(msg, &mut oldest),
                    Err(_) => break,
                }
            }
            let due = oldest.is_some_and(|t| t.elapsed() >= self.config.flush_interval)
                || self.pending.len() >= self.config.batch_max;
            let may_retry = self.retry_at.is_none_or(|r| Instant::now() >= r);
            if ((due && may_retry) || stop)
                && (self.write_pending().is_ok() || self.pending.is_empty())
            {
                oldest = None;
            }
            if stop {
                if !self.pending.is_empty() {
                    tracing::warn!(
                        events = self.pending.len(),
                        "ledger stopping with unwritten events"
                    );
                }
                return self.store;
            }
        }
    }

    /// Handles one message; true when the writer should stop.
    fn handle(&mut self, msg: Msg, oldest: &mut Option<Instant>) -> bool {
        match msg {
            Msg::Event(event) => {
                if self.pending.len() >= self.config.pending_max {
                    self.pending.pop_front();
                    self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                }
                self.pending.push_back(event);
                oldest.get_or_insert_with(Instant::now);
            }
            Msg::Retention(now) => {
                if self.write_pending().is_ok() {
                    *oldest = None;
                    match self.store.apply_retention(now, MINUTE_RETENTION) {
                        Ok(deleted) => tracing::debug!(deleted, "ledger retention applied"),
                        Err(e) => self.note_error(&e),
                    }
                }
            }
            Msg::Flush(reply) => {
                let result = self.write_pending().map_err(|e| e.to_string());
                if result.is_ok() {
                    *oldest = None;
                }
                let _ = reply.send(result);
            }
            Msg::PageLimit(pages) => {
                if let Err(e) = self.store.inject_page_limit_for_tests(pages) {
                    self.note_error(&e);
                }
                // A lifted limit should be tried at once, not after the retry wait.
                self.retry_at = None;
            }
            Msg::Shutdown => return true,
        }
        false
    }

    fn note_error(&self, e: &LedgerError) {
        let message = e.to_string();
        self.shared.update(|h| {
            h.last_error = Some(message);
            h.last_error_at = Some(Timestamp::now());
        });
    }

    /// Writes all pending events in batches. On a transient failure the events stay pending,
    /// health says "not recording", and the next try waits `retry_interval`. An event SQLite
    /// refuses on its own is skipped and counted so it cannot block the rest forever.
    fn write_pending(&mut self) -> Result<(), LedgerError> {
        while !self.pending.is_empty() {
            let n = self.pending.len().min(self.config.batch_max.max(1));
            let batch: Vec<Event> = self.pending.range(..n).cloned().collect();
            match self.store.apply(&batch) {
                Ok(()) => {
                    self.pending.drain(..n);
                    self.recovered(n as u64);
                }
                Err(e) if e.is_transient() => {
                    tracing::warn!(error = %e, pending = self.pending.len(), "ledger write failed; will retry");
                    self.note_error(&e);
                    let pending = self.pending.len();
                    self.shared.update(|h| {
                        h.recording = false;
                        h.pending = pending;
                    });
                    self.retry_at = Some(Instant::now() + self.config.retry_interval);
                    return Err(e);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "ledger batch refused; writing its events one by one");
                    self.note_error(&e);
                    for event in batch {
                        self.pending.pop_front();
                        match self.store.apply(std::slice::from_ref(&event)) {
                            Ok(()) => self.recovered(1),
                            Err(e) if e.is_transient() => {
                                self.pending.push_front(event);
                                self.note_error(&e);
                                self.shared.update(|h| h.recording = false);
                                self.retry_at = Some(Instant::now() + self.config.retry_interval);
                                return Err(e);
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "ledger event refused and skipped");
                                self.note_error(&e);
                                self.shared.update(|h| h.rejected += 1);
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn recovered(&mut self, written: u64) {
        if self.retry_at.take().is_some() {
            tracing::info!("ledger writes succeed again; recording resumed");
        }
        let pending = self.pending.len();
        self.shared.update(|h| {
            h.recording = true;
            h.written += written;
            h.pending = pending;
        });
    }
}
