//! The API's routes and their guards: token check, Host check, body limit, JSON errors.
//!
//! Handlers ask the agent's one [`AgentService`], as the window and the tray do, so an override
//! set here is the same request as one set from the dashboard; the agent stays the one owner of
//! state. Every failure is a JSON [`ErrorBody`] with a fitting status.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp};
use overtime_core::{GpuId, Mode, OverrideScope};
use serde::Deserialize;

use super::token::ApiToken;
use super::wire::{
    ErrorBody, GpuSelector, MAX_OVERRIDE_S, OverrideApplied, OverrideCleared, OverrideRequest,
};
use crate::error::{AgentError, ErrorCode};
use crate::metrics;
use crate::service::{AgentRequest, AgentResponse, AgentService};
use crate::snapshot::AgentSnapshot;

/// The largest request body accepted; real ones are under 200 bytes.
const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long a handler waits for the agent to answer a command.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

struct ApiState {
    service: AgentService,
    token: ApiToken,
    metrics_enabled: bool,
}

/// The whole API as one router, ready for `axum::serve`.
pub(super) fn router(service: AgentService, token: ApiToken, metrics_enabled: bool) -> Router {
    let state = Arc::new(ApiState {
        service,
        token,
        metrics_enabled,
    });
    let authed = Router::new()
        .route("/api/v1/status", get(status))
        .route(
            "/api/v1/override",
            post(set_override).delete(clear_override),
        )
        .route("/api/v1/decisions", get(decisions))
        .route("/api/v1/config/reload", post(reload_config))
        .route("/api/v1/call", post(call))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .merge(authed)
        .route("/metrics", get(prometheus))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(require_loopback_host))
        .with_state(state)
}

/// An error response: status, stable code, sentence.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Failure {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(code: &'static str, message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_owned(),
            message: self.message,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<BytesRejection> for Failure {
    fn from(rejection: BytesRejection) -> Failure {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::new(
                status,
                "body_too_large",
                format!("the request body is over the {MAX_BODY_BYTES}-byte limit"),
            )
        } else {
            Failure::new(status, "bad_body", rejection.body_text())
        }
    }
}

/// Rejects requests whose `Host` is not loopback: a web page that rebinds its own domain to
/// 127.0.0.1 still sends its domain as the Host, so it cannot read even the open routes.
async fn require_loopback_host(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    match host {
        Some(host) if !is_loopback_host(&host) => Failure::new(
            StatusCode::FORBIDDEN,
            "forbidden_host",
            format!(
                "this API answers only requests addressed to 127.0.0.1 or localhost, not '{host}'"
            ),
        )
        .into_response(),
        _ => next.run(request).await,
    }
}

fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "::1"
}

async fn require_token(
    State(state): State<Arc<ApiState>>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| {
            let (scheme, rest) = h.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    match presented {
        Some(token) if state.token.matches(token) => next.run(request).await,
        _ => {
            let location = state.token.file().map_or_else(
                || "the token the agent was started with".to_owned(),
                |f| format!("the token in {}", f.display()),
            );
            let mut response = Failure::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                format!(
                    "missing or wrong API token: send `Authorization: Bearer <token>` with \
                     {location} (readable only by the user the agent runs as)"
                ),
            )
            .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            response
        }
    }
}

async fn status(State(state): State<Arc<ApiState>>) -> Result<Response, Failure> {
    let answer = run_command(state.service.call(AgentRequest::Status), "status_failed").await?;
    Ok(axum::Json(answer).into_response())
}

async fn decisions(State(state): State<Arc<ApiState>>) -> Response {
    axum::Json(state.service.handle().snapshot().recent_decisions.clone()).into_response()
}

