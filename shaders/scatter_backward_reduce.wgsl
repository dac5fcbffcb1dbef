// scatter_backward_reduce.wgsl — stage 2 of the mask-token gradient: dMaskToken[d] (+)= Σ_p partials[p, d], summed
// in block order (deterministic, no float atomics). ACCUMULATE adds into dMaskToken (gradient accumulation).
//
// Shapes: partials (blocks, D) from scatter_backward.wgsl   dMaskToken (D).
// Dispatch: one invocation per channel d, ceil(D / WG) workgroups; each loops over the blocks (coalesced over d).

struct Params {
  blocks: u32,
  D: u32,
}

override WG: u32 = 256u;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> dMaskToken: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let d = gid.x;
  if (d >= params.D) { return; }
  var acc = 0.0;
  for (var p = 0u; p < params.blocks; p = p + 1u) { acc = acc + partials[p * params.D + d]; }
  if (ACCUMULATE) { acc = acc + dMaskToken[d]; }
  dMaskToken[d] = acc;
}
