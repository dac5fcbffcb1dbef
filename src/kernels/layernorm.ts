/**
 * LayerNorm over the last axis of x (R, D): forward saves mean (R) and rstd (R); backward gives dx (R, D) per row
 * and dGamma/dBeta (D) as a column reduction over rows (row blocks → partial rows → column_sum_forward), so no f32
 * atomics and a fixed summation order. Any R and D: rows are cut into chunks of multiples of 64 rows whose bindings
 * fit one storage binding, one workgroup per row on a 2D grid.
 * Shaders: layernorm_forward.wgsl, layernorm_backward.wgsl (dx), layernorm_params_backward.wgsl (dGamma, dBeta).
 * Outputs (out/mean/rstd; dx; dGamma/dBeta) must live in buffers other than the inputs of the same call.
 * Reference: layernorm.ref.ts (PyTorch nn.LayerNorm, biased variance; eps 1e-5 MAESTRO, 1e-6 MAE).
 */
import layernormBackwardWgsl from '../../shaders/layernorm_backward.wgsl?raw';
import layernormForwardWgsl from '../../shaders/layernorm_forward.wgsl?raw';
import layernormParamsBackwardWgsl from '../../shaders/layernorm_params_backward.wgsl?raw';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import { cdiv, type Dispatch } from './dispatch';
import { checkLen } from './flat';
import { COLUMN_TILE, columnSumDispatch, rowsPerBlockFor, scratchTensor } from './reduce';
import { alignUnitsFor, grid2d, kernelLimits, rangeBinding, splitUnits, type Chunk, type KernelLimits, type LimitOptions } from './split';

export interface LayernormOptions extends LimitOptions {
  /** Invocations per row (a power of two ≤ 256); default grows with D. */
  wgSize?: number;
}

/** Default workgroup size: about 4 elements per invocation, between 32 and 256. */
function defaultWgSize(D: number): number {
  return Math.min(256, Math.max(32, 2 ** Math.ceil(Math.log2(Math.ceil(D / 4)))));
}

function plan(device: GPUDevice, op: string, R: number, D: number, opts: LayernormOptions = {}): { limits: KernelLimits; chunks: Chunk[]; wg: number } {
  assert(R >= 1 && D >= 1 && Number.isInteger(R) && Number.isInteger(D), () => `${op}: bad shape R=${R}, D=${D}`);
  const wg = opts.wgSize ?? defaultWgSize(D);
  assert(wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0, () => `${op}: wgSize ${wg} must be a power of two ≤ 256`);
  const limits = kernelLimits(device, opts);
  const perDim = limits.maxWorkgroupsPerDim;
  // Row starts aligned for both the (R, D) and the (R) bindings.
  const chunks = splitUnits(R, D, limits.maxBindingElems, alignUnitsFor([D, 1]), perDim * perDim);
  return { limits, chunks, wg };
}

/** out (R, D) = LayerNorm(x) · gamma + beta; mean (R), rstd (R) = 1/sqrt(var + eps) saved for the backward. */
export async function layernormForward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (R, D)
    gamma: GpuTensor; // (D)
    beta: GpuTensor; // (D)
    out: GpuTensor; // (R, D)
    mean: GpuTensor; // (R)
    rstd: GpuTensor; // (R)
  },
  dims: { R: number; D: number; eps: number },
  opts?: LayernormOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  const { R, D } = dims;
  const op = 'layernorm_forward';
  for (const t of [bufs.x, bufs.out]) checkLen(op, t, R * D);
  for (const t of [bufs.gamma, bufs.beta]) checkLen(op, t, D);
  for (const t of [bufs.mean, bufs.rstd]) checkLen(op, t, R);
  const { limits, chunks, wg } = plan(device, op, R, D, opts);
  const pipeline = await getPipeline(device, { label: op, code: layernormForwardWgsl, constants: { WG_SIZE: wg } });
  return chunks.map((c, i) => {
    const label = `${op}:${bufs.out.label}${chunks.length > 1 ? `#${i}` : ''}`;
    const params = scope.uniform(label, [
      ['u32', c.count],
      ['u32', D],
      ['f32', dims.eps],
    ]);
    const bg = bindGroup(device, pipeline, label, [
      rangeBinding(bufs.x, c.start * D, c.count * D),
      rangeBinding(bufs.gamma, 0, D),
      rangeBinding(bufs.beta, 0, D),
      rangeBinding(bufs.out, c.start * D, c.count * D),
      rangeBinding(bufs.mean, c.start, c.count),
      rangeBinding(bufs.rstd, c.start, c.count),
      params,
    ]);
    return { label, pipeline, bindGroup: bg, workgroups: grid2d(c.count, limits.maxWorkgroupsPerDim) };
  });
}

/**
 * dx (R, D) and dGamma, dBeta (D) from x, gamma, the saved mean/rstd and dOut (R, D).
 * `accumulate`: dGamma/dBeta += (parameter gradients shared across calls); `accumulateDx`: dx += (residual stream).
 */
