// column_sum_forward.wgsl — out[c] = Σ_r x[r, c] over a block of rows: the bias gradient db = Σ_rows dY and the
// positional-embedding gradient (x viewed as (B, N·D)). Workgroup (wg.x, wg.y) sums columns wg.x·64 … +63 over rows
// [wg.y·rowsPerBlock, +rowsPerBlock): 4 invocations per column stride the rows (coalesced: the 64 invocations of a
// row read 64 consecutive floats), then add their 4 partials. The result goes to
// out[(blockOffset + wg.y)·cols + c] — a partial row when several blocks are used (a second dispatch of this same
// shader with one block sums them), or the final (cols) vector, += when ACCUMULATE.
//
// Dispatch: (ceil(cols/64), blocks, 1) workgroups of 64×4 invocations. No atomics: deterministic summation order.

struct Params {
  rows: u32,
  cols: u32,
  rowsPerBlock: u32,
  blockOffset: u32,
}

override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(64, 4, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let col = wg.x * 64u + lid.x;
  let r0 = wg.y * params.rowsPerBlock;
  let r1 = min(params.rows, r0 + params.rowsPerBlock);
  var acc = 0.0;
  if (col < params.cols) {
    for (var r = r0 + lid.y; r < r1; r = r + 4u) { acc = acc + x[r * params.cols + col]; }
  }
  partial[lid.y * 64u + lid.x] = acc;
  workgroupBarrier();
  if (lid.y == 0u && col < params.cols) {
    var s = (partial[lid.x] + partial[64u + lid.x]) + (partial[128u + lid.x] + partial[192u + lid.x]);
    let o = (params.blockOffset + wg.y) * params.cols + col;
    if (ACCUMULATE) { s = s + out[o]; }
    out[o] = s;
  }
}
