/**
 * Fixed (non-learned) position and date encodings added to tokens before the encoder and again before the decoder
 * (method.md §2.5–§2.6; IGNF/MAESTRO maestro/layers/utils.py posemb_sincos_2d, reshape_encoding, encode_dates).
 *
 * Why on the CPU: they are constants. The position table depends only on the config (computed once per width and
 * modality), the date table only on the batch's acquisition dates (B·T·8 numbers per modality). Both are uploaded and
 * added by the GPU graph, and passed unchanged to the CPU reference, so the two graphs add identical values.
 *
 * A width-D token (D multiple of 4, ≥ 8) receives [PE ‖ DE]: the first D − 8 channels position, the last 8 date.
 * The tables hold only their own channels (MAESTRO pads each with zeros to D), so pos is (L, D − 8) and date (B, T, 8):
 *   PE = [sin(x·ω), cos(x·ω), sin(y·ω), cos(y·ω)]     x = column, y = row on the fine G×G reference grid,
 *        n = (D − 8)/4 frequencies ω_k = 10000^(−k/(n−1)) (ω = [1] when n = 1, where MAESTRO would divide by zero);
 *   DE = [Δ, Δ, Δ, Δ, sin 2πd, cos 2πd, sin 2πh, cos 2πh]     d = doy/365.25, h = hour/24,
 *        Δ = (year + d) − (year_ref + doy_ref/365.25) in signed years.
 * The fine table is average-pooled to each modality's g×g token grid (after a bilinear resize, align_corners=False, to
 * g·round(G/g) when g does not divide G), so co-located tokens of different GSDs get comparable encodings (quirk 8:
 * pooled sin-cos values, not sin-cos of pooled coordinates).
 * With config.positions = 'ground' (A²-MAE-style GSD-aware positions, method.md §7.3, our design) the table is instead
 * the same sin-cos of the token centre's GROUND coordinates: metres from the sample centre divided by the finest token
 * size of the config (min patchSize·gsd), so co-located tokens of any GSD get the same encoding at the same ground
 * point (a 30 m token centred on a 10 m token's centre gets exactly its encoding) without a fine table.
 */
import type { AcqDate } from '../data/sample';
import { assert } from '../lib/assert';
import { type MaeConfig, type ModalityConfig, gridSize, roundHalfEven } from './config';

/** Channels reserved for the date encoding at the end of every token (MAESTRO date_dim). */
export const DATE_DIM = 8;

/** Sin-cos frequencies for width D: (D − 8)/4 of them. */
export function frequencies(D: number): Float64Array {
  assert(D % 4 === 0 && D >= DATE_DIM, () => `encoding width ${D} must be a multiple of 4 and ≥ ${DATE_DIM}`);
  const n = (D - DATE_DIM) / 4;
  const omega = new Float64Array(n);
  for (let k = 0; k < n; k++) omega[k] = n === 1 ? 1 : 1 / Math.pow(10000, k / (n - 1));
  return omega;
}

/** (G, G, D − 8) fine sin-cos table for token width D on the reference grid, row-major over (row y, column x). */
export function sincosTable(G: number, D: number): Float64Array {
  const omega = frequencies(D);
  const n = omega.length;
  const DP = D - DATE_DIM;
  const out = new Float64Array(G * G * DP);
  for (let y = 0; y < G; y++)
    for (let x = 0; x < G; x++) {
      const o = (y * G + x) * DP;
      for (let k = 0; k < n; k++) {
        out[o + k] = Math.sin(x * omega[k]);
        out[o + n + k] = Math.cos(x * omega[k]);
        out[o + 2 * n + k] = Math.sin(y * omega[k]);
        out[o + 3 * n + k] = Math.cos(y * omega[k]);
      }
    }
  return out;
}

/**
 * Bilinear resize of an (S, S, D) table to (R, R, D), PyTorch F.interpolate(mode='bilinear', align_corners=False):
 * source coordinate (i + 0.5)·S/R − 0.5, clamped at 0; the upper neighbour is clamped to S − 1.
 */
export function resizeBilinear(src: Float64Array, S: number, R: number, D: number): Float64Array {
  assert(src.length === S * S * D, () => `resizeBilinear: table has ${src.length} values, expected ${S}×${S}×${D}`);
  const coord = (i: number): [number, number, number] => {
    const s = Math.max((i + 0.5) * (S / R) - 0.5, 0);
    const i0 = Math.floor(s);
    const i1 = i0 < S - 1 ? i0 + 1 : i0;
    return [i0, i1, s - i0];
  };
  const out = new Float64Array(R * R * D);
  for (let y = 0; y < R; y++) {
    const [y0, y1, ly] = coord(y);
    for (let x = 0; x < R; x++) {
      const [x0, x1, lx] = coord(x);
      const o = (y * R + x) * D;
      for (let c = 0; c < D; c++) {
        const top = (1 - lx) * src[(y0 * S + x0) * D + c] + lx * src[(y0 * S + x1) * D + c];
        const bottom = (1 - lx) * src[(y1 * S + x0) * D + c] + lx * src[(y1 * S + x1) * D + c];
        out[o + c] = (1 - ly) * top + ly * bottom;
      }
    }
  }
  return out;
}

