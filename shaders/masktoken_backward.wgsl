// masktoken_backward.wgsl — first pass of the mask-token gradient: copies the masked rows of the range
// [row0, row0 + R) of dY (B, rows, D) into a contiguous (B·R, D) buffer, zeroing the visible ones:
//   out[b·R + r, c] = masked[b, row0 + r] · dY[b, row0 + r, c]
// The gradient of the token is then the column sum of `out` (column_sum_forward, a fixed-order reduction, so the
// result is deterministic and needs no float atomics).
//
// Dispatch: one invocation per element of out; ceil(B·R·D / 256) workgroups on a 2D grid.

struct Params {
  B: u32,
  R: u32,
  D: u32,
  rows: u32,
  row0: u32,
}

@group(0) @binding(0) var<storage, read> dY: array<f32>;
@group(0) @binding(1) var<storage, read> masked: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.B * params.R * params.D) { return; }
  let c = i % params.D;
  let br = i / params.D;
  let r = br % params.R;
  let b = br / params.R;
  let row = b * params.rows + params.row0 + r;
  out[i] = masked[row] * dY[row * params.D + c];
}
