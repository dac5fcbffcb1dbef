// reduce_forward.wgsl — one stage of a whole-buffer reduction (sum, sum of squares, max) for metrics and the global
// gradient norm. Stage 1 runs G workgroups over a chunk: workgroup w folds elements w·WG_SIZE + lid, stepping by
// G·WG_SIZE (grid-stride, fixed order, so results are deterministic), tree-reduces in workgroup memory and writes
// one partial to out[outIndex + w]. Stage 2 is the same shader with one workgroup over the partials, OP = sum (or
// max) and FINAL applied: ×scale (mean) or sqrt (L2 norm).
//
// Dispatch: (G, 1, 1) workgroups of WG_SIZE (a power of two) invocations; G ≤ 65535.

struct Params {
  count: u32,
  outIndex: u32,
  scale: f32,
}

override OP: u32 = 0u; // 0 sum, 1 sum of squares, 2 max
override FINAL: u32 = 0u; // 0 none, 1 multiply by params.scale, 2 square root
override WG_SIZE: u32 = 256u;

const LOWEST: f32 = -0x1.fffffep+127f; // lowest finite f32: the identity of max

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<f32, WG_SIZE>;

fn combine(acc: f32, v: f32) -> f32 {
  if (OP == 2u) { return max(acc, v); }
  return acc + v;
}

@compute @workgroup_size(WG_SIZE, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  var acc = select(0.0, LOWEST, OP == 2u);
  let stride = nwg.x * WG_SIZE;
  for (var i = wg.x * WG_SIZE + lid; i < params.count; i = i + stride) {
    let v = x[i];
    acc = combine(acc, select(v, v * v, OP == 1u));
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = WG_SIZE / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = combine(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var r = partial[0];
    if (FINAL == 1u) { r = r * params.scale; }
    if (FINAL == 2u) { r = sqrt(r); }
    out[params.outIndex + wg.x] = r;
  }
}
