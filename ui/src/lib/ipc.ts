// The only module that talks to the Tauri shell: typed calls and the snapshot event.
// Stores use it; components never do. Every call goes through the shell's one command,
// `host_call`, which hands `{method, params}` to the process that runs the agent. Method names,
// their parameters and their answers come from the Rust request enums (`WindowRequest`,
// `WindowAnswers` in bindings.ts), so a call the host does not know does not compile.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  CommandError, CredentialName, ElectricityForm, HistoryQuery, NotificationsForm, Paint,
  PausePreset, ProvidersForm, ProviderTarget, ThermalForm, UiMode, UiSnapshot, ApiForm,
  WindowAnswers, WindowRequest,
} from './bindings';

export const SNAPSHOT_EVENT = 'snapshot';
/** Sent once when the process that runs the agent has gone away. */
export const HOST_LOST_EVENT = 'host_lost';

/** The Tauri command every call goes through. */
export const HOST_CALL = 'host_call';

export type Method = WindowRequest['method'];
/** The parameters of `M`, or nothing for a method that takes none. */
export type ParamsOf<M extends Method> =
  Extract<WindowRequest, { method: M }> extends { params: infer P } ? P : Record<string, never>;

/** Calls one of the agent host's methods. Rejects with a `CommandError`. */
export function call<M extends Method>(
  method: M,
  ...params: ParamsOf<M> extends Record<string, never> ? [] : [ParamsOf<M>]
): Promise<WindowAnswers[M]> {
  return invoke<WindowAnswers[M]>(HOST_CALL, { method, params: params[0] ?? {} });
}

export const api = {
  getSnapshot: () => call('get_snapshot'),
  recentReadings: () => call('recent_readings'),
  setMode: (mode: UiMode, gpu: string | null = null) => call('set_mode', { mode, gpu }),
  pause: (preset: PausePreset) => call('pause', { preset }),
  /** Back to automatic: every GPU, or only the overrides set for `gpu`. */
  resumeAuto: (gpu: string | null = null) => call('resume_auto', { gpu }),
  getSettings: () => call('get_settings'),
  saveThermal: (form: ThermalForm) => call('save_thermal', { form }),
  saveSchedule: (cells: Paint[]) => call('save_schedule', { cells }),
  saveGames: (games: string[]) => call('save_games', { games }),
  saveElectricity: (form: ElectricityForm) => call('save_electricity', { form }),
  saveProviders: (form: ProvidersForm) => call('save_providers', { form }),
  saveNotifications: (form: NotificationsForm) => call('save_notifications', { form }),
  saveApi: (form: ApiForm) => call('save_api', { form }),
  getCredentials: () => call('get_credentials'),
  setCredential: (name: CredentialName, value: string) => call('set_credential', { name, value }),
  removeCredential: (name: CredentialName) => call('remove_credential', { name }),
  testProvider: (target: ProviderTarget, form: ProvidersForm) =>
    call('test_provider', { target, form }),
  getAutostart: () => call('get_autostart'),
  setAutostart: (enabled: boolean) => call('set_autostart', { enabled }),
  runningProcesses: () => call('running_processes'),
  getLocale: () => call('get_locale'),
  timeline: () => call('timeline'),
  history: (query: HistoryQuery) => call('history', { query }),
  exportCsv: (fromMs: number, toMs: number) =>
    call('export_csv', { from_ms: fromMs, to_ms: toMs }),
  quit: () => call('quit'),
  uiReady: () => call('ui_ready'),
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
