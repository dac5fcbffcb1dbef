// Reference invariants for LayerNorm: a hand-computed row, normalised rows have mean beta and (biased) variance
// gamma²·var/(var+eps), invariance to a per-row shift, dx rows sum to zero, and layernormBackwardRef passes the
// central-difference gradient check for x, gamma and beta (random projections, plus the full Jacobian on a tiny shape).
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { layernormBackwardRef, layernormForwardRef } from './layernorm.ref';

describe('layernormForwardRef', () => {
  it('normalises a known row', () => {
    // x = [1, 2, 3, 6]: mean 3, biased variance (4 + 1 + 0 + 9)/4 = 3.5.
    const { out, mean, rstd } = layernormForwardRef([1, 2, 3, 6], [1, 1, 1, 1], [0, 0, 0, 0], { R: 1, D: 4, eps: 0 });
    expect(mean[0]).toBe(3);
    expect(rstd[0]).toBeCloseTo(1 / Math.sqrt(3.5), 15);
    [-2, -1, 0, 3].forEach((v, i) => expect(out[i]).toBeCloseTo(v / Math.sqrt(3.5), 15));
  });

  it('gives rows of mean beta and variance var/(var+eps), and ignores a per-row shift', () => {
    const [R, D, eps] = [3, 17, 1e-5];
    const rng = new Rng(2);
    const x = rng.normalArray(R * D, 0.01); // small variance, so eps visibly matters
    const ones = new Float64Array(D).fill(1);
    const zeros = new Float64Array(D);
    const { out, rstd } = layernormForwardRef(x, ones, zeros, { R, D, eps });
    const shifted = x.map((v, i) => v + 1000 * Math.floor(i / D));
    const outShifted = layernormForwardRef(shifted, ones, zeros, { R, D, eps }).out;
    for (let r = 0; r < R; r++) {
      const row = out.subarray(r * D, (r + 1) * D);
      const m = row.reduce((a, b) => a + b, 0) / D;
      const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / D;
      expect(m).toBeCloseTo(0, 12);
      const varX = 1 / rstd[r] ** 2 - eps;
      expect(v).toBeCloseTo(varX / (varX + eps), 10);
    }
    for (let i = 0; i < out.length; i++) expect(outShifted[i]).toBeCloseTo(out[i], 8);
  });
});

describe('layernormBackwardRef', () => {
  const check = (R: number, D: number, fullJacobian: boolean) => {
    const rng = new Rng(R * 100 + D);
    const eps = 1e-5;
    const inputs = [rng.normalArray(R * D, 2), rng.normalArray(D).map((v) => 1 + 0.3 * v), rng.normalArray(D, 0.5)];
    return gradCheck(
      {
        inputs,
        forward: ([x, g, b]) => layernormForwardRef(x, g, b, { R, D, eps }).out,
        backward: ([x, g, b], dOut) => {
          const { mean, rstd } = layernormForwardRef(x, g, b, { R, D, eps });
          const { dx, dGamma, dBeta } = layernormBackwardRef(x, g, mean, rstd, dOut, { R, D });
          return [dx, dGamma, dBeta];
        },
        fullJacobian,
      },
      1e-6,
    );
  };

  it('passes a gradient check (random projections)', () => {
    const r = check(6, 33, false);
    expect(r.ok, r.details.join('\n')).toBe(true);
  });

  it('passes a full-Jacobian gradient check on a tiny shape', () => {
    const r = check(2, 5, true);
    expect(r.ok, r.details.join('\n')).toBe(true);
  });

  it('produces dx rows that sum to zero (LayerNorm output is shift-invariant)', () => {
    const [R, D] = [4, 9];
    const rng = new Rng(9);
    const x = rng.normalArray(R * D);
    const gamma = rng.normalArray(D);
    const { mean, rstd } = layernormForwardRef(x, gamma, new Float64Array(D), { R, D, eps: 1e-6 });
    const { dx } = layernormBackwardRef(x, gamma, mean, rstd, rng.normalArray(R * D), { R, D });
    for (let r = 0; r < R; r++) expect(dx.subarray(r * D, (r + 1) * D).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
  });
});
