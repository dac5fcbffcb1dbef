// Reference invariants for GroupNorm(1, E) (torch.nn.GroupNorm with num_groups = 1): a hand-worked value, zero mean
// and unit biased variance per sample before the affine, per-channel affine, and gradient checks of dx, dGamma, dBeta.
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { groupNormBackwardRef, groupNormForwardRef, type GroupNormRefDims } from './groupnorm.ref';

describe('groupNormForwardRef', () => {
  it('matches a hand-worked sample', () => {
    // x = [1, 2, 3, 4] as (L=2, E=2): μ = 2.5, σ² = 1.25 (biased).
    const { out, mean, rstd } = groupNormForwardRef([1, 2, 3, 4], [1, 2], [0, 10], { S: 1, L: 2, E: 2, eps: 1e-5 });
    const r = 1 / Math.sqrt(1.25 + 1e-5);
    expect(mean[0]).toBe(2.5);
    expect(rstd[0]).toBeCloseTo(r, 14);
    const expected = [-1.5 * r, 10 - 0.5 * 2 * r, 0.5 * r, 10 + 1.5 * 2 * r];
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('normalises every sample over all L·E values, masked tokens included, then applies the channel affine', () => {
    const dims = { S: 3, L: 5, E: 4 };
    const rng = new Rng(10);
    const x = rng.normalArray(3 * 5 * 4).map((v, i) => 3 * v + (i < 20 ? 5 : -2));
    const ones = new Float64Array(4).fill(1);
    const { out } = groupNormForwardRef(x, ones, new Float64Array(4), dims);
    for (let s = 0; s < 3; s++) {
      const v = out.subarray(s * 20, (s + 1) * 20);
      const mu = v.reduce((a, b) => a + b, 0) / 20;
      const variance = v.reduce((a, b) => a + (b - mu) ** 2, 0) / 20;
      expect(Math.abs(mu)).toBeLessThan(1e-12);
      expect(variance).toBeCloseTo(1, 4);
    }
    const gamma = rng.normalArray(4);
    const beta = rng.normalArray(4);
    const affine = groupNormForwardRef(x, gamma, beta, dims).out;
    affine.forEach((v, i) => expect(v).toBeCloseTo(out[i] * gamma[i % 4] + beta[i % 4], 12));
  });

  it('defaults eps to 1e-5', () => {
    const x = new Rng(11).normalArray(12);
    const a = groupNormForwardRef(x, [1, 1, 1], [0, 0, 0], { S: 2, L: 2, E: 3 });
    const b = groupNormForwardRef(x, [1, 1, 1], [0, 0, 0], { S: 2, L: 2, E: 3, eps: 1e-5 });
    expect([...a.out]).toEqual([...b.out]);
  });
});

describe('groupNormBackwardRef', () => {
  const check = (dims: GroupNormRefDims, seed: number, fullJacobian: boolean) => {
    const rng = new Rng(seed);
    const { S, L, E } = dims;
    const x = rng.normalArray(S * L * E);
    const gamma = rng.normalArray(E);
    const beta = rng.normalArray(E);
    const r = gradCheck({
      inputs: [x, gamma, beta],
      forward: ([a, g, b]) => groupNormForwardRef(a, g, b, dims).out,
      backward: ([a, g, b], dOut) => {
        const { mean, rstd } = groupNormForwardRef(a, g, b, dims);
        const { dx, dGamma, dBeta } = groupNormBackwardRef(a, g, mean, rstd, dOut, dims);
        return [dx, dGamma, dBeta];
      },
      fullJacobian,
    }, 1e-5);
    expect(r.ok, r.details.join('\n')).toBe(true);
  };
  it('gradient check (random projections)', () => check({ S: 3, L: 7, E: 5, eps: 1e-5 }, 12, false));
  it('full Jacobian on a tiny shape', () => check({ S: 2, L: 2, E: 3, eps: 1e-5 }, 13, true));
});
