/**
 * Per-token embeddings: runs the frozen encoder (buildMaeGraph with encoderOnly and K = N: every token visible) over
 * samples and lays the features out as one table row per token, with where and when each token is:
 *   sample, modality, fusion group, token band group, date (index, year, day of year), token-grid row/col, the
 *   WGS84 lon/lat of the token's centre, and the fraction of its input pixels that were valid.
 *
 * Layout invariant: row = sample·Ntot + groupOffset[g] + n, where n is the token's index in its fusion-group
 * sequence (maeGeometry order: member modalities, then token band group j, date t, location l = row·g + col), and
 * Ntot = Σ_g N_g. So the token of (sample, g, n) is found without a search.
 * Positions: the sample footprint's corners (UL, UR, LR, LL in image orientation; validation tiles are never
 * flipped) are interpolated bilinearly at the token centre ((col + ½)/g, (row + ½)/g) — exact for the affine grids
 * the data layer reads, to within the curvature of lon/lat over one sample otherwise.
 * Reference: src/model/mae.ts (maeGeometry, encoderOut), src/export/encoderOnnx.gpu.test.ts (the same feeding).
 */
import { createBufferFrom } from '../gpu/buffers';
import { readF32 } from '../gpu/readback';
import { ResourceScope } from '../gpu/scope';
import { wholeTensor } from '../gpu/tensor';
import { submitDispatches } from '../kernels/dispatch';
import { collate, type Footprint, type LonLat, type Sample } from '../data/sample';
import { assert } from '../lib/assert';
import { groupTokenCounts, gridSize, type MaeConfig } from '../model/config';
import { buildMaeGraph, maeGeometry } from '../model/mae';
import type { GroupMask } from '../model/masking';
import { buildParamLayout } from '../model/params';

/** Where token n of fusion group g sits: modality m, token band group j, date t, grid cell (row, col) of a g×g grid. */
export interface TokenSlot {
  m: number;
  j: number;
  t: number;
  row: number;
  col: number;
  /** Side of the modality's token grid. */
  grid: number;
}

/** [g][n] the slot of every token of every fusion-group sequence. */
export function tokenSlots(config: MaeConfig): TokenSlot[][] {
  const geo = maeGeometry(config);
  return geo.N.map((N, g) => {
    const out: TokenSlot[] = new Array(N);
    for (const s of geo.segments) {
      if (s.g !== g) continue;
      const grid = gridSize(config.modalities[s.m]);
      for (let r = 0; r < s.T * s.L; r++) {
        const l = r % s.L;
        out[s.start + r] = { m: s.m, j: s.j, t: Math.floor(r / s.L), row: Math.floor(l / grid), col: l % grid, grid };
      }
    }
    return out;
  });
}

/** Bilinear position inside a footprint at fractional image coordinates (u across, v down), both in [0, 1]. */
export function footprintPoint(fp: Footprint, u: number, v: number): LonLat {
  const [ul, ur, lr, ll] = fp;
  const w = [(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v];
  return { lon: w[0] * ul.lon + w[1] * ur.lon + w[2] * lr.lon + w[3] * ll.lon, lat: w[0] * ul.lat + w[1] * ur.lat + w[2] * lr.lat + w[3] * ll.lat };
}

export interface TokenTable {
  E: number;
  /** Tokens per sample, Σ_g N_g. */
  perSample: number;
  /** [g] first row of group g within a sample's block. */
  groupOffset: number[];
  count: number;
  features: Float32Array; // (count, E)
  sample: Int32Array; // (count)
  modality: Int32Array; // (count) config modality index
  group: Int32Array; // (count) fusion group index
  bandGroup: Int32Array; // (count) token band group j
  dateIndex: Int32Array; // (count) t
  year: Int32Array; // (count)
  doy: Int32Array; // (count)
  row: Int32Array; // (count) token-grid row
  col: Int32Array; // (count) token-grid column
  lon: Float64Array; // (count) token centre, WGS84 degrees
  lat: Float64Array; // (count)
  valid: Float32Array; // (count) fraction of valid input pixels under the token
}

/** A zero-filled table of `count` tokens of width E (valid = 0: callers fill what they know). */
export function emptyTokenTable(E: number, perSample: number, groupOffset: number[], count: number): TokenTable {
  return {
    E,
    perSample,
    groupOffset,
    count,
    features: new Float32Array(count * E),
    sample: new Int32Array(count),
    modality: new Int32Array(count),
    group: new Int32Array(count),
    bandGroup: new Int32Array(count),
    dateIndex: new Int32Array(count),
    year: new Int32Array(count),
    doy: new Int32Array(count),
    row: new Int32Array(count),
    col: new Int32Array(count),
    lon: new Float64Array(count),
    lat: new Float64Array(count),
    valid: new Float32Array(count),
  };
}

export interface SampleInfo {
  id: string;
  footprint: Footprint;
}

export interface Embedded {
  config: MaeConfig;
  tokens: TokenTable;
  samples: SampleInfo[];
}

/** Every token visible: K = N, visible = 0..N−1 ascending (original order), nothing masked. */
export function fullMasks(config: MaeConfig, B: number): GroupMask[] {
  return groupTokenCounts(config).map(({ N }, g) => {
    const visible = new Uint32Array(B * N); // (B, N)
    for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) visible[b * N + n] = n;
    return { group: config.groups[g].name, B, N, K: N, visible, masked: new Uint32Array(0) };
  });
}

