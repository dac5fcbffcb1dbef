/**
 * Band statistics: exact mean/std/min/max against a direct computation, percentiles within the subsample's
 * resolution, validity masks, chunk-order independence.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { StatsAccumulator, bandStats } from './stats';

describe('StatsAccumulator', () => {
  it('matches direct mean/std and gives 2–98 % percentiles of a uniform sample', () => {
    const rng = new Rng(1);
    const n = 200_000;
    const x = rng.uniformArray(n, 0, 100);
    const [s] = bandStats(x, 1, n, null);
    const mean = x.reduce((a, v) => a + v, 0) / n;
    const std = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
    expect(s.count).toBe(n);
    expect(s.mean).toBeCloseTo(mean, 9);
    expect(s.std).toBeCloseTo(std, 9);
    expect(s.p2).toBeCloseTo(2, 0);
    expect(s.p98).toBeCloseTo(98, 0);
  });

  it('skips invalid and non-finite values and does not depend on chunking', () => {
    const data = Float64Array.from([1, 2, NaN, 4, 100, 6, 7, 8]);
    const valid = Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1]);
    const whole = new StatsAccumulator(1);
    whole.add(data, 8, valid);
    const parts = new StatsAccumulator(1);
    parts.add(data.subarray(0, 4), 4, valid.subarray(0, 4));
    parts.add(data.subarray(4), 4, valid.subarray(4));
    const [a] = whole.result();
    const [b] = parts.result();
    expect(a.count).toBe(6);
    expect(a.max).toBe(8);
    expect(a.mean).toBeCloseTo(28 / 6, 12);
    expect(b.mean).toBeCloseTo(a.mean, 12);
    expect(b.std).toBeCloseTo(a.std, 12);
    expect(new StatsAccumulator(1).result()[0].count).toBe(0);
  });

  it('handles several bands laid out (C, HW)', () => {
    const s = bandStats(Float32Array.from([1, 1, 1, 5, 5, 5]), 2, 3, null);
    expect(s.map((b) => b.mean)).toEqual([1, 5]);
  });
});
