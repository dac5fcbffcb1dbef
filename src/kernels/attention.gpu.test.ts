// GPU vs float64 reference for the tiled attention core, forward (out, lse) and backward (dqkv), over shapes whose N
// is not a multiple of any block size and head sizes that are not multiples of the per-thread vec4 columns (3, 24, 40),
// every value of the block-tiling parameters (HS = 128 on a device with WebGPU's default 16 KiB of workgroup memory
// gets the smallest tilings), batch chunking with binding windows at unaligned offsets, and a long sequence
// (N = 1100) that would need a 4.8 MB N×N score matrix per head.
import { describe, expect, it } from 'vitest';
import { createBuffer } from '../gpu/buffers';
import { gpuCase, testContext, type GpuCaseTools } from '../gpu/testing/harness';
import { viewOf } from '../gpu/tensor';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import {
  attentionBackward,
  attentionForward,
  attentionScratchSize,
  attentionTiling,
  type AttentionDims,
  type AttentionKernel,
  type AttentionOptions,
  type AttentionTiling,
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

/**
 * atol 1e-5, rtol 1e-4, loosened with the √ of the longest reduction (N keys) past 64, as f32 accumulation error
 * grows. Measured errors are ≤ 1e-6 on llvmpipe and SwiftShader for every shape here.
 */
function tol(dims: AttentionDims): [number, number] {
  const grow = Math.max(1, Math.sqrt(dims.N / 64));
  return [1e-5 * grow, 1e-4 * grow];
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
  const rLse = allClose(await read(lse), ref.lse, atol, rtol);
  const rGrad = allClose(await read(dqkv), refGrad, atol, rtol);
  console.log(
    `[attention ${JSON.stringify(dims)}${opts.workgroupStorageBytes ? ` ${opts.workgroupStorageBytes} B` : ''}] max abs err ` +
      `out ${rOut.maxAbsErr.toExponential(1)}, lse ${rLse.maxAbsErr.toExponential(1)}, dqkv ${rGrad.maxAbsErr.toExponential(1)} (atol ${atol.toExponential(1)})`,
  );
  expect(rOut.ok, `out: ${rOut.message}`).toBe(true);
  expect(rLse.ok, `lse: ${rLse.message}`).toBe(true);
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
];

describe('attention on GPU', () => {
  for (const dims of shapes) {
    it(`(B, N, NH, HS) = (${dims.B}, ${dims.N}, ${dims.NH}, ${dims.HS}): out, lse, dqkv`, async () => {
      await gpuCase((tools) => checkAttention(tools, dims, makeData(dims, dims.N * 131 + dims.HS)));
    });
  }

  it('HS = 128 in 16 KiB of workgroup memory: the smallest tilings, and every tiling parameter value', async () => {
    // With the adapter's budget (32 KiB on llvmpipe, SwiftShader and most GPUs) the shapes above get the largest
    // tilings; HS = 128 in WebGPU's default 16 KiB forces the smallest, so every thread-block parameter value (TR 8 and 4; 1, 2 and 4
    // rows and columns per thread) runs in at least one kernel. Each tiling is a separate pipeline, and compiling one
    // costs seconds on a software adapter, so this covers the values rather than every combination.
    const big = { B: 2, N: 21, NH: 2, HS: 128 };
    const kernels: AttentionKernel[] = ['forward', 'dkdv', 'dq'];
    const used: AttentionTiling[] = kernels.map((k) => attentionTiling(k, big.HS, 16384));
    const adapterBudget = Number((await testContext()).device.limits.maxComputeWorkgroupStorageSize);
    for (const d of shapes) for (const k of kernels) used.push(attentionTiling(k, d.HS, adapterBudget));
    expect(new Set(used.map((t) => t.tr))).toEqual(new Set([8, 4]));
    expect(new Set(used.map((t) => t.rows))).toEqual(new Set([1, 2, 4]));
    expect(new Set(used.map((t) => t.cols))).toEqual(new Set([1, 2, 4]));
    // On a device with WebGPU's default limits, so the 16 KiB budget is the device's own limit, not an option.
    await gpuCase(async (tools) => {
      expect(tools.device.limits.maxComputeWorkgroupStorageSize).toBe(16384);
      await checkAttention(tools, big, makeData(big, 128));
    }, 'default');
  });

  it('splits the batch into binding windows at unaligned offsets and into grid chunks', async () => {
    // Per sequence qkv holds 13·48 = 624 floats: a 4 KiB binding takes one sequence (plus alignment slack), so 5
    // sequences become 5 dispatches per kernel whose windows start mid-256-byte block. Tensors are views at a
    // non-zero offset of their buffers, as the model's activation arena places them.
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
        // Each tensor is a view one 256-byte block into its own buffer (non-zero aligned offset). Separate buffers,
        // because WebGPU forbids binding one buffer as read-only and writable storage in the same dispatch.
        const view = async (label: string, size: number, init?: ArrayLike<number>) => {
          const buffer = scope.track(await createBuffer(device, { label, size: 4 * (64 + size + 64) }));
          if (init) device.queue.writeBuffer(buffer, 64 * 4, Float32Array.from(init));
          return viewOf(buffer, 64, [size], label);
        };
        const qkv = await view('qkv', n3, data.qkv);
        const out = await view('out', n1);
        const dOut = await view('dOut', n1, data.dOut);
        const lse = await view('lse', ns);
        const dqkv = await view('dqkv', n3, new Float32Array(n3).fill(NaN));
        const delta = await view('delta', ns);
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
