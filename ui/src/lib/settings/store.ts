// The settings store: what the configuration file holds, saving each section through the
// shell (which validates with Config::validate and writes the file), and per-field errors to
// show next to the inputs. The agent keeps running throughout.

import { writable, type Readable } from 'svelte/store';
import type { CommandError, Paint, SettingsView, ThermalForm } from '../bindings';
import { api, asCommandError } from '../ipc';

export type Section = 'thermal' | 'schedule' | 'games';

export interface SettingsState {
  view: SettingsView | null;
  /** Per section: field name (last segment of the config path) → message. */
  fieldErrors: Record<Section, Record<string, string>>;
  /** Per section: an error not tied to a field. */
  errors: Record<Section, string | null>;
  saved: Section | null;
  loading: boolean;
}

const empty = (): SettingsState => ({
  view: null,
  fieldErrors: { thermal: {}, schedule: {}, games: {} },
  errors: { thermal: null, schedule: null, games: null },
  saved: null,
  loading: false,
});

/** The field an error names: `thermal.gpu."GPU-1".soft_limit_c` → `soft_limit_c`. */
export function fieldName(path: string): string {
  const last = path.split('.').pop() ?? path;
  return last.replace(/\[\d+\]$/, '');
}

export interface Settings extends Readable<SettingsState> {
  load(): Promise<void>;
  saveThermal(form: ThermalForm): Promise<boolean>;
  saveSchedule(cells: Paint[]): Promise<boolean>;
  saveGames(games: string[]): Promise<boolean>;
}

export function createSettings(): Settings {
  const state = writable<SettingsState>(empty());

  async function save(section: Section, call: () => Promise<SettingsView>): Promise<boolean> {
    state.update((s) => ({ ...s, saved: null }));
    try {
      const view = await call();
      state.update((s) => ({
        ...s,
        view,
        saved: section,
        fieldErrors: { ...s.fieldErrors, [section]: {} },
        errors: { ...s.errors, [section]: null },
      }));
      return true;
    } catch (e) {
      const err: CommandError = asCommandError(e);
      const fields: Record<string, string> = {};
      for (const f of err.fields) fields[fieldName(f.field)] = f.message;
      state.update((s) => ({
        ...s,
        fieldErrors: { ...s.fieldErrors, [section]: fields },
        errors: { ...s.errors, [section]: err.fields.length ? null : err.message },
      }));
      return false;
    }
  }

  return {
    subscribe: state.subscribe,
    async load() {
      state.update((s) => ({ ...s, loading: true }));
      try {
        const view = await api.getSettings();
        state.update((s) => ({ ...s, view, loading: false }));
      } catch (e) {
        const message = asCommandError(e).message;
        state.update((s) => ({ ...s, loading: false, errors: { ...s.errors, thermal: message } }));
      }
    },
    saveThermal: (form) => save('thermal', () => api.saveThermal(form)),
    saveSchedule: (cells) => save('schedule', () => api.saveSchedule(cells)),
    saveGames: (games) => save('games', () => api.saveGames(games)),
  };
}

export const settings = createSettings();
