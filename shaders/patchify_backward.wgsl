// patchify_backward.wgsl — unpatchify: scatter P×P patch tokens back into (sample, channel, H, W) images. It is the
// backward of patchify (the adjoint of a permutation is its inverse) and shows reconstructions as images.
//
// Shapes (a chunk of S samples; windows opened at 256-byte boundaries, indices add the `...Base` slack):
//   patches: (S, L, P·P·Cg)   in-patch order (py, px, c), channel fastest, token l = gy·(W/P) + gx
//   bands:   (Cg) u32         distinct channels of the image the band group fills
//   image:   (S, C, H, W)     image[s, bands[c], y, x] = patches[s, (y/P)·(W/P) + x/P, ((y%P)·P + x%P)·Cg + c]
// Channels outside `bands` are NOT written, so several band groups can be unpatchified into one image and the
// caller zeroes the image once. ACCUMULATE adds instead of storing (gradient accumulation).
//
// Dispatch: one invocation per written image value (x fastest, so writes are contiguous), WG per workgroup, linear
// workgroup index wg.y·nwg.x + wg.x.

struct Params {
  count: u32,   // image values written in this chunk = S·Cg·H·W
  C: u32,
  H: u32,
  W: u32,
  P: u32,
  Cg: u32,
  patchesBase: u32,
  imageBase: u32,
}

override WG: u32 = 256u;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> patches: array<f32>;
@group(0) @binding(1) var<storage, read> bands: array<u32>;
@group(0) @binding(2) var<storage, read_write> image: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  if (i >= params.count) { return; }
  let P = params.P;
  let H = params.H;
  let W = params.W;
  let xx = i % W;
  var r = i / W;
  let y = r % H;
  r = r / H;
  let c = r % params.Cg;
  let s = r / params.Cg;
  let L = (H / P) * (W / P);
  let l = (y / P) * (W / P) + xx / P;
  let v = patches[params.patchesBase + ((s * L + l) * P * P + (y % P) * P + xx % P) * params.Cg + c];
  let dst = params.imageBase + ((s * params.C + bands[c]) * H + y) * W + xx;
  if (ACCUMULATE) {
    image[dst] = image[dst] + v;
  } else {
    image[dst] = v;
  }
}
