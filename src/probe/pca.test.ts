// PCA → RGB: on data with known principal axes (a random rotation of independent coordinates with variances 9, 4, 1,
// 0.25, …) the power iteration recovers the axes, their variances and explained fractions; the sign convention and
// the seeded start make it deterministic; RGB spans 0..255 with the 2–98 % clip and constant input gives grey; the
// per-image variant fits one PCA per (modality, band group, date).
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { pca3, pcaRgb, pcaRgbPerImage } from './pca';
import { tinyEmbedded } from './testing/tokens';

/** A random orthonormal basis (E, E) by Gram–Schmidt, rows = basis vectors. */
function randomBasis(E: number, rng: Rng): Float64Array {
  const Q = new Float64Array(E * E);
  for (let i = 0; i < E; i++) {
    const v = rng.normalArray(E);
    for (let j = 0; j < i; j++) {
      let d = 0;
      for (let e = 0; e < E; e++) d += v[e] * Q[j * E + e];
      for (let e = 0; e < E; e++) v[e] -= d * Q[j * E + e];
    }
    const n = Math.hypot(...v);
    for (let e = 0; e < E; e++) Q[i * E + e] = v[e] / n;
  }
  return Q;
}

function dataWithAxes(n: number, E: number, stds: number[], seed: number): { x: Float64Array; Q: Float64Array } {
  const rng = new Rng(seed);
  const Q = randomBasis(E, rng);
  const x = new Float64Array(n * E);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < E; k++) {
      const z = rng.normal() * (stds[k] ?? 0.1);
      for (let e = 0; e < E; e++) x[i * E + e] += z * Q[k * E + e];
    }
    for (let e = 0; e < E; e++) x[i * E + e] += 5; // an offset the mean must remove
  }
  return { x, Q };
}

describe('pca3', () => {
  it('recovers known axes, variances and explained fractions', () => {
    const E = 8;
    const { x, Q } = dataWithAxes(4000, E, [3, 2, 1, 0.5], 1);
    const p = pca3(x, 4000, E);
    for (let c = 0; c < 3; c++) {
      let dot = 0;
      for (let e = 0; e < E; e++) dot += p.components[c * E + e] * Q[c * E + e];
      expect(Math.abs(dot)).toBeGreaterThan(0.995);
    }
    // Sample variances of 4000 draws: within a few % of 9, 4, 1.
    expect(p.variance[0]).toBeCloseTo(9, 0);
    expect(p.variance[1]).toBeCloseTo(4, 0);
    expect(p.variance[2]).toBeCloseTo(1, 0);
    const total = 9 + 4 + 1 + 0.25 + 4 * 0.01;
    expect(p.explained[0]).toBeCloseTo(9 / total, 1);
    expect(p.mean[0]).toBeCloseTo(5, 0);
  });

  it('is deterministic and puts the largest loading of each component on the positive side', () => {
    const { x } = dataWithAxes(500, 6, [2, 1.5, 1], 2);
    const a = pca3(x, 500, 6);
    const b = pca3(x, 500, 6);
    expect([...a.components]).toEqual([...b.components]);
    for (let c = 0; c < 3; c++) {
      const v = Array.from(a.components.subarray(c * 6, c * 6 + 6));
      const big = v.reduce((best, t, i) => (Math.abs(t) > Math.abs(v[best]) ? i : best), 0);
      expect(v[big]).toBeGreaterThan(0);
    }
  });
});

describe('pcaRgb', () => {
  it('maps the component scores to the full 0..255 range with opaque alpha', () => {
    const { x } = dataWithAxes(300, 5, [2, 1.5, 1], 3);
    const { rgba } = pcaRgb(x, 300, 5);
    for (let c = 0; c < 3; c++) {
      const ch = Array.from({ length: 300 }, (_, i) => rgba[i * 4 + c]);
      expect(Math.min(...ch)).toBe(0);
      expect(Math.max(...ch)).toBe(255);
    }
    expect(Array.from({ length: 300 }, (_, i) => rgba[i * 4 + 3]).every((a) => a === 255)).toBe(true);
  });

  it('gives mid-grey, not NaN, for constant features', () => {
    const { rgba, pca } = pcaRgb(new Float32Array(4 * 3).fill(1), 4, 3);
    expect([...rgba.subarray(0, 4)]).toEqual([128, 128, 128, 255]);
    expect(pca.variance.every((v) => v === 0)).toBe(true);
  });
});

describe('pcaRgbPerImage', () => {
  it('fits one PCA per (modality, band group, date) over all samples', () => {
    const emb = tinyEmbedded();
    const rgba = pcaRgbPerImage(emb.tokens);
    // The tokens of date 0 (rows 0–3 and 8–11) form one image: its PCA equals pcaRgb on those rows alone.
    const rows = [0, 1, 2, 3, 8, 9, 10, 11];
    const x = new Float32Array(rows.length * 4);
    rows.forEach((r, k) => x.set(emb.tokens.features.subarray(r * 4, r * 4 + 4), k * 4));
    const alone = pcaRgb(x, rows.length, 4).rgba;
    rows.forEach((r, k) => expect([...rgba.subarray(r * 4, r * 4 + 4)]).toEqual([...alone.subarray(k * 4, k * 4 + 4)]));
  });
});
