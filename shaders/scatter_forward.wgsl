// scatter_forward.wgsl — decoder un-masking: place the K visible rows at their positions and fill every masked
// position with the mask token (MAE forward_decoder; MAESTRO unmask_seq):
//   out[b, ids[b, j], :] = src[b, j, :]                        for j < K   (visible)
//   out[b, ids[b, j], :] = maskToken[:]  (0 without a token)   for j ≥ K   (masked)
// ids is a full permutation of [0, N) per batch item (MAE ids_shuffle; MAESTRO concat(visible, masked)): every
// output row is written exactly once, so masked rows are found without an inverse map and without atomics.
// Without a mask token this is also gather_backward (scatter of dOut into dx, zeros at masked rows).
// ACCUMULATE adds into out (masked rows then receive + maskToken, or nothing without one).
//
// Shapes (a chunk of B batch items starting at b0; src/out windows opened at 256-byte boundaries, indices add the
// `...Base` slack; ids and maskToken bound whole):
//   src: (B, K, D)   ids: (B, N) u32   maskToken: (D)   out: (B, N, D)
//
// Dispatch: one invocation per (b, j, d) (d fastest: each row is one contiguous read and write), WG per workgroup,
// linear workgroup index wg.y·nwg.x + wg.x.

struct Params {
  count: u32,   // B·N·D in this chunk
  N: u32,
  K: u32,
  D: u32,
  b0: u32,
  srcBase: u32,
  outBase: u32,
}

override WG: u32 = 256u;
override HAS_MASK_TOKEN: bool = true;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read> maskToken: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  if (i >= params.count) { return; }
  let D = params.D;
  let d = i % D;
  let r = i / D;
  let j = r % params.N;
  let b = r / params.N;
  let n = ids[(params.b0 + b) * params.N + j];
  if (n >= params.N) { return; }
  var v = 0.0;
  if (j < params.K) {
    v = src[params.srcBase + (b * params.K + j) * D + d];
  } else if (HAS_MASK_TOKEN) {
    v = maskToken[d];
  } else if (ACCUMULATE) {
    return;
  }
  let dst = params.outBase + (b * params.N + n) * D + d;
  if (ACCUMULATE) {
    out[dst] = out[dst] + v;
  } else {
    out[dst] = v;
  }
}
