// attention_backward_dkdv.wgsl — FlashAttention-2 backward, key-block pass: dK and dV of one block of keys, looping
// over all query blocks, without atomics (each workgroup owns its keys' gradients outright).
//
//   P = exp(S − lse) with S = q·kᵀ·HS^-0.5 recomputed from the saved lse      dV = Pᵀ·dO
//   dP = dO·vᵀ      dS = P ∘ (dP − D)  (D from attention_backward_delta)        dK = dSᵀ·q·HS^-0.5
//
// Shapes (row-major; binding windows of one batch chunk start `base*` elements before its first item):
//   qkv, dqkv: (B, N, 3·NH·HS), last axis (which ∈ q,k,v ; head ; dim)    dOut: (B, N, NH·HS)    lse, delta: (B, NH, N)
// Writes the k and v thirds of dqkv; attention_backward_dq writes the q third, so dqkv needs no clearing.
//
// Dispatch: (ceil(N/BK), NH, batch items in this chunk) workgroups of WG = TR·TC threads (TC = 8; TR = 8, or 4 for
// large heads under a small workgroup-memory limit). K and V of the block stay in workgroup memory; per query block
// of BQ rows:
//   1. load Q, dO blocks;                                                                     barrier
//   2. Sᵀ and dPᵀ in registers (RK keys × CQ queries per thread), P and dS → tileP, tileDS;  barrier
//   3. dV += Pᵀ·dO, dK += dSᵀ·Q (RK keys × OC vec4 head-dim columns per thread);             barrier
// Thread (tr, tc) = (li / TC, li % TC) owns keys tr + TR·i, queries tc + TC·j and vec4 columns tc + TC·o.
// Workgroup memory as in attention_forward.wgsl (dim-major tiles with odd strides; tileP and tileDS [key][query]
// with stride PQ): 16·HSC4·2·(BK+1 + BQ+1) + 8·BK·PQ bytes. The head size is a uniform (one pipeline per capacity).
// Keys, queries and head dims past N / HS read as zero; step 3 stops at the last query, keys past N are not stored.

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
override RK: u32 = 2u;     // keys per thread (≤ MAX_R)
override CQ: u32 = 2u;     // queries per thread per block (≤ MAX_C)
override TR: u32 = 8u;     // thread rows: 8, or 4 for large heads under a small workgroup-memory limit

const TC: u32 = 8u;
const MAX_R: u32 = 4u;
const MAX_C: u32 = 4u;
const MAX_ACC: u32 = 16u;  // accumulator vec4s per thread: rows per thread × OC ≤ 16 (the wrapper's tilings keep it)
const LOG2E: f32 = 1.4426950408889634;

override WG: u32 = TR * TC;
override BK: u32 = TR * RK;
override BQ: u32 = TC * CQ;
override SK: u32 = BK + 1u;
override SQ: u32 = BQ + 1u;
override PQ: u32 = select(BQ, BQ + 8u, (BQ / 8u) % 2u == 0u);
override K_TILE: u32 = HSC4 * SK;
override Q_TILE: u32 = HSC4 * SQ;
override P_TILE: u32 = BK * PQ;

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read> lse: array<f32>;
@group(0) @binding(3) var<storage, read> delta: array<f32>;
@group(0) @binding(4) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

