// ema_update.wgsl — exponential moving average of the weights, in place: ema = decay·ema + (1 − decay)·param
// (MAESTRO keeps an EMA copy of the model, method.md §2.13). (1 − decay) comes precomputed in float64 from the host.
//
// One invocation per element of this chunk; 256 invocations per workgroup on a 2D grid:
// i = (wg.y·nwg.x + wg.x)·256 + lid.

struct Params {
  count: u32,
  decay: f32,
  oneMinusDecay: f32,
}

@group(0) @binding(0) var<storage, read> param: array<f32>;
@group(0) @binding(1) var<storage, read_write> ema: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.count) { return; }
  ema[i] = params.decay * ema[i] + params.oneMinusDecay * param[i];
}
