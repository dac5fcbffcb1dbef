/**
 * The model slice against a fake worker client: edits show at once and go to the worker, whose verdict (problems,
 * estimate) replaces the draft; a reply that an edit has overtaken is ignored; presets; export only without problems;
 * a refused import leaves the configuration as it was.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type { Request } from '../train/protocol';
import { createDataSlice, resetDataModule } from './dataSlice';
import { createGpuSlice } from './gpuSlice';
import type { StudioState } from './index';
import { withMasking } from './modelEdits';
import { createModelSlice, resetModelModule } from './modelSlice';
import { createFakeClient, fakeConfig, fakeReport, fakeRow, fakeUpdate } from './testing/fakeStudioClient';
import { createViewSlice } from './viewSlice';

const fake = vi.hoisted(() => ({ client: null as unknown as ReturnType<typeof createFakeClient> }));
vi.mock('./client', () => ({ studioClient: () => fake.client }));

function makeStore() {
  const store = create<StudioState>()((...a) => ({ ...createGpuSlice(...a), ...createViewSlice(...a), ...createDataSlice(...a), ...createModelSlice(...a) }) as unknown as StudioState);
  store.getState().applyConfigReport(fakeReport(fakeConfig()), store.getState().nextConfigSeq());
  return store;
}

beforeEach(() => {
  fake.client = createFakeClient();
  resetDataModule();
  resetModelModule();
});

describe('model slice', () => {
  it('shows an invalid edit at once and then the worker’s problem for that field', async () => {
    const store = makeStore();
    fake.client.handle('data.setConfig', (r) => {
      const c = (r as Extract<Request, { kind: 'data.setConfig' }>).config;
      return fakeReport(c, c.masking.ratio >= 1 ? [`masking.ratio: ${c.masking.ratio} must be in (0, 1)`] : []);
    });
    const p = store.getState().editConfig((c) => withMasking(c, { ratio: 1.5 }));
    expect(store.getState().model.config?.masking.ratio).toBe(1.5);
    expect(store.getState().model.checking).toBe(true);
    await p;
    const m = store.getState().model;
    expect(m.problems).toEqual(['masking.ratio: 1.5 must be in (0, 1)']);
    expect(m.estimate).toBeNull();
    expect(m.checking).toBe(false);
    expect(store.getState().exportConfigJson()).toBeNull();
    await store.getState().editConfig((c) => withMasking(c, { ratio: 0.6 }));
    expect(store.getState().model.problems).toEqual([]);
    expect(JSON.parse(store.getState().exportConfigJson() as string).masking.ratio).toBe(0.6);
  });

  it('ignores a reply that a later edit has overtaken', async () => {
    const store = makeStore();
    const resolvers: ((v: unknown) => void)[] = [];
    fake.client.handle('data.setConfig', (r) => new Promise((ok) => resolvers.push(() => ok(fakeReport((r as Extract<Request, { kind: 'data.setConfig' }>).config)))));
    const first = store.getState().editConfig((c) => withMasking(c, { ratio: 0.5 }));
    const second = store.getState().editConfig((c) => withMasking(c, { ratio: 0.6 }));
    await vi.waitFor(() => expect(resolvers).toHaveLength(2));
    resolvers[1](undefined);
    await second;
    resolvers[0](undefined);
    await first;
    expect(store.getState().model.config?.masking.ratio).toBe(0.6);
  });

  it('sends the batch size with every check and presets as a request to the worker', async () => {
    const store = makeStore();
    fake.client.handle('data.setConfig', (r) => {
      const req = r as Extract<Request, { kind: 'data.setConfig' }>;
      const c = req.preset ? { ...req.config, preset: req.preset, encoder: { ...req.config.encoder, width: 384 } } : req.config;
      return fakeReport(c);
    });
    await store.getState().setEstimateBatch(4);
    expect((fake.client.requests[0] as Extract<Request, { kind: 'data.setConfig' }>).batchSize).toBe(4);
    const p = store.getState().setPreset('small');
    expect(store.getState().model.config?.preset).toBe('small');
    await p;
    expect((fake.client.requests[1] as Extract<Request, { kind: 'data.setConfig' }>).preset).toBe('small');
    expect(store.getState().model.config?.encoder.width).toBe(384);
  });

  it('imports a configuration through the worker and leaves it unchanged when the import is refused', async () => {
    const store = makeStore();
    fake.client.handle('data.importConfig', (r) => {
      const text = (r as Extract<Request, { kind: 'data.importConfig' }>).text;
      const c = JSON.parse(text);
      if (!c.modalities) throw new Error('The configuration was not imported: modalities: must be a non-empty array');
      return fakeUpdate([fakeRow('a.tif')], c, ['Imported the configuration (tiny preset, 1 modality).']);
    });
    expect(await store.getState().importConfig('{"version": 1}')).toBe(false);
    expect(store.getState().model.importError).toMatch(/was not imported/);
    expect(store.getState().model.config?.loss).toBe('l1');
    const next = { ...fakeConfig(), loss: 'l2' };
    expect(await store.getState().importConfig(JSON.stringify(next))).toBe(true);
    expect(store.getState().model.config?.loss).toBe('l2');
    expect(store.getState().model.importError).toBeNull();
    expect(store.getState().model.importMessages[0]).toMatch(/Imported/);
    expect(store.getState().data.summary?.counts.files).toBe(1);
  });

  it('a data update carries the reconciled configuration into the model state', async () => {
    const store = makeStore();
    fake.client.handle('data.setOptions', () => fakeUpdate([fakeRow('a.tif')], { ...fakeConfig(), modalities: [{ ...fakeConfig().modalities[0], dates: 1 }] }));
    await store.getState().setDataOptions({ modalities: null, numDates: { landsat: 1 }, sampleMeters: null });
    expect(store.getState().model.config?.modalities[0].dates).toBe(1);
  });
});
