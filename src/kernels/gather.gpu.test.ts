// GPU vs float64 reference for token gather / scatter: random-permutation (MAE ids_shuffle) and sorted
// visible‖masked (MAESTRO) index layouts, a plain (B, K) index list, K = N (nothing masked) and K = 0 (everything
// masked), channel counts not multiples of the 256-invocation workgroup (and above it), accumulation, a tiny artificial
// binding limit, 2-D grids under an artificial per-dimension limit, and, under DEFAULT limits, a decoder-sized scatter
// that needs more than 65535 workgroups. Gathers and scatters are exact; the mask-token gradient is a sum.
import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../gpu/buffers';
import { gpuCase, type GpuCaseTools } from '../gpu/testing/harness';
import { wholeTensor, type GpuTensor } from '../gpu/tensor';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import type { SplitOptions } from './bindingChunks';
import { submitDispatches } from './dispatch';
import { gatherBackward, gatherForward, scatterBackward, scatterForward, type GatherDims } from './gather';
import { gatherRowsRef, scatterRowsRef, scatterWithMaskTokenBackwardRef, scatterWithMaskTokenRef } from './gather.ref';

interface Case extends GatherDims {
  /** Sorted visible then sorted masked positions (MAESTRO) instead of a random permutation (MAE). */
  sorted?: boolean;
  accumulate?: boolean;
}

const cases: Case[] = [
  { B: 1, N: 1, K: 1, D: 1 },
  { B: 2, N: 10, K: 3, D: 5 },
  { B: 3, N: 49, K: 12, D: 64, sorted: true },
  { B: 2, N: 37, K: 37, D: 7 },
  { B: 2, N: 20, K: 0, D: 9 },
  { B: 2, N: 100, K: 25, D: 300, accumulate: true },
];

async function uploadU32(tools: GpuCaseTools, label: string, data: Uint32Array): Promise<GpuTensor> {
  const buf = tools.scope.track(await createBufferFrom(tools.device, label, data));
  return wholeTensor(buf, [data.length], label);
}

/** ids (B, N): per batch item a permutation of [0, N) whose first K entries are kept; keep (B, K) = those K. */
function makeIds(rng: Rng, c: Case): { ids: Uint32Array; keep: Uint32Array } {
  const { B, N, K } = c;
  const ids = new Uint32Array(B * N);
  const keep = new Uint32Array(B * K);
  for (let b = 0; b < B; b++) {
    const p = rng.permutation(N);
    const row = c.sorted ? [...[...p.subarray(0, K)].sort((u, v) => u - v), ...[...p.subarray(K)].sort((u, v) => u - v)] : [...p];
    ids.set(row, b * N);
    keep.set(row.slice(0, K), b * K);
  }
  return { ids, keep };
}

const f32Normal = (rng: Rng, n: number) => rng.normalArray(n).map(Math.fround);

function expectClose(what: string, got: ArrayLike<number>, expected: ArrayLike<number>, atol = 0, rtol = 0): void {
  const r = allClose(got, expected, atol, rtol);
  expect(r.ok, `${what}: ${r.message}`).toBe(true);
}

