//! The BOINC volunteer provider: steers a local BOINC client through its GUI RPC so that it
//! crunches on the GPU only when Overtime allows it, and gives the client back as it found it.
//!
//! BOINC's GPU mode is global, so every desired GPU shares one switch: work is allowed when any
//! GPU is wanted on. Pausing is fail-safe: Overtime sets GPU mode `never` *for a while*
//! ([`BoincConfig::pause`]) and renews it while the pause must last, so if Overtime dies the client
//! goes back to the user's own mode by itself. Allowing work again ends that temporary mode
//! (`<restore/>`), which returns to the user's permanent mode, whatever they chose meanwhile;
//! Overtime never forces `always` on its own.

pub mod auth;
pub mod rpc;
pub mod xml;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;

use self::auth::{PasswordOrigin, PasswordSetting, Secret, default_auth_file_candidates};
use self::rpc::{ModeChange, RpcClient, RpcError, RpcSettings};
use self::xml::{BoincTask, CcStatus, ModeState, ReplyError, RunMode, ServerVersion};
use super::{
    CreditReport, GpuDesire, Provider, ProviderError, ProviderGpuStatus, ProviderKind,
    ProviderStatus,
};

const SERVICE: &str = "BOINC";

/// How to reach and steer the BOINC client.
#[derive(Clone)]
pub struct BoincConfig {
    pub host: String,
    pub port: u16,
    /// The GUI RPC password, when the user gave it (the OS keyring integration will fill this
    /// in). `None`: read it from `password_file`, or from `gui_rpc_auth.cfg` in the client's usual
    /// data directories ([`auth::default_auth_file_candidates`]). Never logged.
    pub password: Option<String>,
    /// An explicit `gui_rpc_auth.cfg`, used when `password` is `None`.
    pub password_file: Option<PathBuf>,
    /// Also pause CPU tasks (`set_run_mode`) when no GPU is wanted on. Off by default: most users
    /// only want the GPU freed for a game.
    pub control_cpu: bool,
    /// How long each pause lasts unless renewed; the client returns to the user's mode by itself
    /// this long after Overtime stops renewing it. Renewed when less than half is left.
    pub pause: Duration,
    /// Bound on one GUI RPC request (connection and handshake included).
    pub request_timeout: Duration,
    pub max_reply_bytes: usize,
}

impl Default for BoincConfig {
    fn default() -> Self {
        BoincConfig {
            host: "127.0.0.1".to_owned(),
            port: rpc::DEFAULT_PORT,
            password: None,
            password_file: None,
            control_cpu: false,
            pause: Duration::from_secs(300),
            request_timeout: rpc::DEFAULT_REQUEST_TIMEOUT,
            max_reply_bytes: rpc::DEFAULT_MAX_REPLY_BYTES,
        }
    }
}

impl fmt::Debug for BoincConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoincConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("password_file", &self.password_file)
            .field("control_cpu", &self.control_cpu)
            .field("pause", &self.pause)
            .field("request_timeout", &self.request_timeout)
            .field("max_reply_bytes", &self.max_reply_bytes)
            .finish()
    }
}

impl BoincConfig {
    fn password_setting(&self) -> PasswordSetting {
        match (&self.password, &self.password_file) {
            (Some(pw), _) => PasswordSetting::Explicit(Secret::new(pw.clone())),
            (None, Some(path)) => PasswordSetting::File(path.clone()),
            (None, None) => PasswordSetting::Search(default_auth_file_candidates()),
        }
    }
}

/// Which of BOINC's switches a control acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Switch {
    Gpu,
    Cpu,
}

/// What Overtime did to one switch.
#[derive(Debug, Clone, Copy, Default)]
struct Control {
    /// The user's permanent mode when Overtime first paused this switch (for messages).
    user_mode: Option<RunMode>,
    /// Overtime holds a temporary `never` on this switch and keeps renewing it.
    paused: bool,
}

/// The BOINC client as an Overtime provider (see the module documentation).
pub struct BoincProvider {
    config: BoincConfig,
    rpc: RpcClient,
    gpu: Control,
    cpu: Control,
    /// GPUs of the last desired state: the status reports one entry per GPU.
    gpus: Vec<String>,
}

/// What `overtime doctor` learns about the BOINC client.
#[derive(Debug, Clone, PartialEq)]
pub struct BoincProbe {
    pub address: String,
    /// Where the password comes from, in words (never the password).
    pub password_source: String,
    pub reachable: bool,
    pub authenticated: bool,
    pub version: Option<ServerVersion>,
    pub cc_status: Option<CcStatus>,
    /// Number of attached projects (none: the client has nothing to crunch).
    pub projects: Option<usize>,
    /// The first failure, if any.
    pub problem: Option<ProviderError>,
}

