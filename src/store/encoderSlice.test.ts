/**
 * The encoder slice against a fake worker client: the ONNX card's info (only the newest reply counts; a failure says
 * why and leaves nothing to export), the export (pending flag, the file returned for the page and never kept, the
 * error inline), the onnxruntime-web check on the Inspect sample, and the PCA map (tiles outside the state, runs
 * coalesced to one more with the newest settings, errors keep the last map, the fit change recomputes only a shown
 * map), with the worker's progress events kept per task and cleared when the task settles.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type { OnnxExportInfo, OrtCheckReport, PcaReply } from '../train/protocol/encoder';
import type { StudioState } from './index';
import { createManualClient } from './testing/fakeStudioClient';

const fake = createManualClient();
const client = fake.client;

vi.mock('./client', () => ({ studioClient: () => client }));

const { createEncoderSlice, INITIAL_ENCODER, pcaPixels } = await import('./encoderSlice');

// One store for the file: the slice subscribes to progress events once per page, as in the app.
const store = create<StudioState>()((...a) => ({ ...createEncoderSlice(...a), inspect: { sample: { kind: 'tile', index: 0 } } }) as unknown as StudioState);
const enc = () => store.getState().encoder;
const flush = () => new Promise((r) => setTimeout(r, 0));

const weights = { source: 'initial' as const, step: 0, preset: 'tiny', note: 'Random initial weights' };
const info = (refusal: string | null = null): OnnxExportInfo => ({
  refusal,
  weights,
  opset: 17,
  inputs: [{ name: 'pixels_landsat', shape: ['batch', 1, 3, 32, 32] }],
  outputs: [{ name: 'features_landsat', shape: ['batch', 64, 128] }],
  encoderParams: 1000,
});
const report: OrtCheckReport = {
  provider: 'webgpu',
  fallbacks: [],
  ortVersion: '1.30.0',
  bytes: 1234,
  ms: { export: 5, load: 100, session: 200, firstRun: 300, warmRun: 20, wgsl: 50 },
  groups: [{ group: 'landsat', tokens: 64, maxAbsDiff: 2e-6 }],
  maxAbsDiff: 2e-6,
  tolerance: 1e-4,
  pass: true,
  sampleId: 'loc0:x0:y0',
  sampleLabel: 'Tile 1',
  weights,
};
function pcaReply(runId: number): PcaReply {
  return {
    meta: {
      runId,
      sample: { kind: 'tile', index: 0 },
      sampleId: 'loc0:x0:y0',
      sampleLabel: 'Tile 1',
      fit: 'image',
      weights,
      width: 128,
      tokens: 64,
      ms: { total: 10, encoder: 8, pca: 2 },
      modalities: [{ name: 'landsat', T: 1, H: 2, W: 2, P: 1, grid: 2, dates: ['2020-01-01'], input: { key: 'landsat/input', label: 'True colour' }, groups: [{ key: 'landsat/pca0', index: 0, bands: ['B3'], explained: [[0.5, 0.2, 0.1]] }] }],
    },
    pixels: [
      { key: 'landsat/input', rgba: new Uint8ClampedArray(16).fill(runId) },
      { key: 'landsat/pca0', rgba: new Uint8ClampedArray(16).fill(runId + 1) },
    ],
  };
}

beforeEach(() => {
  fake.calls.length = 0;
  store.setState({ encoder: INITIAL_ENCODER, inspect: { sample: { kind: 'tile', index: 0 } } } as Partial<StudioState>);
});

describe('ONNX card', () => {
  it('keeps only the newest info reply, and a failure leaves nothing to export', async () => {
    const first = store.getState().refreshOnnxInfo();
    const second = store.getState().refreshOnnxInfo();
    const [a, b] = fake.pending('encoder.onnxInfo');
    b.resolve(info('geo refused'));
    await second;
    a.resolve(info(null));
    await first;
    expect(enc().onnx.info?.refusal).toBe('geo refused');
    const third = store.getState().refreshOnnxInfo();
    fake.pending('encoder.onnxInfo')[2].reject(new Error('No data is loaded: add GeoTIFF files in the Data section, or load the demo dataset.'));
    await third;
    expect(enc().onnx.info).toBeNull();
    expect(enc().onnx.infoError).toMatch(/No data is loaded/);
  });

  it('exports: pending while the worker writes, returns the file for the page, keeps only its name and size', async () => {
    const p = store.getState().exportOnnx();
    expect(enc().onnx.exporting).toBe(true);
    expect(await store.getState().exportOnnx()).toBeNull(); // a second click while exporting sends nothing
    expect(fake.pending('encoder.exportOnnx')).toHaveLength(1);
    fake.emit({ kind: 'encoder.progress', progress: { task: 'export', stage: 'Writing', done: 0, total: 2 } });
    expect(enc().progress.export?.stage).toBe('Writing');
    const bytes = new ArrayBuffer(4096);
    fake.pending('encoder.exportOnnx')[0].resolve({ name: 'encoder-tiny-step0.onnx', mime: 'application/octet-stream', bytes });
    const file = await p;
    expect(file?.bytes).toBe(bytes);
    expect(enc().onnx).toMatchObject({ exporting: false, exportError: null, exported: { name: 'encoder-tiny-step0.onnx', bytes: 4096 } });
    expect(enc().progress.export).toBeUndefined();
    expect(JSON.stringify(enc())).not.toContain('ArrayBuffer');
  });

  it('shows a refused export inline and returns no file', async () => {
    const p = store.getState().exportOnnx();
    fake.pending('encoder.exportOnnx')[0].reject(new Error('This model uses the geographic encoding'));
    expect(await p).toBeNull();
    expect(enc().onnx).toMatchObject({ exporting: false, exportError: 'This model uses the geographic encoding' });
  });

  it('checks on the Inspect sample; a later failure keeps the last report beside its message', async () => {
    store.setState({ inspect: { sample: { kind: 'random', seed: 3 } } } as Partial<StudioState>);
    let p = store.getState().checkOnnxInOrt();
    expect(enc().onnx.checking).toBe(true);
    const call = fake.pending('encoder.checkOrt')[0];
    expect(call.req).toEqual({ kind: 'encoder.checkOrt', sample: { kind: 'random', seed: 3 } });
    fake.emit({ kind: 'encoder.progress', progress: { task: 'check', stage: 'Creating the onnxruntime-web session (webgpu)', done: 4, total: 6 } });
    expect(enc().progress.check?.done).toBe(4);
    call.resolve(report);
    await p;
    expect(enc().onnx).toMatchObject({ checking: false, checkError: null, check: { provider: 'webgpu', pass: true } });
    expect(enc().progress.check).toBeUndefined();
    p = store.getState().checkOnnxInOrt();
    fake.pending('encoder.checkOrt')[1].reject(new Error('onnxruntime-web could not run the exported model'));
    await p;
    expect(enc().onnx.checkError).toMatch(/could not run/);
    expect(enc().onnx.check?.maxAbsDiff).toBe(2e-6);
  });
});

describe('PCA map', () => {
  it('keeps tiles outside the state and coalesces requests into one more run with the newest sample', async () => {
    const p = store.getState().computePca();
    expect(enc().pca.running).toBe(true);
    expect(enc().pca.requested).toEqual({ kind: 'tile', index: 0 });
    store.setState({ inspect: { sample: { kind: 'tile', index: 1 } } } as Partial<StudioState>);
    void store.getState().computePca();
    void store.getState().computePca();
    expect(fake.pending('encoder.pca')).toHaveLength(1);
    fake.pending('encoder.pca')[0].resolve(pcaReply(1));
    await flush();
    expect(fake.pending('encoder.pca')).toHaveLength(2);
    expect(fake.pending('encoder.pca')[1].req).toEqual({ kind: 'encoder.pca', params: { sample: { kind: 'tile', index: 1 }, fit: 'image' } });
    expect(enc().pca.result?.runId).toBe(1);
    expect(pcaPixels('landsat/pca0')?.rgba[0]).toBe(2);
    fake.pending('encoder.pca')[1].resolve(pcaReply(2));
    await p;
    expect(enc().pca).toMatchObject({ running: false, error: null, requested: { kind: 'tile', index: 1 } });
    expect(enc().pca.result?.runId).toBe(2);
    expect(pcaPixels('landsat/input')?.rgba[0]).toBe(2);
    expect(JSON.stringify(enc())).not.toContain('rgba');
  });

  it('an error keeps the last map; changing the fit recomputes only when a map is shown', async () => {
    store.getState().setPcaFit('series');
    expect(fake.pending('encoder.pca')).toHaveLength(0);
    expect(enc().pca.fit).toBe('series');
    let p = store.getState().computePca();
    fake.pending('encoder.pca')[0].resolve(pcaReply(5));
    await p;
    store.getState().setPcaFit('image');
    expect(fake.pending('encoder.pca')).toHaveLength(2);
    expect(fake.pending('encoder.pca')[1].req).toMatchObject({ params: { fit: 'image' } });
    fake.pending('encoder.pca')[1].reject(new Error('The model expects landsat samples of 32×32 px'));
    await flush();
    await flush();
    expect(enc().pca).toMatchObject({ running: false, error: 'The model expects landsat samples of 32×32 px' });
    expect(enc().pca.result?.runId).toBe(5);
    p = store.getState().computePca();
    fake.pending('encoder.pca')[2].resolve(pcaReply(6));
    await p;
    expect(enc().pca.error).toBeNull();
  });
});
