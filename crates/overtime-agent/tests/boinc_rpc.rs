//! The GUI RPC client against a loopback fake that replays real boinc-client 7.20.5 captures:
//! the bytes we send match the captured requests, the handshake hashes the nonce with the
//! password, and broken, silent, oversized or garbage peers give bounded errors, never hangs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use overtime_agent::providers::boinc::auth::{PasswordSetting, Secret};
use overtime_agent::providers::boinc::rpc::{ModeChange, RpcClient, RpcError, RpcSettings};
use overtime_agent::providers::boinc::xml::{ReplyError, RunMode};
use overtime_agent::providers::boinc::{BoincConfig, BoincProvider};
use overtime_agent::providers::{GpuDesire, Provider, ProviderError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn fixture(name: &str) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/boinc-7.20");
    assert!(
        dir.is_dir(),
        "BOINC fixtures not found at {}: the shared/ folder must sit beside the repository",
        dir.display()
    );
    std::fs::read(dir.join(name)).unwrap()
}

/// What the fake does on one connection, step by step.
#[derive(Clone)]
enum Step {
    /// Read one request, record it, answer with these bytes.
    Answer(Vec<u8>),
    /// Read one request, record it, then close the connection (the next step is for the next
    /// connection).
    CloseAfterRequest,
    /// Read one request and never answer.
    Silent,
}

/// A fake client on a loopback port; `requests` collects every request received (end marker
/// included), in order.
struct Fake {
    port: u16,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

async fn fake(steps: Vec<Step>) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    tokio::spawn(async move {
        let mut steps = steps.into_iter();
        'connections: loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            loop {
                let Some(request) = read_request(&mut sock).await else {
                    continue 'connections;
                };
                let Some(step) = steps.next() else {
                    // Script done: keep the socket open so the client sees no spurious EOF.
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                };
                log.lock().unwrap().push(request);
                match step {
                    Step::Answer(bytes) => {
                        let _ = sock.write_all(&bytes).await;
                    }
                    Step::CloseAfterRequest => continue 'connections,
                    Step::Silent => {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                }
            }
        }
    });
    Fake { port, requests }
}

async fn read_request(sock: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        if sock.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
        if byte[0] == 0x03 {
            return Some(buf);
        }
    }
}

fn client(port: u16, password: PasswordSetting) -> RpcClient {
    RpcClient::new(RpcSettings {
        host: "127.0.0.1".into(),
        port,
        password,
        request_timeout: Duration::from_millis(500),
        max_reply_bytes: 64 * 1024,
    })
}

fn pw(p: &str) -> PasswordSetting {
    PasswordSetting::Explicit(Secret::new(p))
}

/// The captured auth2 request with the hash for the captured nonce and `fixture-pw`
/// (md5("1795477236.588354fixture-pw"), computed independently with Python's hashlib).
fn expected_auth2() -> Vec<u8> {
    let captured = String::from_utf8(fixture("auth2_ok.request.xml")).unwrap();
    let start = captured.find("<nonce_hash>").unwrap() + "<nonce_hash>".len();
    let end = captured.find("</nonce_hash>").unwrap();
    let mut out = captured[..start].to_owned();
    out.push_str("00109469ae549d8693a27db28066c427");
    out.push_str(&captured[end..]);
    out.into_bytes()
}

