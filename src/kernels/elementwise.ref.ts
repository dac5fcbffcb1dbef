/**
 * Float64 CPU references for the element-wise ops, from their definitions:
 *   add:   out[i] = a[i] + b[i mod len(b)]  (len(b) dividing len(a): a plain residual add when equal, a row broadcast
 *          such as a bias or positional embedding when b is one row)
 *   scale: out[i] = s·x[i]
 */
/** a (n), b (n) or (n / rows) broadcast over rows → (n). */
export function addRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  if (b.length < 1 || a.length % b.length !== 0) throw new Error(`addRef: length ${b.length} does not divide ${a.length}`);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i % b.length];
  return out;
}

/** x (n) → s·x (n). */
export function scaleRef(x: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = s * x[i];
  return out;
}
