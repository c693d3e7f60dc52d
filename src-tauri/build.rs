//! Build script: generates Tauri's context and the permissions of our own commands, so the
//! capability file can allow exactly these and nothing else.

fn main() {
    let commands: &[&str] = &[
        "get_snapshot",
        "set_mode",
        "pause",
        "resume_auto",
        "get_settings",
        "save_thermal",
        "save_schedule",
        "save_games",
        "get_locale",
        "quit_app",
    ];
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
