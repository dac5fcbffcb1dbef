// scatter_backward.wgsl — stage 1 of the mask-token gradient of scatter_forward:
//   dMaskToken[d] = Σ_b Σ_{j ≥ K} dOut[b, ids[b, j], d]   (the gradient reaching every masked position)
// Masked rows are enumerated as m = b·(N − K) + (j − K); a block of `rowsPerBlock` of them is summed in row order per
// channel d into partials[block, d]; scatter_backward_reduce.wgsl adds the blocks in block order. Deterministic, no
// atomics. (The visible rows' gradient dSrc = gather of dOut, done by gather_forward.wgsl.)
//
// Shapes (a chunk of B batch items starting at b0; the dOut window opens at a 256-byte boundary, indices add
// dOutBase; ids and partials bound whole):
//   dOut: (B, N, D)   ids: (B, N) u32 permutation, first K kept   partials: (blocks_total, D)
//
// Dispatch: one workgroup per (row block, block of WG channels), linear index w = wg.y·nwg.x + wg.x split as
// (w / dBlocks, w % dBlocks); one invocation per channel.

struct Params {
  rows: u32,         // masked rows in this chunk = B·(N − K)
  N: u32,
  K: u32,
  D: u32,
  b0: u32,
  dOutBase: u32,
  block0: u32,       // first partials block of this chunk
  rowsPerBlock: u32,
  dBlocks: u32,      // ceil(D / WG)
}

override WG: u32 = 256u;

@group(0) @binding(0) var<storage, read> dOut: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let w = wg.y * nwg.x + wg.x;
  let block = w / params.dBlocks;
  let d = (w % params.dBlocks) * WG + li;
  let m0 = block * params.rowsPerBlock;
  if (m0 >= params.rows || d >= params.D) { return; }
  let masked = params.N - params.K;
  let m1 = min(m0 + params.rowsPerBlock, params.rows);
  var acc = 0.0;
  for (var m = m0; m < m1; m = m + 1u) {
    let b = m / masked;
    let j = params.K + m % masked;
    let n = ids[(params.b0 + b) * params.N + j];
    if (n < params.N) { acc = acc + dOut[params.dOutBase + (b * params.N + n) * params.D + d]; }
  }
  partials[(params.block0 + block) * params.D + d] = acc;
}
