//! The agent's one service boundary. Every front end — the dashboard window, the tray, the
//! loopback API and the CLI — asks for the same thing with the same [`AgentRequest`] and gets
//! the same [`AgentResponse`] or [`AgentError`]: status, overrides, reports over the ledger,
//! settings, provider tests and credentials.
//!
//! Requests cross as `{method, params}` (serde's adjacent tagging, TypeScript generated), so a
//! method name exists once, here. The service holds no state of its own: it reads the agent's
//! snapshot and the configuration in force from the handle, sends commands to the agent's
//! queue, and does file, SQLite and keyring work on blocking threads so the runtime never
//! waits on a disk or a D-Bus service.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use overtime_core::Mode;
use overtime_core::config::Config;
use overtime_core::config::edit::{
    self, ApiForm, EditError, ElectricityForm, NotificationsForm, Paint, ProvidersForm,
    SettingsView, ThermalForm,
};
use serde::{Deserialize, Serialize};
use toml_edit::DocumentMut;
use ts_rs::TS;

use crate::control::{self, Control, PausePreset};
use crate::error::AgentError;
use crate::handle::AgentHandle;
use crate::ledger_feed::EarningsView;
use crate::reports::LedgerAccess;
use crate::reports::export::{self, ExportDone};
use crate::reports::history::{self, HistoryQuery, HistoryView};
use crate::reports::timeline::{self, UiTimeline};
use crate::settings::credentials::{self, CredentialName, CredentialState, SetCredential};
use crate::settings::provider_check::{self, ProviderCheck, ProviderTarget};
use crate::snapshot::AgentSnapshot;

/// Something a front end asks of the agent.
#[derive(Debug, Deserialize, TS)]
#[serde(tag = "method", content = "params", rename_all = "snake_case")]
pub enum AgentRequest {
    /// The latest snapshot.
    Status,
    /// Force `mode` on every GPU (`gpu` null) or one (by UUID) until `until` (RFC 3339, such
    /// as `2026-11-24T23:00:00+01:00`), or until cleared when that is absent.
    SetMode {
        mode: Mode,
        gpu: Option<String>,
        #[serde(default)]
        #[ts(optional, type = "string")]
        until: Option<Timestamp>,
    },
    /// Idle every GPU for a while.
    Pause {
        preset: PausePreset,
    },
    /// Back to automatic: every GPU, or only the overrides set for `gpu`.
    ResumeAuto {
        #[serde(default)]
        gpu: Option<String>,
    },
    /// Have the agent re-read its configuration file now.
    ReloadConfig,
    /// The settings screen's values, from the configuration in force.
    GetSettings,
    SaveThermal {
        form: ThermalForm,
    },
    SaveSchedule {
        cells: Vec<Paint>,
    },
    SaveGames {
        games: Vec<String>,
    },
    SaveElectricity {
        form: ElectricityForm,
    },
    SaveProviders {
        form: ProvidersForm,
    },
    SaveNotifications {
        form: NotificationsForm,
    },
    SaveApi {
        form: ApiForm,
    },
    /// Build one provider from the settings in `form` (saved or not) and ask it for its state.
    TestProvider {
        target: ProviderTarget,
        form: ProvidersForm,
    },
    /// Whether each credential is set — never a value.
    GetCredentials,
    SetCredential(SetCredential),
    RemoveCredential {
        name: CredentialName,
    },
    /// Money, energy and sessions for a period.
    History {
        query: HistoryQuery,
    },
    /// The dashboard's 48-hour strip.
    Timeline,
    /// The standard periods' figures, as the snapshot carries them.
    Earnings,
    /// Sessions and statements in `[from_ms, to_ms)` as CSV in the Downloads folder.
    ExportCsv {
        #[ts(type = "number")]
        from_ms: i64,
        #[ts(type = "number")]
        to_ms: i64,
    },
}

