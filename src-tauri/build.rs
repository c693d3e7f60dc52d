//! Build script: generates Tauri's context and the permissions of our own commands, so the
//! capability file can allow exactly these and nothing else.
//!
//! The dashboard (`ui/dist`) is embedded at compile time. When it has not been built (a Rust-only
//! checkout running `cargo clippy --workspace`), a one-page stand-in is written so the crate
//! still compiles; the app then says how to build the real UI.

use std::path::Path;

const STAND_IN: &str = "<!doctype html><meta charset=utf-8><title>Overtime</title>\
<p>The dashboard was not built into this binary. Run <code>npm ci && npm run build</code> in \
<code>ui/</code>, then rebuild (scripts/test-desktop does both).</p>";

fn ensure_ui_dist() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    if dist.join("index.html").exists() {
        return;
    }
    println!("cargo:warning=ui/dist is missing: embedding a stand-in page (build the UI first)");
    if let Err(e) = std::fs::create_dir_all(&dist)
        .and_then(|()| std::fs::write(dist.join("index.html"), STAND_IN))
    {
        eprintln!("cannot write a stand-in ui/dist: {e}");
        std::process::exit(1);
    }
}

fn main() {
    ensure_ui_dist();
    let commands: &[&str] = &["host_call"];
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
