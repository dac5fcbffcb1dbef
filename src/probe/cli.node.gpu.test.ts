// The embed, probe and experiment CLIs end to end (as `npm run …` runs them, through tsx; Node only: reads
// ../shared/data and spawns processes that open their own Dawn device). A checkpoint of a small random-init model for
// 16 px / 4-date Landsat samples is written in the training engine's layout; embed writes an embeddings file over
// every acquisition of 8 scenes (checked by decoding it), probe prints JSON reports on their Fmask labels
// (segmentation) and on a per-tile CSV (classification). Usage errors exit with status 2 before touching the GPU.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dataset } from '../data/dataset';
import { SHARED_DATA } from '../data/testing/sharedData';
import { checkpointFiles } from '../export/testing/checkpointFiles';
import { buildParamLayout, initParams } from '../model/params';
import { configFromDataset } from '../train/datasetConfig';
import { decodeEmbeddings } from './embedFile';
import { loadImages } from './nodeInputs';

const tsx = path.resolve('node_modules/.bin/tsx');
const dir = mkdtempSync(path.join(tmpdir(), 'eo-mae-probe-'));
const series = path.join(SHARED_DATA, 'landsat-lsts-105dates');
const scenes = readdirSync(series)
  .sort()
  .slice(0, 8)
  .map((d) => path.join(series, d));

function run(cli: string, args: string[]) {
  return spawnSync(tsx, ['--import', './scripts/register-raw.mjs', `src/cli/${cli}.ts`, ...args], { encoding: 'utf8', timeout: 240_000 });
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embed / probe / experiment CLIs', () => {
  it('embed writes every acquisition of 8 scenes; probe reports on their Fmask labels and on tile labels', async () => {
    const { data } = await loadImages(scenes, new Set(scenes.map((s) => path.join(s, `${path.basename(s)}_fmask.tif`))));
    const shapes = await Dataset.fromRecords(data.records, data.files, { seed: 0, sampleMeters: 480, numDates: 4 }, { cache: data.cache });
    const config = configFromDataset(shapes.modalities, 'tiny', {
      encoder: { width: 32, heads: 2, groupDepth: 1, interDepth: 0, mlpRatio: 2 },
      decoder: { width: 32, heads: 2, depth: 1, mlpHidden: 64 },
      patchSizes: { landsat: 4 },
    });
    const ck = path.join(dir, 'ck');
    const f = checkpointFiles(config, initParams(buildParamLayout(config), 3), { step: 0, seed: 0 });
    rmSync(ck, { recursive: true, force: true });
    mkdirSync(ck, { recursive: true });
    writeFileSync(path.join(ck, 'state.json'), f.stateJson);
    writeFileSync(path.join(ck, 'model.safetensors'), f.safetensors);

    const out = path.join(dir, 'emb.safetensors');
    const e = run('embed', ['--ckpt', ck, '--data', ...scenes, '--exclude', 'fmask', '--out', out, '--all-dates', '--json']);
    expect(e.status, e.stderr).toBe(0);
    const summary = lastJson(e.stdout);
    expect(summary).toMatchObject({ tiles: 2 * 9, chunks: 2, tokensPerTile: 4 * 16, dates: 8 });
    const d = decodeEmbeddings(new Uint8Array(readFileSync(out)));
    expect(d.tokens.count).toBe(18 * 64);
    expect(d.tokens.E).toBe(32);
    expect(d.meta.samples).toHaveLength(18);
    expect(d.pcaRgba).not.toBeNull();
    expect(Math.min(...d.tokens.lon)).toBeGreaterThan(-107.5);
    expect(Math.max(...d.tokens.lat)).toBeLessThan(40.5);

    const p = run('probe', ['--ckpt', ck, '--data', ...scenes, '--labels', ...scenes, '--head', 'linear', '--steps', '30', '--json']);
    expect(p.status, p.stderr).toBe(0);
    const report = lastJson(p.stdout) as { task: { classNames: string[]; kind: string }; split: { kind: string }; heads: { head: string; single: { mIoU: number; confusion: number[][] } }[] };
    expect(report.task.kind).toBe('segmentation');
    expect(report.task.classNames).toContain('clear');
    expect(report.split.kind).toBe('tile');
    expect(report.heads[0].head).toBe('linear');
    expect(report.heads[0].single.confusion).toHaveLength(report.task.classNames.length);
    expect(p.stderr).toContain('confusion (rows: truth, columns: prediction)');

    // Per-tile labels (classification): the northern row of tiles is "north", the rest "south", keyed by tile id.
    const csv = path.join(dir, 'tiles.csv');
    writeFileSync(csv, ['tile,label', ...[0, 16, 32].flatMap((y) => [0, 16, 32].map((x) => `loc0:x${x}:y${y},${y === 0 ? 'north' : 'south'}`))].join('\n'));
    const c = run('probe', ['--ckpt', ck, '--data', ...scenes, '--labels', csv, '--head', 'both', '--steps', '20', '--json']);
    expect(c.status, c.stderr).toBe(0);
    const cls = lastJson(c.stdout) as { task: { kind: string; classNames: string[]; sets: number; N: number }; split: { kind: string; test: number }; heads: { head: string; single: { count: number } }[] };
    expect(cls.task).toMatchObject({ kind: 'classification', classNames: ['north', 'south'], sets: 9, N: 64 });
    expect(cls.split).toMatchObject({ kind: 'tile', test: 3 });
    expect(cls.heads.map((h) => [h.head, h.single.count])).toEqual([
      ['linear', 3],
      ['attentive', 3],
    ]);
  });

  it('exits with status 2 on usage errors', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ data: ['x'], labels: 'y', variants: [{ fusion: 'early' }] }));
    for (const [cli, args, message] of [
      ['embed', ['--ckpt', 'x', '--data', 'y'], '--out FILE is required'],
      ['probe', ['--ckpt', 'x', '--data', 'y', '--labels', 'z', '--head', 'mlp'], '--head must be'],
      ['experiment', [], '--config FILE is required'],
      ['experiment', ['--config', bad], 'variants[0].fusion'],
    ] as const) {
      const r = run(cli, [...args]);
      expect(r.status, `${cli}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
