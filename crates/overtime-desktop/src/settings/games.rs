//! The games picker: the programs running now, so a game can be added to `activity.games` by
//! choosing it from a list while it runs instead of guessing its executable name.

use overtime_agent::activity::process_list::{native_source, own_pids};
use overtime_agent::activity::running::running_names;

use crate::error::AgentError;

/// Names of the programs running now (deduplicated, sorted, without kernel threads or Overtime
/// itself), read the way the game watcher reads them.
pub async fn running_programs() -> Result<Vec<String>, AgentError> {
    let listed = tokio::task::spawn_blocking(|| {
        let mut source = native_source()?;
        running_names(source.as_mut(), &own_pids())
    })
    .await
    .map_err(|e| unreadable(&e.to_string()))?;
    listed.map_err(|e| unreadable(&e.to_string()))
}

fn unreadable(detail: &str) -> AgentError {
    AgentError::Rejected(format!(
        "cannot list the running programs ({detail}); type the game's executable name instead"
    ))
}

// Linux only: the test starts a copy of /bin/sleep.
#[cfg(all(test, target_os = "linux"))]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_program_started_now_is_offered_and_this_process_is_not() {
        // A child of this process with a name no other test uses, longer than the 15 bytes
        // Linux keeps as its short name: the picker must offer the whole name.
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("picker-probe-game");
        std::fs::copy("/bin/sleep", &exe).unwrap();
        let mut child = std::process::Command::new(&exe).arg("30").spawn().unwrap();
        let names = running_programs().await;
        let _ = child.kill();
        let _ = child.wait();
        let names = names.unwrap();
        assert!(names.iter().any(|n| n == "picker-probe-game"), "{names:?}");
        let me = std::env::current_exe().unwrap();
        let me = me.file_name().unwrap().to_str().unwrap();
        assert!(!names.iter().any(|n| n == me), "{me} listed: {names:?}");
    }
}
