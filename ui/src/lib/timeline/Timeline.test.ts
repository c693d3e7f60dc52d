import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, tick } from 'svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { get } from 'svelte/store';
import Timeline from './Timeline.svelte';
import { createTimeline } from './store';
import { mockHost } from '../testing/host';
import { locale } from '../i18n/store';
import type { UiTimeline } from '../bindings';
import { show, takeDown } from '../testing/mount';

// jsdom measures nothing; the strip's width binding only needs the observer to exist.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

const H = 3_600_000;
const NOW = Date.UTC(2026, 2, 10, 12, 0);

function timeline(over: Partial<UiTimeline> = {}): UiTimeline {
  return {
    from_ms: NOW - 24 * H, now_ms: NOW, to_ms: NOW + 24 * H, timezone: 'UTC',
    history: 'recorded', history_error: null,
    gpus: [{
      uuid: 'GPU-0', index: 0, name: 'RTX', spans: [
        { start_ms: NOW - 24 * H, end_ms: NOW - 6 * H, mode: 'volunteer', open: false },
        { start_ms: NOW - 6 * H, end_ms: NOW, mode: 'rental', open: true },
      ],
    }],
    plan: [
      { start_ms: NOW, end_ms: NOW + 10 * H, modes: ['rental', 'volunteer'], window: null },
      { start_ms: NOW + 10 * H, end_ms: NOW + 24 * H, modes: ['volunteer'], window: 'nights' },
    ],
    hour_ticks: Array.from({ length: 49 }, (_, i) => ({ at_ms: NOW - 24 * H + i * H, hour: (12 + i) % 24 })),
    ...over,
  };
}

async function render(answer: () => unknown) {
  mockHost((method) => (method === 'timeline' ? answer() : null));
  const target = show(Timeline, {});
  for (let i = 0; i < 5; i++) await tick();
  flushSync();
  return target;
}

afterEach(() => {
  takeDown();
  clearMocks();
  locale.set('en-US');
});

describe('24-hour timeline', () => {
  it('draws a strip per GPU with now in the middle, the past in mode colours and the plan after', async () => {
    const el = await render(() => timeline());
    const strips = el.querySelectorAll('[data-testid="timeline-strip"]');
    expect(strips).toHaveLength(1);
    const bars = [...strips[0].querySelectorAll<HTMLElement>('.bar')];
    expect(bars.map((b) => b.dataset.mode ?? `plan:${b.dataset.plan}`)).toEqual([
      'volunteer', 'rental', 'plan:any', 'plan:volunteer',
    ]);
    expect(bars[1].style.left).toBe('37.5%');
    expect(bars[1].style.width).toBe('12.5%');
    expect(el.querySelector<HTMLElement>('[data-testid="timeline-now"]')!.style.left).toBe('50%');
    expect(el.querySelector('.grid')!.getAttribute('aria-hidden')).toBe('true');
  });

  it('says the same in words for screen readers', async () => {
    const el = await render(() => timeline());
    const text = el.querySelector('[data-testid="timeline-list"]')!.textContent!.replace(/\s+/g, ' ');
    expect(text).toContain('Volunteer from');
    expect(text).toContain('Rental since');
    expect(text).toContain('still running');
    expect(text).toContain('The schedule allows Rental or Volunteer from');
    expect(text).toContain('(window nights)');
  });

  it('without a ledger shows only the plan and says why, in German too', async () => {
    locale.set('de-DE');
    const el = await render(() =>
      timeline({ history: 'not_kept', gpus: [{ uuid: 'GPU-0', index: 0, name: 'RTX', spans: [] }] }),
    );
    expect(el.querySelector('[data-testid="timeline-no-history"]')!.textContent).toContain('kein Kassenbuch');
    const bars = el.querySelectorAll<HTMLElement>('[data-testid="timeline-strip"] .bar');
    expect([...bars].every((b) => b.classList.contains('plan'))).toBe(true);
  });
});

describe('timeline store', () => {
  it('keeps the last good strip when a fetch fails, and says why', async () => {
    let fail = false;
    mockHost((method) => {
      if (method !== 'timeline') return null;
      if (fail) throw { code: 'rejected', message: 'ledger busy', fields: [] };
      return timeline();
    });
    const s = createTimeline();
    await s.refresh();
    expect(get(s.timeline)?.now_ms).toBe(NOW);
    fail = true;
    await s.refresh();
    expect(get(s.timeline)?.now_ms).toBe(NOW);
    expect(get(s.error)).toBe('ledger busy');
  });

  it('folds calls made during a fetch into one more fetch', async () => {
    let calls = 0;
    mockHost((method) => {
      if (method === 'timeline') calls++;
      return timeline();
    });
    const s = createTimeline();
    const a = s.refresh();
    void s.refresh();
    void s.refresh();
    await a;
    expect(calls).toBe(2);
  });
});
