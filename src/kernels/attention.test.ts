// Reference invariants for the attention CPU oracle: softmax rows sum to one, lse is the log-sum-exp of the scaled
// scores, known closed-form cases (one token, identical keys), the (which, head, dim) layout of qkv, and gradient
// checks of the backward (random projections, plus a full Jacobian on a tiny shape). Also checks FlashAttention-2's
// identity rowsum(dO ∘ O) = Σ_j P_ij·dP_ij that the GPU backward relies on and the reference does not use, and the
// wrapper's block-size choice (pure arithmetic on the workgroup-memory budget).
import { describe, expect, it } from 'vitest';
import type { GpuTensor } from '../gpu/tensor';
import type { ResourceScope } from '../gpu/scope';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { ATTENTION_TILINGS, attentionCapacity, attentionForward, attentionStorageBytes, attentionTiling, type AttentionKernel } from './attention';
import { attentionBackwardRef, attentionForwardRef, type AttentionRefDims } from './attention.ref';

const at = (dims: AttentionRefDims, b: number, n: number, which: number, h: number, d: number) =>
  ((b * dims.N + n) * 3 + which) * dims.NH * dims.HS + h * dims.HS + d;

/** Scaled scores of one (b, h) computed independently of the reference's helpers: (N, N). */
function scoresOf(qkv: Float64Array, dims: AttentionRefDims, b: number, h: number): number[][] {
  const { N, HS } = dims;
  const rows: number[][] = [];
  for (let i = 0; i < N; i++) {
    const row: number[] = [];
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let d = 0; d < HS; d++) s += qkv[at(dims, b, i, 0, h, d)] * qkv[at(dims, b, j, 1, h, d)];
      row.push(s / Math.sqrt(HS));
    }
    rows.push(row);
  }
  return rows;
}

describe('attentionForwardRef', () => {
  it('lse is the log-sum-exp of the scaled scores and softmax rows sum to 1', () => {
    const dims = { B: 2, N: 7, NH: 3, HS: 5 };
    const qkv = new Rng(3).normalArray(dims.B * dims.N * 3 * dims.NH * dims.HS, 1.5);
    const { lse } = attentionForwardRef(qkv, dims);
    for (let b = 0; b < dims.B; b++) {
      for (let h = 0; h < dims.NH; h++) {
        const S = scoresOf(qkv, dims, b, h);
        for (let i = 0; i < dims.N; i++) {
          const l = lse[(b * dims.NH + h) * dims.N + i];
          // Scores are O(10) here, so the unshifted sum is exact enough to serve as an independent formula.
          expect(l).toBeCloseTo(Math.log(S[i].reduce((acc, s) => acc + Math.exp(s), 0)), 12);
          expect(S[i].reduce((acc, s) => acc + Math.exp(s - l), 0)).toBeCloseTo(1, 12);
        }
      }
    }
  });

  it('is stable for large scores (max-shifted lse)', () => {
    const dims = { B: 1, N: 4, NH: 1, HS: 2 };
    const qkv = new Rng(4).normalArray(4 * 3 * 2, 40);
    const { out, lse } = attentionForwardRef(qkv, dims);
    for (const x of [...out, ...lse]) expect(Number.isFinite(x)).toBe(true);
  });

  it('returns v for a single token and the mean of v when all keys are equal', () => {
    const one = { B: 1, N: 1, NH: 2, HS: 3 };
    const qkv1 = new Rng(5).normalArray(18);
    const r1 = attentionForwardRef(qkv1, one);
    for (let h = 0; h < 2; h++) {
      for (let d = 0; d < 3; d++) expect(r1.out[h * 3 + d]).toBeCloseTo(qkv1[at(one, 0, 0, 2, h, d)], 14);
      // With one key, lse = log(exp(s)) = s = q·k / sqrt(HS).
      let s = 0;
      for (let d = 0; d < 3; d++) s += qkv1[at(one, 0, 0, 0, h, d)] * qkv1[at(one, 0, 0, 1, h, d)];
      expect(r1.lse[h]).toBeCloseTo(s / Math.sqrt(3), 14);
    }

    const dims = { B: 1, N: 5, NH: 1, HS: 4 };
    const rng = new Rng(6);
    const qkv = rng.normalArray(5 * 12);
    const key = rng.normalArray(4);
    for (let n = 0; n < 5; n++) for (let d = 0; d < 4; d++) qkv[at(dims, 0, n, 1, 0, d)] = key[d];
    const { out } = attentionForwardRef(qkv, dims);
    for (let n = 0; n < 5; n++) {
      for (let d = 0; d < 4; d++) {
        let mean = 0;
        for (let j = 0; j < 5; j++) mean += qkv[at(dims, 0, j, 2, 0, d)] / 5;
        expect(out[n * 4 + d]).toBeCloseTo(mean, 12);
      }
    }
  });

  it('reads q, k, v of head h from (which, h, d) and writes head h to columns h·HS…', () => {
    // Two heads; head 1's v is zero except one entry, head 0's v is zero: only head 1's columns may be non-zero.
    const dims = { B: 1, N: 3, NH: 2, HS: 2 };
    const qkv = new Rng(7).normalArray(3 * 12);
    for (let n = 0; n < 3; n++) for (let h = 0; h < 2; h++) for (let d = 0; d < 2; d++) qkv[at(dims, 0, n, 2, h, d)] = 0;
    qkv[at(dims, 0, 1, 2, 1, 0)] = 1;
    const { out } = attentionForwardRef(qkv, dims);
    for (let n = 0; n < 3; n++) {
      expect(out[n * 4 + 0]).toBe(0);
      expect(out[n * 4 + 1]).toBe(0);
      expect(out[n * 4 + 2]).toBeGreaterThan(0); // the softmax weight of token 1
      expect(out[n * 4 + 3]).toBe(0);
    }
  });
});

