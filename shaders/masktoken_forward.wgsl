// masktoken_forward.wgsl — places a modality's learned mask token at its masked positions of a decoder sequence
// (MAESTRO unmask_seq, method.md §2.8): for rows [row0, row0 + R) of y (B, rows, D),
//   y[b, row0 + r, :] = tokens[tokenRow, :]          where masked[b, row0 + r] = 1
// and leaves the other rows (the visible tokens scattered there before) unchanged. tokens (Gt, D): the modality's
// tokens, one per token band group; masked (B, rows) f32.
//
// Dispatch: one invocation per element of the row range; ceil(B·R·D / 256) workgroups on a 2D grid.

struct Params {
  B: u32,
  R: u32,
  D: u32,
  rows: u32,
  row0: u32,
  tokenRow: u32,
}

@group(0) @binding(0) var<storage, read> token: array<f32>;
@group(0) @binding(1) var<storage, read> masked: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
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
  if (masked[row] != 0.0) {
    y[row * params.D + c] = token[params.tokenRow * params.D + c];
  }
}
