/**
 * The file sets of the data suite: real GeoTIFFs of ../shared/data (README there) that stress different parts of the
 * preparation — many tiny int16 files of a long time series, a few medium uint8 scenes, one large deflate-compressed
 * tiled 13-band Sentinel-2 scene (the decode-bound case, where a worker Pool can help) — and the pool settings each
 * set is measured with. Pure data and pure helpers (unit-tested in dataCases.test.ts).
 */
import type { DatasetConfig } from '../../src/data/dataset';

export interface DataCase {
  id: string;
  label: string;
  /** Folder under the shared data root. */
  dir: string;
  /** Only files whose path matches (default: every .tif under `dir`). */
  match?: RegExp;
  config: DatasetConfig;
  /** Training samples drawn after preparation (benchPreparation `samples`). */
  samples: number;
}

export const DATA_CASES: readonly DataCase[] = [
  { id: 'lsts', label: 'Landsat, 105 dates × 4 files of 61×61 px', dir: 'landsat-lsts-105dates', config: {}, samples: 16 },
  { id: 'peru', label: 'Landsat, 8 dates of 697×377 px × 4 bands', dir: 'landsat-peru-8dates', config: {}, samples: 16 },
  { id: 's2', label: 'Sentinel-2, 13 bands, 1536×768 px deflate tiles', dir: 'sentinel2-l1c-T33UUU-20170216', match: /_13bands_10m\.tif$/, config: {}, samples: 16 },
];

export function caseFiles(c: DataCase, listed: readonly string[]): string[] {
  return c.match ? listed.filter((p) => c.match!.test(p)) : [...listed];
}

/** How a row decodes: on the calling thread, or with a geotiff Pool of `size` workers. */
export interface PoolSetting {
  id: string;
  /** 0 = inline (no Pool). */
  size: number;
  label: string;
}

/**
 * Inline, the studio's own pool size (src/data/pool.ts defaultPoolSize: one core left for the UI / training
 * thread), and every core when that is more. Sizes below 1 are raised to 1.
 */
export function poolSettings(studioDefault: number, cores: number): PoolSetting[] {
  const def = Math.max(1, studioDefault);
  const all = Math.max(1, cores);
  const out: PoolSetting[] = [
    { id: 'inline', size: 0, label: 'inline' },
    { id: `pool${def}`, size: def, label: `Pool(${def}) (studio default) of ${all} cores` },
  ];
  if (all > def) out.push({ id: `pool${all}`, size: all, label: `Pool(${all}) = every core` });
  return out;
}

/** Issue 5's goal: the preparation adds ≤ 25 % over plain decoding, i.e. plain time ÷ pipeline time ≥ 1 / 1.25. */
export const GOAL_RATIO = 1 / 1.25;

/** Geometric mean and worst of per-case speed-ups (plain ÷ pipeline time), and how many meet the goal; null for none. */
export function summarizeRatios(rs: readonly { ratio: number }[]): { n: number; geomean: number; worst: number; met: number } | null {
  const ok = rs.filter((r) => r.ratio > 0 && Number.isFinite(r.ratio));
  if (ok.length === 0) return null;
  const geomean = Math.exp(ok.reduce((s, r) => s + Math.log(r.ratio), 0) / ok.length);
  return { n: ok.length, geomean, worst: Math.min(...ok.map((r) => r.ratio)), met: ok.filter((r) => r.ratio >= GOAL_RATIO - 1e-12).length };
}
