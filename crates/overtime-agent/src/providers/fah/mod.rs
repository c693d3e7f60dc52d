//! The Folding@home volunteer provider: steers a local Folding@home v8 client through its
//! WebSocket API so that it folds only when Overtime allows it, and hands it back as it found it.
//!
//! Folding@home pauses and resumes per resource group, not per GPU. With `group` set, Overtime
//! controls only that group (put the GPUs Overtime should manage in it); with `group` empty, it
//! controls the whole machine, every group at once, even when the client has several. Work is
//! allowed when any desired GPU is wanted on.
//!
//! The state the user had (folding, finishing or paused, per group) is remembered when Overtime
//! first takes control and restored by [`Provider::shutdown`]; a change the user makes
//! meanwhile in the client's own front end becomes the state to restore. A fresh install starts
//! paused, so it is left paused at exit.

pub mod connection;
pub mod protocol;

use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use overtime_core::config::providers::FahSettings;

use self::connection::{Connection, ConnectionError, ConnectionSettings};
use self::protocol::{CommandClock, FahState, Group, RunState, StateCommand, state_command};
use super::{GpuDesire, Provider, ProviderError, ProviderGpuStatus, ProviderKind, ProviderStatus};

const SERVICE: &str = "Folding@home";

/// How to reach and steer the Folding@home client.
#[derive(Debug, Clone)]
pub struct FahConfig {
    pub connection: ConnectionSettings,
    /// The resource group to control; empty: the whole machine.
    pub group: String,
    /// How long to wait for the client to show a command took before sending it again with a
    /// later time (the client drops a command whose time is not after the last one it took).
    pub confirm_timeout: Duration,
}

impl Default for FahConfig {
    fn default() -> Self {
        FahConfig {
            connection: ConnectionSettings::default(),
            group: String::new(),
            confirm_timeout: Duration::from_secs(2),
        }
    }
}

impl FahConfig {
    /// The config file's `[providers.fah]`, with default timeouts.
    pub fn from_settings(settings: &FahSettings) -> FahConfig {
        FahConfig {
            connection: ConnectionSettings {
                url: settings.url.clone(),
                ..ConnectionSettings::default()
            },
            group: settings.group.clone(),
            ..FahConfig::default()
        }
    }
}

/// Where Overtime took control: the user's state of each group in scope, to restore at exit.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Taken {
    user: Vec<(String, RunState)>,
    /// What Overtime last set and saw take, to tell the user's own changes from ours.
    ours: Option<RunState>,
    /// What Overtime sent without seeing it take yet (the call may have been cut short, or the
    /// client dropped it): seeing this state later is ours too, not the user's.
    pending: Option<RunState>,
}

/// The Folding@home v8 client as an Overtime provider (see the module documentation).
pub struct FahProvider {
    config: FahConfig,
    connection: Option<Connection>,
    clock: CommandClock,
    taken: Option<Taken>,
    /// GPUs of the last desired state: the status reports one entry per GPU.
    gpus: Vec<GpuDesire>,
}

impl FahProvider {
    pub fn new(config: FahConfig) -> Self {
        FahProvider {
            config,
            connection: None,
            clock: CommandClock::default(),
            taken: None,
            gpus: Vec::new(),
        }
    }

    /// The group named in the config, or `None` for the whole machine.
    fn scope(&self) -> Option<&str> {
        (!self.config.group.is_empty()).then_some(self.config.group.as_str())
    }

    /// [`error`] for this provider's address.
    fn error(&self, e: ConnectionError) -> ProviderError {
        error(&self.config.connection.url, e)
    }

    /// The open connection, reopened when the old one died.
    async fn connect(&mut self) -> Result<&mut Connection, ProviderError> {
        if let Some(conn) = &self.connection
            && let Err(why) = conn.health()
        {
            tracing::info!(reason = %why, "Folding@home connection lost; reconnecting");
            self.connection = None;
        }
        match &mut self.connection {
            Some(conn) => Ok(conn),
            slot @ None => {
                let conn = match Connection::open(&self.config.connection).await {
                    Ok(conn) => conn,
                    Err(e) => return Err(error(&self.config.connection.url, e)),
                };
                let info = conn.read(FahState::info);
                tracing::info!(version = %info.version, machine = %info.machine_name,
                    "connected to Folding@home");
                Ok(slot.insert(conn))
            }
        }
    }