/// Any request of the agent's service, as `{"method": …, "params": …}` — the same requests the
/// window sends — answered with the service's answer, or its error with code and fields.
async fn call(
    State(state): State<Arc<ApiState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Response> {
    let body = body.map_err(|r| Failure::from(r).into_response())?;
    let request: AgentRequest = serde_json::from_slice(&body).map_err(|e| {
        Failure::bad_request(
            "bad_request",
            format!(
                "the body is not a request of the agent's service ({e}); send \
                 {{\"method\": \"status\"}} or, with parameters, {{\"method\": \"set_mode\", \
                 \"params\": {{\"mode\": \"idle\", \"gpu\": null}}}}; the methods are the \
                 AgentRequest type in the generated bindings"
            ),
        )
        .into_response()
    })?;
    let method = request.method();
    match tokio::time::timeout(COMMAND_TIMEOUT, state.service.call(request)).await {
        Ok(Ok(answer)) => Ok(axum::Json(answer).into_response()),
        Ok(Err(e)) => {
            tracing::debug!(method, error = %e, "service request through the API refused");
            Err((status_of(&e), axum::Json(e)).into_response())
        }
        Err(_) => Err(timed_out().into_response()),
    }
}

/// The HTTP status for a refused service request.
fn status_of(e: &AgentError) -> StatusCode {
    match e.code() {
        ErrorCode::AgentUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Rejected | ErrorCode::InvalidSettings => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::ConfigFile | ErrorCode::Ledger | ErrorCode::Export => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

async fn set_override(
    State(state): State<Arc<ApiState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<OverrideApplied>, Failure> {
    let body = body?;
    let request = parse_override(&body).map_err(|e| {
        Failure::bad_request(
            "bad_body",
            format!(
                "the request body is not a valid override ({e}); expected a JSON object like \
                 {{\"mode\": \"idle\", \"gpu\": 0, \"for_s\": 3600}}"
            ),
        )
    })?;
    let mode: Mode = request
        .mode
        .parse()
        .map_err(|e: String| Failure::bad_request("bad_mode", e))?;
    let until = expiry(request.until.as_deref(), request.for_s, Timestamp::now())?;
    let snapshot = state.service.handle().snapshot();
    let gpu = request
        .gpu
        .as_ref()
        .map(|g| resolve_gpu(&snapshot, g))
        .transpose()?;
    let scope = scope_of(gpu.as_ref());
    run_command(
        state.service.call(AgentRequest::SetMode {
            mode,
            gpu: gpu.as_ref().map(|g| g.uuid.clone()),
            until,
        }),
        "override_rejected",
    )
    .await?;
    tracing::info!(mode = %mode, ?scope, ?until, "override set through the API");
    Ok(axum::Json(OverrideApplied {
        ok: true,
        mode,
        scope,
        gpu,
        until,
    }))
}

/// Only a JSON object is an override (serde would also take a bare array of field values).
fn parse_override(body: &[u8]) -> Result<OverrideRequest, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if !value.is_object() {
        return Err("not an object".to_owned());
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

#[derive(Debug, Deserialize)]
struct ClearQuery {
    gpu: Option<String>,
}

async fn clear_override(
    State(state): State<Arc<ApiState>>,
    query: Result<Query<ClearQuery>, QueryRejection>,
) -> Result<axum::Json<OverrideCleared>, Failure> {
    let Query(query) = query.map_err(|e| Failure::bad_request("bad_query", e.body_text()))?;
    let snapshot = state.service.handle().snapshot();
    let gpu = query
        .gpu
        .map(|g| resolve_gpu(&snapshot, &GpuSelector::Text(g)))
        .transpose()?;
    let scope = scope_of(gpu.as_ref());
    run_command(
        state.service.call(AgentRequest::ResumeAuto {
            gpu: gpu.as_ref().map(|g| g.uuid.clone()),
        }),
        "override_rejected",
    )
    .await?;
    tracing::info!(?scope, "override cleared through the API");
    Ok(axum::Json(OverrideCleared {
        ok: true,
        scope,
        gpu,
    }))
}

async fn reload_config(State(state): State<Arc<ApiState>>) -> Result<Response, Failure> {
    run_command(
        state.service.call(AgentRequest::ReloadConfig),
        "config_invalid",
    )
    .await?;
    Ok(axum::Json(serde_json::json!({ "ok": true })).into_response())
}

async fn prometheus(State(state): State<Arc<ApiState>>) -> Response {
    if !state.metrics_enabled {
        return Failure::new(
            StatusCode::NOT_FOUND,
            "metrics_disabled",
            "metrics are turned off: set `api.metrics = true` in the config file to serve /metrics",
        )
        .into_response();
    }
    let body = metrics::render(&state.service.handle().snapshot());
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], body).into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn not_found(method: Method, uri: Uri) -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no such endpoint: {method} {}. The API serves /api/v1/status, /api/v1/override, \
             /api/v1/decisions, /api/v1/config/reload, /api/v1/call, /metrics and /healthz",
            uri.path()
        ),
    )
}

async fn method_not_allowed(method: Method, uri: Uri, _headers: HeaderMap) -> Failure {
    Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not accept {method}", uri.path()),
    )
}

/// Sends a command and maps the agent's answer: refused → 422 with `refused_code`, agent gone →
/// 503, no answer in time → 504.
async fn run_command(
    command: impl Future<Output = Result<AgentResponse, AgentError>>,
    refused_code: &'static str,
) -> Result<AgentResponse, Failure> {
    match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(e)) if e.is_unavailable() => Err(Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "agent_stopped",
            e.to_string(),
        )),
        Ok(Err(e)) => Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            refused_code,
            e.to_string(),
        )),
        Err(_) => Err(timed_out()),
    }
}

fn timed_out() -> Failure {
    Failure::new(
        StatusCode::GATEWAY_TIMEOUT,
        "agent_timeout",
        format!(
            "the agent did not answer within {} s; it may be stuck, check its log",
            COMMAND_TIMEOUT.as_secs()
        ),
    )
}

