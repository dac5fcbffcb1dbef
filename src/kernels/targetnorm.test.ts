// Reference invariants for the reconstruction-target normalisation (MAE norm_pix_loss, MAESTRO patch-group-wise):
// a hand-worked row, 'none' is a copy, each (row, group) gets mean 0 and UNBIASED variance σ²/(σ² + 1e−6), groups
// are channel slices at every pixel, a single-value group gives 0, and bad group lists are refused.
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { TARGET_NORM_EPS, targetNormRef } from './targetnorm.ref';

/** Mean and unbiased variance of the values of row r, channels [c0, c0 + ck), of an (R, P²·C) array. */
function groupStats(a: ArrayLike<number>, r: number, P: number, C: number, c0: number, ck: number) {
  const vals: number[] = [];
  for (let pix = 0; pix < P * P; pix++) for (let c = c0; c < c0 + ck; c++) vals.push(a[r * P * P * C + pix * C + c]);
  const mu = vals.reduce((s, v) => s + v, 0) / vals.length;
  const variance = vals.reduce((s, v) => s + (v - mu) ** 2, 0) / (vals.length - 1);
  return { mu, variance };
}

describe('targetNormRef', () => {
  it('matches a hand-worked row with the unbiased variance', () => {
    // P = 1, C = 4, one group: μ = 2.5, unbiased σ² = 5/3.
    const out = targetNormRef([1, 2, 3, 4], { R: 1, P: 1, C: 4, mode: 'patch' });
    const inv = 1 / Math.sqrt(5 / 3 + 1e-6);
    [-1.5, -0.5, 0.5, 1.5].forEach((d, i) => expect(out[i]).toBeCloseTo(d * inv, 14));
  });

  it("copies in mode 'none'", () => {
    const x = new Rng(20).normalArray(3 * 4 * 2);
    expect([...targetNormRef(x, { R: 3, P: 2, C: 2, mode: 'none' })]).toEqual([...x]);
  });

  it("'patch' and 'patch-group' give every (row, group) mean 0 and variance σ²/(σ² + ε)", () => {
    const [R, P, C] = [4, 3, 5];
    const rng = new Rng(21);
    const x = rng.normalArray(R * P * P * C).map((v, i) => (i % C) * 3 + v * (1 + (i % C)));
    for (const groups of [[5], [2, 3], [1, 1, 3]]) {
      const out = targetNormRef(x, { R, P, C, mode: groups.length === 1 ? 'patch' : 'patch-group', groups });
      for (let r = 0; r < R; r++) {
        let c0 = 0;
        for (const ck of groups) {
          const before = groupStats(x, r, P, C, c0, ck);
          const after = groupStats(out, r, P, C, c0, ck);
          expect(Math.abs(after.mu)).toBeLessThan(1e-12);
          expect(after.variance).toBeCloseTo(before.variance / (before.variance + TARGET_NORM_EPS), 10);
          c0 += ck;
        }
      }
    }
  });

  it('defines a single-value group (P = 1, C_k = 1) as normalising to 0', () => {
    const out = targetNormRef([7, -3, 2, 5, 1, 8], { R: 2, P: 1, C: 3, mode: 'patch-group', groups: [1, 2] });
    expect(out[0]).toBe(0);
    expect(out[3]).toBe(0);
    // The two-value groups still normalise: ±(d/2)/sqrt(d²/2 + ε).
    const d = 2 - -3;
    expect(out[1]).toBeCloseTo(-(d / 2) / Math.sqrt((d * d) / 2 + 1e-6), 12);
    expect(Number.isFinite(out[4])).toBe(true);
  });

  it('refuses group band counts that do not sum to C', () => {
    expect(() => targetNormRef(new Float64Array(8), { R: 1, P: 2, C: 2, mode: 'patch-group', groups: [1, 2] })).toThrow(/sum to 3/);
    expect(() => targetNormRef(new Float64Array(8), { R: 1, P: 2, C: 2, mode: 'patch-group' })).toThrow(/band counts/);
  });
});