    /// The groups Overtime controls, or why it cannot.
    fn groups_in_scope(&self, state: &FahState) -> Result<Vec<Group>, ProviderError> {
        let groups = state.groups();
        match self.scope() {
            None => Ok(groups),
            Some(name) => match groups.iter().find(|g| g.name == name) {
                Some(g) => Ok(vec![g.clone()]),
                None => {
                    let names: Vec<String> = groups
                        .iter()
                        .map(|g| {
                            if g.name.is_empty() {
                                "the default group".to_owned()
                            } else {
                                format!("'{}'", g.name)
                            }
                        })
                        .collect();
                    Err(ProviderError::Other {
                        service: SERVICE.to_owned(),
                        detail: format!(
                            "the client has no resource group '{name}' (it has {}); create it in \
                             the Folding@home web control or fix [providers.fah] group",
                            names.join(", ")
                        ),
                    })
                }
            },
        }
    }

    /// Bring `group` (`None`: the whole machine) to `target`. Finishing is reached through
    /// folding: the client's `finish` only sets a flag, it does not unpause.
    async fn set(&mut self, group: Option<String>, target: RunState) -> Result<(), ProviderError> {
        if target == RunState::Finishing {
            let now = self
                .connect()
                .await?
                .read(|s| scope_state(s, group.as_deref()));
            if now != Some(RunState::Folding) && now != Some(RunState::Finishing) {
                self.command(group.clone(), StateCommand::Fold).await?;
            }
        }
        self.command(group, target.command()).await
    }

    /// Send `command` for `group` (`None`: the whole machine) and wait until the client shows
    /// it took; one retry with a later time if it did not (another front end may have used a
    /// time at or after ours).
    async fn command(
        &mut self,
        group: Option<String>,
        command: StateCommand,
    ) -> Result<(), ProviderError> {
        let want = command.outcome();
        let wait = self.config.confirm_timeout;
        for attempt in 0..2 {
            let time = self.clock.stamp("state", Timestamp::now());
            let text = state_command(command, group.as_deref(), time);
            let conn = self.connect().await?;
            let sent = conn.send(text).await;
            sent.map_err(|e| self.error(e))?;
            let deadline = tokio::time::Instant::now() + wait;
            let conn = self.connect().await?;
            let took = conn
                .wait_for(deadline, |s| scope_state(s, group.as_deref()) == Some(want))
                .await;
            match took {
                Ok(true) => return Ok(()),
                Ok(false) => tracing::debug!(attempt, "Folding@home did not take the command yet"),
                Err(e) => return Err(self.error(e)),
            }
        }
        Err(ProviderError::Protocol {
            service: SERVICE.to_owned(),
            detail: format!(
                "the client did not take the '{}' command within {} s; it drops commands dated \
                 before its last one, so check this machine's clock (another front end may \
                 have sent a later-dated command)",
                command.as_str(),
                (wait * 2).as_secs().max(1)
            ),
        })
    }

    /// When the client's state differs from what Overtime last set, the user changed it in the
    /// client's own front end: that becomes the state to restore at exit.
    fn notice_user_changes(&mut self, state: &FahState) {
        let scope = self.scope().map(str::to_owned);
        let Some(taken) = &mut self.taken else {
            return;
        };
        if taken.ours.is_none() && taken.pending.is_none() {
            return;
        }
        let now = scope_state(state, scope.as_deref());
        if now.is_some() && now == taken.ours {
            return;
        }
        if now.is_some() && now == taken.pending {
            taken.ours = taken.pending.take();
            return;
        }
        let Ok(groups) = self.groups_in_scope(state) else {
            return;
        };
        if let Some(taken) = &mut self.taken {
            taken.user = groups
                .iter()
                .map(|g| (g.name.clone(), g.run_state()))
                .collect();
            taken.ours = None;
            taken.pending = None;
            tracing::info!("Folding@home was changed outside Overtime; that state is kept at exit");
        }
    }

    async fn read_status(&mut self) -> Result<ProviderStatus, ProviderError> {
        let state = self.connect().await?.read(FahState::clone);
        self.notice_user_changes(&state);
        self.describe(&state)
    }

