/**
 * CPU assembly of the PCA embedding map of one sample (B = 1): from the encoder's per-token features (a TokenTable
 * of src/probe/tokens.ts, every token visible) to RGBA tiles — per modality, token band group and date, the first
 * three principal components of the tokens' features as red, green and blue (src/probe/pca.ts `pcaRgb`), on the token
 * grid upsampled P× nearest to the image size — plus the input composite of every modality and date beside them,
 * rendered as the Inspect grid renders its input (true colour from the red/green/blue bands where they exist, else
 * the grey mean of all bands; 2–98 % stretch over the valid pixels of all dates; nodata transparent).
 *
 * Shapes: features (tokens, E); a (modality m, token group j) has T·g² tokens at table rows where modality = m and
 * bandGroup = j, each with its date t and grid cell (row, col); tiles are (T, H, W, 4) RGBA with H = W = g·P.
 * Invariants: pure and deterministic (pcaRgb starts its power iteration from a seeded vector); a PCA is fitted per
 * image (fit 'image') or over all dates of the (m, j) at once (fit 'series'), and the explained-variance shares of
 * the PCA that coloured each date are reported with it.
 */
import type { Sample } from '../../data/sample';
import { type MaeConfig, gridSize, tokenGroupRanges } from '../../model/config';
import { pcaRgb } from '../../probe/pca';
import type { TokenTable } from '../../probe/tokens';
import type { PcaFit, PcaGroupMeta, PcaModalityMeta, PcaPixels } from '../protocol/encoder';
import { findRgb, isoDate } from './inspectAssemble';
import { colormapLut, percentileRange, type Range, renderRgb, renderScalar } from './inspectColor';

export interface PcaAssembled {
  modalities: PcaModalityMeta[];
  pixels: PcaPixels[];
}

export interface PcaAssembleInput {
  config: MaeConfig;
  sample: Sample;
  /** Features of exactly this sample (table.count = Σ_g N_g). */
  tokens: TokenTable;
  fit: PcaFit;
  /** Common band names (red, green, …) per modality, to find a true-colour composite; may be empty. */
  commonNames?: Readonly<Record<string, ReadonlyMap<string, string | null>>>;
}

/** (T, H, W, 4) input composite of one modality and the words for it. */
export function renderInputComposite(
  data: Float32Array, // (T, C, H, W)
  valid: Uint8Array, // (T, H, W)
  d: { T: number; C: number; H: number; W: number },
  bands: readonly string[],
  rgb: readonly [number, number, number] | null,
): { rgba: Uint8ClampedArray<ArrayBuffer>; label: string } {
  const { T, C, H, W } = d;
  const HW = H * W;
  const out = new Uint8ClampedArray(T * HW * 4);
  const isValid = (t: number) => (p: number) => valid[t * HW + p] === 1;
  if (rgb) {
    // One plane per channel over all dates, so a date that is darker stays darker (Inspect's RGB row does the same).
    const plane = (c: number) => {
      const x = new Float32Array(T * HW);
      for (let t = 0; t < T; t++) x.set(data.subarray((t * C + c) * HW, (t * C + c + 1) * HW), t * HW);
      return x;
    };
    const planes = rgb.map(plane) as [Float32Array, Float32Array, Float32Array];
    const ranges = planes.map((p) => percentileRange(p, 0.02, 0.98, (i) => valid[i] === 1)) as [Range, Range, Range];
    for (let t = 0; t < T; t++) {
      const at = planes.map((p) => p.subarray(t * HW, (t + 1) * HW)) as [Float32Array, Float32Array, Float32Array];
      renderRgb(at, ranges, out, t * HW, isValid(t));
    }
    return { rgba: out, label: `True colour: ${rgb.map((c) => bands[c]).join(' ')}` };
  }
  const mean = new Float32Array(T * HW);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) for (let p = 0; p < HW; p++) mean[t * HW + p] += data[(t * C + c) * HW + p] / C;
  const range = percentileRange(mean, 0.02, 0.98, (i) => valid[i] === 1);
  const gray = colormapLut('gray');
  for (let t = 0; t < T; t++) renderScalar(mean.subarray(t * HW, (t + 1) * HW), range, gray, out, t * HW, { alpha: isValid(t) });
  return { rgba: out, label: C === 1 ? `Band ${bands[0]} (grey)` : `Mean of ${C} bands (grey)` };
}

