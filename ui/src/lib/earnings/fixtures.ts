// Test data for the earnings panel, typed against the generated bindings.

import type { UiLedger, UiPeriod, UiRange } from '../bindings';

export function period(range: UiRange, over: Partial<UiPeriod> = {}): UiPeriod {
  return {
    range,
    gross: [{ amount: '1.2', currency: 'USD' }],
    estimated: [],
    electricity: [{ amount: '0.4213', currency: 'EUR' }],
    net: [
      { amount: '-0.4213', currency: 'EUR' },
      { amount: '1.2', currency: 'USD' },
    ],
    energy_kwh: 1.5,
    credits: [],
    ...over,
  };
}

export function ledger(over: Partial<UiLedger> = {}): UiLedger {
  return {
    path: '/home/u/.local/share/overtime/ledger.sqlite',
    recording: true,
    last_error: null,
    dropped: 0,
    moved_aside: null,
    earnings: {
      as_of_ms: Date.UTC(2026, 2, 1, 12, 0),
      simulated: false,
      periods: [period('today'), period('7d'), period('30d')],
    },
    ...over,
  };
}
