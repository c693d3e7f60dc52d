//! The providers section: which service does rental and volunteer work, and each service's
//! plain settings (never a secret: those live in the OS keyring, see `credentials`). Numbers
//! and prices cross as the text the user typed; hook commands as one command line each.

use crate::config::Config;
use crate::config::providers::{HookKind, RentalChoice, VolunteerChoice};
use serde::{Deserialize, Serialize};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};
use ts_rs::TS;

use super::text::{Fields, join_command, split_command};
use super::{edit_table, set, slot};

/// Who does volunteer work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum VolunteerPick {
    Boinc,
    Fah,
    Hooks,
    Demo,
    None,
}

/// Who rents the GPU out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RentalPick {
    Vast,
    Hooks,
    Demo,
    None,
}

/// What a command hook does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum HookPick {
    Rental,
    Volunteer,
}

/// `[providers]` as the form shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProvidersForm {
    pub volunteer: VolunteerPick,
    pub rental: RentalPick,
    pub boinc: BoincForm,
    pub fah: FahForm,
    pub vast: VastForm,
    pub hooks: Vec<HookForm>,
}

/// `[providers.boinc]`; the RPC password is a credential, not here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BoincForm {
    pub host: String,
    pub port: String,
    pub password_file: String,
    pub control_cpu: bool,
    pub pause_s: String,
}

/// `[providers.fah]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FahForm {
    pub url: String,
    pub group: String,
}

/// `[providers.vast]`; the API key is a credential, not here. Prices are decimals as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VastForm {
    pub api_url: String,
    pub machine_id: String,
    pub price_disk: String,
    pub price_inetu: String,
    pub price_inetd: String,
    /// Empty: the GPU price.
    pub min_bid: String,
    pub min_chunk: String,
}

/// One `[[providers.hooks]]`; each command is one line (quotes keep spaces together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HookForm {
    pub name: String,
    pub kind: HookPick,
    pub start: String,
    pub stop: String,
    /// Empty: no status command.
    pub status: String,
    pub timeout_s: String,
}

/// The form as `config` holds it.
pub fn form(config: &Config) -> ProvidersForm {
    let p = &config.providers;
    ProvidersForm {
        volunteer: match p.volunteer {
            VolunteerChoice::Boinc => VolunteerPick::Boinc,
            VolunteerChoice::Fah => VolunteerPick::Fah,
            VolunteerChoice::Hooks => VolunteerPick::Hooks,
            VolunteerChoice::Demo => VolunteerPick::Demo,
            VolunteerChoice::None => VolunteerPick::None,
        },
        rental: match p.rental {
            RentalChoice::Vast => RentalPick::Vast,
            RentalChoice::Hooks => RentalPick::Hooks,
            RentalChoice::Demo => RentalPick::Demo,
            RentalChoice::None => RentalPick::None,
        },
        boinc: BoincForm {
            host: p.boinc.host.clone(),
            port: p.boinc.port.to_string(),
            password_file: p.boinc.password_file.clone(),
            control_cpu: p.boinc.control_cpu,
            pause_s: p.boinc.pause_s.to_string(),
        },
        fah: FahForm {
            url: p.fah.url.clone(),
            group: p.fah.group.clone(),
        },
        vast: VastForm {
            api_url: p.vast.api_url.clone(),
            machine_id: p.vast.machine_id.to_string(),
            price_disk: p.vast.price_disk.clone(),
            price_inetu: p.vast.price_inetu.clone(),
            price_inetd: p.vast.price_inetd.clone(),
            min_bid: p.vast.min_bid.clone(),
            min_chunk: p.vast.min_chunk.to_string(),
        },
        hooks: p
            .hooks
            .iter()
            .map(|h| HookForm {
                name: h.name.clone(),
                kind: match h.kind {
                    HookKind::Rental => HookPick::Rental,
                    HookKind::Volunteer => HookPick::Volunteer,
                },
                start: join_command(&h.start),
                stop: join_command(&h.stop),
                status: join_command(&h.status),
                timeout_s: h.timeout_s.to_string(),
            })
            .collect(),
    }
}

impl VolunteerPick {
    fn as_str(self) -> &'static str {
        match self {
            VolunteerPick::Boinc => "boinc",
            VolunteerPick::Fah => "fah",
            VolunteerPick::Hooks => "hooks",
            VolunteerPick::Demo => "demo",
            VolunteerPick::None => "none",
        }
    }
}

impl RentalPick {
    fn as_str(self) -> &'static str {
        match self {
            RentalPick::Vast => "vast",
            RentalPick::Hooks => "hooks",
            RentalPick::Demo => "demo",
            RentalPick::None => "none",
        }
    }
}

