//! Command hooks: a provider made of the user's own commands, for marketplaces and volunteer
//! clients Overtime has no adapter for. `start` runs for each GPU that turns on, `stop` for each
//! GPU that turns off, `status` (optional) reports whether a GPU is working.
//!
//! Commands run **without a shell**: the first word is the program, the rest its arguments, and
//! the placeholders `{gpu}` (index), `{uuid}` and `{until}` (RFC 3339 listing end, empty when
//! there is none) are replaced inside arguments only, so a GPU name or date can never be read as
//! shell syntax. The child inherits Overtime's environment and working directory. Each command is
//! killed after `timeout_s`; its output is kept (truncated) for error messages.
//!
//! Hooks cannot see a marketplace's contracts, so they never report a GPU as rented. For a
//! rental marketplace, make `stop` *unlist* the machine and never kill a running job: Overtime
//! calls `stop` when a game starts, and a renter's job must go on to its end.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use overtime_core::config::providers::{HookKind, HookSettings};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

use super::{GpuDesire, Provider, ProviderError, ProviderGpuStatus, ProviderKind, ProviderStatus};

/// Most bytes of each of stdout and stderr kept for an error message; the rest is drained and
/// dropped so a chatty command never blocks on a full pipe.
pub const OUTPUT_LIMIT_BYTES: usize = 4096;

/// A listing end that moves later by less than this does not re-run `start` (the supervisor may
/// slide it every tick); one that moves earlier always does.
pub const UNTIL_TOLERANCE_S: i64 = 600;

/// After a command exits, how long to wait for the rest of its output (a background child it
/// left behind may hold the pipe open forever).
const OUTPUT_GRACE: Duration = Duration::from_millis(500);

/// Which of the hook's commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Start,
    Stop,
    Status,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Start => "start",
            Step::Stop => "stop",
            Step::Status => "status",
        }
    }
}

/// The GPU a command is run for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    index: u32,
    uuid: String,
    until: Option<Timestamp>,
}

