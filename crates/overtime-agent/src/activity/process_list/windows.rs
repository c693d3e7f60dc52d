//! Windows process source: one Toolhelp32 snapshot per poll lists PIDs with their image names,
//! and only a PID not seen before is opened to read its full image path
//! (`QueryFullProcessImageNameW`), so a game is named by the same file name a glob matches on
//! Linux. Opening needs only `PROCESS_QUERY_LIMITED_INFORMATION`, which Windows grants for other
//! users' and most elevated processes too.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::io;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, INVALID_HANDLE_VALUE, STILL_ACTIVE};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
};
use windows_sys::Win32::System::Threading::{
    GetExitCodeProcess, OpenProcess, PROCESS_NAME_WIN32, PROCESS_QUERY_LIMITED_INFORMATION,
    QueryFullProcessImageNameW,
};

use super::{ProcessNames, ProcessSource};

/// A process as the last snapshot listed it.
#[derive(Debug, Clone)]
struct Listed {
    image: String,
    parent: u32,
}

/// Lists processes with Toolhelp32 snapshots.
#[derive(Debug, Default)]
pub struct ToolhelpSource {
    /// The last snapshot, for the image names `short_name` and `describe` give back.
    listed: HashMap<u32, Listed>,
}

impl ToolhelpSource {
    /// Fails when no snapshot can be taken (then game detection by name cannot work).
    pub fn new() -> io::Result<Self> {
        let mut source = ToolhelpSource::default();
        source.snapshot()?;
        Ok(source)
    }

    /// Replaces `listed` with a fresh snapshot.
    fn snapshot(&mut self) -> io::Result<()> {
        let snapshot = Snapshot::take()?;
        self.listed.clear();
        let mut entry = PROCESSENTRY32W {
            dwSize: size_of::<PROCESSENTRY32W>() as u32,
            ..Default::default()
        };
        // SAFETY: the handle is a live snapshot and `entry` is a correctly sized
        // PROCESSENTRY32W that the calls fill in.
        let mut more = unsafe { Process32FirstW(snapshot.0, &mut entry) } != 0;
        while more {
            self.listed.insert(
                entry.th32ProcessID,
                Listed {
                    image: wide_until_nul(&entry.szExeFile),
                    parent: entry.th32ParentProcessID,
                },
            );
            // SAFETY: as above.
            more = unsafe { Process32NextW(snapshot.0, &mut entry) } != 0;
        }
        Ok(())
    }
}

impl ProcessSource for ToolhelpSource {
    fn pids(&mut self, out: &mut Vec<u32>) -> io::Result<()> {
        self.snapshot()?;
        out.clear();
        out.extend(self.listed.keys().copied());
        Ok(())
    }

    fn describe(&mut self, pid: u32) -> Option<ProcessNames> {
        let process = OpenedProcess::open(pid)?;
        if !process.running() {
            return None;
        }
        let path = process.image_path();
        let image = self
            .listed
            .get(&pid)
            .map(|l| l.image.clone())
            .or_else(|| path.as_deref().map(|p| super::file_name(p).to_owned()))?;
        Some(ProcessNames::new(&image, path.as_deref(), None))
    }

    fn alive(&mut self, pid: u32) -> bool {
        OpenedProcess::open(pid).is_some_and(|p| p.running())
    }

    fn short_name(&mut self, pid: u32) -> Option<String> {
        self.listed.get(&pid).map(|l| l.image.clone())
    }
}

/// The names of a running process from its image path alone, without a snapshot: for a
/// single process found another way (the program in front).
pub(crate) fn names_of(pid: u32) -> Option<ProcessNames> {
    let process = OpenedProcess::open(pid)?;
    if !process.running() {
        return None;
    }
    let path = process.image_path()?;
    Some(ProcessNames::new(
        super::file_name(&path),
        Some(&path),
        None,
    ))
}

/// The parent of `pid`, from one snapshot.
pub fn parent_of(pid: u32) -> Option<u32> {
    let source = ToolhelpSource::new().ok()?;
    source.listed.get(&pid).map(|l| l.parent)
}

/// A Toolhelp32 snapshot handle, closed on drop.
struct Snapshot(HANDLE);

impl Snapshot {
    fn take() -> io::Result<Snapshot> {
        // SAFETY: plain flags in; the result is checked before use.
        let handle = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) };
        if handle == INVALID_HANDLE_VALUE {
            return Err(io::Error::last_os_error());
        }
        Ok(Snapshot(handle))
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        // SAFETY: the handle came from CreateToolhelp32Snapshot and is closed once.
        unsafe { CloseHandle(self.0) };
    }
}