/// Writes the form into `[providers]`, editing each sub-table (and each existing hook) in
/// place so comments survive. Fields that do not read go to `fields` and stay as they were.
pub fn apply(doc: &mut DocumentMut, form: &ProvidersForm, fields: &mut Fields) {
    let boinc_port = fields.whole::<u16>("providers.boinc.port", &form.boinc.port);
    let pause_s = fields.whole::<u64>("providers.boinc.pause_s", &form.boinc.pause_s);
    let machine_id = fields.whole::<u64>("providers.vast.machine_id", &form.vast.machine_id);
    let min_chunk = fields.whole::<u32>("providers.vast.min_chunk", &form.vast.min_chunk);
    let prices: Vec<(&str, Option<String>)> = [
        ("price_disk", &form.vast.price_disk, false),
        ("price_inetu", &form.vast.price_inetu, false),
        ("price_inetd", &form.vast.price_inetd, false),
        ("min_bid", &form.vast.min_bid, true),
    ]
    .into_iter()
    .map(|(key, text, optional)| {
        let field = format!("providers.vast.{key}");
        let read = if optional {
            fields
                .optional_decimal(&field, text)
                .ok()
                .map(|d| d.map(|d| d.to_string()).unwrap_or_default())
        } else {
            fields.decimal(&field, text).map(|d| d.to_string())
        };
        (key, read)
    })
    .collect();
    let hooks: Vec<Option<Table>> = form
        .hooks
        .iter()
        .enumerate()
        .map(|(i, h)| hook_table(i, h, fields))
        .collect();

    edit_table(slot(doc, "providers"), false, |p| {
        set(p, "volunteer", form.volunteer.as_str());
        set(p, "rental", form.rental.as_str());
        edit_table(slot(p, "boinc"), false, |b| {
            set(b, "host", form.boinc.host.trim());
            if let Some(port) = boinc_port {
                set(b, "port", i64::from(port));
            }
            set(b, "password_file", form.boinc.password_file.trim());
            set(b, "control_cpu", form.boinc.control_cpu);
            if let Some(s) = pause_s.and_then(|s| i64::try_from(s).ok()) {
                set(b, "pause_s", s);
            }
        });
        edit_table(slot(p, "fah"), false, |f| {
            set(f, "url", form.fah.url.trim());
            set(f, "group", form.fah.group.trim());
        });
        edit_table(slot(p, "vast"), false, |v| {
            set(v, "api_url", form.vast.api_url.trim());
            if let Some(id) = machine_id.and_then(|id| i64::try_from(id).ok()) {
                set(v, "machine_id", id);
            }
            for (key, read) in prices {
                if let Some(text) = read {
                    v[key] = value(text);
                }
            }
            if let Some(chunk) = min_chunk {
                set(v, "min_chunk", i64::from(chunk));
            }
        });
        write_hooks(p, hooks);
    });
}

/// One hook as a table, or `None` after reporting what did not read.
fn hook_table(i: usize, h: &HookForm, fields: &mut Fields) -> Option<Table> {
    let at = format!("providers.hooks[{i}]");
    let mut command = |key: &str, text: &str| {
        split_command(text)
            .map_err(|m| fields.reject(format!("{at}.{key}"), m))
            .ok()
    };
    let start = command("start", &h.start);
    let stop = command("stop", &h.stop);
    let status = command("status", &h.status);
    let timeout_s = fields.whole::<u64>(&format!("{at}.timeout_s"), &h.timeout_s);
    let (start, stop, status, timeout_s) = (start?, stop?, status?, timeout_s?);
    let mut t = Table::new();
    set(&mut t, "name", h.name.trim());
    set(
        &mut t,
        "kind",
        match h.kind {
            HookPick::Rental => "rental",
            HookPick::Volunteer => "volunteer",
        },
    );
    set(&mut t, "start", Array::from_iter(start));
    set(&mut t, "stop", Array::from_iter(stop));
    if status.is_empty() {
        t.remove("status");
    } else {
        set(&mut t, "status", Array::from_iter(status));
    }
    set(
        &mut t,
        "timeout_s",
        i64::try_from(timeout_s).unwrap_or(i64::MAX),
    );
    Some(t)
}

