import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { createSettings, fieldMessage, fieldName, otherErrors } from './store';
import { locale } from '../i18n/store';
import { settingsView } from '../testing/fixtures';

afterEach(() => clearMocks());

describe('settings store', () => {
  it('puts each rejected field next to its input, by its last path segment', async () => {
    mockHost((cmd) => {
      if (cmd === 'get_settings') return settingsView();
      if (cmd === 'save_thermal') {
        throw {
          code: 'invalid_settings',
          message: 'some settings are not valid',
          fields: [{ field: 'thermal.gpu."GPU-0".critical_limit_c', message: 'must be above soft_limit_c' }],
        };
      }
    });
    const s = createSettings();
    await s.load();
    const ok = await s.saveThermal({ gpu_uuid: 'GPU-0', soft_limit_c: 83, critical_limit_c: 70, hysteresis_c: 5 });
    expect(ok).toBe(false);
    expect(get(s).fieldErrors.thermal).toEqual({ critical_limit_c: 'must be above soft_limit_c' });
    expect(get(s).view?.thermal[0].critical_limit_c).toBe(90);
  });

  it('renders each field error in the window\'s language from the problem the agent sent', async () => {
    const problem = { id: 'config-outOfRange', args: { value: 120.5, min: '40', max: '105', unit: ' °C' } };
    mockHost((cmd) => {
      if (cmd === 'save_thermal') {
        throw {
          code: 'invalid_settings',
          message: 'some settings are not valid',
          fields: [{ field: 'thermal.soft_limit_c', message: '120.5 is out of range; use a value from 40 to 105 °C', problem }],
        };
      }
    });
    const s = createSettings();
    locale.set('de-DE');
    try {
      await s.saveThermal({ gpu_uuid: null, soft_limit_c: 120.5, critical_limit_c: 90, hysteresis_c: 5 });
      expect(get(s).fieldErrors.thermal).toEqual({
        soft_limit_c: '120,5 liegt außerhalb des Bereichs; verwenden Sie einen Wert von 40 bis 105 °C',
      });
      locale.set('en-US');
      await s.saveThermal({ gpu_uuid: null, soft_limit_c: 120.5, critical_limit_c: 90, hysteresis_c: 5 });
      expect(get(s).fieldErrors.thermal).toEqual({
        soft_limit_c: '120.5 is out of range; use a value from 40 to 105 °C',
      });
    } finally {
      locale.set('en-US');
    }
  });

  it('falls back to the agent\'s English for a problem the catalogue does not know', () => {
    expect(fieldMessage({ field: 'x', message: 'in English', problem: { id: 'config-fromTheFuture', args: {} } }))
      .toBe('in English');
  });

  it('clears errors and shows the saved view after a good save', async () => {
    const saved = { ...settingsView(), games: ['cs2', 'dota2'] };
    mockHost((cmd, args) => {
      if (cmd === 'save_games') {
        expect(args).toEqual({ games: ['cs2', 'dota2'] });
        return saved;
      }
    });
    const s = createSettings();
    expect(await s.saveGames(['cs2', 'dota2'])).toBe(true);
    expect(get(s).view).toEqual(saved);
    expect(get(s).saved).toBe('games');
  });

  it('shows an error with no field as a message for the section', async () => {
    mockHost(() => {
      throw { code: 'config_file', message: 'cannot write config.toml: read-only', fields: [] };
    });
    const s = createSettings();
    await s.saveSchedule(Array(168).fill('idle'));
    expect(get(s).errors.schedule).toMatch(/read-only/);
  });

  it('keeps the full path of each rejected field so repeated rows are told apart', async () => {
    mockHost((cmd) => {
      if (cmd === 'save_electricity') {
        throw {
          code: 'invalid_settings',
          message: 'some settings are not valid',
          fields: [
            { field: 'electricity.period[1].price_per_kwh', message: '"0,4x" is not a decimal number' },
            { field: 'rental.currency', message: 'set rental.exchange_rate' },
          ],
        };
      }
    });
    const s = createSettings();
    expect(await s.saveElectricity(settingsView().electricity)).toBe(false);
    expect(get(s).pathErrors.electricity).toEqual({
      'electricity.period[1].price_per_kwh': '"0,4x" is not a decimal number',
      'rental.currency': 'set rental.exchange_rate',
    });
    expect(get(s).pathErrors.thermal).toEqual({});
    expect(otherErrors(get(s).pathErrors.electricity, ['rental.currency'])).toEqual([
      'electricity.period[1].price_per_kwh: "0,4x" is not a decimal number',
    ]);
  });

  it.each([
    ['save_providers', 'providers', (s: ReturnType<typeof createSettings>) => s.saveProviders(settingsView().providers)],
    ['save_notifications', 'notifications', (s: ReturnType<typeof createSettings>) => s.saveNotifications(settingsView().notifications)],
    ['save_api', 'api', (s: ReturnType<typeof createSettings>) => s.saveApi(settingsView().api)],
  ] as const)('%s saves its section and marks it saved', async (method, section, run) => {
    const called: string[] = [];
    mockHost((cmd, params) => {
      called.push(cmd);
      expect(params).toHaveProperty('form');
      return settingsView();
    });
    const s = createSettings();
    expect(await run(s)).toBe(true);
    expect(called).toEqual([method]);
    expect(get(s).saved).toBe(section);
  });

  it.each([
    ['thermal.soft_limit_c', 'soft_limit_c'],
    ['thermal.gpu."GPU-1".hysteresis_c', 'hysteresis_c'],
    ['activity.games[2]', 'games'],
  ])('names the field of %s as %s', (path, want) => {
    expect(fieldName(path)).toBe(want);
  });
});
