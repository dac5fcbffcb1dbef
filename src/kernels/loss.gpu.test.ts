// GPU vs float64 reference for the masked L1 / L2 loss and its gradient: rows shorter and longer than the
// 256-invocation workgroup, several stage-1 blocks, no masked row (loss 0, gradient 0), a uniform and a storage
// scale, a stats offset (several modalities in one buffer), bit-identical repeated forwards (deterministic
// reduction), a tiny artificial binding limit and 2-D grids under an artificial per-dimension limit.
import { describe, expect, it } from 'vitest';
import { gpuCase, type GpuCaseTools } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import type { SplitOptions } from './bindingChunks';
import { submitDispatches } from './dispatch';
import { maskedLossBackward, maskedLossForward, type MaskedLossDims } from './loss';
import { maskedLossBackwardRef, maskedLossForwardRef } from './loss.ref';

interface Case extends MaskedLossDims {
  maskRate: number;
  /** Read the scale from a storage tensor instead of a uniform. */
  scaleTensor?: boolean;
}

const cases: Case[] = [
  { R: 1, V: 1, kind: 'l1', maskRate: 1 },
  { R: 10, V: 7, kind: 'l2', maskRate: 0.75 },
  { R: 300, V: 40, kind: 'l1', maskRate: 0.75, statsOffset: 2 },
  { R: 50, V: 1280, kind: 'l2', maskRate: 0.5, scaleTensor: true },
  { R: 5000, V: 1, kind: 'l1', maskRate: 0.3, scaleTensor: true },
  { R: 17, V: 3, kind: 'l2', maskRate: 0 },
];

async function runCase(tools: GpuCaseTools, c: Case, opts: SplitOptions = {}): Promise<number[]> {
  const { device, scope, upload, zeros, read } = tools;
  const { R, V } = c;
  const rng = new Rng(R * 3 + V * 7 + (c.kind === 'l2' ? 1 : 0));
  const pred = rng.normalArray(R * V).map(Math.fround);
  const target = rng.normalArray(R * V).map(Math.fround);
  const mask = Float64Array.from({ length: R }, () => (rng.uniform() < c.maskRate ? 1 : 0));
  const scale = 0.37;
  const off = c.statsOffset ?? 0;
  const loss = maskedLossForwardRef(pred, target, mask, c);
  const dRef = maskedLossBackwardRef(pred, target, mask, c, scale);

  const predT = await upload('pred', pred);
  const targetT = await upload('target', target);
  const maskT = await upload('mask', mask);
  const stats = await upload('stats', new Float64Array(off + 2).fill(-7));
  const dPred = await zeros('dPred', [R, V]);
  const fwd = await maskedLossForward(scope, { pred: predT, target: targetT, mask: maskT, stats }, c, opts);
  const bwd = c.scaleTensor
    ? await maskedLossBackward(scope, { pred: predT, target: targetT, mask: maskT, stats, dPred, scale: await upload('scale', [9, 9, scale]) }, { ...c, scaleOffset: 2 }, opts)
    : await maskedLossBackward(scope, { pred: predT, target: targetT, mask: maskT, stats, dPred }, { ...c, scale }, opts);
  submitDispatches(device, [...fwd, ...bwd]);
  const s1 = await read(stats);
  // Values before the offset are another modality's: untouched.
  for (let i = 0; i < off; i++) expect(s1[i]).toBe(-7);
  const masked = mask.reduce((a, b) => a + b, 0);
  expect(s1[off + 1]).toBe(masked);
  const lr = allClose([s1[off]], [loss], 1e-7, 1e-5);
  expect(lr.ok, `loss: ${lr.message}`).toBe(true);
  const dr = allClose(await read(dPred), dRef, 1e-9, 1e-5);
  expect(dr.ok, `dPred: ${dr.message}`).toBe(true);

  // The same inputs give the same bits: fixed-order reductions, no atomics.
  submitDispatches(device, fwd);
  expect([...(await read(stats))]).toEqual([...s1]);
  return [fwd.length, bwd.length];
}

describe('masked loss on GPU', () => {
  for (const c of cases) {
    const name = `${c.kind} R=${c.R} V=${c.V} masked≈${c.maskRate}${c.scaleTensor ? ' scale from storage' : ''}${c.statsOffset ? ` stats@${c.statsOffset}` : ''}`;
    it(name, async () => {
      await gpuCase((tools) => runCase(tools, c));
    });
  }

  it('splits rows over several dispatches under a tiny binding limit (unaligned windows)', async () => {
    // 40 values per row, 3 rows per binding → 4 chunks for 11 rows (+ the forward's reduction).
    await gpuCase(async (tools) => {
      const [f, b] = await runCase(tools, { R: 11, V: 40, kind: 'l2', maskRate: 0.6 }, { maxBindingBytes: (3 * 40 + 63) * 4 });
      expect([f, b]).toEqual([5, 4]);
    });
  });

  it('DEFAULT limits: 2-D grids under an artificial 20-workgroups-per-dimension limit', async () => {
    // Stage 1: 2200 rows in blocks of 103 → 22 workgroups (11 × 2); backward: 2200·40 / 256 → 344 (18 × 20).
    await gpuCase((tools) => runCase(tools, { R: 2200, V: 40, kind: 'l1', maskRate: 0.75 }, { maxWorkgroupsPerDim: 20 }), 'default');
  });
});
