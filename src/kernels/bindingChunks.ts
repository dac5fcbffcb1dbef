/**
 * Fitting a kernel's work under WebGPU's DEFAULT limits, for the kernels of patchify, groupnorm, targetnorm, gather
 * and loss: maxStorageBufferBindingSize = 128 MiB (llvmpipe even reports it as its adapter maximum) and
 * maxComputeWorkgroupsPerDimension = 65535.
 *
 * - `planChunks` cuts a leading axis (samples, rows, batch items) into ranges whose bindings each fit; every range
 *   becomes one dispatch with its own uniforms.
 * - `windowOf` binds the element range [start, start + count) of a tensor. Binding offsets must be multiples of
 *   256 bytes, so the window opens at the aligned element at or before `start` and the shader adds `base` (0…63,
 *   passed in its Params) to every index into that binding.
 * - `deviceGrid` lays out n workgroups as (x, y, 1) with x, y ≤ the per-dimension limit (split.ts grid2d); shaders
 *   recover the linear workgroup index as wg.y·nwg.x + wg.x and return early past n (fewer than y surplus workgroups).
 * The alignment and grid arithmetic itself lives once, in split.ts; this module adds the planning by item ranges.
 */
import { assert } from '../lib/assert';
import { VIEW_ALIGN, type GpuTensor } from '../gpu/tensor';
import { alignedRange, grid2d, type Chunk, type LimitOptions } from './split';

export type { Chunk };

/** Test overrides of the binding and grid limits (same as split.ts LimitOptions). */
export type SplitOptions = LimitOptions;

export interface Window {
  binding: GPUBufferBinding;
  /** Elements between the start of the binding and element `start` of the tensor (0…VIEW_ALIGN−1). */
  base: number;
}

/** Largest binding, in f32 elements, for this device and options. */
export function maxBindingElems(device: GPUDevice, opts: SplitOptions = {}): number {
  const bytes = opts.maxBindingBytes ?? Number(device.limits.maxStorageBufferBindingSize);
  return Math.floor(bytes / 4);
}

/**
 * Splits `total` items into consecutive ranges such that, for every windowed binding j, a range of `count` items
 * needs count·elemsPerItem[j] + (VIEW_ALIGN − 1) elements (worst-case alignment slack) ≤ maxElems.
 */
export function planChunks(total: number, elemsPerItem: readonly number[], maxElems: number, what: string): Chunk[] {
  const slack = VIEW_ALIGN - 1;
  let perChunk = total;
  for (const e of elemsPerItem) {
    if (e <= 0) continue;
    const fit = Math.floor((maxElems - slack) / e);
    assert(
      fit >= 1,
      () => `${what}: one item needs ${e} f32 values (${e * 4} B) in a single binding, more than the ${maxElems * 4} B binding limit`,
    );
    perChunk = Math.min(perChunk, fit);
  }
  const chunks: Chunk[] = [];
  for (let start = 0; start < total; start += perChunk) chunks.push({ start, count: Math.min(perChunk, total - start) });
  return chunks;
}

/** Binds elements [start, start + count) of `t` (in elements of t), opening the binding at a 256-byte boundary. */
export function windowOf(t: GpuTensor, start: number, count: number): Window {
  // Zero-size bindings are invalid; the shader never reads a window of count 0, so alignedRange binds one element.
  const { binding, rem } = alignedRange(t, start, count);
  return { binding, base: rem };
}

/** grid2d with the device's maxComputeWorkgroupsPerDimension (or the test override). */
export function deviceGrid(device: GPUDevice, n: number, opts: SplitOptions = {}): readonly [number, number, number] {
  return grid2d(n, opts.maxWorkgroupsPerDim ?? Number(device.limits.maxComputeWorkgroupsPerDimension));
}
