// Where things go on the 48-hour strip, as percentages of its width so it scales with the
// window: recorded sessions left of "now", the schedule's plan right of it, hour ticks under
// it with labels spaced so they never collide. Pure functions; the component only renders.

import type { UiHourTick, UiMode, UiPlanSpan, UiSpan } from '../bindings';

export interface Bar {
  /** Percent of the strip's width from its left edge. */
  left: number;
  width: number;
  start_ms: number;
  end_ms: number;
}

export interface PastBar extends Bar {
  mode: UiMode;
  open: boolean;
}

/** `any` when the schedule allows both kinds of work there (drawn in both colours). */
export type PlanFill = UiMode | 'any';

export interface PlanBar extends Bar {
  fill: PlanFill;
  modes: UiMode[];
  window: string | null;
}

export interface Tick {
  left: number;
  at_ms: number;
  hour: number;
  /** Whether this tick gets a time label (every `labelEvery` hours). */
  label: boolean;
}

/** Narrowest room a time label needs, in CSS pixels ("12:00", "12 PM"). */
export const MIN_LABEL_PX = 44;
const LABEL_STEPS_H = [1, 2, 3, 4, 6, 12];

/** Percent position of `ms` on a strip from `from` to `to`, clamped to the strip. */
export function position(ms: number, from: number, to: number): number {
  if (!(to > from)) return 0;
  return Math.min(100, Math.max(0, ((ms - from) / (to - from)) * 100));
}

function bar(start: number, end: number, from: number, to: number): Bar | null {
  const a = Math.max(start, from);
  const b = Math.min(end, to);
  if (!(b > a)) return null;
  const left = position(a, from, to);
  return { left, width: position(b, from, to) - left, start_ms: a, end_ms: b };
}

/** Recorded sessions as bars; back-to-back sessions in the same mode become one. */
export function pastBars(spans: UiSpan[], from: number, to: number): PastBar[] {
  const merged: UiSpan[] = [];
  for (const s of [...spans].sort((x, y) => x.start_ms - y.start_ms)) {
    const last = merged.at(-1);
    if (last && last.mode === s.mode && last.end_ms >= s.start_ms) {
      merged[merged.length - 1] = { ...last, end_ms: Math.max(last.end_ms, s.end_ms), open: s.open };
    } else {
      merged.push({ ...s });
    }
  }
  return merged.flatMap((s) => {
    const b = bar(s.start_ms, s.end_ms, from, to);
    return b ? [{ ...b, mode: s.mode, open: s.open }] : [];
  });
}

/** How a set of allowed modes is painted. */
export function planFill(modes: UiMode[]): PlanFill {
  if (modes.includes('rental') && modes.includes('volunteer')) return 'any';
  return modes.find((m) => m !== 'idle') ?? 'idle';
}

export function planBars(plan: UiPlanSpan[], from: number, to: number): PlanBar[] {
  return plan.flatMap((p) => {
    const b = bar(p.start_ms, p.end_ms, from, to);
    return b ? [{ ...b, fill: planFill(p.modes), modes: p.modes, window: p.window }] : [];
  });
}

/** Label every this many hours so labels on a strip `widthPx` wide stay `MIN_LABEL_PX` apart. */
export function labelEvery(widthPx: number, spanH = 48): number {
  const perHour = widthPx / spanH;
  return LABEL_STEPS_H.find((h) => perHour * h >= MIN_LABEL_PX) ?? 24;
}

export function ticks(hourTicks: UiHourTick[], from: number, to: number, widthPx: number): Tick[] {
  const every = labelEvery(widthPx, (to - from) / 3_600_000);
  return hourTicks
    .filter((t) => t.at_ms >= from && t.at_ms <= to)
    .map((t) => ({
      left: position(t.at_ms, from, to),
      at_ms: t.at_ms,
      hour: t.hour,
      label: t.hour % every === 0,
    }));
}
