// Which span the live charts show (10 minutes or 1 hour), one choice for every chart,
// remembered in local storage so it survives the window being closed to the tray.

import { writable } from 'svelte/store';
import { RANGES, type ChartRange } from './history';

const KEY = 'overtime.chartRange';

function initial(): ChartRange {
  const saved = globalThis.localStorage?.getItem(KEY);
  return saved && saved in RANGES ? (saved as ChartRange) : '10m';
}

export const chartRange = writable<ChartRange>(initial());

chartRange.subscribe((r) => globalThis.localStorage?.setItem(KEY, r));
