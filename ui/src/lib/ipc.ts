// The only module that talks to the Tauri shell: typed calls and the snapshot event.
// Stores use it; components never do. Every call goes through the shell's one command,
// `host_call`, which hands `{method, params}` to the process that runs the agent; the method
// names below are that process's whole vocabulary.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  CommandError, ExportDone, HistoryQuery, HistoryView, Paint, PausePreset, SettingsView,
  ThermalForm, UiMode, UiSnapshot,
} from './bindings';
import type { UiRecentGpu, UiTimeline } from './bindings';
import type {
  ApiForm, AutostartState, CredentialName, CredentialState, ElectricityForm, NotificationsForm,
  ProviderCheck, ProvidersForm, ProviderTarget,
} from './bindings';

export const SNAPSHOT_EVENT = 'snapshot';
/** Sent once when the process that runs the agent has gone away. */
export const HOST_LOST_EVENT = 'host_lost';

/** The Tauri command every call goes through. */
export const HOST_CALL = 'host_call';

/** Calls one of the agent host's methods. Rejects with a `CommandError`. */
export function call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  return invoke<T>(HOST_CALL, { method, params });
}

export const api = {
  getSnapshot: () => call<UiSnapshot>('get_snapshot'),
  recentReadings: () => call<UiRecentGpu[]>('recent_readings'),
  setMode: (mode: UiMode, gpu: string | null = null) => call<void>('set_mode', { mode, gpu }),
  pause: (preset: PausePreset) => call<void>('pause', { preset }),
  /** Back to automatic: every GPU, or only the overrides set for `gpu`. */
  resumeAuto: (gpu: string | null = null) => call<void>('resume_auto', { gpu }),
  getSettings: () => call<SettingsView>('get_settings'),
  saveThermal: (form: ThermalForm) => call<SettingsView>('save_thermal', { form }),
  saveSchedule: (cells: Paint[]) => call<SettingsView>('save_schedule', { cells }),
  saveGames: (games: string[]) => call<SettingsView>('save_games', { games }),
  saveElectricity: (form: ElectricityForm) => call<SettingsView>('save_electricity', { form }),
  saveProviders: (form: ProvidersForm) => call<SettingsView>('save_providers', { form }),
  saveNotifications: (form: NotificationsForm) =>
    call<SettingsView>('save_notifications', { form }),
  saveApi: (form: ApiForm) => call<SettingsView>('save_api', { form }),
  getCredentials: () => call<CredentialState[]>('get_credentials'),
  setCredential: (name: CredentialName, value: string) =>
    call<CredentialState[]>('set_credential', { name, value }),
  removeCredential: (name: CredentialName) =>
    call<CredentialState[]>('remove_credential', { name }),
  testProvider: (target: ProviderTarget, form: ProvidersForm) =>
    call<ProviderCheck>('test_provider', { target, form }),
  getAutostart: () => call<AutostartState>('get_autostart'),
  setAutostart: (enabled: boolean) => call<AutostartState>('set_autostart', { enabled }),
  runningProcesses: () => call<string[]>('running_processes'),
  getLocale: () => call<string | null>('get_locale'),
  timeline: () => call<UiTimeline>('timeline'),
  history: (query: HistoryQuery) => call<HistoryView>('history', { query }),
  exportCsv: (fromMs: number, toMs: number) =>
    call<ExportDone>('export_csv', { from_ms: fromMs, to_ms: toMs }),
  quit: () => call<void>('quit'),
  restartApp: () => call<void>('restart_app'),
  uiReady: () => call<void>('ui_ready'),
};

/** Calls `handler` with every snapshot the agent publishes. */
export function onSnapshot(handler: (s: UiSnapshot) => void): Promise<UnlistenFn> {
  return listen<UiSnapshot>(SNAPSHOT_EVENT, (event) => handler(event.payload));
}

/** Calls `handler` if the process that runs the agent goes away. */
export function onHostLost(handler: () => void): Promise<UnlistenFn> {
  return listen(HOST_LOST_EVENT, () => handler());
}

/** Whatever a command threw, as our `{code, message, fields}` shape. */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const c = e as Partial<CommandError>;
    return { code: c.code ?? 'rejected', message: String(c.message), fields: c.fields ?? [] };
  }
  return { code: 'rejected', message: String(e), fields: [] };
}
