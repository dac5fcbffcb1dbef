// clip_update.wgsl — gradient clipping by global norm, in place and without a readback:
// x *= min(1, maxNorm / (norm + 1e-6)) with norm = the L2 norm over all gradients, produced on the GPU by
// reduce_forward (PyTorch torch.nn.utils.clip_grad_norm_ formula). Every invocation recomputes the factor from the
// single float norm[normIndex] — cheaper than a separate dispatch and buffer for it.
//
// One invocation per element of this chunk; 256 invocations per workgroup on a 2D grid:
// i = (wg.y·nwg.x + wg.x)·256 + lid.

struct Params {
  count: u32,
  maxNorm: f32,
  normIndex: u32,
}

@group(0) @binding(0) var<storage, read> norm: array<f32>;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.count) { return; }
  let factor = min(1.0, params.maxNorm / (norm[params.normIndex] + 1e-6));
  x[i] = x[i] * factor;
}
