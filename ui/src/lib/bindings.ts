// Generated from the agent's and the desktop's wire types by ts-rs; do not edit.
// Refresh: OVERTIME_UPDATE_BINDINGS=1 cargo test -p overtime-desktop bindings

export type UiMode = "rental" | "volunteer" | "idle";

export type UiRecentGpu = { uuid: string, t_ms: number[], temp_c: Array<number | null>, load_pct: Array<number | null>, power_w: Array<number | null>, };

export type UiSnapshot = { at_ms: number, agent_version: string, 
/**
 * Demo mode: readings are simulated. The UI must say so.
 */
simulated: boolean, sensor_backend: string, timezone: string, gpus: Array<UiGpu>, overrides: Array<UiOverride>, providers: Array<UiProvider>, games: Array<string>, input_idle_s: number | null, schedule_window: string | null, config_path: string | null, 
/**
 * The configuration file is invalid; the previous good one stays in force.
 */
config_error: string | null, 
/**
 * Where the loopback API listens, or why it does not.
 */
api: ApiState, 
/**
 * False when no system tray could be used: closing the window then leaves Overtime
 * running in the background with no icon.
 */
tray_available: boolean, 
/**
 * The earnings ledger: recording or not, and the money figures. `null`: no ledger kept.
 */
ledger: UiLedger | null, };

export type ApiState = { 
/**
 * `127.0.0.1:47615` while it listens.
 */
address: string | null, 
/**
 * Turned off in the settings (`api.enabled = false`).
 */
disabled: boolean, 
/**
 * It should run but could not start (port in use, token file unreadable): what happened
 * and what to do, as the agent says it.
 */
error: string | null, };

export type UiGpu = { uuid: string, index: number, name: string, mode: UiMode, 
/**
 * "Idle — game running: eldenring.exe" in the host's language; the tray says the same,
 * the API and the log say it in English.
 */
sentence: string, 
/**
 * True when the mode is forced by a manual override.
 */
overridden: boolean, 
/**
 * True when a safety rule (critical temperature, lost telemetry) decided the mode.
 */
alert: boolean, since_ms: number, fault: string | null, reading: UiReading | null, limits: UiLimits, 
/**
 * A lowered power limit the thermal guard set, in W.
 */
power_cap_w: number | null, };

export type UiReading = { temp_c: number | null, load_pct: number | null, mem_used_mib: number | null, mem_total_mib: number | null, power_w: number | null, power_limit_w: number | null, fan_pct: number | null, sm_clock_mhz: number | null, mem_clock_mhz: number | null, 
/**
 * Active slow-down reasons (`sw_power_cap`, `hw_thermal`, …); empty when none.
 */
throttle: Array<string>, };

export type UiLimits = { soft_limit_c: number, critical_limit_c: number, hysteresis_c: number, };

export type UiOverride = { mode: UiMode, 
/**
 * `null`: every GPU.
 */
gpu_uuid: string | null, 
/**
 * `null`: until the user resumes.
 */
until_ms: number | null, };

export type UiProvider = { name: string, kind: UiMode, simulated: boolean, detail: string | null, error: string | null, last_ok_ms: number | null, };

export type UiLedger = { 
/**
 * The database file; empty when it could not be opened at all.
 */
path: string, 
/**
 * False while writes fail (disk full, …). GPU control goes on; the writer retries.
 */
recording: boolean, 
/**
 * The latest write (or open) error, with what to do; kept after recovery.
 */
last_error: string | null, 
/**
 * Events lost because the writer's queue was full.
 */
dropped: number, 
/**
 * A damaged file found at start was moved here (never deleted) and a new one started.
 */
moved_aside: string | null, 
/**
 * `null` until the figures were first read (a few seconds after start).
 */
earnings: UiEarnings | null, };

export type UiEarnings = { as_of_ms: number | null, 
/**
 * Some figure comes from a simulated (demo) GPU or provider: every figure must say so.
 */
simulated: boolean, 
/**
 * Today, 7 days, 30 days, in that order (ranges the dashboard does not show are left out).
 */
periods: Array<UiPeriod>, };

export type UiRange = "today" | "7d" | "30d";

export type UiPeriod = { range: UiRange, 
/**
 * Statements plus live estimates (`overtime_agent::reports` defines each figure).
 */
gross: Array<UiMoney>, 
/**
 * The part of `gross` that is a live estimate (contract price × elapsed) for rental time
 * no statement covers yet: a running rental. Replaced by the statement once it comes.
 */
estimated: Array<UiMoney>, 
/**
 * Electricity for the GPUs and the rest of the PC, in the tariff's currency.
 */
electricity: Array<UiMoney>, 
/**
 * `gross − electricity`, per currency.
 */
net: Array<UiMoney>, energy_kwh: number, 
/**
 * Volunteer credit earned in the range, per project (credits are points, not money).
 */
credits: Array<UiCredit>, };

