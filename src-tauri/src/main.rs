//! The `overtime-dashboard` binary: the dashboard window, started by `overtime-desktop`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    overtime_dashboard::run()
}