impl AgentRequest {
    /// The request's method name, as it crosses.
    pub fn method(&self) -> &'static str {
        match self {
            AgentRequest::Status => "status",
            AgentRequest::SetMode { .. } => "set_mode",
            AgentRequest::Pause { .. } => "pause",
            AgentRequest::ResumeAuto { .. } => "resume_auto",
            AgentRequest::ReloadConfig => "reload_config",
            AgentRequest::GetSettings => "get_settings",
            AgentRequest::SaveThermal { .. } => "save_thermal",
            AgentRequest::SaveSchedule { .. } => "save_schedule",
            AgentRequest::SaveGames { .. } => "save_games",
            AgentRequest::SaveElectricity { .. } => "save_electricity",
            AgentRequest::SaveProviders { .. } => "save_providers",
            AgentRequest::SaveNotifications { .. } => "save_notifications",
            AgentRequest::SaveApi { .. } => "save_api",
            AgentRequest::TestProvider { .. } => "test_provider",
            AgentRequest::GetCredentials => "get_credentials",
            AgentRequest::SetCredential(_) => "set_credential",
            AgentRequest::RemoveCredential { .. } => "remove_credential",
            AgentRequest::History { .. } => "history",
            AgentRequest::Timeline => "timeline",
            AgentRequest::Earnings => "earnings",
            AgentRequest::ExportCsv { .. } => "export_csv",
        }
    }
}

/// What the agent answers; serialised as the answer alone (`null` for [`AgentResponse::Done`]).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum AgentResponse {
    Done,
    Status(Arc<AgentSnapshot>),
    Settings(Box<SettingsView>),
    ProviderCheck(ProviderCheck),
    Credentials(Vec<CredentialState>),
    History(Box<HistoryView>),
    Timeline(Box<UiTimeline>),
    /// `null` while no ledger is kept or its figures were not read yet.
    Earnings(Option<EarningsView>),
    Exported(ExportDone),
}

impl AgentResponse {
    /// The TypeScript type of the answer to each method, for the generated bindings.
    pub const TYPESCRIPT: [(&'static str, &'static str); 21] = [
        ("status", "unknown"),
        ("set_mode", "null"),
        ("pause", "null"),
        ("resume_auto", "null"),
        ("reload_config", "null"),
        ("get_settings", "SettingsView"),
        ("save_thermal", "SettingsView"),
        ("save_schedule", "SettingsView"),
        ("save_games", "SettingsView"),
        ("save_electricity", "SettingsView"),
        ("save_providers", "SettingsView"),
        ("save_notifications", "SettingsView"),
        ("save_api", "SettingsView"),
        ("test_provider", "ProviderCheck"),
        ("get_credentials", "Array<CredentialState>"),
        ("set_credential", "Array<CredentialState>"),
        ("remove_credential", "Array<CredentialState>"),
        ("history", "HistoryView"),
        ("timeline", "UiTimeline"),
        ("earnings", "unknown"),
        ("export_csv", "ExportDone"),
    ];
}

/// The service over one running agent and its configuration file.
#[derive(Clone)]
pub struct AgentService {
    handle: AgentHandle,
    config_path: PathBuf,
}

impl AgentService {
    /// `config_path`: the file the agent watches, where settings are saved (it need not exist
    /// yet: the first save creates it).
    pub fn new(handle: AgentHandle, config_path: PathBuf) -> AgentService {
        AgentService {
            handle,
            config_path,
        }
    }

    pub fn handle(&self) -> &AgentHandle {
        &self.handle
    }

    pub fn config_path(&self) -> &std::path::Path {
        &self.config_path
    }

