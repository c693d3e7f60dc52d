//! `overtime-desktop`: the desktop app's resident process (agent, tray, dashboard launcher).

fn main() -> std::process::ExitCode {
    overtime_desktop::run()
}
