/**
 * Test helper: the spread (max − min over R, G, B) of the opaque pixels of date t of a (T, H, W, 4) RGBA tile, so tests
 * can say "this tile is not constant" (spread > 0) without comparing images.
 */
export function rgbaSpread(rgba: Uint8ClampedArray, t: number, HW: number): number {
  let lo = 255;
  let hi = 0;
  for (let p = t * HW; p < (t + 1) * HW; p++) {
    if (rgba[p * 4 + 3] === 0) continue;
    for (let c = 0; c < 3; c++) {
      lo = Math.min(lo, rgba[p * 4 + c]);
      hi = Math.max(hi, rgba[p * 4 + c]);
    }
  }
  return hi - lo;
}
