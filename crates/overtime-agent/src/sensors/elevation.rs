//! Whether this process has the rights NVML requires to change power limits: root on Linux, an
//! elevated token on Windows (an administrator's unelevated process is refused). Asked once at
//! start, so the dashboard can say why power limits are left alone before one is tried.

/// Whether this process may set power limits.
pub fn process_is_admin() -> bool {
    sys::process_is_admin()
}

#[cfg(target_os = "linux")]
use linux as sys;

#[cfg(target_os = "linux")]
mod linux {
    pub fn process_is_admin() -> bool {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| super::effective_uid(&status))
            == Some(0)
    }
}

/// The effective UID from `/proc/<pid>/status` (its `Uid:` line holds real, effective, saved,
/// filesystem).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn effective_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|uid| uid.parse().ok())
}

#[cfg(windows)]
use windows as sys;

#[cfg(windows)]
#[allow(unsafe_code)]
mod windows {
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::Security::{
        GetTokenInformation, TOKEN_ELEVATION, TOKEN_QUERY, TokenElevation,
    };
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    /// The token's elevation as Windows reports it. A token that cannot be read counts as not
    /// elevated: the dashboard then says power limits need an elevated start, which is true.
    pub fn process_is_admin() -> bool {
        let mut token: HANDLE = std::ptr::null_mut();
        // SAFETY: the pseudo handle of this process needs no closing; `token` is a valid out
        // pointer, read only on success.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return false;
        }
        let mut elevation = TOKEN_ELEVATION { TokenIsElevated: 0 };
        let mut written = 0u32;
        // SAFETY: `elevation` is a TOKEN_ELEVATION of the size passed; `token` is live.
        let ok = unsafe {
            GetTokenInformation(
                token,
                TokenElevation,
                (&raw mut elevation).cast(),
                size_of::<TOKEN_ELEVATION>() as u32,
                &mut written,
            )
        } != 0;
        // SAFETY: opened above, closed once.
        unsafe { CloseHandle(token) };
        ok && elevation.TokenIsElevated != 0
    }
}

/// Other platforms have no NVML power control we support.
#[cfg(not(any(target_os = "linux", windows)))]
use other as sys;

#[cfg(not(any(target_os = "linux", windows)))]
mod other {
    pub fn process_is_admin() -> bool {
        false
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn effective_uid_comes_from_the_second_uid_column() {
        let status =
            "Name:\tovertime\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n";
        assert_eq!(effective_uid(status), Some(0));
        assert_eq!(effective_uid("Uid:\t1000\t1000\t1000\t1000\n"), Some(1000));
        assert_eq!(effective_uid("Name:\tx\n"), None);
    }

    /// The shell's own test (membership of an enabled Administrators group, which an
    /// unelevated administrator's filtered token lacks) must give the same answer.
    #[cfg(windows)]
    #[test]
    #[allow(unsafe_code)]
    fn elevation_agrees_with_the_shells_administrator_test() {
        // SAFETY: no arguments, no preconditions.
        let shell_says = unsafe { windows_sys::Win32::UI::Shell::IsUserAnAdmin() } != 0;
        assert_eq!(process_is_admin(), shell_says);
    }
}
