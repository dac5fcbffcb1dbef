// Reference invariants for patchify/unpatchify (MAE models_mae.py): a hand-worked example of the (py, px, c) order,
// exact inversion with all bands, band-group selection, and gradient checks of both directions (each is the other's
// backward: patchify is a permutation, so its adjoint is unpatchify).
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { patchifyRef, unpatchifyRef, type PatchifyRefDims } from './patchify.ref';

describe('patchifyRef', () => {
  it('orders tokens row-major over the patch grid and values (py, px, c), channel fastest', () => {
    // One image, C=2, H=2, W=4, P=2: channel 0 holds 0..7, channel 1 holds 100..107 (row-major).
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 102, 103, 104, 105, 106, 107];
    const dims = { B: 1, T: 1, C: 2, H: 2, W: 4, P: 2 };
    expect([...patchifyRef(x, dims)]).toEqual([
      // token 0 (gx = 0): (py, px) = (0,0) (0,1) (1,0) (1,1), each [c0, c1]
      0, 100, 1, 101, 4, 104, 5, 105,
      // token 1 (gx = 1)
      2, 102, 3, 103, 6, 106, 7, 107,
    ]);
    expect([...patchifyRef(x, { ...dims, bands: [1] })]).toEqual([100, 101, 104, 105, 102, 103, 106, 107]);
  });

  it('is inverted by unpatchifyRef when all bands are used', () => {
    const dims = { B: 2, T: 3, C: 3, H: 6, W: 9, P: 3 };
    const x = new Rng(4).normalArray(2 * 3 * 3 * 6 * 9);
    expect([...unpatchifyRef(patchifyRef(x, dims), dims)]).toEqual([...x]);
  });

  it('keeps only the band group, in the listed order, and unpatchify leaves other channels at zero', () => {
    const dims: PatchifyRefDims = { B: 1, T: 2, C: 4, H: 4, W: 2, P: 2, bands: [3, 1] };
    const x = new Rng(5).normalArray(2 * 4 * 4 * 2);
    const p = patchifyRef(x, dims);
    expect(p.length).toBe(2 * 2 * 4 * 2);
    const back = unpatchifyRef(p, dims);
    for (let s = 0; s < 2; s++) {
      for (let c = 0; c < 4; c++) {
        for (let i = 0; i < 8; i++) {
          const at = (s * 4 + c) * 8 + i;
          expect(back[at]).toBe(c === 1 || c === 3 ? x[at] : 0);
        }
      }
    }
  });

  it('gradient checks: unpatchify is the backward of patchify and vice versa', () => {
    const dims: PatchifyRefDims = { B: 2, T: 1, C: 3, H: 4, W: 6, P: 2, bands: [2, 0] };
    const rng = new Rng(6);
    const x = rng.normalArray(2 * 3 * 4 * 6);
    const fwd = gradCheck({ inputs: [x], forward: ([a]) => patchifyRef(a, dims), backward: (_, d) => [unpatchifyRef(d, dims)] });
    expect(fwd.ok, fwd.details.join('\n')).toBe(true);
    const p = rng.normalArray(2 * 6 * 4 * 2);
    const bwd = gradCheck({ inputs: [p], forward: ([a]) => unpatchifyRef(a, dims), backward: (_, d) => [patchifyRef(d, dims)] });
    expect(bwd.ok, bwd.details.join('\n')).toBe(true);
  });

  it('full Jacobian on a tiny shape', () => {
    const dims: PatchifyRefDims = { B: 1, T: 2, C: 2, H: 2, W: 4, P: 2, bands: [1] };
    const x = new Rng(7).normalArray(2 * 2 * 2 * 4);
    const r = gradCheck({ inputs: [x], forward: ([a]) => patchifyRef(a, dims), backward: (_, d) => [unpatchifyRef(d, dims)], fullJacobian: true });
    expect(r.ok, r.details.join('\n')).toBe(true);
  });

  it('refuses a size not divisible by P and a band outside C', () => {
    expect(() => patchifyRef(new Float64Array(15), { B: 1, T: 1, C: 1, H: 3, W: 5, P: 2 })).toThrow(/not divisible/);
    expect(() => patchifyRef(new Float64Array(16), { B: 1, T: 1, C: 1, H: 4, W: 4, P: 2, bands: [1] })).toThrow(/outside/);
  });
});
