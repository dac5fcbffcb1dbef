// attention_forward.wgsl — multi-head self-attention core, f32, tiled with the online softmax (FlashAttention-2
// forward): out = softmax(q·kᵀ·HS^-0.5)·v and lse = log-sum-exp of the scaled scores, never forming the N×N matrix.
//
// Shapes (row-major; the binding windows of one batch chunk start `base*` elements before its first item):
//   qkv: (B, N, 3·NH·HS), last axis (which ∈ q,k,v ; head ; dim)    out: (B, N, NH·HS)    lse: (B, NH, N)
//
// Dispatch: (ceil(N/BQ), NH, batch items in this chunk) workgroups of WG = TR·TC threads (TC = 8; TR = 8, or 4 for
// large heads under a small workgroup-memory limit). One workgroup owns BQ query rows of one (batch, head). It keeps
// the Q block in workgroup memory and streams key/value blocks of BK rows through one shared K-then-V tile:
//   1. load K block;                                                                                  barrier
//   2. S = Q·Kᵀ in registers (RQ rows × CK keys per thread), pre-scaled by HS^-0.5·log2(e) so exp becomes exp2;
//      per-thread partial row max → tileM;                                                           barrier
//   3. block row max m̃; m_new = max(m, m̃); α = 2^(m − m_new); acc *= α; P = 2^(S − m_new) → tileP; partial row
//      sums l = α·l + ΣP (kept per thread, reduced once at the end); load the V block over the K tile; barrier
//   4. acc += P·V (RQ rows × OC vec4 head-dim columns per thread);                                   barrier
// Thread (tr, tc) = (li / TC, li % TC) owns query rows tr + TR·i, keys tc + TC·j and head-dim vec4 columns tc + TC·o,
// so the 8 lanes sharing tr read the same Q/P word (broadcast) and consecutive K/V words.
//
// Workgroup memory: tiles are dim-major, tile[c·stride + row] with c the vec4 column of the head dimension and
// stride = rows + 1 (odd), so 8 lanes reading consecutive rows or consecutive columns hit distinct banks; tileP is
// row-major with a stride PK whose multiple of 8 is odd. Bytes: 16·HSC4·(BQ+1 + BK+1) + 4·BQ·PK + 4·BQ·TC
// (attentionStorageBytes in src/kernels/attention.ts mirrors this to pick RQ, CK, TR under the device limit).
// The head size is a uniform and the reduction over head dims a loop, so one pipeline serves every HS up to the
// capacity HSC4 (compiling one costs seconds on software adapters).
// Rows and keys past N read as zero and masked keys score −1e30 (exp2 → 0, never NaN); head dims past HS read as
// zero; stores are bounds-checked.

struct Params {
  N: u32,
  NH: u32,
  HS: u32,       // head size, 1…256
  baseQkv: u32,
  baseOut: u32,
  baseLse: u32,
  scaleLog2: f32, // HS^-0.5 · log2(e)
}

override HSC4: u32 = 16u;  // vec4 capacity of a tile row: ≥ ceil(HS/4), ≤ 64, a power of two (attentionCapacity)
override OC: u32 = 2u;     // vec4 head-dim columns per thread = ceil(ceil(HS/4) / TC)
override RQ: u32 = 4u;     // query rows per thread (≤ MAX_R)
override CK: u32 = 4u;     // keys per thread per block (≤ MAX_C)
override TR: u32 = 8u;     // thread rows: 8, or 4 for large heads under a small workgroup-memory limit

const TC: u32 = 8u;        // thread columns (lanes that share a query row)
const MAX_R: u32 = 4u;
const MAX_C: u32 = 4u;
const MAX_ACC: u32 = 16u;  // accumulator vec4s per thread: rows per thread × OC ≤ 16 (the wrapper's tilings keep it)
const NEG: f32 = -1.0e30;  // masked score: finite, so 2^(NEG − m) is 0 and never NaN
const LN2: f32 = 0.6931471805599453;

