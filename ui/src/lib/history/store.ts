// The history store: the range and filters the user picked, the agent host's answer for them,
// and the CSV export. Ranges are resolved by the host in the agent's time zone; this store only
// says which preset (or which local days) was picked, so the UI and the ledger agree on days.

import { writable, type Readable } from 'svelte/store';
import type {
  CommandError, ExportDone, HistoryQuery, HistoryView, UiMode, UiMoney,
} from '../bindings';
import { api, asCommandError } from '../ipc';

export type Preset = 'today' | '7d' | '30d' | 'this_month' | 'last_month' | 'custom';
export const PRESETS: readonly Preset[] = ['today', '7d', '30d', 'this_month', 'last_month', 'custom'];

/** Sessions asked for at first, and added by each "Show more". */
export const PAGE = 50;

export interface HistoryForm {
  preset: Preset;
  /** `YYYY-MM-DD`, for the custom preset. */
  firstDay: string;
  lastDay: string;
  gpu: string | null;
  provider: string | null;
  mode: UiMode | null;
  limit: number;
}

export interface HistoryState {
  form: HistoryForm;
  view: HistoryView | null;
  loading: boolean;
  error: CommandError | null;
  /** The custom preset is picked but a day is missing: nothing was asked. */
  needsDays: boolean;
  exporting: boolean;
  exported: ExportDone | null;
  exportError: CommandError | null;
}

const initialForm = (): HistoryForm => ({
  preset: '7d', firstDay: '', lastDay: '', gpu: null, provider: null, mode: null, limit: PAGE,
});

/** The host query for a form; `null` when the custom range lacks a day. */
export function buildQuery(form: HistoryForm): HistoryQuery | null {
  let range: HistoryQuery['range'];
  if (form.preset === 'custom') {
    if (!form.firstDay || !form.lastDay) return null;
    range = { preset: 'days', first_day: form.firstDay, last_day: form.lastDay };
  } else {
    range = { preset: form.preset };
  }
  return { range, gpu: form.gpu, provider: form.provider, mode: form.mode, limit: form.limit };
}

/** Every currency that appears in the daily series, for the chart's currency choice. */
export function chartCurrencies(view: HistoryView | null): string[] {
  const seen = new Set<string>();
  for (const d of view?.days ?? []) {
    for (const m of [...d.gross, ...d.electricity, ...d.net]) seen.add(m.currency);
  }
  return [...seen].sort();
}

export interface DailySeries {
  /** Day starts, in seconds (uPlot's time unit). */
  t: number[];
  gross: number[];
  electricity: number[];
  net: number[];
}

/**
 * One currency's daily figures as numbers for the chart. Only the plot sees these floats;
 * every amount shown as text comes from the exact decimal strings.
 */
export function dailySeries(view: HistoryView | null, currency: string): DailySeries {
  const pick = (list: UiMoney[]) => {
    const m = list.find((x) => x.currency === currency);
    return m ? Number(m.amount) : 0;
  };
  const days = view?.days ?? [];
  return {
    t: days.map((d) => d.start_ms / 1000),
    gross: days.map((d) => pick(d.gross)),
    electricity: days.map((d) => pick(d.electricity)),
    net: days.map((d) => pick(d.net)),
  };
}

export interface History extends Readable<HistoryState> {
  /** Asks the host for the current form. */
  load(): Promise<void>;
  /** Changes the range or filters and asks again (the session list starts over). */
  change(patch: Partial<Omit<HistoryForm, 'limit'>>): Promise<void>;
  /** Lists another page of older sessions. */
  more(): Promise<void>;
  /** Writes the range on screen as CSV into the Downloads folder. */
  exportCsv(): Promise<void>;
}

export function createHistory(): History {
  const state = writable<HistoryState>({
    form: initialForm(), view: null, loading: false, error: null, needsDays: false,
    exporting: false, exported: null, exportError: null,
  });
  let current: HistoryState;
  state.subscribe((s) => (current = s));
  // Answers can come back out of order when the user clicks quickly; only the last counts.
  let asked = 0;

  async function load() {
    const query = buildQuery(current.form);
    if (!query) {
      state.update((s) => ({ ...s, needsDays: true, loading: false }));
      return;
    }
    const ticket = ++asked;
    state.update((s) => ({ ...s, needsDays: false, loading: true }));
    try {
      const view = await api.history(query);
      if (ticket !== asked) return;
      state.update((s) => {
        const form = { ...s.form };
        // Custom starts from the range last shown.
        if (!form.firstDay) form.firstDay = view.first_day;
        if (!form.lastDay) form.lastDay = view.last_day;
        return { ...s, form, view, loading: false, error: null };
      });
    } catch (e) {
      if (ticket !== asked) return;
      state.update((s) => ({ ...s, loading: false, error: asCommandError(e) }));
    }
  }

  return {
    subscribe: state.subscribe,
    load,
    async change(patch) {
      state.update((s) => {
        const form = { ...s.form, ...patch, limit: PAGE };
        // Switching to custom keeps the days of the range on screen.
        if (patch.preset === 'custom' && s.view && !patch.firstDay && !patch.lastDay) {
          form.firstDay = s.view.first_day;
          form.lastDay = s.view.last_day;
        }
        return { ...s, form };
      });
      await load();
    },
    async more() {
      state.update((s) => ({ ...s, form: { ...s.form, limit: s.form.limit + PAGE } }));
      await load();
    },
    async exportCsv() {
      const view = current.view;
      if (!view || current.exporting) return;
      state.update((s) => ({ ...s, exporting: true, exported: null, exportError: null }));
      try {
        const done = await api.exportCsv(view.from_ms, view.to_ms);
        state.update((s) => ({ ...s, exporting: false, exported: done }));
      } catch (e) {
        state.update((s) => ({ ...s, exporting: false, exportError: asCommandError(e) }));
      }
    },
  };
}

export const history = createHistory();
