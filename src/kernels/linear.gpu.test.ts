// GPU vs float64 reference for the linear layer's backward (dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ dy) composed from matmul
// and the column sum, on shapes that are not multiples of the 64×64 tile, with accumulation into existing gradients,
// optional outputs, and tiny binding limits that split dx along M and dW along K (x larger than one binding).
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { linearBackward, linearForward } from './linear';
import { linearBackwardRef, matmulRef } from './matmul.ref';
import type { LimitOptions } from './split';

const f32 = (x: Float64Array) => Float64Array.from(x, Math.fround);

interface Case {
  M: number;
  K: number;
  N: number;
  accumulate?: boolean;
  noDx?: boolean;
  opts?: LimitOptions;
}

const cases: Case[] = [
  { M: 1, K: 1, N: 1 },
  { M: 70, K: 33, N: 65 },
  { M: 130, K: 16, N: 48, accumulate: true },
  { M: 9, K: 100, N: 3, noDx: true },
  // 64·40 + 63 floats per binding: dy and dx split in 64-row pieces, x (130×40) split-K for dW.
  { M: 130, K: 40, N: 24, accumulate: true, opts: { maxBindingBytes: 4 * (64 * 40 + 63) } },
];

describe('linear layer on GPU', () => {
  for (const c of cases) {
    const name = `M=${c.M} K=${c.K} N=${c.N}${c.accumulate ? ' +=' : ''}${c.noDx ? ' no dx' : ''}${c.opts ? ' split' : ''}`;
    it(`forward and backward, ${name}`, async () => {
      await gpuCase(async ({ device, scope, upload, zeros, read }) => {
        const { M, K, N } = c;
        const rng = new Rng(M * 7 + K * 3 + N);
        const x = f32(rng.normalArray(M * K));
        const w = f32(rng.normalArray(K * N, 0.3));
        const b = f32(rng.normalArray(N));
        const dy = f32(rng.normalArray(M * N));
        const init = (n: number) => (c.accumulate ? f32(rng.normalArray(n)) : new Float64Array(n).fill(5));
        const [dx0, dw0, db0] = [init(M * K), init(K * N), init(N)];
        const t = {
          x: await upload('x', x),
          w: await upload('w', w),
          b: await upload('b', b),
          y: await zeros('y', [M, N]),
          dy: await upload('dy', dy),
          dx: await upload('dx', dx0),
          dw: await upload('dw', dw0),
          db: await upload('db', db0),
        };
        const flags = { accumulate: c.accumulate, accumulateDx: c.accumulate };
        const dispatches = [
          ...(await linearForward(scope, t, c, c.opts)),
          ...(await linearBackward(scope, c.noDx ? { ...t, dx: undefined } : t, { ...c, ...flags }, c.opts)),
        ];
        if (c.opts) expect(dispatches.length).toBeGreaterThan(5);
        submitDispatches(device, dispatches);

        const ref = linearBackwardRef(x, w, dy, c);
        const add = (a: Float64Array, base: Float64Array) => (c.accumulate ? a.map((v, i) => v + base[i]) : a);
        const checks: [string, Float32Array, Float64Array, number][] = [
          ['y', await read(t.y), matmulRef(x, w, { M, N, K }, b), K],
          ['dx', await read(t.dx), c.noDx ? dx0 : add(ref.dx, dx0), N],
          ['dw', await read(t.dw), add(ref.dw, dw0), M],
          ['db', await read(t.db), add(ref.db, db0), M],
        ];
        for (const [label, got, want, reduction] of checks) {
          const r = allClose(got, want, 1e-5, 1e-4 * Math.sqrt(reduction));
          expect(r.ok, `${label}: ${r.message}`).toBe(true);
        }
      });
    });
  }
});
