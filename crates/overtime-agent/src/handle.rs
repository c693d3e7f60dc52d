//! How front ends talk to a running agent: a snapshot stream to read and a command queue to write.

use std::sync::Arc;

use jiff::Timestamp;
use overtime_core::config::Config;
use overtime_core::{Mode, OverrideScope};
use tokio::sync::{mpsc, oneshot, watch};

use crate::error::AgentError;
use crate::snapshot::AgentSnapshot;

/// A command from a front end. Each carries a reply channel so the caller learns the outcome.
#[derive(Debug)]
pub enum AgentCommand {
    /// Force a mode (Idle = pause) for some GPUs until a time, or until cleared.
    SetOverride {
        mode: Mode,
        scope: OverrideScope,
        until: Option<Timestamp>,
        reply: oneshot::Sender<Result<(), AgentError>>,
    },
    /// Back to automatic for these GPUs (`AllGpus` clears every override).
    ClearOverride {
        scope: OverrideScope,
        reply: oneshot::Sender<Result<(), AgentError>>,
    },
    /// Re-read the configuration file now.
    ReloadConfig {
        reply: oneshot::Sender<Result<(), AgentError>>,
    },
    /// A credential was stored or removed: build the providers again with it.
    CredentialsChanged {
        reply: oneshot::Sender<Result<(), AgentError>>,
    },
}

/// A cloneable handle to a running agent.
#[derive(Clone)]
pub struct AgentHandle {
    pub snapshots: watch::Receiver<Arc<AgentSnapshot>>,
    pub commands: mpsc::Sender<AgentCommand>,
    /// The configuration in force: the file as the agent last adopted it (a changed file that
    /// does not validate leaves the previous one here). Front ends read it instead of parsing
    /// the file themselves.
    pub config: watch::Receiver<Arc<Config>>,
}

impl AgentHandle {
    /// A handle over channels made elsewhere (tests, fakes), with `config` in force.
    pub fn new(
        snapshots: watch::Receiver<Arc<AgentSnapshot>>,
        commands: mpsc::Sender<AgentCommand>,
        config: Config,
    ) -> AgentHandle {
        let (config_tx, config) = watch::channel(Arc::new(config));
        // The value stays readable after the sender is gone.
        drop(config_tx);
        AgentHandle {
            snapshots,
            commands,
            config,
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<Config> {
        self.config.borrow().clone()
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Arc<AgentSnapshot> {
        self.snapshots.borrow().clone()
    }

    async fn call(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<(), AgentError>>) -> AgentCommand,
    ) -> Result<(), AgentError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| AgentError::Stopped)?;
        rx.await.map_err(|_| AgentError::StoppedBeforeAnswer)?
    }

    pub async fn set_override(
        &self,
        mode: Mode,
        scope: OverrideScope,
        until: Option<Timestamp>,
    ) -> Result<(), AgentError> {
        self.call(|reply| AgentCommand::SetOverride {
            mode,
            scope,
            until,
            reply,
        })
        .await
    }

    pub async fn clear_override(&self, scope: OverrideScope) -> Result<(), AgentError> {
        self.call(|reply| AgentCommand::ClearOverride { scope, reply })
            .await
    }

    /// Tells the agent a credential changed, so providers using it are built again.
    pub async fn credentials_changed(&self) -> Result<(), AgentError> {
        self.call(|reply| AgentCommand::CredentialsChanged { reply })
            .await
    }

    pub async fn reload_config(&self) -> Result<(), AgentError> {
        self.call(|reply| AgentCommand::ReloadConfig { reply })
            .await
    }
}
