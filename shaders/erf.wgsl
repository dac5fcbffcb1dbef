// erf.wgsl — f32 error function, complementary error function and standard-normal CDF/PDF. A function library with
// no entry point: src/kernels/gelu.ts appends it to gelu_forward.wgsl, gelu_backward.wgsl and erf_forward.wgsl
// (WGSL resolves module-scope names in any order, so the kernel files keep their own line numbers in errors).
//
// Accuracy target ~1e-6 RELATIVE everywhere, including near 0 and in the lower tail where GELU multiplies x by a tiny
// Φ(x) (tested against a float64 erf over a dense range in src/kernels/gelu.gpu.test.ts):
//   |z| < 0.5 : Maclaurin series erf(z) = 2/√π Σ (−1)ⁿ z^(2n+1) / (n!(2n+1)) (A&S 7.1.5), 8 terms; relative error
//               is f32 rounding only, also for tiny z (no 1 − erfc cancellation).
//   |z| ≥ 0.5 : erfc(z) = t·exp(−z² − 1.26551223 + t·P(t)), t = 1/(1 + z/2) (Numerical Recipes §6.2 "erfcc", a
//               Chebyshev fit with fractional error < 1.2e-7 for all z ≥ 0). exp(−z²) is evaluated as
//               exp(−hi²)·exp(−lo·(z + hi)) with hi = z truncated to 12 significant bits, so hi² is exact in f32 and
//               the tail keeps its relative accuracy (a rounded z² would cost 2z²·2⁻²⁴ relative, 2e-6 at z = 4).
//               exp(−hi²) goes through an explicit Cody–Waite range reduction (expReduced): the builtin exp may
//               lose |y|·2⁻²⁴ relative for large |y| (WGSL allows 3 + 2|y| ULP; llvmpipe measured 8e-6 at y = −62).

const FRAC_1_SQRT_2: f32 = 0.7071067811865475;
const FRAC_1_SQRT_2PI: f32 = 0.3989422804014327;

// erf(z) for |z| < 0.5.
fn erfSmall(z: f32) -> f32 {
  let z2 = z * z;
  return z * (1.1283791670955126 + z2 * (-0.37612638903183754 + z2 * (0.11283791670955126 + z2 * (-0.026866170645131252
    + z2 * (0.005223977625442188 + z2 * (-0.0008548327023450852 + z2 * (0.00012055332981789664
    + z2 * -1.492565035840625e-05)))))));
}

// ln 2 = LN2_HI + LN2_LO with LN2_HI's low 7 mantissa bits zero, so n·LN2_HI is exact for |n| < 128 (fdlibm expf).
const LN2_HI: f32 = 6.9314575195e-01;
const LN2_LO: f32 = 1.4286067653e-06;
const LOG2_E: f32 = 1.4426950408889634;

// exp(y) for y ≤ 0: y = n·ln2 + r with |r| ≤ ln2/2, exp(y) = 2ⁿ·exp(r); the reduction is exact, so the only error
// is the builtin exp on a small argument (≤ 4 ULP). Below −87 the result is under the smallest normal f32: 0.
fn expReduced(y: f32) -> f32 {
  if (y < -87.0) { return 0.0; }
  let n = round(y * LOG2_E);
  let r = (y - n * LN2_HI) - n * LN2_LO;
  return ldexp(exp(r), i32(n));
}

// exp(−s·a²) for a ≥ 0 and s ∈ {1, 0.5}, with a² split as hi² + lo·(a + hi) (hi² exact, s a power of two).
fn expNegSquare(a: f32, s: f32) -> f32 {
  let hi = bitcast<f32>(bitcast<u32>(a) & 0xfffff000u);
  let lo = a - hi;
  return expReduced(-s * (hi * hi)) * exp(-s * (lo * (a + hi)));
}

// erfc(z) for z ≥ 0, given e = exp(−z²).
fn erfcTail(z: f32, e: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * e * exp(p);
}

fn erf(x: f32) -> f32 {
  let z = abs(x);
  if (z < 0.5) { return erfSmall(x); }
  let r = 1.0 - erfcTail(z, expNegSquare(z, 1.0));
  return select(-r, r, x > 0.0);
}

fn erfc(x: f32) -> f32 {
  let z = abs(x);
  if (z < 0.5) { return 1.0 - erfSmall(x); }
  let r = erfcTail(z, expNegSquare(z, 1.0));
  return select(2.0 - r, r, x > 0.0);
}

// Φ(x) = ½·erfc(−x/√2), relative-accurate in the lower tail: exp(−x²/2) is formed from x itself, not from x/√2.
fn normalCdf(x: f32) -> f32 {
  let z = abs(x) * FRAC_1_SQRT_2;
  if (z < 0.5) { return 0.5 + 0.5 * erfSmall(x * FRAC_1_SQRT_2); }
  let lower = 0.5 * erfcTail(z, expNegSquare(abs(x), 0.5));
  return select(1.0 - lower, lower, x < 0.0);
}

// φ(x) = exp(−x²/2)/√(2π).
fn normalPdf(x: f32) -> f32 {
  return FRAC_1_SQRT_2PI * expNegSquare(abs(x), 0.5);
}
