// groupnorm_backward.wgsl — stage 1 of the GroupNorm(1, E) backward: dx for one sample, and that sample's
// contribution to dGamma / dBeta (summed over samples by groupnorm_backward_reduce.wgsl: no float atomics).
//   x̂ = (x − μ)·rstd,  dx̂ = dOut·γ_e,  n = L·E
//   partials[s, 0, e] = Σ_l dOut[s, l, e]            (→ dBeta)
//   partials[s, 1, e] = Σ_l dOut[s, l, e] · x̂        (→ dGamma)
//   dx = rstd · (dx̂ − A/n − x̂ · B/n),  A = Σ_{l,e} dx̂ = Σ_e γ_e·partials[s,0,e],  B = Σ_{l,e} dx̂·x̂ = Σ_e γ_e·partials[s,1,e]
//
// Shapes (a chunk of S samples; x/dOut/dx windows opened at 256-byte boundaries, indices add the `...Base` slack;
// mean, rstd, partials are bound whole and indexed from the chunk's first sample s0):
//   x, dOut, dx: (S, L, E)   gamma: (E)   mean, rstd: (S_total)   partials: (S_total, 2, E)
//
// Dispatch: one workgroup of WG (a power of two) invocations per sample, linear index wg.y·nwg.x + wg.x.
// Column pass: the WG invocations form `rowGroups` groups of `span` = min(E, WG) columns; invocation (r, col) sums
// rows l ≡ r (mod rowGroups) of column e0 + col for each block of columns e0, so neighbouring invocations read
// neighbouring channels (coalesced) even when E < WG. The rowGroups partial sums of a column are then added in a fixed
// order. A second pass over the sample writes dx.

struct Params {
  S: u32,          // samples in this chunk
  L: u32,
  E: u32,
  span: u32,       // min(E, WG)
  rowGroups: u32,  // WG / span
  xBase: u32,
  dOutBase: u32,
  dxBase: u32,
  s0: u32,
}

override WG: u32 = 256u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read> dOut: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> partials: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

var<workgroup> redA: array<f32, WG>;
var<workgroup> redB: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let s = wg.y * nwg.x + wg.x;
  if (s >= params.S) { return; }
  let L = params.L;
  let E = params.E;
  let n = L * E;
  let mu = mean[params.s0 + s];
  let rs = rstd[params.s0 + s];
  let xb = params.xBase + s * n;
  let db = params.dOutBase + s * n;
  let pb = (params.s0 + s) * 2u * E;
  let span = params.span;
  let rowGroups = params.rowGroups;
  let col = li % span;
  let rg = li / span;

  // Column pass: per-channel sums, and this invocation's share of A and B (only the first `span` invocations).
  var a = 0.0;
  var b = 0.0;
  for (var e0 = 0u; e0 < E; e0 = e0 + span) {
    let e = e0 + col;
    var sdy = 0.0;
    var sdyx = 0.0;
    if (rg < rowGroups && e < E) {
      for (var l = rg; l < L; l = l + rowGroups) {
        let dy = dOut[db + l * E + e];
        sdy = sdy + dy;
        sdyx = sdyx + dy * (x[xb + l * E + e] - mu) * rs;
      }
    }
    redA[li] = sdy;
    redB[li] = sdyx;
    workgroupBarrier();
    if (li < span && e < E) {
      var tdy = 0.0;
      var tdyx = 0.0;
      for (var r = 0u; r < rowGroups; r = r + 1u) {
        tdy = tdy + redA[r * span + li];
        tdyx = tdyx + redB[r * span + li];
      }
      partials[pb + e] = tdy;
      partials[pb + E + e] = tdyx;
      let g = gamma[e];
      a = a + g * tdy;
      b = b + g * tdyx;
    }
    workgroupBarrier();
  }

  // A and B over the whole workgroup (fixed tree order).
  redA[li] = a;
  redB[li] = b;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (li < stride) {
      redA[li] = redA[li] + redA[li + stride];
      redB[li] = redB[li] + redB[li + stride];
    }
    workgroupBarrier();
  }
  let meanA = redA[0] / f32(n);
  let meanB = redB[0] / f32(n);

  let xo = params.dxBase + s * n;
  for (var j = li; j < n; j = j + WG) {
    let e = j % E;
    let xhat = (x[xb + j] - mu) * rs;
    dx[xo + j] = rs * (dOut[db + j] * gamma[e] - meanA - xhat * meanB);
  }
}