export async function layernormBackward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (R, D)
    gamma: GpuTensor; // (D)
    mean: GpuTensor; // (R)
    rstd: GpuTensor; // (R)
    dOut: GpuTensor; // (R, D)
    dx: GpuTensor; // (R, D)
    dGamma: GpuTensor; // (D)
    dBeta: GpuTensor; // (D)
  },
  dims: { R: number; D: number; accumulate?: boolean; accumulateDx?: boolean },
  opts?: LayernormOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  const { R, D } = dims;
  const op = 'layernorm_backward';
  for (const t of [bufs.x, bufs.dOut, bufs.dx]) checkLen(op, t, R * D);
  for (const t of [bufs.gamma, bufs.dGamma, bufs.dBeta]) checkLen(op, t, D);
  for (const t of [bufs.mean, bufs.rstd]) checkLen(op, t, R);
  const { limits, chunks, wg } = plan(device, op, R, D, opts);
  assert(cdiv(D, COLUMN_TILE) <= limits.maxWorkgroupsPerDim, () => `${op}: D=${D} needs too many column workgroups`);
  const accumulate = dims.accumulate ?? false;
  const dxPipeline = await getPipeline(device, {
    label: op,
    code: layernormBackwardWgsl,
    constants: { WG_SIZE: wg, ACCUMULATE: dims.accumulateDx ? 1 : 0 },
  });
  const rpb = rowsPerBlockFor(R, limits.maxWorkgroupsPerDim);
  const blocks = chunks.map((c) => cdiv(c.count, rpb));
  const totalBlocks = blocks.reduce((a, b) => a + b, 0);
  const direct = totalBlocks === 1;
  // One block writes straight into dGamma/dBeta (honouring accumulate); otherwise partial rows go to scratch.
  const paramsPipeline = await getPipeline(device, {
    label: 'layernorm_params_backward',
    code: layernormParamsBackwardWgsl,
    constants: { ACCUMULATE: direct && accumulate ? 1 : 0 },
  });
  if (!direct) assert(totalBlocks * D <= limits.maxBindingElems, () => `${op}: ${totalBlocks}×${D} partials exceed one binding`);
  const gPartial = direct ? bufs.dGamma : scratchTensor(scope, `${op}:dGamma.partials`, totalBlocks * D);
  const bPartial = direct ? bufs.dBeta : scratchTensor(scope, `${op}:dBeta.partials`, totalBlocks * D);
  const dispatches: Dispatch[] = [];
  let blockOffset = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    const tag = chunks.length > 1 ? `#${i}` : '';
    const rows = rangeBinding(bufs.x, c.start * D, c.count * D);
    const mean = rangeBinding(bufs.mean, c.start, c.count);
    const rstd = rangeBinding(bufs.rstd, c.start, c.count);
    const dOut = rangeBinding(bufs.dOut, c.start * D, c.count * D);

    const dxLabel = `${op}:${bufs.dx.label}${tag}`;
    const dxParams = scope.uniform(dxLabel, [
      ['u32', c.count],
      ['u32', D],
    ]);
    const dxGroup = bindGroup(device, dxPipeline, dxLabel, [
      rows,
      rangeBinding(bufs.gamma, 0, D),
      mean,
      rstd,
      dOut,
      rangeBinding(bufs.dx, c.start * D, c.count * D),
      dxParams,
    ]);
    dispatches.push({ label: dxLabel, pipeline: dxPipeline, bindGroup: dxGroup, workgroups: grid2d(c.count, limits.maxWorkgroupsPerDim) });

    const pLabel = `layernorm_params_backward:${bufs.dGamma.label}${tag}`;
    const pParams = scope.uniform(pLabel, [
      ['u32', c.count],
      ['u32', D],
      ['u32', rpb],
      ['u32', blockOffset],
    ]);
    const outLen = direct ? D : totalBlocks * D;
    const pGroup = bindGroup(device, paramsPipeline, pLabel, [
      rows,
      mean,
      rstd,
      dOut,
      rangeBinding(gPartial, 0, outLen),
      rangeBinding(bPartial, 0, outLen),
      pParams,
    ]);
    dispatches.push({ label: pLabel, pipeline: paramsPipeline, bindGroup: pGroup, workgroups: [cdiv(D, COLUMN_TILE), blocks[i], 1] });
    blockOffset += blocks[i];
  }
  if (!direct) {
    const fold = { rows: totalBlocks, N: D, rowsPerBlock: totalBlocks, blocks: 1, blockOffset: 0, accumulate };
    for (const [partial, out] of [
      [gPartial, bufs.dGamma],
      [bPartial, bufs.dBeta],
    ] as const) {
      const x = rangeBinding(partial, 0, totalBlocks * D);
      dispatches.push(await columnSumDispatch(scope, `${op}:${out.label}:fold`, { x, out: rangeBinding(out, 0, D) }, fold));
    }
  }
  return dispatches;
}
