//! The loopback API end to end: a real server on 127.0.0.1:0 over a hand-made agent, driven by a
//! real HTTP client. Checks the token guard, the JSON contract, what reaches the agent's command
//! queue, error codes, `/metrics`, loopback-only binding and shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_fixture;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use api_fixture::{Seen, UUID_0, UUID_1, fake_agent, snapshot};
use jiff::{SignedDuration, Timestamp};
use overtime_agent::api::wire::{ErrorBody, OverrideApplied, OverrideCleared};
use overtime_agent::api::{ApiError, ApiServer, ApiToken, serve};
use overtime_agent::service::AgentService;
use overtime_agent::snapshot::DecisionRecord;
use overtime_agent::{AgentHandle, AgentSnapshot};
use overtime_core::{Mode, OverrideScope};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

struct Running {
    server: ApiServer,
    base: String,
    token: ApiToken,
    token_file: PathBuf,
    seen: mpsc::UnboundedReceiver<Seen>,
    http: reqwest::Client,
    shutdown: CancellationToken,
    _dir: TempDir,
}

/// A directory removed when the test ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir() -> TempDir {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("overtime-api-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    TempDir(dir)
}

/// The service over the fake agent; its configuration file is never written by these tests.
fn service(handle: AgentHandle) -> AgentService {
    AgentService::new(
        handle,
        std::env::temp_dir().join("overtime-api-test-no-config.toml"),
    )
}

async fn start_with(
    handle: AgentHandle,
    seen: mpsc::UnboundedReceiver<Seen>,
    metrics: bool,
) -> Running {
    let dir = temp_dir();
    let token_file = dir.0.join("state").join("api-token");
    let token = ApiToken::load_or_create(&token_file).unwrap();
    let shutdown = CancellationToken::new();
    let server = serve(service(handle), 0, metrics, token.clone(), shutdown.clone())
        .await
        .unwrap();
    Running {
        base: format!("http://{}", server.addr),
        server,
        token,
        token_file,
        seen,
        http: reqwest::Client::new(),
        shutdown,
        _dir: dir,
    }
}

