// attention_backward_dq.wgsl — FlashAttention-2 backward, query-block pass: dQ of one block of queries, looping over
// all key blocks, without atomics (each workgroup owns its queries' gradients outright).
//
//   P = exp(S − lse) with S = q·kᵀ·HS^-0.5 recomputed from the saved lse      dP = dO·vᵀ
//   dS = P ∘ (dP − D)  (D from attention_backward_delta)                        dQ = dS·k·HS^-0.5
//
// Shapes (row-major; binding windows of one batch chunk start `base*` elements before its first item):
//   qkv, dqkv: (B, N, 3·NH·HS), last axis (which ∈ q,k,v ; head ; dim)    dOut: (B, N, NH·HS)    lse, delta: (B, NH, N)
// Writes the q third of dqkv; attention_backward_dkdv writes the k and v thirds.
//
// Dispatch: (ceil(N/BQ), NH, batch items in this chunk) workgroups of WG = TR·TC threads (TC = 8; TR = 8, or 4 for
// large heads under a small workgroup-memory limit). Q and dO of the block stay in workgroup memory, lse and D of the
// thread's rows in registers; per key block of BK keys:
//   1. load K, V blocks;                                                       barrier
//   2. S and dP in registers (RQ queries × CK keys per thread); dS → tileDS;   barrier
//   3. dQ += dS·K (RQ queries × OC vec4 head-dim columns per thread);          barrier
// Thread (tr, tc) = (li / TC, li % TC) owns queries tr + TR·i, keys tc + TC·j and vec4 columns tc + TC·o.
// Workgroup memory as in attention_forward.wgsl (dim-major tiles with odd strides; tileDS [query][key] with stride
// PK): 16·HSC4·2·(BQ+1 + BK+1) + 4·BQ·PK bytes. The head size is a uniform (one pipeline per capacity).
// Keys, queries and head dims past N / HS read as zero; step 3 stops at the last key, queries past N are not stored.

struct Params {
  N: u32,
  NH: u32,
  HS: u32,       // head size, 1…256
  baseQkv: u32,
  baseDOut: u32,
  baseLse: u32,
  baseDelta: u32,
  baseDqkv: u32,
  scaleLog2: f32, // HS^-0.5 · log2(e)
  scale: f32,     // HS^-0.5
}

override HSC4: u32 = 16u;  // vec4 capacity of a tile row: ≥ ceil(HS/4), ≤ 64, a power of two (attentionCapacity)
override OC: u32 = 2u;     // vec4 head-dim columns per thread = ceil(ceil(HS/4) / TC)
override RQ: u32 = 2u;     // queries per thread (≤ MAX_R)
override CK: u32 = 2u;     // keys per thread per block (≤ MAX_C)
override TR: u32 = 8u;     // thread rows: 8, or 4 for large heads under a small workgroup-memory limit

const TC: u32 = 8u;
const MAX_R: u32 = 4u;
const MAX_C: u32 = 4u;
const MAX_ACC: u32 = 16u;  // accumulator vec4s per thread: rows per thread × OC ≤ 16 (the wrapper's tilings keep it)
const LOG2E: f32 = 1.4426950408889634;

override WG: u32 = TR * TC;
override BQ: u32 = TR * RQ;
override BK: u32 = TC * CK;
override SQ: u32 = BQ + 1u;
override SK: u32 = BK + 1u;
override PK: u32 = select(BK, BK + 8u, (BK / 8u) % 2u == 0u);
override Q_TILE: u32 = HSC4 * SQ;
override K_TILE: u32 = HSC4 * SK;
override S_TILE: u32 = BQ * PK;

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read> lse: array<f32>;
@group(0) @binding(3) var<storage, read> delta: array<f32>;
@group(0) @binding(4) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

var<workgroup> tileQ: array<vec4<f32>, Q_TILE>;   // [c][query]
var<workgroup> tileDO: array<vec4<f32>, Q_TILE>;
var<workgroup> tileK: array<vec4<f32>, K_TILE>;   // [c][key]
var<workgroup> tileV: array<vec4<f32>, K_TILE>;
var<workgroup> tileDS: array<f32, S_TILE>;        // [query][key]

// Four consecutive head dims (4c … 4c+3) of token n at `off` (which/head offset), zero past N or HS.
fn loadQkv4(off: u32, n: u32, c: u32) -> vec4<f32> {
  if (n >= params.N) { return vec4<f32>(0.0); }
  let d = 4u * c;
  let i = off + n * 3u * params.NH * params.HS + d;
  // Dims past HS (last column of an HS not divisible by 4) re-read the last valid one and are zeroed: branch-free
  // and always inside the tensor.
  let last = params.HS - 1u - d;
  let v = vec4<f32>(qkv[i], qkv[i + min(1u, last)], qkv[i + min(2u, last)], qkv[i + min(3u, last)]);
  return select(vec4<f32>(0.0), v, vec4<u32>(d) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(params.HS));
}

