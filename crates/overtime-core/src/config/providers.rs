//! `[providers]`: which services put the GPUs to work, and how to reach them.
//!
//! Secrets (API keys, RPC passwords) are never written here: they live in the OS keyring (or an
//! environment variable on headless boxes) and the config only says where the non-secret parts are.

use serde::{Deserialize, Serialize};

/// Which provider does the work of each kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProvidersConfig {
    /// `boinc`, `fah`, `hooks`, `demo` (simulated) or `none`.
    pub volunteer: VolunteerChoice,
    /// `vast`, `hooks`, `demo` (simulated) or `none`.
    pub rental: RentalChoice,
    pub boinc: BoincSettings,
    pub fah: FahSettings,
    pub vast: VastSettings,
    /// Command hooks, for marketplaces and clients that only have a command line.
    pub hooks: Vec<HookSettings>,
}

impl Default for ProvidersConfig {
    fn default() -> Self {
        ProvidersConfig {
            volunteer: VolunteerChoice::Demo,
            rental: RentalChoice::Demo,
            boinc: BoincSettings::default(),
            fah: FahSettings::default(),
            vast: VastSettings::default(),
            hooks: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VolunteerChoice {
    Boinc,
    Fah,
    Hooks,
    Demo,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RentalChoice {
    Vast,
    Hooks,
    Demo,
    None,
}

/// `[providers.boinc]`: the local BOINC client's GUI RPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoincSettings {
    pub host: String,
    pub port: u16,
    /// Path of `gui_rpc_auth.cfg`; empty: look in the usual places, then the keyring.
    pub password_file: String,
    /// Also pause and resume CPU work (not only GPU work).
    pub control_cpu: bool,
    /// How long each pause lasts before BOINC resumes by itself unless renewed (60–3600 s), so a
    /// crashed Overtime never leaves BOINC paused.
    pub pause_s: u64,
}

impl Default for BoincSettings {
    fn default() -> Self {
        BoincSettings {
            host: "127.0.0.1".into(),
            port: 31416,
            password_file: String::new(),
            control_cpu: false,
            pause_s: 300,
        }
    }
}

/// `[providers.fah]`: the local Folding@home v8 client's WebSocket API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FahSettings {
    pub url: String,
    /// Resource group to control; empty: the whole machine.
    pub group: String,
}

impl Default for FahSettings {
    fn default() -> Self {
        FahSettings {
            url: "ws://127.0.0.1:7396/api/websocket".into(),
            group: String::new(),
        }
    }
}

/// `[providers.vast]`: this machine as a Vast.ai host. The API key comes from the keyring (or
/// `OVERTIME_VAST_API_KEY`), never from this file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VastSettings {
    pub api_url: String,
    /// The machine's id on Vast.ai (`vastai show machines`); 0 = not set.
    pub machine_id: u64,
    /// Storage price per GB per month, a decimal string.
    pub price_disk: String,
    /// Upload / download price per GB, decimal strings.
    pub price_inetu: String,
    pub price_inetd: String,
    /// Lowest price accepted for interruptible (bid) rentals per GPU-hour; empty: the GPU price.
    pub min_bid: String,
    /// Smallest number of GPUs rented together.
    pub min_chunk: u32,
}

impl Default for VastSettings {
    fn default() -> Self {
        VastSettings {
            api_url: "https://console.vast.ai/api/v0".into(),
            machine_id: 0,
            price_disk: "0.10".into(),
            price_inetu: "0.01".into(),
            price_inetd: "0.01".into(),
            min_bid: String::new(),
            min_chunk: 1,
        }
    }
}

/// `[[providers.hooks]]`: commands run without a shell, each with a timeout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookSettings {
    pub name: String,
    /// `rental` or `volunteer`.
    pub kind: HookKind,
    /// Program and arguments; `{gpu}` (index) and `{uuid}` are replaced per GPU, `{until}` with
    /// the listing end (RFC 3339) for rentals.
    pub start: Vec<String>,
    pub stop: Vec<String>,
    /// Optional: exit code 0 = working, 1 = not working, anything else = error.
    #[serde(default)]
    pub status: Vec<String>,
    /// Seconds a command may run before it is killed (1–600).
    #[serde(default = "default_hook_timeout_s")]
    pub timeout_s: u64,
}

fn default_hook_timeout_s() -> u64 {
    30
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HookKind {
    Rental,
    Volunteer,
}
