/**
 * Loads onnxruntime-web for the browser: the `onnxruntime-web/webgpu` build (native WebGPU EP plus the wasm CPU EP)
 * with its wasm binary resolved by Vite as an asset URL, so it loads from the app's own origin in `vite dev`, in the
 * Vitest browser tier and in `vite build` output alike (webgpu.md §4.4: the dep optimizer moves the JS but not the
 * .wasm, and a missing .wasm comes back as index.html — "expected magic word 00 61 73 6d").
 *
 * Invariants: nothing is fetched until `loadOrtWeb()` is called (dynamic imports keep ORT out of the main bundle);
 * worker threads are used only when the page is cross-origin isolated (otherwise ORT warns and runs one thread);
 * WebGPU is listed first only where `navigator.gpu` exists, with wasm as the fallback.
 * Reference: microsoft/onnxruntime PR #23487 (the `?url` recipe), https://onnxruntime.ai/docs/tutorials/web/ep-webgpu.html.
 */
import type * as Ort from 'onnxruntime-web';
import type { OrtModule, OrtProviders } from './ortEncoder';

export interface OrtWeb {
  ort: OrtModule & Pick<typeof Ort, 'env'>;
  /** ['webgpu', 'wasm'] where WebGPU exists, else ['wasm']. */
  providers: OrtProviders;
}

export async function loadOrtWeb(): Promise<OrtWeb> {
  const [ort, wasm] = await Promise.all([import('onnxruntime-web/webgpu'), import('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url')]);
  ort.env.wasm.wasmPaths = { wasm: wasm.default };
  if (!globalThis.crossOriginIsolated) ort.env.wasm.numThreads = 1;
  const hasWebGpu = typeof navigator !== 'undefined' && !!(navigator as Navigator & { gpu?: GPU }).gpu;
  return { ort, providers: hasWebGpu ? ['webgpu', 'wasm'] : ['wasm'] };
}