    fn describe(&self, state: &FahState) -> Result<ProviderStatus, ProviderError> {
        let groups = self.groups_in_scope(state)?;
        let in_scope = |name: &str| groups.iter().any(|g| g.name == name);
        let units: Vec<_> = state
            .units()
            .into_iter()
            .filter(|u| in_scope(&u.group))
            .collect();
        // A unit crunches while it runs in a group that folds: the group's pause reaches the
        // client's state before its units' own flags do.
        let crunching: Vec<_> = units
            .iter()
            .filter(|u| u.is_running() && groups.iter().any(|g| g.name == u.group && !g.paused))
            .collect();
        let info = state.info();
        let folding = groups.iter().any(|g| !g.paused);
        let finishing = folding && groups.iter().filter(|g| !g.paused).all(|g| g.finish);

        // Which of Folding@home's GPU ids is each desired GPU: by UUID when the client reports
        // them, else by position when both sides list the same number of GPUs.
        let by_position = info.gpus.len() == self.gpus.len();
        let fah_id = |d: &GpuDesire| -> Option<String> {
            info.gpus
                .iter()
                .find(|g| g.uuid.as_deref().is_some_and(|u| same_uuid(u, &d.uuid)))
                .or_else(|| {
                    if by_position {
                        let mut sorted: Vec<&GpuDesire> = self.gpus.iter().collect();
                        sorted.sort_by_key(|g| g.index);
                        let pos = sorted.iter().position(|g| g.uuid == d.uuid)?;
                        info.gpus.get(pos)
                    } else {
                        None
                    }
                })
                .map(|g| g.id.clone())
        };
        let gpus = self
            .gpus
            .iter()
            .map(|d| {
                let (enabled, working) = match fah_id(d) {
                    // A GPU folds only where a group enables it; configs without any GPU
                    // entries (older clients) say nothing, so the group's state stands.
                    Some(id) if groups.iter().any(|g| !g.gpus.is_empty()) => (
                        groups.iter().any(|g| !g.paused && g.uses_gpu(&id)),
                        crunching.iter().any(|u| u.gpus.contains(&id)),
                    ),
                    Some(id) => (folding, crunching.iter().any(|u| u.gpus.contains(&id))),
                    None => (folding, crunching.iter().any(|u| !u.gpus.is_empty())),
                };
                ProviderGpuStatus {
                    uuid: d.uuid.clone(),
                    working,
                    enabled,
                    rented_until: None,
                    listed_until: None,
                }
            })
            .collect();

        let state_words = if folding {
            if finishing { "finishing" } else { "folding" }.to_owned()
        } else if self
            .taken
            .as_ref()
            .is_some_and(|t| t.ours == Some(RunState::Paused))
        {
            "paused by Overtime".to_owned()
        } else {
            "paused".to_owned()
        };
        let unit_words = match units.len() {
            0 => "no unit".to_owned(),
            1 => "1 unit".to_owned(),
            n => format!("{n} units"),
        };
        let ppd: u64 = units.iter().map(|u| u.ppd).sum();
        let version = if info.version.is_empty() {
            "v8"
        } else {
            &info.version
        };
        let group_words = match self.scope() {
            Some(name) => format!(" (group '{name}')"),
            None => String::new(),
        };
        Ok(ProviderStatus {
            gpus,
            detail: format!(
                "Folding@home {version}{group_words}: {state_words}, {unit_words}, {} PPD",
                thousands(ppd)
            ),
            ..ProviderStatus::default()
        })
    }

    /// Put each group back the way the user had it.
    async fn restore(&mut self) -> Result<(), ProviderError> {
        let Some(taken) = self.taken.clone() else {
            return Ok(());
        };
        let state = self.connect().await?.read(FahState::clone);
        let now: Vec<(String, RunState)> = self
            .groups_in_scope(&state)?
            .iter()
            .map(|g| (g.name.clone(), g.run_state()))
            .collect();
        if now == taken.user {
            return Ok(());
        }
        let uniform = taken
            .user
            .first()
            .map(|(_, s)| *s)
            .filter(|first| taken.user.iter().all(|(_, s)| s == first));
        match uniform {
            // One command covers the group, or every group of the machine alike.
            Some(s) => {
                tracing::info!(state = %s, "handing Folding@home back");
                let scope = self.scope().map(str::to_owned);
                self.set(scope, s).await?;
            }
            None => {
                for (name, s) in &taken.user {
                    // Same as the user had it, or deleted meanwhile (a command would re-create it).
                    if !now.iter().any(|(n, cur)| n == name && cur != s) {
                        continue;
                    }
                    tracing::info!(group = %name, state = %s, "handing Folding@home back");
                    self.set(Some(name.clone()), *s).await?;
                }
            }
        }
        Ok(())
    }
}

