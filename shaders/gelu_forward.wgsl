// gelu_forward.wgsl — exact GELU: out = x·Φ(x) = ½·x·(1 + erf(x/√2)) (Hendrycks & Gimpel 2016; PyTorch
// nn.GELU(approximate='none')). Needs shaders/erf.wgsl appended (normalCdf).
//
// One invocation per element; 256 invocations per workgroup on a 2D grid: i = (wg.y·nwg.x + wg.x)·256 + lid.
// x and out are sub-range bindings of one chunk (src/kernels/flat.ts), in different GPUBuffers.

struct Params {
  count: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.count) { return; }
  let v = x[i];
  out[i] = v * normalCdf(v);
}
