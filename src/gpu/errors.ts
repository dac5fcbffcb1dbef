/**
 * GPU errors with plain-language messages.
 *
 * WebGPU reports allocation and validation failures asynchronously through error scopes; left alone they surface as
 * a console warning far from the call that caused them. `withErrorScopes` wraps one operation, pops both scopes and
 * throws a `GpuError` that names what was being done (a buffer label and size, a pipeline label) and the relevant limit.
 */

export type GpuErrorKind = 'validation' | 'out-of-memory' | 'limit' | 'device-lost' | 'no-adapter' | 'internal';

export class GpuError extends Error {
  readonly kind: GpuErrorKind;
  constructor(kind: GpuErrorKind, message: string) {
    super(message);
    this.name = 'GpuError';
    this.kind = kind;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/**
 * Runs `fn` inside validation and out-of-memory error scopes and throws a GpuError naming `what` if either fires.
 * `fn` may be async (pipeline creation); scopes are popped in reverse order of pushing.
 */
export async function withErrorScopes<T>(device: GPUDevice, what: string, fn: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  let thrown: unknown;
  try {
    result = await fn();
  } catch (e) {
    thrown = e;
  }
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (oom) throw new GpuError('out-of-memory', `Out of GPU memory while ${what}: ${oom.message}`);
  if (validation) throw new GpuError('validation', `WebGPU rejected ${what}: ${validation.message}`);
  if (thrown) {
    if (thrown instanceof GpuError) throw thrown;
    const msg = thrown instanceof Error ? thrown.message : String(thrown);
    throw new GpuError('internal', `Failed while ${what}: ${msg}`);
  }
  return result!;
}
