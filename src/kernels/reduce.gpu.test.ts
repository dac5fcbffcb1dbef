// GPU vs float64 reference for the reductions: whole-buffer sum/mean/max/sumsq/norm over one or several tensors
// (one and two stages, chunked), global-norm gradient clipping in place (clipping and non-clipping cases), and the
// column sum (one block, several row blocks, row chunks, accumulate). One test runs on a device with WebGPU DEFAULT
// limits on a 129 MiB buffer: more than one storage binding (128 MiB) and more than 65535 workgroups of 256.
import { describe, expect, it } from 'vitest';
import { createBufferUnchecked } from '../gpu/buffers';
import { readF32 } from '../gpu/readback';
import { gpuCase } from '../gpu/testing/harness';
import { wholeTensor } from '../gpu/tensor';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { fillForward, scaleForward } from './elementwise';
import { clipGradNorm, columnSumForward, reduceForward, type ReduceOp } from './reduce';
import { clipGradNormRef, columnSumRef, globalNormRef, maxRef, meanRef, sumRef } from './reduce.ref';
import type { LimitOptions } from './split';

const f32 = (x: Float64Array) => Float64Array.from(x, Math.fround);
const split: LimitOptions = { maxBindingBytes: 4096, maxWorkgroupsPerDim: 3 };

function refOf(op: ReduceOp, arrays: Float64Array[]): number {
  const all = Float64Array.from(arrays.flatMap((a) => [...a]));
  if (op === 'sum') return sumRef(all);
  if (op === 'mean') return meanRef(all);
  if (op === 'max') return maxRef(all);
  const n = globalNormRef(arrays);
  return op === 'norm' ? n : n * n;
}

describe('whole-buffer reductions on GPU', () => {
  const shapes: { lens: number[]; opts?: LimitOptions }[] = [
    { lens: [1] },
    { lens: [257] },
    { lens: [300001] },
    { lens: [5, 1000, 77] },
    { lens: [3000, 1], opts: split },
  ];
  for (const s of shapes) {
    it(`sum, mean, max, sumsq, norm over [${s.lens}]${s.opts ? ' split' : ''}`, async () => {
      await gpuCase(async ({ device, scope, upload, zeros, read }) => {
        const rng = new Rng(s.lens.reduce((a, b) => a + b, 0));
        // Offset mean so sum and mean are not ~0 (a relative check would be meaningless).
        const arrays = s.lens.map((n) => f32(rng.normalArray(n).map((v) => v + 0.5)));
        const xs = await Promise.all(arrays.map((a, i) => upload(`x${i}`, a)));
        const ops: ReduceOp[] = ['sum', 'mean', 'max', 'sumsq', 'norm'];
        const out = await zeros('out', [ops.length]);
        const dispatches = [];
        for (const [i, op] of ops.entries()) dispatches.push(...(await reduceForward(scope, { x: xs, out }, { op, outIndex: i }, s.opts)));
        submitDispatches(device, dispatches);
        const got = await read(out);
        const total = s.lens.reduce((a, b) => a + b, 0);
        ops.forEach((op, i) => {
          const want = refOf(op, arrays);
          // Sums accumulate ~√n roundings of values of size ~|mean| + 1.
          const tol = op === 'max' ? 0 : 2e-7 * Math.sqrt(total) * (op === 'mean' ? 1 : total) + 1e-6 * Math.abs(want);
          expect(Math.abs(got[i] - want), `${op}: got ${got[i]}, want ${want}`).toBeLessThanOrEqual(tol);
        });
      });
    });
  }
});

