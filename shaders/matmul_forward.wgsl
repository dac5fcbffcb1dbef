// matmul_forward.wgsl — batched C = op(A)·op(B) (+ bias) (+ C), f32, any M, N, K.
//
// Shapes (row-major, per batch item; batch strides and the start offsets of the bound ranges, in elements, come in
// Params — src/kernels/matmul.ts binds from a 256-byte-aligned address and passes the remainder as offsetA/B/C when it
// splits a large product into several dispatches):
//   A: (M, K), or (K, M) when TRANS_A      B: (K, N), or (N, K) when TRANS_B
//   bias: (N), read only when HAS_BIAS      C: (M, N); C += result when ACCUMULATE
// The three products the linear layer needs are the same kernel with different overrides:
//   forward  Y  = X·W + b     (TRANS_A=false, TRANS_B=false, HAS_BIAS)
//   backward dX = dY·Wᵀ       (TRANS_B=true)
//   backward dW = Xᵀ·dY       (TRANS_A=true, ACCUMULATE when several sequences share W)
//
// Dispatch: (ceil(N/64), ceil(M/64), batch) workgroups of 16×16 threads. Each workgroup computes a 64×64 tile of C;
// each thread a 4×4 register block (rows ty*4.., cols tx*4..). K advances in steps of 16 through two shared tiles
// stored k-major as vec4 so the inner loop is 2 vec4 shared loads + 4 vec4 FMAs per k (register blocking, as in
// TFJS/TinyGPT). Out-of-range loads read 0 so any M, N, K works; stores are bounds-checked.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  strideA: u32,
  strideB: u32,
  strideC: u32,
  offsetA: u32,
  offsetB: u32,
  offsetC: u32,
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

const TM: u32 = 64u;
const TN: u32 = 64u;
const TK: u32 = 16u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// tileA[k][m/4] and tileB[k][n/4]: 16 × 16 vec4 each (8 KiB total).
var<workgroup> tileA: array<vec4<f32>, 256>;
var<workgroup> tileB: array<vec4<f32>, 256>;

fn loadA(base: u32, m: u32, k: u32) -> f32 {
  if (m >= params.M || k >= params.K) { return 0.0; }
  if (TRANS_A) { return a[base + k * params.M + m]; }
  return a[base + m * params.K + k];
}

fn loadB(base: u32, k: u32, n: u32) -> f32 {
  if (k >= params.K || n >= params.N) { return 0.0; }
  if (TRANS_B) { return b[base + n * params.K + k]; }
  return b[base + k * params.N + n];
}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let row0 = wg.y * TM;
  let col0 = wg.x * TN;
  let baseA = params.offsetA + wg.z * params.strideA;
  let baseB = params.offsetB + wg.z * params.strideB;
  let baseC = params.offsetC + wg.z * params.strideC;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);

  for (var k0 = 0u; k0 < params.K; k0 = k0 + TK) {
    // 256 threads load 64×16 values of each operand, one vec4 (4 consecutive m or n at one k) per thread.
    // Thread li covers k = li % 16 and the 4-wide group li / 16, so the 16 threads of a row read 16 consecutive k
    // (contiguous for row-major A and for transposed B).
    let kk = li % TK;
    let g = li / TK;
    let m = row0 + g * 4u;
    tileA[kk * 16u + g] = vec4<f32>(loadA(baseA, m, k0 + kk), loadA(baseA, m + 1u, k0 + kk),
                                    loadA(baseA, m + 2u, k0 + kk), loadA(baseA, m + 3u, k0 + kk));
    let n = col0 + g * 4u;
    tileB[kk * 16u + g] = vec4<f32>(loadB(baseB, k0 + kk, n), loadB(baseB, k0 + kk, n + 1u),
                                    loadB(baseB, k0 + kk, n + 2u), loadB(baseB, k0 + kk, n + 3u));
    workgroupBarrier();
    for (var k = 0u; k < TK; k = k + 1u) {
      let av = tileA[k * 16u + lid.y];
      let bv = tileB[k * 16u + lid.x];
      acc0 = fma(vec4<f32>(av.x), bv, acc0);
      acc1 = fma(vec4<f32>(av.y), bv, acc1);
      acc2 = fma(vec4<f32>(av.z), bv, acc2);
      acc3 = fma(vec4<f32>(av.w), bv, acc3);
    }
    workgroupBarrier();
  }

  let r = row0 + lid.y * 4u;
  let cn = col0 + lid.x * 4u;
  var rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i = i + 1u) {
    let row = r + i;
    if (row >= params.M) { break; }
    for (var j = 0u; j < 4u; j = j + 1u) {
      let col = cn + j;
      if (col >= params.N) { break; }
      var v = rows[i][j];
      if (HAS_BIAS) { v = v + bias[col]; }
      let idx = baseC + row * params.N + col;
      if (ACCUMULATE) { v = v + c[idx]; }
      c[idx] = v;
    }
  }
}
