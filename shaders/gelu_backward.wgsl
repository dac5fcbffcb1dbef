// gelu_backward.wgsl — dx = dOut · GELU'(x), GELU'(x) = Φ(x) + x·φ(x) (derivative of x·Φ(x)). Needs shaders/erf.wgsl
// appended (normalCdf, normalPdf). Writes dx (no accumulation); dx must be in a
// different GPUBuffer from x and dOut (WebGPU forbids read-only + read_write use of one buffer in a dispatch).
//
// One invocation per element; 256 invocations per workgroup on a 2D grid: i = (wg.y·nwg.x + wg.x)·256 + lid.

struct Params {
  count: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.count) { return; }
  let v = x[i];
  dx[i] = dOut[i] * (normalCdf(v) + v * normalPdf(v));
}