#[tokio::test]
async fn read_only_calls_send_the_captured_requests_byte_for_byte() {
    let f = fake(vec![
        Step::Answer(fixture("get_cc_status_gpu_always_timed.reply.xml")),
        Step::Answer(fixture("get_results_none.reply.xml")),
        Step::Answer(fixture("get_project_status_no_projects.reply.xml")),
        Step::Answer(fixture("get_host_info.reply.xml")),
        Step::Answer(fixture("exchange_versions.reply.xml")),
    ])
    .await;
    let mut c = client(f.port, pw("unused"));
    let cc = c.get_cc_status().await.unwrap();
    assert_eq!(
        (cc.gpu.current, cc.gpu.perm),
        (RunMode::Always, RunMode::Never)
    );
    assert!(c.get_results(false).await.unwrap().is_empty());
    assert!(c.get_project_status().await.unwrap().is_empty());
    assert_eq!(c.get_host_info().await.unwrap().cpu_count, Some(2));
    assert_eq!(c.server_version().await.unwrap().to_string(), "7.20.5");
    // Asked once per connection.
    assert_eq!(c.server_version().await.unwrap().to_string(), "7.20.5");

    let sent = f.requests.lock().unwrap().clone();
    let want: Vec<Vec<u8>> = [
        "get_cc_status_gpu_always_timed",
        "get_results_none",
        "get_project_status_no_projects",
        "get_host_info",
        "exchange_versions",
    ]
    .iter()
    .map(|n| fixture(&format!("{n}.request.xml")))
    .collect();
    assert_eq!(sent, want, "all on one connection, in order, byte for byte");
}

#[tokio::test]
async fn control_calls_authenticate_once_per_connection_with_the_nonce_hash() {
    let f = fake(vec![
        Step::Answer(fixture("auth1.reply.xml")),
        Step::Answer(fixture("auth2_ok.reply.xml")),
        Step::Answer(fixture("set_gpu_mode_never.reply.xml")),
        Step::Answer(fixture("set_gpu_mode_auto.reply.xml")),
        Step::Answer(fixture("set_run_mode_never.reply.xml")),
        Step::Answer(fixture("set_gpu_mode_always_3600.reply.xml")),
    ])
    .await;
    let mut c = client(f.port, pw("fixture-pw"));
    c.set_gpu_mode(ModeChange::Set(RunMode::Never), Duration::ZERO)
        .await
        .unwrap();
    c.set_gpu_mode(ModeChange::Set(RunMode::Auto), Duration::ZERO)
        .await
        .unwrap();
    c.set_run_mode(ModeChange::Set(RunMode::Never), Duration::ZERO)
        .await
        .unwrap();
    c.set_gpu_mode(ModeChange::Set(RunMode::Always), Duration::from_secs(3600))
        .await
        .unwrap();
    let sent = f.requests.lock().unwrap().clone();
    assert_eq!(
        sent,
        vec![
            fixture("auth1.request.xml"),
            expected_auth2(),
            fixture("set_gpu_mode_never.request.xml"),
            fixture("set_gpu_mode_auto.request.xml"),
            fixture("set_run_mode_never.request.xml"),
            fixture("set_gpu_mode_always_3600.request.xml"),
        ]
    );
}

#[tokio::test]
async fn restore_is_sent_as_its_own_mode_element() {
    let f = fake(vec![
        Step::Answer(fixture("auth1.reply.xml")),
        Step::Answer(fixture("auth2_ok.reply.xml")),
        Step::Answer(fixture("set_gpu_mode_auto.reply.xml")),
    ])
    .await;
    let mut c = client(f.port, pw("fixture-pw"));
    c.set_gpu_mode(ModeChange::Restore, Duration::ZERO)
        .await
        .unwrap();
    let sent = f.requests.lock().unwrap().clone();
    assert_eq!(
        String::from_utf8(sent[2].clone()).unwrap(),
        "<boinc_gui_rpc_request>\n<set_gpu_mode>\n<restore/>\n<duration>0</duration>\n</set_gpu_mode>\n</boinc_gui_rpc_request>\n\u{3}"
    );
}