async function runCase(tools: GpuCaseTools, c: Case, opts: SplitOptions = {}): Promise<number> {
  const { device, scope, upload, zeros, read } = tools;
  const { B, N, K, D } = c;
  const rng = new Rng(B * 7 + N * 13 + K * 17 + D);
  const { ids, keep } = makeIds(rng, c);
  const idsT = await uploadU32(tools, 'ids', ids);
  const keepT = await uploadU32(tools, 'keep', keep);
  const x = f32Normal(rng, B * N * D);
  const dKept = f32Normal(rng, B * K * D);
  const token = f32Normal(rng, D);
  const dFull = f32Normal(rng, B * N * D);
  const acc = c.accumulate;
  const prior = (n: number) => (acc ? f32Normal(rng, n) : new Float64Array(n));
  const pOut = prior(B * K * D);
  const pDx = prior(B * N * D);
  const pScat = prior(B * N * D);
  const pDSrc = prior(B * K * D);
  const pTok = prior(D);

  const xT = await upload('x', x);
  const outPerm = await upload('outPerm', pOut);
  const outList = await zeros('outList', [B * K * D]);
  const dx = await upload('dx', pDx);
  const scat = await upload('scatter', pScat);
  const scatZero = await zeros('scatterNoToken', [B * N * D]);
  const dSrc = await upload('dSrc', pDSrc);
  const dTok = await upload('dMaskToken', pTok);
  const dKeptT = await upload('dKept', dKept);
  const dims = { B, N, K, D, accumulate: acc };
  const dispatches = [
    ...(await gatherForward(scope, { x: xT, ids: idsT, out: outPerm }, { ...dims, idsStride: N }, opts)),
    ...(await gatherForward(scope, { x: xT, ids: keepT, out: outList }, { B, N, K, D }, opts)),
    ...(await gatherBackward(scope, { dOut: dKeptT, ids: idsT, dx }, dims, opts)),
    ...(await scatterForward(scope, { src: dKeptT, ids: idsT, maskToken: await upload('token', token), out: scat }, dims, opts)),
    ...(await scatterForward(scope, { src: dKeptT, ids: idsT, out: scatZero }, { B, N, K, D }, opts)),
    ...(await scatterBackward(scope, { dOut: await upload('dFull', dFull), ids: idsT, dSrc, dMaskToken: dTok }, dims, opts)),
  ];
  submitDispatches(device, dispatches);

  const plus = (a: ArrayLike<number>, p: ArrayLike<number>) => Float64Array.from(a, (v, i) => v + p[i]);
  const tol = acc ? 1e-6 : 0;
  expectClose('gather (permutation ids)', await read(outPerm), plus(gatherRowsRef(x, keep, c), pOut), tol, tol);
  expectClose('gather (B, K) list', await read(outList), gatherRowsRef(x, keep, c));
  const scattered = scatterRowsRef(dKept, keep, c);
  // Accumulating gather_backward adds to kept rows and leaves masked rows as they were.
  expectClose('gather backward', await read(dx), plus(scattered, pDx), tol, tol);
  expectClose('scatter with mask token', await read(scat), plus(scatterWithMaskTokenRef(dKept, keep, token, c), pScat), tol, tol);
  expectClose('scatter without mask token', await read(scatZero), scattered);
  const back = scatterWithMaskTokenBackwardRef(dFull, keep, c);
  expectClose('scatter backward dSrc', await read(dSrc), plus(back.dSrc, pDSrc), tol, tol);
  expectClose('scatter backward dMaskToken', await read(dTok), plus(back.dMaskToken, pTok), 1e-5 * Math.sqrt(B * (N - K) + 1), 1e-5);
  return dispatches.length;
}

describe('gather / scatter on GPU', () => {
  for (const c of cases) {
    it(`B=${c.B} N=${c.N} K=${c.K} D=${c.D}${c.sorted ? ' sorted' : ''}${c.accumulate ? ' accumulate' : ''}`, async () => {
      await gpuCase((tools) => runCase(tools, c));
    });
  }

  it('splits batch items over several dispatches under a tiny binding limit (unaligned windows)', async () => {
    // N·D = 65 values per batch item, 2 items per binding → 3 chunks for B = 5 in every kernel.
    await gpuCase(async (tools) => {
      const n = await runCase(tools, { B: 5, N: 13, K: 4, D: 5 }, { maxBindingBytes: (2 * 65 + 63) * 4 });
      // 6 chunked copies (2 gathers, gather backward, 2 scatters, the dSrc gather of scatter backward) × 3 chunks,
      // plus the mask-token partial sums (3 chunks) and their reduction.
      expect(n).toBe(6 * 3 + 3 + 1);
    });
  });

  it('DEFAULT limits: 2-D grids under an artificial 40-workgroups-per-dimension limit', async () => {
    // Scatters: 2·190·1000 / 256 → 1485 workgroups (40 × 38); mask-token partials: 12 row blocks × 4 channel blocks
    // = 48 (24 × 2); gathers: 79 (40 × 2).
    await gpuCase((tools) => runCase(tools, { B: 2, N: 190, K: 10, D: 1000 }, { maxWorkgroupsPerDim: 40 }), 'default');
  });

  it('DEFAULT limits: a decoder-sized mask-token scatter over more than 65535 workgroups', async () => {
    await gpuCase(async (tools) => {
      const { device, scope, upload, zeros, read } = tools;
      // B·N·D = 16.79 M outputs > 65535 × 256 invocations.
      const c = { B: 2, N: 2048, K: 512, D: 4100 };
      const { ids, keep } = makeIds(new Rng(60), c);
      // Values from a formula: generating 2 M normals through the BigInt PCG would dominate the test.
      const src = Float32Array.from({ length: c.B * c.K * c.D }, (_, i) => (i % 1021) * 0.25);
      const token = Float32Array.from({ length: c.D }, (_, d) => -1 - d);
      const out = await zeros('out', [c.B * c.N * c.D]);
      const d = await scatterForward(scope, { src: await upload('src', src), ids: await uploadU32(tools, 'ids', ids), maskToken: await upload('token', token), out }, c);
      expect(d[0].workgroups[1]).toBeGreaterThan(1);
      submitDispatches(device, d);
      expectClose('scatter', await read(out), scatterWithMaskTokenRef(src, keep, token, c));
    }, 'default');
  });
});
