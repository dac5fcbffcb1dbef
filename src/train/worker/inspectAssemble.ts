/**
 * CPU-side assembly of the Inspect grid from one forward pass (batch of one sample): unpatchify the read-back
 * predictions and targets of every (modality, token group) segment into per-date images, split them into grid rows
 * (modality × normalisation group, plus an RGB composite row where the modality has red, green and blue bands), and
 * render each row's input / reconstruction / target / error tiles with colour scales shared by all of its dates.
 *
 * Layouts (mae.ts, patchify.ref.ts): a segment's rows are (date t, location l) → t·L + l with l = gy·g + gx; a row's
 * values are (py·P + px)·Cj + c, channel fastest. A group mask (1, N) holds token (j, t, l) of modality m at
 * offset_m + (j·T + t)·L + l, i.e. segment.start + t·L + l.
 * Single-band views of a multi-band normalisation group show the mean over its bands: for per-group normalised targets
 * the mean of the normalised bands is the normalised band mean, so input, target and prediction stay comparable; the
 * hover shows every band. Reconstruction = prediction on masked patches, target on visible ones (MAE's figure);
 * error = mean |pred − target| over the masked bands of a pixel, shown on masked patches only (what the loss sees).
 */
import type { AcqDate, Batch } from '../../data/sample';
import { type MaeConfig, type ModalityConfig, gridSize, tokenGroupRanges } from '../../model/config';
import type { Geometry } from '../../model/mae';
import { maskFlags, type GroupMask } from '../../model/masking';
import type { ColorScale, InspectModalityMeta, InspectRowMeta, InspectRowPixels } from '../protocol/inspect';
import { COLORMAP_STOPS, colormapLut, percentileRange, renderRgb, renderScalar, type Range } from './inspectColor';

export interface SegmentOutputs {
  pred: Float32Array; // (T·L, V)
  target: Float32Array; // (T·L, V)
}

export interface AssembleInput {
  config: MaeConfig;
  geometry: Geometry;
  /** B = 1. */
  batch: Batch;
  /** B = 1, one per fusion group. */
  masks: readonly GroupMask[];
  /** One per geometry segment. */
  outputs: readonly SegmentOutputs[];
  /** Channel indices of red, green, blue per modality, or null when the modality has no true-colour bands. */
  rgb: Readonly<Record<string, readonly [number, number, number] | null>>;
  /** Input unit per modality (e.g. "reflectance"). */
  units: Readonly<Record<string, string>>;
}

export interface Assembled {
  modalities: InspectModalityMeta[];
  pixels: InspectRowPixels[];
}

/** The colour of visible (unscored) patches in the error view: a dark slate, distinct from magma's black. */
const VISIBLE_RGB = [40, 56, 66] as const;

// ---------------------------------------------------------------------------------------------------------------
// Layout helpers

/** (T·L, P²·C) token values → (T, C, H, W) images (the inverse of patchify for one sample). */
export function unpatchifyTokens(tokens: ArrayLike<number>, d: { T: number; C: number; H: number; W: number; P: number }): Float32Array<ArrayBuffer> {
  const { T, C, H, W, P } = d;
  const gw = W / P;
  const L = (H / P) * gw;
  const V = P * P * C;
  if (tokens.length !== T * L * V) throw new Error(`unpatchifyTokens: ${tokens.length} values, expected ${T}·${L}·${V}`);
  const out = new Float32Array(T * C * H * W); // (T, C, H, W)
  for (let t = 0; t < T; t++)
    for (let l = 0; l < L; l++) {
      const y0 = Math.floor(l / gw) * P;
      const x0 = (l % gw) * P;
      const row = (t * L + l) * V;
      for (let py = 0; py < P; py++)
        for (let px = 0; px < P; px++)
          for (let c = 0; c < C; c++) out[((t * C + c) * H + y0 + py) * W + x0 + px] = tokens[row + (py * P + px) * C + c];
    }
  return out;
}