describe('attentionBackwardRef', () => {
  const check = (dims: AttentionRefDims, seed: number, fullJacobian: boolean) => {
    const qkv = new Rng(seed).normalArray(dims.B * dims.N * 3 * dims.NH * dims.HS);
    return gradCheck(
      {
        inputs: [qkv],
        forward: ([x]) => attentionForwardRef(x, dims).out,
        backward: ([x], dOut) => {
          const f = attentionForwardRef(x, dims);
          return [attentionBackwardRef(x, f.out, f.lse, dOut, dims)];
        },
        fullJacobian,
        seed,
      },
      1e-6,
    );
  };

  it('matches central differences on random projections', () => {
    for (const [dims, seed] of [
      [{ B: 2, N: 5, NH: 2, HS: 3 }, 11],
      [{ B: 1, N: 9, NH: 3, HS: 4 }, 12],
    ] as const) {
      const r = check(dims, seed, false);
      expect(r.ok, r.details.join('\n')).toBe(true);
    }
  });

  it('matches the full Jacobian on a tiny shape', () => {
    const r = check({ B: 1, N: 3, NH: 2, HS: 2 }, 13, true);
    expect(r.ok, r.details.join('\n')).toBe(true);
    expect(r.maxRelErr).toBeLessThan(1e-6);
  });

  it('satisfies rowsum(dO ∘ O) = Σ_j P_ij·dP_ij (the D term of the FlashAttention-2 backward)', () => {
    const dims = { B: 1, N: 6, NH: 2, HS: 3 };
    const rng = new Rng(14);
    const qkv = rng.normalArray(6 * 18);
    const dOut = rng.normalArray(6 * 6);
    const { out, lse } = attentionForwardRef(qkv, dims);
    for (let h = 0; h < 2; h++) {
      const S = scoresOf(qkv, dims, 0, h);
      for (let i = 0; i < 6; i++) {
        let viaOut = 0;
        for (let d = 0; d < 3; d++) viaOut += dOut[i * 6 + h * 3 + d] * out[i * 6 + h * 3 + d];
        let viaP = 0;
        for (let j = 0; j < 6; j++) {
          let dP = 0;
          for (let d = 0; d < 3; d++) dP += dOut[i * 6 + h * 3 + d] * qkv[at(dims, 0, j, 2, h, d)];
          viaP += Math.exp(S[i][j] - lse[h * 6 + i]) * dP;
        }
        expect(viaOut).toBeCloseTo(viaP, 12);
      }
    }
    // And the gradient of v is dO summed over queries when all scores are equal (uniform P = 1/N).
    const flat = { B: 1, N: 4, NH: 1, HS: 2 };
    const z = new Float64Array(4 * 6);
    for (let n = 0; n < 4; n++) for (let d = 0; d < 2; d++) z[at(flat, 0, n, 2, 0, d)] = n + d;
    const dO = rng.normalArray(8);
    const f = attentionForwardRef(z, flat);
    const g = attentionBackwardRef(z, f.out, f.lse, dO, flat);
    for (let n = 0; n < 4; n++) {
      for (let d = 0; d < 2; d++) {
        const sum = (dO[d] + dO[2 + d] + dO[4 + d] + dO[6 + d]) / 4;
        expect(g[at(flat, 0, n, 2, 0, d)]).toBeCloseTo(sum, 14);
      }
    }
  });
});

