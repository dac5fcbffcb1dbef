/**
 * GroupNorm(1, E) for the patch embedding (MAESTRO maestro/layers/embed.py; formulas in groupnorm.ref.ts).
 *   groupNormForward:  x (S, L, E) → out (S, L, E), mean (S), rstd (S); S = B·T (sample, date) token maps.
 *   groupNormBackward: dOut → dx (S, L, E), dGamma (E), dBeta (E). The parameter gradients are reduced over samples
 *                      in two dispatches (per-sample partials, then a fixed-order sum): deterministic, no atomics.
 * Work is split by samples so x / out / dOut / dx windows fit maxStorageBufferBindingSize; one workgroup per sample.
 */
import groupNormForwardWgsl from '../../shaders/groupnorm_forward.wgsl?raw';
import groupNormBackwardWgsl from '../../shaders/groupnorm_backward.wgsl?raw';
import groupNormBackwardReduceWgsl from '../../shaders/groupnorm_backward_reduce.wgsl?raw';
import { createBuffer } from '../gpu/buffers';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import { binding, wholeTensor, type GpuTensor } from '../gpu/tensor';
import type { ResourceScope } from '../gpu/scope';
import { assert, assertInteger } from '../lib/assert';
import { deviceGrid, maxBindingElems, planChunks, windowOf, type SplitOptions } from './bindingChunks';
import { cdiv, type Dispatch } from './dispatch';

export interface GroupNormDims {
  S: number;
  L: number;
  E: number;
  /** Default 1e-5 (PyTorch GroupNorm). */
  eps?: number;
}

export interface GroupNormForwardBuffers {
  x: GpuTensor; // (S, L, E)
  gamma: GpuTensor; // (E)
  beta: GpuTensor; // (E)
  out: GpuTensor; // (S, L, E)
  mean: GpuTensor; // (S)
  rstd: GpuTensor; // (S)
}

export interface GroupNormBackwardBuffers {
  x: GpuTensor; // (S, L, E)
  gamma: GpuTensor; // (E)
  mean: GpuTensor; // (S), from the forward
  rstd: GpuTensor; // (S), from the forward
  dOut: GpuTensor; // (S, L, E)
  dx: GpuTensor; // (S, L, E)
  dGamma: GpuTensor; // (E)
  dBeta: GpuTensor; // (E)
}

/** Invocations per workgroup (a power of two: the shaders reduce by halving). */
export const GROUPNORM_WG = 256;

function check(dims: GroupNormDims, t: Record<string, GpuTensor>, what: string): void {
  const { S, L, E } = dims;
  for (const [k, v] of Object.entries({ S, L, E })) assertInteger(`${what}: ${k}`, v, 1);
  const need: Record<string, number> = { x: S * L * E, out: S * L * E, dOut: S * L * E, dx: S * L * E, gamma: E, beta: E, dGamma: E, dBeta: E, mean: S, rstd: S };
  for (const [name, tensor] of Object.entries(t)) {
    assert(tensor.size >= need[name], () => `${what}: ${name} "${tensor.label}" has ${tensor.size} values, needs ${need[name]} for S=${S}, L=${L}, E=${E}`);
  }
}

/** out = GroupNorm(1, E)(x) with affine gamma/beta; saves mean and rstd per sample. */
export async function groupNormForward(
  scope: ResourceScope,
  bufs: GroupNormForwardBuffers,
  dims: GroupNormDims,
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'groupnorm_forward';
  check(dims, { ...bufs }, label);
  const { S, L, E } = dims;
  const n = L * E;
  const pipeline = await getPipeline(device, { label, code: groupNormForwardWgsl, constants: { WG: GROUPNORM_WG } });
  const chunks = planChunks(S, [n], maxBindingElems(device, opts), label);
  return chunks.map(({ start, count }, ci) => {
    const xw = windowOf(bufs.x, start * n, count * n);
    const ow = windowOf(bufs.out, start * n, count * n);
    const name = `${label}:${bufs.out.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', count],
      ['u32', n],
      ['u32', E],
      ['f32', dims.eps ?? 1e-5],
      ['u32', xw.base],
      ['u32', ow.base],
      ['u32', start],
    ]);
    const bg = bindGroup(device, pipeline, name, [
      xw.binding,
      binding(bufs.gamma),
      binding(bufs.beta),
      ow.binding,
      binding(bufs.mean),
      binding(bufs.rstd),
      params,
    ]);
    return { label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, count, opts) };
  });
}

/** dx, dGamma, dBeta of GroupNorm(1, E); `accumulate` adds into dGamma / dBeta (dx is always stored). */
export async function groupNormBackward(
  scope: ResourceScope,
  bufs: GroupNormBackwardBuffers,
  dims: GroupNormDims & { accumulate?: boolean },
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'groupnorm_backward';
  check(dims, { ...bufs }, label);
  const { S, L, E } = dims;
  const n = L * E;
  const maxElems = maxBindingElems(device, opts);
  assert(S * 2 * E <= maxElems, () => `${label}: the (S=${S}, 2, E=${E}) parameter-gradient partials exceed one binding`);
  const [pipeline, reducePipeline] = await Promise.all([
    getPipeline(device, { label, code: groupNormBackwardWgsl, constants: { WG: GROUPNORM_WG } }),
    getPipeline(device, {
      label: `${label}_reduce`,
      code: groupNormBackwardReduceWgsl,
      constants: { WG: GROUPNORM_WG, ACCUMULATE: dims.accumulate ? 1 : 0 },
    }),
  ]);
  // (S, 2, E): per-sample Σ_l dOut and Σ_l dOut·x̂, summed over samples by the reduce pass.
  const partialsBuf = scope.track(await createBuffer(device, { label: `${label}:${bufs.dx.label}:partials`, size: S * 2 * E * 4 }));
  const partials = wholeTensor(partialsBuf, [S, 2, E]);
  const span = Math.min(E, GROUPNORM_WG);
  const rowGroups = Math.floor(GROUPNORM_WG / span);
  const chunks = planChunks(S, [n], maxElems, label);
  const dispatches: Dispatch[] = chunks.map(({ start, count }, ci) => {
    const xw = windowOf(bufs.x, start * n, count * n);
    const dw = windowOf(bufs.dOut, start * n, count * n);
    const gw = windowOf(bufs.dx, start * n, count * n);
    const name = `${label}:${bufs.dx.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', count],
      ['u32', L],
      ['u32', E],
      ['u32', span],
      ['u32', rowGroups],
      ['u32', xw.base],
      ['u32', dw.base],
      ['u32', gw.base],
      ['u32', start],
    ]);
    const bg = bindGroup(device, pipeline, name, [
      xw.binding,
      binding(bufs.gamma),
      binding(bufs.mean),
      binding(bufs.rstd),
      dw.binding,
      gw.binding,
      binding(partials),
      params,
    ]);
    return { label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, count, opts) };
  });
  const rname = `${label}_reduce:${bufs.dGamma.label}`;
  const rparams = scope.uniform(rname, [
    ['u32', S],
    ['u32', E],
  ]);
  const rbg = bindGroup(device, reducePipeline, rname, [binding(partials), binding(bufs.dGamma), binding(bufs.dBeta), rparams]);
  dispatches.push({ label: rname, pipeline: reducePipeline, bindGroup: rbg, workgroups: [cdiv(2 * E, GROUPNORM_WG), 1, 1] });
  return dispatches;
}
