// GPU vs float64 reference for the tiled attention core, forward (out, lse) and backward (dqkv), over shapes whose N
// is not a multiple of any block size and head sizes that are not multiples of the per-thread vec4 columns (3, 24, 40),
// every block tiling the wrapper can pick (forced through the workgroup-memory budget), batch chunking with binding
// windows at unaligned offsets, and a long sequence (N = 1100) that would need a 4.8 MB N×N score matrix per head.
import { describe, expect, it } from 'vitest';
import { createBuffer } from '../gpu/buffers';
import { gpuCase, type GpuCaseTools } from '../gpu/testing/harness';
import { viewOf } from '../gpu/tensor';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import {
  ATTENTION_TILINGS,
  attentionBackward,
  attentionForward,
  attentionScratchSize,
  attentionTiling,
  type AttentionDims,
  type AttentionKernel,
  type AttentionOptions,
} from './attention';
import { attentionBackwardRef, attentionForwardRef } from './attention.ref';
import { submitDispatches } from './dispatch';

interface Data {
  qkv: Float64Array;
  dOut: Float64Array;
}

function makeData(dims: AttentionDims, seed: number): Data {
  const rng = new Rng(seed);
  const E = dims.NH * dims.HS;
  return { qkv: rng.normalArray(dims.B * dims.N * 3 * E), dOut: rng.normalArray(dims.B * dims.N * E) };
}

/** Tolerances grow with the reduction lengths (N keys, HS dims), as f32 accumulation error does. */
function tol(dims: AttentionDims): [number, number] {
  const grow = Math.sqrt(dims.N * dims.HS) / 8;
  return [1e-5 * Math.max(1, grow), 1e-4 * Math.max(1, grow)];
}

/** Runs forward then backward (on the GPU's own out and lse) and checks all three results against the reference. */
async function checkAttention(tools: GpuCaseTools, dims: AttentionDims, data: Data, opts: AttentionOptions = {}): Promise<void> {
  const { device, scope, upload, zeros, read } = tools;
  const { B, N, NH, HS } = dims;
  const E = NH * HS;
  const ref = attentionForwardRef(data.qkv, dims);
  const refGrad = attentionBackwardRef(data.qkv, ref.out, ref.lse, data.dOut, dims);

  const qkv = await upload('qkv', data.qkv, [B, N, 3 * E]);
  const out = await zeros('out', [B, N, E]);
  const lse = await zeros('lse', [B, NH, N]);
  const dOut = await upload('dOut', data.dOut, [B, N, E]);
  // NaN-filled, so an element the backward forgets to write fails the comparison.
  const dqkv = await upload('dqkv', new Float64Array(B * N * 3 * E).fill(NaN), [B, N, 3 * E]);
  const delta = await zeros('delta', [attentionScratchSize(dims)]);

  submitDispatches(device, await attentionForward(scope, { qkv, out, lse }, dims, opts));
  submitDispatches(device, await attentionBackward(scope, { qkv, out, lse, dOut, dqkv, delta }, dims, opts));
  const [atol, rtol] = tol(dims);
  const rOut = allClose(await read(out), ref.out, atol, rtol);
  expect(rOut.ok, `out: ${rOut.message}`).toBe(true);
  const rLse = allClose(await read(lse), ref.lse, atol, rtol);
  expect(rLse.ok, `lse: ${rLse.message}`).toBe(true);
  const rGrad = allClose(await read(dqkv), refGrad, atol, rtol);
  expect(rGrad.ok, `dqkv: ${rGrad.message}`).toBe(true);
}

const shapes: AttentionDims[] = [
  { B: 1, N: 1, NH: 1, HS: 8 },
  { B: 2, N: 37, NH: 3, HS: 16 },
  { B: 1, N: 130, NH: 2, HS: 32 },
  { B: 1, N: 70, NH: 4, HS: 24 },
  { B: 1, N: 300, NH: 1, HS: 64 },
  { B: 2, N: 33, NH: 2, HS: 40 }, // 10 vec4 columns: two per thread, the second only on 2 of 8 lanes
  { B: 1, N: 19, NH: 3, HS: 3 }, // head size not a multiple of 4
  { B: 1, N: 45, NH: 1, HS: 128 },
];