override WG: u32 = TR * TC;                   // threads per workgroup
override BQ: u32 = TR * RQ;                   // query rows per workgroup
override BK: u32 = TC * CK;                   // keys per block
override SQ: u32 = BQ + 1u;                   // padded strides (odd)
override SK: u32 = BK + 1u;
override PK: u32 = select(BK, BK + 8u, (BK / 8u) % 2u == 0u); // tileP row stride: PK/8 odd → 4 rows in 4 bank groups
override Q_TILE: u32 = HSC4 * SQ;
override KV_TILE: u32 = HSC4 * SK;
override P_TILE: u32 = BQ * PK;
override M_TILE: u32 = BQ * TC;

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> lse: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> tileQ: array<vec4<f32>, Q_TILE>;   // Q block, [c][row]
var<workgroup> tileKV: array<vec4<f32>, KV_TILE>; // K block, then V block, [c][key]
var<workgroup> tileP: array<f32, P_TILE>;         // probabilities, [row][key]
var<workgroup> tileM: array<f32, M_TILE>;         // per-thread partial row max / row sum, [row][tc]

// Four consecutive head dims (4c … 4c+3) of token n at `off` (which/head offset), zero past N or HS.
fn load4(off: u32, n: u32, c: u32) -> vec4<f32> {
  if (n >= params.N) { return vec4<f32>(0.0); }
  let d = 4u * c;
  let i = off + n * 3u * params.NH * params.HS + d;
  // Dims past HS (last column of an HS not divisible by 4) re-read the last valid one and are zeroed: branch-free
  // and always inside the tensor.
  let last = params.HS - 1u - d;
  let v = vec4<f32>(qkv[i], qkv[i + min(1u, last)], qkv[i + min(2u, last)], qkv[i + min(3u, last)]);
  return select(vec4<f32>(0.0), v, vec4<u32>(d) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(params.HS));
}

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let hs = params.HS;
  let hs4 = (hs + 3u) / 4u; // vec4 columns of the head dimension actually used (≤ HSC4)
  let tc = li % TC;
  let tr = li / TC;
  let N = params.N;
  let E = params.NH * hs;
  let q0 = wg.x * BQ;
  let h = wg.y;
  let seq = params.baseQkv + wg.z * N * 3u * E + h * hs; // (b, n=0, which=q, h, d=0)

  // Q block: thread s loads vec4 column c of row r (consecutive threads read consecutive dims of one token).
  for (var s = li; s < BQ * hs4; s = s + WG) {
    tileQ[(s % hs4) * SQ + s / hs4] = load4(seq, q0 + s / hs4, s % hs4);
  }

  var m: array<f32, MAX_R>;                   // running row max (log2 units), same on all lanes of a row
  var l: array<f32, MAX_R>;                   // this thread's partial running row sum
  var acc: array<vec4<f32>, MAX_ACC>;         // (RQ, OC) packed: unnormalised output
  for (var i = 0u; i < RQ; i = i + 1u) {
    m[i] = NEG;
    l[i] = 0.0;
    for (var o = 0u; o < OC; o = o + 1u) { acc[i * OC + o] = vec4<f32>(0.0); }
  }

  for (var k0 = 0u; k0 < N; k0 = k0 + BK) {
    for (var s = li; s < BK * hs4; s = s + WG) {
      tileKV[(s % hs4) * SK + s / hs4] = load4(seq + E, k0 + s / hs4, s % hs4);
    }
    workgroupBarrier();

    // 2. scores for rows tr + TR·i, keys tc + TC·j
    var sc: array<f32, 16>; // (MAX_R, MAX_C)
    for (var i = 0u; i < RQ * MAX_C; i = i + 1u) { sc[i] = 0.0; }
    for (var c = 0u; c < hs4; c = c + 1u) {
      var qv: array<vec4<f32>, MAX_R>;
      for (var i = 0u; i < RQ; i = i + 1u) { qv[i] = tileQ[c * SQ + tr + TR * i]; }
      for (var j = 0u; j < CK; j = j + 1u) {
        let kv = tileKV[c * SK + tc + TC * j];
        for (var i = 0u; i < RQ; i = i + 1u) { sc[i * MAX_C + j] = sc[i * MAX_C + j] + dot(qv[i], kv); }
      }
    }
    for (var i = 0u; i < RQ; i = i + 1u) {
      var pm = NEG;
      for (var j = 0u; j < CK; j = j + 1u) {
        var x = sc[i * MAX_C + j] * params.scaleLog2;
        if (k0 + tc + TC * j >= N) { x = NEG; }
        sc[i * MAX_C + j] = x;
        pm = max(pm, x);
      }
      tileM[(tr + TR * i) * TC + tc] = pm;
    }
    workgroupBarrier();

    // 3. online softmax update; the K tile is dead (all threads passed the barrier), so V goes over it.
    for (var i = 0u; i < RQ; i = i + 1u) {
      let r = tr + TR * i;
      var mb = tileM[r * TC];
      for (var t = 1u; t < TC; t = t + 1u) { mb = max(mb, tileM[r * TC + t]); }
      let mNew = max(m[i], mb);
      let alpha = exp2(m[i] - mNew);
      m[i] = mNew;
      var ls = l[i] * alpha;
      for (var j = 0u; j < CK; j = j + 1u) {
        let p = exp2(sc[i * MAX_C + j] - mNew);
        ls = ls + p;
        tileP[r * PK + tc + TC * j] = p;
      }
      l[i] = ls;
      for (var o = 0u; o < OC; o = o + 1u) { acc[i * OC + o] = acc[i * OC + o] * alpha; }
    }
    for (var s = li; s < BK * hs4; s = s + WG) {
      tileKV[(s % hs4) * SK + s / hs4] = load4(seq + 2u * E, k0 + s / hs4, s % hs4);
    }
    workgroupBarrier();

    // 4. acc += P·V over the valid keys of the block. Columns past hs4 (OC·TC > hs4) repeat the last column and are
    // never stored, which keeps the loop branch-free.
    let kEnd = min(BK, N - k0);
    for (var j = 0u; j < kEnd; j = j + 1u) {
      var p: array<f32, MAX_R>;
      for (var i = 0u; i < RQ; i = i + 1u) { p[i] = tileP[(tr + TR * i) * PK + j]; }
      for (var o = 0u; o < OC; o = o + 1u) {
        let vv = tileKV[min(tc + TC * o, hs4 - 1u) * SK + j];
        for (var i = 0u; i < RQ; i = i + 1u) { acc[i * OC + o] = fma(vec4<f32>(p[i]), vv, acc[i * OC + o]); }
      }
    }
    workgroupBarrier();
  }

  // Row sums: reduce the TC partial sums of each row through tileM (free since the last barrier).
  for (var i = 0u; i < RQ; i = i + 1u) { tileM[(tr + TR * i) * TC + tc] = l[i]; }
  workgroupBarrier();

  let outSeq = params.baseOut + wg.z * N * E + h * hs;
  for (var i = 0u; i < RQ; i = i + 1u) {
    let r = tr + TR * i;
    let n = q0 + r;
    if (n >= N) { continue; }
    var lsum = 0.0;
    for (var t = 0u; t < TC; t = t + 1u) { lsum = lsum + tileM[r * TC + t]; }
    let inv = 1.0 / lsum;
    for (var o = 0u; o < OC; o = o + 1u) {
      let c = tc + TC * o;
      if (c >= hs4) { break; }
      let v = acc[i * OC + o] * inv;
      for (var e = 0u; e < 4u; e = e + 1u) {
        if (4u * c + e < hs) { out[outSeq + n * E + 4u * c + e] = v[e]; }
      }
    }
    if (tc == 0u) { lse[params.baseLse + (wg.z * params.NH + h) * N + n] = (m[i] + log2(lsum)) * LN2; }
  }
}
