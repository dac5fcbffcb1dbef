/**
 * The Inspect view's picture of a sample's masks across its image set (A²-MAE-style, method.md §7.2): every image's
 * visible / masked tokens resampled onto ONE ground raster, plus how much ground at least one visible token sees.
 * Pure (no GPU, no store): the Inspect engineer renders `images[i].state` as one small map per image and `seen` as a
 * coverage map; it works for any masking strategy (for 'anchor' masks the anchor is marked).
 *
 * The common frame: the reference image's normalised coordinates (the anchor, or the first date of the finest
 * modality when the masks carry no anchor), extended to the bounding box of all the set's footprints, sampled at the
 * finest token size of the config (capped at 512 cells a side). Cell (r, c) looks up, in every image, the token whose
 * ground contains the cell centre (through the footprints; exact identity when they coincide).
 * Invariants: state codes 0 = outside the image, 1 = visible, 2 = masked, 3 = partly masked (the token band groups at
 * that location disagree); `seen[c]` = number of images with a visible token at the cell; coverage counts only cells
 * inside the reference footprint.
 */
import type { Footprint, Sample } from '../data/sample';
import { assert } from '../lib/assert';
import { type MaeConfig, finestModality, gridSize } from './config';
import { type AnchorChoice, type MaskingMeta, imageRefs } from './anchorMasking';
import { footprintMapper, footprintPoint, lonLatOf } from './geoSphere';
import type { GroupMask } from './masking';

export interface OverlayImage {
  modality: string;
  /** Modality index (config order), date slot and fusion group name. */
  m: number;
  t: number;
  group: string;
  isAnchor: boolean;
  gsd: number;
  /** Masked share of the image's tokens. */
  maskedRatio: number;
  /** (rows, cols) state per cell: 0 outside, 1 visible, 2 masked, 3 partly masked. */
  state: Uint8Array;
}

export interface AnchorOverlay {
  rows: number;
  cols: number;
  /** Ground size of a cell in metres (along columns, along rows). */
  cellMetres: [number, number];
  /** WGS84 corners (UL, UR, LR, LL) of the whole frame, or null without footprints. */
  footprint: Footprint | null;
  /** The anchor of this sample, null when the masks are not anchor masks. */
  anchor: AnchorChoice | null;
  images: OverlayImage[];
  /** (rows, cols) number of images with a visible token in the cell. */
  seen: Uint8Array;
  /** (rows, cols) 1 = inside the reference (anchor) footprint. */
  inside: Uint8Array;
  /** Share of inside cells seen by at least one visible token. */
  coverage: number;
}

export const OVERLAY_MAX_CELLS = 512;

/** Metadata of one data-pipeline Sample as a batch of 1 (for anchorMaskOverlay and makeMasks). */
export function sampleMeta(sample: Sample): MaskingMeta {
  const modalities: MaskingMeta['modalities'] = {};
  for (const [name, m] of Object.entries(sample.modalities)) modalities[name] = { dates: [m.dates], footprints: [m.footprint] };
  return { B: 1, modalities };
}

