//! Everything the dashboard may ask of the process that runs the agent. A call is either one
//! of the agent's own requests (`overtime_agent::service::AgentRequest`: status, overrides,
//! reports, settings, provider tests, credentials — the same the API and the CLI use), answered
//! by the agent's service, or one of the few only a desktop host has ([`HostRequest`]: the UI's
//! snapshot, start on login, the programs running now, quit, restart). Both are typed enums
//! with TypeScript generated from them, so no method name is written twice.
//! Errors cross as `{code, message, fields}`.

use overtime_agent::service::{AgentRequest, AgentResponse};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::AgentError;
use crate::settings::{autostart, games};
use crate::shell::Shell;

type Result<T> = std::result::Result<T, AgentError>;

/// What a method asks of the shell around the agent, beyond its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Stop the agent cleanly and end the app.
    Quit,
    /// Stop the agent cleanly, end the app and start it again, so settings that are read at
    /// start (providers, credentials, the local API) take effect.
    Restart,
}

/// What only the desktop host answers.
#[derive(Debug, Deserialize, TS)]
#[serde(tag = "method", content = "params", rename_all = "snake_case")]
pub enum HostRequest {
    /// The dashboard's view of the latest snapshot.
    GetSnapshot,
    /// The last hour of chart readings, for a window that has just opened.
    RecentReadings,
    GetAutostart,
    SetAutostart {
        enabled: bool,
    },
    /// Programs running now, for the games picker.
    RunningProcesses,
    /// The system's locale as a BCP 47 tag, or null.
    GetLocale,
    Quit,
    RestartApp,
    /// The window drew its first telemetry (how start-up speed is measured).
    UiReady,
}

impl HostRequest {
    /// Every method and the TypeScript type of its answer, for the generated bindings.
    pub const TYPESCRIPT: [(&'static str, &'static str); 9] = [
        ("get_snapshot", "UiSnapshot"),
        ("recent_readings", "Array<UiRecentGpu>"),
        ("get_autostart", "AutostartState"),
        ("set_autostart", "AutostartState"),
        ("running_processes", "Array<string>"),
        ("get_locale", "string | null"),
        ("quit", "null"),
        ("restart_app", "null"),
        ("ui_ready", "null"),
    ];

    fn is_method(method: &str) -> bool {
        HostRequest::TYPESCRIPT.iter().any(|(m, _)| *m == method)
    }
}

/// Any call from the window (TypeScript `WindowRequest`).
#[derive(Debug, Deserialize, TS)]
#[serde(untagged)]
pub enum WindowRequest {
    Agent(Box<AgentRequest>),
    Host(HostRequest),
}

/// Reads `{method, params}` as a typed request. Parameters that do not fit are refused with
/// serde's reason, except for a credential, whose reason could quote what was typed.
pub fn parse(method: &str, params: Value) -> Result<WindowRequest> {
    let known = HostRequest::is_method(method)
        || overtime_agent::service::AgentResponse::TYPESCRIPT
            .iter()
            .any(|(m, _)| *m == method);
    if !known {
        return Err(AgentError::Rejected(format!(
            "the dashboard asked for `{method}`, which this version of Overtime does not \
             know; restart Overtime so the window and the agent are the same version"
        )));
    }
    let as_request = |params: Option<&Value>| -> std::result::Result<WindowRequest, String> {
        let mut call = serde_json::Map::new();
        call.insert("method".into(), Value::String(method.to_owned()));
        if let Some(p) = params {
            call.insert("params".into(), p.clone());
        }
        let call = Value::Object(call);
        if HostRequest::is_method(method) {
            typed(call).map(WindowRequest::Host)
        } else {
            typed(call).map(|r| WindowRequest::Agent(Box::new(r)))
        }
    };
    let empty = params.is_null() || params.as_object().is_some_and(|o| o.is_empty());
    // A method without parameters arrives with `{}` or nothing; one whose parameters are all
    // optional needs its `{}`. Try as sent, then without.
    let parsed =
        as_request(Some(&params)).or_else(|e| if empty { as_request(None) } else { Err(e) });
    parsed.map_err(|e| {
        let why = if method == "set_credential" {
            "without a credential name and a text value".to_owned()
        } else {
            format!("with parameters this version does not understand ({e})")
        };
        AgentError::Rejected(format!(
            "the dashboard sent `{method}` {why}; restart Overtime"
        ))
    })
}

