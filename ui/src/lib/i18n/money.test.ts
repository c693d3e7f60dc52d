import { describe, expect, it } from 'vitest';
import { formatMoney, formatMoneyList, roundDecimal } from './money';

describe('exact decimal rounding', () => {
  it.each([
    ['1.005', 2, '1.01'],
    ['1.004999', 2, '1.00'],
    ['-2.675', 2, '-2.68'],
    ['9.995', 2, '10.00'],
    ['999.999', 2, '1000.00'],
    ['12', 2, '12.00'],
    ['0.5', 0, '1'],
    ['007.10', 2, '7.10'],
    ['12345678901234567890.125', 2, '12345678901234567890.13'],
  ])('rounds %s to %i places as %s, half away from zero', (amount, dp, want) => {
    const r = roundDecimal(amount, dp)!;
    expect(`${r.negative ? '-' : ''}${r.int}${dp ? '.' + r.frac : ''}`).toBe(want);
  });

  it('drops the sign of an amount that rounds to zero', () => {
    expect(roundDecimal('-0.004', 2)).toEqual({ negative: false, int: '0', frac: '00' });
  });

  it('refuses what is not a plain decimal', () => {
    expect(roundDecimal('1e5', 2)).toBeNull();
    expect(roundDecimal('', 2)).toBeNull();
    expect(roundDecimal('NaN', 2)).toBeNull();
  });
});

describe('money per locale', () => {
  it('lays amounts out the locale way', () => {
    expect(formatMoney('1234.565', 'USD', 'en-US')).toBe('$1,234.57');
    expect(formatMoney('1234.565', 'EUR', 'de-DE').replace(/\s/g, ' ')).toBe('1.234,57 €');
    expect(formatMoney('-0.42', 'EUR', 'de-DE').replace(/\s/g, ' ')).toBe('-0,42 €');
    expect(formatMoney('-0.42', 'USD', 'en-US')).toBe('-$0.42');
  });

  it('keeps every digit of amounts a float could not hold', () => {
    expect(formatMoney('90071992547409931.01', 'USD', 'en-US')).toBe('$90,071,992,547,409,931.01');
  });

  it('uses the currency own number of places', () => {
    expect(formatMoney('1234.5', 'JPY', 'en-US')).toBe('¥1,235');
  });

  it('follows grouping that is not in threes', () => {
    expect(formatMoney('1234567.891', 'INR', 'en-IN')).toBe('₹12,34,567.89');
  });

  it('shows an unknown currency or a malformed amount as it came rather than guessing', () => {
    expect(formatMoney('1.5', 'XY', 'en-US')).toBe('1.5 XY');
    expect(formatMoney('abc', 'USD', 'en-US')).toBe('abc USD');
  });

  it('lists currencies side by side and never adds them up', () => {
    const list = [
      { amount: '1.2', currency: 'EUR' },
      { amount: '0.4', currency: 'USD' },
    ];
    expect(formatMoneyList(list, 'en-US')).toBe('€1.20 + $0.40');
    expect(formatMoneyList([], 'en-US')).toBe('0');
  });
});
