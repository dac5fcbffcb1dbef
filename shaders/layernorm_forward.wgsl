// layernorm_forward.wgsl — LayerNorm over the last axis (PyTorch nn.LayerNorm):
//   out[r, :] = (x[r, :] − mean[r]) · rstd[r] · gamma + beta,   rstd[r] = 1 / sqrt(var_biased[r] + eps),
// saving mean (R) and rstd (R) for the backward. Two passes over the row (mean, then Σ(x − mean)²) instead of
// E[x²] − E[x]², so large offsets do not cancel catastrophically.
//
// One workgroup of WG_SIZE (a power of two) invocations per row; invocation lid strides the row by WG_SIZE (any D),
// then a tree reduction in workgroup memory. Rows are laid out on a 2D grid: r = wg.y·nwg.x + wg.x. x, out, mean,
// rstd are sub-range bindings of one row chunk (src/kernels/layernorm.ts); gamma and beta are bound whole.

struct Params {
  R: u32,
  D: u32,
  eps: f32,
}

override WG_SIZE: u32 = 128u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

var<workgroup> partial: array<f32, WG_SIZE>;

// Sum of v over the workgroup; every invocation gets the total. Called from uniform control flow only.
fn workgroupSum(v: f32, lid: u32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = WG_SIZE / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = partial[lid] + partial[lid + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier(); // everyone has read partial[0] before the next call overwrites it
  return total;
}

@compute @workgroup_size(WG_SIZE, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= params.R) { return; } // uniform per workgroup
  let D = params.D;
  let base = row * D;
  var s = 0.0;
  for (var i = lid; i < D; i = i + WG_SIZE) { s = s + x[base + i]; }
  let mu = workgroupSum(s, lid) / f32(D);
  var q = 0.0;
  for (var i = lid; i < D; i = i + WG_SIZE) {
    let d = x[base + i] - mu;
    q = q + d * d;
  }
  let rs = inverseSqrt(workgroupSum(q, lid) / f32(D) + params.eps);
  for (var i = lid; i < D; i = i + WG_SIZE) {
    out[base + i] = (x[base + i] - mu) * rs * gamma[i] + beta[i];
  }
  if (lid == 0u) {
    mean[row] = mu;
    rstd[row] = rs;
  }
}
