/**
 * Georeferencing: the affine geotransform from the raw GeoTIFF tags, WGS84 footprints and ground sampling distance.
 *
 * The transform is built from ModelTransformation (34264) or ModelPixelScale (33550) + ModelTiepoint (33922) directly,
 * never from `getResolution()`, whose Y sign flips between the two tag styles (verified on the Earth Engine export
 * landsat-peru-8dates/1985.tif, which returns a positive Y resolution). PixelIsPoint rasters are shifted by half a
 * pixel, as GDAL does, so every transform here maps pixel *corners*.
 * Invariants: GeoTransform uses GDAL's order [x0, dx/dcol, dx/drow, y0, dy/dcol, dy/drow]; pixel (col, row) = (0, 0)
 * is the upper-left corner of the upper-left pixel; footprints list UL, UR, LR, LL in image orientation.
 * Reference: GeoTIFF 1.1 spec §B.6 (raster-to-model transformation); GDAL GTiff driver; /work/shared/docs/data.md §1.8.
 */
import type { Footprint, LonLat } from './sample';
import { crsFromGeoKeys, degreesToMetres, toLonLat, type CrsInfo } from './crs';

export type GeoTransform = readonly [number, number, number, number, number, number];

export interface Georef {
  crs: CrsInfo | null;
  transform: GeoTransform | null;
  /** True when the grid is rotated or sheared (ModelTransformation with off-diagonal terms). */
  rotated: boolean;
  pixelIsPoint: boolean;
  /** Ground sampling distance in metres along columns and rows, and their geometric mean; null without CRS+transform. */
  gsdX: number | null;
  gsdY: number | null;
  gsd: number | null;
  footprint: Footprint | null;
  /** Axis-aligned bounds in the file's CRS units. */
  bounds: { minX: number; minY: number; maxX: number; maxY: number } | null;
  warnings: string[];
}

/** Minimal view of a geotiff ImageFileDirectory for the eager geo tags. */
export interface GeoTagReader {
  hasTag(name: string): boolean;
  getValue(name: string): unknown;
}

function numbers(v: unknown): number[] | null {
  if (v == null) return null;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<number>, Number);
  return null;
}

/** Geotransform from the raw tags; null (with a reason) when the file is not georeferenced by an affine. */
export function geoTransformFromTags(fd: GeoTagReader, pixelIsPoint: boolean): { transform: GeoTransform | null; warning: string | null } {
  const mt = fd.hasTag('ModelTransformation') ? numbers(fd.getValue('ModelTransformation')) : null;
  let gt: [number, number, number, number, number, number];
  if (mt && mt.length >= 16) {
    gt = [mt[3], mt[0], mt[1], mt[7], mt[4], mt[5]];
  } else {
    const scale = fd.hasTag('ModelPixelScale') ? numbers(fd.getValue('ModelPixelScale')) : null;
    const tie = fd.hasTag('ModelTiepoint') ? numbers(fd.getValue('ModelTiepoint')) : null;
    if (tie && tie.length >= 6 && scale && scale.length >= 2) {
      const [i, j, , x, y] = tie;
      const [sx, sy] = scale;
      gt = [x - i * sx, sx, 0, y + j * sy, 0, -sy];
    } else if (tie && tie.length >= 12 && !scale) {
      return { transform: null, warning: `georeferenced by ${tie.length / 6} ground control points without a pixel scale; warping from GCPs is not supported` };
    } else {
      return { transform: null, warning: 'no ModelTransformation or ModelPixelScale+ModelTiepoint tags: the file is not georeferenced' };
    }
  }
  if (!gt.every(Number.isFinite) || (gt[1] === 0 && gt[2] === 0) || (gt[4] === 0 && gt[5] === 0)) {
    return { transform: null, warning: `degenerate geotransform [${gt.join(', ')}]` };
  }
  if (pixelIsPoint) {
    // The tie point refers to the pixel centre: move the origin to the pixel corner (GDAL's default behaviour).
    gt = [gt[0] - 0.5 * (gt[1] + gt[2]), gt[1], gt[2], gt[3] - 0.5 * (gt[4] + gt[5]), gt[4], gt[5]];
  }
  return { transform: gt, warning: null };
}

export function pixelToCrs(gt: GeoTransform, col: number, row: number): [number, number] {
  return [gt[0] + gt[1] * col + gt[2] * row, gt[3] + gt[4] * col + gt[5] * row];
}

export function crsToPixel(gt: GeoTransform, x: number, y: number): [number, number] {
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  const dx = x - gt[0];
  const dy = y - gt[3];
  return [(gt[5] * dx - gt[2] * dy) / det, (-gt[4] * dx + gt[1] * dy) / det];
}

/** WGS84 corners UL, UR, LR, LL of the pixel rectangle [c0, c1) × [r0, r1). */
export function footprintOf(crs: CrsInfo, gt: GeoTransform, c0: number, r0: number, c1: number, r1: number): Footprint {
  const corner = (c: number, r: number): LonLat => {
    const [x, y] = pixelToCrs(gt, c, r);
    return toLonLat(crs, x, y);
  };
  return [corner(c0, r0), corner(c1, r0), corner(c1, r1), corner(c0, r1)];
}

