/**
 * The encoder worker handlers end to end on a real file (gpu-node only: reads ../shared/data with node:fs): the data
 * handlers load rasterio/RGB.byte.tif (3-band Landsat excerpt, tiny preset); with no trainer, i.e. on the seeded
 * initial weights, `encoder.onnxInfo` describes the export, `encoder.exportOnnx` returns a well-formed opset-17
 * float32 model with a symbolic batch named encoder-tiny-step0.onnx, `encoder.checkOrt` runs it in onnxruntime-web
 * (Node: the wasm build; the WebGPU provider is tried first and reported as a fallback) against the WGSL encoder on the
 * chosen validation tile within 1e-4, `encoder.pca` returns non-constant PCA tiles beside the input, and a configuration with
 * the geographic encoding exports with one geo_<group> input per fusion group and passes the same check; after a
 * 2-step training run the same requests use the trainer's weights at their step.
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../data/testing/sharedData';
import { testContext } from '../../gpu/testing/harness';
import type { WorkerEvent } from '../protocol';
import type { DataUpdate, MaeConfig } from '../protocol/data';
import type { ExportFile, OnnxExportInfo, OrtCheckReport, PcaReply } from '../protocol/encoder';
import type { TrainStatus } from '../protocol/train';
import { readOnnxModel } from '../testing/onnxModelInfo';
import type { WorkerState } from './context';
import { handleDataRequest } from './dataHandlers';
import { handleEncoderRequest, setOrtLoader } from './encoderHandlers';
import { readSample } from './encoderSource';
import { handleTrainRequest } from './trainHandlers';
import { rgbaSpread } from '../testing/rgbaSpread';

const events: WorkerEvent[] = [];
let state: WorkerState;
let config: MaeConfig;
/** The validation tile with the most valid pixels (the file's corners are nodata, so tile 1 is empty ground). */
let tile: { kind: 'tile'; index: number };

const request = async <T,>(req: Parameters<typeof handleEncoderRequest>[1]): Promise<T> => (await handleEncoderRequest(state, req)).value as T;

beforeAll(async () => {
  const ctx = await testContext();
  state = { post: (e) => events.push(e), device: async () => ctx, resetDevice() {}, data: null, train: null, inspect: null };
  // Node has no `?url` asset import and onnxruntime-web resolves to its Node build, which has no WebGPU provider:
  // list it first anyway, so the fallback path is exercised for real.
  setOrtLoader(state, async () => {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    return { ort, providers: ['webgpu', 'wasm'] };
  });
  const rel = 'rasterio/RGB.byte.tif';
  const update = (await handleDataRequest(state, { kind: 'data.addFiles', files: [{ file: await openAsBlob(path.join(SHARED_DATA, rel)), path: rel }] })).value as DataUpdate;
  expect(update.model.config).not.toBeNull();
  config = update.model.config!;
  let best = -1;
  for (let index = 0; index < 16; index++) {
    const s = await readSample(state, { kind: 'tile', index }).catch(() => null);
    if (!s) break;
    const v = Object.values(s.sample.modalities)[0].valid;
    const fraction = v.reduce((a, b) => a + b, 0) / v.length;
    if (fraction > best) [best, tile] = [fraction, { kind: 'tile', index }];
  }
  console.log(`[encoder] using validation tile ${tile.index + 1} (${(best * 100).toFixed(0)} % valid pixels)`);
}, 120_000);

