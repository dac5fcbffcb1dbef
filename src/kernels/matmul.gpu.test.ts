// GPU vs float64 reference for the tiled matmul, over shapes that are and are not multiples of the 64×64×16 tile,
// with every transpose/bias/accumulate variant the linear layer's forward and backward use, and with tiny binding /
// grid limits that force the default-limits splitting: M-split, split-K (dW = Xᵀ·dY), batch groups bound at
// unaligned offsets, a broadcast (stride 0) operand, and a grid capped below cdiv(M, 64).
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { matmulForward } from './matmul';
import { matmulRef } from './matmul.ref';
import type { LimitOptions } from './split';

interface Case {
  M: number;
  N: number;
  K: number;
  batch?: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  accumulate?: boolean;
  /** Batch stride of B; 0 shares one B across the batch. */
  strideB?: number;
  opts?: LimitOptions;
  /** Dispatches the split must produce. */
  pieces?: number;
}

const cases: Case[] = [
  { M: 1, N: 1, K: 1 },
  { M: 64, N: 64, K: 16 },
  { M: 65, N: 63, K: 17, bias: true },
  { M: 3, N: 130, K: 70 },
  { M: 130, N: 5, K: 33, transA: true },
  { M: 37, N: 41, K: 29, transB: true, bias: true },
  { M: 50, N: 20, K: 100, transA: true, transB: true },
  { M: 33, N: 47, K: 9, batch: 3, accumulate: true },
  { M: 128, N: 192, K: 96, bias: true },
  // M-split: 64 rows of A (K = 33) per binding → rows 0–63, 64–127, 128–149.
  { M: 150, N: 20, K: 33, bias: true, opts: { maxBindingBytes: 4 * (64 * 33 + 63) }, pieces: 3 },
  // split-K for dW = Xᵀ·dY: 40 rows of A (K, M) and B (K, N) per binding; slices 2–4 accumulate, bias once.
  { M: 20, N: 30, K: 150, transA: true, bias: true, accumulate: true, opts: { maxBindingBytes: 4 * (40 * 30 + 63) }, pieces: 4 },
  // batch groups of 2 (C = 561 elements per item); groups start at unaligned offsets (remainders in Params).
  { M: 33, N: 17, K: 9, batch: 5, opts: { maxBindingBytes: 4 * (2 * 561 + 63) }, pieces: 3 },
  { M: 33, N: 17, K: 9, batch: 5, strideB: 0, transB: true, opts: { maxBindingBytes: 4 * (2 * 561 + 63) }, pieces: 3 },
  // ≤ 2 workgroups per grid dimension: 128-row pieces.
  { M: 300, N: 10, K: 5, bias: true, opts: { maxWorkgroupsPerDim: 2 }, pieces: 3 },
];

describe('matmul_forward on GPU', () => {
  for (const c of cases) {
    const name =
      `${c.batch ?? 1}×(${c.M}×${c.K})·(${c.K}×${c.N})${c.transA ? ' Aᵀ' : ''}${c.transB ? ' Bᵀ' : ''}${c.bias ? ' +bias' : ''}` +
      `${c.accumulate ? ' +=C' : ''}${c.strideB === 0 ? ' shared B' : ''}${c.opts ? ` split ${JSON.stringify(c.opts)}` : ''}`;
    it(name, async () => {
      await gpuCase(async ({ device, scope, upload, read }) => {
        const rng = new Rng(c.M * 7919 + c.N * 31 + c.K);
        const batch = c.batch ?? 1;
        const a = rng.normalArray(batch * c.M * c.K);
        const shared = c.strideB === 0;
        const b = rng.normalArray((shared ? 1 : batch) * c.K * c.N);
        const bias = c.bias ? rng.normalArray(c.N) : undefined;
        const c0 = c.accumulate ? rng.normalArray(batch * c.M * c.N) : new Float64Array(batch * c.M * c.N);
        // A shared B is the reference's dense batch with B repeated.
        const bDense = shared ? Float64Array.from({ length: batch * b.length }, (_, i) => b[i % b.length]) : b;
        const expected = matmulRef(a, bDense, c, bias);
        if (c.accumulate) for (let i = 0; i < expected.length; i++) expected[i] += c0[i];

        const out = await upload('C', c0);
        const d = await matmulForward(
          scope,
          { a: await upload('A', a), b: await upload('B', b), bias: bias ? await upload('bias', bias) : undefined, out },
          c,
          c.opts,
        );
        expect(d.length).toBe(c.pieces ?? 1);
        submitDispatches(device, d);
        const got = await read(out);
        const report = allClose(got, expected, 1e-5, 1e-4 * Math.sqrt(c.K));
        expect(report.ok, report.message).toBe(true);
      });
    });
  }
});
