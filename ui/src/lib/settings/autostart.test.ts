import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { createAutostart } from './autostart';

afterEach(() => clearMocks());

describe('start on login', () => {
  it('reads the state and switches it on through the host', async () => {
    let enabled = false;
    mockHost((method, params) => {
      if (method === 'set_autostart') enabled = params.enabled as boolean;
      return { supported: true, enabled };
    });
    const a = createAutostart();
    await a.load();
    expect(get(a).state).toEqual({ supported: true, enabled: false });
    expect(await a.set(true)).toBe(true);
    expect(get(a).state?.enabled).toBe(true);
  });

  it('shows why it could not be changed and keeps the last known state', async () => {
    mockHost((method) => {
      if (method === 'get_autostart') return { supported: false, enabled: false };
      throw { code: 'rejected', message: 'starting Overtime on login is not supported on this system yet', fields: [] };
    });
    const a = createAutostart();
    await a.load();
    expect(await a.set(true)).toBe(false);
    expect(get(a).error).toMatch(/not supported on this system yet/);
    expect(get(a).state).toEqual({ supported: false, enabled: false });
  });
});
