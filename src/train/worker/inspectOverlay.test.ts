/**
 * The ground overlay of the Inspect view: every image's state map is rendered in the documented colours (transparent
 * outside the image), the "seen" map follows the number of images with a visible token, and anchor-aware masks mark
 * exactly one anchor image per sample.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng';
import { anchorMaskOverlay } from '../../model/anchorOverlay';
import { makeMasks } from '../../model/masking';
import { randomBatch } from '../../model/testing/batches';
import { tinyTwoGroupConfig } from '../../model/testing/configs';
import { colormapLut, lutIndex } from './inspectColor';
import { OVERLAY_RGB, renderOverlay } from './inspectOverlay';

describe('renderOverlay', () => {
  it('renders every image state and the seen count in the documented colours', () => {
    const config = tinyTwoGroupConfig({ masking: { ratio: 0.5, strategy: 'random' } });
    const batch = randomBatch(config, 1, 3);
    const masks = makeMasks(config, 1, new Rng(2));
    const { meta, pixels, note } = renderOverlay(config, batch, masks);
    expect(note).toBeNull();
    const ref = anchorMaskOverlay(config, batch, masks, 0);
    const cells = ref.rows * ref.cols;
    expect(meta!.images.map((i) => `${i.modality}:${i.t}`)).toEqual(ref.images.map((i) => `${i.modality}:${i.t}`));
    expect(meta!.images).toHaveLength(3 + 2 + 2);
    expect(meta!.anchor).toBeNull();
    expect(meta!.coverage).toBe(ref.coverage);
    ref.images.forEach((im, i) => {
      for (let c = 0; c < cells; c++) {
        const px = [...pixels!.images.subarray((i * cells + c) * 4, (i * cells + c + 1) * 4)];
        const s = im.state[c];
        expect(px).toEqual(s === 0 ? [0, 0, 0, 0] : [...OVERLAY_RGB[s as 1 | 2 | 3], 255]);
      }
    });
    const lut = colormapLut('magma');
    for (let c = 0; c < cells; c++) {
      const px = [...pixels!.seen.subarray(c * 4, c * 4 + 4)];
      if (!ref.inside[c]) expect(px[3]).toBe(0);
      else {
        const k = lutIndex(ref.seen[c], { lo: 0, hi: ref.images.length }) * 3;
        expect(px).toEqual([lut[k], lut[k + 1], lut[k + 2], 255]);
      }
    }
    expect(meta!.seen).toMatchObject({ lo: 0, hi: 7, colormap: 'magma' });
    expect(meta!.images[0].date).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it('marks the anchor image of anchor-aware masks', () => {
    const config = tinyTwoGroupConfig({ masking: { ratio: 0.5, strategy: 'anchor' } });
    const batch = randomBatch(config, 1, 3);
    const masks = makeMasks(config, 1, new Rng(5), batch);
    const { meta } = renderOverlay(config, batch, masks);
    expect(meta!.images.filter((i) => i.isAnchor)).toHaveLength(1);
    const a = meta!.images.find((i) => i.isAnchor)!;
    expect(meta!.anchor).toEqual({ modality: a.modality, date: a.date });
  });
});
