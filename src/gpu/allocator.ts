/**
 * Allocates named tensors, each in its own GPU buffer, and keeps the tally of bytes allocated so the training engine
 * can report memory actually used against the analytic minimum. One buffer per tensor because WebGPU forbids
 * binding a buffer read-only and read-write in the same dispatch even at disjoint ranges (see arena.ts), and
 * activation kernels always read one tensor while writing another.
 *
 * Creation is synchronous (no error scope per buffer); wrap a whole graph build in `withErrorScopes` to turn an
 * out-of-memory into one clear GpuError. Sizes are checked against maxBufferSize and the storage binding limit first.
 */
import { checkBufferSize, COPY_DST, COPY_SRC, STORAGE } from './buffers';
import { numel, wholeTensor, type GpuTensor } from './tensor';

export class TensorAllocator {
  private readonly buffers: GPUBuffer[] = [];
  private readonly byName = new Map<string, GpuTensor>();
  bytes = 0;

  constructor(
    readonly device: GPUDevice,
    readonly prefix: string,
  ) {}

  /** A zero-initialised f32 tensor (WebGPU zero-fills new buffers). Names must be unique within the allocator. */
  tensor(name: string, shape: readonly number[]): GpuTensor {
    if (this.byName.has(name)) throw new Error(`${this.prefix}: tensor "${name}" allocated twice`);
    const label = `${this.prefix}:${name}`;
    const size = Math.max(1, numel(shape)) * 4;
    checkBufferSize(this.device, label, size, true);
    const buffer = this.device.createBuffer({ label, size, usage: STORAGE | COPY_SRC | COPY_DST });
    this.buffers.push(buffer);
    this.bytes += size;
    const t = wholeTensor(buffer, shape, label);
    this.byName.set(name, t);
    return t;
  }

  get(name: string): GpuTensor {
    const t = this.byName.get(name);
    if (!t) throw new Error(`${this.prefix}: no tensor "${name}"`);
    return t;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
    this.byName.clear();
    this.bytes = 0;
  }
}
