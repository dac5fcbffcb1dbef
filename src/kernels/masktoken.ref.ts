/**
 * Float64 reference for placing a mask token at the masked rows of a row range (MAESTRO unmask_seq):
 * y (B, rows, D), rows [row0, row0 + R); masked (B, rows) 1 = masked; token (D).
 * Forward: y[b, row0 + r] = token where masked. Backward: dToken = Σ over masked rows of the range of dY, and the
 * masked rows' dY does not flow further (they were overwritten).
 */
export interface MaskTokenDims {
  B: number;
  R: number;
  D: number;
  rows: number;
  row0: number;
}

export function maskTokenForwardRef(y: ArrayLike<number>, token: ArrayLike<number>, masked: ArrayLike<number>, d: MaskTokenDims): Float64Array {
  const out = Float64Array.from(y);
  for (let b = 0; b < d.B; b++)
    for (let r = 0; r < d.R; r++) {
      const row = b * d.rows + d.row0 + r;
      if (masked[row]) for (let c = 0; c < d.D; c++) out[row * d.D + c] = token[c];
    }
  return out;
}

/** Returns dToken (D) and dY with the masked rows of the range zeroed (the gradient reaching the overwritten values). */
export function maskTokenBackwardRef(dY: ArrayLike<number>, masked: ArrayLike<number>, d: MaskTokenDims): { dToken: Float64Array; dY: Float64Array } {
  const dToken = new Float64Array(d.D);
  const dYout = Float64Array.from(dY);
  for (let b = 0; b < d.B; b++)
    for (let r = 0; r < d.R; r++) {
      const row = b * d.rows + d.row0 + r;
      if (!masked[row]) continue;
      for (let c = 0; c < d.D; c++) {
        dToken[c] += dY[row * d.D + c];
        dYout[row * d.D + c] = 0;
      }
    }
  return { dToken, dY: dYout };
}
