/**
 * Labelled GPU buffers with limits checked before allocation.
 *
 * Every buffer carries a label (`<op>_<pass>:<tensor>` or a model tensor name) so validation messages and captures
 * say which tensor is involved. A request above `maxBufferSize` is refused with the label, the size and the limit
 * instead of a device-level error; an allocation that the driver cannot satisfy becomes a GpuError('out-of-memory').
 */
import { formatBytes, GpuError, withErrorScopes } from './errors';

export const STORAGE = 0x80; // GPUBufferUsage.STORAGE (constants inlined: Node's globals may not exist yet at import)
export const COPY_SRC = 0x04;
export const COPY_DST = 0x08;
export const UNIFORM = 0x40;
export const MAP_READ = 0x01;

export interface BufferSpec {
  label: string;
  /** Size in bytes; rounded up to a multiple of 4 (WebGPU requires it for writes and copies). */
  size: number;
  usage?: GPUBufferUsageFlags;
}

/** Throws a clear GpuError if `size` bytes cannot be one buffer (or one binding, when `binding` is true). */
export function checkBufferSize(device: GPUDevice, label: string, size: number, binding = false): void {
  const maxBuffer = Number(device.limits.maxBufferSize);
  if (size > maxBuffer) {
    throw new GpuError(
      'limit',
      `Buffer "${label}" needs ${formatBytes(size)}, more than this GPU's maxBufferSize of ${formatBytes(maxBuffer)}. ` +
        'Use a smaller batch, fewer dates or a smaller model.',
    );
  }
  const maxBinding = Number(device.limits.maxStorageBufferBindingSize);
  if (binding && size > maxBinding) {
    throw new GpuError(
      'limit',
      `Buffer "${label}" needs ${formatBytes(size)} in one binding, more than maxStorageBufferBindingSize of ${formatBytes(maxBinding)}.`,
    );
  }
}

const align4 = (n: number) => Math.max(4, Math.ceil(n / 4) * 4);

/** Synchronous creation (no error scope): for hot paths where the caller already checked sizes. */
export function createBufferUnchecked(device: GPUDevice, spec: BufferSpec): GPUBuffer {
  return device.createBuffer({ label: spec.label, size: align4(spec.size), usage: spec.usage ?? STORAGE | COPY_SRC | COPY_DST });
}

/** Creates a storage buffer (by default STORAGE | COPY_SRC | COPY_DST) inside error scopes. */
export async function createBuffer(device: GPUDevice, spec: BufferSpec): Promise<GPUBuffer> {
  const size = align4(spec.size);
  checkBufferSize(device, spec.label, size);
  return withErrorScopes(device, `allocating buffer "${spec.label}" (${formatBytes(size)})`, () =>
    createBufferUnchecked(device, { ...spec, size }),
  );
}

/** Creates a storage buffer holding `data` (copied; `data` stays usable). */
export async function createBufferFrom(
  device: GPUDevice,
  label: string,
  data: Float32Array | Uint32Array | Int32Array,
  usage: GPUBufferUsageFlags = STORAGE | COPY_SRC | COPY_DST,
): Promise<GPUBuffer> {
  const buf = await createBuffer(device, { label, size: data.byteLength, usage });
  device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
  return buf;
}

/** A uniform buffer for a kernel's `Params` struct of 4-byte scalars (u32/i32/f32), written once. */
export function createUniform(device: GPUDevice, label: string, words: ArrayBuffer): GPUBuffer {
  const size = Math.max(16, Math.ceil(words.byteLength / 16) * 16);
  const buf = device.createBuffer({ label, size, usage: UNIFORM | COPY_DST });
  device.queue.writeBuffer(buf, 0, words);
  return buf;
}