export type UiMoney = { amount: string, 
/**
 * ISO 4217 code (`EUR`).
 */
currency: string, };

export type UiCredit = { provider: string, project: string, credit: number, };

export type UiTimeline = { 
/**
 * `now − 24 h`: the strip's left edge.
 */
from_ms: number, now_ms: number, 
/**
 * `now + 24 h`: the strip's right edge.
 */
to_ms: number, 
/**
 * IANA name of the zone the ticks and the plan are in.
 */
timezone: string, 
/**
 * Whether the past half could be drawn from the ledger, and if not, why.
 */
history: HistoryState, 
/**
 * Set when `history` is `unreadable`: what went wrong and what to do.
 */
history_error: string | null, 
/**
 * One row per GPU, in the agent's order; `spans` empty when no history is shown.
 */
gpus: Array<UiGpuTimeline>, 
/**
 * The schedule's allowed modes from now to `to_ms`, shared by every GPU.
 */
plan: Array<UiPlanSpan>, 
/**
 * Every whole local hour in `[from_ms, to_ms]`, in order. Around a DST change an hour
 * may be missing (spring forward) or appear twice (fall back).
 */
hour_ticks: Array<UiHourTick>, };

export type HistoryState = "recorded" | "not_kept" | "unreadable";

export type UiGpuTimeline = { uuid: string, index: number, name: string, 
/**
 * Recorded sessions clipped to `[from_ms, now_ms]`, oldest first. Gaps are times no
 * session was recorded (Overtime was not running).
 */
spans: Array<UiSpan>, };

export type UiSpan = { start_ms: number, end_ms: number, mode: UiMode, 
/**
 * Still going: the GPU is in this mode now (the span ends at `now_ms`).
 */
open: boolean, };

export type UiPlanSpan = { start_ms: number, end_ms: number, 
/**
 * What the schedule allows (`["idle"]` when it allows no work). Which one runs is still
 * up to the policy (games, temperature, prices).
 */
modes: Array<UiMode>, 
/**
 * The window's name or hours ("23:30–09:00"); `null` outside every window.
 */
window: string | null, };

export type UiHourTick = { at_ms: number, 
/**
 * 0–23 on the local wall clock, so labels can be put on, say, every sixth hour.
 */
hour: number, };

export type PausePreset = "one_hour" | "three_hours" | "until_tomorrow" | "until_resumed";

export type Paint = "any" | "rental" | "volunteer" | "idle";

export type ThermalForm = { gpu_uuid: string | null, soft_limit_c: number, critical_limit_c: number, hysteresis_c: number, };

export type SettingsView = { config_path: string, 
/**
 * First the values for every GPU, then one entry per GPU the agent sees.
 */
thermal: Array<ThermalForm>, 
/**
 * 168 cells, Monday 00:00–01:00 first, in the schedule's time zone.
 */
schedule: Array<Paint>, 
/**
 * Executable names that count as games.
 */
games: Array<string>, electricity: ElectricityForm, providers: ProvidersForm, notifications: NotificationsForm, api: ApiForm, };

export type ElectricityForm = { 
/**
 * "0.32" or "0,32": the price outside every period.
 */
price_per_kwh: string, 
/**
 * Three letters (EUR, USD).
 */
currency: string, 
/**
 * Watts, a whole number.
 */
rest_of_pc_w: string, 
/**
 * Grams of CO2 per kWh; empty: not set.
 */
carbon_g_per_kwh: string, 
/**
 * Time-of-use periods; empty: the one price always.
 */
periods: Array<TariffPeriodForm>, 
/**
 * Read-only here: the currency rentals are priced in.
 */
rental_currency: string, 
/**
 * Units of this currency per unit of the rental currency; empty: not set.
 */
exchange_rate: string, };

export type TariffPeriodForm = { name: string, 
/**
 * Seven flags, Monday first: the days the period starts on.
 */
days: Array<boolean>, 
/**
 * 0–23.
 */
start_hour: number, 
/**
 * 1–24; at or below the start crosses midnight.
 */
end_hour: number, price_per_kwh: string, };

export type ProvidersForm = { volunteer: VolunteerPick, rental: RentalPick, boinc: BoincForm, fah: FahForm, vast: VastForm, hooks: Array<HookForm>, };

