// Reference invariants for token gather / scatter (MAE random_masking / forward_decoder, MAESTRO mask_seq /
// unmask_seq): hand-worked examples, scatter is the adjoint of gather (repeated indices add), the mask-token scatter
// fills exactly the rows not indexed, and gradient checks of every backward.
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import {
  gatherRowsRef,
  scatterRowsRef,
  scatterWithMaskTokenBackwardRef,
  scatterWithMaskTokenRef,
  type GatherRefDims,
} from './gather.ref';

/** (B, K) kept indices: the first K of a random permutation of [0, N) per batch item. */
function keptIndices(rng: Rng, B: number, N: number, K: number): Uint32Array {
  const idx = new Uint32Array(B * K);
  for (let b = 0; b < B; b++) idx.set(rng.permutation(N).subarray(0, K), b * K);
  return idx;
}

describe('gatherRowsRef / scatterRowsRef', () => {
  it('gathers and scatters rows on a hand-worked example', () => {
    const dims = { B: 1, N: 3, K: 2, D: 2 };
    const x = [10, 11, 20, 21, 30, 31];
    expect([...gatherRowsRef(x, [2, 0], dims)]).toEqual([30, 31, 10, 11]);
    expect([...scatterRowsRef([1, 2, 3, 4], [2, 0], dims)]).toEqual([3, 4, 0, 0, 1, 2]);
    expect([...scatterRowsRef([1, 2, 3, 4], [1, 1], dims)]).toEqual([0, 0, 4, 6, 0, 0]);
  });

  it('scatter is the adjoint of gather: <gather(x), y> = <x, scatter(y)>, also with repeated indices', () => {
    const dims = { B: 2, N: 6, K: 4, D: 3 };
    const rng = new Rng(30);
    const x = rng.normalArray(2 * 6 * 3);
    const y = rng.normalArray(2 * 4 * 3);
    const idx = [5, 0, 5, 2, 1, 1, 3, 4];
    const g = gatherRowsRef(x, idx, dims);
    const s = scatterRowsRef(y, idx, dims);
    const lhs = g.reduce((a, v, i) => a + v * y[i], 0);
    const rhs = s.reduce((a, v, i) => a + v * x[i], 0);
    expect(lhs).toBeCloseTo(rhs, 12);
  });

  it('gradient check of gather (backward = scatter-add), full Jacobian with a repeated index', () => {
    const dims = { B: 2, N: 4, K: 3, D: 2 };
    const x = new Rng(31).normalArray(2 * 4 * 2);
    const idx = [3, 0, 3, 1, 2, 0];
    const r = gradCheck({ inputs: [x], forward: ([a]) => gatherRowsRef(a, idx, dims), backward: (_, d) => [scatterRowsRef(d, idx, dims)], fullJacobian: true });
    expect(r.ok, r.details.join('\n')).toBe(true);
  });

  it('refuses an index outside [0, N)', () => {
    expect(() => gatherRowsRef(new Float64Array(6), [3], { B: 1, N: 3, K: 1, D: 2 })).toThrow(/outside/);
  });
});

describe('scatterWithMaskTokenRef', () => {
  it('places visible rows and fills every other row with the mask token', () => {
    const dims = { B: 2, N: 3, K: 1, D: 2 };
    const out = scatterWithMaskTokenRef([1, 2, 3, 4], [1, 0], [-1, -2], dims);
    expect([...out]).toEqual([-1, -2, 1, 2, -1, -2, 3, 4, -1, -2, -1, -2]);
  });

  it('refuses repeated kept indices', () => {
    expect(() => scatterWithMaskTokenRef([1, 2], [0, 0], [0], { B: 1, N: 2, K: 2, D: 1 })).toThrow(/repeated/);
  });

  const check = (dims: GatherRefDims, seed: number, fullJacobian: boolean) => {
    const rng = new Rng(seed);
    const { B, N, K, D } = dims;
    const idx = keptIndices(rng, B, N, K);
    const src = rng.normalArray(B * K * D);
    const token = rng.normalArray(D);
    const r = gradCheck({
      inputs: [src, token],
      forward: ([s, t]) => scatterWithMaskTokenRef(s, idx, t, dims),
      backward: (_, dOut) => {
        const { dSrc, dMaskToken } = scatterWithMaskTokenBackwardRef(dOut, idx, dims);
        return [dSrc, dMaskToken];
      },
      fullJacobian,
    });
    expect(r.ok, r.details.join('\n')).toBe(true);
  };
  it('gradient check of src and mask token (random projections)', () => check({ B: 3, N: 10, K: 4, D: 5 }, 32, false));
  it('full Jacobian on a tiny shape', () => check({ B: 2, N: 3, K: 1, D: 2 }, 33, true));

  it('mask-token gradient sums exactly the masked rows', () => {
    const dims = { B: 1, N: 4, K: 2, D: 1 };
    const { dSrc, dMaskToken } = scatterWithMaskTokenBackwardRef([1, 10, 100, 1000], [2, 0], dims);
    expect([...dSrc]).toEqual([100, 1]);
    expect([...dMaskToken]).toEqual([1010]);
  });
});