/** (g·g, D) the (G, G, D) table pooled to a g×g grid (MAESTRO reshape_encoding). */
export function poolToGrid(table: Float64Array, G: number, g: number, D: number): Float64Array {
  assert(g >= 1 && g <= G, () => `poolToGrid: grid ${g} must be between 1 and the reference grid ${G}`);
  let S = G;
  let src = table;
  if (G % g !== 0) {
    S = g * roundHalfEven(G / g);
    src = resizeBilinear(table, G, S, D);
  }
  const f = S / g;
  const out = new Float64Array(g * g * D);
  const inv = 1 / (f * f);
  for (let y = 0; y < g; y++)
    for (let x = 0; x < g; x++) {
      const o = (y * g + x) * D;
      for (let dy = 0; dy < f; dy++)
        for (let dx = 0; dx < f; dx++) {
          const s = ((y * f + dy) * S + x * f + dx) * D;
          for (let c = 0; c < D; c++) out[o + c] += src[s + c];
        }
      for (let c = 0; c < D; c++) out[o + c] *= inv;
    }
  return out;
}

/** (L, D − 8) position encoding of a modality's token grid for token width D, L = g² row-major. Same for every date
 * and token group. */
export function positionEncoding(config: MaeConfig, m: ModalityConfig, D: number): Float64Array {
  if (config.positions === 'ground') return groundPositionEncoding(config, m, D);
  return poolToGrid(sincosTable(config.posGrid, D), config.posGrid, gridSize(m), D - DATE_DIM);
}

/** Ground unit of the 'ground' positions: the finest token size of the config in metres (min patchSize·gsd). */
export function groundUnit(config: MaeConfig): number {
  return Math.min(...config.modalities.map((m) => m.patchSize * m.gsd));
}

/**
 * (L, D − 8) GSD-aware position encoding: [sin(x·ω), cos(x·ω), sin(y·ω), cos(y·ω)] of the token centre in ground units
 * from the sample centre, x = ((col + ½)·P − H/2)·gsd / unit along columns, y likewise along rows.
 */
export function groundPositionEncoding(config: MaeConfig, m: ModalityConfig, D: number): Float64Array {
  const omega = frequencies(D);
  const n = omega.length;
  const DP = D - DATE_DIM;
  const g = gridSize(m);
  const unit = groundUnit(config);
  const coord = (i: number) => (((i + 0.5) * m.patchSize - m.imageSize / 2) * m.gsd) / unit;
  const out = new Float64Array(g * g * DP);
  for (let y = 0; y < g; y++)
    for (let x = 0; x < g; x++) {
      const o = (y * g + x) * DP;
      const [cx, cy] = [coord(x), coord(y)];
      for (let k = 0; k < n; k++) {
        out[o + k] = Math.sin(cx * omega[k]);
        out[o + n + k] = Math.cos(cx * omega[k]);
        out[o + 2 * n + k] = Math.sin(cy * omega[k]);
        out[o + 3 * n + k] = Math.cos(cy * omega[k]);
      }
    }
  return out;
}

/** (8) date encoding of one acquisition relative to `ref`; all zero when disabled (MAESTRO fac_date_enc = 0). */
export function dateEncoding(date: AcqDate, ref: AcqDate, enabled = true): Float64Array {
  const out = new Float64Array(DATE_DIM);
  if (!enabled) return out;
  const d = date.doy / 365.25;
  const h = date.hour / 24;
  const delta = date.year + d - (ref.year + ref.doy / 365.25);
  out[0] = out[1] = out[2] = out[3] = delta;
  out[4] = Math.sin(2 * Math.PI * d);
  out[5] = Math.cos(2 * Math.PI * d);
  out[6] = Math.sin(2 * Math.PI * h);
  out[7] = Math.cos(2 * Math.PI * h);
  return out;
}

/** Just the acquisition dates of a batch (a Batch satisfies it). */
export interface BatchDates {
  B: number;
  modalities: Record<string, { dates: AcqDate[][] }>;
}

/** The reference date of sample b (config.dateEncoding.reference). */
export function referenceDate(config: MaeConfig, batch: BatchDates, b: number): AcqDate {
  const r = config.dateEncoding.reference;
  if (r.kind === 'fixed') return r.date;
  const mb = batch.modalities[r.modality];
  assert(mb && mb.dates[b]?.length, () => `date reference modality "${r.modality}" has no dates for sample ${b}`);
  return mb.dates[b][0];
}

/** Encodings for one modality at one token width D. */
export interface ModalityEncodings {
  pos: Float64Array; // (L, D − 8)
  date: Float64Array; // (B, T, 8)
}

/**
 * Position and date tables of every modality (config order) for token width D (the encoder width, or the decoder
 * width for the decoder's own tables). The model adds [pos[l] ‖ date[b, t]] to token (b, j, t, l).
 */
export function encodingTables(config: MaeConfig, batch: BatchDates, D: number): ModalityEncodings[] {
  const fine = config.positions === 'ground' ? null : sincosTable(config.posGrid, D);
  const DP = D - DATE_DIM;
  const refs = Array.from({ length: batch.B }, (_, b) => referenceDate(config, batch, b));
  return config.modalities.map((m) => {
    const mb = batch.modalities[m.name];
    assert(mb, () => `batch has no modality "${m.name}"`);
    const T = m.dates;
    const date = new Float64Array(batch.B * T * DATE_DIM);
    for (let b = 0; b < batch.B; b++) {
      assert(mb.dates[b]?.length === T, () => `modality "${m.name}" sample ${b} has ${mb.dates[b]?.length} dates, config says ${T}`);
      for (let t = 0; t < T; t++) date.set(dateEncoding(mb.dates[b][t], refs[b], config.dateEncoding.enabled), (b * T + t) * DATE_DIM);
    }
    const pos = fine ? poolToGrid(fine, config.posGrid, gridSize(m), DP) : groundPositionEncoding(config, m, D);
    return { pos, date };
  });
}
