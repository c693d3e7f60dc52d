import { describe, expect, it } from 'vitest';
import type { Paint } from '../bindings';
import { CELLS, cellIndex, moveCursor, paintRect } from './grid';

const blank = (): Paint[] => Array(CELLS).fill('any');

describe('schedule grid', () => {
  it('a drag paints the rectangle between its corners, whatever the direction', () => {
    const a = cellIndex(4, 22); // Fri 22:00
    const b = cellIndex(2, 18); // Wed 18:00
    const painted = paintRect(blank(), a, b, 'idle');
    const idle = painted.flatMap((p, i) => (p === 'idle' ? [i] : []));
    expect(idle).toHaveLength(3 * 5);
    expect(painted[cellIndex(3, 20)]).toBe('idle');
    expect(painted[cellIndex(3, 17)]).toBe('any');
    expect(painted[cellIndex(5, 20)]).toBe('any');
  });

  it('painting does not change the grid it was given', () => {
    const g = blank();
    paintRect(g, 0, 5, 'rental');
    expect(g.every((p) => p === 'any')).toBe(true);
  });

  it.each([
    [cellIndex(0, 0), 'ArrowLeft', cellIndex(0, 0)],
    [cellIndex(0, 0), 'ArrowUp', cellIndex(0, 0)],
    [cellIndex(0, 0), 'ArrowRight', cellIndex(0, 1)],
    [cellIndex(0, 0), 'ArrowDown', cellIndex(1, 0)],
    [cellIndex(6, 23), 'ArrowDown', cellIndex(6, 23)],
    [cellIndex(6, 23), 'ArrowRight', cellIndex(6, 23)],
    [cellIndex(3, 12), 'Home', cellIndex(3, 0)],
    [cellIndex(3, 12), 'End', cellIndex(3, 23)],
    [cellIndex(3, 12), 'x', cellIndex(3, 12)],
  ])('from cell %i, %s moves the cursor to %i', (from, key, to) => {
    expect(moveCursor(from, key)).toBe(to);
  });
});
