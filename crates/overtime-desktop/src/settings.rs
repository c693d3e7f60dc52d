//! The settings screen's model and how it is written back to the configuration file.
//!
//! Edits go through `toml_edit`, so the user's comments and layout survive; the edited text is
//! then read back with `Config::parse` (which runs `Config::validate`), and only a valid file is
//! written — atomically, so the agent's file watcher never sees half a file. The agent keeps
//! running on the previous configuration throughout.
//!
//! Each section of the screen has its own form type and `apply_*` function (thermal, schedule
//! and games here; the others in the submodules). Fields typed as text are read in
//! [`text`]; what does not read is reported next to its field together with whatever the
//! configuration's own validation finds, and nothing is written.

pub mod api;
pub mod autostart;
pub mod credentials;
pub mod electricity;
pub mod games;
pub mod notifications;
pub mod provider_check;
pub mod providers;
mod text;

use std::path::Path;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use overtime_core::Mode;
use overtime_core::config::Config;
use serde::{Deserialize, Serialize};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};
use ts_rs::TS;

use crate::error::{AgentError, FieldError};
pub use api::ApiForm;
pub use electricity::ElectricityForm;
pub use notifications::NotificationsForm;
pub use providers::ProvidersForm;
use text::Fields;

/// Hours in the weekly grid: 7 days × 24 hours, Monday 00:00 first.
pub const GRID_CELLS: usize = 7 * 24;
const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

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
    text.parse::<DocumentMut>().map_err(|e| {
        AgentError::ConfigFile(format!(
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
pub fn apply_schedule(doc: &mut DocumentMut, cells: &[Paint]) -> Result<(), AgentError> {
    if cells.len() != GRID_CELLS {
        return Err(AgentError::Rejected(format!(
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
                w["days"] = value(Array::from_iter([DAY_NAMES[day]]));
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
pub fn apply_electricity(doc: &mut DocumentMut, form: &ElectricityForm) -> Result<(), AgentError> {
    let mut fields = Fields::default();
    electricity::apply(doc, form, &mut fields);
    reject_unread(doc, fields)
}

/// Writes the providers section: the choices and each provider's plain settings.
pub fn apply_providers(doc: &mut DocumentMut, form: &ProvidersForm) -> Result<(), AgentError> {
    let mut fields = Fields::default();
    providers::apply(doc, form, &mut fields);
    reject_unread(doc, fields)
}

/// Writes the notification switches.
pub fn apply_notifications(doc: &mut DocumentMut, form: &NotificationsForm) {
    notifications::apply(doc, form);
}

/// Writes the local API section.
pub fn apply_api(doc: &mut DocumentMut, form: &ApiForm) -> Result<(), AgentError> {
    let mut fields = Fields::default();
    api::apply(doc, form, &mut fields);
    reject_unread(doc, fields)
}

/// When some typed fields did not read, the edit is refused with them and with whatever else
/// the configuration's validation finds in the rest, so the user sees every problem at once.
fn reject_unread(doc: &DocumentMut, fields: Fields) -> Result<(), AgentError> {
    if fields.errors.is_empty() {
        return Ok(());
    }
    let mut errors = fields.errors;
    if let Err(AgentError::InvalidSettings(more)) = check(doc) {
        for e in more {
            if !errors.iter().any(|known| known.field == e.field) {
                errors.push(e);
            }
        }
    }
    Err(AgentError::InvalidSettings(errors))
}

/// Reads the file at `path`, runs `edit` on it, and writes it back only when the edit succeeded
/// and the result is valid. Returns the configuration written.
pub fn edit_file(
    path: &Path,
    edit: impl FnOnce(&mut DocumentMut) -> Result<(), AgentError>,
) -> Result<Config, AgentError> {
    let mut doc = read_document(path)?;
    edit(&mut doc)?;
    save(path, &doc)
}

/// Validates the edited document like a file on disk and returns the configuration it holds.
/// Rejections name each offending field.
pub fn check(doc: &DocumentMut) -> Result<Config, AgentError> {
    let config = Config::parse(&doc.to_string(), None)
        .and_then(|c| c.validate().map(|()| c))
        .map_err(|errors| {
            AgentError::InvalidSettings(
                errors
                    .iter()
                    .map(|e| FieldError {
                        field: e.field.clone(),
                        message: e.message.clone(),
                    })
                    .collect(),
            )
        })?;
    Ok(config)
}

/// Checks `doc` and, when valid, writes it to `path` atomically (temporary file, then rename).
pub fn save(path: &Path, doc: &DocumentMut) -> Result<Config, AgentError> {
    let config = check(doc)?;
    let io = |e: std::io::Error| {
        AgentError::ConfigFile(format!(
            "cannot write {}: {e}; check the directory's permissions and free space",
            path.display()
        ))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("toml.saving");
    std::fs::write(&tmp, doc.to_string()).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(config)
}

/// The field errors saving would report after `applied`: the edit's own, else validation's.
#[cfg(test)]
pub(crate) fn rejected(doc: &DocumentMut, applied: Result<(), AgentError>) -> Vec<FieldError> {
    match applied.and_then(|()| check(doc).map(|_| ())) {
        Err(AgentError::InvalidSettings(fields)) => fields,
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
            Err(AgentError::InvalidSettings(fields)) => {
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

    #[test]
    fn a_rejected_section_leaves_the_file_exactly_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let original = "# original\n[api]\nport = 47615 # mine\n";
        std::fs::write(&path, original).unwrap();
        let base = view(&Config::default(), &path, &[]);
        type Edit = Box<dyn FnOnce(&mut DocumentMut) -> Result<(), AgentError>>;
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
