// How hot a reading is against its GPU's limits, for colouring.

import type { UiLimits } from '../bindings';

export type TempLevel = 'ok' | 'soft' | 'critical' | 'unknown';

export function tempLevel(tempC: number | null, limits: UiLimits): TempLevel {
  if (tempC === null) return 'unknown';
  if (tempC >= limits.critical_limit_c) return 'critical';
  if (tempC >= limits.soft_limit_c) return 'soft';
  return 'ok';
}
