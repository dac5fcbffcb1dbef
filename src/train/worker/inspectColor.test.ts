/**
 * Colour scales of the Inspect grid: lookup tables hit their published end colours, percentile stretches follow the
 * 2–98 % convention and ignore excluded / non-finite values, and the RGBA renderers honour ranges, alpha and fallbacks.
 */
import { describe, expect, it } from 'vitest';
import { COLORMAP_STOPS, colormapLut, lutIndex, percentileRange, renderRgb, renderScalar, widen } from './inspectColor';

const rgbOf = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

describe('colormapLut', () => {
  it.each(['gray', 'viridis', 'magma'] as const)('%s starts and ends at its first and last control colour', (name) => {
    const lut = colormapLut(name);
    const stops = COLORMAP_STOPS[name];
    expect(lut.length).toBe(256 * 3);
    expect([...lut.subarray(0, 3)]).toEqual(rgbOf(stops[0]));
    expect([...lut.subarray(255 * 3, 256 * 3)]).toEqual(rgbOf(stops[stops.length - 1]));
  });

  it('gray is the identity ramp', () => {
    const lut = colormapLut('gray');
    for (const i of [0, 17, 128, 254, 255]) expect([...lut.subarray(i * 3, i * 3 + 3)]).toEqual([i, i, i]);
  });

  it('passes through the intermediate viridis control colours', () => {
    const lut = colormapLut('viridis');
    // Stop 4 of 8 sits at index 127.5: the two neighbours bracket it.
    const mid = rgbOf(COLORMAP_STOPS.viridis[4]);
    for (let c = 0; c < 3; c++) expect(Math.abs(lut[127 * 3 + c] - mid[c])).toBeLessThanOrEqual(3);
  });
});

describe('percentileRange', () => {
  const ramp = Float32Array.from({ length: 101 }, (_, i) => i); // 0 … 100

  it('gives the 2nd and 98th percentiles', () => {
    expect(percentileRange(ramp, 0.02, 0.98)).toEqual({ lo: 2, hi: 98 });
    expect(percentileRange(ramp, 0, 1)).toEqual({ lo: 0, hi: 100 });
  });

  it('ignores excluded and non-finite values', () => {
    const v = Float32Array.from([NaN, 5, Infinity, 7, 1000, -1000]);
    expect(percentileRange(v, 0, 1, (i) => i < 4)).toEqual({ lo: 5, hi: 7 });
  });

  it('returns [0, 1] when nothing is included and widens a constant', () => {
    expect(percentileRange(new Float32Array(4).fill(NaN), 0.02, 0.98)).toEqual({ lo: 0, hi: 1 });
    const r = percentileRange(new Float32Array(10).fill(3), 0.02, 0.98);
    expect(r.lo).toBeLessThan(3);
    expect(r.hi).toBeGreaterThan(3);
    expect(widen({ lo: 0, hi: 0 }).hi).toBeGreaterThan(0);
  });

  it('samples very large inputs without losing the range', () => {
    const big = Float32Array.from({ length: 1_000_001 }, (_, i) => i / 10_000); // 0 … 100
    const r = percentileRange(big, 0.02, 0.98);
    expect(r.lo).toBeCloseTo(2, 0);
    expect(r.hi).toBeCloseTo(98, 0);
  });
});

describe('renderers', () => {
  it('lutIndex clamps and maps the range ends to 0 and 255', () => {
    const r = { lo: 10, hi: 20 };
    expect([lutIndex(5, r), lutIndex(10, r), lutIndex(15, r), lutIndex(20, r), lutIndex(99, r), lutIndex(NaN, r)]).toEqual([0, 0, 128, 255, 255, 0]);
  });

  it('renderScalar writes colours, transparency and fallbacks at the pixel offset', () => {
    const out = new Uint8ClampedArray(5 * 4);
    const lut = colormapLut('gray');
    renderScalar([0, 1, 0.5, 7], { lo: 0, hi: 1 }, lut, out, 1, { alpha: (i) => i !== 2, fallback: (i) => (i === 3 ? [1, 2, 3] : null) });
    expect([...out.subarray(0, 4)]).toEqual([0, 0, 0, 0]); // pixel 0 untouched
    expect([...out.subarray(4, 8)]).toEqual([0, 0, 0, 255]);
    expect([...out.subarray(8, 12)]).toEqual([255, 255, 255, 255]);
    expect(out[15]).toBe(0); // transparent
    expect([...out.subarray(16, 20)]).toEqual([1, 2, 3, 255]);
  });

  it('renderRgb stretches each channel by its own range', () => {
    const out = new Uint8ClampedArray(2 * 4);
    renderRgb([[0, 10], [100, 200], [5, 5]], [{ lo: 0, hi: 10 }, { lo: 100, hi: 200 }, { lo: 0, hi: 10 }], out, 0, (i) => i === 0);
    expect([...out]).toEqual([0, 0, 128, 255, 255, 255, 128, 0]);
  });
});
