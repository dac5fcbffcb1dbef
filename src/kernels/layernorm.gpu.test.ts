// GPU vs float64 reference for LayerNorm forward (out, mean, rstd) and backward (dx, dGamma, dBeta) over a sweep of
// shapes that are not multiples of the workgroup size or the 64-column tile, several WG_SIZE overrides (as llm.c
// sweeps block sizes), both eps values, accumulate flags, several row blocks for dGamma/dBeta, rows split into
// binding chunks and 2D grids (forced with tiny limits), rows with a large common offset (two-pass variance), and
// 70000 rows on a device with DEFAULT limits (one workgroup per row: more than 65535 in one grid dimension).
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { layernormBackward, layernormForward, type LayernormOptions } from './layernorm';
import { layernormBackwardRef, layernormForwardRef } from './layernorm.ref';

const f32 = (x: Float64Array) => Float64Array.from(x, Math.fround);

interface Case {
  R: number;
  D: number;
  eps?: number;
  offset?: number;
  accumulate?: boolean;
  opts?: LayernormOptions;
}

async function runCase(c: Case, limits: 'adapter' | 'default' = 'adapter'): Promise<void> {
  const eps = c.eps ?? 1e-5;
  await gpuCase(async ({ device, scope, upload, zeros, read }) => {
    const { R, D } = c;
    const rng = new Rng(R * 1000 + D);
    const x = f32(rng.normalArray(R * D).map((v) => v + (c.offset ?? 0)));
    const gamma = f32(rng.normalArray(D).map((v) => 1 + 0.5 * v));
    const beta = f32(rng.normalArray(D, 0.5));
    const dOut = f32(rng.normalArray(R * D));
    const dx0 = c.accumulate ? f32(rng.normalArray(R * D)) : new Float64Array(R * D);
    const dG0 = c.accumulate ? f32(rng.normalArray(D)) : new Float64Array(D).fill(7);
    const dB0 = c.accumulate ? f32(rng.normalArray(D)) : new Float64Array(D).fill(7);

    const t = {
      x: await upload('x', x),
      gamma: await upload('gamma', gamma),
      beta: await upload('beta', beta),
      out: await zeros('out', [R, D]),
      mean: await zeros('mean', [R]),
      rstd: await zeros('rstd', [R]),
      dOut: await upload('dOut', dOut),
      dx: await upload('dx', dx0),
      dGamma: await upload('dGamma', dG0),
      dBeta: await upload('dBeta', dB0),
    };
    const flags = { accumulate: c.accumulate, accumulateDx: c.accumulate };
    const fwd = await layernormForward(scope, t, { R, D, eps }, c.opts);
    const bwd = await layernormBackward(scope, t, { R, D, ...flags }, c.opts);
    if (c.opts?.maxBindingBytes) expect(fwd.length).toBe(4);
    if (R > 65535) expect(fwd[0].workgroups[1]).toBeGreaterThan(1);
    submitDispatches(device, [...fwd, ...bwd]);

    const ref = layernormForwardRef(x, gamma, beta, { R, D, eps });
    // The GPU backward consumes its own saved statistics, as the training graph does.
    const [mean, rstd] = [await read(t.mean), await read(t.rstd)];
    const grads = layernormBackwardRef(x, gamma, mean, rstd, dOut, { R, D });
    if (c.accumulate) {
      grads.dx.forEach((_, i) => (grads.dx[i] += dx0[i]));
      grads.dGamma.forEach((_, i) => (grads.dGamma[i] += dG0[i]));
      grads.dBeta.forEach((_, i) => (grads.dBeta[i] += dB0[i]));
    }
    // A common offset of 1000 quantises f32 inputs to ~6e-5, which bounds what any f32 LayerNorm can achieve.
    const atol = c.offset ? 1e-3 : 1e-5;
    const rowTol = 1e-4 * Math.sqrt(D / 64 + 1);
    const colTol = 1e-4 * Math.sqrt(R / 64 + 1);
    const checks: [string, Float32Array, Float64Array, number, number][] = [
      ['out', await read(t.out), ref.out, atol, rowTol],
      ['mean', mean, ref.mean, atol, 1e-5],
      ['rstd', rstd, ref.rstd, 0, c.offset ? 1e-3 : rowTol],
      ['dx', await read(t.dx), grads.dx, atol, rowTol],
      ['dGamma', await read(t.dGamma), grads.dGamma, atol, colTol],
      ['dBeta', await read(t.dBeta), grads.dBeta, 1e-5, colTol],
    ];
    for (const [label, got, want, a, r] of checks) {
      const rep = allClose(got, want, a, r);
      expect(rep.ok, `${label}: ${rep.message}`).toBe(true);
    }
  }, limits);
}

const cases: Case[] = [
  { R: 1, D: 1 },
  { R: 3, D: 5, opts: { wgSize: 32 } },
  { R: 7, D: 64, eps: 1e-6 },
  { R: 33, D: 100, opts: { wgSize: 64 }, accumulate: true },
  { R: 130, D: 257, opts: { wgSize: 256 } },
  { R: 300, D: 48 }, // 5 row blocks of 64 for dGamma/dBeta, folded by a second pass
  { R: 200, D: 40, opts: { maxBindingBytes: 64 * 40 * 4, maxWorkgroupsPerDim: 9 }, accumulate: true }, // 4 chunks, 8×8 grids
  { R: 20, D: 96, offset: 1000 },
];

describe('layernorm on GPU', () => {
  for (const c of cases) {
    const eps = c.eps ?? 1e-5;
    const name = `R=${c.R} D=${c.D} eps=${eps}${c.offset ? ` offset ${c.offset}` : ''}${c.accumulate ? ' +=' : ''}${c.opts ? ` ${JSON.stringify(c.opts)}` : ''}`;
    it(name, () => runCase(c));
  }

  it('R=70000 D=5 under default limits (2D grid of rows)', () => runCase({ R: 70000, D: 5, accumulate: true }, 'default'));
});
