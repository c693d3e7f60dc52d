//! Everything the dashboard may ask of the process that runs the agent, by method name. The
//! window reaches it through one Tauri command (`host_call`) with `{method, params}`; each method
//! is a thin call into the agent's handle or the settings file and holds no logic of its own.
//! Errors cross as `{code, message, fields}`.

use jiff::Timestamp;
use overtime_agent::reports::{self, LedgerAccess, export, history};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::control::{self, Control, PausePreset};
use crate::error::AgentError;
use crate::settings::autostart;
use crate::settings::credentials::{self, CredentialName, SetCredential};
use crate::settings::provider_check::{self, ProviderTarget};
use crate::settings::{
    self, ApiForm, ElectricityForm, NotificationsForm, Paint, ProvidersForm, SettingsView,
    ThermalForm,
};
use crate::shell::Shell;
use crate::wire::UiMode;

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

/// Runs `method` with `params` (a JSON object; missing means `{}`) and returns its answer.
pub async fn dispatch(shell: &Shell, method: &str, params: Value) -> Result<(Value, Effect)> {
    let answer = match method {
        "get_snapshot" => to_value(shell.ui_snapshot()),
        "set_mode" => {
            #[derive(Deserialize)]
            struct P {
                mode: UiMode,
                gpu: Option<String>,
            }
            let p: P = parse(method, params)?;
            run(
                shell,
                Control::Force {
                    mode: p.mode,
                    gpu: p.gpu,
                },
            )
            .await?;
            Value::Null
        }
        "pause" => {
            #[derive(Deserialize)]
            struct P {
                preset: PausePreset,
            }
            let p: P = parse(method, params)?;
            run(shell, Control::Pause(p.preset)).await?;
            Value::Null
        }
        "resume_auto" => {
            #[derive(Deserialize)]
            struct P {
                #[serde(default)]
                gpu: Option<String>,
            }
            let p: P = parse(method, params)?;
            run(shell, p.gpu.map_or(Control::Auto, Control::AutoGpu)).await?;
            Value::Null
        }
        "get_settings" => to_value(get_settings(shell)?),
        "save_thermal" => {
            #[derive(Deserialize)]
            struct P {
                form: ThermalForm,
            }
            let p: P = parse(method, params)?;
            let saved = save_with(shell, |doc| {
                settings::apply_thermal(doc, &p.form);
                Ok(())
            })
            .await?;
            to_value(saved)
        }
        "save_schedule" => {
            #[derive(Deserialize)]
            struct P {
                cells: Vec<Paint>,
            }
            let p: P = parse(method, params)?;
            to_value(save_with(shell, |doc| settings::apply_schedule(doc, &p.cells)).await?)
        }
        "save_games" => {
            #[derive(Deserialize)]
            struct P {
                games: Vec<String>,
            }
            let p: P = parse(method, params)?;
            let saved = save_with(shell, |doc| {
                settings::apply_games(doc, &p.games);
                Ok(())
            })
            .await?;
            to_value(saved)
        }
        "save_electricity" => {
            #[derive(Deserialize)]
            struct P {
                form: ElectricityForm,
            }
            let p: P = parse(method, params)?;
            to_value(save_with(shell, |doc| settings::apply_electricity(doc, &p.form)).await?)
        }
        "save_providers" => {
            #[derive(Deserialize)]
            struct P {
                form: ProvidersForm,
            }
            let p: P = parse(method, params)?;
            to_value(save_with(shell, |doc| settings::apply_providers(doc, &p.form)).await?)
        }
        "save_notifications" => {
            #[derive(Deserialize)]
            struct P {
                form: NotificationsForm,
            }
            let p: P = parse(method, params)?;
            let saved = save_with(shell, |doc| {
                settings::apply_notifications(doc, &p.form);
                Ok(())
            })
            .await?;
            to_value(saved)
        }
        "save_api" => {
            #[derive(Deserialize)]
            struct P {
                form: ApiForm,
            }
            let p: P = parse(method, params)?;
            to_value(save_with(shell, |doc| settings::apply_api(doc, &p.form)).await?)
        }
        "get_credentials" => to_value(credentials::with_keyring(credentials::states).await?),
        "set_credential" => {
            // Parsed without quoting serde's message, which could echo a mistyped value.
            let p: SetCredential = serde_json::from_value(params).map_err(|_| {
                AgentError::Rejected(
                    "the dashboard sent `set_credential` without a credential name and a text \
                     value; restart Overtime"
                        .to_owned(),
                )
            })?;
            let states = credentials::with_keyring(move |s| {
                credentials::set(s, p.name, &p.value).map(|()| credentials::states(s))
            })
            .await??;
            to_value(states)
        }
        "remove_credential" => {
            #[derive(Deserialize)]
            struct P {
                name: CredentialName,
            }
            let p: P = parse(method, params)?;
            let states = credentials::with_keyring(move |s| {
                credentials::remove(s, p.name).map(|()| credentials::states(s))
            })
            .await??;
            to_value(states)
        }
        "test_provider" => {
            #[derive(Deserialize)]
            struct P {
                target: ProviderTarget,
                form: ProvidersForm,
            }
            let p: P = parse(method, params)?;
            to_value(provider_check::test_from_form(&shell.config_path, &p.form, p.target).await?)
        }
        "get_autostart" => to_value(autostart::state_for_user()?),
        "set_autostart" => {
            #[derive(Deserialize)]
            struct P {
                enabled: bool,
            }
            let p: P = parse(method, params)?;
            to_value(autostart::set_for_user(p.enabled)?)
        }
        "running_processes" => to_value(settings::games::running_programs().await?),
        "history" => {
            #[derive(Deserialize)]
            struct P {
                query: history::HistoryQuery,
            }
            let p: P = parse(method, params)?;
            let access = ledger_access(shell)?;
            to_value(blocking(move || history::history(&access, &p.query, Timestamp::now())).await?)
        }
        "export_csv" => {
            #[derive(Deserialize)]
            struct P {
                from_ms: i64,
                to_ms: i64,
            }
            let p: P = parse(method, params)?;
            let access = ledger_access(shell)?;
            let done = blocking(move || {
                let dir = export::downloads_dir()?;
                export::export_csv(&access, p.from_ms, p.to_ms, &dir, Timestamp::now())
            })
            .await?;
            to_value(done)
        }
        "get_locale" => to_value(system_locale()),
        "recent_readings" => to_value(shell.recent_view()),
        "timeline" => to_value(
            reports::timeline::timeline(&shell.handle.snapshot(), shell.config().schedule())
                .await?,
        ),
        "quit" => return Ok((Value::Null, Effect::Quit)),
        "restart_app" => return Ok((Value::Null, Effect::Restart)),
        "ui_ready" => {
            // How start-up speed is measured (scripts/bench-desktop).
            tracing::info!(
                since_launch_ms = shell.started.elapsed().as_millis(),
                "dashboard drew its first telemetry"
            );
            Value::Null
        }
        other => {
            return Err(AgentError::Rejected(format!(
                "the dashboard asked for `{other}`, which this version of Overtime does not \
                 know; restart Overtime so the window and the agent are the same version"
            )));
        }
    };
    Ok((answer, Effect::None))
}

