//! A fake Vast.ai host API on a loopback port, following the documented shapes: it checks the
//! Bearer key, keeps the machine's listing, simulates renters' contracts, and can be told to
//! misbehave (rate limits, server errors, silence, garbage) for the next requests.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

/// The key the fake accepts. Long and odd so a leak is unmistakable in an assertion.
pub const KEY: &str = "vk-TEST-3f9a1c77e0-secret";

/// One misbehaviour, used up by the next request that passes the key check.
#[derive(Debug, Clone)]
pub enum Fault {
    RateLimited {
        retry_after_s: Option<u64>,
    },
    ServerError,
    /// 500 whose body quotes the Authorization header it received (a careless server).
    EchoAuthorization,
    /// Accept the request and never answer.
    Hang,
    /// 200 with a body that is not JSON.
    MalformedBody,
    /// 200 with JSON lacking the fields clients rely on.
    MissingFields,
    /// 404 as for a machine that is not (or no longer) the account's.
    UnknownMachine,
}

#[derive(Debug, Clone)]
pub struct Rental {
    pub end_s: i64,
    pub running: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FakeMachine {
    pub listed: bool,
    pub price_gpu: Option<serde_json::Number>,
    pub price_min_bid: Option<serde_json::Number>,
    pub end_date: Option<i64>,
    pub min_chunk: Option<u64>,
    pub rentals: Vec<Rental>,
    pub num_gpus: u32,
}

/// A request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    /// Path and query, as sent.
    pub uri: String,
    pub authorization: Option<String>,
    pub body: Option<serde_json::Value>,
}

#[derive(Default)]
struct Inner {
    machines: BTreeMap<u64, FakeMachine>,
    faults: VecDeque<Fault>,
    seen: Vec<Seen>,
    /// (day number, gpu earnings) as raw JSON number text.
    per_day: Vec<(String, String)>,
    /// Whether machine listings include `listed_gpu_cost`.
    hide_price: bool,
}

#[derive(Clone)]
pub struct FakeVast {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeVast {
    /// Start a fake holding one unlisted machine with `num_gpus` GPUs.
    pub async fn start(machine_id: u64, num_gpus: u32) -> FakeVast {
        let inner = Arc::new(Mutex::new(Inner::default()));
        inner.lock().unwrap().machines.insert(
            machine_id,
            FakeMachine {
                num_gpus,
                ..FakeMachine::default()
            },
        );
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api/v0", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeVast { url, inner }
    }

    pub fn push_fault(&self, fault: Fault) {
        self.inner.lock().unwrap().faults.push_back(fault);
    }

    /// A renter takes the machine until `end`.
    pub fn rent(&self, machine_id: u64, end: Timestamp) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .machines
            .get_mut(&machine_id)
            .unwrap()
            .rentals
            .push(Rental {
                end_s: end.as_second(),
                running: true,
            });
    }

    /// Change the live listing behind the client's back (the user in the web console).
    pub fn set_listing(&self, machine_id: u64, listed: bool, price: &str, end: Option<Timestamp>) {
        let mut inner = self.inner.lock().unwrap();
        let m = inner.machines.get_mut(&machine_id).unwrap();
        m.listed = listed;
        m.price_gpu = Some(serde_json::from_str(price).unwrap());
        m.end_date = end.map(|t| t.as_second());
    }

    pub fn hide_price(&self) {
        self.inner.lock().unwrap().hide_price = true;
    }

    pub fn set_earnings(&self, per_day: &[(&str, &str)]) {
        self.inner.lock().unwrap().per_day = per_day
            .iter()
            .map(|(d, g)| (d.to_string(), g.to_string()))
            .collect();
    }

    pub fn machine(&self, machine_id: u64) -> FakeMachine {
        self.inner.lock().unwrap().machines[&machine_id].clone()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.inner.lock().unwrap().seen.clone()
    }

    /// How many requests had this method and a path starting with `prefix` (after `/api/v0`).
    pub fn count(&self, method: Method, prefix: &str) -> usize {
        let full = format!("/api/v0{prefix}");
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.uri.starts_with(&full))
            .count()
    }

    pub fn last_listing_body(&self) -> serde_json::Value {
        self.seen()
            .iter()
            .rev()
            .find(|s| s.method == Method::PUT)
            .and_then(|s| s.body.clone())
            .expect("no listing request seen")
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [("content-type", "application/json")], body).into_response()
}