describe('attention block tiling', () => {
  const kernels: AttentionKernel[] = ['forward', 'dkdv', 'dq'];

  it('rounds the head size up to a power-of-two vec4 capacity of at least 8', () => {
    expect([1, 3, 8, 16, 24, 32].map(attentionCapacity)).toEqual([8, 8, 8, 8, 8, 8]);
    expect([33, 40, 64, 65, 128, 129, 256].map(attentionCapacity)).toEqual([16, 16, 16, 32, 32, 64, 64]);
  });

  it('picks the first candidate that fits the budget', () => {
    for (const k of kernels) {
      for (const HS of [3, 8, 16, 24, 32, 40, 64, 128, 200, 256]) {
        for (const budget of [16384, 32768]) {
          if (HS > 128 && budget < 32768) continue; // does not fit (next test)
          const t = attentionTiling(k, HS, budget);
          expect(t.bytes).toBeLessThanOrEqual(budget);
          // Every larger candidate overflows the budget or the 16 accumulator vec4 per thread (rows × ⌈HS/32⌉).
          const i = ATTENTION_TILINGS.findIndex(([tr, r, c]) => tr === t.tr && r === t.rows && c === t.cols);
          for (const [tr, r, c] of ATTENTION_TILINGS.slice(0, i)) {
            expect(attentionStorageBytes(k, HS, tr, r, c) > budget || r * Math.ceil(HS / 32) > 16).toBe(true);
          }
          expect(t.rows * Math.ceil(HS / 32)).toBeLessThanOrEqual(16);
        }
      }
    }
  });

  it('fits head sizes up to 128 in WebGPU\'s default 16 KiB and up to 256 in 32 KiB, and says so otherwise', () => {
    for (const k of kernels) {
      expect(() => attentionTiling(k, 128, 16384)).not.toThrow();
      expect(() => attentionTiling(k, 256, 32768)).not.toThrow();
    }
    expect(() => attentionTiling('dkdv', 256, 16384)).toThrow(/head size 256 needs at least \d+ B of workgroup memory.*16384 B/);
    // The presets (HS 16, 32, 64) get the largest blocks, 32 queries × 32 keys, in the forward on 32 KiB devices.
    for (const HS of [16, 32, 64]) expect(attentionTiling('forward', HS, 32768)).toMatchObject({ tr: 8, rows: 4, cols: 4 });
  });

  it('refuses tensors too small for the dims, or written tensors sharing a buffer with read ones, naming them', async () => {
    const buf = (label: string) => ({ label }) as GPUBuffer;
    const fake = (label: string, size: number, buffer = buf(label)) => ({ label, size, offset: 0, shape: [size], buffer }) as GpuTensor;
    const scope = { device: { limits: {} } } as unknown as ResourceScope;
    const dims = { B: 2, N: 5, NH: 2, HS: 4 };
    await expect(attentionForward(scope, { qkv: fake('acts.qkv', 2 * 5 * 24 - 1), out: fake('o', 80), lse: fake('l', 20) }, dims)).rejects.toThrow(
      /acts\.qkv.*239 elements, needs 240/,
    );
    await expect(attentionForward(scope, { qkv: fake('q', 240), out: fake('o', 80), lse: fake('l', 20) }, { ...dims, HS: 300 })).rejects.toThrow(
      /head size 300/,
    );
    const arena = buf('arena');
    await expect(attentionForward(scope, { qkv: fake('q', 240, arena), out: fake('o', 80, arena), lse: fake('l', 20) }, dims)).rejects.toThrow(
      /"o" \(written\) and "q" \(read\) share buffer "arena"/,
    );
  });
});
