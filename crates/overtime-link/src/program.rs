//! Finding the desktop app's other program: the host starts the window, and a window launched on
//! its own starts the host. Both are installed side by side.

use std::ffi::OsString;
use std::path::PathBuf;

/// The desktop app's other program: the path in `env_var` when set and not empty, else `name`
/// (with the platform's executable suffix, `.exe` on Windows) in the directory of the running
/// executable, if it is there.
pub fn sibling_program(env_var: &str, name: &str) -> Option<PathBuf> {
    find(
        std::env::var_os(env_var),
        std::env::current_exe().ok(),
        name,
    )
}

fn find(named: Option<OsString>, current_exe: Option<PathBuf>, name: &str) -> Option<PathBuf> {
    if let Some(p) = named.filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let candidate = current_exe?
        .parent()?
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    candidate.exists().then_some(candidate)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_named_path_wins_else_the_program_beside_ours_if_it_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("overtime-desktop");
        let beside = dir.path().join(format!(
            "overtime-dashboard{}",
            std::env::consts::EXE_SUFFIX
        ));
        assert_eq!(
            find(
                Some("/opt/x".into()),
                Some(ours.clone()),
                "overtime-dashboard"
            ),
            Some(PathBuf::from("/opt/x"))
        );
        assert_eq!(
            find(Some("".into()), Some(ours.clone()), "overtime-dashboard"),
            None
        );
        std::fs::write(&beside, b"").unwrap();
        assert_eq!(find(None, Some(ours), "overtime-dashboard"), Some(beside));
        assert_eq!(find(None, None, "overtime-dashboard"), None);
    }
}