describe('attention on GPU', () => {
  for (const dims of shapes) {
    it(`(B, N, NH, HS) = (${dims.B}, ${dims.N}, ${dims.NH}, ${dims.HS}): out, lse, dqkv`, async () => {
      await gpuCase((tools) => checkAttention(tools, dims, makeData(dims, dims.N * 131 + dims.HS)));
    });
  }

  it('smaller block tilings chosen from smaller workgroup-memory budgets, including HS = 128 in 16 KiB', async () => {
    // With the default budget (32 KiB on llvmpipe and SwiftShader) the shapes above use the two largest tilings;
    // these budgets force the others, so every candidate runs on at least one kernel.
    const dims = { B: 1, N: 45, NH: 2, HS: 24 };
    const big = { B: 1, N: 21, NH: 1, HS: 128 };
    const runs: [AttentionDims, number][] = [
      [dims, 8192],
      [dims, 4096],
      [big, 16384],
    ];
    const used = new Set<string>();
    for (const [d, budget] of runs) {
      for (const k of ['forward', 'dkdv', 'dq'] as AttentionKernel[]) {
        const t = attentionTiling(k, d.HS, budget);
        expect(t.bytes).toBeLessThanOrEqual(budget);
        used.add(`${t.tr},${t.rows},${t.cols}`);
      }
    }
    for (const k of ['forward', 'dkdv', 'dq'] as AttentionKernel[]) {
      for (const d of shapes) {
        const t = attentionTiling(k, d.HS, 32768);
        used.add(`${t.tr},${t.rows},${t.cols}`);
      }
    }
    expect([...used].sort()).toEqual(ATTENTION_TILINGS.map((t) => t.join(',')).sort());
    expect(attentionTiling('dkdv', 128, 16384).tr).toBe(4);
    await gpuCase(async (tools) => {
      for (const [d, budget] of runs) await checkAttention(tools, d, makeData(d, d.HS + budget), { workgroupStorageBytes: budget });
    });
  });

  it('splits the batch into binding windows at unaligned offsets and into grid chunks', async () => {
    // Per sequence qkv holds 13·48 = 624 floats: a 4 KiB binding takes one sequence (plus alignment slack), so 5
    // sequences become 5 dispatches per kernel whose windows start mid-256-byte block. Tensors are views at a
    // non-zero offset of shared buffers, as the model's activation arena places them.
    const dims = { B: 5, N: 13, NH: 2, HS: 8 };
    const data = makeData(dims, 7);
    const ref = attentionForwardRef(data.qkv, dims);
    const refGrad = attentionBackwardRef(data.qkv, ref.out, ref.lse, data.dOut, dims);
    const E = dims.NH * dims.HS;
    const n3 = dims.B * dims.N * 3 * E;
    const n1 = dims.B * dims.N * E;
    const ns = dims.B * dims.NH * dims.N;
    await gpuCase(async ({ device, scope, read }) => {
      for (const opts of [{ maxBindingBytes: 4096 }, { maxWorkgroupsPerDimension: 2 }] as AttentionOptions[]) {
        const arena = scope.track(await createBuffer(device, { label: 'arena', size: 4 * (64 + n3 + 64 + n1 + 64 + n1 + 64 + ns + 64 + n3 + 64 + ns) }));
        let at = 64;
        const view = (label: string, size: number) => {
          const v = viewOf(arena, at, [size], label);
          at += Math.ceil(size / 64) * 64 + 64;
          return v;
        };
        const qkv = view('qkv', n3);
        const out = view('out', n1);
        const dOut = view('dOut', n1);
        const lse = view('lse', ns);
        const dqkv = view('dqkv', n3);
        const delta = view('delta', ns);
        device.queue.writeBuffer(arena, qkv.offset * 4, Float32Array.from(data.qkv));
        device.queue.writeBuffer(arena, dOut.offset * 4, Float32Array.from(data.dOut));
        device.queue.writeBuffer(arena, dqkv.offset * 4, new Float32Array(n3).fill(NaN));
        const fwd = await attentionForward(scope, { qkv, out, lse }, dims, opts);
        const bwd = await attentionBackward(scope, { qkv, out, lse, dOut, dqkv, delta }, dims, opts);
        expect(fwd.length).toBe(opts.maxBindingBytes ? 5 : 3);
        expect(bwd.length).toBe(3 * fwd.length);
        submitDispatches(device, [...fwd, ...bwd]);
        const [atol, rtol] = tol(dims);
        for (const [name, got, want] of [
          ['out', await read(out), ref.out],
          ['lse', await read(lse), ref.lse],
          ['dqkv', await read(dqkv), refGrad],
        ] as const) {
          const r = allClose(got, want, atol, rtol);
          expect(r.ok, `${name} with ${JSON.stringify(opts)}: ${r.message}`).toBe(true);
        }
      }
    });
  });

  it('N = 1100 (no N×N buffer: 1100² floats per head would be 4.8 MB)', async () => {
    const dims = { B: 1, N: 1100, NH: 1, HS: 8 };
    await gpuCase((tools) => checkAttention(tools, dims, makeData(dims, 1100)));
  });
});