fn typed<T: DeserializeOwned>(call: Value) -> std::result::Result<T, String> {
    serde_json::from_value(call).map_err(|e| e.to_string())
}

/// Runs `method` with `params` (a JSON object; missing means `{}`) and returns its answer.
pub async fn dispatch(shell: &Shell, method: &str, params: Value) -> Result<(Value, Effect)> {
    let request = parse(method, params)?;
    match request {
        WindowRequest::Agent(request) => {
            let answer = shell.service.call(*request).await?;
            Ok((answer_value(&answer), Effect::None))
        }
        WindowRequest::Host(request) => host(shell, request).await,
    }
}

async fn host(shell: &Shell, request: HostRequest) -> Result<(Value, Effect)> {
    let answer = match request {
        HostRequest::GetSnapshot => to_value(shell.ui_snapshot()),
        HostRequest::RecentReadings => to_value(shell.recent_view()),
        HostRequest::GetAutostart => to_value(autostart::state_for_user()?),
        HostRequest::SetAutostart { enabled } => to_value(autostart::set_for_user(enabled)?),
        HostRequest::RunningProcesses => to_value(games::running_programs().await?),
        HostRequest::GetLocale => to_value(system_locale()),
        HostRequest::Quit => return Ok((Value::Null, Effect::Quit)),
        HostRequest::RestartApp => return Ok((Value::Null, Effect::Restart)),
        HostRequest::UiReady => {
            // How start-up speed is measured (scripts/bench-desktop).
            tracing::info!(
                since_launch_ms = shell.started.elapsed().as_millis(),
                "dashboard drew its first telemetry"
            );
            Value::Null
        }
    };
    Ok((answer, Effect::None))
}

/// The agent's answer as the window reads it: the status becomes the dashboard's own view.
fn answer_value(answer: &AgentResponse) -> Value {
    to_value(answer)
}

fn to_value<T: Serialize>(v: T) -> Value {
    // Our wire types are plain data (no maps with non-string keys), so this cannot fail; a
    // failure would still reach the UI as null rather than take the host down.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The system's locale as a BCP 47 tag (`de-DE`), or null when the system names none a
/// browser understands (`C`, `POSIX`). The UI then falls back to its own, then `en-US`.
pub fn system_locale() -> Option<String> {
    crate::locale::system_posix().and_then(|v| crate::locale::to_bcp47(&v))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn calls_parse_to_the_agents_requests_or_the_hosts_own() {
        assert!(matches!(
            parse("get_snapshot", json!({})).unwrap(),
            WindowRequest::Host(HostRequest::GetSnapshot)
        ));
        let agent = |r: WindowRequest| match r {
            WindowRequest::Agent(a) => *a,
            WindowRequest::Host(h) => panic!("{h:?} is the host's"),
        };
        assert!(matches!(
            agent(parse("resume_auto", json!({})).unwrap()),
            AgentRequest::ResumeAuto { gpu: None }
        ));
        assert!(matches!(
            agent(parse("timeline", Value::Null).unwrap()),
            AgentRequest::Timeline
        ));
        assert!(matches!(
            parse("set_autostart", json!({"enabled": true})).unwrap(),
            WindowRequest::Host(HostRequest::SetAutostart { enabled: true })
        ));
    }

    #[test]
    fn unknown_methods_and_bad_parameters_say_to_restart() {
        let e = parse("format_disk", json!({})).unwrap_err();
        assert!(e.to_string().contains("does not know"), "{e}");
        let e = parse("set_mode", json!({"mode": "turbo"})).unwrap_err();
        assert!(e.to_string().contains("restart Overtime"), "{e}");
    }

    #[test]
    fn a_malformed_credential_is_refused_without_quoting_it() {
        let e = parse(
            "set_credential",
            json!({"name": "nope", "value": "sk-secret-123"}),
        )
        .unwrap_err();
        assert!(!e.to_string().contains("sk-secret-123"), "{e}");
        let e = parse(
            "set_credential",
            json!({"name": "vast_api_key", "value": 12345}),
        )
        .unwrap_err();
        assert!(!e.to_string().contains("12345"), "{e}");
    }

    #[test]
    fn no_method_is_both_the_hosts_and_the_agents() {
        for (m, _) in HostRequest::TYPESCRIPT {
            assert!(
                !overtime_agent::service::AgentResponse::TYPESCRIPT
                    .iter()
                    .any(|(a, _)| *a == m),
                "{m}"
            );
        }
    }
}
