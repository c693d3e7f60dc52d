import { describe, expect, it } from 'vitest';
import type { UiHourTick } from '../bindings';
import { labelEvery, pastBars, planBars, planFill, position, ticks } from './geometry';

const H = 3_600_000;
const from = 0;
const now = 24 * H;
const to = 48 * H;

describe('timeline strip geometry', () => {
  it('puts now in the middle of a strip reaching 24 h each way', () => {
    expect(position(now, from, to)).toBe(50);
    expect(position(from - H, from, to)).toBe(0);
    expect(position(to + H, from, to)).toBe(100);
  });

  it('turns recorded sessions into bars proportional to their length', () => {
    const bars = pastBars(
      [
        { start_ms: 0, end_ms: 6 * H, mode: 'idle', open: false },
        { start_ms: 6 * H, end_ms: 24 * H, mode: 'volunteer', open: true },
      ],
      from,
      to,
    );
    expect(bars.map((b) => [b.mode, b.left, b.width, b.open])).toEqual([
      ['idle', 0, 12.5, false],
      ['volunteer', 12.5, 37.5, true],
    ]);
  });

  it('clips a session that sticks out of the strip and drops one wholly outside it', () => {
    const bars = pastBars(
      [
        { start_ms: -5 * H, end_ms: 2 * H, mode: 'rental', open: false },
        { start_ms: -9 * H, end_ms: -6 * H, mode: 'idle', open: false },
      ],
      from,
      to,
    );
    expect(bars).toHaveLength(1);
    expect(bars[0]).toMatchObject({ left: 0, start_ms: 0, end_ms: 2 * H });
    expect(bars[0].width).toBeCloseTo((2 / 48) * 100, 10);
  });

  it('joins back-to-back sessions in the same mode (a rental listed, then paid) into one bar', () => {
    const bars = pastBars(
      [
        { start_ms: 12 * H, end_ms: 20 * H, mode: 'rental', open: false },
        { start_ms: 10 * H, end_ms: 12 * H, mode: 'rental', open: false },
        { start_ms: 20 * H, end_ms: 24 * H, mode: 'idle', open: true },
      ],
      from,
      to,
    );
    expect(bars.map((b) => [b.mode, b.start_ms, b.end_ms])).toEqual([
      ['rental', 10 * H, 20 * H],
      ['idle', 20 * H, 24 * H],
    ]);
  });

  it('leaves a gap where nothing was recorded', () => {
    const bars = pastBars(
      [
        { start_ms: 2 * H, end_ms: 4 * H, mode: 'idle', open: false },
        { start_ms: 8 * H, end_ms: 10 * H, mode: 'idle', open: false },
      ],
      from,
      to,
    );
    expect(bars).toHaveLength(2);
    expect(bars[1].left - (bars[0].left + bars[0].width)).toBeCloseTo((4 / 48) * 100, 10);
  });

  it('paints the plan right of now, in both colours where both kinds of work are allowed', () => {
    const bars = planBars(
      [
        { start_ms: now, end_ms: 30 * H, modes: ['rental', 'volunteer'], window: null },
        { start_ms: 30 * H, end_ms: 38 * H, modes: ['volunteer'], window: 'nights' },
        { start_ms: 38 * H, end_ms: 50 * H, modes: ['idle'], window: 'games' },
      ],
      from,
      to,
    );
    expect(bars.map((b) => b.fill)).toEqual(['any', 'volunteer', 'idle']);
    expect(bars[0].left).toBe(50);
    const last = bars[2];
    expect(last.left + last.width).toBe(100);
    expect(planFill(['rental'])).toBe('rental');
  });

  it('spaces hour labels so they never collide, wider strips labelling more often', () => {
    expect(labelEvery(2400)).toBe(1);
    expect(labelEvery(700)).toBe(4);
    expect(labelEvery(560)).toBe(4);
    expect(labelEvery(400)).toBe(6);
    expect(labelEvery(100)).toBe(24);
  });

  it('labels ticks on whole multiples of the step by local hour, not by position', () => {
    // A zone at +05:45: local whole hours sit at :15 past UTC hours.
    const hourTicks: UiHourTick[] = Array.from({ length: 48 }, (_, i) => ({
      at_ms: i * H + 15 * 60_000,
      hour: (i + 6) % 24,
    }));
    const t = ticks(hourTicks, from, to, 700);
    expect(t).toHaveLength(48);
    expect(t.filter((x) => x.label).map((x) => x.hour)).toEqual([8, 12, 16, 20, 0, 4, 8, 12, 16, 20, 0, 4]);
    expect(t[0].left).toBeCloseTo((0.25 / 48) * 100, 10);
  });
});
