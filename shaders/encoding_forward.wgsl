// encoding_forward.wgsl — adds the position and date encodings to one modality's tokens, in place (MAESTRO
// enc_add_encodings / dec_add_encodings, method.md §2.5–§2.6):
//   x[b, row0 + r, c] += pe[l, c]                 for c <  D − 8   (sin-cos position of the token's grid cell l)
//   x[b, row0 + r, c] += de[b, t, c − (D − 8)]    for c >= D − 8   (8 date channels of the token's date t)
// for the modality's R = Gt·T·L tokens ordered (token group, date, row, col): l = r mod L, t = (r / L) mod T.
// Shapes: x (B, rows, D) — a fusion-group sequence whose rows [row0, row0 + R) belong to this modality —
// pe (L, D − 8), de (B, T, 8). The encodings are constants (no gradient flows into them), so the backward of this
// add is the identity and has no kernel.
//
// Dispatch: one invocation per element of x; ceil(B·R·D / 256) workgroups on a 2D grid.

struct Params {
  B: u32,
  R: u32,
  D: u32,
  L: u32,
  T: u32,
  rows: u32,
  row0: u32,
}

@group(0) @binding(0) var<storage, read> pe: array<f32>;
@group(0) @binding(1) var<storage, read> de: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.B * params.R * params.D) { return; }
  let c = i % params.D;
  let row = i / params.D;
  let r = row % params.R;
  let b = row / params.R;
  let dp = params.D - 8u;
  var add: f32;
  if (c < dp) {
    add = pe[(r % params.L) * dp + c];
  } else {
    let t = (r / params.L) % params.T;
    add = de[(b * params.T + t) * 8u + (c - dp)];
  }
  let xi = (b * params.rows + params.row0 + r) * params.D + c;
  x[xi] = x[xi] + add;
}
