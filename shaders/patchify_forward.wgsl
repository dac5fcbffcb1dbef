// patchify_forward.wgsl — cut (sample, channel, H, W) images into P×P patch tokens, optionally of a band subset.
//
// Shapes (a chunk of S samples = (batch, date) images; every binding is a window opened at a 256-byte boundary, so
// indices add the window's `...Base` slack):
//   x:       (S, C, H, W)              the raster, channel-planar
//   bands:   (Cg) u32                  the band group: channels of x, in token order
//   patches: (S, L, P·P·Cg)            L = (H/P)·(W/P), token l = gy·(W/P) + gx (row-major over the patch grid)
// In-patch order is (py, px, c), channel fastest — MAE's einsum 'nchpwq->nhwpqc':
//   patches[s, l, (py·P + px)·Cg + c] = x[s, bands[c], gy·P + py, gx·P + px].
//
// Dispatch: one invocation per OUTPUT value (so writes are contiguous), WG invocations per workgroup, workgroups on
// a (x, y) grid read back as the linear index wg.y·nwg.x + wg.x (more than 65535 workgroups fit).

struct Params {
  count: u32,   // output values in this chunk = S·L·P·P·Cg
  C: u32,
  H: u32,
  W: u32,
  P: u32,
  Cg: u32,
  xBase: u32,
  patchesBase: u32,
}

override WG: u32 = 256u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> bands: array<u32>;
@group(0) @binding(2) var<storage, read_write> patches: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  if (i >= params.count) { return; }
  let P = params.P;
  let gw = params.W / P;
  let gh = params.H / P;
  let c = i % params.Cg;
  var r = i / params.Cg;
  let px = r % P;
  r = r / P;
  let py = r % P;
  r = r / P;
  let gx = r % gw;
  r = r / gw;
  let gy = r % gh;
  let s = r / gh;
  let src = ((s * params.C + bands[c]) * params.H + gy * P + py) * params.W + gx * P + px;
  patches[params.patchesBase + i] = x[params.xBase + src];
}