/// Turn a connection failure into a message for the user: what happened and what to do.
fn error(address: &str, e: ConnectionError) -> ProviderError {
    let service = SERVICE.to_owned();
    let address = address.to_owned();

    match e {
        ConnectionError::Refused => ProviderError::Unreachable {
            service,
            address,
            detail: "Folding@home is not running there (connection refused); start the \
                         Folding@home client (Linux: sudo systemctl start fah-client)"
                .to_owned(),
        },
        ConnectionError::Connect(detail) => ProviderError::Unreachable {
            service,
            address,
            detail: format!("cannot connect ({detail}); check the URL in settings"),
        },
        ConnectionError::Url(detail) => ProviderError::Other {
            service,
            detail: format!(
                "the URL '{address}' is not usable ({detail}); set [providers.fah] url to \
                     ws://127.0.0.1:7396/api/websocket or the client's own address"
            ),
        },
        ConnectionError::Handshake(detail) => ProviderError::Protocol {
            service,
            detail: format!(
                "{detail} when opening the WebSocket; is {address} a Folding@home v8 client?"
            ),
        },
        ConnectionError::Closed(detail) => ProviderError::Unreachable {
            service,
            address,
            detail: format!("{detail}; the client may have stopped or restarted"),
        },
        ConnectionError::Timeout { after, .. } => ProviderError::Timeout {
            service,
            timeout_s: after.as_secs().max(1),
        },
        ConnectionError::Protocol(detail) => ProviderError::Protocol {
            service,
            detail: format!("{detail}; is {address} a Folding@home v8 client?"),
        },
    }
}

/// The state of the scope: the group's, or for the whole machine the common state of every
/// group (`None` when groups differ, or the group does not exist).
fn scope_state(state: &FahState, group: Option<&str>) -> Option<RunState> {
    match group {
        Some(name) => state.group(name).map(|g| g.run_state()),
        None => {
            let groups = state.groups();
            let first = groups.first()?.run_state();
            groups
                .iter()
                .all(|g| g.run_state() == first)
                .then_some(first)
        }
    }
}

/// NVML writes "GPU-8f0e…"; compute runtimes may give the bare hex, with or without dashes.
fn same_uuid(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        let s = s.trim();
        let s = s
            .strip_prefix("GPU-")
            .or_else(|| s.strip_prefix("gpu-"))
            .unwrap_or(s);
        s.chars()
            .filter(|c| *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[async_trait]
impl Provider for FahProvider {
    fn name(&self) -> &str {
        "fah"
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Volunteer
    }

    fn simulated(&self) -> bool {
        false
    }

    /// The client's state as last pushed by it; reconnects (bounded by the connect timeout)
    /// when the connection died, otherwise answers without network I/O.
    async fn status(&mut self) -> Result<ProviderStatus, ProviderError> {
        self.read_status().await
    }

    /// Fold (the configured group, or the whole machine) if any GPU is wanted on, else pause.
    /// Remembers the user's state the first time. Sends nothing when the client is already as
    /// wanted.
    async fn apply(&mut self, desired: &[GpuDesire]) -> Result<ProviderStatus, ProviderError> {
        self.gpus = desired.to_vec();
        let want = if desired.iter().any(|d| d.on) {
            StateCommand::Fold
        } else {
            StateCommand::Pause
        };
        let state = self.connect().await?.read(FahState::clone);
        self.notice_user_changes(&state);
        let groups = self.groups_in_scope(&state)?;
        if self.taken.is_none() {
            let user: Vec<(String, RunState)> = groups
                .iter()
                .map(|g| (g.name.clone(), g.run_state()))
                .collect();
            tracing::info!(?user, "taking control of Folding@home");
            self.taken = Some(Taken {
                user,
                ours: None,
                pending: None,
            });
        }
        if scope_state(&state, self.scope()) != Some(want.outcome()) {
            // Marked before sending: if this call is cut short the command may still land, and
            // it must not then be mistaken for the user's own change.
            if let Some(t) = &mut self.taken {
                t.pending = Some(want.outcome());
            }
            let scope = self.scope().map(str::to_owned);
            self.command(scope, want).await?;
        }
        if let Some(t) = &mut self.taken {
            t.ours = Some(want.outcome());
            t.pending = None;
        }
        let status = self.read_status().await?;
        tracing::info!(state = want.as_str(), detail = %status.detail, "Folding@home steered");
        Ok(status)
    }

    /// Hand the client back as the user had it, then close the connection.
    async fn shutdown(&mut self) -> Result<(), ProviderError> {
        let result = self.restore().await;
        if result.is_ok() {
            self.taken = None;
        }
        if let Some(conn) = self.connection.take() {
            conn.close().await;
        }
        result
    }
}
