/**
 * The sample contract between the data pipeline (src/data) and the training engine (src/model, src/train).
 *
 * A Sample is one training example: for each modality, a (T, C, H, W) stack of scaled pixels at that modality's own
 * GSD, covering the same ground footprint as the sample's other modalities, with per-date acquisition dates and
 * per-pixel validity. Batches stack B samples along a leading axis. Values are already scaled to model input units
 * (e.g. Sentinel-2 reflectance, Sentinel-1 dB/scale); the model never sees raw digital numbers.
 */

/** An acquisition date as MAESTRO encodes it (method.md §2.3): year, day of year 1..366, hour 0..23 (0 if unknown). */
export interface AcqDate {
  year: number;
  doy: number;
  hour: number;
}

/** WGS84 longitude/latitude in degrees. */
export interface LonLat {
  lon: number;
  lat: number;
}

/** Ground footprint corners in WGS84: upper-left, upper-right, lower-right, lower-left (image orientation). */
export type Footprint = readonly [LonLat, LonLat, LonLat, LonLat];

export interface ModalitySample {
  /** Modality key, e.g. 's2', 's1_asc', 's1_des', 'landsat', 'aerial', or a user-named modality. */
  modality: string;
  /** Band names in channel order, length C. */
  bands: string[];
  /** Ground sampling distance in metres per pixel. */
  gsd: number;
  T: number;
  C: number;
  H: number;
  W: number;
  /** (T, C, H, W) scaled pixel values; invalid pixels hold 0. */
  data: Float32Array;
  /** (T, H, W) 1 = valid pixel, 0 = nodata / cloud / fill. */
  valid: Uint8Array;
  /** Length T. */
  dates: AcqDate[];
  footprint: Footprint;
}

export interface Sample {
  /** Stable id: source location and window, e.g. "loc0:x512:y256:flipH". */
  id: string;
  modalities: Record<string, ModalitySample>;
}

export interface ModalityBatch {
  modality: string;
  bands: string[];
  gsd: number;
  B: number;
  T: number;
  C: number;
  H: number;
  W: number;
  /** (B, T, C, H, W) */
  data: Float32Array;
  /** (B, T, H, W) */
  valid: Uint8Array;
  /** B arrays of length T. */
  dates: AcqDate[][];
  /** Length B. */
  footprints: Footprint[];
}

export interface Batch {
  B: number;
  ids: string[];
  modalities: Record<string, ModalityBatch>;
}

/** Stacks samples that share modalities and shapes into a batch; throws naming the first mismatch. */
export function collate(samples: readonly Sample[]): Batch {
  if (samples.length === 0) throw new Error('collate: no samples');
  const B = samples.length;
  const first = samples[0];
  const modalities: Record<string, ModalityBatch> = {};
  for (const [key, m0] of Object.entries(first.modalities)) {
    const per = m0.T * m0.C * m0.H * m0.W;
    const perValid = m0.T * m0.H * m0.W;
    const data = new Float32Array(B * per);
    const valid = new Uint8Array(B * perValid);
    const dates: AcqDate[][] = [];
    const footprints: Footprint[] = [];
    samples.forEach((s, b) => {
      const m = s.modalities[key];
      if (!m) throw new Error(`collate: sample "${s.id}" has no modality "${key}"`);
      if (m.T !== m0.T || m.C !== m0.C || m.H !== m0.H || m.W !== m0.W) {
        throw new Error(
          `collate: modality "${key}" of sample "${s.id}" is (${m.T},${m.C},${m.H},${m.W}), expected (${m0.T},${m0.C},${m0.H},${m0.W})`,
        );
      }
      data.set(m.data, b * per);
      valid.set(m.valid, b * perValid);
      dates.push(m.dates);
      footprints.push(m.footprint);
    });
    modalities[key] = { modality: key, bands: m0.bands, gsd: m0.gsd, B, T: m0.T, C: m0.C, H: m0.H, W: m0.W, data, valid, dates, footprints };
  }
  return { B, ids: samples.map((s) => s.id), modalities };
}
