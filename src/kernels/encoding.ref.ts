/**
 * Float64 reference for adding position/date encodings to a modality's tokens (method.md §2.5–§2.6):
 * x (B, rows, D) whose rows [row0, row0 + R) are the modality's R = Gt·T·L tokens ordered (token group, date, row,
 * col); pe (L, D − 8); de (B, T, 8). Returns x with [pe[l] ‖ de[b, t]] added to each of those tokens.
 */
export interface EncodingDims {
  B: number;
  R: number;
  D: number;
  L: number;
  T: number;
  /** Rows per batch item of x (default R) and the modality's first row (default 0). */
  rows?: number;
  row0?: number;
}

export function encodingAddRef(x: ArrayLike<number>, pe: ArrayLike<number>, de: ArrayLike<number>, d: EncodingDims): Float64Array {
  const out = Float64Array.from(x);
  const dp = d.D - 8;
  for (let b = 0; b < d.B; b++)
    for (let r = 0; r < d.R; r++) {
      const l = r % d.L;
      const t = Math.floor(r / d.L) % d.T;
      const row = (b * (d.rows ?? d.R) + (d.row0 ?? 0) + r) * d.D;
      for (let c = 0; c < dp; c++) out[row + c] += pe[l * dp + c];
      for (let k = 0; k < 8; k++) out[row + dp + k] += de[(b * d.T + t) * 8 + k];
    }
  return out;
}
