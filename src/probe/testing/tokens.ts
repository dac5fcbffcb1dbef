/**
 * A small synthetic token table for unit tests (no GPU): one modality "m" (1 band, 2 dates, 2×2 token grid), two
 * samples, random features of width 4, distinct dates, positions and validity per token. Test-only.
 */
import { Rng } from '../../lib/rng';
import { buildConfig } from '../../model/config';
import type { Embedded, TokenTable } from '../tokens';

export function tinyEmbedded(): Embedded {
  const config = buildConfig('tiny', [{ name: 'm', bands: ['x'], patchSize: 2, imageSize: 4, gsd: 30, dates: 2 }], { encoder: { width: 8, heads: 2, groupDepth: 1, interDepth: 0, mlpRatio: 2 } });
  const rng = new Rng(9);
  const count = 2 * 8; // 2 samples × (2 dates × 4 locations)
  const E = 4;
  const i32 = (f: (i: number) => number) => Int32Array.from({ length: count }, (_, i) => f(i));
  const t: TokenTable = {
    E,
    perSample: 8,
    groupOffset: [0],
    count,
    features: Float32Array.from(rng.normalArray(count * E)),
    sample: i32((i) => Math.floor(i / 8)),
    modality: i32(() => 0),
    group: i32(() => 0),
    bandGroup: i32(() => 0),
    dateIndex: i32((i) => Math.floor((i % 8) / 4)),
    year: i32(() => 2010),
    doy: i32((i) => 150 + 16 * Math.floor((i % 8) / 4)),
    row: i32((i) => Math.floor((i % 4) / 2)),
    col: i32((i) => i % 2),
    lon: Float64Array.from({ length: count }, (_, i) => -105 + i * 1e-4),
    lat: Float64Array.from({ length: count }, (_, i) => 40 + i * 1e-4),
    valid: Float32Array.from({ length: count }, (_, i) => (i % 3) / 2),
  };
  const fp = [{ lon: -105, lat: 40.01 }, { lon: -104.99, lat: 40.01 }, { lon: -104.99, lat: 40 }, { lon: -105, lat: 40 }] as const;
  return { config, tokens: t, samples: [{ id: 'loc0:x0:y0', footprint: fp }, { id: 'loc0:x4:y0', footprint: fp }] };
}
