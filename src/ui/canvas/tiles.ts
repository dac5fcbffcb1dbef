/**
 * Drawing the Inspect grid's image tiles onto canvases, and the pixel ↔ patch geometry the hover uses.
 *
 * Tiles arrive from the worker as (T, H, W, 4) RGBA arrays (one per view and grid row); a tile is date t of such an
 * array. Images are tiny (tens of pixels), so each is drawn into an intrinsic canvas `scale` times larger with
 * nearest-neighbour sampling (pixels stay crisp) and the hatching of masked patches is drawn at that resolution.
 * Invariants: no pixel data is kept here (the store module owns the arrays); drawing never reads back from a canvas.
 */

/** Intrinsic canvas pixels per image pixel: about 96 px across, between 1 and 8. */
export function tileScale(W: number): number {
  return Math.max(1, Math.min(8, Math.ceil(96 / W)));
}

let scratch: HTMLCanvasElement | null = null;

/** Puts date t of an (T, H, W, 4) RGBA array on a scratch canvas of H × W. */
function scratchWith(rgba: Uint8ClampedArray<ArrayBuffer>, t: number, W: number, H: number): HTMLCanvasElement {
  scratch ??= document.createElement('canvas');
  scratch.width = W;
  scratch.height = H;
  const ctx = scratch.getContext('2d')!;
  ctx.putImageData(new ImageData(rgba.slice(t * W * H * 4, (t + 1) * W * H * 4), W, H), 0, 0);
  return scratch;
}

function prepare(canvas: HTMLCanvasElement, W: number, H: number): { ctx: CanvasRenderingContext2D; k: number } {
  const k = tileScale(W);
  if (canvas.width !== W * k) canvas.width = W * k;
  if (canvas.height !== H * k) canvas.height = H * k;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  return { ctx, k };
}

/** Draws date t of an RGBA tile, nearest-neighbour upscaled. */
export function drawTile(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray<ArrayBuffer>, t: number, W: number, H: number): void {
  const { ctx, k } = prepare(canvas, W, H);
  ctx.drawImage(scratchWith(rgba, t, W, H), 0, 0, W * k, H * k);
}

/**
 * Draws date t of the input with its masked patches darkened and hatched: what the encoder does NOT see.
 * `mask` is (T, L) with L = (H / P)·(W / P), 1 = masked.
 */
export function drawMaskedTile(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray<ArrayBuffer>, mask: Uint8Array, t: number, W: number, H: number, P: number): void {
  const { ctx, k } = prepare(canvas, W, H);
  ctx.drawImage(scratchWith(rgba, t, W, H), 0, 0, W * k, H * k);
  const g = W / P;
  const L = g * (H / P);
  const side = P * k;
  ctx.save();
  ctx.beginPath();
  for (let l = 0; l < L; l++) if (mask[t * L + l]) ctx.rect((l % g) * side, Math.floor(l / g) * side, side, side);
  ctx.clip();
  ctx.fillStyle = 'rgba(8, 14, 18, 0.72)';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  // Diagonal hatching every 6 intrinsic pixels, light on the darkened patches.
  ctx.strokeStyle = 'rgba(227, 238, 242, 0.45)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  const span = canvas.width + canvas.height;
  for (let d = -canvas.height; d < span; d += 6) {
    ctx.moveTo(d, 0);
    ctx.lineTo(d + canvas.height, canvas.height);
  }
  ctx.stroke();
  ctx.restore();
}

export interface PixelProbe {
  /** Pixel column and row. */
  x: number;
  y: number;
  /** Patch (token) row and column in the patch grid, and its index l = row·g + col. */
  patchRow: number;
  patchCol: number;
  l: number;
}

/** The image pixel under a point (offset within an element of the given CSS size), with its patch. */
export function probeAt(offsetX: number, offsetY: number, cssWidth: number, cssHeight: number, W: number, H: number, P: number): PixelProbe {
  const x = Math.min(W - 1, Math.max(0, Math.floor((offsetX / cssWidth) * W)));
  const y = Math.min(H - 1, Math.max(0, Math.floor((offsetY / cssHeight) * H)));
  return probePixel(x, y, W, P);
}

/** The patch of pixel (x, y) in an image W pixels wide with patch size P. */
export function probePixel(x: number, y: number, W: number, P: number): PixelProbe {
  const patchRow = Math.floor(y / P);
  const patchCol = Math.floor(x / P);
  return { x, y, patchRow, patchCol, l: patchRow * (W / P) + patchCol };
}

/** A number for a legend or a tooltip: 3 significant digits, no exponent for ordinary magnitudes. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  if (a >= 100) return v.toFixed(0);
  return Number(v.toPrecision(3)).toString();
}