async fn start(reload_answer: Result<(), overtime_agent::AgentError>) -> Running {
    let (handle, seen) = fake_agent(snapshot(), reload_answer);
    start_with(handle, seen, true).await
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authed(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        builder.bearer_auth(self.token.expose_secret())
    }

    async fn post_override(&self, body: serde_json::Value) -> reqwest::Response {
        self.authed(self.http.post(self.url("/api/v1/override")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn next_seen(&mut self) -> Seen {
        tokio::time::timeout(Duration::from_secs(5), self.seen.recv())
            .await
            .expect("the agent received no command")
            .expect("the fake agent stopped")
    }
}

async fn error_of(response: reqwest::Response) -> (u16, ErrorBody) {
    let status = response.status().as_u16();
    let body: ErrorBody = response.json().await.unwrap();
    (status, body)
}

#[tokio::test]
async fn api_routes_refuse_requests_without_the_right_token_and_say_where_it_is() {
    let api = start(Ok(())).await;
    let routes = [
        (reqwest::Method::GET, "/api/v1/status"),
        (reqwest::Method::GET, "/api/v1/decisions"),
        (reqwest::Method::POST, "/api/v1/override"),
        (reqwest::Method::DELETE, "/api/v1/override"),
        (reqwest::Method::POST, "/api/v1/config/reload"),
        (reqwest::Method::POST, "/api/v1/call"),
    ];
    let wrong = ApiToken::generate().unwrap();
    for (method, path) in routes {
        let bare = api.http.request(method.clone(), api.url(path));
        let wrong_token = api
            .http
            .request(method.clone(), api.url(path))
            .bearer_auth(wrong.expose_secret());
        let basic = api.http.request(method.clone(), api.url(path)).header(
            "Authorization",
            format!("Basic {}", api.token.expose_secret()),
        );
        for request in [bare, wrong_token, basic] {
            let response = request.send().await.unwrap();
            assert_eq!(
                response.headers().get("www-authenticate").unwrap(),
                "Bearer"
            );
            let (status, body) = error_of(response).await;
            assert_eq!(status, 401, "{method} {path}");
            assert_eq!(body.code, "unauthorized");
            assert!(
                body.message.contains(&api.token_file.display().to_string()),
                "{}",
                body.message
            );
        }
    }
    assert!(api.seen.is_empty(), "no command may pass the token guard");
}

#[tokio::test]
async fn status_returns_the_snapshot_as_json_that_round_trips() {
    let api = start(Ok(())).await;
    let response = api
        .authed(api.http.get(api.url("/api/v1/status")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let got: AgentSnapshot = response.json().await.unwrap();
    assert_eq!(got, snapshot());
}

#[tokio::test]
async fn decisions_returns_the_recent_mode_changes() {
    let api = start(Ok(())).await;
    let got: Vec<DecisionRecord> = api
        .authed(api.http.get(api.url("/api/v1/decisions")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, *snapshot().recent_decisions);
}

#[tokio::test]
async fn override_for_a_duration_reaches_the_agent_with_the_gpu_scope_and_end_time() {
    let mut api = start(Ok(())).await;
    let before = Timestamp::now();
    let response = api
        .post_override(json!({"mode": "pause", "gpu": "1", "for_s": 3600}))
        .await;
    let after = Timestamp::now();
    assert_eq!(response.status(), 200);
    let applied: OverrideApplied = response.json().await.unwrap();

    let Seen::Set { mode, scope, until } = api.next_seen().await else {
        panic!("expected SetOverride");
    };
    assert_eq!(mode, Mode::Idle);
    assert_eq!(scope, OverrideScope::Gpu(UUID_1.to_owned()));
    let until = until.unwrap();
    let hour = SignedDuration::from_secs(3600);
    assert!(until >= before + hour && until <= after + hour, "{until}");

    assert!(applied.ok);
    assert_eq!(applied.mode, Mode::Idle);
    assert_eq!(applied.scope, scope);
    assert_eq!(applied.gpu.unwrap().index, 1);
    assert_eq!(applied.until, Some(until));
}

#[tokio::test]
async fn override_accepts_an_rfc3339_end_and_gpus_by_number_or_uuid() {
    let mut api = start(Ok(())).await;
    let until = "2099-01-01T08:00:00+01:00";
    let expected_until: Timestamp = until.parse().unwrap();
    let cases = [
        (
            json!({"mode": "rental", "gpu": 0, "until": until}),
            Some(UUID_0),
        ),
        (
            json!({"mode": "Volunteer", "gpu": UUID_1.to_lowercase(), "until": until}),
            Some(UUID_1),
        ),
        (json!({"mode": "idle", "until": until}), None),
    ];
    for (body, uuid) in cases {
        let response = api.post_override(body.clone()).await;
        assert_eq!(response.status(), 200, "{body}");
        let Seen::Set { scope, until, .. } = api.next_seen().await else {
            panic!("expected SetOverride");
        };
        let expected_scope =
            uuid.map_or(OverrideScope::AllGpus, |u| OverrideScope::Gpu(u.to_owned()));
        assert_eq!(scope, expected_scope, "{body}");
        assert_eq!(until, Some(expected_until));
    }
}

#[tokio::test]
async fn override_without_an_end_lasts_until_cleared() {
    let mut api = start(Ok(())).await;
    let response = api.post_override(json!({"mode": "volunteer"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        api.next_seen().await,
        Seen::Set {
            mode: Mode::Volunteer,
            scope: OverrideScope::AllGpus,
            until: None
        }
    );
}

#[tokio::test]
async fn bad_override_requests_are_refused_with_a_code_and_never_reach_the_agent() {
    let api = start(Ok(())).await;
    let cases = [
        (json!({"mode": "turbo"}), 400, "bad_mode", "turbo"),
        (
            json!({"mode": "idle", "until": "2099-01-01T08:00:00Z", "for_s": 60}),
            400,
            "conflicting_expiry",
            "not both",
        ),
        (
            json!({"mode": "idle", "for_s": 0}),
            400,
            "bad_for_s",
            "30 days",
        ),
        (
            json!({"mode": "idle", "for_s": 31 * 24 * 3600}),
            400,
            "bad_for_s",
            "30 days",
        ),
        (
            json!({"mode": "idle", "until": "2000-01-01T00:00:00Z"}),
            400,
            "bad_until",
            "past",
        ),
        (
            json!({"mode": "idle", "until": "tonight"}),
            400,
            "bad_until",
            "RFC 3339",
        ),
        (json!({"mode": "idle", "gpu": 7}), 404, "unknown_gpu", "'7'"),
        (
            json!({"mode": "idle", "gpu": "GPU-nope"}),
            404,
            "unknown_gpu",
            "GPU-nope",
        ),
        (json!({"mode": "idle", "gpus": 1}), 400, "bad_body", "gpus"),
        (json!(["idle"]), 400, "bad_body", "not an object"),
    ];
    for (body, status, code, needle) in cases {
        let (got_status, error) = error_of(api.post_override(body.clone()).await).await;
        assert_eq!((got_status, error.code.as_str()), (status, code), "{body}");
        assert!(error.message.contains(needle), "{body}: {}", error.message);
    }
    // The unknown-GPU message lists the GPUs that exist.
    let (_, error) = error_of(api.post_override(json!({"mode": "idle", "gpu": 7})).await).await;
    assert!(error.message.contains(UUID_0), "{}", error.message);
    assert!(api.seen.is_empty());
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let api = start(Ok(())).await;
    let huge = format!(r#"{{"mode": "idle", "pad": "{}"}}"#, "x".repeat(20 * 1024));
    let response = api
        .authed(api.http.post(api.url("/api/v1/override")))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!((status, error.code.as_str()), (413, "body_too_large"));
}

#[tokio::test]
async fn delete_override_returns_one_gpu_or_all_to_automatic() {
    let mut api = start(Ok(())).await;
    let response = api
        .authed(api.http.delete(api.url("/api/v1/override?gpu=0")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cleared: OverrideCleared = response.json().await.unwrap();
    assert_eq!(cleared.scope, OverrideScope::Gpu(UUID_0.to_owned()));
    assert_eq!(
        api.next_seen().await,
        Seen::Clear {
            scope: OverrideScope::Gpu(UUID_0.to_owned())
        }
    );

    let response = api
        .authed(api.http.delete(api.url("/api/v1/override")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        api.next_seen().await,
        Seen::Clear {
            scope: OverrideScope::AllGpus
        }
    );

    let response = api
        .authed(api.http.delete(api.url("/api/v1/override?gpu=9")))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!((status, error.code.as_str()), (404, "unknown_gpu"));
}

#[tokio::test]
async fn config_reload_passes_the_validation_error_back_as_422() {
    let message = "config.toml line 4: schedule.windows[0].start '25:00' is not a time";
    let mut api = start(Err(overtime_agent::AgentError::InvalidConfigFile {
        message: message.to_owned(),
        fields: Vec::new(),
    }))
    .await;
    let response = api
        .authed(api.http.post(api.url("/api/v1/config/reload")))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(api.next_seen().await, Seen::Reload);
    assert_eq!((status, error.code.as_str()), (422, "config_invalid"));
    assert_eq!(error.message, message);

    let mut ok = start(Ok(())).await;
    let response = ok
        .authed(ok.http.post(ok.url("/api/v1/config/reload")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(ok.next_seen().await, Seen::Reload);
}

#[tokio::test]
async fn commands_to_a_stopped_agent_answer_503() {
    let (snapshot_tx, snapshots) = tokio::sync::watch::channel(Arc::new(snapshot()));
    let (commands, inbox) = mpsc::channel(1);
    drop(inbox);
    let handle = AgentHandle::new(snapshots, commands, Default::default());
    let (_seen_tx, seen) = mpsc::unbounded_channel();
    let api = start_with(handle, seen, true).await;
    let (status, error) = error_of(api.post_override(json!({"mode": "idle"})).await).await;
    assert_eq!((status, error.code.as_str()), (503, "agent_stopped"));
    drop(snapshot_tx);
}

#[tokio::test]
async fn metrics_and_healthz_need_no_token() {
    let api = start(Ok(())).await;
    let response = api.http.get(api.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    let parsed = openmetrics_parser::prometheus::parse_prometheus(&text).unwrap();
    assert!(
        parsed
            .families
            .contains_key("overtime_gpu_temperature_celsius")
    );

    let response = api.http.get(api.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn metrics_answer_404_with_a_hint_when_turned_off() {
    let (handle, seen) = fake_agent(snapshot(), Ok(()));
    let api = start_with(handle, seen, false).await;
    let (status, error) = error_of(api.http.get(api.url("/metrics")).send().await.unwrap()).await;
    assert_eq!((status, error.code.as_str()), (404, "metrics_disabled"));
    assert!(error.message.contains("api.metrics"));
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json_errors() {
    let api = start(Ok(())).await;
    let (status, error) = error_of(api.http.get(api.url("/nope")).send().await.unwrap()).await;
    assert_eq!((status, error.code.as_str()), (404, "not_found"));
    let (status, error) = error_of(api.http.post(api.url("/healthz")).send().await.unwrap()).await;
    assert_eq!((status, error.code.as_str()), (405, "method_not_allowed"));
}

#[tokio::test]
async fn requests_addressed_to_a_foreign_host_are_refused() {
    // What a DNS-rebinding web page would send: its own domain as the Host.
    let api = start(Ok(())).await;
    let response = api
        .http
        .get(api.url("/metrics"))
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!((status, error.code.as_str()), (403, "forbidden_host"));
    let response = api
        .http
        .get(api.url("/healthz"))
        .header("host", format!("localhost:{}", api.server.addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_server_listens_on_loopback_only() {
    let api = start(Ok(())).await;
    assert_eq!(
        api.server.addr.ip(),
        std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
    );
    // Find this machine's address on its default route, if it has one, and make sure the API
    // is not reachable there.
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    if probe.connect("192.0.2.1:9").is_ok() {
        let ip = probe.local_addr().unwrap().ip();
        if !ip.is_loopback() && !ip.is_unspecified() {
            let outside = std::net::SocketAddr::new(ip, api.server.addr.port());
            let connected = tokio::time::timeout(
                Duration::from_secs(2),
                tokio::net::TcpStream::connect(outside),
            )
            .await;
            assert!(
                !matches!(connected, Ok(Ok(_))),
                "the API answered on {outside}"
            );
        }
    }
}

#[tokio::test]
async fn a_port_in_use_is_reported_with_what_to_do() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let (handle, _seen) = fake_agent(snapshot(), Ok(()));
    let err = serve(
        service(handle),
        port,
        true,
        ApiToken::generate().unwrap(),
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ApiError::PortInUse { port: p } if p == port));
    let message = err.to_string();
    assert!(message.contains(&port.to_string()), "{message}");
    assert!(message.contains("another Overtime"), "{message}");
    assert!(message.contains("api.port"), "{message}");
}

#[tokio::test]
async fn cancelling_the_shutdown_token_stops_the_server() {
    let api = start(Ok(())).await;
    let addr = api.server.addr;
    // A kept-alive connection must not hold the shutdown up.
    let response = api.http.get(api.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    api.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), api.server.task)
        .await
        .expect("the server did not stop within 5 s")
        .unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn the_token_file_is_private_and_reused_across_restarts() {
    let api = start(Ok(())).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&api.token_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second agent start over the same state directory reuses the token.
    let again = ApiToken::load_or_create(&api.token_file).unwrap();
    assert_eq!(again.expose_secret(), api.token.expose_secret());
    let (handle, _seen) = fake_agent(snapshot(), Ok(()));
    let shutdown = CancellationToken::new();
    let second = serve(service(handle), 0, true, again, shutdown.clone())
        .await
        .unwrap();
    let response = api
        .http
        .get(format!("http://{}/api/v1/status", second.addr))
        .bearer_auth(api.token.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    shutdown.cancel();
}

impl Running {
    async fn call(&self, body: serde_json::Value) -> reqwest::Response {
        self.authed(self.http.post(self.url("/api/v1/call")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn the_service_route_answers_the_same_requests_the_window_sends() {
    let mut api = start(Ok(())).await;

    let response = api.call(json!({"method": "status"})).await;
    assert_eq!(response.status(), 200);
    let status: AgentSnapshot = response.json().await.unwrap();
    assert_eq!(status, snapshot());

    let response = api
        .call(json!({"method": "set_mode", "params": {"mode": "volunteer", "gpu": UUID_0, "until": "2099-01-01T00:00:00Z"}}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!(null)
    );
    assert_eq!(
        api.next_seen().await,
        Seen::Set {
            mode: Mode::Volunteer,
            scope: OverrideScope::Gpu(UUID_0.to_owned()),
            until: Some("2099-01-01T00:00:00Z".parse().unwrap()),
        }
    );

    let response = api
        .call(json!({"method": "resume_auto", "params": {}}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        api.next_seen().await,
        Seen::Clear {
            scope: OverrideScope::AllGpus
        }
    );
}

#[tokio::test]
async fn the_service_route_refuses_with_the_services_code_and_fields() {
    let mut api = start(Ok(())).await;

    // An end already past never reaches the agent.
    let response = api
        .call(json!({"method": "set_mode", "params": {"mode": "idle", "gpu": null, "until": "2001-01-01T00:00:00Z"}}))
        .await;
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rejected");
    assert!(
        body["message"].as_str().unwrap().contains("already passed"),
        "{body}"
    );

    // Settings are validated as in the window: the field, and what to do.
    let response = api
        .call(json!({"method": "save_api", "params": {"form": {"enabled": true, "port": "80", "metrics": true}}}))
        .await;
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_settings");
    assert_eq!(body["fields"][0]["field"], "api.port");
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1024"),
        "{body}"
    );

    // Not a request of the service at all.
    let response = api.call(json!({"method": "format_disk"})).await;
    let (status, body) = error_of(response).await;
    assert_eq!(status, 400);
    assert_eq!(body.code, "bad_request");
    assert!(body.message.contains("method"), "{}", body.message);
    assert!(
        tokio::time::timeout(Duration::from_millis(100), api.seen.recv())
            .await
            .is_err(),
        "a refused request reached the agent"
    );
}
