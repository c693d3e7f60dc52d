import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { createRunning, pickable } from './running';
import { decimalSeparator, localDecimal } from './decimal';

afterEach(() => clearMocks());

describe('games picker', () => {
  it('offers running programs not yet listed, filtered by what is typed', () => {
    const names = ['cs2', 'Discord', 'eldenring.exe', 'steam'];
    expect(pickable(names, '', ['CS2', ''])).toEqual(['Discord', 'eldenring.exe', 'steam']);
    expect(pickable(names, 'EL', [])).toEqual(['eldenring.exe']);
  });

  it('reads the list from the host, and says why when it cannot', async () => {
    let fail = false;
    mockHost((method) => {
      expect(method).toBe('running_processes');
      if (fail) throw { code: 'rejected', message: 'cannot list the running programs', fields: [] };
      return ['bash', 'steam'];
    });
    const r = createRunning();
    await r.refresh();
    expect(get(r)).toEqual({ names: ['bash', 'steam'], loading: false, error: null });
    fail = true;
    await r.refresh();
    expect(get(r).names).toEqual([]);
    expect(get(r).error).toMatch(/cannot list/);
  });
});

describe('decimals as the user writes them', () => {
  it.each([
    ['0.32', 'de-DE', '0,32'],
    ['0.32', 'en-US', '0.32'],
    ['12', 'de-DE', '12'],
    ['-0.05', 'de-AT', '-0,05'],
    ['0.1234', 'de-DE', '0,1234'],
    ['', 'de-DE', ''],
    ['abc', 'de-DE', 'abc'],
  ])('shows %s in %s as %s', (text, locale, want) => {
    expect(localDecimal(text, locale)).toBe(want);
  });

  it('knows the separator of each locale', () => {
    expect(decimalSeparator('de-DE')).toBe(',');
    expect(decimalSeparator('en-GB')).toBe('.');
  });
});
