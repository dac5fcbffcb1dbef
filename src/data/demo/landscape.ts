/**
 * Geometry of the demo landscape, in continuous ground coordinates (metres from the area's upper-left corner, x east,
 * y south), so every sensor is rendered from the same scene at its own resolution:
 *   - agricultural parcels from a binary space partition along a dominant field orientation (elongated, rectangular
 *     fields of ~4–15 ha, as on the Beauce plain), the first cuts being paved roads and farm tracks;
 *   - a meandering river with riparian trees, one or two gravel-pit lakes beside it, grassland in the floodplain;
 *   - a town on the river bank: a street grid, houses with gardens (terraced in the centre), an industrial sector of
 *     large bright flat roofs;
 *   - a forest with irregular edges (thresholded fractal noise biased towards the corner farthest from the town),
 *     partly coniferous.
 * `sample(x, y)` answers "which surface is here" (a spectral key and a land-cover class); `rasterizeLandscape`
 * evaluates it on a fine grid, and `mixing` turns that into per-10 m-pixel area fractions (mixed pixels at edges).
 *
 * Invariants: sample() is a pure function of (seed, extent, x, y); spectral keys are parcel indices [0, P) or
 * P + Surface; priority when features overlap: paved road (bridges) > water > riparian trees > town > farm track >
 * forest > parcel. Feature sizes are in metres (roads 7 m, tracks 4 m, river 20–32 m); the town, lakes and forest
 * scale with the extent but are clamped to plausible sizes.
 * Reference: polygon clipping: Sutherland & Hodgman (1974); superellipse lakes (|u/a|⁴ + |v/b|⁴ < 1).
 */
import type { Rng } from '../../lib/rng';
import { angularNoise, fbm, hash2, valueNoise } from './hashNoise';
import { Crop, type CropType, LandCover, type LandCoverCode, SURFACE_CLASS, SURFACE_COUNT, Surface, type SurfaceType } from './surfaces';

export interface Parcel {
  crop: CropType;
  /** Days this farm's calendar runs late (negative: early). */
  shiftDays: number;
  /** Fraction of the nominal green cover the crop reaches (0.8–1). */
  vigour: number;
  /** Soil albedo multiplier (0.85–1.15): soils differ between fields (organic matter, stoniness). */
  soilBrightness: number;
  /** Surface roughness effect on C-band σ⁰ (dB): ploughed fields are rough, seedbeds smooth. */
  roughnessDb: number;
  /** Long-axis direction (radians from +x), along which tramlines run. */
  axis: number;
  areaHa: number;
}

type Vec = readonly [number, number];

interface SplitNode {
  nx: number;
  ny: number;
  c: number;
  /** Half width (m) of the road along this cut, 0 when the cut is only a field boundary. */
  roadHalf: number;
  paved: boolean;
  neg: BspNode;
  pos: BspNode;
}
/** A split, or a leaf holding a parcel index. */
type BspNode = SplitNode | number;

interface Lake {
  cx: number;
  cy: number;
  cos: number;
  sin: number;
  a: number;
  b: number;
  seed: number;
}

const PAVED_HALF = 3.5;
const TRACK_HALF = 2;
const FOREST_NOISE_GRID = 48;

function polygonArea(p: readonly Vec[]): number {
  let a = 0;
  for (let i = 0; i < p.length; i++) {
    const [x0, y0] = p[i];
    const [x1, y1] = p[(i + 1) % p.length];
    a += x0 * y1 - x1 * y0;
  }
  return Math.abs(a) / 2;
}

function centroid(p: readonly Vec[]): Vec {
  let sx = 0;
  let sy = 0;
  for (const [x, y] of p) {
    sx += x;
    sy += y;
  }
  return [sx / p.length, sy / p.length];
}

