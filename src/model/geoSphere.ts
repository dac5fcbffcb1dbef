/**
 * Ground geometry for the A²-MAE-style features (method.md §7.2–§7.3): WGS84 lon/lat ↔ unit vectors on the sphere,
 * points inside an image footprint, and a local metric plane in which footprints are compared.
 *
 * Why unit vectors: they have no seam at the antimeridian and no singularity at the poles, so interpolating between
 * footprint corners and comparing nearby points works everywhere; lon/lat are only derived for display.
 * Invariants: footprints list UL, UR, LR, LL (src/data/sample.ts); normalised image coordinates (u, v) run from the
 * upper-left corner (0, 0) along columns (u) and rows (v) to (1, 1); the plane is orthographic on the tangent plane
 * at a chosen centre (metres east, north), exact to < 1e-4 relative for footprints of a few km.
 * Reference: spherical trigonometry (any geodesy text); inverse bilinear mapping by Newton's method.
 */
import type { Footprint, LonLat } from '../data/sample';

export type Vec3 = readonly [number, number, number];

/** Mean Earth radius in metres (IUGG). */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** (cos φ cos λ, cos φ sin λ, sin φ) for lat φ, lon λ. */
export function unitVector(p: LonLat): Vec3 {
  const phi = p.lat * RAD;
  const lam = p.lon * RAD;
  return [Math.cos(phi) * Math.cos(lam), Math.cos(phi) * Math.sin(lam), Math.sin(phi)];
}

export function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** Lon/lat in degrees of a unit vector (lon 0 at the poles). */
export function lonLatOf(v: Vec3): LonLat {
  const h = Math.hypot(v[0], v[1]);
  return { lon: h < 1e-15 ? 0 : Math.atan2(v[1], v[0]) / RAD, lat: Math.atan2(v[2], h) / RAD };
}

/** Chord length between two unit vectors (≈ great-circle distance / R for nearby points). */
export function chord(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** The point at normalised (u, v) of a footprint: bilinear blend of the corner unit vectors, renormalised. */
export function footprintPoint(fp: Footprint, u: number, v: number): Vec3 {
  const c = fp.map(unitVector);
  const w = [(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v]; // UL, UR, LR, LL
  return normalize([0, 1, 2].map((k) => w[0] * c[0][k] + w[1] * c[1][k] + w[2] * c[2][k] + w[3] * c[3][k]) as unknown as Vec3);
}

/** Centre of a footprint (u = v = 0.5). */
export function footprintCentreVector(fp: Footprint): Vec3 {
  return footprintPoint(fp, 0.5, 0.5);
}

/** True when two footprints have the same corners (to ~1 mm), the usual case: one sample, one footprint. */
export function sameFootprint(a: Footprint, b: Footprint): boolean {
  if (a === b) return true;
  for (let k = 0; k < 4; k++) if (Math.abs(a[k].lon - b[k].lon) > 1e-8 || Math.abs(a[k].lat - b[k].lat) > 1e-8) return false;
  return true;
}

/** Orthographic projection onto the tangent plane at `centre`: metres east and north. */
export class TangentPlane {
  readonly east: Vec3;
  readonly north: Vec3;

  constructor(readonly centre: Vec3) {
    // east = ẑ × c; at the poles any horizontal axis will do.
    const e: Vec3 = [-centre[1], centre[0], 0];
    this.east = Math.hypot(e[0], e[1]) < 1e-12 ? [1, 0, 0] : normalize(e);
    const [cx, cy, cz] = centre;
    const [ex, ey, ez] = this.east;
    this.north = [cy * ez - cz * ey, cz * ex - cx * ez, cx * ey - cy * ex];
  }

  project(v: Vec3): [number, number] {
    const dot = (a: Vec3) => a[0] * v[0] + a[1] * v[1] + a[2] * v[2];
    return [EARTH_RADIUS_M * dot(this.east), EARTH_RADIUS_M * dot(this.north)];
  }
}

/**
 * A footprint as a bilinear quadrilateral in a tangent plane: `at(u, v)` maps normalised image coordinates to plane
 * metres and `inverse(x, y)` back (Newton's method from the parallelogram guess; footprints are near-rectangles, so
 * it converges in 2–3 steps; points far outside still get a finite (u, v) outside [0, 1]).
 */
export class PlaneQuad {
  private readonly c: [number, number][];

  constructor(fp: Footprint, plane: TangentPlane) {
    this.c = fp.map((p) => plane.project(unitVector(p)));
  }

  at(u: number, v: number): [number, number] {
    const [a, b, c, d] = this.c; // UL, UR, LR, LL
    const w = [(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v];
    return [w[0] * a[0] + w[1] * b[0] + w[2] * c[0] + w[3] * d[0], w[0] * a[1] + w[1] * b[1] + w[2] * c[1] + w[3] * d[1]];
  }

  /** Side lengths in metres along u (UL→UR) and v (UL→LL). */
  sides(): [number, number] {
    const [a, b, , d] = this.c;
    return [Math.hypot(b[0] - a[0], b[1] - a[1]), Math.hypot(d[0] - a[0], d[1] - a[1])];
  }

  inverse(x: number, y: number): [number, number] {
    const [a, b, c, d] = this.c;
    let u = 0.5;
    let v = 0.5;
    for (let it = 0; it < 12; it++) {
      const [px, py] = this.at(u, v);
      const rx = px - x;
      const ry = py - y;
      // ∂P/∂u and ∂P/∂v of the bilinear map.
      const ux = (1 - v) * (b[0] - a[0]) + v * (c[0] - d[0]);
      const uy = (1 - v) * (b[1] - a[1]) + v * (c[1] - d[1]);
      const vx = (1 - u) * (d[0] - a[0]) + u * (c[0] - b[0]);
      const vy = (1 - u) * (d[1] - a[1]) + u * (c[1] - b[1]);
      const det = ux * vy - uy * vx;
      if (Math.abs(det) < 1e-30) break;
      const du = (rx * vy - ry * vx) / det;
      const dv = (ux * ry - uy * rx) / det;
      u -= du;
      v -= dv;
      if (Math.abs(du) + Math.abs(dv) < 1e-12) break;
    }
    return [u, v];
  }
}

/**
 * Maps normalised coordinates of image `from` to normalised coordinates of image `to`, both given by footprints;
 * the identity when the footprints coincide (no projection error at all in the common case).
 */
export function footprintMapper(from: Footprint, to: Footprint): (u: number, v: number) => [number, number] {
  if (sameFootprint(from, to)) return (u, v) => [u, v];
  const plane = new TangentPlane(footprintCentreVector(to));
  const src = new PlaneQuad(from, plane);
  const dst = new PlaneQuad(to, plane);
  return (u, v) => {
    const [x, y] = src.at(u, v);
    return dst.inverse(x, y);
  };
}
