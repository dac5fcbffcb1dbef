// The Inspect overlay of an image set's masks on one ground raster: cells match the tokens they lie in, coarse tokens
// cover whole blocks, shifted footprints widen the frame, coverage is counted correctly, and any strategy works.
import { describe, expect, it } from 'vitest';
import type { Sample } from '../data/sample';
import { Rng } from '../lib/rng';
import { anchorMaskOverlay, sampleMeta } from './anchorOverlay';
import { makeMasks, maskFlags } from './masking';
import { imageSetBatch, twoSourceStatsConfig } from './testing/imageSets';

describe('anchorMaskOverlay', () => {
  const config = twoSourceStatsConfig(2); // s2: 12×12 tokens of 20 m, 2 dates; landsat: 4×4 tokens of 60 m
  const B = 3;

  it('puts every image on a 20 m raster: s2 cells are its tokens, landsat tokens cover 3×3 blocks', () => {
    const batch = imageSetBatch(config, B, 1);
    const masks = makeMasks(config, B, new Rng(2), batch);
    for (let b = 0; b < B; b++) {
      const o = anchorMaskOverlay(config, batch, masks, b);
      expect([o.rows, o.cols]).toEqual([12, 12]);
      expect(o.cellMetres[0]).toBeCloseTo(20, 9);
      expect(o.anchor).toEqual(masks[0].anchors![b]);
      expect(o.images.map((im) => `${im.modality}.${im.t}`)).toEqual(['s2.0', 's2.1', 'landsat.0']);
      expect(o.images.filter((im) => im.isAnchor)).toHaveLength(1);
      const s2Flags = maskFlags(masks[0]).subarray(b * 288, (b + 1) * 288);
      const lFlags = maskFlags(masks[1]).subarray(b * 16, (b + 1) * 16);
      for (let r = 0; r < 12; r++)
        for (let c = 0; c < 12; c++) {
          const cell = r * 12 + c;
          for (const t of [0, 1]) expect(o.images[t].state[cell]).toBe(s2Flags[t * 144 + cell] ? 2 : 1);
          const lMasked = lFlags[Math.floor(r / 3) * 4 + Math.floor(c / 3)];
          expect(o.images[2].state[cell]).toBe(lMasked ? 2 : 1);
          const seen = [s2Flags[cell], s2Flags[144 + cell], lMasked].filter((f) => !f).length;
          expect(o.seen[cell]).toBe(seen);
        }
      const inside = o.inside.reduce((a, x) => a + x, 0);
      expect(inside).toBe(144);
      expect(o.coverage).toBeCloseTo(o.seen.filter((x) => x > 0).length / 144, 12);
      expect(o.images[0].maskedRatio).toBeCloseTo(s2Flags.subarray(0, 144).reduce((a, x) => a + x, 0) / 144, 12);
      // The frame footprint is the sample's (identical footprints: no widening).
      batch.modalities.s2.footprints[b].forEach((p, k) => {
        expect(o.footprint![k].lon).toBeCloseTo(p.lon, 9);
        expect(o.footprint![k].lat).toBeCloseTo(p.lat, 9);
      });
    }
  });

  it('widens the frame to the union of shifted footprints and marks cells outside an image', () => {
    const c = { ...config, masking: { ...config.masking, anchor: { ...config.masking.anchor!, rule: 'finest-gsd' as const } } };
    const batch = imageSetBatch(c, 1, 3, { shiftMetres: { landsat: 60 }, centre: { lon: -179.999, lat: 64 } });
    const masks = makeMasks(c, 1, new Rng(4), batch);
    const o = anchorMaskOverlay(c, batch, masks, 0);
    expect(o.rows).toBe(12);
    expect(o.cols).toBe(15); // 240 m + 60 m of landsat beyond the s2 footprint
    for (let r = 0; r < 12; r++) {
      for (let col = 0; col < 3; col++) expect(o.images[2].state[r * 15 + col]).toBe(0); // west of landsat
      for (let col = 12; col < 15; col++) {
        expect(o.images[0].state[r * 15 + col]).toBe(0); // east of s2
        expect(o.images[2].state[r * 15 + col]).not.toBe(0);
        expect(o.inside[r * 15 + col]).toBe(0);
      }
    }
  });

  it('works for masks without an anchor and for a single data-pipeline Sample', () => {
    const random = { ...config, masking: { ...config.masking, strategy: 'random' as const } };
    const batch = imageSetBatch(random, 1, 5);
    const o = anchorMaskOverlay(random, batch, makeMasks(random, 1, new Rng(6)), 0);
    expect(o.anchor).toBeNull();
    expect(o.images.some((im) => im.isAnchor)).toBe(false);
    const sample: Sample = {
      id: 'one',
      modalities: Object.fromEntries(
        Object.entries(batch.modalities).map(([k, m]) => [k, { modality: k, bands: m.bands, gsd: m.gsd, T: m.T, C: m.C, H: m.H, W: m.W, data: m.data, valid: m.valid, dates: m.dates[0], footprint: m.footprints[0] }]),
      ),
    };
    const meta = sampleMeta(sample);
    expect(meta.B).toBe(1);
    expect(meta.modalities.landsat.footprints![0]).toBe(batch.modalities.landsat.footprints[0]);
    const masks = makeMasks(config, 1, new Rng(7), meta);
    expect(anchorMaskOverlay(config, meta, masks).images.filter((im) => im.isAnchor)).toHaveLength(1);
  });
});
