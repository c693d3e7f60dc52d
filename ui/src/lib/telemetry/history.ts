// A rolling window of readings per GPU for the live charts: the last 10 minutes, oldest first,
// in the column layout uPlot draws (x in seconds since the epoch).

import type { UiSnapshot } from '../bindings';

export const WINDOW_S = 600;

export interface Series {
  t: number[];
  temp: (number | null)[];
  load: (number | null)[];
  power: (number | null)[];
}

export type History = Record<string, Series>;

/** Adds one snapshot to `history` and drops what is older than `windowS` before it. */
export function appendSnapshot(history: History, s: UiSnapshot, windowS = WINDOW_S): History {
  const t = s.at_ms / 1000;
  const next: History = {};
  for (const gpu of s.gpus) {
    const prev = history[gpu.uuid] ?? { t: [], temp: [], load: [], power: [] };
    const last = prev.t.length ? prev.t[prev.t.length - 1] : -Infinity;
    // The agent publishes on wake-ups as well as ticks; keep one point per instant, in order.
    if (t <= last) {
      next[gpu.uuid] = prev;
      continue;
    }
    let start = 0;
    while (start < prev.t.length && prev.t[start] < t - windowS) start++;
    const r = gpu.reading;
    next[gpu.uuid] = {
      t: [...prev.t.slice(start), t],
      temp: [...prev.temp.slice(start), r?.temp_c ?? null],
      load: [...prev.load.slice(start), r?.load_pct ?? null],
      power: [...prev.power.slice(start), r?.power_w ?? null],
    };
  }
  return next;
}
