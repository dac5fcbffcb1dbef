/**
 * Fast pseudo-random fill for benchmark inputs (xorshift32, uniform in [−scale, scale)). Benchmarks need megabytes of
 * plausible values quickly; statistical quality does not matter, only that softmax/LayerNorm/GELU see ordinary,
 * finite, non-constant data. Deterministic per seed so runs are comparable. (src/lib/rng.ts is the exact PCG32 used by
 * training; its BigInt arithmetic is too slow for 16M-element tensors.)
 */
export function randomF32(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = ((x / 4294967296) * 2 - 1) * scale;
  }
  return out;
}
