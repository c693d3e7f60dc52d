//! The CLI's side of the loopback API: finds the agent's port and token, sends requests, and
//! turns failures into messages that say what to do ("no agent is running: start one with
//! `overtime daemon`").

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use overtime_agent::AgentSnapshot;
use overtime_agent::api::wire::{ErrorBody, OverrideApplied, OverrideCleared, OverrideRequest};
use overtime_agent::api::{ApiToken, TokenError};
use overtime_agent::paths::Paths;
use serde::de::DeserializeOwned;

/// Environment variable naming the API port, between `--port` and the config file in priority.
pub const ENV_API_PORT: &str = "OVERTIME_API_PORT";
/// The port when neither flag, environment nor config file names one (as `ApiConfig`'s default).
const DEFAULT_PORT: u16 = 47615;
/// Longer than the agent's own 10 s wait for its supervisor, so its answer arrives first.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A client for the agent on `127.0.0.1:<port>`.
pub struct ApiClient {
    port: u16,
    /// The token, or why it could not be read (reported only once the agent is known to run,
    /// because "not running" is the more useful message when both are true).
    token: Result<ApiToken, TokenError>,
    http: reqwest::Client,
}

impl ApiClient {
    /// A client for the agent this user's files point at: the port from `port_flag`, else
    /// `OVERTIME_API_PORT`, else `api.port` in the config file, else the default; the token from
    /// the state directory.
    pub fn from_paths(paths: &Paths, port_flag: Option<u16>) -> anyhow::Result<ApiClient> {
        let env = std::env::var(ENV_API_PORT).ok();
        let config = std::fs::read_to_string(&paths.config_file).ok();
        let port = resolve_port(port_flag, env.as_deref(), config.as_deref())?;
        Ok(ApiClient::new(
            port,
            ApiToken::read(&paths.api_token_file()),
        ))
    }

    /// A client for `127.0.0.1:port` using `token`.
    pub fn new(port: u16, token: Result<ApiToken, TokenError>) -> ApiClient {
        // Proxies must never see loopback traffic (or the token), whatever the environment says.
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        ApiClient { port, token, http }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The latest snapshot as the exact JSON text the agent sent.
    pub async fn status_json(&self) -> anyhow::Result<String> {
        let response = self.send(self.http.get(self.url("/api/v1/status"))).await?;
        Ok(response.text().await?)
    }

    /// The latest snapshot.
    pub async fn status(&self) -> anyhow::Result<AgentSnapshot> {
        let text = self.status_json().await?;
        serde_json::from_str(&text).context(
            "the agent's status did not match this CLI's version; use the `overtime` that came \
             with the running agent",
        )
    }

    /// Sets an override; returns what the agent accepted.
    pub async fn set_override(&self, request: &OverrideRequest) -> anyhow::Result<OverrideApplied> {
        let builder = self.http.post(self.url("/api/v1/override")).json(request);
        json(self.send(builder).await?).await
    }

    /// Returns one GPU (by index or UUID) or all to automatic.
    pub async fn clear_override(&self, gpu: Option<&str>) -> anyhow::Result<OverrideCleared> {
        let mut builder = self.http.delete(self.url("/api/v1/override"));
        if let Some(gpu) = gpu {
            builder = builder.query(&[("gpu", gpu)]);
        }
        json(self.send(builder).await?).await
    }

    /// Sends an authenticated request; a non-2xx answer becomes an error with the agent's message.
    async fn send(&self, builder: reqwest::RequestBuilder) -> anyhow::Result<reqwest::Response> {
        let token = match &self.token {
            Ok(token) => token,
            Err(token_error) => {
                // Is anyone there at all? "Not running" is the better message if not.
                self.http
                    .get(self.url("/healthz"))
                    .send()
                    .await
                    .map_err(|e| self.transport_error(e))?;
                bail!("{token_error}");
            }
        };
        let response = builder
            .bearer_auth(token.expose_secret())
            .send()
            .await
            .map_err(|e| self.transport_error(e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => Err(anyhow!("the agent refused: {}", body.message)),
            Err(_) => Err(anyhow!(
                "something other than an Overtime agent answered on 127.0.0.1:{} ({status}); \
                 pass --port or set {ENV_API_PORT} to the agent's port",
                self.port
            )),
        }
    }

    fn transport_error(&self, error: reqwest::Error) -> anyhow::Error {
        if error.is_connect() {
            anyhow!(
                "no Overtime agent is running on 127.0.0.1:{port}: start one with `overtime daemon` \
                 (or open the desktop app). If it uses another port, pass --port or set \
                 {ENV_API_PORT}",
                port = self.port
            )
        } else if error.is_timeout() {
            anyhow!(
                "the agent on 127.0.0.1:{} did not answer within {} s; it may be stuck, check its \
                 log",
                self.port,
                REQUEST_TIMEOUT.as_secs()
            )
        } else {
            anyhow!(
                "talking to the agent on 127.0.0.1:{} failed: {error}",
                self.port
            )
        }
    }
}

async fn json<T: DeserializeOwned>(response: reqwest::Response) -> anyhow::Result<T> {
    response.json().await.context(
        "the agent's answer did not match this CLI's version; use the `overtime` that came with \
         the running agent",
    )
}

/// The API port: `flag`, else the `env` value, else `api.port` in the config file `config`
/// (TOML text), else the default. An unreadable config is skipped: the CLI should still reach an
/// agent on the default port while the user fixes their file.
pub fn resolve_port(
    flag: Option<u16>,
    env: Option<&str>,
    config: Option<&str>,
) -> anyhow::Result<u16> {
    if let Some(port) = flag {
        return Ok(port);
    }
    if let Some(text) = env.map(str::trim).filter(|t| !t.is_empty()) {
        return text
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| anyhow!("{ENV_API_PORT}='{text}' is not a port: use 1024–65535"));
    }
    // Only `api.port` is needed, so a lenient read keeps working whatever else the file holds.
    let from_config = config
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|table| table.get("api")?.get("port")?.as_integer())
        .and_then(|port| u16::try_from(port).ok())
        .filter(|p| *p != 0);
    Ok(from_config.unwrap_or(DEFAULT_PORT))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::Arc;

