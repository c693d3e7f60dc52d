//! The process list as the game watcher sees it: a cheap way to list PIDs and a dearer way to name
//! one process. Listing runs every poll, naming only for PIDs not seen before, which keeps the
//! watcher near zero CPU (a full `sysinfo` refresh costs milliseconds per poll).

pub mod fake;
#[cfg(target_os = "linux")]
pub mod linux;
pub mod sysinfo_source;
#[cfg(windows)]
pub mod windows;

use std::io;

/// Every name a game pattern may match for one process. Each is a bare file name (no folder);
/// empty names are stored as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessNames {
    /// The short name the OS keeps: Linux `/proc/PID/comm`, which the kernel truncates to 15
    /// bytes (`overtime-test-game` reads `overtime-test-g`); the image name elsewhere.
    pub comm: Option<String>,
    /// File name of the executable (`/proc/PID/exe` on Linux). `None` when it cannot be read,
    /// typically another user's process.
    pub exe: Option<String>,
    /// File name in argv\[0\], split on both `/` and `\` so Wine/Proton games started as
    /// `Z:\games\Game.exe` read `Game.exe`.
    pub argv0: Option<String>,
}

impl ProcessNames {
    /// Builds the names from what the OS reports: `exe_path` and `argv0` may be full paths
    /// (Unix or Windows style) and are cut to their file names. A `" (deleted)"` suffix Linux
    /// adds to the executable of a replaced binary is dropped.
    pub fn new(comm: &str, exe_path: Option<&str>, argv0: Option<&str>) -> Self {
        let exe = exe_path.map(|p| p.strip_suffix(" (deleted)").unwrap_or(p));
        ProcessNames {
            comm: non_empty(comm.trim_end_matches('\n')),
            exe: exe.map(file_name).and_then(non_empty),
            argv0: argv0.map(file_name).and_then(non_empty),
        }
    }

    /// The names in the order they are tried against patterns: comm, exe, argv0.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        [&self.comm, &self.exe, &self.argv0]
            .into_iter()
            .filter_map(|n| n.as_deref())
    }

    /// The name to show a user for a process that matched no pattern. A Windows program under
    /// Wine/Proton runs from a `wine*` loader, so its argv0 (`Game.exe`) says more than its
    /// executable; otherwise the executable's name is untruncated, unlike comm.
    pub fn display_name(&self) -> &str {
        let windows_argv0 = self
            .argv0
            .as_deref()
            .filter(|a| a.to_ascii_lowercase().ends_with(".exe"));
        windows_argv0
            .or(self.exe.as_deref())
            .or(self.comm.as_deref())
            .or(self.argv0.as_deref())
            .unwrap_or("")
    }
}

/// The part of `path` after the last `/` or `\`.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn non_empty(name: &str) -> Option<String> {
    (!name.is_empty()).then(|| name.to_owned())
}

/// Where the game watcher gets its processes from.
pub trait ProcessSource: Send {
    /// Replaces the contents of `out` with the PIDs of all processes now running. Called every
    /// poll, so it must be cheap: no per-process reads. An error means the list could not be
    /// read at all (the watcher then keeps what it knew).
    fn pids(&mut self, out: &mut Vec<u32>) -> io::Result<()>;

    /// The names of one process; `None` when it has exited or cannot be read. Called once for
    /// each PID the watcher has not seen before (and a few times more while it is young, see
    /// [`crate::activity::games::GameWatcher`]).
    fn describe(&mut self, pid: u32) -> Option<ProcessNames>;

    /// A number that changes whenever a process is created (Linux: the last PID handed out), or
    /// `None` when the platform cannot tell. While it stays the same, no new process exists, so
    /// the watcher can skip listing them and only check that the games it knows still run.
    fn generation(&mut self) -> Option<u64> {
        None
    }

    /// Whether a process still runs (only asked for the few games the watcher knows).
    fn alive(&mut self, pid: u32) -> bool {
        self.describe(pid).is_some()
    }

    /// Just the short name (`comm`), for the cheap second looks at young processes: an exec or
    /// a rename changes it, and only then are the other names read again.
    fn short_name(&mut self, pid: u32) -> Option<String> {
        self.describe(pid).and_then(|n| n.comm)
    }
}

impl<S: ProcessSource + ?Sized> ProcessSource for Box<S> {
    fn pids(&mut self, out: &mut Vec<u32>) -> io::Result<()> {
        (**self).pids(out)
    }

    fn describe(&mut self, pid: u32) -> Option<ProcessNames> {
        (**self).describe(pid)
    }

    fn generation(&mut self) -> Option<u64> {
        (**self).generation()
    }

    fn alive(&mut self, pid: u32) -> bool {
        (**self).alive(pid)
    }

    fn short_name(&mut self, pid: u32) -> Option<String> {
        (**self).short_name(pid)
    }
}

/// The process source for this OS: `/proc` on Linux, Toolhelp32 on Windows, `sysinfo`
/// elsewhere.
pub fn native_source() -> io::Result<Box<dyn ProcessSource>> {
    #[cfg(target_os = "linux")]
    {
        Ok(Box::new(linux::LinuxProcSource::new()?))
    }
    #[cfg(windows)]
    {
        Ok(Box::new(windows::ToolhelpSource::new()?))
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        Ok(Box::new(sysinfo_source::SysinfoSource::new()?))
    }
}

/// Our own PID and our parent's: never games, whatever they are called or render.
pub fn own_pids() -> Vec<u32> {
    let mut pids = vec![std::process::id()];
    pids.extend(parent_pid());
    pids
}

#[cfg(unix)]
fn parent_pid() -> Option<u32> {
    Some(std::os::unix::process::parent_id())
}

#[cfg(windows)]
fn parent_pid() -> Option<u32> {
    windows::parent_of(std::process::id())
}

#[cfg(not(any(unix, windows)))]
fn parent_pid() -> Option<u32> {
    sysinfo_source::parent_of(std::process::id())
}
