//! The `overtime-desktop` binary: the desktop app. Everything lives in the library so tests can
//! reach it; this only hands control to it.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    overtime_desktop::run()
}
