import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { createCredentials } from './credentials';
import type { CredentialState } from '../bindings';

afterEach(() => clearMocks());

const KEY = 'vast-4f9c2e1b-DO-NOT-KEEP';
const states = (vast: boolean, boinc = false): CredentialState[] => [
  { name: 'vast_api_key', set: vast, env_var: null, error: null },
  { name: 'boinc_password', set: boinc, env_var: null, error: null },
];

describe('credentials store', () => {
  it('sends a typed key to the host once and afterwards knows only that it is set', async () => {
    const calls: unknown[] = [];
    mockHost((method, params) => {
      calls.push({ method, params });
      if (method === 'get_credentials') return states(false);
      if (method === 'set_credential') return states(true);
    });
    const c = createCredentials();
    await c.load();
    expect(get(c).states[0].set).toBe(false);
    expect(await c.store('vast_api_key', KEY)).toBe(true);
    expect(calls[1]).toEqual({ method: 'set_credential', params: { name: 'vast_api_key', value: KEY } });
    expect(get(c).states[0].set).toBe(true);
    expect(get(c).done).toEqual({ name: 'vast_api_key', action: 'stored' });
    expect(JSON.stringify(get(c))).not.toContain(KEY);
  });

  it('keeps a keyring failure next to the credential it concerns', async () => {
    mockHost((method) => {
      if (method === 'set_credential') {
        throw { code: 'rejected', message: 'no keyring service is running; set OVERTIME_VAST_API_KEY', fields: [] };
      }
    });
    const c = createCredentials();
    expect(await c.store('vast_api_key', KEY)).toBe(false);
    expect(get(c).errors.vast_api_key).toMatch(/OVERTIME_VAST_API_KEY/);
    expect(get(c).errors.boinc_password).toBeUndefined();
    expect(get(c).busy).toBeNull();
  });

  it('removes a stored password', async () => {
    mockHost((method, params) => {
      if (method === 'remove_credential') {
        expect(params).toEqual({ name: 'boinc_password' });
        return states(false, false);
      }
    });
    const c = createCredentials();
    expect(await c.remove('boinc_password')).toBe(true);
    expect(get(c).states[1].set).toBe(false);
    expect(get(c).done?.action).toBe('removed');
  });
});
