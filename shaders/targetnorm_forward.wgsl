// targetnorm_forward.wgsl — patch-group-wise normalisation of reconstruction targets (MAE norm_pix_loss; MAESTRO
// compute_loss_rec). For each row (one token's patch) and each normalisation group k of channels [c0, c0 + C_k):
//   μ = mean over the P²·C_k values,  σ² = Σ(x − μ)² / (P²·C_k − 1)  (UNBIASED, as torch.var),
//   out = (x − μ) / sqrt(σ² + 1e−6).
// A group of a single value (P = 1, C_k = 1) has no unbiased variance: σ² is defined as 0 there, so out = 0.
// NORMALIZE = false (mode 'none') copies the rows unchanged. Mode 'patch' is one group of all C channels.
//
// Shapes (a chunk of R rows; windows opened at 256-byte boundaries, indices add the `...Base` slack):
//   patches, out: (R, P·P·C), value (pixel, c) at pixel·C + c (channel fastest)
//   groupStart:   (G + 1) u32 channel offsets of the groups, groupStart[G] = C
//
// Dispatch: one workgroup of WG (a power of two) invocations per row, linear index wg.y·nwg.x + wg.x. Per group:
// two strided passes (mean, then Σ(x − μ)²) each ending in a fixed-order tree reduction, then one writing pass.

struct Params {
  R: u32,          // rows in this chunk
  C: u32,
  P2: u32,         // pixels per patch, P·P
  G: u32,          // normalisation groups
  patchesBase: u32,
  outBase: u32,
}

override WG: u32 = 64u;
override NORMALIZE: bool = true;

const EPS: f32 = 1e-6;

@group(0) @binding(0) var<storage, read> patches: array<f32>;
@group(0) @binding(1) var<storage, read> groupStart: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> red: array<f32, WG>;

// Sum of `v` over the workgroup in a fixed tree order. Call in uniform control flow.
fn workgroupSum(v: f32, li: u32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (li < stride) { red[li] = red[li] + red[li + stride]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= params.R) { return; }
  let C = params.C;
  let V = params.P2 * C;
  let ib = params.patchesBase + row * V;
  let ob = params.outBase + row * V;
  if (!NORMALIZE) {
    for (var j = li; j < V; j = j + WG) { out[ob + j] = patches[ib + j]; }
    return;
  }
  for (var k = 0u; k < params.G; k = k + 1u) {
    let c0 = groupStart[k];
    let ck = groupStart[k + 1u] - c0;
    let m = params.P2 * ck;   // values in the group: element i is pixel i / ck, channel c0 + i % ck

    var acc = 0.0;
    for (var i = li; i < m; i = i + WG) { acc = acc + patches[ib + (i / ck) * C + c0 + i % ck]; }
    let mu = workgroupSum(acc, li) / f32(m);

    acc = 0.0;
    for (var i = li; i < m; i = i + WG) {
      let d = patches[ib + (i / ck) * C + c0 + i % ck] - mu;
      acc = acc + d * d;
    }
    let ss = workgroupSum(acc, li);
    let variance = select(ss / f32(max(m, 2u) - 1u), 0.0, m < 2u);
    let inv = inverseSqrt(variance + EPS);

    for (var i = li; i < m; i = i + WG) {
      let at = (i / ck) * C + c0 + i % ck;
      out[ob + at] = (patches[ib + at] - mu) * inv;
    }
  }
}
