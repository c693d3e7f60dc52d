//! The loopback HTTP API: the CLI and scripts read the agent's snapshot and set overrides
//! through it, and Prometheus scrapes `/metrics`.
//!
//! It binds 127.0.0.1 only. Everything under `/api/v1` needs the bearer token from the token
//! file ([`token`]), because other local users and web pages can reach loopback too; `/metrics`
//! and `/healthz` are read-only and open, so Prometheus needs no secret.
//!
//! | route | what |
//! |---|---|
//! | `GET /api/v1/status` | the latest [`AgentSnapshot`](crate::AgentSnapshot) |
//! | `POST /api/v1/override` | [`wire::OverrideRequest`] → [`wire::OverrideApplied`] |
//! | `DELETE /api/v1/override[?gpu=]` | back to automatic → [`wire::OverrideCleared`] |
//! | `GET /api/v1/decisions` | the recent mode changes |
//! | `POST /api/v1/config/reload` | re-read the config file (422 when it is invalid) |
//! | `POST /api/v1/call` | any [`AgentRequest`](crate::service::AgentRequest) → its answer |
//! | `GET /metrics` | Prometheus text format (when `api.metrics` is on) |
//! | `GET /healthz` | `ok` |
//!
//! [`ApiHost`] runs it for as long as the agent runs and follows `[api]`: saving another port,
//! turning it off or on, or turning `/metrics` on applies at once.

mod host;
mod routes;
pub mod token;
pub mod wire;

use std::net::{Ipv4Addr, SocketAddr};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::service::AgentService;
pub use host::{ApiHost, ApiStatus};
pub use token::{ApiToken, TokenError};

/// A running API server.
#[derive(Debug)]
pub struct ApiServer {
    /// Where it listens (always 127.0.0.1; the port is the chosen one when 0 was asked for).
    pub addr: SocketAddr,
    /// Ends after the shutdown token is cancelled and open requests have finished.
    pub task: JoinHandle<()>,
}

/// Why the API could not start.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "port {port} on 127.0.0.1 is already in use: another Overtime agent may be running \
         (try `overtime status`), or another program uses it. Stop it, or set `api.port` in the \
         config file to a free port"
    )]
    PortInUse { port: u16 },
    #[error(
        "could not listen on 127.0.0.1:{port}: {source}. Set `api.port` in the config file to \
         another port (1024–65535), or turn the API off with `api.enabled = false`"
    )]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
}

/// Starts the API on `127.0.0.1:port` (`0`: any free port) and returns once it listens.
///
/// `metrics_enabled` serves `/metrics`; otherwise that path answers 404 saying how to turn it
/// on. Requests under `/api/v1` must carry `Authorization: Bearer <token>`. When `shutdown` is
/// cancelled the server stops accepting, lets open requests finish, and its task ends.
pub async fn serve(
    service: AgentService,
    port: u16,
    metrics_enabled: bool,
    token: ApiToken,
    shutdown: CancellationToken,
) -> Result<ApiServer, ApiError> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AddrInUse => ApiError::PortInUse { port },
            _ => ApiError::Bind { port, source },
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ApiError::Bind { port, source })?;
    let app = routes::router(service, token, metrics_enabled);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
        match served {
            Ok(()) => tracing::debug!(%addr, "API server stopped"),
            Err(e) => tracing::error!(%addr, error = %e, "API server failed"),
        }
    });
    tracing::info!(%addr, metrics = metrics_enabled, "API listening");
    Ok(ApiServer { addr, task })
}
