//! Editing a configuration the way the settings screen does, beside the parser that reads it:
//! a form per section, applied to the file's text as a `toml_edit` document so the user's
//! comments and layout survive, then read back with `Config::parse` + `Config::validate`.
//! Nothing here touches a file: the agent reads and writes it (`overtime_agent::settings`).
//!
//! Each section has its own form type and `apply_*` function (thermal, schedule and games
//! here; the others in the submodules). Fields typed as text are read in `text`; what does not
//! read is reported next to its field together with whatever the configuration's own
//! validation finds, so the user sees every problem at once.

pub mod api;
pub mod electricity;
pub mod notifications;
pub mod providers;
mod text;

use std::path::Path;

use crate::Mode;
use crate::config::Config;
use crate::config::days::day_key;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};
use ts_rs::TS;

use crate::config::{ConfigError, Problem};
pub use api::ApiForm;
pub use electricity::ElectricityForm;
pub use notifications::NotificationsForm;
pub use providers::ProvidersForm;
use text::Fields;

/// One rejected settings field: its dotted config path and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FieldError {
    /// Dotted path as the configuration names it, e.g. `thermal.soft_limit_c` or
    /// `thermal.gpu."GPU-1".critical_limit_c`.
    pub field: String,
    /// What is wrong and what to do, in English (the CLI, the API, logs).
    pub message: String,
    /// The same as a catalogue message, which the window renders in the user's language.
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: String, problem: Problem) -> FieldError {
        FieldError {
            field,
            message: problem.english(),
            problem,
        }
    }
}

impl From<&ConfigError> for FieldError {
    fn from(e: &ConfigError) -> FieldError {
        FieldError {
            field: e.field.clone(),
            message: e.message.clone(),
            problem: e.problem.clone(),
        }
    }
}

/// Why an edit was not made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    /// Some fields do not read or do not validate: one entry each.
    #[error("some settings are not valid; fix the marked fields and save again")]
    Invalid(Vec<FieldError>),
    /// The request itself does not fit (a grid of the wrong size): a window older than the
    /// agent, most likely.
    #[error("{0}")]
    Malformed(String),
    /// The configuration's text is not TOML, so it cannot be edited without losing it.
    #[error("{0}")]
    NotToml(String),
}

/// Hours in the weekly grid: 7 days × 24 hours, Monday 00:00 first.
pub const GRID_CELLS: usize = 7 * 24;

/// What an hour of the week is painted with: the modes the schedule allows then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Paint {
    /// Rental or volunteer, whichever pays (the policy decides).
    Any,
    Rental,
    Volunteer,
    Idle,
}

impl Paint {
    fn modes(self) -> &'static [Mode] {
        match self {
            Paint::Any => &[Mode::Rental, Mode::Volunteer],
            Paint::Rental => &[Mode::Rental],
            Paint::Volunteer => &[Mode::Volunteer],
            Paint::Idle => &[Mode::Idle],
        }
    }

    fn from_allowed(rental: bool, volunteer: bool) -> Paint {
        match (rental, volunteer) {
            (true, true) => Paint::Any,
            (true, false) => Paint::Rental,
            (false, true) => Paint::Volunteer,
            (false, false) => Paint::Idle,
        }
    }
}

/// Thermal limits for all GPUs (`gpu_uuid` null) or one GPU, in °C.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ThermalForm {
    pub gpu_uuid: Option<String>,
    pub soft_limit_c: f64,
    pub critical_limit_c: f64,
    pub hysteresis_c: f64,
}

/// Everything the settings screen edits.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SettingsView {
    pub config_path: String,
    /// First the values for every GPU, then one entry per GPU the agent sees.
    pub thermal: Vec<ThermalForm>,
    /// 168 cells, Monday 00:00–01:00 first, in the schedule's time zone.
    pub schedule: Vec<Paint>,
    /// Executable names that count as games.
    pub games: Vec<String>,
    pub electricity: ElectricityForm,
    pub providers: ProvidersForm,
    pub notifications: NotificationsForm,
    pub api: ApiForm,
}