// The same for dOut (B, N, NH·HS), whose rows hold one third of a qkv row.
fn loadDOut4(off: u32, n: u32, c: u32) -> vec4<f32> {
  if (n >= params.N) { return vec4<f32>(0.0); }
  let d = 4u * c;
  let i = off + n * params.NH * params.HS + d;
  let last = params.HS - 1u - d;
  let v = vec4<f32>(dOut[i], dOut[i + min(1u, last)], dOut[i + min(2u, last)], dOut[i + min(3u, last)]);
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
  let seq = params.baseQkv + wg.z * N * 3u * E + h * hs;  // (b, n=0, which=q, h, d=0)
  let dSeq = params.baseDOut + wg.z * N * E + h * hs;
  let rowStats = (wg.z * params.NH + h) * N;               // (b, h, n=0) in lse and delta

  for (var s = li; s < BQ * hs4; s = s + WG) {
    let c = s % hs4;
    tileQ[c * SQ + s / hs4] = loadQkv4(seq, q0 + s / hs4, c);
    tileDO[c * SQ + s / hs4] = loadDOut4(dSeq, q0 + s / hs4, c);
  }

  var lse2: array<f32, MAX_R>; // lse·log2(e) of the thread's rows (0 past N: those rows are never stored)
  var dd: array<f32, MAX_R>;
  var dQ: array<vec4<f32>, MAX_ACC>; // (rows, OC) packed
  for (var i = 0u; i < RQ; i = i + 1u) {
    let n = q0 + tr + TR * i;
    lse2[i] = 0.0;
    dd[i] = 0.0;
    if (n < N) {
      lse2[i] = lse[params.baseLse + rowStats + n] * LOG2E;
      dd[i] = delta[params.baseDelta + rowStats + n];
    }
    for (var o = 0u; o < OC; o = o + 1u) { dQ[i * OC + o] = vec4<f32>(0.0); }
  }

  for (var k0 = 0u; k0 < N; k0 = k0 + BK) {
    for (var s = li; s < BK * hs4; s = s + WG) {
      let c = s % hs4;
      tileK[c * SK + s / hs4] = loadQkv4(seq + E, k0 + s / hs4, c);
      tileV[c * SK + s / hs4] = loadQkv4(seq + 2u * E, k0 + s / hs4, c);
    }
    workgroupBarrier();

    // 2. S and dP (queries × keys), then dS.
    var sc: array<f32, 16>; // (MAX_R, MAX_C)
    var dp: array<f32, 16>;
    for (var i = 0u; i < RQ * MAX_C; i = i + 1u) {
      sc[i] = 0.0;
      dp[i] = 0.0;
    }
    for (var c = 0u; c < hs4; c = c + 1u) {
      var qv: array<vec4<f32>, MAX_R>;
      var dov: array<vec4<f32>, MAX_R>;
      for (var i = 0u; i < RQ; i = i + 1u) {
        qv[i] = tileQ[c * SQ + tr + TR * i];
        dov[i] = tileDO[c * SQ + tr + TR * i];
      }
      for (var j = 0u; j < CK; j = j + 1u) {
        let kv = tileK[c * SK + tc + TC * j];
        let vv = tileV[c * SK + tc + TC * j];
        for (var i = 0u; i < RQ; i = i + 1u) {
          sc[i * MAX_C + j] = sc[i * MAX_C + j] + dot(qv[i], kv);
          dp[i * MAX_C + j] = dp[i * MAX_C + j] + dot(dov[i], vv);
        }
      }
    }
    // Keys past N get some finite dS here; step 3 stops at kEnd and never reads it.
    for (var j = 0u; j < CK; j = j + 1u) {
      for (var i = 0u; i < RQ; i = i + 1u) {
        let p = exp2(sc[i * MAX_C + j] * params.scaleLog2 - lse2[i]);
        tileDS[(tr + TR * i) * PK + tc + TC * j] = p * (dp[i * MAX_C + j] - dd[i]);
      }
    }
    workgroupBarrier();

    // 3. dQ += dS·K over the valid keys of the block; columns past hs4 repeat the last one and are never stored.
    let kEnd = min(BK, N - k0);
    for (var j = 0u; j < kEnd; j = j + 1u) {
      var ds: array<f32, MAX_R>;
      for (var i = 0u; i < RQ; i = i + 1u) { ds[i] = tileDS[(tr + TR * i) * PK + j]; }
      for (var o = 0u; o < OC; o = o + 1u) {
        let kv = tileK[min(tc + TC * o, hs4 - 1u) * SK + j];
        for (var i = 0u; i < RQ; i = i + 1u) { dQ[i * OC + o] = fma(vec4<f32>(ds[i]), kv, dQ[i * OC + o]); }
      }
    }
    workgroupBarrier();
  }

  let outSeq = params.baseDqkv + wg.z * N * 3u * E + h * hs;
  for (var i = 0u; i < RQ; i = i + 1u) {
    let n = q0 + tr + TR * i;
    if (n >= N) { continue; }
    for (var o = 0u; o < OC; o = o + 1u) {
      let c = tc + TC * o;
      if (c >= hs4) { break; }
      let g = dQ[i * OC + o] * params.scale;
      for (var e = 0u; e < 4u; e = e + 1u) {
        if (4u * c + e < hs) { dqkv[outSeq + n * 3u * E + 4u * c + e] = g[e]; }
      }
    }
  }
}
