// The history store against a mocked agent host: how a form becomes a query, which answer
// counts, errors and exports as the user sees them, and the "simulated" label on every figure.

import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { flushSync, mount, unmount } from 'svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { historyView } from '../testing/history';
import { locale } from '../i18n/store';
import { buildQuery, chartCurrencies, createHistory, dailySeries, PAGE, type HistoryForm } from './store';
import HistoryTotals from './HistoryTotals.svelte';
import SessionTable from './SessionTable.svelte';

afterEach(() => {
  clearMocks();
  locale.set('en-US');
  document.body.innerHTML = '';
});

const form = (over: Partial<HistoryForm> = {}): HistoryForm => ({
  preset: '7d', firstDay: '', lastDay: '', gpu: null, provider: null, mode: null, limit: PAGE, ...over,
});

describe('history queries', () => {
  it('sends a named range as its preset and the filters as they are', () => {
    expect(buildQuery(form({ preset: 'last_month', gpu: 'GPU-1', mode: 'rental' }))).toEqual({
      range: { preset: 'last_month' }, gpu: 'GPU-1', provider: null, mode: 'rental', limit: PAGE,
    });
  });

  it('sends custom dates as local days for the host to resolve in the agent time zone', () => {
    expect(buildQuery(form({ preset: 'custom', firstDay: '2025-06-01', lastDay: '2025-06-30' }))?.range).toEqual({
      preset: 'days', first_day: '2025-06-01', last_day: '2025-06-30',
    });
  });

  it('asks nothing while a custom day is missing, and says so', async () => {
    const calls: string[] = [];
    mockHost((method) => {
      calls.push(method);
      return historyView();
    });
    expect(buildQuery(form({ preset: 'custom', firstDay: '2025-06-01' }))).toBeNull();
    const h = createHistory();
    await h.change({ preset: 'custom', firstDay: '2025-06-01', lastDay: '' });
    expect(get(h).needsDays).toBe(true);
    expect(calls).toEqual([]);
  });

  it('asks again with each change, starting the session list over, and pages with "more"', async () => {
    const queries: unknown[] = [];
    mockHost((method, params) => {
      expect(method).toBe('history');
      queries.push(params.query);
      return historyView();
    });
    const h = createHistory();
    await h.load();
    await h.more();
    await h.change({ provider: 'boinc' });
    expect(queries).toEqual([
      { range: { preset: '7d' }, gpu: null, provider: null, mode: null, limit: PAGE },
      { range: { preset: '7d' }, gpu: null, provider: null, mode: null, limit: 2 * PAGE },
      { range: { preset: '7d' }, gpu: null, provider: 'boinc', mode: null, limit: PAGE },
    ]);
  });

  it('switching to custom starts from the days on screen', async () => {
    const queries: { range: unknown }[] = [];
    mockHost((_m, params) => {
      queries.push(params.query as { range: unknown });
      return historyView();
    });
    const h = createHistory();
    await h.load();
    await h.change({ preset: 'custom' });
    expect(queries[1].range).toEqual({ preset: 'days', first_day: '2025-06-01', last_day: '2025-06-02' });
  });

  it('shows the host error and keeps the last answer', async () => {
    let fail = false;
    mockHost(() => {
      if (fail) {
        throw { code: 'ledger', message: 'the earnings history file /x/ledger.sqlite is missing; restart Overtime', fields: [] };
      }
      return historyView();
    });
    const h = createHistory();
    await h.load();
    fail = true;
    await h.change({ preset: 'today' });
    expect(get(h).error).toEqual({
      code: 'ledger', message: 'the earnings history file /x/ledger.sqlite is missing; restart Overtime', fields: [],
    });
    expect(get(h).view).not.toBeNull();
    expect(get(h).loading).toBe(false);
    fail = false;
    await h.change({ preset: '30d' });
    expect(get(h).error).toBeNull();
  });

  it('only the answer to the latest question is shown', async () => {
    const answers: Array<(v: unknown) => void> = [];
    mockHost(() => new Promise((resolve) => answers.push(resolve)));
    const h = createHistory();
    const first = h.load();
    const second = h.change({ preset: 'today' });
    await new Promise((r) => setTimeout(r, 0));
    answers[1](historyView({ first_day: 'today' }));
    answers[0](historyView({ first_day: 'stale' }));
    await Promise.all([first, second]);
    expect(get(h).view?.first_day).toBe('today');
  });
});

describe('export', () => {
  it('exports the range on screen and tells where the file went', async () => {
    mockHost((method, params) => {
      if (method === 'history') return historyView({ simulated: true });
      expect(method).toBe('export_csv');
      expect(params).toEqual({ from_ms: historyView().from_ms, to_ms: historyView().to_ms });
      return { path: '/home/u/Downloads/overtime-2025-06-01-2025-06-02.csv', sessions: 1, earnings: 1, simulated: true };
    });
    const h = createHistory();
    await h.load();
    await h.exportCsv();
    expect(get(h).exported?.path).toBe('/home/u/Downloads/overtime-2025-06-01-2025-06-02.csv');
    expect(get(h).exporting).toBe(false);
  });

  it('shows why an export failed', async () => {
    mockHost((method) => {
      if (method === 'history') return historyView();
      throw { code: 'export', message: 'the disk holding /home/u/Downloads is full; free some space and export again', fields: [] };
    });
    const h = createHistory();
    await h.load();
    await h.exportCsv();
    expect(get(h).exportError?.message).toMatch(/is full; free some space/);
    expect(get(h).exported).toBeNull();
  });
});

describe('chart data', () => {
  it('offers each currency on its own and never adds them up', () => {
    const view = historyView();
    expect(chartCurrencies(view)).toEqual(['EUR', 'USD']);
    expect(dailySeries(view, 'USD')).toEqual({
      t: [view.days[0].start_ms / 1000, view.days[1].start_ms / 1000],
      gross: [0, 1.9], electricity: [0, 0], net: [0, 1.9],
    });
    expect(dailySeries(view, 'EUR').net).toEqual([-0.2, -0.2]);
  });
});

describe('figures on screen', () => {
  function render(simulated: boolean) {
    const view = historyView({ simulated });
    const target = document.createElement('div');
    document.body.appendChild(target);
    const totals = mount(HistoryTotals, { target, props: { totals: view.totals, simulated } });
    const table = mount(SessionTable, { target, props: { sessions: view.sessions, gpus: view.gpus, simulated } });
    flushSync();
    return { target, done: () => { unmount(totals); unmount(table); } };
  }

  it('labels every figure "simulated" in demo mode', () => {
    const { target, done } = render(true);
    const cards = target.querySelectorAll('.card');
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) expect(card.querySelector('[data-testid="simulated-tag"]')).not.toBeNull();
    // The energy, electricity and contract-earnings columns each carry the label.
    const head = target.querySelector('[data-testid="history-sessions"] thead')!;
    expect(head.querySelectorAll('[data-testid="simulated-tag"]')).toHaveLength(3);
    done();
  });

  it('shows no such label for real figures', () => {
    const { target, done } = render(false);
    expect(target.querySelector('[data-testid="simulated-tag"]')).toBeNull();
    done();
  });

  it('shows money per currency, in the locale, from the exact amounts', () => {
    locale.set('de-DE');
    const { target, done } = render(false);
    const net = target.querySelector('[data-testid="total-net"]')!.textContent!.replace(/\s+/g, ' ');
    expect(net).toContain('-0,40 €');
    expect(net).toContain('1,90 $');
    done();
  });
});
