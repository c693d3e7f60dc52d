// History answers shaped like the host's wire types (typed against the generated bindings), for
// the history store's and components' tests.

import type { HistoryView } from '../bindings';

/** Two Berlin days: a USD rental statement on the second, electricity in EUR on both. */
export function historyView(over: Partial<HistoryView> = {}): HistoryView {
  return {
    simulated: false,
    from_ms: Date.UTC(2025, 4, 31, 22),
    to_ms: Date.UTC(2025, 5, 2, 22),
    first_day: '2025-06-01',
    last_day: '2025-06-02',
    timezone: 'Europe/Berlin',
    totals: {
      gross: [{ amount: '1.9', currency: 'USD' }],
      estimated: [],
      electricity: [{ amount: '0.4', currency: 'EUR' }],
      net: [{ amount: '-0.4', currency: 'EUR' }, { amount: '1.9', currency: 'USD' }],
      energy_kwh: 1.6,
      mode_hours: [{ mode: 'rental', hours: 4 }, { mode: 'volunteer', hours: 4 }],
      credits: [],
      co2_g: 608,
    },
    days: [
      {
        date: '2025-06-01', start_ms: Date.UTC(2025, 4, 31, 22), gross: [],
        electricity: [{ amount: '0.2', currency: 'EUR' }], net: [{ amount: '-0.2', currency: 'EUR' }],
      },
      {
        date: '2025-06-02', start_ms: Date.UTC(2025, 5, 1, 22), gross: [{ amount: '1.9', currency: 'USD' }],
        electricity: [{ amount: '0.2', currency: 'EUR' }],
        net: [{ amount: '-0.2', currency: 'EUR' }, { amount: '1.9', currency: 'USD' }],
      },
    ],
    sessions: [
      {
        id: 1, gpu_uuid: 'GPU-0', start_ms: Date.UTC(2025, 5, 1, 20), end_ms: Date.UTC(2025, 5, 2, 0),
        mode: 'rental', provider: 'vastai', reason: 'Rental — schedule window',
        energy_kwh: 1, electricity: { amount: '0.25', currency: 'EUR' },
        earnings: { amount: '2', currency: 'USD' },
      },
    ],
    more_sessions: false,
    gpus: [{ uuid: 'GPU-0', index: 0, name: 'RTX 4080' }],
    providers: ['boinc', 'vastai'],
    ...over,
  };
}
