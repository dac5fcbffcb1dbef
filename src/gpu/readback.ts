/**
 * Reading GPU buffers back to the CPU. Each call copies into a fresh MAP_READ staging buffer, waits for the queue and
 * returns a copy, so callers may keep the result after the staging buffer is destroyed. Reading back stalls the
 * pipeline: use it for tests, metrics every N steps, and inspection — never inside the training step.
 */
import { COPY_DST, MAP_READ } from './buffers';
import { withErrorScopes } from './errors';

export async function readBuffer(device: GPUDevice, src: GPUBuffer, byteOffset = 0, byteLength?: number): Promise<ArrayBuffer> {
  const length = byteLength ?? src.size - byteOffset;
  const staging = device.createBuffer({ label: `readback:${src.label}`, size: Math.ceil(length / 4) * 4, usage: MAP_READ | COPY_DST });
  try {
    await withErrorScopes(device, `reading back "${src.label}"`, () => {
      const enc = device.createCommandEncoder({ label: `readback:${src.label}` });
      enc.copyBufferToBuffer(src, byteOffset, staging, 0, staging.size);
      device.queue.submit([enc.finish()]);
    });
    await staging.mapAsync(MAP_READ);
    return staging.getMappedRange().slice(0, length);
  } finally {
    staging.destroy();
  }
}

export async function readF32(device: GPUDevice, src: GPUBuffer, offsetElems = 0, count?: number): Promise<Float32Array> {
  const bytes = await readBuffer(device, src, offsetElems * 4, count === undefined ? undefined : count * 4);
  return new Float32Array(bytes);
}

export async function readU32(device: GPUDevice, src: GPUBuffer, offsetElems = 0, count?: number): Promise<Uint32Array> {
  const bytes = await readBuffer(device, src, offsetElems * 4, count === undefined ? undefined : count * 4);
  return new Uint32Array(bytes);
}