/// Reads the settings from `config`, with per-GPU limits for the GPUs in `gpus` (UUID, index).
pub fn view(config: &Config, path: &Path, gpus: &[(String, u32)]) -> SettingsView {
    let mut thermal = vec![ThermalForm {
        gpu_uuid: None,
        soft_limit_c: config.thermal.limits.soft_limit_c,
        critical_limit_c: config.thermal.limits.critical_limit_c,
        hysteresis_c: config.thermal.limits.hysteresis_c,
    }];
    for (uuid, index) in gpus {
        let l = config.thermal.limits_for(uuid, *index);
        thermal.push(ThermalForm {
            gpu_uuid: Some(uuid.clone()),
            soft_limit_c: l.soft_limit_c,
            critical_limit_c: l.critical_limit_c,
            hysteresis_c: l.hysteresis_c,
        });
    }
    SettingsView {
        config_path: path.display().to_string(),
        thermal,
        schedule: grid_of(config),
        games: config.activity.games.clone(),
        electricity: electricity::form(config),
        providers: providers::form(config),
        notifications: notifications::form(config),
        api: api::form(config),
    }
}

/// The schedule as a weekly grid: what is allowed at the middle of each hour. Windows that
/// start or end off the hour show as the hour's majority-free midpoint value.
pub fn grid_of(config: &Config) -> Vec<Paint> {
    let schedule = config.schedule();
    // The grid is wall-clock time, so read it in a zone without DST: 2024-01-01 is a Monday.
    let monday = Timestamp::from_second(1_704_067_200).unwrap_or(Timestamp::UNIX_EPOCH);
    (0..GRID_CELLS)
        .map(|cell| {
            let at = monday + SignedDuration::from_mins(i64::try_from(cell).unwrap_or(0) * 60 + 30);
            let state = schedule.at(at, &TimeZone::UTC);
            Paint::from_allowed(
                state.modes.allows(Mode::Rental),
                state.modes.allows(Mode::Volunteer),
            )
        })
        .collect()
}

/// The configuration's text as an editable document; `path` only names the file in the error.
pub fn parse_document(text: &str, path: &Path) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>().map_err(|e| {
        EditError::NotToml(format!(
            "{} is not valid TOML ({e}); fix it by hand (or run `overtime doctor`) before saving settings here",
            path.display()
        ))
    })
}

/// Runs `edit` on the table stored in `slot`, making it a table first when it is not one
/// (`implicit`: a table with only sub-tables is not written as its own header).
fn edit_table(slot: &mut Item, implicit: bool, edit: impl FnOnce(&mut Table)) {
    let mut table = match std::mem::take(slot) {
        Item::Table(t) => t,
        _ => {
            let mut t = Table::new();
            t.set_implicit(implicit);
            t
        }
    };
    edit(&mut table);
    *slot = Item::Table(table);
}

/// Sets `key` to `new`, keeping the spacing and any comment written after the old value
/// (`port = 47615 # Grafana scrapes this`).
fn set(table: &mut Table, key: &str, new: impl Into<toml_edit::Value>) {
    let mut new: toml_edit::Value = new.into();
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        *new.decor_mut() = old.decor().clone();
    }
    table[key] = Item::Value(new);
}

fn slot<'a>(table: &'a mut Table, key: &str) -> &'a mut Item {
    table.entry(key).or_insert(Item::None)
}

/// Writes thermal limits into `[thermal]` or `[thermal.gpu."<uuid>"]`.
pub fn apply_thermal(doc: &mut DocumentMut, form: &ThermalForm) {
    let write = |t: &mut Table| {
        t["soft_limit_c"] = value(form.soft_limit_c);
        t["critical_limit_c"] = value(form.critical_limit_c);
        t["hysteresis_c"] = value(form.hysteresis_c);
    };
    edit_table(slot(doc, "thermal"), false, |thermal| {
        match &form.gpu_uuid {
            None => write(thermal),
            Some(uuid) => edit_table(slot(thermal, "gpu"), true, |gpus| {
                edit_table(slot(gpus, uuid), false, write);
            }),
        }
    });
}

