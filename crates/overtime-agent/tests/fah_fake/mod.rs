//! A fake Folding@home v8 client for tests: a WebSocket server on a loopback port that follows
//! the real client's protocol (full state on connect, change arrays, "ping", `state` commands
//! dropped unless dated after the last accepted one, foreign `Origin` refused) and can be told
//! to misbehave: go silent, close connections, send garbage, or refuse connections.
//!
//! It keeps its own state and its own change logic, independent of the code under test, so a
//! test can check on the server side what the provider really achieved.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]
// The handshake callback's signature is tungstenite's, large error type included.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

/// The only origin the real client lets in besides none at all: its own web front end.
pub const WEB_CONTROL_ORIGIN: &str = "https://app.foldingathome.org";

/// The GPU id and CUDA UUID in the realistic states below.
pub const GPU_ID: &str = "gpu:01:00.0";
pub const GPU_UUID: &str = "8f0e2a3b-1c4d-4e5f-9a6b-7c8d9e0f1a2b";
pub const GPU2_ID: &str = "gpu:02:00.0";
pub const GPU2_UUID: &str = "11112222-3333-4444-5555-666677778888";

/// A command as received, and whether the fake took it.
#[derive(Debug, Clone)]
pub struct Received {
    pub json: Value,
    pub accepted: bool,
}

/// One WebSocket upgrade request the fake saw.
#[derive(Debug, Clone)]
pub struct Upgrade {
    pub origin: Option<String>,
    pub header_names: Vec<String>,
    pub refused: bool,
}

#[derive(Debug, Clone)]
enum Event {
    Send(String),
    Close,
}

struct Inner {
    state: Value,
    last_time_s: HashMap<String, i64>,
    received: Vec<Received>,
    upgrades: Vec<Upgrade>,
    silent: bool,
    malformed_on_connect: bool,
    ping: Option<Duration>,
}

/// The running fake; stops when dropped.
pub struct FakeFah {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    events: broadcast::Sender<Event>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
    /// Pings sent so far, over all connections: what a test awaits to know time passed with
    /// the connection kept alive.
    pings_sent: watch::Sender<u64>,
}

impl Drop for FakeFah {
    fn drop(&mut self) {
        if let Some(task) = self.acceptor.lock().unwrap().take() {
            task.abort();
        }
        let _ = self.events.send(Event::Close);
    }
}

impl FakeFah {
    /// Start with `state` as the client's full state; `ping`: how often to send "ping"
    /// (the real client: 15 s).
    pub async fn start(state: Value, ping: Option<Duration>) -> FakeFah {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (events, _) = broadcast::channel(256);
        let fake = FakeFah {
            addr,
            inner: Arc::new(Mutex::new(Inner {
                state,
                last_time_s: HashMap::new(),
                received: Vec::new(),
                upgrades: Vec::new(),
                silent: false,
                malformed_on_connect: false,
                ping,
            })),
            events,
            acceptor: Mutex::new(None),
            pings_sent: watch::Sender::new(0),
        };
        fake.serve(listener);
        fake
    }

    pub fn url(&self) -> String {
        format!("ws://{}/api/websocket", self.addr)
    }

