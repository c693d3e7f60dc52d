//! Keeps the loopback API in step with `[api]`: started with the agent, stopped, moved to
//! another port or given `/metrics` when the user saves those settings, without a restart.
//!
//! The host watches the configuration the agent has adopted (the handle's `config` channel), so
//! a change made in the settings screen, in the file by hand, or through `POST
//! /api/v1/config/reload` all take the same path. Whoever shows the API's state (the window's
//! settings, the daemon's log) reads [`ApiHost::status`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use overtime_core::config::ApiConfig;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{ApiServer, ApiToken, serve};
use crate::service::AgentService;

/// How long a stopping server may take to finish open requests before it is dropped anyway, so
/// a hung client cannot keep the old port (or the agent's shutdown) waiting.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// What the loopback API is doing now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiStatus {
    /// Serving on `addr`.
    Listening { addr: SocketAddr, metrics: bool },
    /// `api.enabled = false`.
    Disabled,
    /// It should run but could not start: the port is taken, the token file is unreadable, …
    /// The message says what to do.
    Failed { error: String },
    /// The host has stopped with the agent.
    Stopped,
}

/// The task that runs the API server for as long as the agent runs.
#[derive(Debug)]
pub struct ApiHost {
    status: watch::Receiver<ApiStatus>,
    task: JoinHandle<()>,
}

impl ApiHost {
    /// Starts the API as the agent's configuration says and returns once that first start has
    /// succeeded or failed ([`ApiHost::status`] tells which). From then on it follows `[api]`
    /// until `shutdown` is cancelled or the agent stops.
    pub async fn start(
        service: AgentService,
        token_file: PathBuf,
        shutdown: CancellationToken,
    ) -> ApiHost {
        let mut config = service.handle().config.clone();
        let wanted = config.borrow_and_update().api.clone();
        let running = start_server(&service, &token_file, &wanted, &shutdown).await;
        let (status_tx, status) = watch::channel(running.status(&wanted));
        let task = tokio::spawn(follow_config(
            service, token_file, shutdown, config, wanted, running, status_tx,
        ));
        ApiHost { status, task }
    }

    /// The API's state now.
    pub fn status(&self) -> ApiStatus {
        self.status.borrow().clone()
    }

    /// Changes of [`ApiHost::status`], for a front end that shows it.
    pub fn subscribe(&self) -> watch::Receiver<ApiStatus> {
        self.status.clone()
    }

    /// Waits until the host has stopped its server (after the shutdown token was cancelled or
    /// the agent stopped).
    pub async fn stopped(self) {
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the API host task failed");
        }
    }
}

/// The server of the moment, or why there is none.
enum Running {
    Server {
        server: ApiServer,
        stop: CancellationToken,
    },
    Disabled,
    Failed(String),
}

impl Running {
    fn status(&self, config: &ApiConfig) -> ApiStatus {
        match self {
            Running::Server { server, .. } => ApiStatus::Listening {
                addr: server.addr,
                metrics: config.metrics,
            },
            Running::Disabled => ApiStatus::Disabled,
            Running::Failed(error) => ApiStatus::Failed {
                error: error.clone(),
            },
        }
    }

    /// Stops accepting, lets open requests finish (for a while) and releases the port.
    async fn stop(self) {
        if let Running::Server { server, stop } = self {
            stop.cancel();
            let addr = server.addr;
            if tokio::time::timeout(DRAIN_TIMEOUT, server.task)
                .await
                .is_err()
            {
                tracing::warn!(%addr, "the API server did not finish its open requests in time");
            }
        }
    }
}

async fn start_server(
    service: &AgentService,
    token_file: &std::path::Path,
    config: &ApiConfig,
    shutdown: &CancellationToken,
) -> Running {
    if !config.enabled {
        tracing::info!("loopback API disabled in the configuration");
        return Running::Disabled;
    }
    let file = token_file.to_path_buf();
    let token = match tokio::task::spawn_blocking(move || ApiToken::load_or_create(&file)).await {
        Ok(Ok(token)) => token,
        Ok(Err(e)) => return failed(e.to_string()),
        Err(e) => {
            return failed(format!(
                "preparing the API token stopped unexpectedly ({e})"
            ));
        }
    };
    let stop = shutdown.child_token();
    match serve(
        service.clone(),
        config.port,
        config.metrics,
        token,
        stop.clone(),
    )
    .await
    {
        Ok(server) => {
            tracing::info!(address = %server.addr, token = %token_file.display(), "loopback API listening");
            Running::Server { server, stop }
        }
        Err(e) => failed(e.to_string()),
    }
}

fn failed(error: String) -> Running {
    tracing::warn!("the loopback API is off: {error}");
    Running::Failed(error)
}

async fn follow_config(
    service: AgentService,
    token_file: PathBuf,
    shutdown: CancellationToken,
    mut config: watch::Receiver<std::sync::Arc<overtime_core::config::Config>>,
    mut wanted: ApiConfig,
    mut running: Running,
    status: watch::Sender<ApiStatus>,
) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            changed = config.changed() => {
                if changed.is_err() {
                    // The agent has stopped; its shutdown token follows.
                    break;
                }
                let next = config.borrow_and_update().api.clone();
                // A failed start is retried on any save, so fixing the port or freeing it and
                // saving again brings the API up.
                let retry = matches!(running, Running::Failed(_)) && next.enabled;
                if next == wanted && !retry {
                    continue;
                }
                running.stop().await;
                running = start_server(&service, &token_file, &next, &shutdown).await;
                status.send_replace(running.status(&next));
                wanted = next;
            }
        }
    }
    running.stop().await;
    status.send_replace(ApiStatus::Stopped);
}
