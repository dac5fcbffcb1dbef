/**
 * An arena lays out many named tensors in a few large GPU buffers (llm.c: one allocation for all parameters, one for
 * all gradients, one for activations), so AdamW is one dispatch over a contiguous range and the memory actually
 * allocated can be compared with the analytic minimum.
 *
 * Layout is planned on the CPU first (`plan`), then allocated (`allocate`). Every tensor starts at a multiple of 64
 * elements (256 bytes, WebGPU's storage-offset alignment) so it can be bound alone. A tensor never straddles two
 * buffers; a new buffer starts when the current one would exceed `maxBufferElems` (from maxBufferSize, or
 * maxStorageBufferBindingSize when the whole range must be bindable at once, as for the flat AdamW update).
 *
 * `separate: true` gives every tensor its own buffer. Activations need this: WebGPU forbids binding one buffer as
 * read-only storage and as read-write storage in the same dispatch, even at disjoint ranges ("includes writable usage
 * and another usage in the same synchronization scope"), and most kernels read one activation while writing another.
 * Parameters, gradients and AdamW moments share the flat layout of src/model/params.ts instead: no kernel reads one
 * parameter while writing another.
 */
import { assert } from '../lib/assert';
import { createBuffer } from './buffers';
import { formatBytes } from './errors';
import { VIEW_ALIGN, numel, viewOf, type GpuTensor } from './tensor';

export interface PlannedTensor {
  name: string;
  shape: readonly number[];
  /** Which buffer of the arena. */
  buffer: number;
  /** Offset in elements within that buffer (multiple of 64). */
  offset: number;
  size: number;
}

export interface ArenaPlan {
  label: string;
  tensors: PlannedTensor[];
  /** Elements used in each buffer, including alignment padding. */
  bufferElems: number[];
}

const alignUp = (n: number) => Math.ceil(n / VIEW_ALIGN) * VIEW_ALIGN;

export function planArena(
  label: string,
  specs: readonly { name: string; shape: readonly number[] }[],
  maxBufferElems: number,
  opts: { separate?: boolean } = {},
): ArenaPlan {
  const tensors: PlannedTensor[] = [];
  const bufferElems: number[] = [0];
  const names = new Set<string>();
  for (const s of specs) {
    assert(!names.has(s.name), () => `arena "${label}": duplicate tensor name "${s.name}"`);
    names.add(s.name);
    const size = numel(s.shape);
    assert(size <= maxBufferElems, () => `arena "${label}": tensor "${s.name}" (${formatBytes(size * 4)}) exceeds the largest buffer this GPU allows (${formatBytes(maxBufferElems * 4)})`);
    let b = bufferElems.length - 1;
    let offset = alignUp(bufferElems[b]);
    if (offset + size > maxBufferElems || (opts.separate && tensors.length > 0)) {
      bufferElems.push(0);
      b++;
      offset = 0;
    }
    tensors.push({ name: s.name, shape: s.shape, buffer: b, offset, size });
    bufferElems[b] = offset + size;
  }
  return { label, tensors, bufferElems: bufferElems.map(alignUp) };
}

export interface Arena {
  plan: ArenaPlan;
  buffers: GPUBuffer[];
  /** Tensor views by name. */
  get(name: string): GpuTensor;
  /** Total bytes allocated. */
  bytes: number;
  destroy(): void;
}

export async function allocateArena(device: GPUDevice, plan: ArenaPlan): Promise<Arena> {
  const buffers: GPUBuffer[] = [];
  try {
    for (let i = 0; i < plan.bufferElems.length; i++) {
      const only = plan.tensors.filter((t) => t.buffer === i);
      const name = only.length === 1 ? `${plan.label}:${only[0].name}` : plan.bufferElems.length > 1 ? `${plan.label}#${i}` : plan.label;
      buffers.push(await createBuffer(device, { label: name, size: Math.max(4, plan.bufferElems[i] * 4) }));
    }
  } catch (e) {
    for (const b of buffers) b.destroy();
    throw e;
  }
  const views = new Map<string, GpuTensor>();
  for (const t of plan.tensors) views.set(t.name, viewOf(buffers[t.buffer], t.offset, t.shape, `${plan.label}:${t.name}`));
  return {
    plan,
    buffers,
    bytes: plan.bufferElems.reduce((s, n) => s + Math.max(4, n * 4), 0),
    get(name) {
      const v = views.get(name);
      if (!v) throw new Error(`arena "${plan.label}" has no tensor "${name}"`);
      return v;
    },
    destroy() {
      for (const b of buffers) b.destroy();
    },
  };
}
