// The formatter the components read: money through the one exact-decimal formatter, days in
// the agent's time zone.

import { describe, expect, it } from 'vitest';
import { createFormatter } from './format';

describe('formatter', () => {
  it('formats an amount with its own currency per locale, without floats', () => {
    const us = createFormatter('en-US', 'UTC');
    const de = createFormatter('de-DE', 'UTC');
    expect(us.money('1234.565', 'USD')).toBe('$1,234.57');
    expect(de.money('1234.565', 'EUR').replace(/\s/g, ' ')).toBe('1.234,57 €');
    expect(us.money('-0.4', 'EUR')).toBe('-€0.40');
    expect(us.money('1500.4', 'JPY')).toBe('¥1,500');
    // Beyond 2^53 a float would change the cents.
    expect(us.money('90071992547409931.01', 'USD')).toBe('$90,071,992,547,409,931.01');
  });

  it('formats days in the agent time zone', () => {
    const de = createFormatter('de-DE', 'Europe/Berlin');
    // 22:30 UTC on 31 May is already 1 June in Berlin.
    expect(de.date(Date.UTC(2025, 4, 31, 22, 30))).toBe('01.06.2025');
  });
});