/** (T, L) 1 = masked, for the segment starting at `start` in a (1, N) group mask. */
export function segmentMask(mask: GroupMask, start: number, T: number, L: number): Uint8Array<ArrayBuffer> {
  if (mask.B !== 1) throw new Error(`segmentMask expects a mask of one sample, got B=${mask.B}`);
  const flags = maskFlags(mask);
  return Uint8Array.from(flags.subarray(start, start + T * L));
}

/** ISO date (YYYY-MM-DD) of an acquisition date given as year + day of year. */
export function isoDate(d: AcqDate): string {
  return new Date(Date.UTC(d.year, 0, d.doy)).toISOString().slice(0, 10);
}

export interface RowPlan {
  key: string;
  kind: 'group' | 'rgb';
  label: string;
  /** Channel indices of the modality, in row order. */
  channels: number[];
}

/** Grid rows of a modality: one per normalisation group, then the RGB composite when red, green and blue exist. */
export function planRows(mod: ModalityConfig, rgb: readonly [number, number, number] | null): RowPlan[] {
  const rows: RowPlan[] = [];
  let c0 = 0;
  mod.normGroups.forEach((n, k) => {
    const channels = Array.from({ length: n }, (_, i) => c0 + i);
    const names = channels.map((c) => mod.bands[c]);
    const label = mod.normGroups.length === 1 ? `All bands: ${names.join(' ')}` : `Group ${k + 1}: ${names.join(' ')}`;
    rows.push({ key: `${mod.name}/ng${k}`, kind: 'group', label, channels });
    c0 += n;
  });
  if (rgb) rows.push({ key: `${mod.name}/rgb`, kind: 'rgb', label: `True colour: ${rgb.map((c) => mod.bands[c]).join(' ')}`, channels: [...rgb] });
  return rows;
}

/**
 * Red, green and blue channel indices from band names and (optional) common names (STAC eo:bands style):
 * common 'red'/'green'/'blue' first, then the Sentinel-2 names B04/B03/B02, then bands literally named so.
 */