impl BoincProbe {
    /// One line for `overtime doctor`.
    pub fn summary(&self) -> String {
        if let Some(p) = &self.problem {
            return p.to_string();
        }
        let version = self
            .version
            .map(|v| v.to_string())
            .unwrap_or_else(|| "?".to_owned());
        let modes = self
            .cc_status
            .as_ref()
            .map(|cc| {
                format!(
                    "GPU mode {}, CPU mode {}",
                    describe_mode(&cc.gpu),
                    describe_mode(&cc.task)
                )
            })
            .unwrap_or_default();
        let projects = match self.projects {
            Some(0) => "no project attached (add one in BOINC Manager)".to_owned(),
            Some(n) => format!("{n} project(s) attached"),
            None => String::new(),
        };
        format!(
            "BOINC {version} at {}, password accepted ({}); {modes}; {projects}",
            self.address, self.password_source
        )
    }
}

impl BoincProvider {
    pub fn new(config: BoincConfig) -> Self {
        let rpc = RpcClient::new(RpcSettings {
            host: config.host.clone(),
            port: config.port,
            password: config.password_setting(),
            request_timeout: config.request_timeout,
            max_reply_bytes: config.max_reply_bytes,
        });
        BoincProvider {
            config,
            rpc,
            gpu: Control::default(),
            cpu: Control::default(),
            gpus: Vec::new(),
        }
    }

    /// The GUI RPC client underneath, for callers that need more than the provider offers.
    pub fn rpc(&mut self) -> &mut RpcClient {
        &mut self.rpc
    }

    /// Check the client for `overtime doctor`: reachable, password accepted, version, modes.
    /// Changes nothing on the client.
    pub async fn probe(&mut self) -> BoincProbe {
        let mut probe = BoincProbe {
            address: self.rpc.address(),
            password_source: self.rpc.password_origin().to_string(),
            reachable: false,
            authenticated: false,
            version: None,
            cc_status: None,
            projects: None,
            problem: None,
        };
        match self.rpc.server_version().await {
            Ok(v) => {
                probe.reachable = true;
                probe.version = Some(v);
            }
            Err(e) => {
                probe.problem = Some(self.error(e));
                return probe;
            }
        }
        match self.rpc.authorize().await {
            Ok(()) => probe.authenticated = true,
            Err(e) => {
                probe.password_source = self.rpc.password_origin().to_string();
                probe.problem = Some(self.error(e));
                return probe;
            }
        }
        probe.password_source = self.rpc.password_origin().to_string();
        match self.rpc.get_cc_status().await {
            Ok(cc) => probe.cc_status = Some(cc),
            Err(e) => probe.problem = Some(self.error(e)),
        }
        match self.rpc.get_project_status().await {
            Ok(p) => probe.projects = Some(p.len()),
            Err(e) => {
                probe.problem.get_or_insert(self.error(e));
            }
        }
        probe
    }

    /// Turn a GUI RPC failure into a message for the user: what happened and what to do.
    fn error(&self, e: RpcError) -> ProviderError {
        let address = self.rpc.address();
        let service = SERVICE.to_owned();
        match e {
            RpcError::Connect(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                ProviderError::Unreachable {
                    service,
                    address,
                    detail: "BOINC is not running there (connection refused); start boinc-client \
                             (Linux: sudo systemctl start boinc-client)"
                        .to_owned(),
                }
            }
            RpcError::Connect(io) => ProviderError::Unreachable {
                service,
                address,
                detail: format!("cannot connect ({io}); check the host and port in settings"),
            },
            RpcError::Broken(_) | RpcError::Closed => ProviderError::Unreachable {
                service,
                address,
                detail: format!("{e}; the client may have stopped or restarted"),
            },
            RpcError::Timeout(after) => ProviderError::Timeout {
                service,
                timeout_s: after.as_secs().max(1),
            },
            RpcError::TooLarge { .. } => ProviderError::Protocol {
                service,
                detail: format!("{e}; is something other than BOINC listening at {address}?"),
            },
            RpcError::Unauthorized { origin } => ProviderError::Unauthorized {
                service,
                detail: match origin {
                    PasswordOrigin::NotFound(_) => format!(
                        "the client at {address} wants a password and we found {origin}; give the \
                         path of its gui_rpc_auth.cfg or the password in Overtime's settings"
                    ),
                    PasswordOrigin::Settings => format!(
                        "the client at {address} rejected {origin}; check it against the client's \
                         gui_rpc_auth.cfg"
                    ),
                    PasswordOrigin::File(_) => format!(
                        "the client at {address} rejected {origin}; check that this \
                         gui_rpc_auth.cfg belongs to that client"
                    ),
                },
            },
            RpcError::Reply(ReplyError::Malformed(m)) => ProviderError::Protocol {
                service,
                detail: format!("{m}; is {address} a BOINC client?"),
            },
            RpcError::Reply(ReplyError::Refused(text)) => ProviderError::Protocol {
                service,
                detail: format!("the client refused the request: {text}; is it too old?"),
            },
            RpcError::Reply(ReplyError::Unauthorized) => ProviderError::Unauthorized {
                service,
                detail: format!(
                    "the client at {address} refused the request; check gui_rpc_auth.cfg"
                ),
            },
            RpcError::PasswordFile(pf) => ProviderError::Other {
                service,
                detail: format!(
                    "{pf}; give Overtime read access to it (on Linux: add your user to the \
                     'boinc' group and log in again) or enter the password in settings"
                ),
            },
        }
    }

