//! Replacing a file whole: the new contents go to a temporary file beside it, which is then
//! renamed over the old one, so a reader or a crash mid-write never sees half a file.
//!
//! On Windows the rename fails with "access denied" while another process has the old file
//! open without delete sharing (a reader such as `overtime status`, a virus scanner, Wine's
//! emulation of any reader), for as long as that reader holds it, usually milliseconds. The
//! rename is tried again for a short while there instead of failing the save.

use std::io;
use std::path::Path;
use std::time::Duration;

/// Writes `bytes` to `path` through `temp_extension` (e.g. `json.tmp`) and a rename.
pub fn replace_file(path: &Path, temp_extension: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension(temp_extension);
    std::fs::write(&tmp, bytes)?;
    let renamed = rename_retrying(&tmp, path, RETRY_PAUSES);
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

/// The pauses between tries on Windows: about a quarter of a second in all, short beside a
/// poll yet long enough for a reader to close a small file.
const RETRY_PAUSES: &[Duration] = &[
    Duration::from_millis(2),
    Duration::from_millis(5),
    Duration::from_millis(10),
    Duration::from_millis(25),
    Duration::from_millis(50),
    Duration::from_millis(150),
];

fn rename_retrying(from: &Path, to: &Path, pauses: &[Duration]) -> io::Result<()> {
    let mut pauses = pauses.iter();
    loop {
        match std::fs::rename(from, to) {
            Err(e) if held_by_a_reader(&e) => match pauses.next() {
                Some(pause) => std::thread::sleep(*pause),
                None => return Err(e),
            },
            other => return other,
        }
    }
}

/// Only Windows refuses a rename because of a reader; elsewhere "permission denied" is final.
fn held_by_a_reader(e: &io::Error) -> bool {
    cfg!(windows) && e.kind() == io::ErrorKind::PermissionDenied
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_new_contents_replace_the_old_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        replace_file(&path, "json.tmp", b"old").unwrap();
        replace_file(&path, "json.tmp", b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_rename_removes_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory in the way cannot be replaced by a file on any platform.
        let path = dir.path().join("in-the-way");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("keep"), b"x").unwrap();
        assert!(replace_file(&path, "tmp", b"new").is_err());
        assert!(!dir.path().join("in-the-way.tmp").exists());
    }

    /// A reader that keeps the file open for 30 ms: on Windows the save waits for it instead of
    /// failing; elsewhere the rename never waits.
    #[test]
    fn a_reader_holding_the_old_file_delays_the_save_but_does_not_fail_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        replace_file(&path, "json.tmp", b"old").unwrap();
        let held = held_open_for(&path, Duration::from_millis(30));
        replace_file(&path, "json.tmp", b"new").unwrap();
        held.join().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }

    /// Opens `path` the way a careless reader does on Windows (no delete sharing) and keeps it
    /// open for `hold`. Returns once the file is open.
    fn held_open_for(path: &Path, hold: Duration) -> std::thread::JoinHandle<()> {
        let (opened, wait) = std::sync::mpsc::channel();
        let path = path.to_owned();
        let handle = std::thread::spawn(move || {
            let mut options = std::fs::OpenOptions::new();
            options.read(true);
            #[cfg(windows)]
            {
                use std::os::windows::fs::OpenOptionsExt;
                const FILE_SHARE_READ: u32 = 1;
                options.share_mode(FILE_SHARE_READ);
            }
            let file = options.open(&path).unwrap();
            opened.send(()).unwrap();
            std::thread::sleep(hold);
            drop(file);
        });
        wait.recv().unwrap();
        handle
    }
}
