// Unit tests of the benchmark statistics (bench/stats.ts): quantiles by linear interpolation as NumPy computes them.
import { describe, expect, it } from 'vitest';
import { median, quantile, summarize } from './stats';

describe('stats', () => {
  it('median of odd and even counts, independent of order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('quantiles interpolate linearly between order statistics (numpy.quantile "linear")', () => {
    const xs = [10, 20, 30, 40, 50];
    expect(quantile(xs, 0)).toBe(10);
    expect(quantile(xs, 1)).toBe(50);
    expect(quantile(xs, 0.25)).toBe(20);
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12); // numpy.quantile([1,2,3,4], .25) = 1.75
  });

  it('rejects empty samples and q outside [0, 1]', () => {
    expect(() => median([])).toThrow(/no samples/);
    expect(() => quantile([1], 1.5)).toThrow(/\[0, 1\]/);
  });

  it('summary: spread is the interquartile range relative to the median; an outlier moves neither', () => {
    const s = summarize([10, 10, 10, 10, 100]);
    expect(s.median).toBe(10);
    expect(s.relSpread).toBe(0);
    expect(s.max).toBe(100);
    expect(s.min).toBe(10);
    expect(s.n).toBe(5);
    const t = summarize([9, 10, 11]);
    expect(t.p25).toBe(9.5);
    expect(t.p75).toBe(10.5);
    expect(t.relSpread).toBeCloseTo(0.1, 12);
  });
});