fn now_s() -> i64 {
    Timestamp::now().as_second()
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body_json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let fault = {
        let mut inner = inner.lock().unwrap();
        inner.seen.push(Seen {
            method: method.clone(),
            uri: uri.to_string(),
            authorization: authorization.clone(),
            body: body_json.clone(),
        });
        if authorization.as_deref() != Some(&format!("Bearer {KEY}")) {
            return json(
                StatusCode::UNAUTHORIZED,
                r#"{"success": false, "error": "auth_error", "msg": "Invalid user key"}"#.into(),
            );
        }
        inner.faults.pop_front()
    };
    match fault {
        Some(Fault::RateLimited { retry_after_s }) => {
            let mut response = json(
                StatusCode::TOO_MANY_REQUESTS,
                r#"{"detail": "API requests too frequent endpoint threshold=2.0"}"#.into(),
            );
            if let Some(s) = retry_after_s {
                response
                    .headers_mut()
                    .insert("retry-after", s.to_string().parse().unwrap());
            }
            return response;
        }
        Some(Fault::ServerError) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        }
        Some(Fault::EchoAuthorization) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("crash while handling {}", authorization.unwrap_or_default()),
            )
                .into_response();
        }
        Some(Fault::Hang) => {
            return std::future::pending::<Response>().await;
        }
        Some(Fault::MalformedBody) => {
            return json(StatusCode::OK, "<html>maintenance</html>".into());
        }
        Some(Fault::MissingFields) => {
            return json(
                StatusCode::OK,
                r#"{"machines": [{"id": 4242}, {"id": 7}], "per_day": [{"day": 1}]}"#.into(),
            );
        }
        Some(Fault::UnknownMachine) => return not_found(),
        None => {}
    }

    let path = uri.path().trim_start_matches("/api/v0");
    let query: BTreeMap<String, String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let mut inner = inner.lock().unwrap();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (Method::GET, ["machines"]) => {
            let hide_price = inner.hide_price;
            let machines: Vec<serde_json::Value> = inner
                .machines
                .iter()
                .map(|(id, m)| machine_json(*id, m, hide_price))
                .collect();
            json(
                StatusCode::OK,
                serde_json::json!({ "machines": machines }).to_string(),
            )
        }
        (Method::PUT, ["machines", "create_asks"]) => {
            let Some(body) = body_json else {
                return invalid_args("body is not JSON");
            };
            for field in [
                "machine",
                "price_gpu",
                "price_disk",
                "price_inetu",
                "price_inetd",
                "price_min_bid",
                "min_chunk",
                "end_date",
                "credit_discount_max",
            ] {
                if body.get(field).is_none() {
                    return invalid_args(&format!("missing {field}"));
                }
            }
            let Some(id) = body["machine"].as_u64() else {
                return invalid_args("machine must be an integer");
            };
            let Some(m) = inner.machines.get_mut(&id) else {
                return not_found();
            };
            m.listed = true;
            m.price_gpu = body["price_gpu"].as_number().cloned();
            m.price_min_bid = body["price_min_bid"].as_number().cloned();
            m.end_date = body["end_date"].as_i64();
            m.min_chunk = body["min_chunk"].as_u64();
            json(
                StatusCode::OK,
                r#"{"success": true, "extended": false, "msg": "Offers created"}"#.into(),
            )
        }
        (Method::DELETE, ["machines", id, "asks"]) => {
            let Some(id) = id.parse::<u64>().ok() else {
                return not_found();
            };
            let Some(m) = inner.machines.get_mut(&id) else {
                return not_found();
            };
            m.listed = false;
            json(
                StatusCode::OK,
                format!(r#"{{"success": true, "machine_id": {id}, "user_id": 99}}"#),
            )
        }
        (Method::GET, ["users", "me", "machine-earnings"]) => {
            let sday: i64 = query.get("sday").and_then(|v| v.parse().ok()).unwrap_or(0);
            let eday: i64 = query
                .get("eday")
                .and_then(|v| v.parse().ok())
                .unwrap_or(i64::MAX);
            let rows: Vec<String> = inner
                .per_day
                .iter()
                .filter(|(d, _)| {
                    let d: f64 = d.parse().unwrap();
                    d >= sday as f64 && d < eday as f64
                })
                .map(|(d, g)| {
                    format!(
                        r#"{{"day": {d}, "gpu_earn": {g}, "sto_earn": 0.01, "bwu_earn": 0, "bwd_earn": 0}}"#
                    )
                })
                .collect();
            json(
                StatusCode::OK,
                format!(
                    r#"{{"summary": {{"total_gpu": 0, "total_stor": 0, "total_bwu": 0, "total_bwd": 0}}, "current": {{"balance": 0, "service_fee": 0, "total": 0, "credit": 0}}, "per_machine": [], "per_day": [{}]}}"#,
                    rows.join(", ")
                ),
            )
        }
        _ => json(StatusCode::NOT_FOUND, r#"{"detail": "Not Found"}"#.into()),
    }
}

fn machine_json(id: u64, m: &FakeMachine, hide_price: bool) -> serde_json::Value {
    let now = now_s();
    let active: Vec<&Rental> = m.rentals.iter().filter(|r| r.end_s > now).collect();
    let running = active.iter().filter(|r| r.running).count();
    let client_end = active.iter().map(|r| r.end_s).max();
    let mut v = serde_json::json!({
        "id": id,
        "hostname": "gamer-pc",
        "gpu_name": "RTX 4090",
        "num_gpus": m.num_gpus,
        "listed": m.listed,
        "min_bid_price": m.price_min_bid,
        "end_date": m.end_date.map(|e| e as f64),
        "client_end_date": client_end.map(|e| e as f64),
        "current_rentals_running": running,
        "current_rentals_on_demand": running,
        "current_rentals_resident": active.len(),
        "gpu_occupancy": "",
        "earn_hour": 0.0,
        "earn_day": 0.0,
        "reliability2": 0.99,
        "verification": "verified",
    });
    if !hide_price {
        v["listed_gpu_cost"] = serde_json::to_value(&m.price_gpu).unwrap();
    }
    v
}

fn invalid_args(msg: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        serde_json::json!({"success": false, "error": "invalid_args", "msg": msg}).to_string(),
    )
}

fn not_found() -> Response {
    json(
        StatusCode::NOT_FOUND,
        r#"{"success": false, "error": "not_found", "msg": "machine not found"}"#.into(),
    )
}
