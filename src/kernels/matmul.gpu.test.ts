// GPU vs float64 reference for the tiled matmul, over shapes that are and are not multiples of the 64×64×16 tile,
// with every transpose/bias/accumulate variant the linear layer's forward and backward use.
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { matmulForward } from './matmul';
import { matmulRef } from './matmul.ref';

interface Case {
  M: number;
  N: number;
  K: number;
  batch?: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  accumulate?: boolean;
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
];

describe('matmul_forward on GPU', () => {
  for (const c of cases) {
    const name = `${c.batch ?? 1}×(${c.M}×${c.K})·(${c.K}×${c.N})${c.transA ? ' Aᵀ' : ''}${c.transB ? ' Bᵀ' : ''}${c.bias ? ' +bias' : ''}${c.accumulate ? ' +=C' : ''}`;
    it(name, async () => {
      await gpuCase(async ({ device, scope, upload, read }) => {
        const rng = new Rng(c.M * 7919 + c.N * 31 + c.K);
        const batch = c.batch ?? 1;
        const a = rng.normalArray(batch * c.M * c.K);
        const b = rng.normalArray(batch * c.K * c.N);
        const bias = c.bias ? rng.normalArray(c.N) : undefined;
        const c0 = c.accumulate ? rng.normalArray(batch * c.M * c.N) : new Float64Array(batch * c.M * c.N);
        const expected = matmulRef(a, b, c, bias);
        if (c.accumulate) for (let i = 0; i < expected.length; i++) expected[i] += c0[i];

        const out = await upload('C', c0);
        const d = await matmulForward(
          scope,
          { a: await upload('A', a), b: await upload('B', b), bias: bias ? await upload('bias', bias) : undefined, out },
          c,
        );
        submitDispatches(device, [d]);
        const got = await read(out);
        const report = allClose(got, expected, 1e-5, 1e-4 * Math.sqrt(c.K));
        expect(report.ok, report.message).toBe(true);
      });
    });
  }
});
