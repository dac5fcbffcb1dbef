// Reference invariants for the reductions: known sums/means/maxima, the global norm over several arrays equals the
// norm of their concatenation, clipping brings the norm to maxNorm (and is the identity below it), the column sum
// equals row sums of the transpose, and the global norm's gradient g/‖g‖ passes a gradient check.
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { clipGradNormRef, columnSumRef, globalNormRef, maxRef, meanRef, sumRef } from './reduce.ref';

describe('reduction references', () => {
  it('sum, mean, max of a known array', () => {
    const x = [3, -1, 4, 1, -5, 9, 2, 6];
    expect(sumRef(x)).toBe(19);
    expect(meanRef(x)).toBe(19 / 8);
    expect(maxRef(x)).toBe(9);
    expect(maxRef([-3, -7])).toBe(-3);
  });

  it('global norm over several arrays is the norm of their concatenation', () => {
    expect(globalNormRef([[3], [4]])).toBe(5);
    const rng = new Rng(1);
    const parts = [rng.normalArray(10), rng.normalArray(1), rng.normalArray(33)];
    const all = Float64Array.from(parts.flatMap((p) => [...p]));
    expect(globalNormRef(parts)).toBeCloseTo(Math.sqrt(all.reduce((s, v) => s + v * v, 0)), 12);
  });

  it('clips to maxNorm above it and leaves gradients alone below it', () => {
    const g = [Float64Array.of(30, 40)]; // norm 50
    const clipped = clipGradNormRef(g, 5);
    expect(clipped.norm).toBe(50);
    expect(globalNormRef(clipped.clipped)).toBeCloseTo(5, 6);
    const kept = clipGradNormRef(g, 100);
    expect(kept.factor).toBe(1);
    expect([...kept.clipped[0]]).toEqual([30, 40]);
  });

  it('column sum equals the row sums of the transpose', () => {
    const [M, N] = [6, 4];
    const x = new Rng(2).normalArray(M * N);
    const cs = columnSumRef(x, { M, N });
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += x[m * N + n];
      expect(cs[n]).toBeCloseTo(s, 14);
    }
  });

  it('d‖g‖/dg = g/‖g‖: gradient check of the global norm', () => {
    const rng = new Rng(8);
    const r = gradCheck({
      inputs: [rng.normalArray(12), rng.normalArray(5)],
      forward: (xs) => Float64Array.of(globalNormRef(xs)),
      backward: (xs, d) => {
        const n = globalNormRef(xs);
        return xs.map((x) => x.map((v) => (d[0] * v) / n));
      },
      fullJacobian: true,
    });
    expect(r.ok, r.details.join('\n')).toBe(true);
  });
});
