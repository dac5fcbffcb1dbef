// adamw_update.wgsl — one fused AdamW step over a flat parameter buffer (PyTorch torch.optim.AdamW, decoupled
// weight decay, Loshchilov & Hutter 2019), per element:
//   p ← p·(1 − lr·wd·mask)                       (decay only where the mask is 1; no-decay groups have 0)
//   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps),   bc1 = 1 − β1^t, bc2 = 1 − β2^t
// The per-step values (lr from the schedule, bias corrections of step t) come from the small storage buffer
// `stepScalars` that the host rewrites before each submit, so the dispatches are recorded once. They and 1 − β are computed in
// float64 on the host: 1 − β2 rounded from f32 β2 = 0.999 would be off by 1.3e-5 relative.
//
// One invocation per element of this chunk; 256 invocations per workgroup on a 2D grid:
// i = (wg.y·nwg.x + wg.x)·256 + lid. grad, decayMask, param, m, v are sub-ranges of one chunk.

struct Params {
  count: u32,
  beta1: f32,
  beta2: f32,
  oneMinusBeta1: f32,
  oneMinusBeta2: f32,
  eps: f32,
  weightDecay: f32,
}

struct StepScalars {
  lr: f32,
  biasCorrection1: f32,
  biasCorrection2: f32,
  step: u32,
}

override HAS_MASK: bool = false;

@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> decayMask: array<f32>;
@group(0) @binding(2) var<storage, read> stepScalars: StepScalars;
@group(0) @binding(3) var<storage, read_write> param: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid;
  if (i >= params.count) { return; }
  let g = grad[i];
  var decay = params.weightDecay;
  if (HAS_MASK) { decay = decay * decayMask[i]; }
  let lr = stepScalars.lr;
  let mNew = params.beta1 * m[i] + params.oneMinusBeta1 * g;
  let vNew = params.beta2 * v[i] + params.oneMinusBeta2 * (g * g);
  let denom = sqrt(vNew) / sqrt(stepScalars.biasCorrection2) + params.eps;
  param[i] = param[i] * (1.0 - lr * decay) - (lr / stepScalars.biasCorrection1) * mNew / denom;
  m[i] = mNew;
  v[i] = vNew;
}
