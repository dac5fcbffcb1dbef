// layernorm_params_backward.wgsl — LayerNorm parameter gradients as a column reduction over rows:
//   dGamma[c] = Σ_r dOut[r, c] · xhat[r, c],   dBeta[c] = Σ_r dOut[r, c],   xhat = (x − mean[r]) · rstd[r].
// Same geometry as column_sum_forward.wgsl (no f32 atomics, fixed summation order): workgroup (wg.x, wg.y) covers
// columns wg.x·64 … +63 and rows [wg.y·rowsPerBlock, +rowsPerBlock), 4 invocations per column striding the rows.
// Results go to dGamma/dBeta[(blockOffset + wg.y)·D + c]: partial rows summed afterwards by column_sum_forward, or
// the final (D) vectors when one block covers all rows (+= when ACCUMULATE).
//
// Dispatch: (ceil(D/64), blocks, 1) workgroups of 64×4 invocations.

struct Params {
  R: u32,
  D: u32,
  rowsPerBlock: u32,
  blockOffset: u32,
}

override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> mean: array<f32>;
@group(0) @binding(2) var<storage, read> rstd: array<f32>;
@group(0) @binding(3) var<storage, read> dOut: array<f32>;
@group(0) @binding(4) var<storage, read_write> dGamma: array<f32>;
@group(0) @binding(5) var<storage, read_write> dBeta: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

var<workgroup> partial: array<vec2<f32>, 256>;

@compute @workgroup_size(64, 4, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wg.x * 64u + lid.x;
  let r0 = wg.y * params.rowsPerBlock;
  let r1 = min(params.R, r0 + params.rowsPerBlock);
  var acc = vec2<f32>(0.0);
  if (c < params.D) {
    for (var r = r0 + lid.y; r < r1; r = r + 4u) {
      let i = r * params.D + c;
      let d = dOut[i];
      acc = acc + vec2<f32>(d * (x[i] - mean[r]) * rstd[r], d);
    }
  }
  partial[lid.y * 64u + lid.x] = acc;
  workgroupBarrier();
  if (lid.y == 0u && c < params.D) {
    var s = (partial[lid.x] + partial[64u + lid.x]) + (partial[128u + lid.x] + partial[192u + lid.x]);
    let o = (params.blockOffset + wg.y) * params.D + c;
    if (ACCUMULATE) { s = s + vec2<f32>(dGamma[o], dBeta[o]); }
    dGamma[o] = s.x;
    dBeta[o] = s.y;
  }
}
