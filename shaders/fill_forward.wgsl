// fill_forward.wgsl — out = value (zeroing gradient buffers before each backward pass, constant initialisation).
// Recorded as a dispatch so zeroing stays inside the step's single compute pass (no clearBuffer between passes).
//
// One invocation per element of this chunk; 256 invocations per workgroup on a 2D grid:
// i = (wg.y·nwg.x + wg.x)·256 + lid.

struct Params {
  count: u32,
  value: f32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.count) { return; }
  out[i] = params.value;
}
