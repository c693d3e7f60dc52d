import { describe, expect, it } from 'vitest';
import { BUCKET_S, GpuHistory, History, RANGES } from './history';
import { gpu, snapshot } from '../testing/fixtures';

/** One reading a second for `seconds` seconds from `t0`, temperature rising by 1 °C a second. */
function feed(h: GpuHistory, t0: number, seconds: number, step = 1) {
  for (let s = 0; s < seconds; s += step) h.push(t0 + s, 40 + s, 50, 200);
}

describe('chart history, 10-minute view', () => {
  it('keeps ten minutes at full rate and drops older points', () => {
    const h = new GpuHistory();
    feed(h, 0, RANGES['10m'] + 6);
    const v = h.view('10m');
    expect(v.t[0]).toBe(5);
    expect(v.t.at(-1)).toBe(RANGES['10m'] + 5);
    expect(v.t).toHaveLength(RANGES['10m'] + 1);
  });

  it('holds the whole ten minutes when the agent publishes twice a second', () => {
    const h = new GpuHistory();
    feed(h, 0, RANGES['10m'] + 100, 0.5);
    const v = h.view('10m');
    expect(v.t.at(-1)! - v.t[0]).toBe(RANGES['10m']);
  });

  it('records a missing reading as a gap, never as zero', () => {
    const h = new GpuHistory();
    h.push(1, null, 10, null);
    const v = h.view('10m');
    expect(v.temp).toEqual([null]);
    expect(v.power).toEqual([null]);
    expect(v.load).toEqual([10]);
  });

  it('keeps one point per instant, in order', () => {
    const h = new GpuHistory();
    expect(h.push(1, 50, 50, 50)).toBe(true);
    expect(h.push(1, 60, 60, 60)).toBe(false);
    expect(h.push(0.5, 60, 60, 60)).toBe(false);
    expect(h.view('10m').temp).toEqual([50]);
  });
});

describe('chart history, hour view', () => {
  it('keeps a full hour in 10-second buckets, far fewer points than readings', () => {
    const h = new GpuHistory();
    feed(h, 0, 2 * RANGES['1h']);
    const v = h.view('1h');
    const last = 2 * RANGES['1h'] - 1;
    expect(v.t.at(-1)).toBe(last);
    expect(v.t[0]).toBeGreaterThanOrEqual(last - RANGES['1h']);
    expect(v.t.length).toBeLessThanOrEqual(RANGES['1h'] / BUCKET_S + 1);
    expect(v.t.length).toBeGreaterThanOrEqual(RANGES['1h'] / BUCKET_S);
  });

  it('keeps the hottest reading of a bucket and the mean load and power', () => {
    const h = new GpuHistory();
    const temps = [60, 61, 88, 62, 60, 60, 61, 60, 60, 60];
    temps.forEach((temp, i) => h.push(100 + i, temp, i < 5 ? 100 : 0, 100 + 10 * i));
    h.push(110, 50, 50, 50); // opens the next bucket, closing the first
    const v = h.view('1h');
    expect(v.t).toEqual([109, 110]);
    expect(v.temp).toEqual([88, 50]);
    expect(v.load).toEqual([50, 50]);
    expect(v.power).toEqual([145, 50]);
  });

  it('shows the bucket still filling, so the right edge is live', () => {
    const h = new GpuHistory();
    h.push(100, 60, 10, 100);
    h.push(101, 70, 30, 300);
    const v = h.view('1h');
    expect(v.t).toEqual([101]);
    expect(v.temp).toEqual([70]);
    expect(v.load).toEqual([20]);
  });

  it('turns a bucket without any reading of a kind into a gap', () => {
    const h = new GpuHistory();
    h.push(100, null, 10, null);
    h.push(101, null, 20, null);
    h.push(110, 50, 50, 50);
    const v = h.view('1h');
    expect(v.temp[0]).toBeNull();
    expect(v.power[0]).toBeNull();
    expect(v.load[0]).toBe(15);
  });

  it('agrees with the 10-minute view at the latest reading', () => {
    const h = new GpuHistory();
    feed(h, 0, 125);
    expect(h.view('1h').t.at(-1)).toBe(h.view('10m').t.at(-1));
  });
});

describe('history of every GPU', () => {
  it('follows the GPUs in the snapshot and forgets one that is gone', () => {
    const all = new History();
    all.append(snapshot(1000, { gpus: [gpu(), gpu({ uuid: 'GPU-1', index: 1 })] }));
    all.append(snapshot(2000, { gpus: [gpu()] }));
    expect(all.view('GPU-0', '10m')?.t).toEqual([1, 2]);
    expect(all.view('GPU-1', '10m')).toBeUndefined();
  });
});
