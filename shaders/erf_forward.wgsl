// erf_forward.wgsl — out = erf(x), or erfc(x) when COMPLEMENT. Exposes the WGSL erf library (shaders/erf.wgsl,
// appended) as an element-wise op so its accuracy is measured directly against a float64 erf; GELU uses the same code.
//
// One invocation per element; 256 invocations per workgroup on a 2D grid: i = (wg.y·nwg.x + wg.x)·256 + lid.

struct Params {
  count: u32,
}

override COMPLEMENT: bool = false;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.count) { return; }
  let v = x[i];
  out[i] = select(erf(v), erfc(v), COMPLEMENT);
}
