/**
 * Patchify / unpatchify on the GPU (shaders/patchify_forward.wgsl, shaders/patchify_backward.wgsl).
 *   patchifyForward:  x (B, T, C, H, W) → patches (B, T, L, P·P·Cg) for a band group `bands` (default all C),
 *                     in-patch order (py, px, c) channel fastest, as MAE's patchify (see patchify.ref.ts).
 *   unpatchify:       patches → image channels `bands` (others untouched), for showing reconstructions.
 *   patchifyBackward: dPatches → dx; the same scatter (patchify is a permutation, its adjoint is its inverse).
 * Work is split by samples (B·T images) so every binding fits maxStorageBufferBindingSize; each chunk is one dispatch.
 */
import patchifyForwardWgsl from '../../shaders/patchify_forward.wgsl?raw';
import patchifyBackwardWgsl from '../../shaders/patchify_backward.wgsl?raw';
import { createBufferFrom } from '../gpu/buffers';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import { binding, wholeTensor, type GpuTensor } from '../gpu/tensor';
import type { ResourceScope } from '../gpu/scope';
import { assert, assertInteger } from '../lib/assert';
import { deviceGrid, maxBindingElems, planChunks, windowOf, type SplitOptions } from './bindingChunks';
import { cdiv, type Dispatch } from './dispatch';

export interface PatchifyDims {
  B: number;
  T: number;
  C: number;
  H: number;
  W: number;
  P: number;
  /** The band group: distinct channels of x, in token order (default: all C). */
  bands?: readonly number[];
}

export interface PatchifyBuffers {
  x: GpuTensor; // (B, T, C, H, W)
  patches: GpuTensor; // (B, T, L, P·P·Cg)
}

export interface UnpatchifyBuffers {
  patches: GpuTensor; // (B, T, L, P·P·Cg)
  image: GpuTensor; // (B, T, C, H, W); only the channels in `bands` are written
}

export interface PatchifyBackwardBuffers {
  dPatches: GpuTensor; // (B, T, L, P·P·Cg)
  dx: GpuTensor; // (B, T, C, H, W); only the channels in `bands` are written
}

/** Invocations per workgroup of both shaders. */
export const PATCHIFY_WG = 256;

interface Checked {
  S: number;
  L: number;
  bands: number[];
  imageElems: number;
  patchElems: number;
}

function check(dims: PatchifyDims, image: GpuTensor, patches: GpuTensor, what: string): Checked {
  const { B, T, C, H, W, P } = dims;
  for (const [k, v] of Object.entries({ B, T, C, H, W, P })) assertInteger(`${what}: ${k}`, v, 1);
  assert(H % P === 0 && W % P === 0, () => `${what}: H=${H} and W=${W} must be multiples of the patch size P=${P}`);
  const bands = [...(dims.bands ?? Array.from({ length: C }, (_, c) => c))];
  assert(bands.length > 0, `${what}: empty band group`);
  for (const c of bands) assert(Number.isInteger(c) && c >= 0 && c < C, () => `${what}: band ${c} outside [0, ${C})`);
  assert(new Set(bands).size === bands.length, () => `${what}: band group [${bands.join(', ')}] repeats a channel`);
  const S = B * T;
  const L = (H / P) * (W / P);
  const imageElems = C * H * W;
  const patchElems = L * P * P * bands.length;
  assert(image.size >= S * imageElems, () => `${what}: image "${image.label}" has ${image.size} values, needs ${S}×${C}×${H}×${W}`);
  assert(patches.size >= S * patchElems, () => `${what}: patches "${patches.label}" has ${patches.size} values, needs ${S}×${L}×${patchElems / L}`);
  return { S, L, bands, imageElems, patchElems };
}

async function bandsTensor(scope: ResourceScope, label: string, bands: number[]): Promise<GpuTensor> {
  const buf = scope.track(await createBufferFrom(scope.device, `${label}:bands`, Uint32Array.from(bands)));
  return wholeTensor(buf, [bands.length], `${label}:bands`);
}

/** x (B, T, C, H, W) → patches (B, T, L, P·P·Cg). */
export async function patchifyForward(
  scope: ResourceScope,
  bufs: PatchifyBuffers,
  dims: PatchifyDims,
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'patchify_forward';
  const k = check(dims, bufs.x, bufs.patches, label);
  const pipeline = await getPipeline(device, { label, code: patchifyForwardWgsl, constants: { WG: PATCHIFY_WG } });
  const bands = await bandsTensor(scope, `${label}:${bufs.patches.label}`, k.bands);
  const chunks = planChunks(k.S, [k.imageElems, k.patchElems], maxBindingElems(device, opts), label);
  return chunks.map(({ start, count }, ci) => {
    const xw = windowOf(bufs.x, start * k.imageElems, count * k.imageElems);
    const pw = windowOf(bufs.patches, start * k.patchElems, count * k.patchElems);
    const n = count * k.patchElems;
    const name = `${label}:${bufs.patches.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', n],
      ['u32', dims.C],
      ['u32', dims.H],
      ['u32', dims.W],
      ['u32', dims.P],
      ['u32', k.bands.length],
      ['u32', xw.base],
      ['u32', pw.base],
    ]);
    const bg = bindGroup(device, pipeline, name, [xw.binding, binding(bands), pw.binding, params]);
    return { label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, cdiv(n, PATCHIFY_WG), opts) };
  });
}

/** patches (B, T, L, P·P·Cg) → image channels `bands` of (B, T, C, H, W); `accumulate` adds into the image. */
export async function unpatchify(
  scope: ResourceScope,
  bufs: UnpatchifyBuffers,
  dims: PatchifyDims & { accumulate?: boolean },
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'patchify_backward';
  const k = check(dims, bufs.image, bufs.patches, label);
  const pipeline = await getPipeline(device, {
    label,
    code: patchifyBackwardWgsl,
    constants: { WG: PATCHIFY_WG, ACCUMULATE: dims.accumulate ? 1 : 0 },
  });
  const bands = await bandsTensor(scope, `${label}:${bufs.image.label}`, k.bands);
  const chunks = planChunks(k.S, [k.imageElems, k.patchElems], maxBindingElems(device, opts), label);
  const Cg = k.bands.length;
  return chunks.map(({ start, count }, ci) => {
    const pw = windowOf(bufs.patches, start * k.patchElems, count * k.patchElems);
    const iw = windowOf(bufs.image, start * k.imageElems, count * k.imageElems);
    const n = count * Cg * dims.H * dims.W;
    const name = `${label}:${bufs.image.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', n],
      ['u32', dims.C],
      ['u32', dims.H],
      ['u32', dims.W],
      ['u32', dims.P],
      ['u32', Cg],
      ['u32', pw.base],
      ['u32', iw.base],
    ]);
    const bg = bindGroup(device, pipeline, name, [pw.binding, binding(bands), iw.binding, params]);
    return { label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, cdiv(n, PATCHIFY_WG), opts) };
  });
}

/** dPatches (B, T, L, P·P·Cg) → dx channels `bands` of (B, T, C, H, W) (the adjoint of patchifyForward). */
export function patchifyBackward(
  scope: ResourceScope,
  bufs: PatchifyBackwardBuffers,
  dims: PatchifyDims & { accumulate?: boolean },
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  return unpatchify(scope, { patches: bufs.dPatches, image: bufs.dx }, dims, opts);
}
