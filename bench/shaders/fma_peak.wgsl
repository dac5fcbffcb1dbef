// fma_peak.wgsl — benchmark-only micro-kernel: the adapter's attainable f32 FMA throughput, the ceiling that
// bench/suites/kernels.ts divides every matmul rate by. Not used by the model.
//
// One invocation runs CHAINS = 8 independent vec4 accumulator chains, each advanced UNROLL = 4 times per loop trip by
// `acc = fma(acc, m, c)`, for params.iterations trips: 8 · 4 · 4 lanes · 2 FLOPs = 256 FLOPs per trip. Eight
// independent chains hide FMA latency inside one invocation; many workgroups fill every core. The multiplier m is
// just below 1 and c is small, so values stay finite and normal (no denormal slow paths) for any trip count, and
// they come from the uniform so the compiler cannot fold the loop. The sum of the chains is stored so no chain is
// dead code. Memory traffic: one f32 store per invocation, negligible next to the FLOPs.
//
// Dispatch: (x, y, 1) workgroups of WG invocations on a 2D grid; invocation index i = (wg.y · nwg.x + wg.x) · WG + lid.

struct Params {
  iterations: u32,
  mul: f32,
  add: f32,
  seed: f32,
}

override WG: u32 = 256u;

@group(0) @binding(0) var<storage, read_write> sink: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + lid;
  let s = params.seed + f32(i & 255u) * 1e-3;
  let m = vec4f(params.mul);
  let c = vec4f(params.add);
  var a0 = vec4f(s, s + 0.1, s + 0.2, s + 0.3);
  var a1 = a0 + 0.01;
  var a2 = a0 + 0.02;
  var a3 = a0 + 0.03;
  var a4 = a0 + 0.04;
  var a5 = a0 + 0.05;
  var a6 = a0 + 0.06;
  var a7 = a0 + 0.07;
  for (var t = 0u; t < params.iterations; t++) {
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
  }
  let total = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
  sink[i] = dot(total, vec4f(1.0));
}