    /// Make one switch match the wish; returns whether anything was sent.
    async fn steer(
        &mut self,
        switch: Switch,
        want_on: bool,
        now: &ModeState,
    ) -> Result<bool, RpcError> {
        let pause = self.config.pause;
        let control = *self.control(switch);
        let (change, duration) = if want_on {
            if !control.paused {
                return Ok(false);
            }
            (ModeChange::Restore, Duration::ZERO)
        } else {
            let needs_renewal = now.current != RunMode::Never || now.delay < pause / 2;
            if control.paused && !needs_renewal {
                return Ok(false);
            }
            if !control.paused {
                // Marked before sending: if this call is cut short, the pause may have reached the
                // client, so it must be restored later all the same.
                *self.control(switch) = Control {
                    user_mode: Some(now.perm),
                    paused: true,
                };
            }
            (ModeChange::Set(RunMode::Never), pause)
        };
        tracing::debug!(
            ?switch,
            ?change,
            duration_s = duration.as_secs(),
            "steering BOINC"
        );
        match switch {
            Switch::Gpu => self.rpc.set_gpu_mode(change, duration).await?,
            Switch::Cpu => self.rpc.set_run_mode(change, duration).await?,
        }
        if change == ModeChange::Restore {
            *self.control(switch) = Control::default();
        }
        Ok(true)
    }

    fn control(&mut self, switch: Switch) -> &mut Control {
        match switch {
            Switch::Gpu => &mut self.gpu,
            Switch::Cpu => &mut self.cpu,
        }
    }

    /// Renew our pauses that are running out (or were undone behind our back).
    async fn keep_paused(&mut self, cc: &CcStatus) -> Result<bool, RpcError> {
        let mut changed = false;
        if self.gpu.paused {
            changed |= self.steer(Switch::Gpu, false, &cc.gpu).await?;
        }
        if self.cpu.paused {
            changed |= self.steer(Switch::Cpu, false, &cc.task).await?;
        }
        Ok(changed)
    }

    async fn read_status(&mut self) -> Result<ProviderStatus, RpcError> {
        let mut cc = self.rpc.get_cc_status().await?;
        if self.keep_paused(&cc).await? {
            cc = self.rpc.get_cc_status().await?;
        }
        let version = self.rpc.server_version().await?;
        let tasks = self.rpc.get_results(true).await?;
        let projects = self.rpc.get_project_status().await?;
        let mut status = self.describe(version, &cc, &tasks, projects.len());
        // This host's credit per project, for the ledger (BOINC keeps the running total).
        status.credits = projects
            .iter()
            .map(|p| CreditReport {
                project: if p.project_name.is_empty() {
                    p.master_url.clone()
                } else {
                    p.project_name.clone()
                },
                total: p.host_total_credit,
            })
            .collect();
        Ok(status)
    }

