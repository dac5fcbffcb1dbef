// attention_backward_delta.wgsl — FlashAttention-2 backward preprocessing: D[b,h,n] = Σ_d dOut[b,n,h·HS+d]·out[b,n,h·HS+d]
// (= Σ_j P_nj·dP_nj, the softmax-Jacobian row term), so the dK/dV and dQ passes need not recompute it per key block.
//
// Shapes (row-major; binding windows of one batch chunk start `base*` elements before its first item):
//   out, dOut: (B, N, NH·HS)        delta: (B, NH, N)
//
// Dispatch: (ceil(N/WG), NH, batch items in this chunk) workgroups of WG threads; one invocation computes one D value
// (one token of one head), looping over the HS dims. O(B·N·NH·HS) work next to the O(B·NH·N²·HS) of the main passes.

struct Params {
  N: u32,
  NH: u32,
  HS: u32,
  baseOut: u32,
  baseDOut: u32,
  baseDelta: u32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<storage, read> out: array<f32>;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read_write> delta: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let n = wg.x * WG + li;
  if (n >= params.N) { return; }
  let hs = params.HS;
  let h = wg.y;
  let row = (wg.z * params.N + n) * params.NH * hs + h * hs; // (b, n, h, d=0)
  var s = 0.0;
  for (var d = 0u; d < hs; d = d + 1u) { s = fma(dOut[params.baseDOut + row + d], out[params.baseOut + row + d], s); }
  delta[params.baseDelta + (wg.z * params.NH + h) * params.N + n] = s;
}