/// The end of an override from `until` (RFC 3339) or `for_s` (seconds from `now`).
fn expiry(
    until: Option<&str>,
    for_s: Option<u64>,
    now: Timestamp,
) -> Result<Option<Timestamp>, Failure> {
    match (until, for_s) {
        (Some(_), Some(_)) => Err(Failure::bad_request(
            "conflicting_expiry",
            "give either `until` or `for_s`, not both",
        )),
        (Some(text), None) => {
            let at: Timestamp = text.parse().map_err(|e| {
                Failure::bad_request(
                    "bad_until",
                    format!(
                        "`until` must be an RFC 3339 time with an offset, like \
                         2026-11-24T23:00:00+01:00 ({e})"
                    ),
                )
            })?;
            if at <= now {
                return Err(Failure::bad_request(
                    "bad_until",
                    format!("`until` ({at}) is in the past; give a time that is still ahead"),
                ));
            }
            Ok(Some(at))
        }
        (None, Some(secs)) => {
            if !(1..=MAX_OVERRIDE_S).contains(&secs) {
                return Err(Failure::bad_request(
                    "bad_for_s",
                    format!(
                        "`for_s` must be between 1 and {MAX_OVERRIDE_S} seconds (30 days), \
                         not {secs}"
                    ),
                ));
            }
            // In range, so the cast cannot wrap; checked_add guards the far future.
            let at = now
                .checked_add(SignedDuration::from_secs(secs as i64))
                .map_err(|e| Failure::bad_request("bad_for_s", e.to_string()))?;
            Ok(Some(at))
        }
        (None, None) => Ok(None),
    }
}

/// The GPU `selector` names: an index (number or digits) or a UUID (any letter case).
fn resolve_gpu(snapshot: &AgentSnapshot, selector: &GpuSelector) -> Result<GpuId, Failure> {
    let wanted = match selector {
        GpuSelector::Index(i) => Some(*i),
        GpuSelector::Text(t) => t.trim().parse::<u32>().ok(),
    };
    let found = snapshot.gpus.iter().find(|g| match (wanted, selector) {
        (Some(index), _) => g.gpu.index == index,
        (None, GpuSelector::Text(t)) => g.gpu.uuid.eq_ignore_ascii_case(t.trim()),
        (None, GpuSelector::Index(_)) => false,
    });
    found.map(|g| g.gpu.clone()).ok_or_else(|| {
        let known: Vec<String> = snapshot
            .gpus
            .iter()
            .map(|g| format!("{} ({}, {})", g.gpu.index, g.gpu.name, g.gpu.uuid))
            .collect();
        let known = if known.is_empty() {
            "this machine has no GPUs the agent can see".to_owned()
        } else {
            format!("the GPUs are {}", known.join("; "))
        };
        Failure::new(
            StatusCode::NOT_FOUND,
            "unknown_gpu",
            format!("no GPU '{selector}': {known}"),
        )
    })
}

fn scope_of(gpu: Option<&GpuId>) -> OverrideScope {
    gpu.map_or(OverrideScope::AllGpus, |g| {
        OverrideScope::Gpu(g.uuid.clone())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised_with_and_without_ports() {
        let cases = [
            ("127.0.0.1:47615", true),
            ("127.0.0.1", true),
            ("localhost:8080", true),
            ("LOCALHOST", true),
            ("[::1]:47615", true),
            ("[::1]", true),
            ("evil.example:47615", false),
            ("127.0.0.1.evil.example", false),
            ("localhost.evil.example:80", false),
            ("192.168.1.10:47615", false),
        ];
        for (host, expected) in cases {
            assert_eq!(is_loopback_host(host), expected, "{host}");
        }
    }

    #[test]
    fn for_s_becomes_an_instant_that_many_seconds_ahead() {
        let now: Timestamp = "2026-11-24T20:00:00Z".parse().unwrap();
        let until = expiry(None, Some(5400), now).unwrap().unwrap();
        assert_eq!(until.to_string(), "2026-11-24T21:30:00Z");
    }

    #[test]
    fn expiry_bounds_are_enforced() {
        let now: Timestamp = "2026-11-24T20:00:00Z".parse().unwrap();
        let cases: [(Option<&str>, Option<u64>, Option<&str>); 7] = [
            (None, None, None),
            (None, Some(0), Some("bad_for_s")),
            (None, Some(MAX_OVERRIDE_S), None),
            (None, Some(MAX_OVERRIDE_S + 1), Some("bad_for_s")),
            (Some("2026-11-24T19:00:00Z"), None, Some("bad_until")),
            (Some("tomorrow"), None, Some("bad_until")),
            (
                Some("2026-11-24T23:00:00+01:00"),
                Some(60),
                Some("conflicting_expiry"),
            ),
        ];
        for (until, for_s, expected) in cases {
            let got = expiry(until, for_s, now).err().map(|f| f.code);
            assert_eq!(got, expected, "until={until:?} for_s={for_s:?}");
        }
    }
}
