import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { createRestart } from './restart';

afterEach(() => clearMocks());

describe('restart now', () => {
  it('asks the host to restart and says the window is on its way back', async () => {
    const calls: string[] = [];
    mockHost((method) => {
      calls.push(method);
      return null;
    });
    const r = createRestart();
    expect(await r.request()).toBe(true);
    expect(calls).toEqual(['restart_app']);
    expect(get(r)).toEqual({ restarting: true, error: null });
  });

  it('shows why the host refused and lets the user try again', async () => {
    mockHost(() => {
      throw { code: 'agent_unavailable', message: 'the agent has stopped; restart Overtime to get it back', fields: [] };
    });
    const r = createRestart();
    expect(await r.request()).toBe(false);
    expect(get(r).restarting).toBe(false);
    expect(get(r).error).toMatch(/the agent has stopped/);
  });
});