export function footprintCentre(fp: Footprint): LonLat {
  return { lon: (fp[0].lon + fp[1].lon + fp[2].lon + fp[3].lon) / 4, lat: (fp[0].lat + fp[1].lat + fp[2].lat + fp[3].lat) / 4 };
}

/** Ground GSD in metres for a transform in `crs`; geographic and Mercator CRSs are converted at latitude `latDeg`. */
export function gsdOf(crs: CrsInfo, gt: GeoTransform, latDeg: number): { gsdX: number; gsdY: number } {
  const colStep = Math.hypot(gt[1], gt[4]);
  const rowStep = Math.hypot(gt[2], gt[5]);
  if (!crs.geographic) {
    // Mercator grids stretch by 1/cos(lat): a 9.55 m Web Mercator pixel at 40° N covers 7.3 m of ground.
    const k = /\+proj=merc\b/.test(crs.proj4) ? Math.cos((latDeg * Math.PI) / 180) : 1;
    return { gsdX: colStep * crs.unitToMetre * k, gsdY: rowStep * crs.unitToMetre * k };
  }
  const { perDegLon, perDegLat } = degreesToMetres(latDeg);
  return {
    gsdX: Math.hypot(gt[1] * perDegLon, gt[4] * perDegLat),
    gsdY: Math.hypot(gt[2] * perDegLon, gt[5] * perDegLat),
  };
}

/**
 * Everything georeferencing-related for one image of `width` × `height` pixels.
 * `keys` is `image.getGeoKeys()`; `crsOverride` replaces the CRS read from the keys (user correction).
 */
export function computeGeoref(fd: GeoTagReader, keys: Record<string, unknown> | null, width: number, height: number, crsOverride?: CrsInfo | null): Georef {
  const warnings: string[] = [];
  const pixelIsPoint = Number(keys?.GTRasterTypeGeoKey) === 2;
  const { transform, warning } = geoTransformFromTags(fd, pixelIsPoint);
  if (warning) warnings.push(warning);
  let crs: CrsInfo | null = crsOverride ?? null;
  if (!crs) {
    const r = crsFromGeoKeys(keys);
    crs = r.crs;
    if (transform) warnings.push(...r.warnings);
  }
  const rotated = transform ? transform[2] !== 0 || transform[4] !== 0 : false;
  const base: Georef = { crs, transform, rotated, pixelIsPoint, gsdX: null, gsdY: null, gsd: null, footprint: null, bounds: null, warnings };
  if (!transform) return base;
  const xs = [0, width].flatMap((c) => [0, height].map((r) => pixelToCrs(transform, c, r)));
  base.bounds = {
    minX: Math.min(...xs.map((p) => p[0])),
    maxX: Math.max(...xs.map((p) => p[0])),
    minY: Math.min(...xs.map((p) => p[1])),
    maxY: Math.max(...xs.map((p) => p[1])),
  };
  if (rotated) warnings.push('the pixel grid is rotated or sheared: footprints are exact but windows are read as axis-aligned boxes');
  if (!crs) return base;
  try {
    const fp = footprintOf(crs, transform, 0, 0, width, height);
    if (!fp.every((p) => Number.isFinite(p.lon) && Number.isFinite(p.lat) && Math.abs(p.lat) <= 90.000001)) {
      warnings.push('the footprint does not project to valid WGS84 coordinates: the CRS or geotransform is wrong');
      return base;
    }
    base.footprint = fp;
    const { gsdX, gsdY } = gsdOf(crs, transform, footprintCentre(fp).lat);
    base.gsdX = gsdX;
    base.gsdY = gsdY;
    base.gsd = Math.sqrt(gsdX * gsdY);
    if (/\+proj=merc\b/.test(crs.proj4)) {
      warnings.push(`Mercator grid: the nominal ${Math.hypot(transform[1], transform[4]).toPrecision(4)} m pixel covers ${base.gsd.toPrecision(3)} m of ground at latitude ${footprintCentre(fp).lat.toFixed(1)}°`);
    }
  } catch (e) {
    warnings.push(`projecting the footprint to WGS84 failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return base;
}

/** Area-weighted overlap of two footprints' lon/lat bounding boxes, as a fraction of the smaller one (0..1). */
export function footprintOverlap(a: Footprint, b: Footprint): number {
  const box = (f: Footprint) => ({
    w: Math.min(...f.map((p) => p.lon)),
    e: Math.max(...f.map((p) => p.lon)),
    s: Math.min(...f.map((p) => p.lat)),
    n: Math.max(...f.map((p) => p.lat)),
  });
  const A = box(a);
  const B = box(b);
  const iw = Math.min(A.e, B.e) - Math.max(A.w, B.w);
  const ih = Math.min(A.n, B.n) - Math.max(A.s, B.s);
  if (iw <= 0 || ih <= 0) return 0;
  const areaA = (A.e - A.w) * (A.n - A.s);
  const areaB = (B.e - B.w) * (B.n - B.s);
  return (iw * ih) / Math.max(1e-30, Math.min(areaA, areaB));
}
