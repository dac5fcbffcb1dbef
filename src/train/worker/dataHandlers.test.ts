/**
 * The Data/Model worker handlers end to end in Node, on the real files of ../shared/data: adding files (with a
 * truncated copy that must fail on its own row), recognition, corrections, removal, previews, the configuration
 * round trip (invalid field → problem and refused by currentConfig; preset; import/export) and the demo dataset.
 * The WorkerState is a fake whose GPU is a fixed adapter report, so nothing here needs a GPU.
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AdapterReport } from '../../gpu/capabilities';
import type { GpuContext } from '../../gpu/device';
import { listSharedFiles, SHARED_DATA, sharedBytes, sharedDataAvailable } from '../../data/testing/sharedData';
import type { WorkerEvent } from '../protocol';
import type { DataReplies, DataRequest, FileRowFailed, FileRowOk, IncomingFile } from '../protocol/data';
import type { WorkerState } from './context';
import { currentConfig, currentDataset, handleDataRequest } from './dataHandlers';

const S2 = 'sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif';

const REPORT: AdapterReport = {
  vendor: 'test',
  architecture: 'fake',
  device: '',
  description: 'SwiftShader',
  isSoftware: true,
  name: 'test fake (SwiftShader) — software',
  features: [],
  limits: {
    maxBufferSize: 2 ** 30,
    maxStorageBufferBindingSize: 2 ** 27,
    maxStorageBuffersPerShaderStage: 10,
    maxComputeWorkgroupStorageSize: 32768,
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupSizeY: 256,
    maxComputeWorkgroupsPerDimension: 65535,
    minStorageBufferOffsetAlignment: 256,
    minUniformBufferOffsetAlignment: 256,
  },
  runtime: 'test',
};

function fakeState(): WorkerState & { events: WorkerEvent[] } {
  const events: WorkerEvent[] = [];
  return {
    events,
    post: (e) => events.push(e),
    device: async () => ({ report: REPORT }) as unknown as GpuContext,
    resetDevice: () => undefined,
    data: null,
    train: null,
    inspect: null,
  };
}

async function ask<K extends DataRequest['kind']>(state: WorkerState, req: Extract<DataRequest, { kind: K }>): Promise<DataReplies[K]> {
  return (await handleDataRequest(state, req)).value as DataReplies[K];
}

async function shared(rel: string): Promise<IncomingFile> {
  return { file: await openAsBlob(path.join(SHARED_DATA, rel)), path: rel };
}

const LANDSAT_SCENES = ['LE70350322008118EDC00', 'LT50350322008110PAC01', 'LE70350322008150EDC00', 'LT50350322008126PAC01'];

describe.skipIf(!sharedDataAvailable())('data handlers on real files', () => {
  it('inspects S2 + Landsat + a truncated file, corrects, previews, removes, and keeps everything else', async () => {
    const state = fakeState();
    const landsat = listSharedFiles('landsat-lsts-105dates').filter((f) => LANDSAT_SCENES.some((s) => f.includes(s)));
    expect(landsat).toHaveLength(16);
    const truncated = sharedBytes(landsat[0]).slice(0, 300);
    const files = [await shared(S2), ...(await Promise.all(landsat.map(shared))), { file: new Blob([truncated]), path: 'broken/LE7_truncated_b3.tif' }];
    const up = await ask(state, { kind: 'data.addFiles', files });

    expect(up.summary.counts).toMatchObject({ files: 18, ok: 17, failed: 1, user: 18, demo: 0 });
    const s2 = up.summary.files.find((f) => f.path === S2) as FileRowOk;
    expect(s2.ok).toBe(true);
    expect(s2.sensor).toBe('sentinel-2');
    expect(s2.bands).toHaveLength(13);
    expect(s2.bands[8]).toBe('B8A');
    expect(s2.dateText).toMatch(/^2017-02-16/);
    expect(s2.crs).toContain('32633');
    const b3 = up.summary.files.find((f) => f.path.endsWith('LT50350322008110PAC01_b3.tif')) as FileRowOk;
    expect(b3).toMatchObject({ sensor: 'landsat', bands: ['B3'], dateText: '2008-04-19', modality: 'landsat' });
    expect(b3.use.kind).toBe('acquisition');
    const broken = up.summary.files.find((f) => f.path === 'broken/LE7_truncated_b3.tif') as FileRowFailed;
    expect(broken.ok).toBe(false);
    expect(['truncated', 'corrupt']).toContain(broken.reason);
    expect(broken.error).toContain('broken/LE7_truncated_b3.tif');
    expect(up.messages.join(' ')).toMatch(/1 file could not be used/);

    // Catalog: two locations (Colorado Landsat, Germany S2); the Landsat strip has 4 dates with Fmask fractions.
    const ls = up.summary.locations.flatMap((l) => l.modalities).find((m) => m.name === 'landsat');
    expect(ls?.acquisitions.map((a) => a.dateText)).toEqual(['2008-04-19', '2008-04-27', '2008-05-05', '2008-05-29']);
    expect(ls?.acquisitions.every((a) => a.cloudFraction !== null && a.cloudFraction >= 0 && a.cloudFraction <= 1)).toBe(true);
    expect(ls?.composites.map((c) => c.id)).toContain('swir1');
    expect(up.summary.dataset?.ready).toBe(true);
    expect(currentDataset(state).modalities.length).toBeGreaterThan(0);
    expect(currentConfig(state).modalities.length).toBe(currentDataset(state).modalities.length);
    expect(up.model.estimate?.params).toBeGreaterThan(0);
    expect(up.model.fit?.adapter).toBe(REPORT.name);

    // Progress: inspect events, then null at the end.
    const prog = state.events.filter((e) => e.kind === 'data.progress');
    expect(prog.some((e) => e.kind === 'data.progress' && e.progress?.phase === 'inspect')).toBe(true);
    expect(prog[prog.length - 1]).toEqual({ kind: 'data.progress', progress: null });

    // The same files again are recognised as duplicates and nothing is lost.
    const again = await ask(state, { kind: 'data.addFiles', files: [await shared(S2)] });
    expect(again.summary.counts.files).toBe(18);
    expect(again.messages.join(' ')).toMatch(/already loaded/);

    // Corrections: a bad date is refused with a plain message and changes nothing; a good one is applied.
    await expect(ask(state, { kind: 'data.correct', path: b3.path, correction: { date: '2008-02-30' } })).rejects.toThrow(/does not exist/);
    const corrected = await ask(state, { kind: 'data.correct', path: S2, correction: { modality: 's2_l1c' } });
    const s2c = corrected.summary.files.find((f) => f.path === S2) as FileRowOk;
    expect(s2c.modality).toBe('s2_l1c');
    expect(s2c.corrected).toContain('modality');
    expect(corrected.summary.counts.files).toBe(18);

    // Preview: a composite and one grey band of the first Landsat date, stretched, with alpha where valid.
    const acq = ls!.acquisitions[0];
    const pv = await ask(state, { kind: 'data.preview', acquisition: acq.id, tiles: [{ channels: ['B5', 'B4', 'B3'] }, { channels: ['B4'] }], maxSize: 64 });
    expect(pv.tiles).toHaveLength(2);
    const t = pv.tiles[0];
    expect(t.width).toBe(61);
    expect(t.rgba.length).toBe(61 * 61 * 4);
    expect(t.ranges.every(([lo, hi]) => Number.isFinite(lo) && hi > lo)).toBe(true);
    const alpha = Array.from({ length: 61 * 61 }, (_, i) => t.rgba[i * 4 + 3]);
    expect(alpha.filter((a) => a === 255).length).toBeGreaterThan(61 * 61 * 0.5);
    await expect(ask(state, { kind: 'data.preview', acquisition: acq.id, tiles: [{ channels: ['B9'] }], maxSize: 64 })).rejects.toThrow(/not a band/);

    // Removing one file keeps the others.
    const removed = await ask(state, { kind: 'data.removeFile', path: 'broken/LE7_truncated_b3.tif' });
    expect(removed.summary.counts).toMatchObject({ files: 17, failed: 0 });
    const cleared = await ask(state, { kind: 'data.clear' });
    expect(cleared.summary.counts.files).toBe(0);
    expect(cleared.summary.dataset).toBeNull();
    expect(() => currentDataset(state)).toThrow(/No data is loaded/);
  }, 120_000);

  it('validates model edits, applies presets and round-trips the configuration through JSON', async () => {
    const state = fakeState();
    const landsat = listSharedFiles('landsat-lsts-105dates').filter((f) => LANDSAT_SCENES.some((s) => f.includes(s)));
    const up = await ask(state, { kind: 'data.addFiles', files: await Promise.all(landsat.map(shared)) });
    const config = up.model.config!;
    expect(config.modalities.map((m) => m.name)).toEqual(['landsat']);
    expect(config.modalities[0].dates).toBe(4);

    const bad = await ask(state, { kind: 'data.setConfig', config: { ...config, masking: { ...config.masking, ratio: 1.5 } }, batchSize: 4 });
    expect(bad.problems.some((p) => p.startsWith('masking.ratio:'))).toBe(true);
    expect(bad.estimate).toBeNull();
    expect(() => currentConfig(state)).toThrow(/masking\.ratio/);

    const small = await ask(state, { kind: 'data.setConfig', config, preset: 'small', batchSize: 4 });
    expect(small.problems).toEqual([]);
    expect(small.config?.preset).toBe('small');
    expect(small.config?.encoder.width).toBe(384);
    expect(small.estimate!.params).toBeGreaterThan(up.model.estimate!.params);
    expect(small.fit?.verdict).toMatch(/fits|tight|no-fit/);

    // Dates per sample and modality choice go through the dataset options; the model follows.
    const opt = await ask(state, { kind: 'data.setOptions', options: { modalities: null, numDates: { landsat: 2 }, sampleMeters: null } });
    expect(opt.model.config?.modalities[0].dates).toBe(2);
    expect(opt.model.config?.preset).toBe('small');

    const exported = JSON.stringify(opt.model.config);
    await ask(state, { kind: 'data.setConfig', config: { ...opt.model.config!, loss: 'l2' }, batchSize: 4 });
    const imported = await ask(state, { kind: 'data.importConfig', text: exported, batchSize: 4 });
    expect(imported.model.config).toEqual(JSON.parse(exported));
    await expect(ask(state, { kind: 'data.importConfig', text: '{"version": 1}', batchSize: 4 })).rejects.toThrow(/was not imported: .*modalities/);
    await expect(ask(state, { kind: 'data.importConfig', text: 'not json', batchSize: 4 })).rejects.toThrow(/not JSON/);
  }, 120_000);
});

describe('demo dataset in the worker', () => {
  it('loads the demo (inline generation in Node) with its four modalities, and never over loaded data', async () => {
    const state = fakeState();
    const up = await ask(state, { kind: 'data.loadDemo', onlyIfEmpty: true });
    expect(up.skipped).toBe(false);
    expect(up.summary.counts).toMatchObject({ files: 41, demo: 41, failed: 0 });
    expect(up.summary.dataset?.modalities.map((m) => m.name).sort()).toEqual(['aerial', 's1_asc', 's1_des', 's2']);
    const s2 = up.summary.locations[0].modalities.find((m) => m.name === 's2');
    expect(s2?.acquisitions).toHaveLength(12);
    expect(s2?.acquisitions.every((a) => a.cloudFraction !== null)).toBe(true);
    expect(s2?.composites.map((c) => c.id)).toEqual(expect.arrayContaining(['true', 'false', 'swir']));
    expect(up.model.config?.groups.find((g) => g.name === 's1')?.modalities).toEqual(['s1_asc', 's1_des']);
    expect(state.events.some((e) => e.kind === 'data.progress' && e.progress?.phase === 'demo')).toBe(true);
    const again = await ask(state, { kind: 'data.loadDemo', onlyIfEmpty: true });
    expect(again.skipped).toBe(true);
    expect(again.summary.counts.files).toBe(41);
    // The user's own file next to the demo; removing the demo keeps it.
    const mine = await ask(state, { kind: 'data.addFiles', files: [{ file: new Blob([new Uint8Array(64)]), path: 'mine/not_a_tiff.tif' }] });
    expect(mine.summary.counts).toMatchObject({ files: 42, user: 1, demo: 41 });
    const kept = await ask(state, { kind: 'data.removeDemo' });
    expect(kept.summary.counts).toMatchObject({ files: 1, user: 1, demo: 0 });
    expect(kept.summary.files[0].path).toBe('mine/not_a_tiff.tif');
  }, 120_000);
});