export type VolunteerPick = "boinc" | "fah" | "hooks" | "demo" | "none";

export type RentalPick = "vast" | "hooks" | "demo" | "none";

export type BoincForm = { host: string, port: string, password_file: string, control_cpu: boolean, pause_s: string, };

export type FahForm = { url: string, group: string, };

export type VastForm = { api_url: string, machine_id: string, price_disk: string, price_inetu: string, price_inetd: string, 
/**
 * Empty: the GPU price.
 */
min_bid: string, min_chunk: string, };

export type HookForm = { name: string, kind: HookPick, start: string, stop: string, 
/**
 * Empty: no status command.
 */
status: string, timeout_s: string, };

export type HookPick = "rental" | "volunteer";

export type NotificationsForm = { thermal_trip: boolean, rental_started: boolean, rental_ended: boolean, provider_error: boolean, override_expired: boolean, };

export type ApiForm = { enabled: boolean, port: string, metrics: boolean, };

export type CredentialName = "vast_api_key" | "boinc_password";

export type CredentialState = { name: CredentialName, set: boolean, 
/**
 * The environment variable it comes from when that is set: it wins over the keyring, and
 * the screen cannot change it.
 */
env_var: string | null, 
/**
 * Why its state could not be read (no keyring service, keyring locked), with what to do.
 */
error: string | null, };

export type ProviderTarget = "boinc" | "fah" | "vast" | "rental_hooks" | "volunteer_hooks" | "demo";

export type CheckOutcome = "ok" | "simulated" | "failed";

export type ProviderCheck = { outcome: CheckOutcome, message: string, };

export type AutostartState = { 
/**
 * False where this is not implemented yet: the switch is then shown disabled.
 */
supported: boolean, enabled: boolean, };

export type ErrorCode = "agent_unavailable" | "rejected" | "invalid_settings" | "config_file" | "ledger" | "export";

export type Problem = { 
/**
 * The Fluent message id, e.g. `config-outOfRange`.
 */
id: string, 
/**
 * The message's variables: text as the user wrote it, or numbers each language writes its
 * own way (40,5 °C in German).
 */
args: Record<string, string | number>, };

export type FieldError = { 
/**
 * Dotted path as the configuration names it, e.g. `thermal.soft_limit_c` or
 * `thermal.gpu."GPU-1".critical_limit_c`.
 */
field: string, 
/**
 * What is wrong and what to do, in English (the CLI, the API, logs).
 */
message: string, 
/**
 * The same as a catalogue message, which the window renders in the user's language.
 */
problem: Problem, };

export type CommandError = { code: ErrorCode, message: string, fields: Array<FieldError>, };

export type Period = { "preset": "today" } | { "preset": "7d" } | { "preset": "30d" } | { "preset": "this_month" } | { "preset": "last_month" } | { "preset": "all" } | { "preset": "days", first_day: string, last_day: string, } | { "preset": "custom", from_ms: number, to_ms: number, };

export type HistoryQuery = { range: Period, 
/**
 * One GPU's UUID; `null`: all.
 */
gpu: string | null, 
/**
 * One provider (`vastai`, `boinc`, …); `null`: all.
 */
provider: string | null, 
/**
 * One mode; `null`: all.
 */
mode: UiMode | null, 
/**
 * Sessions to list, newest first; `null`: 50. At most 1,000.
 */
limit: number | null, };

export type ModeHours = { mode: UiMode, hours: number, };

export type ProjectCreditWire = { provider: string, project: string, credit: number, };

export type HistoryFigures = { 
/**
 * Statements plus live estimates.
 */
gross: Array<UiMoney>, 
/**
 * The part of `gross` that is an estimate (contract price × time).
 */
estimated: Array<UiMoney>, 
/**
 * Electricity for the GPUs and the rest of the PC, in the tariff's currency.
 */
electricity: Array<UiMoney>, 
/**
 * `gross − electricity`, per currency.
 */
net: Array<UiMoney>, energy_kwh: number, mode_hours: Array<ModeHours>, credits: Array<ProjectCreditWire>, 
/**
 * Grams of CO2 for `energy_kwh`, when the configuration gives a carbon intensity.
 */
co2_g: number | null, };

export type HistoryDay = { 
/**
 * `YYYY-MM-DD` in the agent's time zone.
 */
date: string, 
/**
 * Where the day starts (or the range, for a cut first day).
 */
start_ms: number, gross: Array<UiMoney>, electricity: Array<UiMoney>, net: Array<UiMoney>, };

