/**
 * Float64 reference for the batched row-block copy: dst[b, dstRow0 + r, :] (+)= src[b, srcRow0 + r, :].
 * Layouts: src (B, Ns, D), dst (B, Nd, D) with Ns, Nd rows per batch item.
 */
export interface RowCopyDims {
  B: number;
  /** Rows copied per batch item. */
  R: number;
  D: number;
  srcRows: number;
  srcRow0: number;
  dstRows: number;
  dstRow0: number;
  accumulate?: boolean;
}

export function rowCopyRef(src: ArrayLike<number>, dst: ArrayLike<number>, d: RowCopyDims): Float64Array {
  const out = Float64Array.from(dst);
  for (let b = 0; b < d.B; b++)
    for (let r = 0; r < d.R; r++)
      for (let c = 0; c < d.D; c++) {
        const o = (b * d.dstRows + d.dstRow0 + r) * d.D + c;
        const v = src[(b * d.srcRows + d.srcRow0 + r) * d.D + c];
        out[o] = d.accumulate ? out[o] + v : v;
      }
  return out;
}