    use overtime_agent::api::serve;
    use overtime_agent::snapshot::{ActivityView, ConfigView, ScheduleView};
    use overtime_agent::{AgentCommand, AgentHandle};
    use overtime_core::{Mode, OverrideScope};
    use tokio::sync::{mpsc, watch};
    use tokio_util::sync::CancellationToken;

    use super::*;

    #[test]
    fn port_comes_from_flag_then_environment_then_config_then_default() {
        let config = "[api]\nport = 50001\n";
        assert_eq!(resolve_port(Some(1), Some("2"), Some(config)).unwrap(), 1);
        assert_eq!(
            resolve_port(None, Some("50002"), Some(config)).unwrap(),
            50002
        );
        assert_eq!(resolve_port(None, None, Some(config)).unwrap(), 50001);
        assert_eq!(resolve_port(None, Some(""), Some(config)).unwrap(), 50001);
        assert_eq!(resolve_port(None, None, None).unwrap(), DEFAULT_PORT);
        assert_eq!(
            resolve_port(None, None, Some("[api\nbroken")).unwrap(),
            DEFAULT_PORT
        );
        assert_eq!(
            resolve_port(None, None, Some("[general]\ntick_ms = 500\n")).unwrap(),
            DEFAULT_PORT
        );
        let err = resolve_port(None, Some("http"), None).unwrap_err();
        assert!(err.to_string().contains(ENV_API_PORT));
    }

    fn empty_snapshot() -> AgentSnapshot {
        AgentSnapshot {
            at: "2026-11-24T20:00:00Z".parse().unwrap(),
            agent_version: "0.1.0".into(),
            simulated: true,
            sensor_backend: "simulated".into(),
            timezone: "UTC".into(),
            gpus: vec![],
            activity: ActivityView::default(),
            overrides: vec![],
            providers: vec![],
            schedule: ScheduleView::default(),
            config: ConfigView::default(),
            decisions_total: 0,
            recent_decisions: Arc::new(vec![]),
            ledger: None,
        }
    }

