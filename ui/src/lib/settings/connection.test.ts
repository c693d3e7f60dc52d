import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { createConnections } from './connection';
import { settingsView } from '../testing/fixtures';

afterEach(() => clearMocks());

describe('test connection', () => {
  it('asks the host about one provider with the form as it stands and keeps each answer apart', async () => {
    const form = { ...settingsView().providers, volunteer: 'boinc' as const };
    mockHost((method, params) => {
      expect(method).toBe('test_provider');
      if (params.target === 'boinc') {
        expect(params.form).toEqual(form);
        return { outcome: 'ok', message: '2 tasks running' };
      }
      return { outcome: 'failed', message: 'Vast.ai did not answer within 10 s' };
    });
    const c = createConnections();
    await c.test('boinc', form);
    await c.test('vast', form);
    expect(get(c).results.boinc).toEqual({ outcome: 'ok', message: '2 tasks running' });
    expect(get(c).results.vast?.outcome).toBe('failed');
    expect(get(c).running.boinc).toBe(false);
  });

  it('names the fields when the form itself is not valid', async () => {
    mockHost(() => {
      throw {
        code: 'invalid_settings',
        message: 'some settings are not valid; fix the marked fields and save again',
        fields: [{ field: 'providers.boinc.port', message: '"x" is not a whole number' }],
      };
    });
    const c = createConnections();
    const result = await c.test('boinc', settingsView().providers);
    expect(result.outcome).toBe('failed');
    expect(result.message).toContain('providers.boinc.port: "x" is not a whole number');
  });
});
