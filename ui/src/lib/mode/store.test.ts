import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { createModeControls, globalOverride, gpuOverride } from './store';
import { snapshot } from '../testing/fixtures';

afterEach(() => clearMocks());

describe('mode controls', () => {
  it('send our own commands with their arguments', async () => {
    const seen: [string, unknown][] = [];
    mockHost((cmd, args) => {
      seen.push([cmd, args]);
    });
    const m = createModeControls();
    await m.setMode('rental');
    await m.pause('three_hours');
    await m.auto();
    expect(seen).toEqual([
      ['set_mode', { mode: 'rental', gpu: null }],
      ['pause', { preset: 'three_hours' }],
      ['resume_auto', { gpu: null }],
    ]);
    expect(get(m.error)).toBeNull();
  });

  it('set and clear one GPU by its UUID', async () => {
    const seen: [string, unknown][] = [];
    mockHost((cmd, args) => {
      seen.push([cmd, args]);
    });
    const m = createModeControls();
    await m.setModeFor('GPU-1', 'idle');
    await m.autoFor('GPU-1');
    expect(seen).toEqual([
      ['set_mode', { mode: 'idle', gpu: 'GPU-1' }],
      ['resume_auto', { gpu: 'GPU-1' }],
    ]);
  });

  it('keep the agent refusal as {code, message}', async () => {
    mockHost(() => {
      throw { code: 'agent_unavailable', message: 'the agent has stopped', fields: [] };
    });
    const m = createModeControls();
    await m.setMode('idle');
    expect(get(m.error)).toEqual({ code: 'agent_unavailable', message: 'the agent has stopped', fields: [] });
    expect(get(m.busy)).toBe(false);
  });

  it('describe the override for every GPU, not a per-GPU one', () => {
    const s = snapshot(0, {
      overrides: [
        { mode: 'rental', gpu_uuid: 'GPU-1', until_ms: null },
        { mode: 'idle', gpu_uuid: null, until_ms: 5 },
      ],
    });
    expect(globalOverride(s)).toEqual({ mode: 'idle', gpu_uuid: null, until_ms: 5 });
    expect(globalOverride(snapshot(0))).toBeNull();
    expect(gpuOverride(s, 'GPU-1')).toEqual({ mode: 'rental', gpu_uuid: 'GPU-1', until_ms: null });
    expect(gpuOverride(s, 'GPU-0')).toBeNull();
  });
});
