//! The local API section: whether the loopback HTTP API (and `/metrics`) runs, and on which
//! port. The agent's API host follows these settings, so a change applies as soon as it is saved.

use crate::config::Config;
use serde::{Deserialize, Serialize};
use toml_edit::DocumentMut;
use ts_rs::TS;

use super::text::Fields;
use super::{edit_table, set, slot};

/// `[api]` as the form shows it; the port is text as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiForm {
    pub enabled: bool,
    pub port: String,
    pub metrics: bool,
}

/// The form as `config` holds it.
pub fn form(config: &Config) -> ApiForm {
    ApiForm {
        enabled: config.api.enabled,
        port: config.api.port.to_string(),
        metrics: config.api.metrics,
    }
}

/// Writes the form into `[api]`; a port that does not read goes to `fields`.
pub fn apply(doc: &mut DocumentMut, form: &ApiForm, fields: &mut Fields) {
    let port = fields.whole::<u16>("api.port", &form.port);
    edit_table(slot(doc, "api"), false, |a| {
        set(a, "enabled", form.enabled);
        if let Some(port) = port {
            set(a, "port", i64::from(port));
        }
        set(a, "metrics", form.metrics);
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::edit::{apply_api, check, rejected};

    #[test]
    fn turning_the_api_off_and_moving_its_port_keeps_comments() {
        let mut d: DocumentMut = "[api]\n# Grafana scrapes this\nport = 47615\n"
            .parse()
            .unwrap();
        apply_api(
            &mut d,
            &ApiForm {
                enabled: false,
                port: "48000".into(),
                metrics: true,
            },
        )
        .unwrap();
        assert!(d.to_string().contains("# Grafana scrapes this"), "{d}");
        let api = check(&d).unwrap().api;
        assert!(!api.enabled);
        assert_eq!(api.port, 48000);
    }

    #[test]
    fn a_privileged_or_unreadable_port_is_refused_at_api_port() {
        for (typed, says) in [("80", "from 1024 to 65535"), ("8o80", "not a whole number")] {
            let mut d = DocumentMut::new();
            let applied = apply_api(
                &mut d,
                &ApiForm {
                    enabled: true,
                    port: typed.into(),
                    metrics: true,
                },
            );
            let fields = rejected(&d, applied);
            assert_eq!(fields.len(), 1, "{fields:?}");
            assert_eq!(fields[0].field, "api.port");
            assert!(fields[0].message.contains(says), "{typed}: {fields:?}");
        }
    }
}
