/**
 * Shared harness for `*.gpu.test.ts`, used unchanged by the gpu-node (Dawn) and gpu-browser (Chromium) tiers.
 *
 * - No adapter is a failure, never a skip: a GPU tier that cannot find a GPU must not report green.
 * - The adapter is printed once per test file so every run says what it executed on.
 * - `gpuCase` wraps a test in validation/out-of-memory error scopes and fails it on any WebGPU error, and frees the
 *   buffers the test made through its ResourceScope.
 */
import { acquireDevice, type GpuContext } from '../device';
import { withErrorScopes } from '../errors';
import { createBufferFrom } from '../buffers';
import { readF32 } from '../readback';
import { wholeTensor, type GpuTensor } from '../tensor';
import { ResourceScope } from '../scope';

const contexts = new Map<string, Promise<GpuContext>>();

function runtimeName(): string {
  return (globalThis as { __EO_MAE_RUNTIME__?: string }).__EO_MAE_RUNTIME__ ?? 'browser';
}

/** One device per test file and limits mode. Throws (fails the test) when there is no WebGPU adapter. */
export function testContext(limits: 'adapter' | 'default' = 'adapter'): Promise<GpuContext> {
  let p = contexts.get(limits);
  if (!p) {
    const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
    p = acquireDevice(gpu, { limits, runtime: runtimeName(), label: `test-${limits}` }).then((ctx) => {
      const r = ctx.report;
      console.log(
        `[gpu ${r.runtime}] adapter: ${r.name}; limits=${limits} maxStorageBufferBindingSize=${r.limits.maxStorageBufferBindingSize}; ` +
          `features: ${r.features.join(', ') || 'none'}`,
      );
      ctx.device.addEventListener('uncapturederror', (e) => {
        console.error(`[gpu] uncaptured WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`);
      });
      return ctx;
    });
    contexts.set(limits, p);
  }
  return p;
}

export interface GpuCaseTools {
  ctx: GpuContext;
  device: GPUDevice;
  scope: ResourceScope;
  /** Uploads numbers as an f32 tensor (float64 references are narrowed here). */
  upload(label: string, data: ArrayLike<number>, shape?: readonly number[]): Promise<GpuTensor>;
  /** Zero-filled f32 tensor. */
  zeros(label: string, shape: readonly number[]): Promise<GpuTensor>;
  read(t: GpuTensor): Promise<Float32Array>;
}

/** Runs `fn` with a device and a ResourceScope inside error scopes; any WebGPU error fails the test. */
export async function gpuCase<T>(fn: (tools: GpuCaseTools) => Promise<T>, limits: 'adapter' | 'default' = 'adapter'): Promise<T> {
  const ctx = await testContext(limits);
  const { device } = ctx;
  const scope = new ResourceScope(device);
  const tools: GpuCaseTools = {
    ctx,
    device,
    scope,
    async upload(label, data, shape) {
      const arr = Float32Array.from(data as ArrayLike<number>);
      const buf = scope.track(await createBufferFrom(device, label, arr));
      return wholeTensor(buf, shape ?? [arr.length], label);
    },
    async zeros(label, shape) {
      const n = shape.reduce((a, b) => a * b, 1);
      const buf = scope.track(await createBufferFrom(device, label, new Float32Array(Math.max(n, 1))));
      return wholeTensor(buf, shape, label);
    },
    read(t) {
      return readF32(device, t.buffer, t.offset, t.size);
    },
  };
  try {
    return await withErrorScopes(device, 'running the test case', () => fn(tools));
  } finally {
    scope.dispose();
  }
}
