// GPU vs float64 reference for GroupNorm(1, E): forward (out, mean, rstd) and backward (dx, dGamma, dBeta) over
// channel counts below, at and above the 256-invocation workgroup and not dividing it, inputs with a large common
// offset (the two-pass variance must not cancel), accumulation of the parameter gradients, a tiny artificial binding
// limit (several chunks, unaligned windows) and 2-D workgroup grids (under an artificial per-dimension limit).
import { describe, expect, it } from 'vitest';
import { gpuCase, type GpuCaseTools } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import type { SplitOptions } from './bindingChunks';
import { submitDispatches } from './dispatch';
import { groupNormBackward, groupNormForward, type GroupNormDims } from './groupnorm';
import { groupNormBackwardRef, groupNormForwardRef } from './groupnorm.ref';

interface Case extends GroupNormDims {
  offset?: number;
  accumulate?: boolean;
}

const cases: Case[] = [
  { S: 1, L: 1, E: 1 },
  { S: 3, L: 7, E: 5 },
  { S: 4, L: 64, E: 96, offset: 50 },
  { S: 2, L: 9, E: 256 },
  { S: 2, L: 33, E: 300, accumulate: true },
  { S: 2, L: 100, E: 768, eps: 1e-6 },
];

async function runCase(tools: GpuCaseTools, c: Case, opts: SplitOptions = {}, expectChunks?: number): Promise<void> {
  const { device, scope, upload, zeros, read } = tools;
  const { S, L, E } = c;
  const n = S * L * E;
  const rng = new Rng(S * 1000 + L * 10 + E);
  const x = rng.normalArray(n).map((v, i) => (c.offset ?? 0) + (1 + (i % 3)) * v);
  const gamma = rng.normalArray(E);
  const beta = rng.normalArray(E);
  const dOut = rng.normalArray(n);
  const prior = c.accumulate ? rng.normalArray(2 * E) : new Float64Array(2 * E);
  const ref = groupNormForwardRef(x, gamma, beta, c);
  const grads = groupNormBackwardRef(x, gamma, ref.mean, ref.rstd, dOut, c);

  const xT = await upload('x', x);
  const gammaT = await upload('gamma', gamma);
  const out = await zeros('out', [S, L, E]);
  const mean = await zeros('mean', [S]);
  const rstd = await zeros('rstd', [S]);
  const fwd = await groupNormForward(scope, { x: xT, gamma: gammaT, beta: await upload('beta', beta), out, mean, rstd }, c, opts);
  const dx = await zeros('dx', [S, L, E]);
  const dGamma = await upload('dGamma', prior.subarray(0, E));
  const dBeta = await upload('dBeta', prior.subarray(E));
  const bwd = await groupNormBackward(
    scope,
    { x: xT, gamma: gammaT, mean, rstd, dOut: await upload('dOut', dOut), dx, dGamma, dBeta },
    c,
    opts,
  );
  if (opts.maxWorkgroupsPerDim) {
    for (const d of [...fwd, ...bwd]) expect(Math.max(...d.workgroups)).toBeLessThanOrEqual(opts.maxWorkgroupsPerDim);
    expect(fwd.some((d) => d.workgroups[1] > 1)).toBe(true);
  }
  if (expectChunks !== undefined) {
    expect(fwd.length).toBe(expectChunks);
    expect(bwd.length).toBe(expectChunks + 1);
  }
  submitDispatches(device, [...fwd, ...bwd]);

  const tolN = Math.sqrt(L * E);
  const checks: [string, Float32Array, ArrayLike<number>, number, number][] = [
    ['out', await read(out), ref.out, 1e-5, 1e-4],
    ['mean', await read(mean), ref.mean, 1e-5, 1e-5],
    ['rstd', await read(rstd), ref.rstd, 1e-5, 1e-4],
    ['dx', await read(dx), grads.dx, 1e-5 * tolN, 1e-4],
    ['dGamma', await read(dGamma), grads.dGamma.map((v, i) => v + prior[i]), 1e-5 * Math.sqrt(S * L), 1e-4],
    ['dBeta', await read(dBeta), grads.dBeta.map((v, i) => v + prior[E + i]), 1e-5 * Math.sqrt(S * L), 1e-4],
  ];
  for (const [what, got, expected, atol, rtol] of checks) {
    const r = allClose(got, expected, atol, rtol);
    expect(r.ok, `${what}: ${r.message}`).toBe(true);
  }
}

describe('groupnorm on GPU', () => {
  for (const c of cases) {
    const label = `S=${c.S} L=${c.L} E=${c.E}${c.offset ? ` offset ${c.offset}` : ''}${c.accumulate ? ' +=dγ,dβ' : ''}${c.eps ? ` eps ${c.eps}` : ''}`;
    it(`forward and backward ${label}`, async () => {
      await gpuCase((tools) => runCase(tools, c));
    });
  }

  it('splits samples over several dispatches under a tiny binding limit (unaligned windows)', async () => {
    // 35 values per sample, 2 samples per binding → 3 chunks for S = 5.
    await gpuCase((tools) => runCase(tools, { S: 5, L: 7, E: 5, offset: 2 }, { maxBindingBytes: (2 * 35 + 63) * 4 }, 3));
  });

  // More than 65535 real workgroups takes minutes on SwiftShader (each is 256 invocations with ~30 barriers), so the
  // 2-D grid is exercised with an artificial per-dimension limit, on a device with WebGPU's default limits.
  it('DEFAULT limits: 2-D grids under an artificial 8-workgroups-per-dimension limit, combined with chunking', async () => {
    await gpuCase((tools) => runCase(tools, { S: 70, L: 3, E: 5 }, { maxWorkgroupsPerDim: 8, maxBindingBytes: (50 * 15 + 63) * 4 }, 2), 'default');
  });
});