var<workgroup> tileK: array<vec4<f32>, K_TILE>;   // [c][key]
var<workgroup> tileV: array<vec4<f32>, K_TILE>;
var<workgroup> tileQ: array<vec4<f32>, Q_TILE>;   // [c][query]
var<workgroup> tileDO: array<vec4<f32>, Q_TILE>;
var<workgroup> tileP: array<f32, P_TILE>;         // [key][query]
var<workgroup> tileDS: array<f32, P_TILE>;

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
  let k0 = wg.x * BK;
  let h = wg.y;
  let seq = params.baseQkv + wg.z * N * 3u * E + h * hs;  // (b, n=0, which=q, h, d=0)
  let dSeq = params.baseDOut + wg.z * N * E + h * hs;
  let rowStats = (wg.z * params.NH + h) * N;               // (b, h, n=0) in lse and delta

  for (var s = li; s < BK * hs4; s = s + WG) {
    let c = s % hs4;
    tileK[c * SK + s / hs4] = loadQkv4(seq + E, k0 + s / hs4, c);
    tileV[c * SK + s / hs4] = loadQkv4(seq + 2u * E, k0 + s / hs4, c);
  }

  var dK: array<vec4<f32>, MAX_ACC>; // (rows, OC) packed
  var dV: array<vec4<f32>, MAX_ACC>;
  for (var i = 0u; i < RK * OC; i = i + 1u) {
    dK[i] = vec4<f32>(0.0);
    dV[i] = vec4<f32>(0.0);
  }

  for (var q0 = 0u; q0 < N; q0 = q0 + BQ) {
    for (var s = li; s < BQ * hs4; s = s + WG) {
      let c = s % hs4;
      tileQ[c * SQ + s / hs4] = loadQkv4(seq, q0 + s / hs4, c);
      tileDO[c * SQ + s / hs4] = loadDOut4(dSeq, q0 + s / hs4, c);
    }
    workgroupBarrier();

    // 2. Sᵀ (keys × queries) and dPᵀ, then P and dS.
    var sc: array<f32, 16>; // (MAX_R, MAX_C)
    var dp: array<f32, 16>;
    for (var i = 0u; i < RK * MAX_C; i = i + 1u) {
      sc[i] = 0.0;
      dp[i] = 0.0;
    }
    for (var c = 0u; c < hs4; c = c + 1u) {
      var kv: array<vec4<f32>, MAX_R>;
      var vv: array<vec4<f32>, MAX_R>;
      for (var i = 0u; i < RK; i = i + 1u) {
        kv[i] = tileK[c * SK + tr + TR * i];
        vv[i] = tileV[c * SK + tr + TR * i];
      }
      for (var j = 0u; j < CQ; j = j + 1u) {
        let qv = tileQ[c * SQ + tc + TC * j];
        let dov = tileDO[c * SQ + tc + TC * j];
        for (var i = 0u; i < RK; i = i + 1u) {
          sc[i * MAX_C + j] = sc[i * MAX_C + j] + dot(kv[i], qv);
          dp[i * MAX_C + j] = dp[i * MAX_C + j] + dot(vv[i], dov);
        }
      }
    }
    // Queries past N read row N − 1's statistics (any finite value: step 3 stops at qEnd and never reads them).
    for (var j = 0u; j < CQ; j = j + 1u) {
      let n = min(q0 + tc + TC * j, N - 1u);
      let lse2 = lse[params.baseLse + rowStats + n] * LOG2E;
      let dd = delta[params.baseDelta + rowStats + n];
      for (var i = 0u; i < RK; i = i + 1u) {
        let p = exp2(sc[i * MAX_C + j] * params.scaleLog2 - lse2);
        let at = (tr + TR * i) * PQ + tc + TC * j;
        tileP[at] = p;
        tileDS[at] = p * (dp[i * MAX_C + j] - dd);
      }
    }
    workgroupBarrier();

    // 3. dV += Pᵀ·dO, dK += dSᵀ·Q over the valid queries of the block; columns past hs4 repeat the last one and
    // are never stored.
    let qEnd = min(BQ, N - q0);
    for (var q = 0u; q < qEnd; q = q + 1u) {
      var p: array<f32, MAX_R>;
      var ds: array<f32, MAX_R>;
      for (var i = 0u; i < RK; i = i + 1u) {
        p[i] = tileP[(tr + TR * i) * PQ + q];
        ds[i] = tileDS[(tr + TR * i) * PQ + q];
      }
      for (var o = 0u; o < OC; o = o + 1u) {
        let c = min(tc + TC * o, hs4 - 1u);
        let dov = tileDO[c * SQ + q];
        let qv = tileQ[c * SQ + q];
        for (var i = 0u; i < RK; i = i + 1u) {
          dV[i * OC + o] = fma(vec4<f32>(p[i]), dov, dV[i * OC + o]);
          dK[i * OC + o] = fma(vec4<f32>(ds[i]), qv, dK[i * OC + o]);
        }
      }
    }
    workgroupBarrier();
  }

  let outSeq = params.baseDqkv + wg.z * N * 3u * E + h * hs;
  for (var i = 0u; i < RK; i = i + 1u) {
    let n = k0 + tr + TR * i;
    if (n >= N) { continue; }
    let row = outSeq + n * 3u * E;
    for (var o = 0u; o < OC; o = o + 1u) {
      let c = tc + TC * o;
      if (c >= hs4) { break; }
      let gk = dK[i * OC + o] * params.scale;
      let gv = dV[i * OC + o];
      for (var e = 0u; e < 4u; e = e + 1u) {
        if (4u * c + e < hs) {
          dqkv[row + E + 4u * c + e] = gk[e];
          dqkv[row + 2u * E + 4u * c + e] = gv[e];
        }
      }
    }
  }
}