    fn serve(&self, listener: TcpListener) {
        let inner = self.inner.clone();
        let events = self.events.clone();
        let pings_sent = self.pings_sent.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(connection(
                    sock,
                    inner.clone(),
                    events.clone(),
                    pings_sent.clone(),
                ));
            }
        });
        *self.acceptor.lock().unwrap() = Some(task);
    }

    /// Stop listening (connections are then refused), or listen again on the same port.
    pub async fn refuse_connections(&self, refuse: bool) {
        if refuse {
            let acceptor = self.acceptor.lock().unwrap().take();
            if let Some(task) = acceptor {
                task.abort();
                // An aborted task's handle resolves once the task is dropped, listener included.
                let _ = task.await;
            }
        } else {
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            socket.bind(self.addr).unwrap();
            self.serve(socket.listen(16).unwrap());
        }
    }

    /// Silent: new connections get no state, connected ones no more pings or changes.
    pub fn go_silent(&self, silent: bool) {
        self.inner.lock().unwrap().silent = silent;
    }

    /// Send text that is not JSON as the first message of every new connection.
    pub fn malformed_on_connect(&self, on: bool) {
        self.inner.lock().unwrap().malformed_on_connect = on;
    }

    /// Send text that is not JSON to every connected peer now.
    pub fn send_garbage(&self) {
        let _ = self
            .events
            .send(Event::Send("{\"units\": [oops".to_owned()));
    }

    /// Close every open connection (with a close frame), as a client restart would.
    pub fn close_connections(&self) {
        let _ = self.events.send(Event::Close);
    }

    /// Change the state as the client would (`[path…, value]`, object keys and list indices;
    /// -1 appends; null deletes) and tell every peer.
    pub fn push_change(&self, change: Value) {
        let mut inner = self.inner.lock().unwrap();
        fake_apply(&mut inner.state, change.as_array().unwrap());
        drop(inner);
        let _ = self.events.send(Event::Send(change.to_string()));
    }

    /// Pretend another front end sent a `cmd` at `time` (the next one must be later).
    pub fn set_last_time(&self, cmd: &str, time: Timestamp) {
        self.inner
            .lock()
            .unwrap()
            .last_time_s
            .insert(cmd.to_owned(), time.as_second());
    }

    pub fn state(&self) -> Value {
        self.inner.lock().unwrap().state.clone()
    }

    /// `groups.<name>.config.paused` as the fake holds it.
    pub fn group_paused(&self, name: &str) -> Option<bool> {
        self.state()["groups"][name]["config"]["paused"].as_bool()
    }

    pub fn group_finish(&self, name: &str) -> Option<bool> {
        self.state()["groups"][name]["config"]["finish"].as_bool()
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    pub fn accepted_states(&self) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|r| r.accepted && r.json["cmd"] == "state")
            .map(|r| r.json)
            .collect()
    }

    pub fn upgrades(&self) -> Vec<Upgrade> {
        self.inner.lock().unwrap().upgrades.clone()
    }

    /// Waits until `n` pings in all have been sent; fails the test after `within`.
    pub async fn wait_for_pings(&self, n: u64, within: Duration) {
        let mut sent = self.pings_sent.subscribe();
        let reached = tokio::time::timeout(within, sent.wait_for(|sent| *sent >= n))
            .await
            .is_ok_and(|waited| waited.is_ok());
        assert!(
            reached,
            "{} of {n} pings sent within {within:?}",
            *self.pings_sent.borrow()
        );
    }
}

async fn connection(
    sock: TcpStream,
    inner: Arc<Mutex<Inner>>,
    events: broadcast::Sender<Event>,
    pings_sent: watch::Sender<u64>,
) {
    let log = inner.clone();
    let check = move |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        let origin = req
            .headers()
            .get("origin")
            .map(|v| v.to_str().unwrap_or("?").to_owned());
        // Like the real client: no Origin (a native program) or its own web front end only.
        let refused = origin.as_deref().is_some_and(|o| o != WEB_CONTROL_ORIGIN);
        log.lock().unwrap().upgrades.push(Upgrade {
            origin,
            header_names: req
                .headers()
                .keys()
                .map(|k| k.as_str().to_owned())
                .collect(),
            refused,
        });
        if refused {
            let mut deny = ErrorResponse::new(Some("origin not allowed".to_owned()));
            *deny.status_mut() = StatusCode::FORBIDDEN;
            return Err(deny);
        }
        Ok(resp)
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(sock, check).await else {
        return;
    };
    let (mut tx, mut rx) = ws.split();
    let mut bus = events.subscribe();
    let (first, ping) = {
        let i = inner.lock().unwrap();
        let first = if i.silent {
            None
        } else if i.malformed_on_connect {
            Some("{\"info\": {\"version\": \"8.3".to_owned())
        } else {
            Some(i.state.to_string())
        };
        (first, i.ping)
    };
    if let Some(first) = first
        && tx.send(Message::text(first)).await.is_err()
    {
        return;
    }
    let mut pinger = tokio::time::interval(ping.unwrap_or(Duration::from_secs(3600)));
    pinger.tick().await;
    loop {
        tokio::select! {
            incoming = rx.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => continue,
                };
                let changes = handle_command(&inner, &text);
                for change in changes {
                    let _ = events.send(Event::Send(change.to_string()));
                }
            }
            event = bus.recv() => {
                let silent = inner.lock().unwrap().silent;
                match event {
                    Ok(Event::Send(text)) if !silent => {
                        if tx.send(Message::text(text)).await.is_err() { return; }
                    }
                    Ok(Event::Send(_)) => {}
                    Ok(Event::Close) | Err(_) => {
                        let _ = tx.send(Message::Close(None)).await;
                        return;
                    }
                }
            }
            _ = pinger.tick(), if ping.is_some() => {
                let silent = inner.lock().unwrap().silent;
                if !silent {
                    if tx.send(Message::text("\"ping\"")).await.is_err() {
                        return;
                    }
                    pings_sent.send_modify(|n| *n += 1);
                }
            }
        }
    }
}

