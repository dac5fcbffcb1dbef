// add_forward.wgsl — out = a + b, or out += b when ACCUMULATE, with b optionally broadcast: b is read at
// (bPhase + i) mod bLen, so b of length C added to a (R, C) is a bias / positional-embedding add over rows, and
// bLen = count is a plain residual add. In ACCUMULATE mode `a` is never read (the wrapper binds b in its place).
//
// One invocation per element of this chunk; 256 invocations per workgroup on a 2D grid:
// i = (wg.y·nwg.x + wg.x)·256 + lid. a and out are chunk sub-ranges; b is bound whole and bPhase = chunk start mod bLen.
// out must live in a different GPUBuffer from a and b: WebGPU rejects a dispatch that uses one buffer both
// read-only and read_write, even through disjoint ranges.

struct Params {
  count: u32,
  bLen: u32,
  bPhase: u32,
}

override ACCUMULATE: bool = false;
override BROADCAST: bool = false;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.count) { return; }
  var bi = i;
  if (BROADCAST) { bi = (params.bPhase + i) % params.bLen; }
  if (ACCUMULATE) {
    out[i] = out[i] + b[bi];
  } else {
    out[i] = a[i] + b[bi];
  }
}