describe('encoder handlers on a real file, before training', () => {
  it('describes the export of the initial weights', async () => {
    const info = await request<OnnxExportInfo>({ kind: 'encoder.onnxInfo' });
    console.log(`[encoder] info: ${info.weights.preset}, ${info.encoderParams} encoder parameters, inputs ${info.inputs.map((i) => `${i.name}[${i.shape.join(',')}]`).join(' ')}`);
    expect(info.refusal).toBeNull();
    expect(info.weights).toMatchObject({ source: 'initial', step: 0, preset: 'tiny' });
    expect(info.opset).toBe(17);
    expect(info.inputs.map((i) => i.shape[0])).toEqual(info.inputs.map(() => 'batch'));
  });

  it('exports a well-formed opset-17 float32 model with a symbolic batch', async () => {
    events.length = 0;
    const t0 = performance.now();
    const r = await handleEncoderRequest(state, { kind: 'encoder.exportOnnx' });
    const file = r.value as ExportFile;
    expect(r.transfer).toEqual([file.bytes]);
    expect(file.name).toBe('encoder-tiny-step0.onnx');
    const m = readOnnxModel(new Uint8Array(file.bytes));
    console.log(`[encoder] export ${(performance.now() - t0).toFixed(0)} ms, ${file.bytes.byteLength} bytes, IR ${m.irVersion}, opsets ${JSON.stringify(m.opsets)}, ${m.nodes} nodes, ${m.initializers} initializers`);
    expect(m.opsets.find((o) => o.domain === '')?.version).toBe(17);
    expect(m.producer).toBe('eo-mae-studio');
    expect(m.metadata['eo_mae.step']).toBe('0');
    for (const v of [...m.inputs, ...m.outputs]) {
      expect(v.elemType).toBe(1);
      expect(v.shape[0]).toBe('batch');
    }
    expect(m.inputs.map((i) => i.name)).toEqual(config.modalities.flatMap((mod) => [`pixels_${mod.name}`, `dates_${mod.name}`]));
    expect(events.filter((e) => e.kind === 'encoder.progress').length).toBeGreaterThanOrEqual(2);
  });

  it('runs the exported model in onnxruntime-web on the Inspect sample and matches the WGSL encoder', async () => {
    events.length = 0;
    const r = await request<OrtCheckReport>({ kind: 'encoder.checkOrt', sample: tile });
    console.log(
      `[encoder] ORT ${r.ortVersion} ${r.provider} (fallbacks: ${r.fallbacks.map((f) => `${f.provider}: ${f.error.slice(0, 80)}`).join('; ') || 'none'}): ` +
        `max |ONNX − WGSL| ${r.maxAbsDiff.toExponential(2)} on ${r.sampleLabel}; ms ${JSON.stringify(Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, Math.round(v)])))}`,
    );
    expect(r.provider).toBe('wasm');
    expect(r.fallbacks.map((f) => f.provider)).toEqual(['webgpu']);
    expect(r.pass).toBe(true);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(r.groups.map((g) => g.group)).toEqual(config.groups.map((g) => g.name));
    expect(r.weights.source).toBe('initial');
    const stages = events.flatMap((e) => (e.kind === 'encoder.progress' && e.progress.task === 'check' ? [e.progress.stage] : []));
    expect(stages).toContain('Running our WGSL encoder on the sample');
    expect(stages.at(-1)).toBe('Done');
  });

  it('draws non-constant PCA maps beside the input for every modality and date', async () => {
    for (const fit of ['image', 'series'] as const) {
      const { meta, pixels } = await request<PcaReply>({ kind: 'encoder.pca', params: { sample: tile, fit } });
      console.log(`[encoder] PCA (${fit}) of ${meta.sampleLabel}: ${meta.tokens} tokens × ${meta.width}, encoder ${meta.ms.encoder.toFixed(0)} ms, PCA ${meta.ms.pca.toFixed(0)} ms; explained ${meta.modalities.map((m) => m.groups.map((g) => g.explained.map((e) => e.map((x) => x.toFixed(2)).join('/')).join(' ')).join(' ')).join(' ')}`);
      expect(meta.fit).toBe(fit);
      expect(meta.weights.source).toBe('initial');
      for (const mod of meta.modalities) {
        const HW = mod.H * mod.W;
        const input = pixels.find((p) => p.key === mod.input.key)!;
        expect(input.rgba.length).toBe(mod.T * HW * 4);
        for (const g of mod.groups) {
          const px = pixels.find((p) => p.key === g.key)!;
          expect(px.rgba.length).toBe(mod.T * HW * 4);
          for (let t = 0; t < mod.T; t++) {
            expect(rgbaSpread(px.rgba, t, HW), `${g.key} date ${t}`).toBeGreaterThan(0);
            expect(rgbaSpread(input.rgba, t, HW), `${mod.input.key} date ${t}`).toBeGreaterThan(0);
            const [a, b, c] = g.explained[t];
            expect(a).toBeGreaterThan(0);
            expect(a).toBeGreaterThanOrEqual(b);
            expect(b).toBeGreaterThanOrEqual(c);
            expect(a + b + c).toBeLessThanOrEqual(1 + 1e-9);
          }
        }
      }
    }
  });

  it('exports and checks a model with the geographic encoding: one geo_<group> input per fusion group', async () => {
    await handleDataRequest(state, { kind: 'data.setConfig', config: { ...config, geoEncoding: 'full' }, batchSize: 4 });
    try {
      const info = await request<OnnxExportInfo>({ kind: 'encoder.onnxInfo' });
      expect(info.refusal).toBeNull();
      const geoInputs = config.groups.map((g) => `geo_${g.name}`);
      expect(info.inputs.map((i) => i.name).slice(-geoInputs.length)).toEqual(geoInputs);
      expect(info.inputs.at(-1)?.shape.at(-1)).toBe(56);
      const file = await request<ExportFile>({ kind: 'encoder.exportOnnx' });
      expect(readOnnxModel(new Uint8Array(file.bytes)).inputs.map((i) => i.name)).toEqual(info.inputs.map((i) => i.name));
      // The seeded initial geographic maps are zero, so this checks the plumbing (feeds built from the sample's
      // footprint, one input per group); src/export/encoderOnnx.test.ts checks the addend itself with random maps.
      const r = await request<OrtCheckReport>({ kind: 'encoder.checkOrt', sample: tile });
      console.log(`[encoder] geo full: max |ONNX − WGSL| ${r.maxAbsDiff.toExponential(2)} (${r.provider})`);
      expect(r.pass).toBe(true);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    } finally {
      await handleDataRequest(state, { kind: 'data.setConfig', config, batchSize: 4 });
    }
    expect((await request<OnnxExportInfo>({ kind: 'encoder.onnxInfo' })).inputs.some((i) => i.name.startsWith('geo_'))).toBe(false);
  });

  it('after training, exports and checks the trainer weights at their step', async () => {
    const settings = { steps: 2, batchSize: 2, peakLr: 1e-3, schedule: 'one-cycle' as const, warmupPct: 20, weightDecay: 0.01, clipNorm: 1, seed: 0, validateEvery: 0, validationTiles: 1, autosaveEvery: 0 };
    await handleTrainRequest(state, { kind: 'train.start', settings });
    const t0 = Date.now();
    let status: TrainStatus;
    do {
      await new Promise((r) => setTimeout(r, 50));
      status = (await handleTrainRequest(state, { kind: 'train.status' })).value as TrainStatus;
      if (Date.now() - t0 > 240_000) throw new Error(`training did not finish: ${JSON.stringify(status)}`);
    } while (status.phase !== 'done' && status.phase !== 'error' && status.phase !== 'failed');
    expect(status.phase).toBe('done');
    const info = await request<OnnxExportInfo>({ kind: 'encoder.onnxInfo' });
    expect(info.weights).toMatchObject({ source: 'trained', step: 2 });
    const file = await request<ExportFile>({ kind: 'encoder.exportOnnx' });
    expect(file.name).toBe('encoder-tiny-step2.onnx');
    expect(readOnnxModel(new Uint8Array(file.bytes)).metadata).toMatchObject({ 'eo_mae.step': '2', 'eo_mae.weights': 'trained' });
    const r = await request<OrtCheckReport>({ kind: 'encoder.checkOrt', sample: tile });
    console.log(`[encoder] trained (step 2): max |ONNX − WGSL| ${r.maxAbsDiff.toExponential(2)} (${r.provider})`);
    expect(r.weights).toMatchObject({ source: 'trained', step: 2 });
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    // The trained encoder differs from the initial one: the PCA map reports the trained weights.
    const pca = await request<PcaReply>({ kind: 'encoder.pca', params: { sample: tile, fit: 'image' } });
    expect(pca.meta.weights).toMatchObject({ source: 'trained', step: 2 });
  });
});
