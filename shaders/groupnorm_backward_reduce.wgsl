// groupnorm_backward_reduce.wgsl — stage 2 of the GroupNorm(1, E) backward: sums the per-sample partials of
// groupnorm_backward.wgsl over all samples, in sample order (deterministic, no float atomics):
//   dBeta[e]  (+)= Σ_s partials[s, 0, e]       dGamma[e] (+)= Σ_s partials[s, 1, e]
// ACCUMULATE adds into dGamma / dBeta (gradient accumulation) instead of storing.
//
// Shapes: partials (S, 2, E)   dGamma, dBeta (E).
// Dispatch: one invocation per column j of the (2, E) pair (j < E → dBeta, else dGamma), ceil(2E / WG) workgroups;
// each loops over the S samples (a few hundred in practice, and coalesced across the workgroup).

struct Params {
  S: u32,
  E: u32,
}

override WG: u32 = 256u;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> dGamma: array<f32>;
@group(0) @binding(2) var<storage, read_write> dBeta: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let E = params.E;
  if (j >= 2u * E) { return; }
  var acc = 0.0;
  for (var s = 0u; s < params.S; s = s + 1u) { acc = acc + partials[s * 2u * E + j]; }
  if (j < E) {
    if (ACCUMULATE) { acc = acc + dBeta[j]; }
    dBeta[j] = acc;
  } else {
    let e = j - E;
    if (ACCUMULATE) { acc = acc + dGamma[e]; }
    dGamma[e] = acc;
  }
}
