//! SIGKILL while writing: the ledger file must stay intact and no session may stay open
//! forever. 200 children are killed at a random moment 10–80 ms after they start.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use overtime_ledger::{LedgerStore, OpenOptions};

/// xorshift64*: enough randomness for kill times, with a seed printed for replay.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

#[test]
fn killing_the_writer_at_random_moments_never_corrupts_the_ledger() {
    let dir = support::TempDir::new("crash");
    let path = dir.path().join("ledger.sqlite");
    let child_bin = env!("CARGO_BIN_EXE_ledger-crash-child");
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("seed {seed}");
    let started = Instant::now();
    let mut recovered_total = 0;
    for round in 0..200 {
        let delay_ms = 10 + next(&mut seed) % 71;
        let mut child = Command::new(child_bin)
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The sleep is the scenario, not a wait for a result: the child is killed at a random
        // point of its own run, which only real time can pick.
        std::thread::sleep(Duration::from_millis(delay_ms));
        // `Child::kill` sends SIGKILL on Unix.
        let _ = child.kill();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the child exited by itself ({status}) instead of being killed"
        );

        // The integrity check below is the full one; skip the quick one on open.
        let options = OpenOptions {
            check_integrity: false,
            ..OpenOptions::default()
        };
        let (store, report) = LedgerStore::open_with(&path, &options)
            .unwrap_or_else(|e| panic!("round {round} (killed after {delay_ms} ms): {e}"));
        assert_eq!(
            report.moved_aside, None,
            "round {round}: the file was declared unusable"
        );
        assert_eq!(store.integrity_check().unwrap(), "ok", "round {round}");
        assert_eq!(store.open_session_count().unwrap(), 0, "round {round}");
        assert_eq!(
            store
                .query_i64("SELECT count(*) FROM sessions WHERE end_ms < start_ms")
                .unwrap(),
            0,
            "round {round}: a session ends before it starts"
        );
        recovered_total += report.closed_sessions;
    }
    // Most kills land mid-run with sessions open; recovery must have closed some.
    assert!(
        recovered_total > 0,
        "no kill ever left a session open to recover"
    );
    let rows = LedgerStore::open_reader(&path)
        .unwrap()
        .query_i64("SELECT count(*) FROM telemetry_minute")
        .unwrap();
    assert!(rows > 0, "the children never managed to write");
    println!(
        "200 kills in {:?}, {recovered_total} sessions recovered, {rows} minute rows",
        started.elapsed()
    );
}
