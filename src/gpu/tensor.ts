/**
 * A GpuTensor is a named, shaped view into a GPU buffer (llm.c style: parameters, gradients and activations are
 * views into a few large buffers). Offsets are in f32 elements and must be multiples of 64 (256 bytes, WebGPU's
 * minStorageBufferOffsetAlignment on most adapters) so any view can be bound on its own.
 */
import { assert } from '../lib/assert';

export interface GpuTensor {
  buffer: GPUBuffer;
  /** Offset into `buffer`, in 4-byte elements. */
  offset: number;
  /** Number of 4-byte elements. */
  size: number;
  shape: readonly number[];
  label: string;
}

/** Alignment of view offsets, in elements (256 bytes). */
export const VIEW_ALIGN = 64;

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A view of a whole buffer with the given shape. */
export function wholeTensor(buffer: GPUBuffer, shape: readonly number[], label = buffer.label): GpuTensor {
  const size = numel(shape);
  assert(size * 4 <= buffer.size, () => `tensor "${label}" of ${size} elements does not fit buffer "${buffer.label}" (${buffer.size} B)`);
  return { buffer, offset: 0, size, shape, label };
}

export function viewOf(buffer: GPUBuffer, offset: number, shape: readonly number[], label: string): GpuTensor {
  assert(offset % VIEW_ALIGN === 0, () => `view "${label}" offset ${offset} is not a multiple of ${VIEW_ALIGN} elements`);
  const size = numel(shape);
  assert((offset + size) * 4 <= buffer.size, () => `view "${label}" [${offset}, ${offset + size}) overruns buffer "${buffer.label}"`);
  return { buffer, offset, size, shape, label };
}

/** The buffer range to bind for a tensor (at least 4 bytes: WebGPU refuses zero-size bindings). */
export function binding(t: GpuTensor): GPUBufferBinding {
  return { buffer: t.buffer, offset: t.offset * 4, size: Math.max(1, t.size) * 4 };
}
