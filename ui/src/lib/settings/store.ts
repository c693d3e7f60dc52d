// The settings store: what the configuration file holds, saving each section through the
// shell (which validates with Config::validate and writes the file), and per-field errors to
// show next to the inputs. The agent keeps running throughout.

import { get, writable, type Readable } from 'svelte/store';
import type {
  ApiForm, CommandError, ElectricityForm, FieldError, NotificationsForm, Paint, ProvidersForm,
  SettingsView, ThermalForm,
} from '../bindings';
import { api, asCommandError } from '../ipc';
import { format } from '../i18n/catalogue';
import { i18n } from '../i18n/store';

/**
 * A rejected field's message in the window's language, from the problem the agent sent; its
 * English message where there is none or the catalogue does not know it (a newer agent).
 */
export function fieldMessage(f: FieldError): string {
  if (!f.problem) return f.message;
  const text = format(get(i18n).language, f.problem.id, f.problem.args);
  return text === f.problem.id ? f.message : text;
}

export const SECTIONS = [
  'thermal', 'schedule', 'games', 'electricity', 'providers', 'notifications', 'api',
] as const;
export type Section = (typeof SECTIONS)[number];

export interface SettingsState {
  view: SettingsView | null;
  /** Per section: field name (last segment of the config path) → message. */
  fieldErrors: Record<Section, Record<string, string>>;
  /** Per section: full dotted config path (`electricity.period[1].price_per_kwh`) → message. */
  pathErrors: Record<Section, Record<string, string>>;
  /** Per section: an error not tied to a field. */
  errors: Record<Section, string | null>;
  saved: Section | null;
  loading: boolean;
}

function perSection<T>(make: () => T): Record<Section, T> {
  return Object.fromEntries(SECTIONS.map((s) => [s, make()])) as Record<Section, T>;
}

const empty = (): SettingsState => ({
  view: null,
  fieldErrors: perSection(() => ({})),
  pathErrors: perSection(() => ({})),
  errors: perSection(() => null),
  saved: null,
  loading: false,
});

/** The field an error names: `thermal.gpu."GPU-1".soft_limit_c` → `soft_limit_c`. */
export function fieldName(path: string): string {
  const last = path.split('.').pop() ?? path;
  return last.replace(/\[\d+\]$/, '');
}

/** The errors of `errors` whose path is none of `shown`: they go in a list under the form. */
export function otherErrors(errors: Record<string, string>, shown: Iterable<string>): string[] {
  const claimed = new Set(shown);
  return Object.entries(errors)
    .filter(([path]) => !claimed.has(path))
    .map(([path, message]) => `${path}: ${message}`);
}

export interface Settings extends Readable<SettingsState> {
  load(): Promise<void>;
  saveThermal(form: ThermalForm): Promise<boolean>;
  saveSchedule(cells: Paint[]): Promise<boolean>;
  saveGames(games: string[]): Promise<boolean>;
  saveElectricity(form: ElectricityForm): Promise<boolean>;
  saveProviders(form: ProvidersForm): Promise<boolean>;
  saveNotifications(form: NotificationsForm): Promise<boolean>;
  saveApi(form: ApiForm): Promise<boolean>;
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
        pathErrors: { ...s.pathErrors, [section]: {} },
        errors: { ...s.errors, [section]: null },
      }));
      return true;
    } catch (e) {
      const err: CommandError = asCommandError(e);
      const fields: Record<string, string> = {};
      const paths: Record<string, string> = {};
      for (const f of err.fields) {
        const message = fieldMessage(f);
        fields[fieldName(f.field)] = message;
        paths[f.field] = message;
      }
      state.update((s) => ({
        ...s,
        fieldErrors: { ...s.fieldErrors, [section]: fields },
        pathErrors: { ...s.pathErrors, [section]: paths },
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
    saveElectricity: (form) => save('electricity', () => api.saveElectricity(form)),
    saveProviders: (form) => save('providers', () => api.saveProviders(form)),
    saveNotifications: (form) => save('notifications', () => api.saveNotifications(form)),
    saveApi: (form) => save('api', () => api.saveApi(form)),
  };
}

export const settings = createSettings();