export function findRgb(bands: readonly string[], common: ReadonlyMap<string, string | null> = new Map()): [number, number, number] | null {
  const pick = (colour: string, s2: string): number => {
    let i = bands.findIndex((b) => common.get(b) === colour);
    if (i < 0) i = bands.findIndex((b) => b.toUpperCase() === s2);
    if (i < 0) i = bands.findIndex((b) => b.toLowerCase() === colour);
    return i;
  };
  const idx = [pick('red', 'B04'), pick('green', 'B03'), pick('blue', 'B02')] as [number, number, number];
  return idx.every((i) => i >= 0) ? idx : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Assembly

function scale(range: Range, colormap: ColorScale['colormap'], extra: Partial<ColorScale> = {}): ColorScale {
  return { lo: range.lo, hi: range.hi, colormap, stops: colormap === 'rgb' ? [] : COLORMAP_STOPS[colormap], ...extra };
}

/** Mean over `channels` of (T, C, HW) data → (T, HW). */
function channelMean(x: Float32Array, T: number, C: number, HW: number, channels: readonly number[]): Float32Array {
  const out = new Float32Array(T * HW);
  for (let t = 0; t < T; t++)
    for (const c of channels) {
      const base = (t * C + c) * HW;
      for (let p = 0; p < HW; p++) out[t * HW + p] += x[base + p] / channels.length;
    }
  return out;
}

/** (T, C, HW) → (T, Cr, HW) for the listed channels. */
function selectChannels(x: Float32Array, T: number, C: number, HW: number, channels: readonly number[]): Float32Array<ArrayBuffer> {
  const out = new Float32Array(T * channels.length * HW);
  for (let t = 0; t < T; t++) channels.forEach((c, k) => out.set(x.subarray((t * C + c) * HW, (t * C + c + 1) * HW), (t * channels.length + k) * HW));
  return out;
}

export function assembleInspection(inp: AssembleInput): Assembled {
  const { config, geometry: geo, batch, masks } = inp;
  if (batch.B !== 1) throw new Error(`assembleInspection expects one sample, got B=${batch.B}`);
  const modalities: InspectModalityMeta[] = [];
  const pixels: InspectRowPixels[] = [];
  config.modalities.forEach((mod, m) => {
    const mb = batch.modalities[mod.name];
    if (!mb) throw new Error(`the sample has no modality "${mod.name}"`);
    const { T, C, H, W } = mb;
    const P = mod.patchSize;
    const g = gridSize(mod);
    const L = g * g;
    const HW = H * W;
    // Full (T, C, H, W) target and prediction, and the (T, L) mask of each channel's token group.
    const target = new Float32Array(T * C * HW);
    const pred = new Float32Array(T * C * HW);
    const channelMask: Uint8Array[] = new Array(C);
    const channelToken: number[] = new Array(C);
    const ranges = tokenGroupRanges(mod);
    geo.segments.forEach((s, i) => {
      if (s.m !== m) return;
      const [c0, c1] = ranges[s.j];
      const Cj = c1 - c0;
      const dims = { T, C: Cj, H, W, P };
      const tImg = unpatchifyTokens(inp.outputs[i].target, dims);
      const pImg = unpatchifyTokens(inp.outputs[i].pred, dims);
      for (let t = 0; t < T; t++)
        for (let c = 0; c < Cj; c++) {
          target.set(tImg.subarray((t * Cj + c) * HW, (t * Cj + c + 1) * HW), (t * C + c0 + c) * HW);
          pred.set(pImg.subarray((t * Cj + c) * HW, (t * Cj + c + 1) * HW), (t * C + c0 + c) * HW);
        }
      const mk = segmentMask(masks[s.g], s.start, T, L);
      for (let c = c0; c < c1; c++) {
        channelMask[c] = mk;
        channelToken[c] = s.j;
      }
    });
    const x = mb.data; // (1, T, C, H, W)
    const valid = mb.valid; // (1, T, H, W)
    // Token of pixel p: (y / P)·g + x / P.
    const tokenOf = new Uint32Array(HW);
    for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) tokenOf[y * W + xx] = Math.floor(y / P) * g + Math.floor(xx / P);

    const rows: InspectRowMeta[] = [];
    for (const plan of planRows(mod, inp.rgb[mod.name] ?? null)) {
      const ch = plan.channels;
      const rowMask = new Uint8Array(T * L); // (T, L) OR over the row's channels
      for (const c of ch) for (let i = 0; i < T * L; i++) rowMask[i] |= channelMask[c][i];
      const maskedAt = (c: number, t: number, p: number) => channelMask[c][t * L + tokenOf[p]] === 1;
      // Reconstruction (T, C, HW) restricted to the row: prediction where masked, target where visible.
      const recon = new Float32Array(T * C * HW);
      const err = new Float32Array(T * HW); // mean |pred − target| over masked channels, NaN where none
      for (let t = 0; t < T; t++)
        for (let p = 0; p < HW; p++) {
          let e = 0;
          let n = 0;
          for (const c of ch) {
            const k = (t * C + c) * HW + p;
            if (maskedAt(c, t, p)) {
              recon[k] = pred[k];
              e += Math.abs(pred[k] - target[k]);
              n++;
            } else recon[k] = target[k];
          }
          err[t * HW + p] = n > 0 ? e / n : NaN;
        }
      const isValid = (t: number) => (p: number) => valid[t * HW + p] === 1;
      const errRange: Range = { lo: 0, hi: percentileRange(err, 0, 0.99).hi };
      if (!(errRange.hi > 0)) errRange.hi = 1e-6;
      const out = { input: new Uint8ClampedArray(T * HW * 4), reconstruction: new Uint8ClampedArray(T * HW * 4), target: new Uint8ClampedArray(T * HW * 4), error: new Uint8ClampedArray(T * HW * 4) };
      const magma = colormapLut('magma');
      let inputScale: ColorScale;
      let valueScale: ColorScale;
      if (plan.kind === 'rgb') {
        const inRanges = ch.map((c) => {
          const planes = selectChannels(x, T, C, HW, [c]);
          return percentileRange(planes, 0.02, 0.98, (i) => valid[i] === 1);
        }) as [Range, Range, Range];
        const vRange = percentileRange(selectChannels(target, T, C, HW, ch), 0.02, 0.98);
        const vr: [Range, Range, Range] = [vRange, vRange, vRange];
        for (let t = 0; t < T; t++) {
          const planes = (src: Float32Array) => ch.map((c) => src.subarray((t * C + c) * HW, (t * C + c + 1) * HW)) as [Float32Array, Float32Array, Float32Array];
          renderRgb(planes(x), inRanges, out.input, t * HW, isValid(t));
          renderRgb(planes(recon), vr, out.reconstruction, t * HW);
          renderRgb(planes(target), vr, out.target, t * HW);
        }
        inputScale = scale({ lo: Math.min(...inRanges.map((r) => r.lo)), hi: Math.max(...inRanges.map((r) => r.hi)) }, 'rgb', {
          channels: ch.map((c, k) => ({ band: mod.bands[c], lo: inRanges[k].lo, hi: inRanges[k].hi })),
        });
        valueScale = scale(vRange, 'rgb', { channels: ch.map((c) => ({ band: mod.bands[c], lo: vRange.lo, hi: vRange.hi })) });
      } else {
        const inMean = channelMean(x, T, C, HW, ch);
        const tMean = channelMean(target, T, C, HW, ch);
        const rMean = channelMean(recon, T, C, HW, ch);
        const inRange = percentileRange(inMean, 0.02, 0.98, (i) => valid[i] === 1);
        const vRange = percentileRange(tMean, 0.02, 0.98);
        const gray = colormapLut('gray');
        const viridis = colormapLut('viridis');
        for (let t = 0; t < T; t++) {
          const sl = (a: Float32Array) => a.subarray(t * HW, (t + 1) * HW);
          renderScalar(sl(inMean), inRange, gray, out.input, t * HW, { alpha: isValid(t) });
          renderScalar(sl(rMean), vRange, viridis, out.reconstruction, t * HW);
          renderScalar(sl(tMean), vRange, viridis, out.target, t * HW);
        }
        inputScale = scale(inRange, 'gray');
        valueScale = scale(vRange, 'viridis');
      }
      for (let t = 0; t < T; t++) {
        const e = err.subarray(t * HW, (t + 1) * HW);
        renderScalar(e, errRange, magma, out.error, t * HW, { fallback: (p) => (Number.isNaN(e[p]) ? VISIBLE_RGB : null) });
      }
      const maskedPerDate = Array.from({ length: T }, (_, t) => rowMask.subarray(t * L, (t + 1) * L).reduce((a, b) => a + b, 0));
      rows.push({
        key: plan.key,
        kind: plan.kind,
        modality: mod.name,
        label: plan.label,
        bands: ch.map((c) => mod.bands[c]),
        tokenGroups: [...new Set(ch.map((c) => channelToken[c]))],
        input: inputScale,
        value: valueScale,
        error: scale(errRange, 'magma'),
        maskedPerDate,
      });
      pixels.push({
        key: plan.key,
        ...out,
        mask: rowMask,
        valid: Uint8Array.from(valid),
        inputValues: selectChannels(x, T, C, HW, ch),
        targetValues: selectChannels(target, T, C, HW, ch),
        predValues: selectChannels(pred, T, C, HW, ch),
      });
    }
    modalities.push({ name: mod.name, T, H, W, P, grid: g, dates: mb.dates[0].map(isoDate), unit: inp.units[mod.name] ?? '', rows });
  });
  return { modalities, pixels };
}

/** Every ArrayBuffer of the pixel payload, for the transfer list. */
export function transferablesOf(pixels: readonly InspectRowPixels[]): ArrayBuffer[] {
  return pixels.flatMap((p) => [p.input, p.reconstruction, p.target, p.error, p.mask, p.valid, p.inputValues, p.targetValues, p.predValues].map((a) => a.buffer));
}
