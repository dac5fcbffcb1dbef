/**
 * Resampling onto a target grid: GDAL's half-pixel convention (upsampling by 2 with bilinear reproduces the
 * quarter/three-quarter weights and replicated edges), nearest neighbour, nodata-aware renormalisation, pixels
 * outside the source, and the DN → physical affine.
 * Reference: GDAL bilinear kernel; resample.ts header.
 */
import { describe, expect, it } from 'vitest';
import { resampleBand, type SourceBand } from './resample';

const src: SourceBand = { data: [0, 10, 20, 30], width: 4, height: 1, valid: null };

function run(s: SourceBand, outW: number, outH: number, map: { x0: number; dx: number; y0: number; dy: number }, method: 'nearest' | 'bilinear', affine?: [number, number]) {
  const out = new Float32Array(outW * outH);
  const valid = new Uint8Array(outW * outH).fill(1);
  resampleBand(s, out, 0, valid, outW, outH, map, method, affine);
  return { out: Array.from(out), valid: Array.from(valid) };
}

describe('resampleBand', () => {
  it('bilinear ×2 upsampling matches GDAL: 1/4–3/4 weights, edges replicated', () => {
    const r = run(src, 8, 1, { x0: 0, dx: 0.5, y0: 0, dy: 1 }, 'bilinear');
    expect(r.out).toEqual([0, 2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 30]);
    expect(r.valid.every((v) => v === 1)).toBe(true);
  });

  it('nearest ×2 upsampling repeats pixels; identity map copies', () => {
    expect(run(src, 8, 1, { x0: 0, dx: 0.5, y0: 0, dy: 1 }, 'nearest').out).toEqual([0, 0, 10, 10, 20, 20, 30, 30]);
    expect(run(src, 4, 1, { x0: 0, dx: 1, y0: 0, dy: 1 }, 'bilinear').out).toEqual([0, 10, 20, 30]);
  });

  it('drops invalid neighbours and renormalises; no valid neighbour → invalid', () => {
    const s: SourceBand = { data: [0, 10, 20, 30], width: 4, height: 1, valid: Uint8Array.from([1, 0, 1, 1]) };
    const r = run(s, 8, 1, { x0: 0, dx: 0.5, y0: 0, dy: 1 }, 'bilinear');
    // Output 2 sits between source 0 (w .75) and source 1 (invalid): only source 0 remains.
    expect(r.out.slice(0, 4)).toEqual([0, 0, 0, 20]);
    const n = run(s, 8, 1, { x0: 0, dx: 0.5, y0: 0, dy: 1 }, 'nearest');
    expect(n.valid).toEqual([1, 1, 0, 0, 1, 1, 1, 1]);
    const nan: SourceBand = { data: [NaN, NaN], width: 2, height: 1, valid: null };
    expect(run(nan, 2, 1, { x0: 0, dx: 1, y0: 0, dy: 1 }, 'bilinear').valid).toEqual([0, 0]);
  });

  it('marks pixels whose centre falls outside the source invalid', () => {
    const r = run(src, 6, 1, { x0: -1, dx: 1, y0: 0, dy: 1 }, 'nearest');
    expect(r.valid).toEqual([0, 1, 1, 1, 1, 0]);
    expect(run(src, 2, 2, { x0: 0, dx: 2, y0: 0, dy: 1 }, 'nearest').valid).toEqual([1, 1, 0, 0]);
  });

  it('applies the affine (scale, offset) to the interpolated value and ANDs into existing validity', () => {
    expect(run(src, 4, 1, { x0: 0, dx: 1, y0: 0, dy: 1 }, 'nearest', [0.5, 1]).out).toEqual([1, 6, 11, 16]);
    const out = new Float32Array(4);
    const valid = Uint8Array.from([1, 0, 1, 1]);
    resampleBand(src, out, 0, valid, 4, 1, { x0: 0, dx: 1, y0: 0, dy: 1 }, 'bilinear');
    expect(Array.from(valid)).toEqual([1, 0, 1, 1]);
  });

  it('2-D bilinear between four pixels', () => {
    const s: SourceBand = { data: [0, 10, 20, 30], width: 2, height: 2, valid: null };
    // Output pixel centre at source (1, 1): the middle of the four pixel centres.
    const r = run(s, 1, 1, { x0: 0.5, dx: 1, y0: 0.5, dy: 1 }, 'bilinear');
    expect(r.out[0]).toBeCloseTo(15, 6);
  });

  it('an aligned grid (unit scale, integer offset) gives what the general loop gives a hair off it', () => {
    // The aligned fast path against the general per-column loop (x0, y0 nudged by 1e-9 px, which moves no nearest
    // centre), over windows that run off every edge, in-place strided sources, masks, nodata and NaN.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 40; trial++) {
      const W = 1 + Math.floor(rnd() * 9);
      const H = 1 + Math.floor(rnd() * 9);
      const stride = W + Math.floor(rnd() * 3);
      const offset = Math.floor(rnd() * 5);
      const data = Float32Array.from({ length: offset + stride * H }, () => (rnd() < 0.1 ? NaN : rnd() < 0.1 ? -9 : Math.round(rnd() * 100)));
      const valid = rnd() < 0.5 ? null : Uint8Array.from({ length: W * H }, () => (rnd() < 0.85 ? 1 : 0));
      const s: SourceBand = { data, width: W, height: H, valid, offset, stride, nodata: rnd() < 0.5 ? -9 : null };
      const outW = 1 + Math.floor(rnd() * 10);
      const outH = 1 + Math.floor(rnd() * 10);
      const x0 = Math.floor(rnd() * 14) - 5;
      const y0 = Math.floor(rnd() * 14) - 5;
      const pre = Uint8Array.from({ length: outW * outH }, () => (rnd() < 0.9 ? 1 : 0));
      const go = (dx0: number, withOut: boolean) => {
        const out = new Float32Array(outW * outH);
        const v = pre.slice();
        resampleBand(s, withOut ? out : null, 0, v, outW, outH, { x0: x0 + dx0, dx: 1, y0: y0 + dx0, dy: 1 }, 'nearest', [0.5, 2]);
        return { out: Array.from(out), valid: Array.from(v) };
      };
      expect(go(0, true)).toEqual(go(1e-9, true));
      expect(go(0, false).valid).toEqual(go(1e-9, false).valid);
      // Bilinear on the aligned grid is the same pixel (weights 1, 0, 0, 0).
      const bl = new Float32Array(outW * outH);
      const bv = pre.slice();
      resampleBand(s, bl, 0, bv, outW, outH, { x0, dx: 1, y0, dy: 1 }, 'bilinear', [0.5, 2]);
      expect({ out: Array.from(bl), valid: Array.from(bv) }).toEqual(go(0, true));
    }
  });
});
