// GPU vs float64 reference for the WGSL erf library and the exact GELU: erf and erfc are held to ~1e-6 RELATIVE
// error over a dense range, near zero and in the tails; GELU forward/backward are compared on lengths that are not
// multiples of the 256-wide workgroup, with tiny binding/grid caps that force several chunks and 2D grids, and over
// 65535·256 + 77 elements on a device with DEFAULT limits (more than 65535 workgroups in one dimension).
import { describe, expect, it } from 'vitest';
import { createBufferUnchecked } from '../gpu/buffers';
import { gpuCase } from '../gpu/testing/harness';
import { wholeTensor } from '../gpu/tensor';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { accumulateForward, fillForward } from './elementwise';
import { erfForward, geluBackward, geluForward } from './gelu';
import { erfcRef, erfRef, geluBackwardRef, geluForwardRef } from './gelu.ref';
import { reduceForward } from './reduce';
import type { LimitOptions } from './split';

/** Dense grid on [lo, hi] plus ± log-spaced tiny magnitudes, all rounded to f32 (the GPU sees f32 inputs). */
function erfInputs(lo: number, hi: number, steps: number): Float64Array {
  const xs: number[] = [];
  for (let i = 0; i <= steps; i++) xs.push(lo + ((hi - lo) * i) / steps);
  for (let e = -30; e <= -1; e += 0.25) xs.push(10 ** e, -(10 ** e));
  return Float64Array.from(xs, Math.fround);
}

/** Worst |got − want| / |want| (want ≠ 0), and where. */
function worstRel(got: ArrayLike<number>, want: ArrayLike<number>, x: ArrayLike<number>): { rel: number; at: number } {
  let rel = 0;
  let at = NaN;
  for (let i = 0; i < want.length; i++) {
    if (want[i] === 0) continue;
    const r = Math.abs(got[i] - want[i]) / Math.abs(want[i]);
    if (r > rel) [rel, at] = [r, x[i]];
  }
  return { rel, at };
}

describe('WGSL erf on GPU', () => {
  for (const complement of [false, true]) {
    const name = complement ? 'erfc' : 'erf';
    // erfc is compared where it is a normal f32 (below ~1e-37 the GPU may flush denormals to zero).
    const [lo, hi] = complement ? [-4, 9] : [-6, 6];
    it(`${name} is within 1e-6 relative of float64 on [${lo}, ${hi}] and near 0`, async () => {
      await gpuCase(async ({ device, scope, upload, zeros, read }) => {
        const x = erfInputs(lo, hi, 26000);
        const want = Float64Array.from(x, complement ? erfcRef : erfRef);
        const out = await zeros('out', [x.length]);
        submitDispatches(device, await erfForward(scope, { x: await upload('x', x), out }, { n: x.length, complement }));
        const got = await read(out);
        const { rel, at } = worstRel(got, want, x);
        console.log(`[erf] ${name}: max relative error ${rel.toExponential(2)} at x = ${at}`);
        expect(rel).toBeLessThan(1e-6);
      });
    });
  }
});

describe('GELU relative accuracy on GPU', () => {
  // Down to GELU(−12) ≈ −2e-32: further out Φ(x) itself drops below the smallest normal f32 (SwiftShader flushes it).
  it('forward stays within 2e-6 relative of float64 in the negative tail, down to x = −12', async () => {
    await gpuCase(async ({ device, scope, upload, zeros, read }) => {
      const x = erfInputs(-12, -0.5, 5000).filter((v) => v <= -0.5);
      const out = await zeros('out', [x.length]);
      submitDispatches(device, await geluForward(scope, { x: await upload('x', x), out }, { n: x.length }));
      const { rel, at } = worstRel(await read(out), geluForwardRef(x), x);
      console.log(`[erf] GELU tail: max relative error ${rel.toExponential(2)} at x = ${at}`);
      expect(rel).toBeLessThan(2e-6);
    });
  });
});

interface GeluCase {
  n: number;
  opts?: LimitOptions;
}

const cases: GeluCase[] = [
  { n: 1 },
  { n: 255 },
  { n: 4097 },
  // 1280-element bindings and ≤ 3 workgroups per dimension: chunks of 1280 (a 3×2 grid with one idle workgroup)
  // and 720 elements.
  { n: 2000, opts: { maxBindingBytes: 5120, maxWorkgroupsPerDim: 3 } },
];

describe('gelu on GPU', () => {
  for (const c of cases) {
    const name = `n=${c.n}${c.opts ? ` split ${JSON.stringify(c.opts)}` : ''}`;
    it(`forward and backward, ${name}`, async () => {
      await gpuCase(async ({ device, scope, upload, zeros, read }) => {
        const rng = new Rng(c.n);
        // Wide inputs reach both tails; a few exact zeros and large values check the edges.
        const x = Float64Array.from(rng.normalArray(c.n, 3), Math.fround);
        if (c.n > 4) [x[0], x[1], x[2], x[3]] = [0, -12, 12, -20];
        const dOut = rng.normalArray(c.n);
        const xt = await upload('x', x);
        const y = await zeros('y', [c.n]);
        const dx = await zeros('dx', [c.n]);
        const dispatches = [
          ...(await geluForward(scope, { x: xt, out: y }, { n: c.n }, c.opts)),
          ...(await geluBackward(scope, { x: xt, dOut: await upload('dOut', dOut), dx }, { n: c.n }, c.opts)),
        ];
        if (c.opts) expect(dispatches.map((d) => d.workgroups)).toEqual([[3, 2, 1], [3, 1, 1], [3, 2, 1], [3, 1, 1]]);
        submitDispatches(device, dispatches);
        const fwd = allClose(await read(y), geluForwardRef(x), 1e-6, 1e-5);
        expect(fwd.ok, fwd.message).toBe(true);
        const bwd = allClose(await read(dx), geluBackwardRef(x, Float64Array.from(dOut, Math.fround)), 1e-6, 1e-5);
        expect(bwd.ok, bwd.message).toBe(true);
      });
    });
  }
});

describe('gelu under WebGPU default limits', () => {
  // Forward only: the backward shares the same flat dispatch layout, and each pass over 16.8M erf evaluations costs
  // seconds on a software adapter.
  it('forward over 65535·256 + 77 elements (2D grid)', async () => {
    await gpuCase(async ({ device, scope, zeros, read }) => {
      const n = 65535 * 256 + 77;
      const big = (label: string) => wholeTensor(scope.track(createBufferUnchecked(device, { label, size: n * 4 })), [n], label);
      const [x, y] = [big('x'), big('y')];
      const fwd = await geluForward(scope, { x, out: y }, { n });
      expect(fwd[0].workgroups[1]).toBe(2);
      // x = −1 everywhere, so y = GELU(−1) everywhere: subtract it in place and require every residual to be ~0.
      const shift = await zeros('shift', [1]);
      device.queue.writeBuffer(shift.buffer, 0, Float32Array.of(-geluForwardRef([-1])[0]));
      const out = await zeros('out', [2]);
      submitDispatches(device, [
        ...(await fillForward(scope, { out: x }, { n, value: -1 })),
        ...fwd,
        ...(await accumulateForward(scope, { x: shift, out: y }, { n, xLen: 1 })),
        ...(await reduceForward(scope, { x: y, out }, { op: 'max', outIndex: 0 })),
        ...(await reduceForward(scope, { x: y, out }, { op: 'sumsq', outIndex: 1 })),
      ]);
      const [maxResidual, sumSq] = await read(out);
      expect(Math.abs(maxResidual)).toBeLessThan(1e-7);
      expect(sumSq).toBeLessThan(1e-6);
    }, 'default');
  });
});
