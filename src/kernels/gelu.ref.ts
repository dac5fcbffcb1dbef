/**
 * Float64 CPU reference for the exact (erf) GELU and for erf itself, written from the definitions:
 *   erf(x) = 2/√π ∫₀ˣ e^(−t²) dt,  erfc = 1 − erf,  Φ(x) = ½·erfc(−x/√2),  GELU(x) = x·Φ(x)  (PyTorch nn.GELU,
 *   approximate='none'),  GELU'(x) = Φ(x) + x·φ(x) with φ(x) = e^(−x²/2)/√(2π).
 * erf is evaluated with two convergent expansions, both accurate to ~1e-15 relative:
 *   |x| < 1 : erf(x) = 2/√π·e^(−x²)·Σₙ 2ⁿ x^(2n+1) / (1·3·5···(2n+1))   (A&S 7.1.6; all terms positive, no cancellation)
 *   x ≥ 1   : erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + 2/(x + …)))))   (A&S 7.1.14, Laplace's continued
 *             fraction, evaluated bottom-up from a fixed depth of 300)
 * Φ uses erfc for the lower tail so GELU(x) keeps its relative accuracy for very negative x.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const INV_SQRT_2 = 1 / Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const CF_DEPTH = 300;

/** erf(x) for |x| < 1 from the positive series A&S 7.1.6. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 100; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 1 from the continued fraction A&S 7.1.14. */
function erfcContinuedFraction(x: number): number {
  let t = x;
  for (let k = CF_DEPTH; k >= 1; k--) t = x + k / 2 / t;
  return (Math.exp(-x * x) * INV_SQRT_PI) / t;
}

export function erfRef(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  if (z < 1) return erfSeries(x);
  const r = 1 - erfcContinuedFraction(z);
  return x < 0 ? -r : r;
}

export function erfcRef(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 1) return erfcContinuedFraction(x);
  if (x <= -1) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/** Standard normal CDF Φ(x) = ½·erfc(−x/√2). */
export function normalCdfRef(x: number): number {
  return 0.5 * erfcRef(-x * INV_SQRT_2);
}

/** y = x·Φ(x), element-wise. x: any shape; y: same shape. */
export function geluForwardRef(x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * normalCdfRef(x[i]);
  return y;
}

/** dx = dOut·(Φ(x) + x·φ(x)), element-wise. */
export function geluBackwardRef(x: ArrayLike<number>, dOut: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    dx[i] = dOut[i] * (normalCdfRef(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  }
  return dx;
}
