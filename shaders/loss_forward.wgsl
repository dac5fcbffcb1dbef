// loss_forward.wgsl — stage 1 of the masked reconstruction loss (MAE forward_loss; MAESTRO compute_loss_rec):
// per block of `rowsPerBlock` rows, the sum of |pred − target| (L1) or (pred − target)² (L2) over the values of
// its MASKED rows, and the number of masked rows:
//   partials[block, 0] = Σ_{r in block, mask[r] = 1} Σ_v e(pred[r, v] − target[r, v]),   partials[block, 1] = #masked
// loss_forward_reduce.wgsl adds the blocks in block order. Fixed-order reductions, no atomics: deterministic.
// mask holds 1 (masked) or 0 (visible); a value > 0.5 counts as masked.
//
// Shapes (a chunk of R rows starting at row r0; pred/target windows opened at 256-byte boundaries, indices add the
// `...Base` slack; mask and partials bound whole):
//   pred, target: (R, V)   mask: (R_total)   partials: (blocks_total, 2)
//
// Dispatch: one workgroup of WG (a power of two) invocations per row block, linear index wg.y·nwg.x + wg.x; the
// block's values are strided over the invocations, then a tree reduction in workgroup memory.

struct Params {
  R: u32,            // rows in this chunk
  V: u32,
  rowsPerBlock: u32,
  r0: u32,           // first row of the chunk (indexes mask)
  block0: u32,       // first partials block of the chunk
  predBase: u32,
  targetBase: u32,
}

override WG: u32 = 256u;
override L2: bool = false;

@group(0) @binding(0) var<storage, read> pred: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> redSum: array<f32, WG>;
var<workgroup> redCount: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let block = wg.y * nwg.x + wg.x;
  let row0 = block * params.rowsPerBlock;
  if (row0 >= params.R) { return; }
  let V = params.V;
  let rows = min(params.rowsPerBlock, params.R - row0);

  var sum = 0.0;
  for (var i = li; i < rows * V; i = i + WG) {
    let r = row0 + i / V;
    if (mask[params.r0 + r] > 0.5) {
      let e = pred[params.predBase + r * V + i % V] - targets[params.targetBase + r * V + i % V];
      if (L2) { sum = sum + e * e; } else { sum = sum + abs(e); }
    }
  }
  var count = 0.0;
  for (var r = li; r < rows; r = r + WG) {
    if (mask[params.r0 + row0 + r] > 0.5) { count = count + 1.0; }
  }

  redSum[li] = sum;
  redCount[li] = count;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (li < stride) {
      redSum[li] = redSum[li] + redSum[li + stride];
      redCount[li] = redCount[li] + redCount[li + stride];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    partials[(params.block0 + block) * 2u] = redSum[0];
    partials[(params.block0 + block) * 2u + 1u] = redCount[0];
  }
}
