/**
 * Running an exported encoder in onnxruntime-web inside the studio worker, and comparing it with our WGSL encoder.
 *
 * Why in the worker: the worker owns the weights, the data and the WGSL encoder, so the ONNX model, the sample and the
 * reference features never cross to the page; ORT-web runs fine in a dedicated worker (WebGPU is exposed there) and
 * its import stays out of the page bundle. `loadOrtWeb` (src/export/ortWeb.ts) points ORT's wasm at the copy Vite
 * serves from the app's own origin, so nothing is fetched from elsewhere.
 * Execution provider: each provider of the list (['webgpu', 'wasm'] where WebGPU exists) is tried ALONE in order, so
 * the provider reported is the one that actually created the session, and a WebGPU failure is reported with its
 * reason instead of hiding behind a silent fallback. (Within a WebGPU session ORT may still place single operators
 * the WebGPU EP lacks on its CPU EP; that is ORT's partitioning, not a fallback of the session.)
 */
import type * as Ort from 'onnxruntime-web';
import type { OrtWeb } from '../../export/ortWeb';
import { createEncoderSession, type OrtProviders } from '../../export/ortEncoder';

/** Loads onnxruntime-web and the providers to try (browser: loadOrtWeb; Node tests: the wasm build). */
export type OrtLoader = () => Promise<OrtWeb>;

export interface OrtSession {
  session: Ort.InferenceSession;
  provider: string;
  fallbacks: { provider: string; error: string }[];
}

const providerName = (p: OrtProviders[number]): string => (typeof p === 'string' ? p : p.name);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Creates a session with the first provider that works, trying them one at a time. */
export async function createSessionWithFallback(ortWeb: OrtWeb, bytes: Uint8Array, onTry?: (provider: string) => void): Promise<OrtSession> {
  const fallbacks: OrtSession['fallbacks'] = [];
  for (const p of ortWeb.providers) {
    const name = providerName(p);
    onTry?.(name);
    try {
      const session = await createEncoderSession(ortWeb.ort, bytes, [p]);
      return { session, provider: name, fallbacks };
    } catch (e) {
      fallbacks.push({ provider: name, error: message(e) });
    }
  }
  throw new Error(`onnxruntime-web could not run the exported model with any execution provider (${fallbacks.map((f) => `${f.provider}: ${f.error}`).join('; ')}).`);
}

/** The onnxruntime-web version string, or 'unknown'. */
export function ortVersion(ortWeb: OrtWeb): string {
  return (ortWeb.ort.env as { versions?: { web?: string } }).versions?.web ?? 'unknown';
}
