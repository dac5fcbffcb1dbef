/**
 * The Inspect worker handlers end to end on real files (gpu-node only: reads ../shared/data with node:fs): the data
 * handlers load the Sentinel-2 13-band stack and six Landsat scene folders, then — with no trainer, i.e. on the seeded
 * initial weights — `inspect.samples` lists validation tiles, `inspect.run` returns a grid whose every tile is
 * non-constant and whose masked patch counts follow the ratio, and `inspect.sweep` posts progress and can be cancelled.
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listSharedFiles, SHARED_DATA } from '../../data/testing/sharedData';
import { testContext } from '../../gpu/testing/harness';
import type { WorkerEvent } from '../protocol';
import type { InspectRunReply, InspectSampleList, InspectStrategy, SweepResult } from '../protocol/inspect';
import type { WorkerState } from './context';
import { handleDataRequest } from './dataHandlers';
import { handleInspectRequest } from './inspectHandlers';
import { rgbaSpread } from '../testing/rgbaSpread';

const events: WorkerEvent[] = [];
let state: WorkerState;

async function run(ratio: number, strategy: InspectStrategy = 'random', maskSeed = 1): Promise<InspectRunReply> {
  const r = await handleInspectRequest(state, { kind: 'inspect.run', params: { sample: { kind: 'tile', index: 0 }, ratio, strategy, maskSeed } });
  return r.value as InspectRunReply;
}

beforeAll(async () => {
  const ctx = await testContext();
  state = { post: (e) => events.push(e), device: async () => ctx, resetDevice() {}, data: null, train: null, inspect: null };
  const scenes = [...new Set(listSharedFiles('landsat-lsts-105dates').map((f) => f.split('/')[1]))].slice(0, 6);
  const rels = [
    'sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif',
    ...listSharedFiles('landsat-lsts-105dates').filter((f) => scenes.includes(f.split('/')[1])),
  ];
  const files = await Promise.all(rels.map(async (rel) => ({ file: await openAsBlob(path.join(SHARED_DATA, rel)), path: rel })));
  await handleDataRequest(state, { kind: 'data.addFiles', files });
}, 120_000);

describe('inspect handlers on real data, before training', () => {
  it('lists validation tiles, the initial weights and the model masking', async () => {
    const list = (await handleInspectRequest(state, { kind: 'inspect.samples' })).value as InspectSampleList;
    console.log(`[inspect] modalities ${list.modalities.join(', ')}; ${list.tiles.length} tiles; defaults ${JSON.stringify(list.defaults)}`);
    expect(list.tiles.length).toBeGreaterThan(0);
    expect(list.weights.source).toBe('initial');
    expect(list.defaults.ratio).toBeGreaterThan(0);
    expect(list.strategies.map((x) => x.id)).toEqual(expect.arrayContaining(['random', 'structured']));
  });

  it('returns non-constant tiles for every row, view and date, with masked counts that follow the ratio', async () => {
    const high = await run(0.8);
    const low = await run(0.2);
    // Steady state (graph and pipelines cached): what a slider move back to a recent ratio costs.
    const again = await run(0.8);
    console.log(`[inspect] repeated ratio 0.8: ${again.meta.ms.total.toFixed(0)} ms (forward ${again.meta.ms.forward.toFixed(0)} ms)`);
    for (const reply of [high, low]) {
      const { meta, pixels } = reply;
      console.log(`[inspect] ratio ${meta.ratio}: ${meta.maskedTokens}/${meta.totalTokens} masked, loss ${meta.loss.toFixed(4)}, ${meta.ms.total.toFixed(0)} ms (forward ${meta.ms.forward.toFixed(0)} ms); rows ${meta.modalities.flatMap((m) => m.rows.map((r) => r.key)).join(', ')}`);
      expect(Number.isFinite(meta.loss)).toBe(true);
      // The ground overlay: one map per (modality, date) image, and a coverage share.
      expect(meta.overlay?.images.length).toBe(meta.modalities.reduce((a, m) => a + m.T, 0));
      expect(meta.overlay!.coverage).toBeGreaterThan(0);
      expect(reply.overlay!.images.length).toBe(meta.overlay!.images.length * meta.overlay!.rows * meta.overlay!.cols * 4);
      expect(meta.groups.every((g) => g.masked === Math.round(meta.ratio * g.N))).toBe(true);
      for (const mod of meta.modalities) {
        const HW = mod.H * mod.W;
        for (const row of mod.rows) {
          const px = pixels.find((p) => p.key === row.key)!;
          for (let t = 0; t < mod.T; t++) {
            for (const view of ['input', 'reconstruction', 'target'] as const) expect(rgbaSpread(px[view], t, HW), `${row.key} ${view} date ${t}`).toBeGreaterThan(0);
          }
          const masked = row.maskedPerDate.reduce((a, b) => a + b, 0);
          expect(masked).toBe(px.mask.reduce((a, b) => a + b, 0));
        }
      }
    }
    const count = (r: InspectRunReply) => r.meta.modalities.flatMap((m) => m.rows).reduce((a, row) => a + row.maskedPerDate.reduce((x, y) => x + y, 0), 0);
    expect(count(high)).toBeGreaterThan(count(low));
    expect(high.meta.runId).toBeLessThan(low.meta.runId);
    // A new draw at the same ratio masks the same number of tokens, differently.
    const other = await run(0.8, 'random', 2);
    expect(other.meta.maskedTokens).toBe(high.meta.maskedTokens);
    expect(other.pixels.map((p) => [...p.mask].join('')).join('|')).not.toBe(high.pixels.map((p) => [...p.mask].join('')).join('|'));
    // Structured masking keeps the exact count too.
    expect((await run(0.8, 'structured')).meta.maskedTokens).toBe(high.meta.maskedTokens);
    // Anchor-aware masking (needs the sample's dates and footprints): the grid shows exactly the masks drawn.
    const anchor = await run(0.6, 'anchor');
    const shown = anchor.meta.modalities.flatMap((m) => m.rows.filter((r) => r.kind === 'group')).reduce((a, r) => a + r.maskedPerDate.reduce((x, y) => x + y, 0), 0);
    expect(shown).toBe(anchor.meta.maskedTokens);
  });

  it('refuses a ratio that hides everything, in plain words', async () => {
    await expect(run(0.999)).rejects.toThrow(/hides all|between 0 and 1/);
    await expect(handleInspectRequest(state, { kind: 'inspect.run', params: { sample: { kind: 'tile', index: 10_000 }, ratio: 0.5, strategy: 'random', maskSeed: 1 } })).rejects.toThrow(/does not exist/);
  });

  it('sweeps the ratio with progress events, and stops when cancelled', async () => {
    events.length = 0;
    const r = (await handleInspectRequest(state, { kind: 'inspect.sweep', params: { ratios: [0.25, 0.5, 0.75], tiles: 1, draws: 2, strategy: 'random' } })).value as SweepResult;
    console.log(`[inspect] sweep ${r.points.map((p) => `${p.ratio}: ${p.mean.toFixed(4)}`).join(', ')} in ${r.ms.toFixed(0)} ms`);
    expect(r.points.map((p) => p.ratio)).toEqual([0.25, 0.5, 0.75]);
    expect(r.points.every((p) => p.n === 2 && Number.isFinite(p.mean) && p.min <= p.mean && p.mean <= p.max)).toBe(true);
    const progress = events.filter((e) => e.kind === 'inspect.sweepProgress');
    expect(progress.length).toBeGreaterThanOrEqual(6);
    expect(progress.at(-1)).toMatchObject({ done: 6, total: 6 });

    const sweep = handleInspectRequest(state, { kind: 'inspect.sweep', params: { ratios: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], tiles: 1, draws: 3, strategy: 'random' } });
    await expect(handleInspectRequest(state, { kind: 'inspect.sweep', params: { ratios: [0.5], tiles: 1, draws: 1, strategy: 'random' } })).rejects.toThrow(/already running/);
    await handleInspectRequest(state, { kind: 'inspect.cancelSweep' });
    const cancelled = (await sweep).value as SweepResult;
    expect(cancelled.cancelled).toBe(true);
    expect(cancelled.points.length).toBeLessThan(9);
  });
});
