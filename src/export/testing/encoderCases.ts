/**
 * Test fixtures shared by the ONNX export tests (unit tier and GPU tier): a small realistic two-modality config and
 * jittered parameters (so no gamma is exactly one and no bias exactly zero). Test-only.
 */
import { Rng } from '../../lib/rng';
import { buildConfig, type MaeConfig } from '../../model/config';
import { buildParamLayout, initParams } from '../../model/params';

/**
 * Aerial (4 bands, 32 px, patch 4 → 8×8 grid, 1 date) and Sentinel-2 (10 bands, 8 px, patch 2 → 4×4 grid, 3 dates,
 * MAESTRO norm groups [4, 4, 2]) as two fusion groups; E = 32, 2 heads, 2 per-group blocks + 1 inter-group block,
 * MLP ratio 4. The grids differ, so the position tables are pooled from the 8×8 reference grid.
 */
export function smallRealisticConfig(): MaeConfig {
  return buildConfig(
    'tiny',
    [
      { name: 'aerial', bands: ['R', 'G', 'B', 'NIR'], normGroups: [1, 3], patchSize: 4, imageSize: 32, gsd: 0.2, dates: 1 },
      { name: 's2', bands: ['B2', 'B3', 'B4', 'B8', 'B5', 'B6', 'B7', 'B8A', 'B11', 'B12'], normGroups: [4, 4, 2], patchSize: 2, imageSize: 8, gsd: 10, dates: 3 },
    ],
    { encoder: { width: 32, heads: 2, groupDepth: 2, interDepth: 1, mlpRatio: 4 }, decoder: { width: 16, heads: 2, depth: 1, mlpHidden: 32 } },
  );
}

/** Seeded initial parameters plus N(0, 0.1²) jitter, f32-representable, padding kept at zero. */
export function jitteredParams(config: MaeConfig, seed: number): Float32Array {
  const layout = buildParamLayout(config);
  const params = initParams(layout, seed);
  const rng = new Rng(seed + 1000);
  for (const e of layout.entries) for (let i = e.offset; i < e.offset + e.size; i++) params[i] += 0.1 * rng.normal();
  return params;
}
