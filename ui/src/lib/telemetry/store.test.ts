import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { emit } from '@tauri-apps/api/event';
import { createTelemetry } from './store';
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
    expect(get(t.history).view('GPU-0', '10m')?.t).toEqual([1, 2]);
    expect(calls.filter((c) => c === 'get_snapshot')).toHaveLength(1);
    stop();
  });

  it('says so when the process that runs the agent goes away', async () => {
    mockHost((method) => (method === 'get_snapshot' ? snapshot(1_000) : null), { shouldMockEvents: true });
    const t = createTelemetry();
    const stop = await t.connect();
    expect(get(t.hostLost)).toBe(false);
    await emit('host_lost');
    expect(get(t.hostLost)).toBe(true);
    stop();
  });

  it('starts its charts with the hour the resident process kept', async () => {
    mockHost((method) => {
      if (method === 'recent_readings') {
        return [{ uuid: 'GPU-0', t_ms: [-1_000, 0], temp_c: [61, null], load_pct: [90, 91], power_w: [250, 260] }];
      }
      if (method === 'get_snapshot') return snapshot(1_000);
    }, { shouldMockEvents: true });
    const t = createTelemetry();
    const stop = await t.connect();
    const view = get(t.history).view('GPU-0', '10m');
    expect(view?.t).toEqual([-1, 0, 1]);
    expect(view?.temp.slice(0, 2)).toEqual([61, null]);
    stop();
  });

  it('ignores a snapshot older than the one shown', () => {
    const t = createTelemetry();
    t.accept(snapshot(5_000));
    t.accept(snapshot(4_000, { simulated: false }));
    expect(get(t.snapshot)?.at_ms).toBe(5_000);
  });
});