fn parse<T: DeserializeOwned>(method: &str, params: Value) -> Result<T> {
    let params = if params.is_null() {
        Value::Object(Default::default())
    } else {
        params
    };
    serde_json::from_value(params).map_err(|e| {
        AgentError::Rejected(format!(
            "the dashboard sent `{method}` with parameters this version does not understand \
             ({e}); restart Overtime"
        ))
    })
}

fn to_value<T: serde::Serialize>(v: T) -> Value {
    // Our wire types are plain data (no maps with non-string keys), so this cannot fail; a
    // failure would still reach the UI as null rather than take the host down.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn ledger_access(shell: &Shell) -> Result<LedgerAccess> {
    LedgerAccess::from_agent(&shell.handle.snapshot(), &shell.config())
}

/// Runs file and SQLite work off the async threads, so a slow disk never stalls the agent.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        AgentError::Rejected(format!("the request stopped unexpectedly ({e}); try again"))
    })?
}

async fn run(shell: &Shell, control: Control) -> Result<()> {
    let tz = shell.handle.snapshot().time_zone();
    control::apply(&shell.handle, control, Timestamp::now(), &tz).await
}

fn get_settings(shell: &Shell) -> Result<SettingsView> {
    let doc = settings::read_document(&shell.config_path)?;
    let config = settings::check(&doc).unwrap_or_else(|_| shell.config());
    Ok(view(shell, &config))
}

fn view(shell: &Shell, config: &overtime_core::config::Config) -> SettingsView {
    let gpus: Vec<(String, u32)> = shell
        .handle
        .snapshot()
        .gpus
        .iter()
        .map(|g| (g.gpu.uuid.clone(), g.gpu.index))
        .collect();
    settings::view(config, &shell.config_path, &gpus)
}

/// Validates an edit, writes the file, and has the agent adopt it at once.
async fn save_with(
    shell: &Shell,
    edit: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<()>,
) -> Result<SettingsView> {
    let config = settings::edit_file(&shell.config_path, edit)?;
    shell.set_config(config.clone());
    shell.handle.reload_config().await?;
    Ok(view(shell, &config))
}

/// The system's locale as a BCP 47 tag (`de-DE`), or null when the system names none a
/// browser understands (`C`, `POSIX`). The UI then falls back to its own, then `en-US`.
pub fn system_locale() -> Option<String> {
    crate::locale::system_posix().and_then(|v| crate::locale::to_bcp47(&v))
}
