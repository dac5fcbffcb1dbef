/**
 * Fitting kernels to WebGPU limits: binding sub-ranges and 2D grids.
 *
 * Under WebGPU's DEFAULT limits one storage binding holds at most 128 MiB (32 Mi f32) and a grid has at most 65535
 * workgroups per dimension. Kernels here never assume more:
 *   - work is cut into chunks of whole units (elements, rows, K-slices) whose bindings fit `maxBindingElems`, each
 *     chunk one dispatch bound to sub-ranges of the same buffers (`rangeBinding`);
 *   - a chunk's workgroups are laid out on a 2D grid (`grid2d`); shaders recover the linear workgroup index as
 *     `wg.y * nwg.x + wg.x` (num_workgroups builtin) and return early past the end.
 * Invariant: a binding offset must be a multiple of 256 bytes (minStorageBufferOffsetAlignment ≤ 256 on every
 * adapter), i.e. 64 f32 (VIEW_ALIGN). Chunk starts are therefore multiples of `alignUnitsFor(...)` units, and
 * tensors' own offsets are multiples of 64 (GpuTensor invariant). Kernels that cannot align chunks (batched matmul)
 * bind from the aligned address below and pass the remainder as an element offset (`alignedRange`).
 *
 * Bindings of one buffer in one dispatch must be all read-only or all read_write (WebGPU usage scopes are per
 * buffer, not per range), so kernels document which tensors must live in separate buffers.
 *
 * `LimitOptions` lets tests force splitting on tiny shapes (a few KiB per binding, a handful of workgroups per
 * dimension) so the chunking logic is exercised on software adapters where huge tensors would be too slow.
 */
import { VIEW_ALIGN, type GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';

export interface LimitOptions {
  /** Cap on the bytes of one storage binding (below the device's maxStorageBufferBindingSize). */
  maxBindingBytes?: number;
  /** Cap on workgroups per grid dimension (below the device's maxComputeWorkgroupsPerDimension). */
  maxWorkgroupsPerDim?: number;
}

export interface KernelLimits {
  /** f32 elements one storage binding may hold. */
  maxBindingElems: number;
  maxWorkgroupsPerDim: number;
}

export function kernelLimits(device: GPUDevice, opts: LimitOptions = {}): KernelLimits {
  const bindingBytes = Math.min(Number(device.limits.maxStorageBufferBindingSize), opts.maxBindingBytes ?? Infinity);
  const perDim = Math.min(Number(device.limits.maxComputeWorkgroupsPerDimension), opts.maxWorkgroupsPerDim ?? Infinity);
  assert(bindingBytes >= 4 * VIEW_ALIGN, () => `maxBindingBytes ${bindingBytes} is below one aligned block (${4 * VIEW_ALIGN} B)`);
  assert(perDim >= 1, 'maxWorkgroupsPerDim must be ≥ 1');
  return { maxBindingElems: Math.floor(bindingBytes / 4), maxWorkgroupsPerDim: perDim };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Smallest unit count u such that u·e is a multiple of VIEW_ALIGN for every per-unit element count e. */
export function alignUnitsFor(elemsPerUnit: readonly number[]): number {
  let u = 1;
  for (const e of elemsPerUnit) {
    const need = VIEW_ALIGN / gcd(e % VIEW_ALIGN, VIEW_ALIGN);
    u = (u * need) / gcd(u, need);
  }
  return u;
}

export interface Chunk {
  /** First unit of the chunk. */
  start: number;
  /** Units in the chunk (> 0). */
  count: number;
}

/**
 * Cuts [0, total) units into consecutive chunks. `unitElems` is the largest per-unit element count of any binding
 * that is split (e.g. D for rows of (R, D)); `alignUnits` makes every chunk start aligned (see alignUnitsFor).
 * `maxUnits` optionally caps a chunk further (e.g. by grid size). Returns [] when total is 0.
 */
export function splitUnits(total: number, unitElems: number, maxBindingElems: number, alignUnits: number, maxUnits = Infinity): Chunk[] {
  assert(Number.isInteger(total) && total >= 0, () => `splitUnits: total must be a non-negative integer, got ${total}`);
  const fit = Math.min(Math.floor(maxBindingElems / Math.max(1, unitElems)), maxUnits);
  if (total <= fit) return total === 0 ? [] : [{ start: 0, count: total }];
  const per = Math.floor(fit / alignUnits) * alignUnits;
  assert(
    per > 0,
    () => `cannot split: ${alignUnits} aligned units × ${unitElems} elements exceed one binding of ${maxBindingElems} elements`,
  );
  const chunks: Chunk[] = [];
  for (let start = 0; start < total; start += per) chunks.push({ start, count: Math.min(per, total - start) });
  return chunks;
}

/** Binding of elements [start, start + count) of a tensor; the start must land on a 256-byte boundary. */
export function rangeBinding(t: GpuTensor, start: number, count: number): GPUBufferBinding {
  const first = t.offset + start;
  assert(first % VIEW_ALIGN === 0, () => `binding of "${t.label}" at element ${first} is not 256-byte aligned`);
  assert(start >= 0 && start + count <= t.size, () => `range [${start}, ${start + count}) overruns "${t.label}" (${t.size} elements)`);
  return { buffer: t.buffer, offset: first * 4, size: Math.max(1, count) * 4 };
}

/**
 * Binding of elements [start, start + count) starting at the aligned address at or below it; the shader adds
 * `rem` to its indices. The binding is `rem + count` elements long (≤ count + 63).
 */
export function alignedRange(t: GpuTensor, start: number, count: number): { binding: GPUBufferBinding; rem: number } {
  assert(start >= 0 && start + count <= t.size, () => `range [${start}, ${start + count}) overruns "${t.label}" (${t.size} elements)`);
  const first = t.offset + start;
  const base = Math.floor(first / VIEW_ALIGN) * VIEW_ALIGN;
  const rem = first - base;
  return { binding: { buffer: t.buffer, offset: base * 4, size: Math.max(1, rem + count) * 4 }, rem };
}

/** A grid of `groups` workgroups with at most `maxPerDim` per dimension (x first, then y). */
export function grid2d(groups: number, maxPerDim: number): readonly [number, number, number] {
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  assert(y <= maxPerDim, () => `${groups} workgroups exceed a ${maxPerDim}² grid`);
  // Spread evenly over x so the wasted tail of the last row stays below y workgroups.
  return [Math.ceil(groups / y), y, 1];
}