/// Replaces `[schedule]` with the grid: the most common paint becomes `default`, every other
/// run of hours on a day becomes one `[[schedule.window]]`.
pub fn apply_schedule(doc: &mut DocumentMut, cells: &[Paint]) -> Result<(), EditError> {
    if cells.len() != GRID_CELLS {
        return Err(EditError::Malformed(format!(
            "the schedule grid has {} cells instead of {GRID_CELLS}; reload the settings and try again",
            cells.len()
        )));
    }
    let default = most_common(cells);
    let mut windows = ArrayOfTables::new();
    for (day, hours) in cells.chunks(24).enumerate() {
        let mut start = 0;
        while start < 24 {
            let paint = hours[start];
            let mut end = start + 1;
            while end < 24 && hours[end] == paint {
                end += 1;
            }
            if paint != default {
                let mut w = Table::new();
                w["days"] = value(Array::from_iter([day_key(day)]));
                w["start"] = value(format!("{start:02}:00"));
                w["end"] = value(format!("{end:02}:00"));
                w["modes"] = value(modes_array(paint));
                windows.push(w);
            }
            start = end;
        }
    }
    edit_table(slot(doc, "schedule"), false, |schedule| {
        schedule["default"] = value(modes_array(default));
        schedule.remove("window");
        if !windows.is_empty() {
            schedule.insert("window", Item::ArrayOfTables(windows));
        }
    });
    Ok(())
}

fn modes_array(paint: Paint) -> Array {
    Array::from_iter(paint.modes().iter().map(|m| m.as_str()))
}

fn most_common(cells: &[Paint]) -> Paint {
    [Paint::Any, Paint::Rental, Paint::Volunteer, Paint::Idle]
        .into_iter()
        .max_by_key(|p| cells.iter().filter(|c| *c == p).count())
        .unwrap_or(Paint::Any)
}

/// Sets `activity.games`, trimmed, without blanks or repeats, in the given order.
pub fn apply_games(doc: &mut DocumentMut, games: &[String]) {
    let mut seen = Vec::<String>::new();
    for g in games.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
        if !seen.iter().any(|s| s == g) {
            seen.push(g.to_owned());
        }
    }
    edit_table(slot(doc, "activity"), false, |activity| {
        activity["games"] = value(Array::from_iter(seen));
    });
}

/// Writes the electricity section (prices typed with a point or a decimal comma).
pub fn apply_electricity(doc: &mut DocumentMut, form: &ElectricityForm) -> Result<(), EditError> {
    let mut fields = Fields::default();
    electricity::apply(doc, form, &mut fields);
    reject_unread(doc, fields)
}

/// Writes the providers section: the choices and each provider's plain settings.
pub fn apply_providers(doc: &mut DocumentMut, form: &ProvidersForm) -> Result<(), EditError> {
    let mut fields = Fields::default();
    providers::apply(doc, form, &mut fields);
    reject_unread(doc, fields)
}

/// Writes the notification switches.
pub fn apply_notifications(doc: &mut DocumentMut, form: &NotificationsForm) {
    notifications::apply(doc, form);
}

/// Writes the local API section.
pub fn apply_api(doc: &mut DocumentMut, form: &ApiForm) -> Result<(), EditError> {
    let mut fields = Fields::default();
    api::apply(doc, form, &mut fields);
    reject_unread(doc, fields)
}

/// When some typed fields did not read, the edit is refused with them and with whatever else
/// the configuration's validation finds in the rest, so the user sees every problem at once.
fn reject_unread(doc: &DocumentMut, fields: Fields) -> Result<(), EditError> {
    if fields.errors.is_empty() {
        return Ok(());
    }
    let mut errors = fields.errors;
    if let Err(EditError::Invalid(more)) = check(doc) {
        for e in more {
            if !errors.iter().any(|known| known.field == e.field) {
                errors.push(e);
            }
        }
    }
    Err(EditError::Invalid(errors))
}

/// Validates the edited document like a file on disk and returns the configuration it holds.
/// Rejections name each offending field.
pub fn check(doc: &DocumentMut) -> Result<Config, EditError> {
    Config::parse(&doc.to_string(), None)
        .and_then(|c| c.validate().map(|()| c))
        .map_err(|errors| EditError::Invalid(errors.iter().map(FieldError::from).collect()))
}

