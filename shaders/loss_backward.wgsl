// loss_backward.wgsl — gradient of the masked loss, scaled by the modality weight:
//   dPred[r, v] = scale · g(pred − target) / (M · V) on masked rows (mask[r] > 0.5), 0 on visible rows or when M = 0,
//   g = sign (sign(0) = 0) for L1, g(e) = 2e for L2;  M = stats[statsOffset + 1] from loss_forward_reduce.wgsl.
// scale is params.scale, or scaleBuf[scaleOffset] when SCALE_FROM_BUFFER (a weight computed on the GPU).
//
// Shapes (a chunk of R rows starting at r0; pred/target/dPred windows opened at 256-byte boundaries, indices add the
// `...Base` slack; mask, stats, scaleBuf bound whole):
//   pred, target, dPred: (R, V)   mask: (R_total)   stats: (≥ statsOffset + 2)
//
// Dispatch: one invocation per value, WG per workgroup, linear workgroup index wg.y·nwg.x + wg.x.

struct Params {
  count: u32,   // values in this chunk = R·V
  V: u32,
  r0: u32,
  statsOffset: u32,
  scaleOffset: u32,
  scale: f32,
  predBase: u32,
  targetBase: u32,
  dPredBase: u32,
}

override WG: u32 = 256u;
override L2: bool = false;
override SCALE_FROM_BUFFER: bool = false;

@group(0) @binding(0) var<storage, read> pred: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read> stats: array<f32>;
@group(0) @binding(4) var<storage, read> scaleBuf: array<f32>;
@group(0) @binding(5) var<storage, read_write> dPred: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  if (i >= params.count) { return; }
  let r = i / params.V;
  let m = stats[params.statsOffset + 1u];
  var g = 0.0;
  if (mask[params.r0 + r] > 0.5 && m > 0.0) {
    let e = pred[params.predBase + i] - targets[params.targetBase + i];
    if (L2) { g = 2.0 * e; } else { g = sign(e); }
    var scale = params.scale;
    if (SCALE_FROM_BUFFER) { scale = scaleBuf[params.scaleOffset]; }
    g = scale * g / (m * f32(params.V));
  }
  dPred[params.dPredBase + i] = g;
}
