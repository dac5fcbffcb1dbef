/**
 * gpu-node test tier setup: exposes Dawn's WebGPU as `navigator.gpu` so `*.gpu.test.ts` files run unchanged in Node
 * and in Chromium. Node 20 has no `navigator`; Node ≥ 21 has one without `gpu`.
 */
import { nodeGpu } from '../nodeGpu';

const gpu = nodeGpu();
const g = globalThis as { navigator?: object };
if (!g.navigator) {
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
} else if (!('gpu' in g.navigator) || !(g.navigator as { gpu?: GPU }).gpu) {
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
}
(globalThis as { __EO_MAE_RUNTIME__?: string }).__EO_MAE_RUNTIME__ = 'node (Dawn)';
