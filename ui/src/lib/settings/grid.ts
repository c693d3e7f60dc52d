// The weekly schedule grid's logic: 7 days × 24 hours, Monday 00:00 first. Painting a drag
// fills the rectangle between the first and the current cell; the keyboard moves a cursor.

import type { Paint } from '../bindings';

export const DAYS = 7;
export const HOURS = 24;
export const CELLS = DAYS * HOURS;

export const cellIndex = (day: number, hour: number) => day * HOURS + hour;
export const dayOf = (cell: number) => Math.floor(cell / HOURS);
export const hourOf = (cell: number) => cell % HOURS;

/** The grid with every cell of the rectangle spanned by cells `a` and `b` set to `paint`. */
export function paintRect(cells: readonly Paint[], a: number, b: number, paint: Paint): Paint[] {
  const [d0, d1] = [dayOf(a), dayOf(b)].sort((x, y) => x - y);
  const [h0, h1] = [hourOf(a), hourOf(b)].sort((x, y) => x - y);
  return cells.map((c, i) => {
    const d = dayOf(i);
    const h = hourOf(i);
    return d >= d0 && d <= d1 && h >= h0 && h <= h1 ? paint : c;
  });
}

/** Where an arrow key moves the cursor (clamped to the grid); other keys leave it. */
export function moveCursor(cell: number, key: string): number {
  const d = dayOf(cell);
  const h = hourOf(cell);
  switch (key) {
    case 'ArrowLeft': return cellIndex(d, Math.max(0, h - 1));
    case 'ArrowRight': return cellIndex(d, Math.min(HOURS - 1, h + 1));
    case 'ArrowUp': return cellIndex(Math.max(0, d - 1), h);
    case 'ArrowDown': return cellIndex(Math.min(DAYS - 1, d + 1), h);
    case 'Home': return cellIndex(d, 0);
    case 'End': return cellIndex(d, HOURS - 1);
    default: return cell;
  }
}

export const PAINTS: readonly Paint[] = ['any', 'rental', 'volunteer', 'idle'];
