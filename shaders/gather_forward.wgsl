// gather_forward.wgsl — token gather: out[b, k, :] = x[b, ids[b, k], :] (MAE/MAESTRO "keep the visible tokens").
// Also the dSrc half of scatter_backward (a gather of dOut at the kept positions).
//
// Shapes (a chunk of B batch items starting at b0; x/out windows opened at 256-byte boundaries, indices add the
// `...Base` slack; ids is bound whole):
//   x: (B, N, D)   ids: u32, row b at ids[b·idsStride …], its first K entries used   out: (B, K, D)
// idsStride = K for a plain (B, K) index list, N for a full permutation ids_shuffle (B, N) whose first K are kept.
// An index ≥ N (invalid) yields 0 instead of reading another batch item. ACCUMULATE adds into out.
//
// Dispatch: one invocation per output value (d fastest: reads and writes contiguous within a row), WG per
// workgroup, linear workgroup index wg.y·nwg.x + wg.x.

struct Params {
  count: u32,   // output values in this chunk = B·K·D
  N: u32,
  K: u32,
  D: u32,
  idsStride: u32,
  b0: u32,
  xBase: u32,
  outBase: u32,
}

override WG: u32 = 256u;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  if (i >= params.count) { return; }
  let d = i % params.D;
  let r = i / params.D;
  let k = r % params.K;
  let b = r / params.K;
  let n = ids[(params.b0 + b) * params.idsStride + k];
  var v = 0.0;
  if (n < params.N) { v = x[params.xBase + (b * params.N + n) * params.D + d]; }
  let dst = params.outBase + i;
  if (ACCUMULATE) {
    out[dst] = out[dst] + v;
  } else {
    out[dst] = v;
  }
}
