/**
 * A ResourceScope owns GPU buffers made for one model, kernel set or test (kernel `Params` uniforms, scratch
 * space), so they can be freed together with `dispose()`.
 */
import { createUniform } from './buffers';

/** Packs a `Params` struct of 4-byte scalars in declaration order. */
export type ParamField = readonly ['u32' | 'i32' | 'f32', number];

export function packParams(fields: readonly ParamField[]): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const dv = new DataView(buf);
  fields.forEach(([type, v], i) => {
    if (type === 'u32') dv.setUint32(i * 4, v, true);
    else if (type === 'i32') dv.setInt32(i * 4, v, true);
    else dv.setFloat32(i * 4, v, true);
  });
  return buf;
}

export class ResourceScope {
  private readonly owned: GPUBuffer[] = [];
  constructor(readonly device: GPUDevice) {}

  uniform(label: string, fields: readonly ParamField[]): GPUBuffer {
    const b = createUniform(this.device, `${label}:params`, packParams(fields));
    this.owned.push(b);
    return b;
  }

  /** Tracks a buffer made elsewhere (scratch space) so dispose() frees it too. */
  track(buffer: GPUBuffer): GPUBuffer {
    this.owned.push(buffer);
    return buffer;
  }

  dispose(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }
}
