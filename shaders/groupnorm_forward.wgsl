// groupnorm_forward.wgsl — GroupNorm(1, E) over each sample's (L, E) token map, with a per-channel affine:
//   out[s, l, e] = (x[s, l, e] − μ_s) · rstd_s · gamma[e] + beta[e],  rstd_s = 1/sqrt(σ²_s + eps), σ² biased (÷ L·E).
// Also saves mean (S) and rstd (S) for the backward.
//
// Shapes (a chunk of S samples; x/out windows opened at 256-byte boundaries, indices add the `...Base` slack;
// mean/rstd are bound whole and indexed from the chunk's first sample s0):
//   x, out: (S, L, E)    gamma, beta: (E)    mean, rstd: (S_total)
//
// Dispatch: one workgroup of WG (a power of two) invocations per sample, on a (x, y) grid read back as the linear
// index wg.y·nwg.x + wg.x. Two passes over the sample (mean, then Σ(x − μ)², which avoids E[x²] − μ² cancellation),
// each a strided per-invocation sum followed by a fixed-order tree reduction in workgroup memory; a third pass writes.

struct Params {
  S: u32,       // samples in this chunk
  n: u32,       // L·E values per sample
  E: u32,
  eps: f32,
  xBase: u32,
  outBase: u32,
  s0: u32,      // index of the chunk's first sample in mean/rstd
}

override WG: u32 = 256u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstdOut: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

var<workgroup> red: array<f32, WG>;

// Sum of `v` over the workgroup (tree order fixed by WG, so results are deterministic). Call in uniform control flow.
fn workgroupSum(v: f32, li: u32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (li < stride) { red[li] = red[li] + red[li + stride]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let s = wg.y * nwg.x + wg.x;
  if (s >= params.S) { return; }
  let n = params.n;
  let xb = params.xBase + s * n;

  var acc = 0.0;
  for (var j = li; j < n; j = j + WG) { acc = acc + x[xb + j]; }
  let mu = workgroupSum(acc, li) / f32(n);

  acc = 0.0;
  for (var j = li; j < n; j = j + WG) {
    let d = x[xb + j] - mu;
    acc = acc + d * d;
  }
  let variance = workgroupSum(acc, li) / f32(n);
  let rstd = inverseSqrt(variance + params.eps);

  let ob = params.outBase + s * n;
  for (var j = li; j < n; j = j + WG) {
    let e = j % params.E;
    out[ob + j] = (x[xb + j] - mu) * rstd * gamma[e] + beta[e];
  }
  if (li == 0u) {
    meanOut[params.s0 + s] = mu;
    rstdOut[params.s0 + s] = rstd;
  }
}