export type HistorySession = { id: number, gpu_uuid: string, start_ms: number, 
/**
 * `null` while the session goes on.
 */
end_ms: number | null, mode: UiMode, provider: string | null, 
/**
 * Why the GPU entered the mode, as the sentence shown then.
 */
reason: string, 
/**
 * What the GPU drew (the rest of the PC is not included per session).
 */
energy_kwh: number, electricity: UiMoney, 
/**
 * What the rental contract pays for the session (price × length); `null` when it was no
 * paid rental. The provider's statement is what counts.
 */
earnings: UiMoney | null, };

export type HistoryGpu = { uuid: string, 
/**
 * Index and name while the GPU is present; `null` for one only the ledger remembers.
 */
index: number | null, name: string | null, };

export type HistoryView = { 
/**
 * Demo mode: simulated GPUs or providers wrote (some of) these figures. Label them so.
 */
simulated: boolean, 
/**
 * The range resolved, `[from_ms, to_ms)`.
 */
from_ms: number, to_ms: number, 
/**
 * The first and last local day of the range (`YYYY-MM-DD`), for the date pickers.
 */
first_day: string, last_day: string, 
/**
 * IANA zone the days are in.
 */
timezone: string, totals: HistoryFigures, 
/**
 * One entry per local day, oldest first.
 */
days: Array<HistoryDay>, 
/**
 * Newest first.
 */
sessions: Array<HistorySession>, 
/**
 * Older sessions in the range did not fit in `limit`.
 */
more_sessions: boolean, 
/**
 * Filter choices: present GPUs first, then any only the ledger remembers.
 */
gpus: Array<HistoryGpu>, providers: Array<string>, };

export type ExportDone = { path: string, sessions: number, earnings: number, 
/**
 * Demo mode: the exported rows are simulated. Say so next to the path.
 */
simulated: boolean, };

export type SetCredential = { name: CredentialName, value: string, };

export type AgentRequest = { "method": "status" } | { "method": "set_mode", "params": { mode: UiMode, gpu: string | null, until?: string, } } | { "method": "pause", "params": { preset: PausePreset, } } | { "method": "resume_auto", "params": { gpu: string | null, } } | { "method": "reload_config" } | { "method": "get_settings" } | { "method": "save_thermal", "params": { form: ThermalForm, } } | { "method": "save_schedule", "params": { cells: Array<Paint>, } } | { "method": "save_games", "params": { games: Array<string>, } } | { "method": "save_electricity", "params": { form: ElectricityForm, } } | { "method": "save_providers", "params": { form: ProvidersForm, } } | { "method": "save_notifications", "params": { form: NotificationsForm, } } | { "method": "save_api", "params": { form: ApiForm, } } | { "method": "test_provider", "params": { target: ProviderTarget, form: ProvidersForm, } } | { "method": "get_credentials" } | { "method": "set_credential", "params": SetCredential } | { "method": "remove_credential", "params": { name: CredentialName, } } | { "method": "history", "params": { query: HistoryQuery, } } | { "method": "timeline" } | { "method": "earnings" } | { "method": "export_csv", "params": { from_ms: number, to_ms: number, } };

export type HostRequest = { "method": "get_snapshot" } | { "method": "recent_readings" } | { "method": "get_autostart" } | { "method": "set_autostart", "params": { enabled: boolean, } } | { "method": "running_processes" } | { "method": "get_locale" } | { "method": "quit" } | { "method": "restart_app" } | { "method": "ui_ready" };

export type WindowRequest = AgentRequest | HostRequest;

export type WindowAnswers = {
  status: unknown;
  set_mode: null;
  pause: null;
  resume_auto: null;
  reload_config: null;
  get_settings: SettingsView;
  save_thermal: SettingsView;
  save_schedule: SettingsView;
  save_games: SettingsView;
  save_electricity: SettingsView;
  save_providers: SettingsView;
  save_notifications: SettingsView;
  save_api: SettingsView;
  test_provider: ProviderCheck;
  get_credentials: Array<CredentialState>;
  set_credential: Array<CredentialState>;
  remove_credential: Array<CredentialState>;
  history: HistoryView;
  timeline: UiTimeline;
  earnings: unknown;
  export_csv: ExportDone;
  get_snapshot: UiSnapshot;
  recent_readings: Array<UiRecentGpu>;
  get_autostart: AutostartState;
  set_autostart: AutostartState;
  running_processes: Array<string>;
  get_locale: string | null;
  quit: null;
  restart_app: null;
  ui_ready: null;
}
