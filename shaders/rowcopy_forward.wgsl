// rowcopy_forward.wgsl — batched copy of a block of rows between two (B, ·, D) row layouts:
//   dst[b·dstStride + dstOff + r·D + c] (+)= src[b·srcStride + srcOff + r·D + c]     for b < B, r < R, c < D
// It concatenates token sequences (modality blocks → a fusion-group sequence; groups → the inter-group sequence)
// and splits them back; the backward of a copy is the copy the other way (with ACCUMULATE where several
// forward reads of one source meet). Offsets are in elements and need no alignment: the whole buffers are bound.
//
// Dispatch: one invocation per element; ceil(B·R·D / 256) workgroups laid out on a 2D grid (x, y); the linear
// workgroup index is wg.y·nwg.x + wg.x, and invocations past the end return.

struct Params {
  B: u32,
  R: u32,
  D: u32,
  srcStride: u32,
  srcOff: u32,
  dstStride: u32,
  dstOff: u32,
}

override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  let rowElems = params.R * params.D;
  if (i >= params.B * rowElems) { return; }
  let b = i / rowElems;
  let within = i - b * rowElems;
  let d = b * params.dstStride + params.dstOff + within;
  let v = src[b * params.srcStride + params.srcOff + within];
  if (ACCUMULATE) {
    dst[d] = dst[d] + v;
  } else {
    dst[d] = v;
  }
}
