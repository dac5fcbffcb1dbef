/**
 * MAESTRO temporal binning: offsets and bins, clear-date candidates with the nodata-aware fallback, the
 * median-deviation choice at evaluation and random choice in training.
 * Reference: method.md §2.3.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { binCandidates, medianDeviations, pickCandidate, planBins } from './binning';

describe('planBins', () => {
  it('keeps T consecutive bins of ⌊S/T⌋ dates after an offset in [0, S mod T]', () => {
    const offsets = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const p = planBins(105, 8, new Rng(seed));
      expect(p.k).toBe(13);
      expect(p.bins.length).toBe(8);
      expect(p.offset).toBeGreaterThanOrEqual(0);
      expect(p.offset).toBeLessThanOrEqual(1);
      expect(p.bins.flat()).toEqual(Array.from({ length: 104 }, (_, i) => p.offset + i));
      offsets.add(p.offset);
    }
    expect(offsets.size).toBe(2);
    expect(planBins(10, 3, null)).toMatchObject({ k: 3, offset: 0, bins: [[0, 1, 2], [3, 4, 5], [6, 7, 8]] });
  });

  it('gives each date its own bin when S ≤ T', () => {
    expect(planBins(3, 5, new Rng(1)).bins).toEqual([[0], [1], [2]]);
    expect(planBins(0, 2, null).bins).toEqual([]);
    expect(() => planBins(5, 0, null)).toThrow(/T ≥ 1/);
  });
});

describe('binCandidates', () => {
  it('clear dates first; otherwise the dates with the most valid pixels', () => {
    expect(binCandidates([0, 1, 2], [0.5, 1, 1])).toEqual({ candidates: [1, 2], rule: 'clear' });
    expect(binCandidates([3, 4, 5], [0, 0, 0, 0.2, 0.7, 0.7])).toEqual({ candidates: [4, 5], rule: 'max-valid' });
    expect(binCandidates([0, 1], [0, 0])).toEqual({ candidates: [0, 1], rule: 'none-valid' });
  });
});

describe('choosing within a bin', () => {
  it('evaluation picks the date closest to the per-pixel median; training picks uniformly among candidates', () => {
    // Three dates, one band, 4 pixels: dates 0 and 2 agree, date 1 is an outlier.
    const frames = [Float32Array.from([1, 1, 1, 1]), Float32Array.from([5, 5, 5, 5]), Float32Array.from([1.2, 1.2, 1.2, 1.2])];
    const valids = [new Uint8Array(4).fill(1), new Uint8Array(4).fill(1), new Uint8Array(4).fill(1)];
    const dev = medianDeviations(frames, valids, 1, 4, [0, 1, 2]);
    expect(dev[1]).toBeGreaterThan(dev[0]);
    expect(pickCandidate([10, 11, 12], 'eval', null, dev)).toBe(12);
    const counts = [0, 0, 0];
    const rng = new Rng(4);
    for (let i = 0; i < 300; i++) counts[pickCandidate([0, 1, 2], 'train', rng) as 0 | 1 | 2]++;
    expect(Math.min(...counts)).toBeGreaterThan(70);
    expect(() => pickCandidate([0, 1], 'train', null)).toThrow(/RNG/);
  });

  it('ignores invalid pixels in the median and in the deviation', () => {
    const frames = [Float32Array.from([1, 100]), Float32Array.from([1, 1]), Float32Array.from([3, 1])];
    const valids = [Uint8Array.from([1, 0]), Uint8Array.from([1, 1]), Uint8Array.from([1, 1])];
    const dev = medianDeviations(frames, valids, 1, 2, [0, 1, 2]);
    // Pixel 1 of date 0 (100) is invalid: date 0 only counts pixel 0, where it equals the median 1.
    expect(dev[0]).toBe(0);
    expect(dev[2]).toBeCloseTo(1, 12);
  });
});