impl From<&GpuDesire> for Target {
    fn from(d: &GpuDesire) -> Self {
        Target {
            index: d.index,
            uuid: d.uuid.clone(),
            until: d.list_until,
        }
    }
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finished {
    /// `None` when a signal ended it.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// The user's commands as a provider (see the module documentation).
pub struct HooksProvider {
    settings: HookSettings,
    timeout: Duration,
    /// GPUs whose `start` succeeded and whose `stop` has not, by UUID.
    started: BTreeMap<String, Target>,
    /// The last desired state: the status reports one entry per GPU.
    gpus: Vec<Target>,
}

impl std::fmt::Debug for HooksProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HooksProvider")
            .field("name", &self.settings.name)
            .field("kind", &self.settings.kind)
            .field("started", &self.started.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl HooksProvider {
    /// Hooks as configured; `timeout_s` is held to 1–600 s.
    pub fn new(settings: HookSettings) -> Self {
        let timeout = Duration::from_secs(settings.timeout_s.clamp(1, 600));
        HooksProvider {
            settings,
            timeout,
            started: BTreeMap::new(),
            gpus: Vec::new(),
        }
    }

    /// UUIDs of the GPUs Overtime started and has not stopped yet.
    pub fn started(&self) -> Vec<String> {
        self.started.keys().cloned().collect()
    }

    fn template(&self, step: Step) -> &[String] {
        match step {
            Step::Start => &self.settings.start,
            Step::Stop => &self.settings.stop,
            Step::Status => &self.settings.status,
        }
    }

    fn error(&self, detail: String) -> ProviderError {
        ProviderError::Other {
            service: format!("hook '{}'", self.settings.name),
            detail,
        }
    }

    /// Run one command for one GPU and wait for it (at most the timeout).
    async fn run(&self, step: Step, gpu: &Target) -> Result<Finished, ProviderError> {
        let Some((program, template_args)) = self.template(step).split_first() else {
            return Err(self.error(format!(
                "no `{}` command is configured; add one to [[providers.hooks]] '{}'",
                step.name(),
                self.settings.name
            )));
        };
        let args: Vec<String> = template_args.iter().map(|a| substitute(a, gpu)).collect();
        let what = format!("the `{}` command for GPU {}", step.name(), gpu.index);
        tracing::debug!(hook = %self.settings.name, step = step.name(), program, ?args, "running hook");

        let mut child = Command::new(program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Also covers the runner dropping this call at its own timeout.
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                let why = match e.kind() {
                    std::io::ErrorKind::NotFound => "was not found; give its full path".to_owned(),
                    std::io::ErrorKind::PermissionDenied => {
                        "is not executable by this user; check its permissions".to_owned()
                    }
                    _ => format!("could not be started ({e})"),
                };
                self.error(format!(
                    "program `{program}` of {what} {why} (in [[providers.hooks]] '{}')",
                    self.settings.name
                ))
            })?;
        let stdout = Capture::spawn(child.stdout.take());
        let stderr = Capture::spawn(child.stderr.take());

        match tokio::time::timeout(self.timeout, child.wait()).await {
            Ok(Ok(status)) => {
                let (stdout, stderr) = (stdout.finish().await, stderr.finish().await);
                Ok(Finished {
                    code: status.code(),
                    stdout,
                    stderr,
                })
            }
            Ok(Err(e)) => {
                Err(self.error(format!("{what} (`{program}`) could not be waited for: {e}")))
            }
            Err(_) => {
                if let Err(e) = child.kill().await {
                    tracing::warn!(hook = %self.settings.name, error = %e, "could not kill a hook");
                }
                let (out, err) = (stdout.finish().await, stderr.finish().await);
                Err(self.error(format!(
                    "{what} (`{program}`) ran longer than {} s and was killed{}; make it \
                     return sooner or raise timeout_s",
                    self.timeout.as_secs(),
                    output_words(&out, &err)
                )))
            }
        }
    }

    /// Run `start` or `stop`; anything but exit code 0 is a failure.
    async fn run_step(&self, step: Step, gpu: &Target) -> Result<(), ProviderError> {
        let done = self.run(step, gpu).await?;
        if done.code == Some(0) {
            tracing::info!(hook = %self.settings.name, step = step.name(), gpu = gpu.index, "hook ran");
            return Ok(());
        }
        Err(self.error(format!(
            "the `{}` command for GPU {} (`{}`) failed with {}{}",
            step.name(),
            gpu.index,
            self.template(step)
                .first()
                .map(String::as_str)
                .unwrap_or(""),
            exit_words(done.code),
            output_words(&done.stdout, &done.stderr)
        )))
    }

    /// Whether `start` must run again for a GPU already on: its listing end moved and the
    /// command uses `{until}`.
    fn until_moved(&self, was: &Target, now: &Target) -> bool {
        if !self
            .settings
            .start
            .iter()
            .skip(1)
            .any(|a| a.contains("{until}"))
        {
            return false;
        }
        match (was.until, now.until) {
            (a, b) if a == b => false,
            (Some(a), Some(b)) => b < a || b.as_second() - a.as_second() > UNTIL_TOLERANCE_S,
            _ => true,
        }
    }

    async fn read_status(&self) -> Result<ProviderStatus, ProviderError> {
        let mut gpus = Vec::with_capacity(self.gpus.len());
        for gpu in &self.gpus {
            let started = self.started.get(&gpu.uuid);
            let working =
                if self.settings.status.is_empty() {
                    started.is_some()
                } else {
                    let done = self.run(Step::Status, gpu).await?;
                    match done.code {
                        Some(0) => true,
                        Some(1) => false,
                        code => {
                            return Err(self.error(format!(
                            "the `status` command for GPU {} (`{}`) ended with {}; it must exit \
                             0 (working) or 1 (not working){}",
                            gpu.index,
                            self.settings.status.first().map(String::as_str).unwrap_or(""),
                            exit_words(code),
                            output_words(&done.stdout, &done.stderr)
                        )));
                        }
                    }
                };
            let listed_until = match self.settings.kind {
                HookKind::Rental => started.and_then(|s| s.until),
                HookKind::Volunteer => None,
            };
            gpus.push(ProviderGpuStatus {
                uuid: gpu.uuid.clone(),
                working,
                enabled: started.is_some(),
                // Hooks cannot see contracts (see the module documentation).
                rented_until: None,
                listed_until,
            });
        }
        let on = gpus.iter().filter(|g| g.enabled).count();
        let working = gpus.iter().filter(|g| g.working).count();
        let mut detail = format!(
            "hooks '{}': started on {on} of {} GPU(s)",
            self.settings.name,
            gpus.len()
        );
        if !self.settings.status.is_empty() {
            detail.push_str(&format!(", {working} working"));
        }
        Ok(ProviderStatus {
            gpus,
            detail,
            ..ProviderStatus::default()
        })
    }
}

#[async_trait]
impl Provider for HooksProvider {
    fn name(&self) -> &str {
        &self.settings.name
    }

    fn kind(&self) -> ProviderKind {
        match self.settings.kind {
            HookKind::Rental => ProviderKind::Rental,
            HookKind::Volunteer => ProviderKind::Volunteer,
        }
    }

    fn call_timeout(&self) -> Option<std::time::Duration> {
        // Start/stop/status may run once per GPU in one call.
        Some(std::time::Duration::from_secs(
            self.settings.timeout_s.saturating_mul(3),
        ))
    }

    fn simulated(&self) -> bool {
        false
    }

    /// Per GPU: `status` when configured (exit 0 = working, 1 = not, other = error), else a GPU
    /// counts as working while it is started.
    async fn status(&mut self) -> Result<ProviderStatus, ProviderError> {
        self.read_status().await
    }

    /// Run `start` for each GPU turning on and `stop` for each turning off (or no longer
    /// desired); nothing for a GPU already in the wanted state, except `start` again when its
    /// `{until}` moved (earlier at all, later by more than [`UNTIL_TOLERANCE_S`]). Every
    /// transition is tried; the first failure is returned and the failed GPUs are retried at the
    /// next call.
    async fn apply(&mut self, desired: &[GpuDesire]) -> Result<ProviderStatus, ProviderError> {
        self.gpus = desired.iter().map(Target::from).collect();
        let mut first_error = None;

        let gone: Vec<Target> = self
            .started
            .values()
            .filter(|s| !desired.iter().any(|d| d.uuid == s.uuid))
            .cloned()
            .collect();
        for gpu in gone {
            match self.run_step(Step::Stop, &gpu).await {
                Ok(()) => {
                    self.started.remove(&gpu.uuid);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }

        for want in desired {
            let gpu = Target::from(want);
            let step = match (want.on, self.started.get(&gpu.uuid)) {
                (true, None) => Step::Start,
                (true, Some(was)) if self.until_moved(was, &gpu) => Step::Start,
                (false, Some(_)) => Step::Stop,
                _ => continue,
            };
            match self.run_step(step, &gpu).await {
                Ok(()) if step == Step::Start => {
                    self.started.insert(gpu.uuid.clone(), gpu);
                }
                Ok(()) => {
                    self.started.remove(&gpu.uuid);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }

        match first_error {
            Some(e) => Err(e),
            None => self.read_status().await,
        }
    }

    /// Run `stop` for every GPU Overtime started.
    async fn shutdown(&mut self) -> Result<(), ProviderError> {
        let mut first_error = None;
        let started: Vec<Target> = self.started.values().cloned().collect();
        for gpu in started {
            match self.run_step(Step::Stop, &gpu).await {
                Ok(()) => {
                    self.started.remove(&gpu.uuid);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// `arg` with the placeholders replaced, in one pass: a value that itself contains a
/// placeholder's text is not expanded again.
fn substitute(arg: &str, gpu: &Target) -> String {
    let mut out = String::with_capacity(arg.len());
    let mut rest = arg;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let (value, len) = if tail.starts_with("{gpu}") {
            (gpu.index.to_string(), "{gpu}".len())
        } else if tail.starts_with("{uuid}") {
            (gpu.uuid.clone(), "{uuid}".len())
        } else if tail.starts_with("{until}") {
            (
                gpu.until.map(|t| t.to_string()).unwrap_or_default(),
                "{until}".len(),
            )
        } else {
            ("{".to_owned(), 1)
        };
        out.push_str(&value);
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

fn exit_words(code: Option<i32>) -> String {
    match code {
        Some(c) => format!("exit code {c}"),
        None => "no exit code (killed by a signal)".to_owned(),
    }
}

fn output_words(stdout: &str, stderr: &str) -> String {
    let mut words = String::new();
    if !stderr.trim().is_empty() {
        words.push_str(&format!("; stderr: {}", stderr.trim()));
    }
    if !stdout.trim().is_empty() {
        words.push_str(&format!("; stdout: {}", stdout.trim()));
    }
    words
}

/// One output pipe drained in the background, its first [`OUTPUT_LIMIT_BYTES`] kept.
struct Capture {
    kept: Arc<Mutex<(Vec<u8>, bool)>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Capture {
    fn spawn<R: AsyncRead + Unpin + Send + 'static>(pipe: Option<R>) -> Capture {
        let kept = Arc::new(Mutex::new((Vec::new(), false)));
        let task = pipe.map(|mut pipe| {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                loop {
                    match pipe.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let Ok(mut k) = kept.lock() else { break };
                            let room = OUTPUT_LIMIT_BYTES.saturating_sub(k.0.len());
                            k.0.extend_from_slice(&buf[..n.min(room)]);
                            if n > room {
                                k.1 = true;
                            }
                        }
                    }
                }
            })
        });
        Capture { kept, task }
    }

    /// What was read, after waiting a little for the pipe to close.
    async fn finish(mut self) -> String {
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(OUTPUT_GRACE, &mut task).await.is_err()
        {
            task.abort();
        }
        let Ok(k) = self.kept.lock() else {
            return String::new();
        };
        let mut text = String::from_utf8_lossy(&k.0).into_owned();
        if k.1 {
            text.push_str("… (truncated)");
        }
        text
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            index: 1,
            uuid: "GPU-{gpu}-abc".into(),
            until: Some("2026-03-01T18:00:00Z".parse().unwrap()),
        }
    }

    #[test]
    fn placeholders_are_replaced_once_and_only_known_ones() {
        let t = target();
        for (arg, want) in [
            ("{gpu}", "1"),
            ("--device={gpu}", "--device=1"),
            ("{uuid}", "GPU-{gpu}-abc"),
            ("until={until}", "until=2026-03-01T18:00:00Z"),
            ("{unknown} {", "{unknown} {"),
            ("{{gpu}}", "{1}"),
            ("$(rm -rf ~); {gpu}", "$(rm -rf ~); 1"),
        ] {
            assert_eq!(substitute(arg, &t), want, "{arg}");
        }
        let none = Target { until: None, ..t };
        assert_eq!(substitute("[{until}]", &none), "[]");
    }
}
