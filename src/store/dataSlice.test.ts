/**
 * The data slice against a fake worker client: files go out as handles and the reply replaces the summary (and the
 * model configuration); failures keep the loaded data and say why; correction errors stay on their row; progress
 * events flow in; the demo loads once per browser and never over loaded data; preview pixels stay out of state.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import { createFakeClient, fakeConfig, fakeRow, fakeSummary, fakeUpdate } from './testing/fakeStudioClient';
import type { Request } from '../train/protocol';
import { createDataSlice, previewKey, previewTiles, resetDataModule, VISITED_KEY } from './dataSlice';
import { createGpuSlice } from './gpuSlice';
import type { StudioState } from './index';
import { createModelSlice, resetModelModule } from './modelSlice';
import { createViewSlice } from './viewSlice';

const fake = vi.hoisted(() => ({ client: null as unknown as ReturnType<typeof createFakeClient> }));
vi.mock('./client', () => ({ studioClient: () => fake.client }));

function makeStore() {
  return create<StudioState>()((...a) => ({ ...createGpuSlice(...a), ...createViewSlice(...a), ...createDataSlice(...a), ...createModelSlice(...a) }) as unknown as StudioState);
}

const storage = new Map<string, string>();

beforeEach(() => {
  fake.client = createFakeClient();
  resetDataModule();
  resetModelModule();
  storage.clear();
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => storage.get(k) ?? null,
    setItem: (k: string, v: string) => void storage.set(k, v),
    removeItem: (k: string) => void storage.delete(k),
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const file = (name: string) => ({ file: new Blob(['x']), path: name });

describe('data slice', () => {
  it('posts files, applies the summary and the configuration, and ends idle', async () => {
    const store = makeStore();
    fake.client.handle('data.addFiles', () => fakeUpdate([fakeRow('a_b3.tif'), fakeRow('broken.tif', false)], fakeConfig(), ['1 file could not be used']));
    await store.getState().addFiles([file('a_b3.tif'), file('broken.tif')], ['2 non-raster files were skipped']);
    const req = fake.client.requests[0] as Extract<Request, { kind: 'data.addFiles' }>;
    expect(req.kind).toBe('data.addFiles');
    expect(req.files.map((f) => f.path)).toEqual(['a_b3.tif', 'broken.tif']);
    expect(req.files[0].file).toBeInstanceOf(Blob);
    const s = store.getState();
    expect(s.data.summary?.counts).toMatchObject({ files: 2, failed: 1 });
    expect(s.data.messages).toEqual(['2 non-raster files were skipped', '1 file could not be used']);
    expect(s.data.pending).toBe(0);
    expect(s.data.busy).toBeNull();
    expect(s.model.config?.modalities[0].name).toBe('landsat');
    expect(storage.has(VISITED_KEY)).toBe(true);
  });

  it('keeps the loaded data when a request fails, and says why', async () => {
    const store = makeStore();
    fake.client.handle('data.addFiles', () => fakeUpdate([fakeRow('a_b3.tif')]));
    await store.getState().addFiles([file('a_b3.tif')]);
    fake.client.handle('data.removeFile', () => {
      throw new Error('x.tif is not loaded');
    });
    await store.getState().removeFile('x.tif');
    expect(store.getState().data.error).toBe('x.tif is not loaded');
    expect(store.getState().data.summary?.counts.files).toBe(1);
    expect(store.getState().model.config).not.toBeNull();
  });

  it('shows a refused correction on its row and clears it when a correction succeeds', async () => {
    const store = makeStore();
    fake.client.handle('data.correct', (r) => {
      const req = r as Extract<Request, { kind: 'data.correct' }>;
      if (req.correction.date === '2008-02-30') throw new Error('date "2008-02-30" does not exist');
      return fakeUpdate([{ ...(fakeRow('a_b3.tif') as Extract<ReturnType<typeof fakeRow>, { ok: true }>), dateText: '2008-03-01', corrected: ['date'] }]);
    });
    const pending = store.getState().correctFile('a_b3.tif', { date: '2008-02-30' });
    expect(store.getState().data.rowPending['a_b3.tif']).toBe(true);
    expect(await pending).toBe(false);
    expect(store.getState().data.rowErrors['a_b3.tif']).toMatch(/does not exist/);
    expect(store.getState().data.rowPending['a_b3.tif']).toBeUndefined();
    expect(await store.getState().correctFile('a_b3.tif', { date: '2008-03-01' })).toBe(true);
    expect(store.getState().data.rowErrors['a_b3.tif']).toBeUndefined();
    const row = store.getState().data.summary?.files[0];
    expect(row?.ok && row.dateText).toBe('2008-03-01');
  });

  it('follows progress events from the worker', async () => {
    const store = makeStore();
    let release: () => void = () => undefined;
    fake.client.handle('data.addFiles', () => new Promise((ok) => (release = () => ok(fakeUpdate([fakeRow('a.tif')])))));
    const p = store.getState().addFiles([file('a.tif')]);
    await Promise.resolve();
    fake.client.emit({ kind: 'data.progress', progress: { phase: 'inspect', label: 'Inspecting 1 file', done: 0, total: 1, etaSeconds: null, current: null, cancellable: true } });
    expect(store.getState().data.progress?.label).toBe('Inspecting 1 file');
    expect(store.getState().data.busy).toMatch(/Adding 1 file/);
    release();
    await p;
    fake.client.emit({ kind: 'data.progress', progress: null });
    expect(store.getState().data.progress).toBeNull();
  });

  it('loads the demo on the first visit only, and never over loaded data', async () => {
    const store = makeStore();
    fake.client.handle('data.loadDemo', () => ({ ...fakeUpdate([fakeRow('demo/a.tif')]), skipped: false }));
    await store.getState().autoLoadDemo();
    expect(fake.client.requests.map((r) => r.kind)).toEqual(['data.loadDemo']);
    expect((fake.client.requests[0] as Extract<Request, { kind: 'data.loadDemo' }>).onlyIfEmpty).toBe(true);
    expect(storage.has(VISITED_KEY)).toBe(true);
    await store.getState().autoLoadDemo();
    expect(fake.client.requests).toHaveLength(1);

    // A later visit (new page: module state reset) does not load it again.
    resetDataModule();
    const again = makeStore();
    await again.getState().autoLoadDemo();
    expect(fake.client.requests).toHaveLength(1);

    // A first visit that already has the user's files loaded does not load it either.
    storage.clear();
    resetDataModule();
    const busy = makeStore();
    fake.client.handle('data.addFiles', () => fakeUpdate([fakeRow('mine.tif')]));
    busy.setState((s) => ({ data: { ...s.data, summary: fakeSummary([fakeRow('mine.tif')]) } }));
    await busy.getState().autoLoadDemo();
    expect(fake.client.requests).toHaveLength(1);
    expect(storage.has(VISITED_KEY)).toBe(true);
  });

  it('keeps preview pixels out of the state, reuses them, and drops those of removed images', async () => {
    const store = makeStore();
    fake.client.handle('data.addFiles', () => fakeUpdate([fakeRow('a.tif')]));
    await store.getState().addFiles([file('a.tif')]);
    const rgba = new Uint8ClampedArray([1, 2, 3, 255]);
    fake.client.handle('data.preview', () => ({ acquisition: 'loc0/landsat/2008-04-27', unit: 'reflectance', crop: null, tiles: [{ channels: ['B3'], width: 1, height: 1, rgba, ranges: [[0, 1]] }] }));
    const tiles = [{ channels: ['B3'] }];
    const key = await store.getState().requestPreview('loc0/landsat/2008-04-27', tiles, 64);
    expect(key).toBe(previewKey('loc0/landsat/2008-04-27', tiles, 64));
    expect(previewTiles(key)?.[0].rgba).toBe(rgba);
    const st = store.getState().data.previews[key];
    expect(st).toMatchObject({ status: 'ready', unit: 'reflectance', ranges: [[[0, 1]]] });
    expect(JSON.stringify(store.getState().data)).not.toContain('"rgba"');
    await store.getState().requestPreview('loc0/landsat/2008-04-27', tiles, 64);
    expect(fake.client.requests.filter((r) => r.kind === 'data.preview')).toHaveLength(1);

    fake.client.handle('data.removeFile', () => ({ ...fakeUpdate([]), summary: fakeSummary([], []) }));
    await store.getState().removeFile('a.tif');
    expect(store.getState().data.previews[key]).toBeUndefined();
    expect(previewTiles(key)).toBeUndefined();
  });

  it('reports a preview error on that preview only', async () => {
    const store = makeStore();
    fake.client.handle('data.preview', () => {
      throw new Error('"B9" is not a band of this image');
    });
    const key = await store.getState().requestPreview('loc0/x', [{ channels: ['B9'] }], 64);
    expect(store.getState().data.previews[key]).toMatchObject({ status: 'error', error: '"B9" is not a band of this image' });
    expect(store.getState().data.error).toBeNull();
  });
});
