//! The configuration file as the settings screen changes it: read as an editable document,
//! edited through `overtime_core::config::edit` (comments kept), validated, and written back
//! atomically — so the agent's file watcher never sees half a file, and only a valid one is
//! ever written. The agent keeps running on the previous configuration throughout.
//!
//! These read and write a file: callers on the async runtime run them on a blocking thread.

pub mod credentials;
pub mod provider_check;

use std::path::Path;

use overtime_core::config::Config;
use overtime_core::config::edit::{self, EditError};
use toml_edit::DocumentMut;

use crate::error::AgentError;

/// Reads the configuration file as an editable document (an absent file is an empty one).
pub fn read_document(path: &Path) -> Result<DocumentMut, AgentError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(AgentError::ConfigFile(format!(
                "cannot read {}: {e}; check its permissions",
                path.display()
            )));
        }
    };
    Ok(edit::parse_document(&text, path)?)
}

/// Reads the file at `path`, runs `edit` on it, and writes it back only when the edit succeeded
/// and the result is valid. Returns the configuration written.
pub fn edit_file(
    path: &Path,
    edit: impl FnOnce(&mut DocumentMut) -> Result<(), EditError>,
) -> Result<Config, AgentError> {
    let mut doc = read_document(path)?;
    edit(&mut doc)?;
    save(path, &doc)
}

/// Checks `doc` and, when valid, writes it to `path` atomically (temporary file, then rename).
pub fn save(path: &Path, doc: &DocumentMut) -> Result<Config, AgentError> {
    let config = edit::check(doc)?;
    let io = |e: std::io::Error| {
        AgentError::ConfigFile(format!(
            "cannot write {}: {e}; check the directory's permissions and free space",
            path.display()
        ))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    crate::file_replace::replace_file(path, "toml.saving", doc.to_string().as_bytes())
        .map_err(io)?;
    Ok(config)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use overtime_core::config::edit::{
        ThermalForm, apply_api, apply_electricity, apply_games, apply_providers, apply_thermal,
        view,
    };

    use super::*;

    #[test]
    fn a_rejected_section_leaves_the_file_exactly_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let original = "# original\n[api]\nport = 47615 # mine\n";
        std::fs::write(&path, original).unwrap();
        let base = view(&Config::default(), &path, &[]);
        type Edit = Box<dyn FnOnce(&mut DocumentMut) -> Result<(), EditError>>;
        let mut unreadable_price = base.electricity.clone();
        unreadable_price.price_per_kwh = "0,3x".into();
        let mut too_many_watts = base.electricity.clone();
        too_many_watts.rest_of_pc_w = "5000".into();
        let mut short_pause = base.providers.clone();
        short_pause.boinc.pause_s = "5".into();
        let mut low_port = base.api.clone();
        low_port.port = "80".into();
        let edits: Vec<(&str, Edit)> = vec![
            (
                "unreadable price",
                Box::new(move |d| apply_electricity(d, &unreadable_price)),
            ),
            (
                "watts out of range",
                Box::new(move |d| apply_electricity(d, &too_many_watts)),
            ),
            (
                "BOINC pause too short",
                Box::new(move |d| apply_providers(d, &short_pause)),
            ),
            (
                "privileged port",
                Box::new(move |d| apply_api(d, &low_port)),
            ),
        ];
        for (name, edit) in edits {
            assert!(
                matches!(edit_file(&path, edit), Err(AgentError::InvalidSettings(_))),
                "{name}"
            );
            assert_eq!(std::fs::read_to_string(&path).unwrap(), original, "{name}");
        }
    }

    #[test]
    fn save_writes_only_a_valid_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# original\n").unwrap();
        let mut bad = read_document(&path).unwrap();
        apply_thermal(
            &mut bad,
            &ThermalForm {
                gpu_uuid: None,
                soft_limit_c: 500.0,
                critical_limit_c: 90.0,
                hysteresis_c: 5.0,
            },
        );
        assert!(save(&path, &bad).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# original\n");

        let mut good = read_document(&path).unwrap();
        apply_games(&mut good, &["cs2".into()]);
        save(&path, &good).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(
            written.contains("# original") && written.contains("cs2"),
            "{written}"
        );
    }
}
