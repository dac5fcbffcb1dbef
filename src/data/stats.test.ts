/**
 * Band statistics: exact mean/std/min/max against a direct computation, percentiles within the subsample's
 * resolution, validity masks, chunk-order independence.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { histogramStats, integerHistogram, integerStats } from './histogram';
import { StatsAccumulator, bandStats, type BandStats } from './stats';

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

/** The per-value algorithm this module replaced (Welford + push/thin reservoir + full sort), as the reference. */
function referenceStats(values: number[], capacity: number) {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let reservoir: number[] = [];
  let stride = 1;
  let seen = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    count++;
    const d = v - mean;
    mean += d / count;
    m2 += d * (v - mean);
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (seen++ % stride === 0) {
      reservoir.push(v);
      if (reservoir.length >= capacity) {
        reservoir = reservoir.filter((_, i) => i % 2 === 0);
        stride *= 2;
      }
    }
  }
  const sorted = Float64Array.from(reservoir).sort();
  const q = (p: number) => {
    const pos = p * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  };
  return { count, mean, std: Math.sqrt(m2 / count), min, max, p2: q(0.02), p98: q(0.98) };
}

describe('StatsAccumulator against the per-value reference', () => {
  it('keeps the same subsample (identical percentiles, min, max, count) whatever the chunking and capacity', () => {
    const rng = new Rng(7);
    for (const [n, capacity, distinct] of [
      [1, 20000, 10],
      [37, 2, 5],
      [1000, 3, 1000],
      [5000, 7, 4],
      [3721, 20000, 3000],
      [70_000, 20000, 1e6],
      [262_144, 20000, 256],
      [100_003, 1000, 50],
    ]) {
      const values = Array.from({ length: n }, () => Math.floor(rng.uniform() * distinct) - distinct / 3);
      // Some non-finite values, which both skip.
      for (let i = 5; i < n; i += 97) values[i] = i % 2 ? NaN : -Infinity;
      const ref = referenceStats(values, capacity);
      const data = Float64Array.from(values);
      const acc = new StatsAccumulator(1, capacity);
      // Uneven chunks, including empty ones.
      for (let at = 0, k = 0; at < n; k++) {
        const len = Math.min(n - at, [0, 1, 511, 513, 4096, 20001][k % 6]);
        acc.add(data.subarray(at, at + len), len, null);
        at += len;
      }
      const [s] = acc.result();
      expect({ count: s.count, min: s.min, max: s.max, p2: s.p2, p98: s.p98 }, `n=${n} capacity=${capacity}`).toEqual({ count: ref.count, min: ref.min, max: ref.max, p2: ref.p2, p98: ref.p98 });
      // Mean and std agree up to rounding (blocked vs per-value updates).
      expect(Math.abs(s.mean - ref.mean)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref.mean)));
      expect(Math.abs(s.std - ref.std)).toBeLessThanOrEqual(1e-12 * Math.max(1, ref.std));
    }
  });

  it('gives a constant band exactly its value as mean and exactly 0 as std', () => {
    const v = 0.123456789;
    const [s] = bandStats(new Float64Array(10_000).fill(v), 1, 10_000, null);
    expect(s.mean).toBe(v);
    expect(s.std).toBe(0);
    expect([s.min, s.p2, s.p98, s.max]).toEqual([v, v, v, v]);
  });
});

