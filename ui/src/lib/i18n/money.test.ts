// Money and dates as the history view shows them: exact decimal strings rounded without
// floats, each amount in its own currency, days in the agent time zone.

import { describe, expect, it } from 'vitest';
import { createFormatter, roundDecimal } from './format';

describe('money', () => {
  it.each([
    ['1.005', 2, '1.01'],
    ['-1.005', 2, '-1.01'],
    ['0.004', 2, '0.00'],
    ['-0.004', 2, '0.00'],
    ['12', 2, '12.00'],
    ['0.1234567890123456789012', 2, '0.12'],
    ['99999999999999999.995', 2, '100000000000000000.00'],
    ['7.5', 0, '8'],
    ['.5', 1, '0.5'],
  ])('rounds %s to %i places as %s without floats', (amount, places, want) => {
    expect(roundDecimal(amount, places)).toBe(want);
  });

  it('refuses what is not a decimal', () => {
    expect(roundDecimal('1e3', 2)).toBeNull();
    expect(roundDecimal('', 2)).toBeNull();
    expect(roundDecimal('abc', 2)).toBeNull();
  });

  it('formats an amount with its own currency per locale', () => {
    const us = createFormatter('en-US', 'UTC');
    const de = createFormatter('de-DE', 'UTC');
    expect(us.money('1234.565', 'USD')).toBe('$1,234.57');
    expect(de.money('1234.565', 'EUR').replace(/\s/g, ' ')).toBe('1.234,57 €');
    expect(us.money('-0.4', 'EUR')).toBe('-€0.40');
    expect(us.money('1500.4', 'JPY')).toBe('¥1,500');
  });

  it('formats days in the agent time zone', () => {
    const de = createFormatter('de-DE', 'Europe/Berlin');
    // 22:30 UTC on 31 May is already 1 June in Berlin.
    expect(de.date(Date.UTC(2025, 4, 31, 22, 30))).toBe('01.06.2025');
  });
});