/**
 * Upsamples per-token colours to pixels: token (row, col) of date t covers pixels [row·P, row·P + P) × [col·P, …).
 * `colors` is (T, g, g, 4); returns (T, g·P, g·P, 4).
 */
export function upsampleTokens(colors: Uint8ClampedArray, T: number, g: number, P: number): Uint8ClampedArray<ArrayBuffer> {
  const S = g * P;
  const out = new Uint8ClampedArray(T * S * S * 4);
  for (let t = 0; t < T; t++)
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        const src = ((t * g + Math.floor(y / P)) * g + Math.floor(x / P)) * 4;
        out.set(colors.subarray(src, src + 4), ((t * S + y) * S + x) * 4);
      }
  return out;
}

export function assemblePca(inp: PcaAssembleInput): PcaAssembled {
  const { config, sample, tokens: tt, fit } = inp;
  const E = tt.E;
  if (tt.count !== tt.perSample) throw new Error(`assemblePca expects the tokens of one sample, got ${tt.count} rows for ${tt.perSample} per sample`);
  const modalities: PcaModalityMeta[] = [];
  const pixels: PcaPixels[] = [];
  config.modalities.forEach((mod, mi) => {
    const ms = sample.modalities[mod.name];
    if (!ms) throw new Error(`the sample has no modality "${mod.name}"`);
    const { T, C, H, W } = ms;
    const P = mod.patchSize;
    const g = gridSize(mod);
    const L = g * g;
    const input = renderInputComposite(ms.data, ms.valid, { T, C, H, W }, mod.bands, findRgb(mod.bands, inp.commonNames?.[mod.name]));
    const inputKey = `${mod.name}/input`;
    pixels.push({ key: inputKey, rgba: input.rgba });

    const groups: PcaGroupMeta[] = tokenGroupRanges(mod).map(([c0, c1], j) => {
      // rowsAt[t·L + l] = table row of the token of date t, grid cell l.
      const rowsAt = new Int32Array(T * L).fill(-1);
      for (let i = 0; i < tt.count; i++) {
        if (tt.modality[i] !== mi || tt.bandGroup[i] !== j) continue;
        rowsAt[tt.dateIndex[i] * L + tt.row[i] * g + tt.col[i]] = i;
      }
      if (rowsAt.includes(-1)) throw new Error(`the encoder output lacks tokens of ${mod.name} band group ${j + 1}`);
      const colors = new Uint8ClampedArray(T * L * 4); // (T, g, g, 4)
      const explained: [number, number, number][] = [];
      const units = fit === 'image' ? Array.from({ length: T }, (_, t) => [t]) : [Array.from({ length: T }, (_, t) => t)];
      for (const dates of units) {
        const n = dates.length * L;
        const x = new Float32Array(n * E); // (n, E) features of the fitted tokens, dates in order
        dates.forEach((t, k) => {
          for (let l = 0; l < L; l++) {
            const r = rowsAt[t * L + l];
            x.set(tt.features.subarray(r * E, (r + 1) * E), (k * L + l) * E);
          }
        });
        const { rgba, pca } = pcaRgb(x, n, E);
        dates.forEach((t, k) => {
          colors.set(rgba.subarray(k * L * 4, (k + 1) * L * 4), t * L * 4);
          explained[t] = [pca.explained[0], pca.explained[1], pca.explained[2]];
        });
      }
      const key = `${mod.name}/pca${j}`;
      pixels.push({ key, rgba: upsampleTokens(colors, T, g, P) });
      return { key, index: j, bands: mod.bands.slice(c0, c1), explained };
    });
    modalities.push({ name: mod.name, T, H, W, P, grid: g, dates: ms.dates.map(isoDate), input: { key: inputKey, label: input.label }, groups });
  });
  return { modalities, pixels };
}
