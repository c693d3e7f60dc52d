//! The API host follows `[api]` as the agent adopts it: a new port, turning it off and on, and
//! `/metrics`, each applied without restarting anything, and a failed start retried on the next
//! save. Real servers on loopback, a real HTTP client; the agent is a handle whose configuration
//! channel the test drives, as the supervisor's reload does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_fixture;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use api_fixture::snapshot;
use overtime_agent::AgentHandle;
use overtime_agent::api::{ApiHost, ApiStatus};
use overtime_agent::service::AgentService;
use overtime_core::config::{ApiConfig, Config};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

struct Rig {
    host: ApiHost,
    config: watch::Sender<Arc<Config>>,
    shutdown: CancellationToken,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    // Kept so the handle's channels stay open, as a running agent's do.
    _snapshots: watch::Sender<Arc<overtime_agent::AgentSnapshot>>,
    _commands: mpsc::Receiver<overtime_agent::handle::AgentCommand>,
}

fn config_with(api: ApiConfig) -> Arc<Config> {
    Arc::new(Config {
        api,
        ..Config::default()
    })
}

/// A port that was free a moment ago (the API's settings do not accept 0).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn rig(api: ApiConfig) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let (snapshots_tx, snapshots) = watch::channel(Arc::new(snapshot()));
    let (commands_tx, commands) = mpsc::channel(8);
    let (config_tx, config) = watch::channel(config_with(api));
    let handle = AgentHandle {
        snapshots,
        commands: commands_tx,
        config,
    };
    let shutdown = CancellationToken::new();
    let host = ApiHost::start(
        AgentService::new(handle, dir.path().join("overtime.toml")),
        dir.path().join("state").join("api-token"),
        shutdown.clone(),
    )
    .await;
    Rig {
        host,
        config: config_tx,
        shutdown,
        http: reqwest::Client::new(),
        _dir: dir,
        _snapshots: snapshots_tx,
        _commands: commands,
    }
}

impl Rig {
    /// Adopts `api` as the agent does after a save, and waits for the host to act on it.
    async fn adopt(&self, api: ApiConfig) -> ApiStatus {
        let mut status = self.host.subscribe();
        status.borrow_and_update();
        self.config.send_replace(config_with(api));
        tokio::time::timeout(Duration::from_secs(10), status.changed())
            .await
            .expect("the API host did not act on the new settings within 10 s")
            .unwrap();
        self.host.status()
    }

    async fn metrics_status(&self, addr: SocketAddr) -> Option<u16> {
        let response = self
            .http
            .get(format!("http://{addr}/metrics"))
            .send()
            .await
            .ok()?;
        Some(response.status().as_u16())
    }
}

fn listening(status: &ApiStatus) -> SocketAddr {
    match status {
        ApiStatus::Listening { addr, .. } => *addr,
        other => panic!("the API should listen, but is {other:?}"),
    }
}

fn api(enabled: bool, port: u16, metrics: bool) -> ApiConfig {
    ApiConfig {
        enabled,
        port,
        metrics,
    }
}

#[tokio::test]
async fn a_new_port_is_taken_at_once_and_the_old_one_is_released() {
    let first = free_port();
    let rig = rig(api(true, first, true)).await;
    let addr = listening(&rig.host.status());
    assert_eq!(addr.port(), first);
    assert_eq!(rig.metrics_status(addr).await, Some(200));

    let second = free_port();
    let moved = listening(&rig.adopt(api(true, second, true)).await);
    assert_eq!(moved.port(), second);
    assert_eq!(rig.metrics_status(moved).await, Some(200));
    assert_eq!(
        rig.metrics_status(addr).await,
        None,
        "the old port still answers"
    );
}

#[tokio::test]
async fn turning_the_api_off_and_on_again_applies_without_a_restart() {
    let port = free_port();
    let rig = rig(api(true, port, true)).await;
    let addr = listening(&rig.host.status());

    assert_eq!(rig.adopt(api(false, port, true)).await, ApiStatus::Disabled);
    assert_eq!(rig.metrics_status(addr).await, None);

    let back = listening(&rig.adopt(api(true, port, true)).await);
    assert_eq!(back, addr, "the same port is bound again");
    assert_eq!(rig.metrics_status(back).await, Some(200));
}

#[tokio::test]
async fn metrics_follow_their_switch() {
    let port = free_port();
    let rig = rig(api(true, port, false)).await;
    let addr = listening(&rig.host.status());
    assert_eq!(rig.metrics_status(addr).await, Some(404));

    let status = rig.adopt(api(true, port, true)).await;
    assert!(matches!(status, ApiStatus::Listening { metrics: true, .. }));
    assert_eq!(rig.metrics_status(addr).await, Some(200));
}

#[tokio::test]
async fn settings_saved_without_an_api_change_leave_the_server_alone() {
    let port = free_port();
    let rig = rig(api(true, port, true)).await;
    let mut status = rig.host.subscribe();
    status.borrow_and_update();
    let mut other = Config {
        api: api(true, port, true),
        ..Config::default()
    };
    other.thermal.limits.soft_limit_c = 70.0;
    rig.config.send_replace(Arc::new(other));
    // Give the host time to (wrongly) restart; a restart would publish a new status.
    let changed = tokio::time::timeout(Duration::from_millis(300), status.changed()).await;
    assert!(changed.is_err(), "the server was restarted for nothing");
}

#[tokio::test]
async fn a_port_in_use_is_reported_and_retried_on_the_next_save() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let rig = rig(api(true, port, true)).await;
    match rig.host.status() {
        ApiStatus::Failed { error } => {
            assert!(error.contains(&port.to_string()), "{error}");
            assert!(error.contains("api.port"), "{error}");
        }
        other => panic!("expected a failed start, got {other:?}"),
    }

    // The user frees the port and saves again (the same [api]): the host tries once more.
    drop(taken);
    let addr = listening(&rig.adopt(api(true, port, true)).await);
    assert_eq!(addr.port(), port);
}

#[tokio::test]
async fn shutting_down_stops_the_server_and_says_so() {
    let port = free_port();
    let rig = rig(api(true, port, true)).await;
    let addr = listening(&rig.host.status());
    let status = rig.host.subscribe();
    rig.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), rig.host.stopped())
        .await
        .expect("the API host did not stop within 10 s");
    assert_eq!(*status.borrow(), ApiStatus::Stopped);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