/** The per-image mask overlay of sample b of a batch (`meta` gives the footprints; a Batch satisfies it). */
export function anchorMaskOverlay(config: MaeConfig, meta: MaskingMeta, masks: readonly GroupMask[], b = 0): AnchorOverlay {
  assert(masks.length === config.groups.length, () => `anchorMaskOverlay: ${masks.length} masks for ${config.groups.length} fusion groups`);
  assert(Number.isInteger(b) && b >= 0 && b < meta.B && masks.every((m) => b < m.B), () => `anchorMaskOverlay: sample ${b} is not in the batch`);
  const images = imageRefs(config);
  const mods = config.modalities;
  const anchor = masks[0]?.anchors?.[b] ?? null;
  const refM = anchor ? anchor.m : finestModality(config);
  const fp = (m: number) => meta.modalities[mods[m].name]?.footprints?.[b] ?? null;
  const refFp = fp(refM);

  // Frame extent in reference-normalised coordinates: the bounding box of every footprint.
  const toRef = mods.map((_, m) => {
    const from = fp(m);
    return from && refFp ? footprintMapper(from, refFp) : (u: number, v: number): [number, number] => [u, v];
  });
  const fromRef = mods.map((_, m) => {
    const to = fp(m);
    return to && refFp ? footprintMapper(refFp, to) : (u: number, v: number): [number, number] => [u, v];
  });
  let [u0, v0, u1, v1] = [0, 0, 1, 1];
  mods.forEach((_, m) => {
    for (const [cu, cv] of [[0, 0], [1, 0], [1, 1], [0, 1]]) {
      const [u, v] = toRef[m](cu, cv);
      [u0, v0, u1, v1] = [Math.min(u0, u), Math.min(v0, v), Math.max(u1, u), Math.max(v1, v)];
    }
  });
  const ref = mods[refM];
  const extent = ref.imageSize * ref.gsd; // metres per unit of reference-normalised coordinates
  const cell = Math.min(...mods.map((m) => m.patchSize * m.gsd));
  // Slivers under 1/1000 of a cell (projection curvature of shifted footprints) do not add a row or column.
  const cols = Math.max(1, Math.min(OVERLAY_MAX_CELLS, Math.ceil(((u1 - u0) * extent) / cell - 1e-3)));
  const rows = Math.max(1, Math.min(OVERLAY_MAX_CELLS, Math.ceil(((v1 - v0) * extent) / cell - 1e-3)));
  const du = (u1 - u0) / cols;
  const dv = (v1 - v0) / rows;

  const seen = new Uint8Array(rows * cols);
  const inside = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const u = u0 + (c + 0.5) * du;
      const v = v0 + (r + 0.5) * dv;
      inside[r * cols + c] = u >= 0 && u < 1 && v >= 0 && v < 1 ? 1 : 0;
    }

  // (N_g) 1 = masked, for sample b only.
  const flags = masks.map((mk) => {
    const f = new Uint8Array(mk.N);
    const nm = mk.N - mk.K;
    for (let r = 0; r < nm; r++) f[mk.masked[b * nm + r]] = 1;
    return f;
  });
  const out: OverlayImage[] = images.map((im) => {
    const mod = mods[im.m];
    const g = gridSize(mod);
    const Gt = im.n / im.L;
    const maskedAt = (k: number) => flags[im.g][im.rows[k]];
    let nMasked = 0;
    for (let k = 0; k < im.n; k++) nMasked += maskedAt(k);
    const state = new Uint8Array(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const [ui, vi] = fromRef[im.m](u0 + (c + 0.5) * du, v0 + (r + 0.5) * dv);
        if (!(ui >= 0 && ui < 1 && vi >= 0 && vi < 1)) continue;
        const l = Math.min(g - 1, Math.floor(vi * g)) * g + Math.min(g - 1, Math.floor(ui * g));
        let m = 0;
        for (let j = 0; j < Gt; j++) m += maskedAt(j * im.L + l);
        const s = m === 0 ? 1 : m === Gt ? 2 : 3;
        state[r * cols + c] = s;
        if (s !== 2) seen[r * cols + c]++;
      }
    return {
      modality: mod.name,
      m: im.m,
      t: im.t,
      group: config.groups[im.g].name,
      isAnchor: anchor !== null && anchor.m === im.m && anchor.t === im.t,
      gsd: mod.gsd,
      maskedRatio: nMasked / im.n,
      state,
    };
  });

  let nInside = 0;
  let nSeen = 0;
  for (let i = 0; i < rows * cols; i++)
    if (inside[i]) {
      nInside++;
      if (seen[i] > 0) nSeen++;
    }
  const corner = (u: number, v: number) => lonLatOf(footprintPoint(refFp!, u, v));
  return {
    rows,
    cols,
    cellMetres: [du * extent, dv * extent],
    footprint: refFp ? [corner(u0, v0), corner(u1, v0), corner(u1, v1), corner(u0, v1)] : null,
    anchor,
    images: out,
    seen,
    inside,
    coverage: nInside > 0 ? nSeen / nInside : 0,
  };
}
