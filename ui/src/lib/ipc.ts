// The only module that talks to the Tauri shell: typed command calls and the snapshot event.
// Stores use it; components never do.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  CommandError, Paint, PausePreset, SettingsView, ThermalForm, UiMode, UiSnapshot,
} from './bindings';

export const SNAPSHOT_EVENT = 'snapshot';

export const api = {
  getSnapshot: () => invoke<UiSnapshot>('get_snapshot'),
  setMode: (mode: UiMode, gpu: string | null = null) => invoke<void>('set_mode', { mode, gpu }),
  pause: (preset: PausePreset) => invoke<void>('pause', { preset }),
  resumeAuto: () => invoke<void>('resume_auto'),
  getSettings: () => invoke<SettingsView>('get_settings'),
  saveThermal: (form: ThermalForm) => invoke<SettingsView>('save_thermal', { form }),
  saveSchedule: (cells: Paint[]) => invoke<SettingsView>('save_schedule', { cells }),
  saveGames: (games: string[]) => invoke<SettingsView>('save_games', { games }),
  getLocale: () => invoke<string | null>('get_locale'),
  quit: () => invoke<void>('quit_app'),
  uiReady: () => invoke<void>('ui_ready'),
};

/** Calls `handler` with every snapshot the agent publishes. */
export function onSnapshot(handler: (s: UiSnapshot) => void): Promise<UnlistenFn> {
  return listen<UiSnapshot>(SNAPSHOT_EVENT, (event) => handler(event.payload));
}

/** Whatever a command threw, as our `{code, message, fields}` shape. */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const c = e as Partial<CommandError>;
    return { code: c.code ?? 'rejected', message: String(c.message), fields: c.fields ?? [] };
  }
  return { code: 'rejected', message: String(e), fields: [] };
}