/// The field errors saving would report after `applied`: the edit's own, else validation's.
#[cfg(test)]
pub(crate) fn rejected(doc: &DocumentMut, applied: Result<(), EditError>) -> Vec<FieldError> {
    match applied.and_then(|()| check(doc).map(|_| ())) {
        Err(EditError::Invalid(fields)) => fields,
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn doc(text: &str) -> DocumentMut {
        text.parse().unwrap()
    }

    #[test]
    fn thermal_edits_keep_the_users_comments_and_validate() {
        let mut d = doc("# my rig\n[thermal]\n# keep it cool\nsoft_limit_c = 80.0\n");
        apply_thermal(
            &mut d,
            &ThermalForm {
                gpu_uuid: None,
                soft_limit_c: 78.0,
                critical_limit_c: 88.0,
                hysteresis_c: 4.0,
            },
        );
        let text = d.to_string();
        assert!(
            text.contains("# my rig") && text.contains("# keep it cool"),
            "{text}"
        );
        let config = check(&d).unwrap();
        assert_eq!(config.thermal.limits.soft_limit_c, 78.0);
        assert_eq!(config.thermal.limits.critical_limit_c, 88.0);
    }

    #[test]
    fn per_gpu_limits_go_to_their_own_table() {
        let mut d = doc("");
        apply_thermal(
            &mut d,
            &ThermalForm {
                gpu_uuid: Some("GPU-abc".into()),
                soft_limit_c: 70.0,
                critical_limit_c: 85.0,
                hysteresis_c: 5.0,
            },
        );
        let config = check(&d).unwrap();
        let l = config.thermal.limits_for("GPU-abc", 0);
        assert_eq!((l.soft_limit_c, l.critical_limit_c), (70.0, 85.0));
        assert_eq!(config.thermal.limits_for("GPU-other", 1).soft_limit_c, 83.0);
        assert!(d.to_string().contains("[thermal.gpu.GPU-abc]"), "{d}");
    }

    #[test]
    fn a_critical_limit_below_the_soft_one_is_rejected_with_its_field() {
        let mut d = doc("");
        apply_thermal(
            &mut d,
            &ThermalForm {
                gpu_uuid: None,
                soft_limit_c: 85.0,
                critical_limit_c: 80.0,
                hysteresis_c: 5.0,
            },
        );
        match check(&d) {
            Err(EditError::Invalid(fields)) => {
                assert!(
                    fields.iter().any(|f| f.field == "thermal.critical_limit_c"),
                    "{fields:?}"
                );
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_painted_grid_round_trips_through_the_config() {
        let mut cells = vec![Paint::Any; GRID_CELLS];
        // Weekday evenings 18–23 idle (gaming), Saturday morning volunteer only.
        for day in 0..5 {
            for h in 18..23 {
                cells[day * 24 + h] = Paint::Idle;
            }
        }
        for h in 6..12 {
            cells[5 * 24 + h] = Paint::Volunteer;
        }
        cells[6 * 24 + 23] = Paint::Rental; // runs to 24:00
        let mut d = doc("");
        apply_schedule(&mut d, &cells).unwrap();
        let config = check(&d).unwrap();
        assert_eq!(config.schedule.default, vec![Mode::Rental, Mode::Volunteer]);
        assert_eq!(config.schedule.windows.len(), 7);
        assert_eq!(grid_of(&config), cells);
    }

    #[test]
    fn repainting_replaces_the_old_windows() {
        let mut d = doc(
            "[[schedule.window]]\ndays = [\"daily\"]\nstart = \"09:00\"\nend = \"17:00\"\nmodes = [\"idle\"]\n",
        );
        apply_schedule(&mut d, &[Paint::Volunteer; GRID_CELLS]).unwrap();
        let config = check(&d).unwrap();
        assert!(config.schedule.windows.is_empty());
        assert_eq!(config.schedule.default, vec![Mode::Volunteer]);
    }

    #[test]
    fn a_grid_of_the_wrong_size_is_refused() {
        let mut d = doc("");
        assert!(apply_schedule(&mut d, &[Paint::Any; 10]).is_err());
    }

    #[test]
    fn games_are_trimmed_and_deduplicated() {
        let mut d = doc("");
        apply_games(
            &mut d,
            &[
                " eldenring.exe ".into(),
                "".into(),
                "eldenring.exe".into(),
                "cs2".into(),
            ],
        );
        let config = check(&d).unwrap();
        assert_eq!(config.activity.games, vec!["eldenring.exe", "cs2"]);
    }
}