#[tokio::test]
async fn a_rejected_password_is_unauthorized_naming_the_file_never_the_password() {
    let dir = std::env::temp_dir().join(format!("overtime-boinc-rpc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("gui_rpc_auth.cfg");
    std::fs::write(&file, "wrong-secret-xyz\n").unwrap();
    let f = fake(vec![
        Step::Answer(fixture("auth1.reply.xml")),
        Step::Answer(fixture("auth2_wrong_password.reply.xml")),
    ])
    .await;
    let mut provider = BoincProvider::new(BoincConfig {
        port: f.port,
        password_file: Some(file.clone()),
        request_timeout: Duration::from_millis(500),
        ..BoincConfig::default()
    });
    let err = provider.apply(&[desire(false)]).await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, ProviderError::Unauthorized { .. }), "{err:?}");
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(!message.contains("wrong-secret-xyz"), "{message}");
    assert!(!format!("{err:?}").contains("wrong-secret-xyz"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_unauthorized_reply_to_a_command_is_unauthorized() {
    let f = fake(vec![Step::Answer(fixture(
        "unauthorized_set_gpu_mode.reply.xml",
    ))])
    .await;
    // No password at all: we send the command unauthenticated and the client refuses it.
    let mut c = client(
        f.port,
        PasswordSetting::Search(vec!["/nonexistent/gui_rpc_auth.cfg".into()]),
    );
    let err = c
        .set_gpu_mode(ModeChange::Set(RunMode::Never), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, RpcError::Unauthorized { origin } if origin.to_string().contains("/nonexistent/gui_rpc_auth.cfg")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_error_reply_is_refused_with_the_clients_text() {
    let f = fake(vec![
        Step::Answer(fixture("unknown_rpc.reply.xml")),
        Step::Answer(fixture("get_cc_status_default.reply.xml")),
    ])
    .await;
    let mut c = client(f.port, pw("x"));
    let err = c.request("<no_such_rpc/>", false).await.unwrap_err();
    assert!(
        matches!(&err, RpcError::Reply(ReplyError::Refused(t)) if t == "unrecognized op: no_such_rpc/"),
        "{err:?}"
    );
    // The connection is still usable afterwards.
    c.get_cc_status().await.unwrap();
    assert_eq!(
        f.requests.lock().unwrap()[0],
        fixture("unknown_rpc.request.xml")
    );
}

#[tokio::test]
async fn a_silent_peer_times_out_within_the_request_timeout() {
    let f = fake(vec![Step::Silent]).await;
    let mut c = client(f.port, pw("x"));
    let started = Instant::now();
    let err = c.get_cc_status().await.unwrap_err();
    assert!(matches!(err, RpcError::Timeout(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_endless_reply_is_cut_off_at_the_size_limit() {
    let mut huge = vec![b'a'; 200 * 1024];
    huge.push(0x03);
    let f = fake(vec![Step::Answer(huge)]).await;
    let mut c = client(f.port, pw("x"));
    let err = c.get_cc_status().await.unwrap_err();
    assert!(
        matches!(err, RpcError::TooLarge { limit: 65536 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn garbage_replies_are_protocol_errors() {
    let f = fake(vec![
        Step::Answer(b"HTTP/1.1 400 Bad Request\r\n\r\n\x03".to_vec()),
        Step::Answer(b"\xff\xfe\x00garbage\x03".to_vec()),
    ])
    .await;
    let mut c = client(f.port, pw("x"));
    for _ in 0..2 {
        let err = c.get_cc_status().await.unwrap_err();
        assert!(
            matches!(err, RpcError::Reply(ReplyError::Malformed(_))),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn a_connection_closed_by_the_client_is_reopened_transparently() {
    let f = fake(vec![
        Step::Answer(fixture("get_cc_status_default.reply.xml")),
        Step::CloseAfterRequest,
        Step::Answer(fixture("get_cc_status_gpu_never.reply.xml")),
    ])
    .await;
    let mut c = client(f.port, pw("x"));
    assert_eq!(c.get_cc_status().await.unwrap().gpu.current, RunMode::Auto);
    // The fake drops the connection on the next request: one retry on a new connection.
    assert_eq!(c.get_cc_status().await.unwrap().gpu.current, RunMode::Never);
    assert_eq!(f.requests.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn nothing_listening_is_unreachable_with_advice_to_start_boinc() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut provider = BoincProvider::new(BoincConfig {
        port,
        password: Some("pw".into()),
        ..BoincConfig::default()
    });
    let err = provider.status().await.unwrap_err();
    assert!(matches!(err, ProviderError::Unreachable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.contains("start boinc-client"), "{message}");
}

fn desire(on: bool) -> GpuDesire {
    GpuDesire {
        uuid: "GPU-1".into(),
        index: 0,
        on,
        list_until: None,
    }
}
