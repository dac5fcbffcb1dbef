// GPU vs float64 reference for the fused AdamW update over several steps: the dispatches are recorded once and
// replayed while the host rewrites the step scalars (lr schedule, bias corrections) and the gradients, with and
// without a per-element decay mask, on lengths that are not multiples of the workgroup, with tiny limits forcing
// chunks and 2D grids, and on a device with DEFAULT limits over more than 65535·256 parameters.
import { describe, expect, it } from 'vitest';
import { createBufferUnchecked } from '../gpu/buffers';
import { readF32 } from '../gpu/readback';
import { gpuCase } from '../gpu/testing/harness';
import { wholeTensor } from '../gpu/tensor';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { adamwUpdate, createAdamwStepBuffer, writeAdamwStep } from './adamw';
import { adamwRef } from './adamw.ref';
import { submitDispatches } from './dispatch';
import { accumulateForward, fillForward } from './elementwise';
import { reduceForward } from './reduce';
import type { LimitOptions } from './split';

const f32 = (x: Float64Array) => Float64Array.from(x, Math.fround);
const hyper = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 };

interface Case {
  n: number;
  mask?: boolean;
  opts?: LimitOptions;
}

const cases: Case[] = [
  { n: 1 },
  { n: 1000, mask: true },
  { n: 70001 },
  { n: 3000, mask: true, opts: { maxBindingBytes: 4096, maxWorkgroupsPerDim: 3 } },
];

describe('adamw_update on GPU', () => {
  for (const c of cases) {
    it(`5 steps, n=${c.n}${c.mask ? ' with decay mask' : ''}${c.opts ? ' split' : ''}`, async () => {
      await gpuCase(async ({ device, scope, upload, zeros, read }) => {
        const rng = new Rng(c.n);
        const mask = c.mask ? Uint8Array.from({ length: c.n }, (_, i) => (i % 3 === 0 ? 0 : 1)) : undefined;
        let state: { param: Float64Array; m: Float64Array; v: Float64Array } = {
          param: f32(rng.normalArray(c.n)),
          m: new Float64Array(c.n),
          v: new Float64Array(c.n),
        };
        const t = {
          param: await upload('param', state.param),
          grad: await zeros('grad', [c.n]),
          m: await zeros('m', [c.n]),
          v: await zeros('v', [c.n]),
          step: createAdamwStepBuffer(scope),
          decayMask: mask ? await upload('decayMask', mask) : undefined,
        };
        const dispatches = await adamwUpdate(scope, t, { n: c.n, ...hyper }, c.opts);
        if (c.opts) expect(dispatches.length).toBe(3);
        for (let step = 1; step <= 5; step++) {
          const lr = 1e-2 / step; // a schedule: the recorded dispatches read it from the step buffer
          // Gradients shrink over the steps, and some are ~1e-4, so m/sqrt(v) is not just ±1.
          const grad = f32(rng.normalArray(c.n).map((g, i) => (i % 7 === 0 ? 1e-4 * g : g / step)));
          device.queue.writeBuffer(t.grad.buffer, 0, Float32Array.from(grad));
          writeAdamwStep(device, t.step, hyper, { lr, step });
          submitDispatches(device, dispatches);
          state = adamwRef({ ...state, grad }, { ...hyper, lr, step, decayMask: mask });
        }
        // m and v are running sums of O(1) terms of both signs: their f32 rounding is absolute, ~1e-7 of the terms.
        for (const [name, got, want, atol] of [
          ['param', await read(t.param), state.param, 1e-6],
          ['m', await read(t.m), state.m, 3e-7],
          ['v', await read(t.v), state.v, 1e-9],
        ] as const) {
          const r = allClose(got, want, atol, 1e-5);
          expect(r.ok, `${name}: ${r.message}`).toBe(true);
        }
      });
    });
  }

  it('updates 65535·256 + 300 parameters under default limits (2D grid)', async () => {
    await gpuCase(async ({ device, scope, zeros, read }) => {
      const n = 65535 * 256 + 300;
      const big = (label: string) => wholeTensor(scope.track(createBufferUnchecked(device, { label, size: n * 4 })), [n], label);
      const t = { param: big('param'), grad: big('grad'), m: big('m'), v: big('v'), step: createAdamwStepBuffer(scope) };
      const lr = 1e-3;
      const update = await adamwUpdate(scope, t, { n, ...hyper });
      expect(update.length).toBe(1);
      expect(update[0].workgroups[1]).toBe(2);
      writeAdamwStep(device, t.step, hyper, { lr, step: 1 });
      submitDispatches(device, [
        ...(await fillForward(scope, { out: t.param }, { n, value: 1 })),
        ...(await fillForward(scope, { out: t.grad }, { n, value: 0.5 })),
        ...update,
      ]);
      const want = adamwRef({ param: [1], grad: [0.5], m: [0], v: [0] }, { ...hyper, lr, step: 1 }).param[0];
      const tail = await readF32(device, t.param.buffer, n - 4, 4);
      tail.forEach((p) => expect(p).toBeCloseTo(want, 6));
      // Every element must equal `want`: subtract it in place and check the largest residual and Σ residual².
      const out = await zeros('out', [2]);
      const shift = await zeros('shift', [1]);
      device.queue.writeBuffer(shift.buffer, 0, Float32Array.of(-want));
      submitDispatches(device, [
        ...(await accumulateForward(scope, { x: shift, out: t.param }, { n, xLen: 1 })),
        ...(await reduceForward(scope, { x: t.param, out }, { op: 'max', outIndex: 0 })),
        ...(await reduceForward(scope, { x: t.param, out }, { op: 'sumsq', outIndex: 1 })),
      ]);
      const [maxResidual, sumSq] = await read(out);
      expect(Math.abs(maxResidual)).toBeLessThan(1e-6);
      expect(sumSq).toBeLessThan(1e-6);
    }, 'default');
  });
});
