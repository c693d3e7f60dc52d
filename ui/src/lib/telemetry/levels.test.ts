import { expect, it } from 'vitest';
import { tempLevel } from './levels';

const limits = { soft_limit_c: 83, critical_limit_c: 90, hysteresis_c: 5 };

it.each([
  [null, 'unknown'],
  [60, 'ok'],
  [83, 'soft'],
  [89.9, 'soft'],
  [90, 'critical'],
] as const)('a reading of %s °C is %s', (t, want) => {
  expect(tempLevel(t, limits)).toBe(want);
});