/// A process opened for limited queries, closed on drop.
struct OpenedProcess(HANDLE);

impl OpenedProcess {
    /// `None` when the process has gone or Windows refuses even a limited query (protected
    /// system processes, never games).
    fn open(pid: u32) -> Option<OpenedProcess> {
        // SAFETY: plain values in; a null result means failure and is not used.
        let handle = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
        (!handle.is_null()).then_some(OpenedProcess(handle))
    }

    /// An exited process stays openable while anyone holds a handle to it.
    fn running(&self) -> bool {
        let mut code = 0u32;
        // SAFETY: a live process handle and a valid out pointer.
        let ok = unsafe { GetExitCodeProcess(self.0, &mut code) } != 0;
        ok && code == STILL_ACTIVE as u32
    }

    /// The full Win32 path of the executable, e.g. `C:\Games\Game\game.exe`.
    fn image_path(&self) -> Option<String> {
        // Paths beyond MAX_PATH exist (long-path aware installs), so leave room for them.
        let mut buf = vec![0u16; 1024];
        let mut len = buf.len() as u32;
        // SAFETY: `buf` holds `len` u16s; on success `len` is the length written, without
        // the terminating NUL.
        let ok = unsafe {
            QueryFullProcessImageNameW(self.0, PROCESS_NAME_WIN32, buf.as_mut_ptr(), &mut len)
        } != 0;
        ok.then(|| String::from_utf16_lossy(&buf[..len as usize]))
    }
}

impl Drop for OpenedProcess {
    fn drop(&mut self) {
        // SAFETY: the handle came from OpenProcess and is closed once.
        unsafe { CloseHandle(self.0) };
    }
}

/// A fixed-size UTF-16 field up to its first NUL.
fn wide_until_nul(wide: &[u16]) -> String {
    let end = wide.iter().position(|&c| c == 0).unwrap_or(wide.len());
    String::from_utf16_lossy(&wide[..end])
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// A process of our own that stays until killed: this test binary again, waiting on a
    /// test that never ends, started as `dir\name`.
    pub(crate) fn start_sleeper(dir: &std::path::Path, name: &str) -> std::process::Child {
        let copy = dir.join(name);
        std::fs::copy(std::env::current_exe().unwrap(), &copy).unwrap();
        Command::new(&copy)
            .args([
                "--exact",
                "--ignored",
                "activity::process_list::windows::tests::sleeper",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    #[test]
    #[ignore = "only run as the child of a_new_process_is_listed_and_named_by_its_image_path"]
    fn sleeper() {
        std::thread::sleep(Duration::from_secs(120));
    }

    #[test]
    fn a_new_process_is_listed_and_named_by_its_image_path_and_its_end_is_seen() {
        let dir = std::env::temp_dir().join(format!("overtime-toolhelp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut source = ToolhelpSource::new().unwrap();
        let mut pids = Vec::new();
        source.pids(&mut pids).unwrap();
        let mut child = start_sleeper(&dir, "overtime-test-game.exe");
        let pid = child.id();
        assert!(!pids.contains(&pid));

        // One poll after the start is enough: nothing is cached between snapshots.
        source.pids(&mut pids).unwrap();
        assert!(
            pids.contains(&pid),
            "listed in the first poll after it started"
        );
        let names = source.describe(pid).expect("named");
        assert_eq!(
            names.exe.as_deref(),
            Some("overtime-test-game.exe"),
            "{names:?}"
        );
        assert_eq!(names.comm.as_deref(), Some("overtime-test-game.exe"));
        assert_eq!(
            source.short_name(pid).as_deref(),
            Some("overtime-test-game.exe")
        );
        assert!(source.alive(pid));
        assert_eq!(parent_of(pid), Some(std::process::id()));

        child.kill().unwrap();
        child.wait().unwrap();
        let start = Instant::now();
        while source.alive(pid) && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!source.alive(pid), "an ended process is not alive");
        source.pids(&mut pids).unwrap();
        assert!(!pids.contains(&pid));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn fixed_size_names_end_at_the_first_nul() {
        let mut field = [0u16; 8];
        for (slot, c) in field.iter_mut().zip("game.exe".encode_utf16()) {
            *slot = c;
        }
        assert_eq!(wide_until_nul(&field), "game.exe");
        field[4] = 0;
        assert_eq!(wide_until_nul(&field), "game");
    }
}
