// layernorm_backward.wgsl — input gradient of LayerNorm, per row, from the saved mean and rstd:
//   xhat = (x − mean)·rstd,  g = dOut·gamma,
//   dx = rstd · (g − mean_D(g) − xhat · mean_D(g·xhat))        (+= into dx when ACCUMULATE: residual branches)
// The parameter gradients are a column reduction over rows, done by layernorm_params_backward.wgsl.
//
// One workgroup of WG_SIZE (a power of two) invocations per row, striding the row; both row means come from one
// vec2 tree reduction. Rows on a 2D grid: r = wg.y·nwg.x + wg.x. Row-chunk sub-range bindings as in the forward.

struct Params {
  R: u32,
  D: u32,
}

override WG_SIZE: u32 = 128u;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read> dOut: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

var<workgroup> partial: array<vec2<f32>, WG_SIZE>;

@compute @workgroup_size(WG_SIZE, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= params.R) { return; } // uniform per workgroup
  let D = params.D;
  let base = row * D;
  let mu = mean[row];
  let rs = rstd[row];
  var acc = vec2<f32>(0.0);
  for (var i = lid; i < D; i = i + WG_SIZE) {
    let g = dOut[base + i] * gamma[i];
    acc = acc + vec2<f32>(g, g * (x[base + i] - mu) * rs);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = WG_SIZE / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = partial[lid] + partial[lid + s]; }
    workgroupBarrier();
  }
  let means = partial[0] / f32(D); // (mean of g, mean of g·xhat)
  for (var i = lid; i < D; i = i + WG_SIZE) {
    let xhat = (x[base + i] - mu) * rs;
    var v = rs * (dOut[base + i] * gamma[i] - means.x - xhat * means.y);
    if (ACCUMULATE) { v = v + dx[base + i]; }
    dx[base + i] = v;
  }
}
