//! The command-hooks provider with real tiny programs: `start`/`stop` run once per transition
//! with their placeholders substituted and never read by a shell, slow commands are killed at
//! their timeout, `status` exit codes map to working / not working / error, and failures name
//! the program and quote its output.
//!
//! `/bin/sh -c` appears here only as a *hook program* scripting behaviour for the test (writing
//! marker files); the provider itself never uses a shell.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use overtime_agent::providers::hooks::{HooksProvider, OUTPUT_LIMIT_BYTES};
use overtime_agent::providers::{GpuDesire, Provider, ProviderError, ProviderKind};
use overtime_core::config::providers::{HookKind, HookSettings};

/// A fresh, empty directory for one test's marker files.
fn scratch(test: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "overtime-hooks-{}-{}-{test}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn words(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A command appending its arguments, one line per run, to `marker`.
fn recorder(marker: &Path, args: &[&str]) -> Vec<String> {
    let mut cmd = words(&["/bin/sh", "-c", r#"echo "$*" >> "$0""#]);
    cmd.push(marker.display().to_string());
    cmd.extend(words(args));
    cmd
}

fn hooks(kind: HookKind, start: Vec<String>, stop: Vec<String>) -> HookSettings {
    HookSettings {
        name: "my-market".into(),
        kind,
        start,
        stop,
        status: Vec::new(),
        timeout_s: 5,
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn gpu(index: u32, on: bool, list_until: Option<Timestamp>) -> GpuDesire {
    GpuDesire {
        uuid: format!("GPU-{index}"),
        index,
        on,
        list_until,
    }
}

fn detail(err: &ProviderError) -> String {
    match err {
        ProviderError::Other { detail, .. } => detail.clone(),
        other => panic!("Other wanted, got {other:?}"),
    }
}

#[tokio::test]
async fn name_and_kind_come_from_the_settings() {
    for (kind, want) in [
        (HookKind::Rental, ProviderKind::Rental),
        (HookKind::Volunteer, ProviderKind::Volunteer),
    ] {
        let p = HooksProvider::new(hooks(kind, words(&["/bin/true"]), words(&["/bin/true"])));
        assert_eq!(p.name(), "my-market");
        assert_eq!(p.kind(), want);
        assert!(!p.simulated());
    }
}

#[tokio::test]
async fn start_and_stop_run_once_per_transition_with_substituted_arguments() {
    let dir = scratch("transitions");
    let (started, stopped) = (dir.join("start"), dir.join("stop"));
    let until: Timestamp = "2026-03-01T18:00:00Z".parse().unwrap();
    let mut p = HooksProvider::new(hooks(
        HookKind::Rental,
        recorder(&started, &["--gpu={gpu}", "{uuid}", "{until}"]),
        recorder(&stopped, &["{gpu}", "{uuid}"]),
    ));

    let both_on = [gpu(0, true, Some(until)), gpu(1, true, Some(until))];
    let status = p.apply(&both_on).await.unwrap();
    assert_eq!(
        lines(&started),
        [
            "--gpu=0 GPU-0 2026-03-01T18:00:00Z",
            "--gpu=1 GPU-1 2026-03-01T18:00:00Z"
        ]
    );
    assert!(status.gpus.iter().all(|g| g.enabled && g.working));
    assert!(status.gpus.iter().all(|g| g.listed_until == Some(until)));
    assert!(status.gpus.iter().all(|g| g.rented_until.is_none()));

    // The same wish again: nothing runs.
    p.apply(&both_on).await.unwrap();
    assert_eq!(lines(&started).len(), 2);
    assert!(lines(&stopped).is_empty());

    // GPU 0 turns off, once.
    let one_off = [gpu(0, false, None), gpu(1, true, Some(until))];
    let status = p.apply(&one_off).await.unwrap();
    p.apply(&one_off).await.unwrap();
    assert_eq!(lines(&stopped), ["0 GPU-0"]);
    assert!(!status.gpu("GPU-0").unwrap().enabled);
    assert!(status.gpu("GPU-1").unwrap().enabled);
    assert_eq!(p.started(), ["GPU-1"]);

    // Shutdown stops what Overtime started, and only that.
    p.shutdown().await.unwrap();
    assert_eq!(lines(&stopped), ["0 GPU-0", "1 GPU-1"]);
    assert!(p.started().is_empty());
    p.shutdown().await.unwrap();
    assert_eq!(lines(&stopped).len(), 2);
    assert_eq!(lines(&started).len(), 2);
}

#[tokio::test]
async fn a_gpu_that_leaves_the_desired_state_is_stopped() {
    let dir = scratch("gone");
    let stopped = dir.join("stop");
    let mut p = HooksProvider::new(hooks(
        HookKind::Volunteer,
        words(&["/bin/true"]),
        recorder(&stopped, &["{uuid}"]),
    ));
    p.apply(&[gpu(0, true, None), gpu(1, true, None)])
        .await
        .unwrap();
    p.apply(&[gpu(1, true, None)]).await.unwrap();
    assert_eq!(lines(&stopped), ["GPU-0"]);
}

#[tokio::test]
async fn start_runs_again_when_the_listing_end_moves_meaningfully() {
    let dir = scratch("until");
    let started = dir.join("start");
    let mut p = HooksProvider::new(hooks(
        HookKind::Rental,
        recorder(&started, &["{until}"]),
        words(&["/bin/true"]),
    ));
    let t = |minutes: i64| Timestamp::from_second(1_800_000_000 + minutes * 60).unwrap();
    for (minutes, runs) in [(0, 1), (5, 1), (15, 2), (14, 3), (14, 3)] {
        p.apply(&[gpu(0, true, Some(t(minutes)))]).await.unwrap();
        assert_eq!(lines(&started).len(), runs, "after until = +{minutes} min");
    }

    // Without {until} in `start`, the end date is none of its business.
    let dir = scratch("until-unused");
    let started = dir.join("start");
    let mut p = HooksProvider::new(hooks(
        HookKind::Rental,
        recorder(&started, &["{gpu}"]),
        words(&["/bin/true"]),
    ));
    for minutes in [0, 60, 1] {
        p.apply(&[gpu(0, true, Some(t(minutes)))]).await.unwrap();
    }
    assert_eq!(lines(&started).len(), 1);
}

#[tokio::test]
async fn arguments_reach_the_program_literally_without_a_shell() {
    let dir = scratch("literal");
    let d = dir.display();
    // `touch` is the hook program itself: were a shell involved, `;`, `$(…)`, backquotes, `*` and
    // `>` would do something; here each argument must name exactly one file.
    let mut p = HooksProvider::new(hooks(
        HookKind::Volunteer,
        words(&[
            "touch",
            &format!("{d}/a;b"),
            &format!("{d}/$(id)"),
            &format!("{d}/`id`"),
            &format!("{d}/gpu-{{gpu}} * >x"),
            &format!("{d}/{{uuid}}"),
        ]),
        words(&["/bin/true"]),
    ));
    p.apply(&[GpuDesire {
        uuid: "$(id);`id`".into(),
        index: 3,
        on: true,
        list_until: None,
    }])
    .await
    .unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want = words(&["a;b", "$(id)", "`id`", "gpu-3 * >x", "$(id);`id`"]);
    want.sort();
    assert_eq!(names, want);
}

#[tokio::test]
async fn a_slow_command_is_killed_at_its_timeout_and_says_so() {
    let mut settings = hooks(
        HookKind::Volunteer,
        words(&["sleep", "30"]),
        words(&["/bin/true"]),
    );
    settings.timeout_s = 1;
    let mut p = HooksProvider::new(settings);
    let began = Instant::now();
    let err = p.apply(&[gpu(0, true, None)]).await.unwrap_err();
    let took = began.elapsed();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(2),
        "{took:?}"
    );
    let text = detail(&err);
    assert!(text.contains("killed"), "{text}");
    assert!(text.contains("1 s"), "{text}");
    assert!(text.contains("`start`"), "{text}");
    assert!(
        p.started().is_empty(),
        "a start that never finished is not counted"
    );
}

#[tokio::test]
async fn status_exit_codes_map_to_working_not_working_or_error() {
    /// Working per GPU, or a text the error must contain.
    type Want = Result<[bool; 2], &'static str>;
    let cases: [(&[&str], Want); 4] = [
        (&["/bin/true"], Ok([true, true])),
        (&["/bin/false"], Ok([false, false])),
        // Per GPU: only GPU 1 is working.
        (
            &["/bin/sh", "-c", r#"test "$0" = 1"#, "{gpu}"],
            Ok([false, true]),
        ),
        (
            &["/bin/sh", "-c", "echo broken >&2; exit 3"],
            Err("exit code 3"),
        ),
    ];
    for (status, want) in cases {
        let mut settings = hooks(
            HookKind::Volunteer,
            words(&["/bin/true"]),
            words(&["/bin/true"]),
        );
        settings.status = words(status);
        let mut p = HooksProvider::new(settings);
        let result = p.apply(&[gpu(0, true, None), gpu(1, false, None)]).await;
        match want {
            Ok(working) => {
                let s = result.unwrap();
                assert_eq!(
                    [s.gpus[0].working, s.gpus[1].working],
                    working,
                    "{status:?}"
                );
                assert!(s.gpus[0].enabled && !s.gpus[1].enabled);
                assert_eq!(s, p.status().await.unwrap());
            }
            Err(text) => {
                let msg = detail(&result.unwrap_err());
                assert!(msg.contains(text), "{msg}");
                assert!(msg.contains("broken"), "{msg}");
                assert!(msg.contains("0 (working) or 1 (not working)"), "{msg}");
            }
        }
    }
}

#[tokio::test]
async fn a_missing_program_is_named_in_the_error() {
    let mut p = HooksProvider::new(hooks(
        HookKind::Rental,
        words(&["/nonexistent/list-my-gpu", "{gpu}"]),
        words(&["/bin/true"]),
    ));
    let msg = detail(&p.apply(&[gpu(0, true, None)]).await.unwrap_err());
    assert!(msg.contains("/nonexistent/list-my-gpu"), "{msg}");
    assert!(msg.contains("not found"), "{msg}");
    assert!(msg.contains("my-market"), "{msg}");
}

#[tokio::test]
async fn a_failing_command_reports_its_exit_code_and_truncated_output() {
    let mut p = HooksProvider::new(hooks(
        HookKind::Volunteer,
        words(&[
            "/bin/sh",
            "-c",
            "echo 'no such device' >&2; head -c 100000 /dev/zero | tr '\\0' x; exit 4",
        ]),
        words(&["/bin/true"]),
    ));
    let err = p.apply(&[gpu(0, true, None)]).await.unwrap_err();
    let msg = detail(&err);
    assert!(msg.contains("exit code 4"), "{msg}");
    assert!(msg.contains("no such device"), "{msg}");
    assert!(msg.contains("(truncated)"), "{msg}");
    assert!(
        msg.len() < 2 * OUTPUT_LIMIT_BYTES + 500,
        "{} bytes",
        msg.len()
    );
    assert!(p.started().is_empty());
}

#[tokio::test]
async fn a_failed_start_is_tried_again_at_the_next_apply() {
    let dir = scratch("retry");
    let tries = dir.join("tries");
    // Fails the first time, succeeds after.
    let script = r#"echo x >> "$0"; test "$(wc -l < "$0")" -ge 2"#;
    let mut p = HooksProvider::new(hooks(
        HookKind::Volunteer,
        vec![
            "/bin/sh".into(),
            "-c".into(),
            script.into(),
            tries.display().to_string(),
        ],
        words(&["/bin/true"]),
    ));
    let wish = [gpu(0, true, None)];
    assert!(p.apply(&wish).await.is_err());
    assert!(p.started().is_empty());
    p.apply(&wish).await.unwrap();
    assert_eq!(p.started(), ["GPU-0"]);
    p.apply(&wish).await.unwrap();
    assert_eq!(lines(&tries).len(), 2);
}