describe('global-norm gradient clipping on GPU', () => {
  for (const maxNorm of [1, 1e3]) {
    it(`maxNorm = ${maxNorm} (${maxNorm === 1 ? 'clips' : 'leaves gradients unchanged'})`, async () => {
      await gpuCase(async ({ device, scope, upload, zeros, read }) => {
        const rng = new Rng(7);
        const grads = [f32(rng.normalArray(1000)), f32(rng.normalArray(65)), f32(rng.normalArray(4100))];
        const ts = await Promise.all(grads.map((g, i) => upload(`g${i}`, g)));
        const norm = await zeros('norm', [1]);
        submitDispatches(device, await clipGradNorm(scope, { grads: ts, norm }, { maxNorm }, split));
        const ref = clipGradNormRef(grads, maxNorm);
        expect((await read(norm))[0]).toBeCloseTo(ref.norm, 3);
        for (let i = 0; i < grads.length; i++) {
          const r = allClose(await read(ts[i]), ref.clipped[i], 1e-7, 1e-6);
          expect(r.ok, `grad ${i}: ${r.message}`).toBe(true);
        }
        if (maxNorm === 1) expect(globalNormRef(await Promise.all(ts.map(read)))).toBeCloseTo(1, 5);
      });
    });
  }
});

describe('column sum on GPU', () => {
  const cases: { M: number; N: number; accumulate?: boolean; opts?: LimitOptions }[] = [
    { M: 1, N: 1 },
    { M: 5, N: 70 },
    { M: 64, N: 64 },
    { M: 65, N: 3, accumulate: true },
    { M: 300, N: 129 },
    { M: 20000, N: 5, accumulate: true },
    // 64-row chunks (64·33 floats per binding): 4 chunks, then a second pass over their 4 partial rows.
    { M: 200, N: 33, opts: { maxBindingBytes: 64 * 33 * 4 } },
  ];
  for (const c of cases) {
    it(`(${c.M}, ${c.N}) → (${c.N})${c.accumulate ? ' +=' : ''}${c.opts ? ' split' : ''}`, async () => {
      await gpuCase(async ({ device, scope, upload, read }) => {
        const rng = new Rng(c.M * 31 + c.N);
        const x = f32(rng.normalArray(c.M * c.N));
        const out0 = c.accumulate ? f32(rng.normalArray(c.N)) : new Float64Array(c.N).fill(123);
        const out = await upload('db', out0);
        submitDispatches(device, await columnSumForward(scope, { x: await upload('dY', x), out }, c, c.opts));
        const want = columnSumRef(x, c);
        if (c.accumulate) want.forEach((_, i) => (want[i] += out0[i]));
        const r = allClose(await read(out), want, 1e-5, 1e-4 * Math.sqrt(c.M / 64 + 1));
        expect(r.ok, r.message).toBe(true);
      });
    });
  }
});

describe('under WebGPU default limits', () => {
  it('fills, scales and reduces a 129 MiB buffer (2 bindings, > 65535 workgroups)', async () => {
    await gpuCase(async ({ device, scope, zeros, read }) => {
      const n = 32 * 1024 * 1024 + 262_144 + 17; // (n): 33,816,593 f32 > 128 MiB
      const x = wholeTensor(scope.track(createBufferUnchecked(device, { label: 'big', size: n * 4 })), [n]);
      const out = await zeros('out', [4]);
      const fill = await fillForward(scope, { out: x }, { n, value: 0.25 });
      expect(fill.length).toBe(2);
      expect(fill[0].workgroups[1]).toBeGreaterThan(1); // 131072 workgroups do not fit one dimension
      submitDispatches(device, [
        ...fill,
        ...(await scaleForward(scope, { x }, { n, scale: 2 })),
        ...(await reduceForward(scope, { x, out }, { op: 'sum', outIndex: 0 })),
        ...(await reduceForward(scope, { x, out }, { op: 'max', outIndex: 1 })),
        ...(await reduceForward(scope, { x, out }, { op: 'norm', outIndex: 2 })),
        ...(await reduceForward(scope, { x, out }, { op: 'mean', outIndex: 3 })),
      ]);
      const [sum, max, norm, mean] = await read(out);
      expect(sum / (0.5 * n)).toBeCloseTo(1, 6);
      expect(max).toBe(0.5);
      expect(norm / (0.5 * Math.sqrt(n))).toBeCloseTo(1, 6);
      expect(mean).toBeCloseTo(0.5, 6);
      const tail = await readF32(device, x.buffer, n - 8, 8);
      expect([...tail]).toEqual(new Array(8).fill(0.5));
    }, 'default');
  });
});
