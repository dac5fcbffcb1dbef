/**
 * The Inspect view of a sample's masks on the ground: src/model/anchorOverlay.ts resamples every image's visible /
 * masked tokens onto one ground raster (the anchor's frame for anchor masks, the finest modality's otherwise); this
 * file renders those state maps and the "seen by n images" map as RGBA for the page, with the facts as small JSON.
 *
 * Colours: visible = teal (the theme accent), masked = grey slate (distinct from the card background), partly masked (the token band groups at a location
 * disagree) = amber, outside the image = transparent; the seen map uses magma from 0 (black: ground no visible token
 * covers) to the number of images, transparent outside the reference footprint.
 * Invariants: nothing is drawn when the raster would exceed MAX_OVERLAY_VALUES cells over all images (then the note
 * says why); the overlay never changes the masks or the forward pass, it only describes them.
 */
import type { Batch } from '../../data/sample';
import type { MaeConfig } from '../../model/config';
import { anchorMaskOverlay } from '../../model/anchorOverlay';
import type { GroupMask } from '../../model/masking';
import type { InspectOverlayMeta, InspectOverlayPixels } from '../protocol/inspect';
import { isoDate } from './inspectAssemble';
import { COLORMAP_STOPS, colormapLut, lutIndex } from './inspectColor';

/** Cells over all image maps above which the overlay is not drawn (≈ 16 MB of RGBA). */
export const MAX_OVERLAY_VALUES = 4_000_000;

export const OVERLAY_RGB: Record<1 | 2 | 3, readonly [number, number, number]> = {
  1: [79, 209, 197],
  2: [92, 104, 124],
  3: [246, 173, 85],
};

export interface RenderedOverlay {
  meta: InspectOverlayMeta | null;
  pixels: InspectOverlayPixels | null;
  note: string | null;
}

export function renderOverlay(config: MaeConfig, batch: Batch, masks: readonly GroupMask[]): RenderedOverlay {
  const ov = anchorMaskOverlay(config, batch, masks, 0);
  const cells = ov.rows * ov.cols;
  if (cells * (ov.images.length + 1) > MAX_OVERLAY_VALUES) {
    return { meta: null, pixels: null, note: `The ground overlay would need ${ov.rows}×${ov.cols} cells for ${ov.images.length} images; it is not drawn at this size.` };
  }
  const dateOf = (modality: string, t: number) => {
    const d = batch.modalities[modality]?.dates[0]?.[t];
    return d ? isoDate(d) : `date ${t + 1}`;
  };
  const images = new Uint8ClampedArray(ov.images.length * cells * 4); // (images, rows, cols, 4)
  ov.images.forEach((im, i) => {
    for (let c = 0; c < cells; c++) {
      const s = im.state[c];
      if (s === 0) continue;
      const rgb = OVERLAY_RGB[s as 1 | 2 | 3];
      const o = (i * cells + c) * 4;
      images[o] = rgb[0];
      images[o + 1] = rgb[1];
      images[o + 2] = rgb[2];
      images[o + 3] = 255;
    }
  });
  const n = ov.images.length;
  const range = { lo: 0, hi: Math.max(1, n) };
  const lut = colormapLut('magma');
  const seen = new Uint8ClampedArray(cells * 4); // (rows, cols, 4)
  for (let c = 0; c < cells; c++) {
    if (!ov.inside[c]) continue;
    const k = lutIndex(ov.seen[c], range) * 3;
    seen.set([lut[k], lut[k + 1], lut[k + 2], 255], c * 4);
  }
  const anchor = ov.anchor ? { modality: ov.anchor.modality, date: dateOf(ov.anchor.modality, ov.anchor.t) } : null;
  return {
    meta: {
      rows: ov.rows,
      cols: ov.cols,
      cellMetres: ov.cellMetres,
      coverage: ov.coverage,
      anchor,
      images: ov.images.map((im) => ({ modality: im.modality, t: im.t, date: dateOf(im.modality, im.t), group: im.group, isAnchor: im.isAnchor, gsd: im.gsd, maskedRatio: im.maskedRatio })),
      seen: { lo: range.lo, hi: range.hi, colormap: 'magma', stops: COLORMAP_STOPS.magma },
    },
    pixels: { images, seen },
    note: null,
  };
}