/** Sutherland–Hodgman: the part of convex polygon p where side·(n·q − c) ≥ 0. */
function clipHalfPlane(p: readonly Vec[], nx: number, ny: number, c: number, side: 1 | -1): Vec[] {
  const out: Vec[] = [];
  for (let i = 0; i < p.length; i++) {
    const a = p[i];
    const b = p[(i + 1) % p.length];
    const da = side * (nx * a[0] + ny * a[1] - c);
    const db = side * (nx * b[0] + ny * b[1] - c);
    if (da >= 0) out.push(a);
    if (da >= 0 !== db >= 0) {
      const t = da / (da - db);
      out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
    }
  }
  return out;
}

function extentAlong(p: readonly Vec[], ux: number, uy: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const [x, y] of p) {
    const s = ux * x + uy * y;
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  return [lo, hi];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/**
 * A smooth field tabulated every `step` metres over the area and read back bilinearly: the forest fields vary over
 * ≥ 40 m, so a 10 m table is indistinguishable from direct evaluation and ~20× cheaper per sample at aerial resolution.
 */
class GridField {
  private readonly n: number;
  private readonly values: Float32Array;

  constructor(
    f: (x: number, y: number) => number,
    extent: number,
    private readonly step: number,
  ) {
    this.n = Math.ceil(extent / step) + 2;
    this.values = new Float32Array(this.n * this.n);
    for (let j = 0; j < this.n; j++) for (let i = 0; i < this.n; i++) this.values[j * this.n + i] = f(i * step, j * step);
  }

  at(x: number, y: number): number {
    const fx = clamp(x / this.step, 0, this.n - 1.000001);
    const fy = clamp(y / this.step, 0, this.n - 1.000001);
    const i = Math.floor(fx);
    const j = Math.floor(fy);
    const tx = fx - i;
    const ty = fy - j;
    const o = j * this.n + i;
    const a = this.values[o] + (this.values[o + 1] - this.values[o]) * tx;
    const b = this.values[o + this.n] + (this.values[o + this.n + 1] - this.values[o + this.n]) * tx;
    return a + (b - a) * ty;
  }
}

export class Landscape {
  /** Side of the square area in metres. */
  readonly extent: number;
  readonly parcels: Parcel[] = [];
  private readonly root: BspNode;
  private readonly fieldAngle: number;
  // River: centreline v = vc(u) in a frame through (rx, ry) with direction (rdx, rdy).
  private readonly rx: number;
  private readonly ry: number;
  private readonly rdx: number;
  private readonly rdy: number;
  private readonly riverWidth: number;
  private readonly meander: readonly number[]; // [A1, k1, p1, A2, k2, p2, k3, p3]
  private readonly lakes: Lake[] = [];
  // Town: centre, radius, grid orientation, industrial sector.
  private readonly tx: number;
  private readonly ty: number;
  private readonly townRadius: number;
  private readonly townCos: number;
  private readonly townSin: number;
  private readonly industryAngle: number;
  // Forest: fractal field plus a bias towards one corner, thresholded at a quantile.
  private readonly forestCornerX: number;
  private readonly forestCornerY: number;
  private readonly forestThreshold: number;
  private readonly forest: GridField;
  private readonly conifer: GridField;
  private readonly seeds: { town: number; townEdge: number; garden: number; riparian: number; forest: number; conifer: number };

  constructor(rng: Rng, extent: number) {
    this.extent = extent;
    const E = extent;
    this.seeds = { town: rng.nextU32(), townEdge: rng.nextU32(), garden: rng.nextU32(), riparian: rng.nextU32(), forest: rng.nextU32(), conifer: rng.nextU32() };

    // River first: the floodplain decides which parcels are meadows.
    const phi = (rng.uniform() * 2 - 1) * 0.26;
    this.rdx = Math.cos(phi);
    this.rdy = Math.sin(phi);
    this.rx = E / 2;
    this.ry = E * (0.6 + 0.12 * rng.uniform());
    this.riverWidth = 20 + 12 * rng.uniform();
    const A1 = clamp(0.05 * E, 10, 250) * (0.7 + 0.6 * rng.uniform());
    const k1 = (2 * Math.PI) / (E * (0.45 + 0.35 * rng.uniform()));
    this.meander = [A1, k1, 2 * Math.PI * rng.uniform(), 0.3 * A1, k1 * 2.7, 2 * Math.PI * rng.uniform(), k1 * 1.7, 2 * Math.PI * rng.uniform()];

    // Town on the north bank, touching the river (towns grow at bridges).
    this.townRadius = clamp(0.15 * E, 150, 900);
    const ut = (rng.uniform() * 2 - 1) * 0.2 * E;
    const vt = this.centreline(ut) - 0.55 * this.townRadius;
    this.tx = this.rx + ut * this.rdx - vt * this.rdy;
    this.ty = this.ry + ut * this.rdy + vt * this.rdx;
    const townAngle = phi + (rng.uniform() * 2 - 1) * 0.2;
    this.townCos = Math.cos(townAngle);
    this.townSin = Math.sin(townAngle);
    this.industryAngle = rng.uniform() * 2 * Math.PI;

    // Gravel-pit lakes on the south bank.
    const nLakes = rng.uniform() < 0.6 ? 2 : 1;
    for (let i = 0; i < nLakes; i++) {
      const a = Math.min(0.07 * E, 80 + 90 * rng.uniform());
      const b = Math.min(0.045 * E, 45 + 55 * rng.uniform());
      const ul = (rng.uniform() * 2 - 1) * 0.3 * E;
      const vl = this.centreline(ul) + this.riverWidth / 2 + 40 + b + 60 * rng.uniform();
      const ang = phi + (rng.uniform() * 2 - 1) * 0.4;
      this.lakes.push({ cx: this.rx + ul * this.rdx - vl * this.rdy, cy: this.ry + ul * this.rdy + vl * this.rdx, cos: Math.cos(ang), sin: Math.sin(ang), a, b, seed: rng.nextU32() });
    }

    // Forest towards the corner farthest from the town.
    const corners: Vec[] = [[0, 0], [E, 0], [0, E], [E, E]];
    let far = corners[0];
    for (const c of corners) if (Math.hypot(c[0] - this.tx, c[1] - this.ty) > Math.hypot(far[0] - this.tx, far[1] - this.ty)) far = c;
    this.forestCornerX = far[0];
    this.forestCornerY = far[1];
    const fraction = 0.14 + 0.08 * rng.uniform();
    this.forest = new GridField((x, y) => this.forestField(x, y), E, 10);
    this.conifer = new GridField((x, y) => fbm(x, y, 160, this.seeds.conifer, 3), E, 10);
    const field = new Float64Array(FOREST_NOISE_GRID * FOREST_NOISE_GRID);
    for (let j = 0; j < FOREST_NOISE_GRID; j++) {
      for (let i = 0; i < FOREST_NOISE_GRID; i++) field[j * FOREST_NOISE_GRID + i] = this.forest.at(((i + 0.5) / FOREST_NOISE_GRID) * E, ((j + 0.5) / FOREST_NOISE_GRID) * E);
    }
    field.sort();
    this.forestThreshold = field[Math.floor((1 - fraction) * field.length)];

    // Fields: BSP over the area plus a margin, so parcels run on past the edges as on a real map sheet.
    this.fieldAngle = (rng.uniform() * 2 - 1) * 0.35;
    const m = 150;
    this.root = this.split(rng, [[-m, -m], [E + m, -m], [E + m, E + m], [-m, E + m]], 0);
  }

  /** River centreline offset v at along-river coordinate u (m). */
  private centreline(u: number): number {
    const [A1, k1, p1, A2, k2, p2] = this.meander;
    return A1 * Math.sin(k1 * u + p1) + A2 * Math.sin(k2 * u + p2);
  }

  private forestField(x: number, y: number): number {
    const E = this.extent;
    const d = Math.hypot(x - this.forestCornerX, y - this.forestCornerY);
    return fbm(x, y, 0.3 * E, this.seeds.forest, 4) + 0.9 * Math.max(0, 1 - d / (0.75 * E));
  }

  private split(rng: Rng, poly: Vec[], depth: number): BspNode {
    const area = polygonArea(poly);
    const leafArea = 4e4 + 1.1e5 * rng.uniform(); // 4–15 ha
    const e1: Vec = [Math.cos(this.fieldAngle), Math.sin(this.fieldAngle)];
    const e2: Vec = [-e1[1], e1[0]];
    const [lo1, hi1] = extentAlong(poly, e1[0], e1[1]);
    const [lo2, hi2] = extentAlong(poly, e2[0], e2[1]);
    const longIsE1 = hi1 - lo1 >= hi2 - lo2;
    if (area < leafArea || depth >= 16) return this.addParcel(rng, poly, area, longIsE1);
    // Cut across the long axis (normal along it); now and then along it, which makes long strips.
    const normalAlongE1 = longIsE1 !== rng.uniform() < 0.15;
    const a = this.fieldAngle + (normalAlongE1 ? 0 : Math.PI / 2) + (rng.uniform() * 2 - 1) * (depth < 3 ? 0.03 : 0.08);
    const nx = Math.cos(a);
    const ny = Math.sin(a);
    const [lo, hi] = extentAlong(poly, nx, ny);
    const c = lo + (0.35 + 0.3 * rng.uniform()) * (hi - lo);
    const paved = area > 3e6;
    const track = !paved && area > 6e5 && rng.uniform() < 0.6;
    const neg = clipHalfPlane(poly, nx, ny, c, -1);
    const pos = clipHalfPlane(poly, nx, ny, c, 1);
    if (neg.length < 3 || pos.length < 3) return this.addParcel(rng, poly, area, longIsE1);
    return {
      nx,
      ny,
      c,
      roadHalf: paved ? PAVED_HALF : track ? TRACK_HALF : 0,
      paved,
      neg: this.split(rng, neg, depth + 1),
      pos: this.split(rng, pos, depth + 1),
    };
  }

  private addParcel(rng: Rng, poly: Vec[], area: number, longIsE1: boolean): number {
    const [cx, cy] = centroid(poly);
    const floodplain = this.riverDistance(cx, cy) < Math.min(220, 0.09 * this.extent);
    const r = rng.uniform();
    // Beauce crop shares (arable plain), meadows along the river.
    let crop: CropType;
    if (floodplain && rng.uniform() < 0.7) crop = Crop.Grassland;
    else if (r < 0.4) crop = Crop.WinterWheat;
    else if (r < 0.6) crop = Crop.Maize;
    else if (r < 0.74) crop = Crop.Rapeseed;
    else if (r < 0.9) crop = Crop.Grassland;
    else crop = Crop.BareSoil;
    this.parcels.push({
      crop,
      shiftDays: (rng.uniform() * 2 - 1) * (crop === Crop.Grassland ? 18 : 10),
      vigour: 0.82 + 0.18 * rng.uniform(),
      soilBrightness: 0.85 + 0.3 * rng.uniform(),
      roughnessDb: -1.5 + 3.5 * rng.uniform(),
      axis: this.fieldAngle + (longIsE1 ? 0 : Math.PI / 2),
      areaHa: area / 1e4,
    });
    return this.parcels.length - 1;
  }

  /** Perpendicular distance (m) from the river centreline. */
  riverDistance(x: number, y: number): number {
    const dx = x - this.rx;
    const dy = y - this.ry;
    const u = dx * this.rdx + dy * this.rdy;
    const v = -dx * this.rdy + dy * this.rdx;
    const [A1, k1, p1, A2, k2, p2] = this.meander;
    const slope = A1 * k1 * Math.cos(k1 * u + p1) + A2 * k2 * Math.cos(k2 * u + p2);
    return Math.abs(v - this.centreline(u)) / Math.sqrt(1 + slope * slope);
  }

  private riverHalfWidth(x: number, y: number): number {
    const u = (x - this.rx) * this.rdx + (y - this.ry) * this.rdy;
    const [, , , , , , k3, p3] = this.meander;
    return (this.riverWidth / 2) * (1 + 0.15 * Math.sin(k3 * u + p3));
  }

  private inLake(x: number, y: number): boolean {
    for (const l of this.lakes) {
      const dx = x - l.cx;
      const dy = y - l.cy;
      const r = 1.3 * Math.max(l.a, l.b);
      if (dx > r || dx < -r || dy > r || dy < -r) continue;
      const u = (dx * l.cos + dy * l.sin) / l.a;
      const v = (-dx * l.sin + dy * l.cos) / l.b;
      if (u * u * u * u + v * v * v * v < 1 + 0.12 * valueNoise(x / 40, y / 40, l.seed)) return true;
    }
    return false;
  }

  /** Key of a non-parcel surface. */
  surfaceKey(s: SurfaceType): number {
    return this.parcels.length + s;
  }

  /** Number of distinct spectral keys (parcels + surfaces). */
  get keyCount(): number {
    return this.parcels.length + SURFACE_COUNT;
  }

  /** Land-cover class of a spectral key. */
  classOfKey(key: number): LandCoverCode {
    return key < this.parcels.length ? this.parcels[key].crop : SURFACE_CLASS[(key - this.parcels.length) as SurfaceType];
  }

  /**
   * The surface at ground point (x, y), packed as key·16 + land-cover class (the class can differ from the key's
   * own class: garden trees use the deciduous spectrum but are urban green).
   */
  sample(x: number, y: number): number {
    const P = this.parcels.length;
    // BSP descent: the first road met is the biggest one here; otherwise the leaf is the parcel.
    let node = this.root;
    let track = false;
    while (typeof node !== 'number') {
      const s = node.nx * x + node.ny * y - node.c;
      if (node.roadHalf > 0 && Math.abs(s) < node.roadHalf) {
        if (node.paved) return (P + Surface.Asphalt) * 16 + LandCover.Road;
        track = true;
      }
      node = s < 0 ? node.neg : node.pos;
    }
    const parcel = node;

    // The river lies within ±(A1 + A2) of its axis: skip the exact distance (4 trig calls) far from it.
    const v = -(x - this.rx) * this.rdy + (y - this.ry) * this.rdx;
    if (Math.abs(v) < this.meander[0] + this.meander[3] + this.riverWidth + 20) {
      const riverDist = this.riverDistance(x, y);
      const half = this.riverHalfWidth(x, y);
      if (riverDist < half) return (P + Surface.Water) * 16 + LandCover.Water;
      if (riverDist < half + 14 && fbm(x, y, 35, this.seeds.riparian, 2) > -0.15) return (P + Surface.Deciduous) * 16 + LandCover.DeciduousForest;
    }
    if (this.inLake(x, y)) return (P + Surface.Water) * 16 + LandCover.Water;

    const town = this.townSurface(x, y);
    if (town >= 0) return town;
    if (track) return (P + Surface.Track) * 16 + LandCover.Road;
    if (this.forest.at(x, y) > this.forestThreshold) {
      return this.conifer.at(x, y) > 0.2 ? (P + Surface.Conifer) * 16 + LandCover.ConiferousForest : (P + Surface.Deciduous) * 16 + LandCover.DeciduousForest;
    }
    return parcel * 16 + this.parcels[parcel].crop;
  }

  /** Town surface at (x, y) packed like sample(), or −1 outside the town. */
  private townSurface(x: number, y: number): number {
    const dx = x - this.tx;
    const dy = y - this.ty;
    const R = this.townRadius;
    if (Math.abs(dx) > 1.5 * R + 60 || Math.abs(dy) > 1.5 * R + 60) return -1;
    const r = Math.hypot(dx, dy);
    const theta = Math.atan2(dy, dx);
    // Irregular outline: lobes (suburbs along roads) at two angular scales plus a ragged metre-scale fringe.
    const edge =
      R * (1 + 0.28 * angularNoise(theta, 5, this.seeds.townEdge) + 0.12 * angularNoise(theta, 13, this.seeds.townEdge ^ 0x27d4eb2f)) +
      50 * fbm(x, y, 120, this.seeds.townEdge ^ 0x5bd1e995, 2);
    if (r >= edge) return -1;
    const P = this.parcels.length;
    const rn = r / R;
    const pack = (s: SurfaceType, cls: LandCoverCode) => (P + s) * 16 + cls;
    // Town grid coordinates (offset keeps them positive for the modulo arithmetic).
    const tu = dx * this.townCos + dy * this.townSin + 1e5;
    const tv = -dx * this.townSin + dy * this.townCos + 1e5;
    const dAngle = Math.abs(((theta - this.industryAngle + 3 * Math.PI) % (2 * Math.PI)) - Math.PI);
    if (dAngle < 0.6 && rn > 0.4) {
      // Industrial sector: 150 × 120 m plots, one large flat-roofed shed each, asphalt yards.
      const iu = Math.floor(tu / 150);
      const iv = Math.floor(tv / 120);
      const fu = tu - iu * 150;
      const fv = tv - iv * 120;
      if (fu < 10 || fv < 10) return pack(Surface.Asphalt, LandCover.Road);
      const h1 = hash2(iu, iv, this.seeds.town) / 4294967296;
      const h2 = hash2(iu, iv, this.seeds.town + 1) / 4294967296;
      if (fu > 18 + 12 * h1 && fu < 135 - 15 * h2 && fv > 20 + 10 * h2 && fv < 100 - 15 * h1) {
        return pack(h1 < 0.8 ? Surface.RoofBright : Surface.RoofSlate, LandCover.Building);
      }
      if (fu < 16 || fv < 16) return pack(Surface.Lawn, LandCover.UrbanGreen);
      return pack(Surface.Asphalt, LandCover.Road);
    }
    // Residential: 90 × 70 m blocks, 8 m streets, two rows of lots back to back.
    const iu = Math.floor(tu / 90);
    const iv = Math.floor(tv / 70);
    const bu = tu - iu * 90 - 8;
    const bv = tv - iv * 70 - 8;
    if (bu < 0 || bv < 0) return pack(Surface.Asphalt, LandCover.Road);
    const centre = rn < 0.35;
    const row = bv < 31 ? 0 : 1;
    const lotWidth = centre ? 11 : 17;
    const li = Math.floor(bu / lotWidth);
    const lu = bu - li * lotWidth;
    const lv = row === 0 ? bv : 62 - bv; // distance from the lot's own street
    const hx = iu * 16 + li;
    const hy = iv * 2 + row;
    const u1 = hash2(hx, hy, this.seeds.town) / 4294967296;
    const u2 = hash2(hx, hy, this.seeds.town + 1) / 4294967296;
    const u3 = hash2(hx, hy, this.seeds.town + 2) / 4294967296;
    const pBuild = centre ? 0.95 : 0.8 - 0.3 * rn;
    const setback = centre ? 0 : 3 + 4 * u3;
    const depth = 9 + 4 * u2;
    const margin = centre ? 0 : 1.5 + 1.5 * u3;
    if (u1 < pBuild && lv >= setback && lv < setback + depth && lu >= margin && lu < lotWidth - margin) {
      const roof = u2 < 0.55 ? Surface.RoofRed : u2 < 0.9 ? Surface.RoofSlate : Surface.RoofBright;
      return pack(roof, LandCover.Building);
    }
    return fbm(x, y, 10, this.seeds.garden, 2) > 0.3 ? pack(Surface.Deciduous, LandCover.UrbanGreen) : pack(Surface.Lawn, LandCover.UrbanGreen);
  }
}

/** The landscape evaluated at fine-pixel centres: (Hf, Wf) spectral keys and land-cover classes. */
export interface FineRaster {
  /** Pixels per side. */
  n: number;
  gsd: number;
  /** (Hf, Wf) spectral key per pixel. */
  keys: Int32Array;
  /** (Hf, Wf) land-cover class per pixel. */
  classes: Uint8Array;
}

export function rasterizeLandscape(scene: Landscape, n: number, gsd: number): FineRaster {
  const keys = new Int32Array(n * n);
  const classes = new Uint8Array(n * n);
  for (let j = 0; j < n; j++) {
    const y = (j + 0.5) * gsd;
    for (let i = 0; i < n; i++) {
      const packed = scene.sample((i + 0.5) * gsd, y);
      keys[j * n + i] = packed >> 4;
      classes[j * n + i] = packed & 15;
    }
  }
  return { n, gsd, keys, classes };
}

/**
 * Area fractions of spectral keys inside each coarse pixel (f × f fine pixels), in CSR form: pixel p holds entries
 * offsets[p] … offsets[p+1]−1 of keys/weights (weights sum to 1). Most pixels hold one key; edges hold 2–4.
 * Also the majority land-cover class and its area fraction (purity) per coarse pixel.
 */
export interface Mixing {
  /** Coarse pixels per side. */
  size: number;
  /** (H·W + 1) */
  offsets: Int32Array;
  keys: Int32Array;
  weights: Float32Array;
  /** (H, W) majority land-cover class. */
  labels: Uint8Array;
  /** (H, W) area fraction of the majority class. */
  purity: Float32Array;
}

export function mixing(fine: FineRaster, size: number): Mixing {
  const f = fine.n / size;
  if (!Number.isInteger(f) || f < 1) throw new Error(`mixing: fine grid of ${fine.n} px is not an integer multiple of ${size}`);
  const offsets = new Int32Array(size * size + 1);
  const keys: number[] = [];
  const weights: number[] = [];
  const labels = new Uint8Array(size * size);
  const purity = new Float32Array(size * size);
  const localKeys = new Int32Array(f * f);
  const localCounts = new Int32Array(f * f);
  const classCounts = new Int32Array(16);
  const inv = 1 / (f * f);
  for (let J = 0; J < size; J++) {
    for (let I = 0; I < size; I++) {
      const p = J * size + I;
      const first = (J * f) * fine.n + I * f;
      // Fast path: most coarse pixels lie inside one surface.
      let uniform = true;
      for (let dj = 0; dj < f && uniform; dj++) {
        const row = (J * f + dj) * fine.n + I * f;
        for (let di = 0; di < f; di++) {
          if (fine.keys[row + di] !== fine.keys[first] || fine.classes[row + di] !== fine.classes[first]) {
            uniform = false;
            break;
          }
        }
      }
      if (uniform) {
        keys.push(fine.keys[first]);
        weights.push(1);
        offsets[p + 1] = keys.length;
        labels[p] = fine.classes[first];
        purity[p] = 1;
        continue;
      }
      let distinct = 0;
      classCounts.fill(0);
      for (let dj = 0; dj < f; dj++) {
        const row = (J * f + dj) * fine.n + I * f;
        for (let di = 0; di < f; di++) {
          const k = fine.keys[row + di];
          classCounts[fine.classes[row + di]]++;
          let s = 0;
          while (s < distinct && localKeys[s] !== k) s++;
          if (s === distinct) {
            localKeys[distinct] = k;
            localCounts[distinct++] = 0;
          }
          localCounts[s]++;
        }
      }
      for (let s = 0; s < distinct; s++) {
        keys.push(localKeys[s]);
        weights.push(localCounts[s] * inv);
      }
      offsets[p + 1] = keys.length;
      let best = 0;
      for (let c = 1; c < 16; c++) if (classCounts[c] > classCounts[best]) best = c;
      labels[p] = best;
      purity[p] = classCounts[best] * inv;
    }
  }
  return { size, offsets, keys: Int32Array.from(keys), weights: Float32Array.from(weights), labels, purity };
}
