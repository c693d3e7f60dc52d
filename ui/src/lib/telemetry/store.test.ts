import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { emit } from '@tauri-apps/api/event';
import { createTelemetry } from './store';
import { appendSnapshot, WINDOW_S } from './history';
import { gpu, snapshot } from '../testing/fixtures';

afterEach(() => clearMocks());

describe('telemetry store', () => {
  it('takes the current snapshot first, then follows pushed events without polling', async () => {
    const calls: string[] = [];
    mockHost(
      (cmd) => {
        calls.push(cmd);
        if (cmd === 'get_snapshot') return snapshot(1_000);
      },
      { shouldMockEvents: true },
    );
    const t = createTelemetry();
    const stop = await t.connect();
    expect(get(t.snapshot)?.at_ms).toBe(1_000);

    await emit('snapshot', snapshot(2_000, { gpus: [gpu({ mode: 'idle' })] }));
    expect(get(t.snapshot)?.gpus[0].mode).toBe('idle');
    expect(get(t.history)['GPU-0'].t).toEqual([1, 2]);
    expect(calls.filter((c) => c === 'get_snapshot')).toHaveLength(1);
    stop();
  });

  it('ignores a snapshot older than the one shown', () => {
    const t = createTelemetry();
    t.accept(snapshot(5_000));
    t.accept(snapshot(4_000, { simulated: false }));
    expect(get(t.snapshot)?.at_ms).toBe(5_000);
  });
});

describe('history', () => {
  it('keeps ten minutes and drops older points', () => {
    let h = {};
    for (let s = 0; s <= WINDOW_S + 5; s++) h = appendSnapshot(h, snapshot(s * 1000));
    const series = (h as Record<string, { t: number[] }>)['GPU-0'];
    expect(series.t[0]).toBe(5);
    expect(series.t.at(-1)).toBe(WINDOW_S + 5);
  });

  it('records a missing reading as a gap, never as zero', () => {
    const h = appendSnapshot({}, snapshot(1000, { gpus: [gpu({ reading: null })] }));
    expect(h['GPU-0'].temp).toEqual([null]);
  });

  it('keeps one point per instant', () => {
    let h = appendSnapshot({}, snapshot(1000));
    h = appendSnapshot(h, snapshot(1000));
    expect(h['GPU-0'].t).toEqual([1]);
  });
});