/// Replaces `hooks`, editing existing tables in place so their comments survive.
fn write_hooks(p: &mut Table, hooks: Vec<Option<Table>>) {
    let mut existing = match p.remove("hooks") {
        Some(Item::ArrayOfTables(a)) => a,
        _ => ArrayOfTables::new(),
    };
    if hooks.is_empty() {
        return;
    }
    let mut out = ArrayOfTables::new();
    for (i, new) in hooks.into_iter().enumerate() {
        let old = existing.get_mut(i).map(std::mem::take);
        let table = match (old, new) {
            (Some(mut old), Some(new)) => {
                if !new.contains_key("status") {
                    old.remove("status");
                }
                for (k, v) in new.iter() {
                    if let Some(v) = v.as_value() {
                        set(&mut old, k, v.clone());
                    }
                }
                old
            }
            (None, Some(new)) => new,
            (Some(old), None) => old,
            (None, None) => continue,
        };
        out.push(table);
    }
    p.insert("hooks", Item::ArrayOfTables(out));
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::edit::{apply_providers, check, rejected};

    fn doc(text: &str) -> DocumentMut {
        text.parse().unwrap()
    }

    fn rejected_fields(d: &mut DocumentMut, form: &ProvidersForm) -> Vec<String> {
        let applied = apply_providers(d, form);
        rejected(d, applied).into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn choosing_boinc_and_vast_with_their_settings_keeps_the_users_comments() {
        let mut d = doc(
            "# rig in the cellar\n[providers]\nvolunteer = \"demo\" # try first\n\n[providers.boinc]\n# BOINC runs in a container here\nhost = \"127.0.0.1\"\n",
        );
        let mut form = form(&check(&d).unwrap());
        form.volunteer = VolunteerPick::Boinc;
        form.rental = RentalPick::Vast;
        form.boinc.host = "10.0.0.5".into();
        form.boinc.port = "31417".into();
        form.boinc.pause_s = "600".into();
        form.vast.machine_id = "12345".into();
        form.vast.price_disk = "0,15".into();
        form.vast.min_bid = "0,2".into();
        apply_providers(&mut d, &form).unwrap();
        let text = d.to_string();
        assert!(
            text.contains("# rig in the cellar") && text.contains("# BOINC runs in a container"),
            "{text}"
        );
        let config = check(&d).unwrap();
        let p = &config.providers;
        assert_eq!(p.volunteer, VolunteerChoice::Boinc);
        assert_eq!(p.rental, RentalChoice::Vast);
        assert_eq!((p.boinc.host.as_str(), p.boinc.port), ("10.0.0.5", 31417));
        assert_eq!(p.boinc.pause_s, 600);
        assert_eq!(p.vast.machine_id, 12345);
        assert_eq!(p.vast.price_disk, "0.15");
        assert_eq!(p.vast.min_bid, "0.2");
        // Nothing secret is ever written to the file.
        assert!(
            !text.contains("api_key") && !text.contains("password ="),
            "{text}"
        );
    }

    #[test]
    fn hooks_round_trip_through_one_command_line_each() {
        let mut form = form(&Config::default());
        form.rental = RentalPick::Hooks;
        form.hooks = vec![HookForm {
            name: "my-market".into(),
            kind: HookPick::Rental,
            start: "\"/opt/My Market/cli\" list --gpu {gpu} --until {until}".into(),
            stop: "/opt/mm unlist --gpu {gpu}".into(),
            status: String::new(),
            timeout_s: "45".into(),
        }];
        let mut d = doc("");
        apply_providers(&mut d, &form).unwrap();
        let config = check(&d).unwrap();
        let hook = &config.providers.hooks[0];
        assert_eq!(
            hook.start,
            [
                "/opt/My Market/cli",
                "list",
                "--gpu",
                "{gpu}",
                "--until",
                "{until}"
            ]
        );
        assert!(hook.status.is_empty());
        assert_eq!(hook.timeout_s, 45);
        assert_eq!(super::form(&config).hooks, form.hooks);
    }

    #[test]
    fn bad_values_are_field_errors_with_dotted_paths() {
        let mut form = form(&Config::default());
        form.volunteer = VolunteerPick::Hooks;
        form.boinc.port = "port".into();
        form.boinc.pause_s = "10".into();
        form.fah.url = "127.0.0.1:7396".into();
        form.vast.price_inetu = "1.000,5".into();
        form.hooks = vec![HookForm {
            name: "v".into(),
            kind: HookPick::Rental,
            start: "cli \"start".into(),
            stop: "cli stop".into(),
            status: String::new(),
            timeout_s: "30".into(),
        }];
        let fields = rejected_fields(&mut doc(""), &form);
        for want in [
            "providers.boinc.port",
            "providers.vast.price_inetu",
            "providers.hooks[0].start",
        ] {
            assert!(
                fields.iter().any(|f| f == want),
                "{want} missing: {fields:?}"
            );
        }
        // Fields that read are still checked by the configuration's own rules.
        for want in ["providers.boinc.pause_s", "providers.fah.url"] {
            assert!(
                fields.iter().any(|f| f == want),
                "{want} missing: {fields:?}"
            );
        }
    }

    #[test]
    fn removing_a_hook_leaves_no_empty_table_behind() {
        let mut d = doc(
            "[[providers.hooks]]\nname = \"a\"\nkind = \"rental\"\nstart = [\"a\"]\nstop = [\"b\"]\n",
        );
        let mut form = form(&check(&d).unwrap());
        form.hooks.clear();
        apply_providers(&mut d, &form).unwrap();
        assert!(check(&d).unwrap().providers.hooks.is_empty());
        assert!(!d.to_string().contains("hooks"), "{d}");
    }
}
