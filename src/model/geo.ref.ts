/**
 * Float64 reference of the learned geographic map (method.md §7.3, our design): the token addend
 *   Y (R, D) = Φ (R, Fg) · W (Fg, D)
 * of constant geo features Φ (src/model/geo.ts) and the learned weights W (no bias). Its backward, from the formula
 * ∂L/∂W[f, d] = Σ_r Φ[r, f] · ∂L/∂Y[r, d], i.e. dW = Φᵀ·dY; Φ is data, so it has no gradient.
 * Straight loops over Float64Array, imported by the whole-graph reference (mae.ref.ts).
 */
import { assert } from '../lib/assert';

export interface GeoMapDims {
  /** Rows (tokens), feature width Fg and token width D. */
  R: number;
  F: number;
  D: number;
}

function check(name: string, a: ArrayLike<number>, n: number): void {
  assert(a.length === n, () => `${name} has ${a.length} values, expected ${n}`);
}

/** Y (R, D) = Φ (R, F) · W (F, D). */
export function geoMapForwardRef(phi: ArrayLike<number>, w: ArrayLike<number>, d: GeoMapDims): Float64Array {
  check('geo features', phi, d.R * d.F);
  check('geo weights', w, d.F * d.D);
  const y = new Float64Array(d.R * d.D);
  for (let r = 0; r < d.R; r++)
    for (let f = 0; f < d.F; f++) {
      const x = phi[r * d.F + f];
      if (x === 0) continue;
      for (let c = 0; c < d.D; c++) y[r * d.D + c] += x * w[f * d.D + c];
    }
  return y;
}

/** dW (F, D) = Φᵀ · dY. */
export function geoMapBackwardRef(phi: ArrayLike<number>, dOut: ArrayLike<number>, d: GeoMapDims): Float64Array {
  check('geo features', phi, d.R * d.F);
  check('geo dOut', dOut, d.R * d.D);
  const dw = new Float64Array(d.F * d.D);
  for (let r = 0; r < d.R; r++)
    for (let f = 0; f < d.F; f++) {
      const x = phi[r * d.F + f];
      if (x === 0) continue;
      for (let c = 0; c < d.D; c++) dw[f * d.D + c] += x * dOut[r * d.D + c];
    }
  return dw;
}
