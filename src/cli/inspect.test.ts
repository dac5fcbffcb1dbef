/**
 * The inspect CLI end to end (as `npm run inspect -- … --json` runs it, through tsx): human-readable report,
 * grouping section, and a last stdout line that is the JSON array of records with their catalog group.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDataAvailable } from '../data/testing/sharedData';

const tsx = path.resolve('node_modules/.bin/tsx');

function run(args: string[]) {
  return spawnSync(tsx, ['src/cli/inspect.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe.skipIf(!sharedDataAvailable())('inspect CLI', () => {
  it('reports files, groups and a JSON last line', () => {
    const r = run(['../shared/data/rasterio', '../shared/data/landsat-lsts-105dates/LE70350322008118EDC00', '--json']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const records = JSON.parse(lines[lines.length - 1]) as { path: string; ok: boolean; group: Record<string, string>; error?: string; recognition?: { modality: string } }[];
    expect(records.length).toBe(9);
    const nodata = records.find((x) => x.path.endsWith('all-nodata.tif'));
    expect(nodata?.ok).toBe(false);
    expect(nodata?.group.unused).toMatch(/has no valid pixel/);
    const fmask = records.find((x) => x.path.endsWith('_fmask.tif'));
    expect(fmask?.group).toMatchObject({ modality: 'landsat', as: 'cloud mask' });
    expect(r.stdout).toMatch(/✗ \.\.\/shared\/data\/rasterio\/all-nodata\.tif: has no valid pixel/);
    expect(r.stdout).toMatch(/Locations × modalities × dates/);
    expect(r.stdout).toMatch(/landsat\s+1 date\s+2008-04-27\s+\[3 bands: B3, B4, B5; 30\.0 m\]\s+1 stacked from per-band files\s+1 with cloud mask/);
    expect(r.stdout).toMatch(/9 files inspected in [\d.]+ s: 8 understood, 1 refused/);
  }, 60_000);

  it('decodes on worker threads or on the main thread with the same records, and exits either way', () => {
    const dir = '../shared/data/landsat-lsts-105dates/LT50350322008110PAC01';
    const inline = run([dir, '--json', '--decode-workers', '0']);
    const pooled = run([dir, '--json', '--decode-workers', '2']);
    // A pool left running would keep Node alive until spawnSync's timeout (status null).
    expect([inline.status, pooled.status]).toEqual([0, 0]);
    expect(inline.stdout).toMatch(/\(decoded on the main thread\)/);
    expect(pooled.stdout).toMatch(/\(decoded on 2 worker thread\(s\)\)/);
    const last = (out: string) => out.trimEnd().split('\n').pop() as string;
    const records = JSON.parse(last(pooled.stdout)) as { ok: boolean; compression: string }[];
    expect(records.map((x) => [x.ok, x.compression])).toEqual(Array(4).fill([true, 'Deflate']));
    expect(last(pooled.stdout)).toBe(last(inline.stdout));
  }, 120_000);

  it('exits 2 on usage errors', () => {
    const r = run(['--bogus', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option --bogus/);
    const bad = run(['--decode-workers', '-1', 'x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--decode-workers needs a whole number/);
  }, 60_000);
});
