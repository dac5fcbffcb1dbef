/**
 * Synthetic batches for model tests: random pixels (N(0,1)) and random acquisition dates for every modality of a
 * config, as a src/data Batch, so the GPU graph and the float64 reference can be fed the very same input.
 */
import type { AcqDate, Batch, Footprint, ModalityBatch } from '../../data/sample';
import { Rng } from '../../lib/rng';
import type { MaeConfig } from '../config';

const FOOTPRINT: Footprint = [
  { lon: 2.3, lat: 48.9 },
  { lon: 2.31, lat: 48.9 },
  { lon: 2.31, lat: 48.89 },
  { lon: 2.3, lat: 48.89 },
];

export function randomBatch(config: MaeConfig, B: number, seed: number): Batch {
  const rng = new Rng(seed);
  const modalities: Record<string, ModalityBatch> = {};
  for (const m of config.modalities) {
    const [T, C, H] = [m.dates, m.bands.length, m.imageSize];
    const dates: AcqDate[][] = Array.from({ length: B }, () => Array.from({ length: T }, () => ({ year: 2019 + rng.int(3), doy: 1 + rng.int(365), hour: rng.int(24) })));
    modalities[m.name] = {
      modality: m.name,
      bands: [...m.bands],
      gsd: m.gsd,
      B,
      T,
      C,
      H,
      W: H,
      data: Float32Array.from(rng.normalArray(B * T * C * H * H)),
      valid: new Uint8Array(B * T * H * H).fill(1),
      dates,
      footprints: Array.from({ length: B }, () => FOOTPRINT),
    };
  }
  return { B, ids: Array.from({ length: B }, (_, b) => `random-${seed}-${b}`), modalities };
}
