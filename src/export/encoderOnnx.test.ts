// The exported encoder, run by onnxruntime-web's wasm backend in Node, against the float64 reference (mae.ref.ts with
// every token visible): the tiny two-fusion-group config (two token groups, a fusion group of two modalities with
// different grids, an inter-group block) and a small realistic config, both opsets, one model for several batch sizes.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MaeConfig } from '../model/config';
import { buildParamLayout } from '../model/params';
import { randomBatch } from '../model/testing/batches';
import { tinyTwoGroupConfig } from '../model/testing/configs';
import { encoderFeeds } from './encoderFeeds';
import { type EncoderOnnxOpset, encoderOnnxSignature, exportEncoderOnnx } from './encoderOnnx';
import { createEncoderSession, runEncoderSession } from './ortEncoder';
import { jitteredParams, smallRealisticConfig } from './testing/encoderCases';
import { maxAbsDiff, referenceFeatures } from './verify';

const TOL = 1e-4;

beforeAll(() => {
  // Node has no cross-origin isolation story for ORT's worker threads; one thread is the supported setting.
  ort.env.wasm.numThreads = 1;
});

async function parity(label: string, config: MaeConfig, opset: EncoderOnnxOpset, batchSizes: number[], seed: number): Promise<void> {
  const params = jitteredParams(config, seed);
  const t0 = performance.now();
  const bytes = exportEncoderOnnx(config, params, { opset });
  const t1 = performance.now();
  const session = await createEncoderSession(ort, bytes, ['wasm']);
  const t2 = performance.now();
  expect(session.inputNames).toEqual(encoderOnnxSignature(config).inputs.map((s) => s.name));
  expect(session.outputNames).toEqual(encoderOnnxSignature(config).outputs.map((s) => s.name));
  for (const B of batchSizes) {
    const batch = randomBatch(config, B, seed + B);
    const t3 = performance.now();
    const got = await runEncoderSession(ort, session, config, encoderFeeds(config, batch));
    const t4 = performance.now();
    const want = referenceFeatures(config, params, batch);
    const sig = encoderOnnxSignature(config);
    const diffs = got.map((g, i) => {
      expect(g.length).toBe(B * (sig.outputs[i].shape[1] as number) * config.encoder.width);
      return maxAbsDiff(g, want[i]);
    });
    console.log(
      `[onnx wasm] ${label} opset ${opset} B=${B}: max |Δ| vs float64 per group ${diffs.map((d) => d.toExponential(2)).join(', ')}; ` +
        `export ${(t1 - t0).toFixed(1)} ms (${bytes.length} B), session ${(t2 - t1).toFixed(0)} ms, run ${(t4 - t3).toFixed(1)} ms`,
    );
    for (const d of diffs) expect(d).toBeLessThanOrEqual(TOL);
  }
  await session.release();
}

describe('exported encoder on onnxruntime-web (wasm, Node) vs the float64 reference', () => {
  it('tiny two-group config, opset 17 (Erf GELU), batch 2', async () => {
    await parity('tiny', tinyTwoGroupConfig(), 17, [2], 5);
  });

  it('tiny two-group geometry at the preset width (E=128, 4 heads), opset 20 (Gelu op), no inter-group stage, batch 1 and 3 from one model', async () => {
    await parity('tiny/no-inter', tinyTwoGroupConfig({ encoder: { interDepth: 0, groupDepth: 2 } }), 20, [1, 3], 9);
  });

  it('small realistic config (aerial + s2, E=32, 2 heads), batch 2', async () => {
    await parity('realistic', smallRealisticConfig(), 17, [2], 13);
  });

  it('date encoding disabled: zero date inputs, still matches', async () => {
    await parity('tiny/no-dates', tinyTwoGroupConfig({ dateEncoding: { enabled: false } }), 17, [2], 17);
  });

  it('the features depend on the dates input (the date encoding is not silently dropped)', async () => {
    const config = tinyTwoGroupConfig();
    const params = jitteredParams(config, 3);
    const session = await createEncoderSession(ort, exportEncoderOnnx(config, params), ['wasm']);
    const batch = randomBatch(config, 1, 4);
    const feeds = encoderFeeds(config, batch);
    const a = await runEncoderSession(ort, session, config, feeds);
    const shifted = { ...feeds, dates_A: { ...feeds.dates_A, data: feeds.dates_A.data.map((v) => v + 0.5) } };
    const b = await runEncoderSession(ort, session, config, shifted);
    expect(maxAbsDiff(a[0], b[0])).toBeGreaterThan(1e-3); // group A holds modality A
    expect(maxAbsDiff(a[1], b[1])).toBeGreaterThan(1e-3); // reached through the inter-group block
    await session.release();
  });

  it('geographic encoding (A²-MAE-style) full and gsd: geo_<group> inputs, still matches', async () => {
    for (const geoEncoding of ['full', 'gsd'] as const) {
      const config = tinyTwoGroupConfig({ geoEncoding });
      const sig = encoderOnnxSignature(config);
      const Fg = geoEncoding === 'full' ? 56 : 8;
      expect(sig.inputs.slice(-2)).toEqual(config.groups.map((g, gi) => ({ name: `geo_${g.name}`, shape: ['batch', sig.outputs[gi].shape[1], Fg] })));
      await parity(`tiny/geo-${geoEncoding}`, config, 17, [2], 21);
    }
  });

  it('the features depend on the geo input (the geographic addend is not silently dropped)', async () => {
    const config = tinyTwoGroupConfig({ geoEncoding: 'full' });
    const session = await createEncoderSession(ort, exportEncoderOnnx(config, jitteredParams(config, 3)), ['wasm']);
    const feeds = encoderFeeds(config, randomBatch(config, 1, 4));
    const a = await runEncoderSession(ort, session, config, feeds);
    const g0 = `geo_${config.groups[0].name}`;
    const b = await runEncoderSession(ort, session, config, { ...feeds, [g0]: { ...feeds[g0], data: feeds[g0].data.map((v) => -v) } });
    expect(maxAbsDiff(a[0], b[0])).toBeGreaterThan(1e-3);
    await session.release();
  });

  it('refuses a parameter array of the wrong length or with non-finite values', () => {
    const config = tinyTwoGroupConfig();
    const size = buildParamLayout(config).size;
    expect(() => exportEncoderOnnx(config, new Float32Array(size - 1))).toThrow(/needs \d+/);
    const p = jitteredParams(config, 1);
    p[7] = NaN;
    expect(() => exportEncoderOnnx(config, p)).toThrow(/non-finite/);
  });
});
