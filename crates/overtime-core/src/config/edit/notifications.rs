//! The notifications section: which desktop notifications the user wants, one switch per kind
//! (`[notifications]`). Sending them is the shell's job; this only edits the switches.

use crate::config::{Config, NotificationsConfig};
use serde::{Deserialize, Serialize};
use toml_edit::DocumentMut;
use ts_rs::TS;

use super::{edit_table, set, slot};

/// One switch per kind of notification; all on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NotificationsForm {
    pub thermal_trip: bool,
    pub rental_started: bool,
    pub rental_ended: bool,
    pub provider_error: bool,
    pub override_expired: bool,
}

/// The form as `config` holds it.
pub fn form(config: &Config) -> NotificationsForm {
    let NotificationsConfig {
        thermal_trip,
        rental_started,
        rental_ended,
        provider_error,
        override_expired,
    } = config.notifications;
    NotificationsForm {
        thermal_trip,
        rental_started,
        rental_ended,
        provider_error,
        override_expired,
    }
}

/// Writes every switch into `[notifications]`.
pub fn apply(doc: &mut DocumentMut, form: &NotificationsForm) {
    edit_table(slot(doc, "notifications"), false, |n| {
        set(n, "thermal_trip", form.thermal_trip);
        set(n, "rental_started", form.rental_started);
        set(n, "rental_ended", form.rental_ended);
        set(n, "provider_error", form.provider_error);
        set(n, "override_expired", form.override_expired);
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::edit::EditError;
    use crate::config::edit::check;

    #[test]
    fn every_kind_is_on_by_default_and_each_switches_alone() {
        let defaults = form(&Config::default());
        assert!(
            defaults.thermal_trip
                && defaults.rental_started
                && defaults.rental_ended
                && defaults.provider_error
                && defaults.override_expired
        );
        let mut d: DocumentMut =
            "# quiet evenings\n[notifications]\nrental_started = true # keep\n"
                .parse()
                .unwrap();
        apply(
            &mut d,
            &NotificationsForm {
                rental_started: false,
                ..defaults
            },
        );
        let text = d.to_string();
        assert!(
            text.contains("# quiet evenings") && text.contains("# keep"),
            "{text}"
        );
        let n = check(&d).unwrap().notifications;
        assert!(!n.rental_started);
        assert!(n.thermal_trip && n.rental_ended && n.provider_error && n.override_expired);
    }

    #[test]
    fn a_switch_written_by_hand_as_text_is_a_field_error() {
        let d: DocumentMut = "[notifications]\nthermal_trip = \"off\"\n".parse().unwrap();
        match check(&d) {
            Err(EditError::Invalid(f)) => {
                assert_eq!(f[0].field, "notifications.thermal_trip");
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }
}
