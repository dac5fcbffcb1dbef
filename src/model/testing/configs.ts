/**
 * Shared model configurations for tests: a TreeSatAI-TS-like dataset (method.md §2.2 sizes) and the tiny two-fusion-group
 * config on which the whole-graph reference is gradient-checked. Test-only; nothing in src imports it outside tests.
 */
import { buildConfig, type MaeConfig, type ModalityDescription } from '../config';

/** aerial, s2, and the s1 fusion group (s1_asc + s1_des), with MAESTRO's TreeSatAI-TS sizes. */
export const treesatLike: ModalityDescription[] = [
  { name: 'aerial', bands: ['R', 'G', 'B', 'NIR'], normGroups: [1, 3], patchSize: 20, imageSize: 300, gsd: 0.2, dates: 1, scaling: { kind: 'divide', divisor: 255, log: false } },
  { name: 's2', bands: ['B2', 'B3', 'B4', 'B8', 'B5', 'B6', 'B7', 'B8A', 'B11', 'B12'], normGroups: [4, 4, 2], patchSize: 2, imageSize: 6, gsd: 10, dates: 16 },
  { name: 's1_asc', bands: ['VV', 'VH'], normGroups: [1, 1], patchSize: 2, imageSize: 6, gsd: 10, dates: 4, group: 's1', scaling: { kind: 'divide', divisor: 5, log: true } },
  { name: 's1_des', bands: ['VV', 'VH'], normGroups: [1, 1], patchSize: 2, imageSize: 6, gsd: 10, dates: 4, group: 's1', scaling: { kind: 'divide', divisor: 5, log: true } },
];

/**
 * Two fusion groups: 'A' (5 bands × 3 dates, normalisation groups [2,2,1], two token band groups [2,3], 2×2 grid:
 * 24 tokens) and 'B' = B1 (2 bands × 2 dates, 6 px, patch 2 → 3×3 grid) + B2 (2 bands × 2 dates, 6 px, patch 3 → 2×2
 * grid): 26 tokens. Encoder 16 wide, decoder 12 wide, 2 heads, 1 block per group + 1 inter-group block, 1 decoder
 * block: every code path of the graph at a size where a float64 forward takes milliseconds.
 */
export function tinyTwoGroupConfig(overrides: Parameters<typeof buildConfig>[2] = {}): MaeConfig {
  return buildConfig(
    'tiny',
    [
      { name: 'A', bands: ['a0', 'a1', 'a2', 'a3', 'a4'], normGroups: [2, 2, 1], tokenGroups: [2, 3], patchSize: 2, imageSize: 4, gsd: 10, dates: 3 },
      { name: 'B1', bands: ['b0', 'b1'], normGroups: [1, 1], patchSize: 2, imageSize: 6, gsd: 10, dates: 2, group: 'B' },
      { name: 'B2', bands: ['c0', 'c1'], patchSize: 3, imageSize: 6, gsd: 15, dates: 2, group: 'B' },
    ],
    {
      encoder: { width: 16, heads: 2, groupDepth: 1, interDepth: 1, mlpRatio: 2 },
      decoder: { width: 12, heads: 2, depth: 1, mlpHidden: 20 },
      ...overrides,
    },
  );
}
