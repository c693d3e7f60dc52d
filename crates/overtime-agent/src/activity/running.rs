//! The names of the programs running now, for picking a game from a list instead of typing its
//! executable name. Read through the game watcher's own [`ProcessSource`], so the picker offers
//! exactly the names the watcher will later match.

use std::io;

use super::process_list::{ProcessNames, ProcessSource};

/// Executables that are Overtime itself, whichever front end runs it.
const OWN_NAMES: &[&str] = &[
    "overtime",
    "overtime-desktop",
    "overtime.exe",
    "overtime-desktop.exe",
];

/// Every running program's name ([`ProcessNames::display_name`]), without repeats, sorted
/// case-insensitively. Left out: kernel threads (no executable and no command line), the
/// processes in `exclude_pids` (pass [`super::process_list::own_pids`]) and Overtime's own
/// executables. Fails only when the process list cannot be read at all.
pub fn running_names(
    source: &mut dyn ProcessSource,
    exclude_pids: &[u32],
) -> io::Result<Vec<String>> {
    let mut pids = Vec::new();
    source.pids(&mut pids)?;
    let mut names: Vec<String> = pids
        .into_iter()
        .filter(|pid| !exclude_pids.contains(pid))
        .filter_map(|pid| source.describe(pid))
        .filter(|n| !is_kernel_thread(n) && !is_overtime(n))
        .map(|n| n.display_name().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    names.sort_by(|a, b| {
        a.to_lowercase()
            .cmp(&b.to_lowercase())
            .then_with(|| a.cmp(b))
    });
    names.dedup();
    Ok(names)
}

/// Kernel threads have a short name but neither an executable nor a command line.
fn is_kernel_thread(n: &ProcessNames) -> bool {
    n.exe.is_none() && n.argv0.is_none()
}

fn is_overtime(n: &ProcessNames) -> bool {
    [&n.exe, &n.argv0]
        .into_iter()
        .flatten()
        .any(|name| OWN_NAMES.iter().any(|own| own.eq_ignore_ascii_case(name)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::activity::process_list::fake::FakeProcessSource;

    fn program(comm: &str, exe: &str) -> ProcessNames {
        ProcessNames::new(comm, Some(exe), Some(exe))
    }

    #[test]
    fn lists_each_program_once_sorted_without_kernel_threads_or_overtime() {
        let source = FakeProcessSource::new();
        source.start(2, ProcessNames::new("kthreadd", None, None));
        source.start(15, ProcessNames::new("kworker/0:1", None, None));
        source.start(100, program("steam", "/usr/bin/steam"));
        source.start(101, program("bash", "/usr/bin/bash"));
        source.start(102, program("bash", "/usr/bin/bash"));
        source.start(
            103,
            ProcessNames::new(
                "wine64-preload",
                Some("/usr/bin/wine64"),
                Some("Z:\\g\\Game.exe"),
            ),
        );
        source.start(104, program("Discord", "/opt/discord/Discord"));
        source.start(200, program("overtime-deskto", "/usr/bin/overtime-desktop"));
        source.start(201, program("overtime", "/usr/local/bin/overtime"));
        source.start(300, program("self", "/tmp/some-test-binary"));

        let mut s = source.clone();
        let names = running_names(&mut s, &[300]).unwrap();
        assert_eq!(names, ["bash", "Discord", "Game.exe", "steam"]);
    }

    #[test]
    fn another_users_process_still_counts_by_its_command_line() {
        let source = FakeProcessSource::new();
        // /proc/PID/exe is unreadable for other users' processes; cmdline is not.
        source.start(
            7,
            ProcessNames::new("eldenring.exe", None, Some("eldenring.exe")),
        );
        let mut s = source.clone();
        assert_eq!(running_names(&mut s, &[]).unwrap(), ["eldenring.exe"]);
    }

    #[test]
    fn an_unreadable_process_list_is_an_error() {
        let source = FakeProcessSource::new();
        source.fail_listing(true);
        let mut s = source.clone();
        assert!(running_names(&mut s, &[]).is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_real_process_list_has_no_kernel_threads_and_no_repeats() {
        let mut source = crate::activity::process_list::native_source().unwrap();
        let own = crate::activity::process_list::own_pids();
        let names = running_names(source.as_mut(), &own).unwrap();
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with("kworker") || n == "kthreadd"),
            "{names:?}"
        );
        assert!(names.windows(2).all(|w| w[0] != w[1]), "{names:?}");
    }
}
