//! Process source through `sysinfo`, for the OSes without a cheaper native one (macOS, BSD).
//! Listing refreshes only what `sysinfo` always reads (PID, parent, image name); the executable
//! path and command line are fetched for new PIDs only.

use std::io;

use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};

use super::{ProcessNames, ProcessSource};

/// Lists processes with `sysinfo`. Compiled on every OS so it stays checked; the agent uses it
/// where [`super::native_source`] has nothing cheaper.
pub struct SysinfoSource {
    system: System,
}

impl SysinfoSource {
    /// Fails when `sysinfo` cannot read the process table on this OS.
    pub fn new() -> io::Result<Self> {
        let system = System::new().map_err(|e| io::Error::other(e.to_string()))?;
        Ok(SysinfoSource { system })
    }
}

impl ProcessSource for SysinfoSource {
    fn pids(&mut self, out: &mut Vec<u32>) -> io::Result<()> {
        self.system.refresh_processes_specifics(
            ProcessesToUpdate::All,
            true,
            ProcessRefreshKind::nothing().without_tasks(),
        );
        out.clear();
        out.extend(self.system.processes().keys().map(|pid| pid.as_u32()));
        Ok(())
    }

    fn describe(&mut self, pid: u32) -> Option<ProcessNames> {
        let pid = Pid::from_u32(pid);
        self.system.refresh_processes_specifics(
            ProcessesToUpdate::Some(&[pid]),
            true,
            ProcessRefreshKind::nothing()
                .without_tasks()
                .with_exe(UpdateKind::OnlyIfNotSet)
                .with_cmd(UpdateKind::OnlyIfNotSet),
        );
        let process = self.system.process(pid)?;
        let exe = process.exe().map(|p| p.to_string_lossy().into_owned());
        let argv0 = process
            .cmd()
            .first()
            .map(|a| a.to_string_lossy().into_owned());
        Some(ProcessNames::new(
            &process.name().to_string_lossy(),
            exe.as_deref(),
            argv0.as_deref(),
        ))
    }
}

/// The parent of `pid`, for OSes where the standard library cannot tell.
pub fn parent_of(pid: u32) -> Option<u32> {
    let pid = Pid::from_u32(pid);
    let mut system = System::new().ok()?;
    system.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        false,
        ProcessRefreshKind::nothing().without_tasks(),
    );
    Some(system.process(pid)?.parent()?.as_u32())
}
