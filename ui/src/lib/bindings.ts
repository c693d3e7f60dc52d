// Generated from src-tauri's wire types by ts-rs; do not edit.
// Refresh: OVERTIME_UPDATE_BINDINGS=1 cargo test -p overtime-desktop bindings

export type UiMode = "rental" | "volunteer" | "idle";

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
tray_available: boolean, };

export type ApiState = { 
/**
 * `127.0.0.1:47615` while it listens.
 */
address: string | null, 
/**
 * Why it is not running (disabled, port in use, …).
 */
note: string | null, };

export type UiGpu = { uuid: string, index: number, name: string, mode: UiMode, 
/**
 * "Idle — game running: eldenring.exe"; the same sentence the tray and the API show.
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
games: Array<string>, };

export type ErrorCode = "agent_unavailable" | "rejected" | "invalid_settings" | "config_file" | "ledger" | "export";

export type FieldError = { 
/**
 * Dotted path as the configuration names it, e.g. `thermal.soft_limit_c` or
 * `thermal.gpu."GPU-1".critical_limit_c`.
 */
field: string, message: string, };

export type CommandError = { code: ErrorCode, message: string, fields: Array<FieldError>, };

export type HistoryRange = { "preset": "today" } | { "preset": "7d" } | { "preset": "30d" } | { "preset": "this_month" } | { "preset": "last_month" } | { "preset": "days", first_day: string, last_day: string, } | { "preset": "custom", from_ms: number, to_ms: number, };

export type HistoryQuery = { range: HistoryRange, 
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

export type UiMoney = { amount: string, currency: string, };

export type ModeHours = { mode: UiMode, hours: number, };

export type ProjectCreditWire = { provider: string, project: string, credit: number, };

export type HistoryFigures = { 
/**
 * Earnings: provider statements plus live estimates for rental time no statement
 * covers yet.
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
