// GPU vs float64 reference for the element-wise ops (add, accumulate, bias add, scale, fill) on lengths that are not
// multiples of the 256-wide workgroup, with broadcasts whose period straddles chunk boundaries, and with tiny
// binding/grid caps that force several chunks and 2D grids. Element-wise ops are exact in f32 up to one rounding,
// so the tolerance is tight.
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { accumulateForward, addForward, biasAddForward, fillForward, scaleForward } from './elementwise';
import { addRef, scaleRef } from './elementwise.ref';
import type { LimitOptions } from './split';

const f32 = (x: Float64Array) => Float64Array.from(x, Math.fround);

// 1280-element bindings and ≤ 3 workgroups per dimension: several chunks, 3×2 grids with an idle workgroup.
const split: LimitOptions = { maxBindingBytes: 5120, maxWorkgroupsPerDim: 3 };

interface Case {
  R: number;
  C: number;
  opts?: LimitOptions;
}

const cases: Case[] = [
  { R: 1, C: 1 },
  { R: 3, C: 257 },
  { R: 37, C: 33 },
  { R: 61, C: 45, opts: split },
];

describe('element-wise ops on GPU', () => {
  for (const c of cases) {
    const n = c.R * c.C;
    const tag = `${c.R}×${c.C}${c.opts ? ' split' : ''}`;

    it(`add, accumulate and bias add, ${tag}`, async () => {
      await gpuCase(async ({ device, scope, upload, zeros, read }) => {
        const rng = new Rng(n + 1);
        const a = f32(rng.normalArray(n));
        const b = f32(rng.normalArray(n));
        const bias = f32(rng.normalArray(c.C));
        const [ta, tb, tbias] = [await upload('a', a), await upload('b', b), await upload('bias', bias)];
        const sum = await zeros('sum', [n]);
        const acc = await upload('acc', a);
        const biased = await zeros('biased', [n]);
        const biasedInPlace = await upload('biasedInPlace', b);
        const dispatches = [
          ...(await addForward(scope, { a: ta, b: tb, out: sum }, { n }, c.opts)),
          ...(await accumulateForward(scope, { x: tb, out: acc }, { n }, c.opts)),
          ...(await biasAddForward(scope, { x: ta, bias: tbias, out: biased }, { R: c.R, C: c.C }, c.opts)),
          ...(await biasAddForward(scope, { bias: tbias, out: biasedInPlace }, { R: c.R, C: c.C }, c.opts)),
        ];
        if (c.opts) expect(dispatches.length).toBeGreaterThan(4);
        submitDispatches(device, dispatches);
        for (const [t, want] of [
          [sum, addRef(a, b)],
          [acc, addRef(a, b)],
          [biased, addRef(a, bias)],
          [biasedInPlace, addRef(b, bias)],
        ] as const) {
          const r = allClose(await read(t), want, 1e-6, 1e-6);
          expect(r.ok, `${t.label}: ${r.message}`).toBe(true);
        }
      });
    });

    it(`scale and fill, ${tag}`, async () => {
      await gpuCase(async ({ device, scope, upload, read }) => {
        const x = f32(new Rng(n + 2).normalArray(n));
        const tx = await upload('x', x);
        const filled = await upload('filled', x);
        submitDispatches(device, [
          ...(await scaleForward(scope, { x: tx }, { n, scale: -0.375 }, c.opts)),
          ...(await fillForward(scope, { out: filled }, { n, value: 2.5 }, c.opts)),
        ]);
        const r = allClose(await read(tx), scaleRef(x, -0.375), 0, 1e-7);
        expect(r.ok, r.message).toBe(true);
        expect([...(await read(filled))].every((v) => v === 2.5)).toBe(true);
      });
    });
  }

  it('touches only the first n elements of a longer tensor', async () => {
    await gpuCase(async ({ device, scope, upload, read }) => {
      const x = await upload('x', new Float64Array(300).fill(1));
      submitDispatches(device, await fillForward(scope, { out: x }, { n: 257 }));
      const got = await read(x);
      expect(got.slice(0, 257).every((v) => v === 0)).toBe(true);
      expect(got.slice(257).every((v) => v === 1)).toBe(true);
    });
  });

  it('rejects a broadcast length that does not divide n', async () => {
    await gpuCase(async ({ scope, zeros }) => {
      const t = await zeros('t', [10]);
      await expect(addForward(scope, { a: t, b: t, out: t }, { n: 10, bLen: 3 })).rejects.toThrow(/broadcast length 3/);
    });
  });
});
