// Readings per GPU for the live charts, in two spans the user switches between: the last
// 10 minutes at full rate, and the last hour in 10-second buckets.
//
// Memory, per GPU: the full-rate ring holds up to 1 201 points (2 Hz for 10 minutes; the agent
// publishes once a second plus on wake-ups) × 4 Float64 columns = 38 KB; the hour ring holds
// 361 buckets × 4 columns = 12 KB. About 50 KB per GPU, fixed, allocated once. Keeping the hour
// at full rate in plain arrays would hold 3 600 points × 4 boxed numbers (≈ 115 KB and growing
// garbage every second) and draw six times more points than a chart is pixels wide.
//
// Downsampling: a bucket keeps the *highest* temperature it saw, so a brief spike toward the
// limit is never averaged away, and the *mean* load and power. A missing reading (NaN inside
// the rings) stays a gap, never a zero; a bucket with no reading at all is a gap too.

import type { UiRecentGpu, UiSnapshot } from '../bindings';

/** The spans the charts offer, in seconds. */
export const RANGES = { '10m': 600, '1h': 3600 } as const;
export type ChartRange = keyof typeof RANGES;

/** Width of one bucket of the hour view, in seconds. */
export const BUCKET_S = 10;
const RAW_CAPACITY = 2 * RANGES['10m'] + 1;
const BUCKET_CAPACITY = RANGES['1h'] / BUCKET_S + 1;

/** What a chart draws: x in seconds since the epoch, oldest first, `null` for a gap. */
export interface Series {
  t: number[];
  temp: (number | null)[];
  load: (number | null)[];
  power: (number | null)[];
}

/** A fixed-size ring of (t, temp, load, power) rows in typed arrays; the oldest row is overwritten. */
class Ring {
  private readonly cols: Float64Array[];
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.cols = [0, 1, 2, 3].map(() => new Float64Array(capacity));
  }

  push(row: [number, number, number, number]): void {
    const at = (this.head + this.size) % this.capacity;
    for (let c = 0; c < 4; c++) this.cols[c][at] = row[c];
    if (this.size < this.capacity) this.size++;
    else this.head = (this.head + 1) % this.capacity;
  }

  /** Column `c` of the `i`-th oldest row. */
  get(i: number, c: number): number {
    return this.cols[c][(this.head + i) % this.capacity];
  }

  /** Drops rows whose time is before `t`. */
  dropBefore(t: number): void {
    while (this.size > 0 && this.get(0, 0) < t) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
  }

  /** Appends the rows with time ≥ `from` to `out`. */
  collect(from: number, out: Series): void {
    for (let i = 0; i < this.size; i++) {
      if (this.get(i, 0) < from) continue;
      out.t.push(this.get(i, 0));
      out.temp.push(orNull(this.get(i, 1)));
      out.load.push(orNull(this.get(i, 2)));
      out.power.push(orNull(this.get(i, 3)));
    }
  }
}

const orNull = (v: number) => (Number.isNaN(v) ? null : v);
const orNaN = (v: number | null | undefined) => (v === null || v === undefined ? NaN : v);

/** The bucket being filled. */
interface OpenBucket {
  start: number;
  lastT: number;
  tempMax: number;
  loadSum: number;
  loadN: number;
  powerSum: number;
  powerN: number;
}

/** One GPU's readings in both spans. */
export class GpuHistory {
  private readonly raw = new Ring(RAW_CAPACITY);
  private readonly buckets = new Ring(BUCKET_CAPACITY);
  private open: OpenBucket | null = null;
  private last = -Infinity;

  /** Adds a reading taken at `tS` (seconds). Returns false for one not newer than the last. */
  push(tS: number, temp: number | null, load: number | null, power: number | null): boolean {
    // The agent publishes on wake-ups as well as ticks; keep one point per instant, in order.
    if (!(tS > this.last)) return false;
    this.last = tS;
    this.raw.push([tS, orNaN(temp), orNaN(load), orNaN(power)]);
    this.raw.dropBefore(tS - RANGES['10m']);

    const start = Math.floor(tS / BUCKET_S) * BUCKET_S;
    if (this.open && this.open.start !== start) this.close();
    const b = (this.open ??= {
      start, lastT: tS, tempMax: NaN, loadSum: 0, loadN: 0, powerSum: 0, powerN: 0,
    });
    b.lastT = tS;
    if (temp !== null && !(temp <= b.tempMax)) b.tempMax = temp;
    if (load !== null) { b.loadSum += load; b.loadN++; }
    if (power !== null) { b.powerSum += power; b.powerN++; }
    this.buckets.dropBefore(tS - RANGES['1h']);
    return true;
  }

  private close(): void {
    if (!this.open) return;
    this.buckets.push(bucketRow(this.open));
    this.open = null;
  }

  /** The points to draw for `range`, ending at the latest reading. */
  view(range: ChartRange): Series {
    const out: Series = { t: [], temp: [], load: [], power: [] };
    const from = this.last - RANGES[range];
    if (range === '10m') {
      this.raw.collect(from, out);
    } else {
      this.buckets.collect(from, out);
      // The bucket still filling, so the right edge of the hour view stays live.
      if (this.open) {
        const [t, temp, load, power] = bucketRow(this.open);
        out.t.push(t);
        out.temp.push(orNull(temp));
        out.load.push(orNull(load));
        out.power.push(orNull(power));
      }
    }
    return out;
  }
}

/** A bucket as a row, placed at its latest reading so the two views line up at the right edge. */
function bucketRow(b: OpenBucket): [number, number, number, number] {
  return [
    b.lastT,
    b.tempMax,
    b.loadN ? b.loadSum / b.loadN : NaN,
    b.powerN ? b.powerSum / b.powerN : NaN,
  ];
}

/** Every GPU's history, keyed by UUID; GPUs that leave the snapshot are forgotten. */
export class History {
  private readonly gpus = new Map<string, GpuHistory>();

  /** Adds one snapshot's readings. */
  append(s: UiSnapshot): void {
    const t = s.at_ms / 1000;
    const seen = new Set<string>();
    for (const gpu of s.gpus) {
      seen.add(gpu.uuid);
      let h = this.gpus.get(gpu.uuid);
      if (!h) this.gpus.set(gpu.uuid, (h = new GpuHistory()));
      const r = gpu.reading;
      h.push(t, r?.temp_c ?? null, r?.load_pct ?? null, r?.power_w ?? null);
    }
    for (const uuid of [...this.gpus.keys()]) if (!seen.has(uuid)) this.gpus.delete(uuid);
  }

  /**
   * Fills in what happened before this window opened (the resident process keeps the last
   * hour), so the 1-hour charts are full at once. Call before the first live snapshot: a
   * reading not newer than the last one taken is ignored.
   */
  seed(gpus: UiRecentGpu[]): void {
    for (const g of gpus) {
      let h = this.gpus.get(g.uuid);
      if (!h) this.gpus.set(g.uuid, (h = new GpuHistory()));
      for (let i = 0; i < g.t_ms.length; i++) {
        h.push(g.t_ms[i] / 1000, g.temp_c[i] ?? null, g.load_pct[i] ?? null, g.power_w[i] ?? null);
      }
    }
  }

  /** The points of one GPU for `range`; `undefined` for a GPU never seen. */
  view(uuid: string, range: ChartRange): Series | undefined {
    return this.gpus.get(uuid)?.view(range);
  }
}