    /// Answers `request` as of now.
    pub async fn call(&self, request: AgentRequest) -> Result<AgentResponse, AgentError> {
        use AgentRequest as R;
        let done = |()| AgentResponse::Done;
        match request {
            R::Status => Ok(AgentResponse::Status(self.handle.snapshot())),
            R::SetMode { mode, gpu, until } => self
                .control(Control::Force { mode, gpu, until })
                .await
                .map(done),
            R::Pause { preset } => self.control(Control::Pause(preset)).await.map(done),
            R::ResumeAuto { gpu } => self
                .control(gpu.map_or(Control::Auto, Control::AutoGpu))
                .await
                .map(done),
            R::ReloadConfig => self.handle.reload_config().await.map(done),
            R::GetSettings => self.settings().await.map(settings),
            R::SaveThermal { form } => self
                .save(move |doc| {
                    edit::apply_thermal(doc, &form);
                    Ok(())
                })
                .await
                .map(settings),
            R::SaveSchedule { cells } => self
                .save(move |doc| edit::apply_schedule(doc, &cells))
                .await
                .map(settings),
            R::SaveGames { games } => self
                .save(move |doc| {
                    edit::apply_games(doc, &games);
                    Ok(())
                })
                .await
                .map(settings),
            R::SaveElectricity { form } => self
                .save(move |doc| edit::apply_electricity(doc, &form))
                .await
                .map(settings),
            R::SaveProviders { form } => self
                .save(move |doc| edit::apply_providers(doc, &form))
                .await
                .map(settings),
            R::SaveNotifications { form } => self
                .save(move |doc| {
                    edit::apply_notifications(doc, &form);
                    Ok(())
                })
                .await
                .map(settings),
            R::SaveApi { form } => self
                .save(move |doc| edit::apply_api(doc, &form))
                .await
                .map(settings),
            R::TestProvider { target, form } => {
                provider_check::test_from_form(self.config_path.clone(), form, target)
                    .await
                    .map(AgentResponse::ProviderCheck)
            }
            R::GetCredentials => credentials::with_keyring(credentials::states)
                .await
                .map(AgentResponse::Credentials),
            R::SetCredential(p) => {
                let states = credentials::with_keyring(move |s| {
                    credentials::set(s, p.name, &p.value).map(|()| credentials::states(s))
                })
                .await??;
                self.handle.credentials_changed().await?;
                Ok(AgentResponse::Credentials(states))
            }
            R::RemoveCredential { name } => {
                let states = credentials::with_keyring(move |s| {
                    credentials::remove(s, name).map(|()| credentials::states(s))
                })
                .await??;
                self.handle.credentials_changed().await?;
                Ok(AgentResponse::Credentials(states))
            }
            R::History { query } => {
                let access = self.ledger_access()?;
                blocking(move || history::history(&access, &query, Timestamp::now()))
                    .await
                    .map(|v| AgentResponse::History(Box::new(v)))
            }
            R::Timeline => {
                let schedule = self.handle.config().schedule();
                timeline::timeline(&self.handle.snapshot(), schedule)
                    .await
                    .map(|t| AgentResponse::Timeline(Box::new(t)))
            }
            R::Earnings => Ok(AgentResponse::Earnings(
                self.handle
                    .snapshot()
                    .ledger
                    .as_ref()
                    .and_then(|l| l.earnings.clone()),
            )),
            R::ExportCsv { from_ms, to_ms } => {
                let access = self.ledger_access()?;
                blocking(move || {
                    let dir = export::downloads_dir()?;
                    export::export_csv(&access, from_ms, to_ms, &dir, Timestamp::now())
                })
                .await
                .map(AgentResponse::Exported)
            }
        }
    }

    async fn control(&self, control: Control) -> Result<(), AgentError> {
        let tz = self.handle.snapshot().time_zone();
        control::apply(&self.handle, control, Timestamp::now(), &tz).await
    }

    fn ledger_access(&self) -> Result<LedgerAccess, AgentError> {
        LedgerAccess::from_agent(&self.handle.snapshot(), &self.handle.config())
    }

    /// The settings view of the file as it is now; while it does not validate, of the
    /// configuration in force.
    async fn settings(&self) -> Result<SettingsView, AgentError> {
        let path = self.config_path.clone();
        let in_force = self.handle.config();
        let gpus = self.gpus();
        blocking(move || {
            let doc = crate::settings::read_document(&path)?;
            let config = edit::check(&doc).map(Arc::new).unwrap_or(in_force);
            Ok(edit::view(&config, &path, &gpus))
        })
        .await
    }

    /// Validates an edit, writes the file, and has the agent adopt it at once.
    async fn save(
        &self,
        edit: impl FnOnce(&mut DocumentMut) -> Result<(), EditError> + Send + 'static,
    ) -> Result<SettingsView, AgentError> {
        let path = self.config_path.clone();
        let config: Config = blocking(move || crate::settings::edit_file(&path, edit)).await?;
        self.handle.reload_config().await?;
        Ok(edit::view(&config, &self.config_path, &self.gpus()))
    }

    fn gpus(&self) -> Vec<(String, u32)> {
        self.handle
            .snapshot()
            .gpus
            .iter()
            .map(|g| (g.gpu.uuid.clone(), g.gpu.index))
            .collect()
    }
}

fn settings(view: SettingsView) -> AgentResponse {
    AgentResponse::Settings(Box::new(view))
}