export interface EmbedOptions {
  /** Samples per forward (default 8). */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Encodes `samples` with frozen parameters `params` (flat, params.ts layout) and returns the token table. */
export async function embedSamples(device: GPUDevice, config: MaeConfig, params: Float32Array, samples: readonly Sample[], opts: EmbedOptions = {}): Promise<Embedded> {
  assert(samples.length > 0, 'embedSamples: no samples');
  const layout = buildParamLayout(config);
  assert(params.length === layout.size, () => `embedSamples: ${params.length} parameters, the configuration needs ${layout.size}`);
  const E = config.encoder.width;
  const slots = tokenSlots(config);
  const N = slots.map((s) => s.length);
  const groupOffset = N.map((_, g) => N.slice(0, g).reduce((a, b) => a + b, 0));
  const perSample = N.reduce((a, b) => a + b, 0);
  const count = samples.length * perSample;
  const t = emptyTokenTable(E, perSample, groupOffset, count);
  const B = Math.max(1, Math.min(opts.batch ?? 8, samples.length));
  const scope = new ResourceScope(device);
  const pBuf = scope.track(await createBufferFrom(device, 'probe.encoder.params', params));
  const graph = await buildMaeGraph(scope, config, { B, K: N, params: wholeTensor(pBuf, [layout.size], 'probe.encoder.params'), encoderOnly: true });
  const masks = fullMasks(config, B);
  try {
    for (let s0 = 0; s0 < samples.length; s0 += B) {
      const n = Math.min(B, samples.length - s0);
      // The graph has a fixed batch: the last one is padded with copies of its last sample (outputs dropped).
      const chunk = Array.from({ length: B }, (_, b) => samples[s0 + Math.min(b, n - 1)]);
      const batch = collate(chunk);
      graph.upload(batch, masks);
      submitDispatches(device, graph.forward, 'probe encoder');
      for (let g = 0; g < N.length; g++) {
        const out = graph.encoderOut[g];
        const feats = await readF32(device, out.buffer, out.offset, B * N[g] * E); // (B, N_g, E)
        for (let b = 0; b < n; b++) {
          const s = s0 + b;
          const fp = samples[s].modalities[config.modalities[0].name].footprint;
          for (let k = 0; k < N[g]; k++) {
            const row = s * perSample + groupOffset[g] + k;
            const slot = slots[g][k];
            const mod = config.modalities[slot.m];
            const mb = batch.modalities[mod.name];
            t.features.set(feats.subarray((b * N[g] + k) * E, (b * N[g] + k + 1) * E), row * E);
            t.sample[row] = s;
            t.modality[row] = slot.m;
            t.group[row] = g;
            t.bandGroup[row] = slot.j;
            t.dateIndex[row] = slot.t;
            const date = mb.dates[b][slot.t];
            t.year[row] = date.year;
            t.doy[row] = date.doy;
            t.row[row] = slot.row;
            t.col[row] = slot.col;
            const c = footprintPoint(fp, (slot.col + 0.5) / slot.grid, (slot.row + 0.5) / slot.grid);
            t.lon[row] = c.lon;
            t.lat[row] = c.lat;
            t.valid[row] = validFraction(mb.valid, b, slot.t, mb.T, mb.H, mod.patchSize, slot.row, slot.col);
          }
        }
      }
      opts.onProgress?.(s0 + n, samples.length);
    }
  } finally {
    graph.destroy();
    scope.dispose();
  }
  return { config, tokens: t, samples: samples.map((s) => ({ id: s.id, footprint: s.modalities[config.modalities[0].name].footprint })) };
}

/** Fraction of valid pixels of the P×P patch (row, col) at date t of batch item b; valid is (B, T, H, H). */
function validFraction(valid: Uint8Array, b: number, t: number, T: number, H: number, P: number, row: number, col: number): number {
  let n = 0;
  const base = (b * T + t) * H * H;
  for (let y = 0; y < P; y++) for (let x = 0; x < P; x++) n += valid[base + (row * P + y) * H + col * P + x];
  return n / (P * P);
}

/** Row of the token (sample, group g, sequence index n). */
export function tokenRow(t: TokenTable, sample: number, g: number, n: number): number {
  return sample * t.perSample + t.groupOffset[g] + n;
}
