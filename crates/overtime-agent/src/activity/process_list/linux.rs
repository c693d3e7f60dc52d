//! Linux process source reading `/proc` directly: one `read_dir` per poll to list PIDs, and three
//! small reads (`comm`, `exe`, `cmdline`) only when a PID is new. No `sysinfo` here: it would
//! stat and parse every process on every poll.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{ProcessNames, ProcessSource};

/// Reads processes from a procfs mount (normally `/proc`).
#[derive(Debug)]
pub struct LinuxProcSource {
    root: PathBuf,
    /// Reused for `/proc/PID/...` paths and `cmdline` contents, so naming a process allocates
    /// little more than its names.
    path: PathBuf,
    cmdline: Vec<u8>,
}

/// Longest argv\[0\] prefix read from `cmdline`; a path longer than this is cut, which at worst
/// loses the file name of an absurdly deep path.
const CMDLINE_PREFIX_BYTES: usize = 4096;

impl LinuxProcSource {
    /// The source over `/proc`. Fails when `/proc` cannot be listed (a sandbox without procfs):
    /// game detection by name then cannot work.
    pub fn new() -> io::Result<Self> {
        Self::with_root("/proc")
    }

    /// The source over another procfs-shaped folder; tests use a fake tree.
    pub fn with_root(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        fs::read_dir(&root)?;
        Ok(LinuxProcSource {
            path: PathBuf::with_capacity(root.as_os_str().len() + 32),
            root,
            cmdline: vec![0; CMDLINE_PREFIX_BYTES],
        })
    }
}

/// Points `buf` at `root/PID/file` without allocating a fresh path.
fn proc_path<'a>(buf: &'a mut PathBuf, root: &Path, pid: u32, file: &str) -> &'a Path {
    buf.clear();
    buf.push(root);
    buf.push(pid.to_string());
    buf.push(file);
    buf
}

impl ProcessSource for LinuxProcSource {
    fn pids(&mut self, out: &mut Vec<u32>) -> io::Result<()> {
        out.clear();
        for entry in fs::read_dir(&self.root)? {
            // An entry that vanishes mid-listing is a process that just exited.
            let Ok(entry) = entry else { continue };
            if let Some(pid) = parse_pid(entry.file_name().as_encoded_bytes()) {
                out.push(pid);
            }
        }
        Ok(())
    }

    fn describe(&mut self, pid: u32) -> Option<ProcessNames> {
        let root = &self.root;
        let mut comm_buf = [0u8; 64];
        let comm_len =
            read_prefix(proc_path(&mut self.path, root, pid, "comm"), &mut comm_buf).ok()?;
        let comm = String::from_utf8_lossy(&comm_buf[..comm_len]).into_owned();

        // Unreadable for other users' processes and for kernel threads; the other names remain.
        let exe = fs::read_link(proc_path(&mut self.path, root, pid, "exe"))
            .ok()
            .map(|p| p.to_string_lossy().into_owned());

        let cmdline_path = proc_path(&mut self.path, root, pid, "cmdline");
        let argv0 = read_prefix(cmdline_path, &mut self.cmdline)
            .ok()
            .map(|len| {
                let bytes = &self.cmdline[..len];
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(len);
                String::from_utf8_lossy(&bytes[..end]).into_owned()
            });

        Some(ProcessNames::new(&comm, exe.as_deref(), argv0.as_deref()))
    }

    /// The last PID the kernel handed out, the fifth field of `/proc/loadavg`: one small read
    /// instead of listing every process, on the polls where nothing new was started.
    fn generation(&mut self) -> Option<u64> {
        let mut buf = [0u8; 128];
        let len = read_prefix(&self.root.join("loadavg"), &mut buf).ok()?;
        let text = std::str::from_utf8(&buf[..len]).ok()?;
        text.split_ascii_whitespace().nth(4)?.parse().ok()
    }

    fn short_name(&mut self, pid: u32) -> Option<String> {
        let mut buf = [0u8; 64];
        let len = read_prefix(proc_path(&mut self.path, &self.root, pid, "comm"), &mut buf).ok()?;
        let comm = String::from_utf8_lossy(&buf[..len]);
        Some(comm.trim_end_matches('\n').to_owned())
    }

    fn alive(&mut self, pid: u32) -> bool {
        self.path.clear();
        self.path.push(&self.root);
        self.path.push(pid.to_string());
        self.path.exists()
    }
}

/// A `/proc` entry name that is a PID: ASCII digits only (`self`, `cpuinfo`… are skipped).
fn parse_pid(name: &[u8]) -> Option<u32> {
    if name.is_empty() || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

/// Reads up to `buf.len()` bytes from the start of a file; procfs files may answer in pieces.
fn read_prefix(path: &Path, buf: &mut [u8]) -> io::Result<usize> {
    let mut file = File::open(path)?;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::parse_pid;

    #[test]
    fn only_all_digit_names_are_pids() {
        let cases: &[(&str, Option<u32>)] = &[
            ("1", Some(1)),
            ("4194304", Some(4_194_304)),
            ("self", None),
            ("thread-self", None),
            ("+12", None),
            ("", None),
            ("99999999999", None),
            ("12a", None),
        ];
        for (name, want) in cases {
            assert_eq!(parse_pid(name.as_bytes()), *want, "{name}");
        }
    }
}