/// Runs file, SQLite and keyring work off the async threads, so a slow disk never stalls the
/// agent.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AgentError> + Send + 'static,
) -> Result<T, AgentError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        AgentError::Rejected(format!("the request stopped unexpectedly ({e}); try again"))
    })?
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn requests_cross_as_method_and_params() {
        let r: AgentRequest = serde_json::from_value(
            json!({"method": "set_mode", "params": {"mode": "idle", "gpu": null}}),
        )
        .unwrap();
        assert!(matches!(
            r,
            AgentRequest::SetMode {
                mode: Mode::Idle,
                gpu: None,
                until: None
            }
        ));
        let r: AgentRequest = serde_json::from_value(json!({"method": "timeline"})).unwrap();
        assert_eq!(r.method(), "timeline");
        let r: AgentRequest =
            serde_json::from_value(json!({"method": "resume_auto", "params": {}})).unwrap();
        assert!(matches!(r, AgentRequest::ResumeAuto { gpu: None }));
        assert!(serde_json::from_value::<AgentRequest>(json!({"method": "format_disk"})).is_err());
    }

    #[test]
    fn a_credential_request_never_prints_its_value() {
        let r: AgentRequest = serde_json::from_value(json!({
            "method": "set_credential",
            "params": {"name": "vast_api_key", "value": "sk-very-secret"}
        }))
        .unwrap();
        let printed = format!("{r:?}");
        assert!(!printed.contains("sk-very-secret"), "{printed}");
        assert!(printed.contains("redacted"), "{printed}");
    }

    #[test]
    fn every_method_has_its_answer_type_and_one_name() {
        let names: Vec<&str> = AgentResponse::TYPESCRIPT.iter().map(|(m, _)| *m).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a method is listed twice");
        for m in &names {
            // Every listed method parses as a request (with its parameters where it has some).
            let params = match *m {
                "set_mode" => json!({"mode": "idle", "gpu": null}),
                "pause" => json!({"preset": "one_hour"}),
                "save_thermal" => {
                    json!({"form": {"gpu_uuid": null, "soft_limit_c": 80.0, "critical_limit_c": 90.0, "hysteresis_c": 5.0}})
                }
                "save_schedule" => json!({"cells": []}),
                "save_games" => json!({"games": []}),
                "remove_credential" => json!({"name": "vast_api_key"}),
                "set_credential" => json!({"name": "vast_api_key", "value": "x"}),
                "history" => {
                    json!({"query": {"range": {"preset": "7d"}, "gpu": null, "provider": null, "mode": null, "limit": null}})
                }
                "export_csv" => json!({"from_ms": 0, "to_ms": 1}),
                "resume_auto" => json!({}),
                _ => serde_json::Value::Null,
            };
            let needs_form = matches!(
                *m,
                "save_electricity"
                    | "save_providers"
                    | "save_notifications"
                    | "save_api"
                    | "test_provider"
            );
            if needs_form {
                continue; // forms are covered by the settings tests; their shape is large
            }
            let call = if params.is_null() {
                json!({"method": m})
            } else {
                json!({"method": m, "params": params})
            };
            let r: AgentRequest =
                serde_json::from_value(call).unwrap_or_else(|e| panic!("{m}: {e}"));
            assert_eq!(r.method(), *m);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_service_answers_from_the_agent_and_saves_settings_it_then_adopts() {
        let dir = tempfile::tempdir().unwrap();
        let agent = crate::testing::start(dir.path()).await;
        let path = dir.path().join("config.toml");
        let service = AgentService::new(agent.handle.clone(), path.clone());

        let AgentResponse::Status(s) = service.call(AgentRequest::Status).await.unwrap() else {
            panic!("status answers with the snapshot");
        };
        assert_eq!(s.gpus.len(), 2);

        // An unknown GPU is refused with a code, not a sentence to parse.
        let e = service
            .call(AgentRequest::SetMode {
                mode: Mode::Idle,
                gpu: Some("GPU-nope".into()),
                until: None,
            })
            .await
            .unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::Rejected);

        // The test agent has no configuration file to reload: that is said, with what to do.
        let e = service.call(AgentRequest::ReloadConfig).await.unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::ConfigFile);

        // A grid of the wrong size is refused and nothing is written.
        let e = service
            .call(AgentRequest::SaveSchedule {
                cells: vec![Paint::Idle],
            })
            .await
            .unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::Rejected);
        assert!(!path.exists());

        // History without a ledger says so.
        let e = service
            .call(AgentRequest::History {
                query: HistoryQuery {
                    range: overtime_core::Period::Last7Days,
                    gpu: None,
                    provider: None,
                    mode: None,
                    limit: None,
                },
            })
            .await
            .unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::Ledger);
        agent.stop().await;
    }
}