/// Take one command as the real client does; returns the change arrays to broadcast.
fn handle_command(inner: &Mutex<Inner>, text: &str) -> Vec<Value> {
    let mut i = inner.lock().unwrap();
    let Ok(json) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let cmd = json["cmd"].as_str().unwrap_or("").to_owned();
    let accepted = cmd == "state" && time_is_new(&mut i, &cmd, &json);
    i.received.push(Received {
        json: json.clone(),
        accepted,
    });
    if !accepted {
        return Vec::new();
    }
    let state = json["state"].as_str().unwrap_or("");
    let names: Vec<String> = match json["group"].as_str() {
        Some(g) => {
            // The real client creates a group it does not know (with the default config).
            if i.state["groups"].get(g).is_none() {
                i.state["groups"][g] = json!({"config": default_group_config()});
            }
            vec![g.to_owned()]
        }
        None => i.state["groups"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default(),
    };
    let mut changes = Vec::new();
    for name in names {
        let config = &mut i.state["groups"][&name]["config"];
        let mut set = |key: &str, v: bool| {
            if config[key].as_bool() != Some(v) {
                config[key] = Value::Bool(v);
                changes.push(json!(["groups", name, "config", key, v]));
            }
        };
        match state {
            "pause" => {
                set("paused", true);
                set("finish", false);
            }
            "fold" => {
                set("paused", false);
                set("finish", false);
            }
            "finish" => set("finish", true),
            _ => {}
        }
        let paused = i.state["groups"][&name]["config"]["paused"]
            .as_bool()
            .unwrap_or(true);
        let units = i.state["units"].as_array_mut();
        for (index, unit) in units.into_iter().flatten().enumerate() {
            if unit["group"].as_str() != Some(name.as_str())
                || unit["paused"].as_bool() == Some(paused)
            {
                continue;
            }
            unit["paused"] = Value::Bool(paused);
            changes.push(json!(["units", index, "paused", paused]));
            if paused {
                unit["pause_reason"] = json!("Paused by user");
                changes.push(json!(["units", index, "pause_reason", "Paused by user"]));
            } else if let Some(u) = unit.as_object_mut() {
                u.remove("pause_reason");
                changes.push(json!(["units", index, "pause_reason", null]));
            }
        }
    }
    changes
}

/// The client's rule: a change must be dated after the last accepted one of its kind (whole
/// seconds), and no more than 65 minutes ahead of the client's clock.
fn time_is_new(i: &mut Inner, cmd: &str, json: &Value) -> bool {
    let now = Timestamp::now();
    let t = match json["time"].as_str() {
        None => now,
        Some(s) => match s.parse::<Timestamp>() {
            Ok(t) => t,
            Err(_) => return false,
        },
    };
    if t.as_second() > now.as_second() + 65 * 60 {
        return false;
    }
    let last = i.last_time_s.get(cmd).copied().unwrap_or(i64::MIN);
    if t.as_second() <= last {
        return false;
    }
    i.last_time_s.insert(cmd.to_owned(), t.as_second());
    true
}

fn fake_apply(root: &mut Value, change: &[Value]) {
    let (value, path) = change.split_last().unwrap();
    let (last, parents) = path.split_last().unwrap();
    let mut node = root;
    for key in parents {
        node = match key {
            Value::String(k) => &mut node[k.as_str()],
            Value::Number(n) => &mut node[n.as_u64().unwrap() as usize],
            _ => panic!("bad key in test change"),
        };
    }
    match (last, node) {
        (Value::Number(n), Value::Array(a)) if n.as_i64() == Some(-1) => a.push(value.clone()),
        (Value::Number(n), Value::Array(a)) if value.is_null() => {
            a.remove(n.as_u64().unwrap() as usize);
        }
        (Value::Number(n), Value::Array(a)) => a[n.as_u64().unwrap() as usize] = value.clone(),
        (Value::String(k), Value::Object(m)) if value.is_null() => {
            m.remove(k);
        }
        (Value::String(k), Value::Object(m)) => {
            m.insert(k.clone(), value.clone());
        }
        _ => panic!("test change does not fit the fake's state"),
    }
}

/// The config a new group gets (the client's `group.json`).
pub fn default_group_config() -> Value {
    json!({
        "on_idle": false, "on_battery": true, "keep_awake": true, "paused": true,
        "finish": false, "beta": false, "cuda": true, "hip": true, "key": 0, "cpus": 0,
        "gpus": {}
    })
}

fn info(gpus: Value) -> Value {
    json!({
        "version": "8.3.18", "url": "https://foldingathome.org", "os": "linux",
        "os_version": "6.8", "cpu": "x86_64", "cpu_brand": "AMD Ryzen 9 7950X",
        "cpus": 32, "gpus": gpus, "mach_name": "gamer-pc", "hostname": "gamer-pc",
        "pid": 1234, "cwd": "/var/lib/fah-client", "mode": "release", "revision": "v8.3.18",
        "has_battery": false
    })
}

fn rtx_4090() -> Value {
    json!({
        "type": "nvidia", "vendor": 4318, "device": 9860, "supported": true,
        "description": "AD102 [GeForce RTX 4090]", "uuid": GPU_UUID,
        "cuda": {"platform": 0, "device": 0, "compute": "8.9", "driver": "12.4"},
        "opencl": {"platform": 0, "device": 0, "compute": "3.0", "driver": "550.54"}
    })
}

fn unit(id: &str, group: &str, gpus: Value, ppd: u64, progress: f64, paused: bool) -> Value {
    let mut u = json!({
        "id": id, "number": 3, "group": group, "state": "RUN", "paused": paused,
        "progress": progress, "wu_progress": progress, "ppd": ppd, "eta": "2 hours 10 mins",
        "gpus": gpus, "cpus": 1, "run_time": 3600,
        "assignment": {"project": 18251, "core": {"type": "0x23"}, "credit": 120000}
    });
    if paused {
        u["pause_reason"] = json!("Paused by user");
    }
    u
}

/// One (default) group folding on one GPU, with one running unit.
pub fn one_group_state(paused: bool) -> Value {
    let mut config = default_group_config();
    config["paused"] = json!(paused);
    config["cpus"] = json!(0);
    config["gpus"] = json!({GPU_ID: {"enabled": true}});
    json!({
        "info": info(json!({GPU_ID: rtx_4090()})),
        "config": {"user": "Anonymous", "team": 0, "passkey": "", "fold_anon": false},
        "groups": {"": {"config": config}},
        "units": [unit("QpVb3y5ksXRNjNAo", "", json!([GPU_ID]), 1_234_567, 0.42, paused)]
    })
}

/// Two groups: the default one on the CPU, and "gpu" owning the GPU, each with a unit.
pub fn two_group_state(default_paused: bool, gpu_paused: bool) -> Value {
    let mut cpu = default_group_config();
    cpu["paused"] = json!(default_paused);
    cpu["cpus"] = json!(8);
    let mut gpu = default_group_config();
    gpu["paused"] = json!(gpu_paused);
    gpu["gpus"] = json!({GPU_ID: {"enabled": true}});
    json!({
        "info": info(json!({GPU_ID: rtx_4090()})),
        "config": {"user": "Anonymous", "team": 0, "passkey": ""},
        "groups": {"": {"config": cpu}, "gpu": {"config": gpu}},
        "units": [
            unit("cpuUnitAAAA", "", json!([]), 45_000, 0.1, default_paused),
            unit("gpuUnitBBBB", "gpu", json!([GPU_ID]), 2_500_000, 0.7, gpu_paused)
        ]
    })
}