    /// A real API server over an agent that accepts every command and reports it.
    async fn agent() -> (
        u16,
        ApiToken,
        mpsc::UnboundedReceiver<String>,
        CancellationToken,
    ) {
        let (_tx, snapshots) = watch::channel(Arc::new(empty_snapshot()));
        let (commands, mut inbox) = mpsc::channel(4);
        let (seen_tx, seen) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let _keep = _tx;
            while let Some(command) = inbox.recv().await {
                match command {
                    AgentCommand::SetOverride {
                        mode, until, reply, ..
                    } => {
                        let _ = seen_tx.send(format!("set {mode} {until:?}"));
                        let _ = reply.send(Ok(()));
                    }
                    AgentCommand::ClearOverride { scope, reply } => {
                        let _ = seen_tx.send(format!("clear {scope:?}"));
                        let _ = reply.send(Ok(()));
                    }
                    AgentCommand::ReloadConfig { reply }
                    | AgentCommand::CredentialsChanged { reply } => {
                        let _ = reply.send(Ok(()));
                    }
                }
            }
        });
        let token = ApiToken::generate().unwrap();
        let shutdown = CancellationToken::new();
        let server = serve(
            overtime_agent::service::AgentService::new(
                AgentHandle::new(snapshots, commands, Default::default()),
                std::env::temp_dir().join("overtime-cli-test-no-config.toml"),
            ),
            0,
            true,
            token.clone(),
            shutdown.clone(),
        )
        .await
        .unwrap();
        (server.addr.port(), token, seen, shutdown)
    }

    #[tokio::test]
    async fn the_client_reads_status_and_sets_and_clears_overrides() {
        let (port, token, mut seen, shutdown) = agent().await;
        let client = ApiClient::new(port, Ok(token));
        let snapshot = client.status().await.unwrap();
        assert_eq!(snapshot, empty_snapshot());
        let raw = client.status_json().await.unwrap();
        assert_eq!(
            serde_json::from_str::<AgentSnapshot>(&raw).unwrap(),
            snapshot
        );

        let applied = client
            .set_override(&OverrideRequest {
                mode: "idle".into(),
                for_s: Some(60),
                ..OverrideRequest::default()
            })
            .await
            .unwrap();
        assert_eq!(applied.mode, Mode::Idle);
        assert!(seen.recv().await.unwrap().starts_with("set idle Some("));

        let cleared = client.clear_override(None).await.unwrap();
        assert_eq!(cleared.scope, OverrideScope::AllGpus);
        assert_eq!(seen.recv().await.unwrap(), "clear AllGpus");
        shutdown.cancel();
    }

    #[tokio::test]
    async fn agent_refusals_come_back_as_its_message() {
        let (port, token, _seen, shutdown) = agent().await;
        let client = ApiClient::new(port, Ok(token));
        let err = client
            .clear_override(Some("3"))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("no GPU '3'"), "{err}");

        let wrong = ApiClient::new(port, Ok(ApiToken::generate().unwrap()));
        let err = wrong.status().await.unwrap_err().to_string();
        assert!(err.contains("wrong API token"), "{err}");
        shutdown.cancel();
    }

    #[tokio::test]
    async fn no_agent_running_says_how_to_start_one() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let client = ApiClient::new(port, Ok(ApiToken::generate().unwrap()));
        let err = client.status().await.unwrap_err().to_string();
        assert!(err.contains("no Overtime agent is running"), "{err}");
        assert!(err.contains("overtime daemon"), "{err}");

        // Without a token file, "not running" still wins over "no token".
        let missing = ApiToken::read(std::path::Path::new("/nonexistent/overtime/api-token"));
        let client = ApiClient::new(port, missing);
        let err = client.status().await.unwrap_err().to_string();
        assert!(err.contains("overtime daemon"), "{err}");
        assert!(err.contains("no Overtime agent"), "{err}");
    }

    #[tokio::test]
    async fn a_running_agent_without_a_readable_token_reports_the_token_file() {
        let (port, _token, _seen, shutdown) = agent().await;
        let path = std::path::Path::new("/nonexistent/overtime/api-token");
        let client = ApiClient::new(port, ApiToken::read(path));
        let err = client.status().await.unwrap_err().to_string();
        assert!(err.contains("/nonexistent/overtime/api-token"), "{err}");
        shutdown.cancel();
    }
}