    fn describe(
        &self,
        version: ServerVersion,
        cc: &CcStatus,
        tasks: &[BoincTask],
        projects: usize,
    ) -> ProviderStatus {
        let enabled = cc.gpu.current != RunMode::Never;
        let running = tasks.iter().filter(|t| t.is_executing()).count();
        let on_gpu = tasks
            .iter()
            .filter(|t| t.is_executing() && t.uses_gpu())
            .count();
        let gpu_words = if !enabled && self.gpu.paused && cc.gpu.is_temporary() {
            let back_to = self
                .gpu
                .user_mode
                .map(|m| format!(", then back to '{m}'"))
                .unwrap_or_default();
            format!(
                "GPU work paused by Overtime for {} more{back_to}",
                approx(cc.gpu.delay)
            )
        } else if !enabled && cc.gpu.is_temporary() {
            format!(
                "GPU work snoozed in BOINC for {} more",
                approx(cc.gpu.delay)
            )
        } else if !enabled {
            "GPU work turned off in BOINC's own settings".to_owned()
        } else if cc.gpu_suspend_reason.is_suspended() {
            format!(
                "GPU work allowed but suspended by BOINC ({})",
                cc.gpu_suspend_reason.describe()
            )
        } else {
            "GPU work allowed".to_owned()
        };
        let task_words = match (running, on_gpu) {
            (0, _) => "no task running".to_owned(),
            (1, 0) => "1 task running".to_owned(),
            (n, 0) => format!("{n} tasks running"),
            (n, g) => format!(
                "{n} task{} running ({g} on the GPU)",
                if n == 1 { "" } else { "s" }
            ),
        };
        let project_words = if projects == 0 {
            "; no project attached (add one in BOINC Manager)"
        } else {
            ""
        };
        ProviderStatus {
            gpus: self
                .gpus
                .iter()
                .map(|uuid| ProviderGpuStatus {
                    uuid: uuid.clone(),
                    // BOINC's GPU switch is global and its tasks do not name GPUs by UUID.
                    working: enabled && on_gpu > 0,
                    enabled,
                    rented_until: None,
                    listed_until: None,
                })
                .collect(),
            detail: format!("BOINC {version}: {gpu_words}, {task_words}{project_words}"),
            ..ProviderStatus::default()
        }
    }
}

/// "4 min", "45 s": how long until a temporary mode lapses, rounded up.
fn approx(d: Duration) -> String {
    let s = d.as_secs_f64().ceil() as u64;
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min", s.div_ceil(60))
    }
}

fn describe_mode(m: &ModeState) -> String {
    if m.is_temporary() {
        format!(
            "'{}' for {} more, then '{}'",
            m.current,
            approx(m.delay),
            m.perm
        )
    } else {
        format!("'{}'", m.current)
    }
}

#[async_trait]
impl Provider for BoincProvider {
    fn name(&self) -> &str {
        "boinc"
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Volunteer
    }

    fn simulated(&self) -> bool {
        false
    }

    /// Read the client's state; also renews Overtime's pause when it runs low.
    async fn status(&mut self) -> Result<ProviderStatus, ProviderError> {
        self.read_status().await.map_err(|e| self.error(e))
    }

    /// Allow GPU work if any GPU is wanted on, else (no GPU on, or no GPU at all) pause it
    /// (fail-safe, see the module docs). A mode Overtime did not set is never changed when
    /// allowing. Checks the password even when nothing needs changing, so a wrong one shows up
    /// at once rather than when a game starts.
    async fn apply(&mut self, desired: &[GpuDesire]) -> Result<ProviderStatus, ProviderError> {
        self.gpus = desired.iter().map(|d| d.uuid.clone()).collect();
        let want_on = desired.iter().any(|d| d.on);
        let result: Result<ProviderStatus, RpcError> = async {
            self.rpc.authorize().await?;
            let cc = self.rpc.get_cc_status().await?;
            self.steer(Switch::Gpu, want_on, &cc.gpu).await?;
            if self.config.control_cpu {
                self.steer(Switch::Cpu, want_on, &cc.task).await?;
            }
            self.read_status().await
        }
        .await;
        if let Ok(status) = &result {
            tracing::info!(want_on, detail = %status.detail, "BOINC steered");
        }
        result.map_err(|e| self.error(e))
    }

    /// Hand the client back: end Overtime's temporary pauses so the user's own modes apply.
    async fn shutdown(&mut self) -> Result<(), ProviderError> {
        let result: Result<(), RpcError> = async {
            if self.gpu.paused {
                self.rpc
                    .set_gpu_mode(ModeChange::Restore, Duration::ZERO)
                    .await?;
                self.gpu = Control::default();
            }
            if self.cpu.paused {
                self.rpc
                    .set_run_mode(ModeChange::Restore, Duration::ZERO)
                    .await?;
                self.cpu = Control::default();
            }
            Ok(())
        }
        .await;
        self.rpc.disconnect();
        result.map_err(|e| self.error(e))
    }
}
