// Three-way parity of the encoder: our WGSL graph (buildMaeGraph encoderOnly, K = N), the exported ONNX model on
// onnxruntime-web (Node: wasm backend; Chromium: the native WebGPU EP, then the ['webgpu', 'wasm'] list the app uses),
// and the float64 reference. Tiny two-fusion-group config and a small realistic one; max |Δ| ≤ 1e-4 everywhere.
import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../gpu/buffers';
import { gpuCase } from '../gpu/testing/harness';
import { wholeTensor } from '../gpu/tensor';
import { submitDispatches } from '../kernels/dispatch';
import type { Batch } from '../data/sample';
import { groupTokenCounts, type MaeConfig } from '../model/config';
import { buildMaeGraph } from '../model/mae';
import type { GroupMask } from '../model/masking';
import { buildParamLayout } from '../model/params';
import { randomBatch } from '../model/testing/batches';
import { tinyTwoGroupConfig } from '../model/testing/configs';
import { encoderFeeds } from './encoderFeeds';
import { exportEncoderOnnx } from './encoderOnnx';
import { createEncoderSession, type OrtModule, type OrtProviders, runEncoderSession } from './ortEncoder';
import { jitteredParams, smallRealisticConfig } from './testing/encoderCases';
import { maxAbsDiff, referenceFeatures } from './verify';

const TOL = 1e-4;
const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

/** Node: onnxruntime-web's `node` build (wasm). Browser: the WebGPU build via the app's loader. */
async function loadOrt(): Promise<{ ort: OrtModule; providers: OrtProviders }> {
  if (inBrowser) {
    const { loadOrtWeb } = await import('./ortWeb');
    return loadOrtWeb();
  }
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  return { ort, providers: ['wasm'] };
}

/** Every token visible: K = N, visible = 0..N−1, nothing masked. */
function fullMasks(config: MaeConfig, B: number): GroupMask[] {
  return groupTokenCounts(config).map(({ N }, g) => {
    const visible = new Uint32Array(B * N); // (B, N)
    for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) visible[b * N + n] = n;
    return { group: config.groups[g].name, B, N, K: N, visible, masked: new Uint32Array(0) };
  });
}

/** [g] (B, N_g, E) features from the WGSL encoder. */
async function wgslFeatures(config: MaeConfig, params: Float32Array, batch: Batch): Promise<{ feats: Float32Array[]; buildMs: number; ms: number }> {
  return gpuCase(async ({ device, scope, read }) => {
    const tBuild = performance.now();
    const layout = buildParamLayout(config);
    const pBuf = scope.track(await createBufferFrom(device, 'params', params));
    const masks = fullMasks(config, batch.B);
    const graph = await buildMaeGraph(scope, config, { B: batch.B, K: masks.map((m) => m.K), params: wholeTensor(pBuf, [layout.size], 'params'), encoderOnly: true });
    const buildMs = performance.now() - tBuild;
    try {
      const t0 = performance.now();
      graph.upload(batch, masks);
      submitDispatches(device, graph.forward);
      const feats: Float32Array[] = [];
      for (const t of graph.encoderOut) feats.push(await read(t));
      return { feats, buildMs, ms: performance.now() - t0 };
    } finally {
      graph.destroy();
    }
  });
}

async function parity(label: string, config: MaeConfig, B: number, seed: number, providers?: OrtProviders): Promise<void> {
  const tLoad = performance.now();
  const { ort, providers: defaults } = await loadOrt();
  const loadMs = performance.now() - tLoad;
  const eps = providers ?? defaults;
  const params = jitteredParams(config, seed);
  const batch = randomBatch(config, B, seed + 1);
  const ref = referenceFeatures(config, params, batch);

  const wgsl = await wgslFeatures(config, params, batch);

  const bytes = exportEncoderOnnx(config, params);
  const t0 = performance.now();
  const session = await createEncoderSession(ort, bytes, eps);
  const t1 = performance.now();
  const feeds = encoderFeeds(config, batch);
  const onnx = await runEncoderSession(ort, session, config, feeds);
  const t2 = performance.now();
  await runEncoderSession(ort, session, config, feeds); // warm: pipelines compiled, buffers cached
  const t3 = performance.now();
  await session.release();

  const fmt = (xs: number[]) => xs.map((d) => d.toExponential(2)).join(', ');
  const wgslVsRef = wgsl.feats.map((f, g) => maxAbsDiff(f, ref[g]));
  const onnxVsRef = onnx.map((f, g) => maxAbsDiff(f, ref[g]));
  const onnxVsWgsl = onnx.map((f, g) => maxAbsDiff(f, wgsl.feats[g]));
  console.log(
    `[onnx ${inBrowser ? 'browser' : 'node'} ${JSON.stringify(eps)}] ${label} B=${B}: max |Δ| per group — ONNX vs WGSL ${fmt(onnxVsWgsl)}; ` +
      `ONNX vs float64 ${fmt(onnxVsRef)}; WGSL vs float64 ${fmt(wgslVsRef)}. ` +
      `WGSL graph build ${wgsl.buildMs.toFixed(0)} ms, upload+forward+read ${wgsl.ms.toFixed(0)} ms; ` +
      `ORT import ${loadMs.toFixed(0)} ms, session ${(t1 - t0).toFixed(0)} ms, first run ${(t2 - t1).toFixed(0)} ms, warm run ${(t3 - t2).toFixed(0)} ms`,
  );
  for (const d of [...wgslVsRef, ...onnxVsRef, ...onnxVsWgsl]) expect(d).toBeLessThanOrEqual(TOL);
}

describe('encoder parity: WGSL graph vs ONNX (onnxruntime-web) vs float64 reference', () => {
  it('tiny two-fusion-group config', async () => {
    // In Chromium: the WebGPU EP alone, so a failing WebGPU EP cannot hide behind the wasm fallback.
    await parity('tiny', tinyTwoGroupConfig(), 2, 31, inBrowser ? ['webgpu'] : undefined);
  });

  it('tiny config with the full geographic encoding (geo_<group> inputs)', async () => {
    await parity('tiny/geo-full', { ...tinyTwoGroupConfig(), geoEncoding: 'full' }, 2, 43, inBrowser ? ['webgpu'] : undefined);
  });

  it('small realistic config (aerial + s2, E=32, 2 heads), with the execution-provider list the app uses', async () => {
    // Browser: ['webgpu', 'wasm'] from loadOrtWeb; Node: ['wasm'].
    await parity('realistic', smallRealisticConfig(), 2, 37);
  });
});
