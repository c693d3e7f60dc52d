//! Every command the dashboard may call. Each is a thin call into the agent's handle or the
//! settings file; none holds logic of its own. Errors cross as `{code, message, fields}`.

use std::sync::Arc;

use jiff::Timestamp;
use tauri::{AppHandle, State};

use crate::control::{self, Control, PausePreset};
use crate::error::DesktopError;
use crate::settings::{self, Paint, SettingsView, ThermalForm};
use crate::shell::Shell;
use crate::wire::{UiMode, UiSnapshot};

type Result<T> = std::result::Result<T, DesktopError>;

/// The current snapshot, for a window that has just opened (events follow).
#[tauri::command]
pub fn get_snapshot(shell: State<'_, Arc<Shell>>) -> UiSnapshot {
    shell.ui_snapshot()
}

/// Forces `mode` on every GPU (`gpu` null) or one GPU, until the user goes back to automatic.
#[tauri::command]
pub async fn set_mode(
    shell: State<'_, Arc<Shell>>,
    mode: UiMode,
    gpu: Option<String>,
) -> Result<()> {
    run(&shell, Control::Force { mode, gpu }).await
}

/// Idles every GPU for the preset's time.
#[tauri::command]
pub async fn pause(shell: State<'_, Arc<Shell>>, preset: PausePreset) -> Result<()> {
    run(&shell, Control::Pause(preset)).await
}

/// Clears every override: the schedule and the policy decide again.
#[tauri::command]
pub async fn resume_auto(shell: State<'_, Arc<Shell>>) -> Result<()> {
    run(&shell, Control::Auto).await
}

async fn run(shell: &Shell, control: Control) -> Result<()> {
    let tz = control::zone_named(&shell.handle.snapshot().timezone);
    control::apply(&shell.handle, control, Timestamp::now(), &tz).await
}

/// The settings as the configuration file has them now.
#[tauri::command]
pub fn get_settings(shell: State<'_, Arc<Shell>>) -> Result<SettingsView> {
    let doc = settings::read_document(&shell.config_path)?;
    let config = settings::check(&doc).unwrap_or_else(|_| shell.config());
    Ok(view(&shell, &config))
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
    let mut doc = settings::read_document(&shell.config_path)?;
    edit(&mut doc)?;
    let config = settings::save(&shell.config_path, &doc)?;
    shell.set_config(config.clone());
    shell
        .handle
        .reload_config()
        .await
        .map_err(DesktopError::from_agent)?;
    Ok(view(shell, &config))
}

/// Saves thermal limits for every GPU (`gpu_uuid` null) or one.
#[tauri::command]
pub async fn save_thermal(shell: State<'_, Arc<Shell>>, form: ThermalForm) -> Result<SettingsView> {
    save_with(&shell, |doc| {
        settings::apply_thermal(doc, &form);
        Ok(())
    })
    .await
}

/// Saves the weekly grid (168 cells, Monday 00:00 first).
#[tauri::command]
pub async fn save_schedule(
    shell: State<'_, Arc<Shell>>,
    cells: Vec<Paint>,
) -> Result<SettingsView> {
    save_with(&shell, |doc| settings::apply_schedule(doc, &cells)).await
}

/// Saves the list of executables that count as games.
#[tauri::command]
pub async fn save_games(shell: State<'_, Arc<Shell>>, games: Vec<String>) -> Result<SettingsView> {
    save_with(&shell, |doc| {
        settings::apply_games(doc, &games);
        Ok(())
    })
    .await
}

/// The system's locale as a BCP 47 tag (`de-DE`), or null when the system names none a
/// browser understands (`C`, `POSIX`). The UI then falls back to its own, then `en-US`.
#[tauri::command]
pub fn get_locale() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| crate::locale::to_bcp47(&v))
}

/// Stops the agent cleanly and ends the app (for desktops without a tray, where the window is
/// the only way to quit).
#[tauri::command]
pub fn quit_app(app: AppHandle) {
    crate::quit(&app);
}

/// The dashboard drew its first telemetry: logged with the time since launch, which is how
/// start-up speed is measured (scripts/bench-desktop).
#[tauri::command]
pub fn ui_ready(shell: State<'_, Arc<Shell>>) {
    tracing::info!(
        since_launch_ms = shell.started.elapsed().as_millis(),
        "dashboard drew its first telemetry"
    );
}
