// loss_forward_reduce.wgsl — stage 2 of the masked loss: adds the (sum, masked-row count) partials of
// loss_forward.wgsl in a fixed order and writes the loss and the count:
//   stats[offset]     = Σ sum / (M · V)   (0 when M = 0: no masked row, no loss)
//   stats[offset + 1] = M                 (masked rows; loss_backward.wgsl reads it)
// Counts are f32: exact up to 2^24 masked rows.
//
// Shapes: partials (blocks, 2)   stats (≥ offset + 2).
// Dispatch: a single workgroup of WG (a power of two) invocations: a strided pass over the blocks, then a tree
// reduction.

struct Params {
  blocks: u32,
  V: u32,
  offset: u32,
}

override WG: u32 = 256u;

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> redSum: array<f32, WG>;
var<workgroup> redCount: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) li: u32) {
  var sum = 0.0;
  var count = 0.0;
  for (var p = li; p < params.blocks; p = p + WG) {
    sum = sum + partials[p * 2u];
    count = count + partials[p * 2u + 1u];
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
    let m = redCount[0];
    stats[params.offset] = select(0.0, redSum[0] / (m * f32(params.V)), m > 0.0);
    stats[params.offset + 1u] = m;
  }
}