describe('integerStats (histogram) against StatsAccumulator', () => {
  const close = (a: BandStats, b: BandStats, what: string) => {
    expect({ count: a.count, min: a.min, max: a.max, p2: a.p2, p98: a.p98 }, what).toEqual({ count: b.count, min: b.min, max: b.max, p2: b.p2, p98: b.p98 });
    expect(Math.abs(a.mean - b.mean), what).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b.mean)));
    expect(Math.abs(a.std - b.std), what).toBeLessThanOrEqual(1e-12 * Math.max(1, b.std));
  };

  it('gives the same figures, raw and under positive, negative and zero affine scalings, with and without thinning', () => {
    const rng = new Rng(3);
    for (const [n, lo, span, capacity] of [
      [10, 0, 3, 20000],
      [3721, -9999, 9000, 20000],
      [262_144, 0, 256, 20000],
      [100_000, 0, 65536, 20000],
      [5000, 100, 50, 7],
    ]) {
      const data = Float64Array.from({ length: n }, () => lo + Math.floor(rng.uniform() * span));
      const valid = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.9 ? 1 : 0));
      const got = integerStats(data, n, valid, null, capacity);
      expect(got, `n=${n}`).not.toBeNull();
      const acc = new StatsAccumulator(1, capacity);
      acc.add(data, n, valid);
      close(got!.raw, acc.result()[0], `raw n=${n}`);
      for (const affine of [
        { scale: 2.75e-5, offset: -0.2, normFac: 1 },
        { scale: 1, offset: -1000, normFac: 10000 },
        { scale: -0.5, offset: 3, normFac: 2 },
        { scale: 0, offset: 1, normFac: 1 },
      ]) {
        const scaled = Float64Array.from(data, (v) => (v * affine.scale + affine.offset) / affine.normFac);
        const ref = new StatsAccumulator(1, capacity);
        ref.add(scaled, n, valid);
        close(integerStats(data, n, valid, affine, capacity)!.scaled!, ref.result()[0], `scaled n=${n} ${JSON.stringify(affine)}`);
      }
    }
  });

  it('declines non-integer values and ranges too wide for a histogram; reports empty input like the accumulator', () => {
    expect(integerStats(Float64Array.from([1, 2.5]), 2, null)).toBeNull();
    expect(integerStats(Float64Array.from([1, NaN]), 2, null)).toBeNull();
    expect(integerStats(Float64Array.from([0, 1e6]), 2, null)).toBeNull();
    const empty = integerStats(Float64Array.from([5, 6]), 2, Uint8Array.from([0, 0]), { scale: 1, offset: 0, normFac: 1 });
    expect(empty!.raw).toEqual(new StatsAccumulator(1).result()[0]);
    expect(empty!.scaled!.count).toBe(0);
    // A scaling that overflows is left to the caller.
    expect(integerStats(Float64Array.from([1, 2]), 2, null, { scale: 1e308, offset: 0, normFac: 1e-10 })!.scaled).toBeNull();
  });

  it('counts a data type\'s whole range in one pass with the same result, and refuses values outside it', () => {
    const rng = new Rng(9);
    const data = Float64Array.from({ length: 30_000 }, () => Math.floor(rng.uniform() * 256));
    const valid = Uint8Array.from({ length: 30_000 }, (_, i) => (i % 7 ? 1 : 0));
    const a = integerHistogram(data, data.length, valid, [0, 255])!;
    const b = integerHistogram(data, data.length, valid)!;
    expect(histogramStats(a)).toEqual(histogramStats(b));
    expect([a.count, a.kept, a.min, a.max]).toEqual([b.count, b.kept, b.min, b.max]);
    expect(integerHistogram(Float64Array.from([3, 300]), 2, null, [0, 255])).toBeNull();
  });

  it('counts 8- and 16-bit integer arrays without per-value checks to the same figures as the checked pass', () => {
    const rng = new Rng(10);
    const cases: [Int8Array | Uint8Array | Int16Array | Uint16Array, [number, number]][] = [
      [Int8Array.from({ length: 999 }, () => -128 + Math.floor(rng.uniform() * 256)), [-128, 127]],
      [Uint8Array.from({ length: 3721 }, () => Math.floor(rng.uniform() * 6)), [0, 255]],
      [Int16Array.from({ length: 3721 }, () => -9999 + Math.floor(rng.uniform() * 26000)), [-32768, 32767]],
      [Uint16Array.from({ length: 70_000 }, () => Math.floor(rng.uniform() * 65536)), [0, 65535]],
    ];
    for (const [data, bounds] of cases) {
      const valid = Uint8Array.from(data, (_, i) => (i % 9 ? 1 : 0));
      for (const v of [null, valid]) {
        const fast = integerHistogram(data, data.length, v, bounds)!;
        const checked = integerHistogram(Float64Array.from(data), data.length, v, bounds)!;
        expect(fast, `${data.constructor.name} ${v ? 'masked' : 'all'}`).toEqual(checked);
        expect(histogramStats(fast, { scale: 2.75e-5, offset: -0.2, normFac: 1 })).toEqual(histogramStats(checked, { scale: 2.75e-5, offset: -0.2, normFac: 1 }));
      }
    }
  });

  it('leaves its shared scratch histogram clean, after a result and after a refusal mid-pass', () => {
    const rng = new Rng(12);
    const a = Int16Array.from({ length: 3721 }, () => -200 + Math.floor(rng.uniform() * 9000));
    const b = Int16Array.from({ length: 5000 }, () => 100 + Math.floor(rng.uniform() * 300));
    const first = histogramStats(integerHistogram(b, b.length, null, [-32768, 32767])!);
    // A 16-bit type counted in one pass over many more bins than values: the same figures as the accumulator.
    const mask = Uint8Array.from(a, (_, i) => (i % 5 ? 1 : 0));
    const sparse = histogramStats(integerHistogram(a, a.length, mask, [-32768, 32767])!, { scale: -2.75e-5, offset: 0.2, normFac: 1 })!;
    const ref = new StatsAccumulator(1);
    ref.add(Float64Array.from(a, (v) => v * -2.75e-5 + 0.2), a.length, mask);
    const want = ref.result()[0];
    expect([sparse.count, sparse.min, sparse.max, sparse.p2, sparse.p98]).toEqual([want.count, want.min, want.max, want.p2, want.p98]);
    expect(Math.abs(sparse.mean - want.mean)).toBeLessThan(1e-12);
    expect(Math.abs(sparse.std - want.std)).toBeLessThan(1e-12);
    // Counts 50 values, then meets 2.5 and gives up: the 50 bins must be zeroed again.
    expect(integerHistogram(Float64Array.from([...b.slice(0, 50), 2.5]), 51, null, [-32768, 32767])).toBeNull();
    expect(histogramStats(integerHistogram(b, b.length, null, [-32768, 32767])!)).toEqual(first);
    const acc = new StatsAccumulator(1);
    acc.add(b, b.length, null);
    expect(first!.p2).toBe(acc.result()[0].p2);
    expect(first!.count).toBe(5000);
  });
});
