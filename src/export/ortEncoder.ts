/**
 * Running the exported encoder with onnxruntime-web. The ORT module is a PARAMETER, not an import: Node uses
 * `onnxruntime-web` (its `node` export condition: the wasm backend), the browser `onnxruntime-web/webgpu` (native
 * WebGPU EP, wasm fallback), and the app may load either lazily; only types are imported here, so this file adds
 * nothing to a bundle.
 *
 * Invariants: sessions are created from bytes (no network request); outputs are returned as float32 arrays in
 * encoderOnnxSignature order, each (B, N_g, E), copied to the CPU whatever the execution provider.
 * Reference: https://onnxruntime.ai/docs/api/js/ (InferenceSession.create, Tensor, getData); webgpu.md §4.
 */
import type * as Ort from 'onnxruntime-web';
import { assert } from '../lib/assert';
import type { MaeConfig } from '../model/config';
import { encoderOnnxSignature } from './encoderOnnx';
import type { FloatFeed } from './encoderFeeds';

/** The parts of an onnxruntime-web module used here (`import * as ort from 'onnxruntime-web'` satisfies it). */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

/** Execution providers to try in order, e.g. ['webgpu', 'wasm'] in a browser, ['wasm'] in Node. */
export type OrtProviders = NonNullable<Ort.InferenceSession.SessionOptions['executionProviders']>;

export async function createEncoderSession(ort: OrtModule, bytes: Uint8Array, executionProviders: OrtProviders = ['wasm']): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders, graphOptimizationLevel: 'all' });
}

/** Runs one batch; returns features_<group> (B, N_g, E) per fusion group, config.groups order. */
export async function runEncoderSession(ort: OrtModule, session: Ort.InferenceSession, config: MaeConfig, feeds: Record<string, FloatFeed>): Promise<Float32Array[]> {
  const sig = encoderOnnxSignature(config);
  const inputs: Record<string, Ort.Tensor> = {};
  for (const spec of sig.inputs) {
    const f = feeds[spec.name];
    assert(f, () => `no feed for encoder input "${spec.name}"`);
    spec.shape.forEach((d, i) => assert(d === 'batch' || f.dims[i] === d, () => `feed "${spec.name}" has dims [${f.dims.join(', ')}], the encoder expects [${spec.shape.join(', ')}]`));
    inputs[spec.name] = new ort.Tensor('float32', f.data, f.dims);
  }
  const results = await session.run(inputs);
  const out: Float32Array[] = [];
  for (const spec of sig.outputs) {
    const t = results[spec.name];
    assert(t, () => `the session returned no "${spec.name}"`);
    const data = await t.getData(true);
    assert(data instanceof Float32Array, () => `output "${spec.name}" is ${t.type}, expected float32`);
    out.push(data);
  }
  return out;
}
