// GPU vs float64 reference for the target normalisation, modes none / patch / patch-group, over rows shorter and
// longer than the 64-invocation workgroup and not multiples of it, MAESTRO-like band groups (S2 4+4+2, aerial 1+4,
// DEM), single-value groups (defined to normalise to 0), a large common offset (two-pass variance), a tiny artificial
// binding limit and 2-D workgroup grids under an artificial per-dimension limit (on a DEFAULT-limits device).
import { describe, expect, it } from 'vitest';
import { gpuCase, type GpuCaseTools } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import type { SplitOptions } from './bindingChunks';
import { submitDispatches } from './dispatch';
import { targetNormForward, type TargetNormDims } from './targetnorm';
import { targetNormRef } from './targetnorm.ref';

interface Case extends TargetNormDims {
  offset?: number;
}

const cases: Case[] = [
  { R: 5, P: 2, C: 3, mode: 'none' },
  { R: 7, P: 3, C: 5, mode: 'patch' },
  { R: 9, P: 2, C: 10, mode: 'patch-group', groups: [4, 4, 2] },
  { R: 3, P: 16, C: 5, mode: 'patch-group', groups: [1, 4] },
  { R: 2, P: 32, C: 1, mode: 'patch', offset: 300 },
  { R: 4, P: 1, C: 3, mode: 'patch-group', groups: [1, 2] },
  { R: 6, P: 5, C: 3, mode: 'patch-group', groups: [2, 1], offset: 1000 },
];

async function runCase(tools: GpuCaseTools, c: Case, opts: SplitOptions = {}): Promise<Awaited<ReturnType<typeof targetNormForward>>> {
  const { device, scope, upload, zeros, read } = tools;
  const V = c.P * c.P * c.C;
  const rng = new Rng(c.R * 31 + V);
  // Rounded to f32 so the GPU and the reference normalise the same numbers; channels get different scales.
  const x = rng.normalArray(c.R * V).map((v, i) => Math.fround((c.offset ?? 0) + v * (1 + (i % c.C))));
  const out = await zeros('out', [c.R, V]);
  const dispatches = await targetNormForward(scope, { patches: await upload('patches', x), out }, c, opts);
  submitDispatches(device, dispatches);
  const got = await read(out);
  const expected = targetNormRef(x, c);
  // A common offset costs f32 mean precision: |offset|·2⁻²⁴ relative to σ ≈ 1.
  const r = allClose(got, expected, 2e-5 + (c.offset ?? 0) * 2e-7, 1e-4);
  expect(r.ok, r.message).toBe(true);
  if (c.groups?.[0] === 1 && c.P === 1) for (let row = 0; row < c.R; row++) expect(got[row * V]).toBe(0);
  return dispatches;
}

describe('targetnorm_forward on GPU', () => {
  for (const c of cases) {
    it(`${c.mode}${c.groups ? ` [${c.groups.join('+')}]` : ''} R=${c.R} P=${c.P} C=${c.C}${c.offset ? ` offset ${c.offset}` : ''}`, async () => {
      await gpuCase((tools) => runCase(tools, c));
    });
  }

  it('splits rows over several dispatches under a tiny binding limit (unaligned windows)', async () => {
    // V = 40 values per row, 3 rows per binding → 4 chunks for 11 rows.
    await gpuCase(async (tools) => {
      const d = await runCase(tools, { R: 11, P: 2, C: 10, mode: 'patch-group', groups: [4, 4, 2] }, { maxBindingBytes: (3 * 40 + 63) * 4 });
      expect(d.length).toBe(4);
    });
  });

  // More than 65535 real workgroups (one per row) takes tens of seconds on SwiftShader, so the 2-D grid is exercised
  // with an artificial per-dimension limit, on a device with WebGPU's default limits.
  it('DEFAULT limits: 2-D grid under an artificial 6-workgroups-per-dimension limit', async () => {
    await gpuCase(async (tools) => {
      const d = await runCase(tools, { R: 33, P: 2, C: 3, mode: 'patch' }, { maxWorkgroupsPerDim: 6 });
      expect(d[0].workgroups).toEqual([6, 6, 1]);
    }, 'default');
  });
});
