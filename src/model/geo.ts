/**
 * Geographic encoding features (A²-MAE-style, method.md §7.3; our design — the paper's formula is not public, §3.2):
 * per token, fixed sin/cos features of its position on the Earth and of its image's GSD. The model turns them into a
 * token addend with a LEARNED linear map (params.ts `geo.enc.w` (Fg, E) and `geo.dec.w` (Fg, Dd), no bias, one map
 * shared by all modalities so GSDs and places are embedded in one space), added like the position/date encodings in
 * the encoder and again in the decoder (mae.ts, mae.ref.ts).
 *
 * Why on the CPU: the features are constants of the batch (footprints, GSDs), never differentiated; B·N·Fg numbers
 * that take microseconds to build, uploaded once per step. Only the map has a gradient, dW = Fᵀ·dX, a matmul on the
 * GPU like any weight gradient.
 *
 * Features of a token (mode 'full': Fg = 6F + 2F_gsd = 56; mode 'gsd': Fg = 2F_gsd = 8):
 *   position: p = unit vector of the token centre — bilinear blend of the footprint's corner unit vectors at the token
 *             centre, renormalised (no antimeridian seam, no pole singularity) — then for k = 0..F−1 and each
 *             component c ∈ {x, y, z}: sin(ω_k·c), cos(ω_k·c), ω_k = 2π·R/λ_k, with F = 8 wavelengths λ_k spaced
 *             geometrically from 1 km to 10 000 km (a factor 10^(4/7) ≈ 3.7 apart: the method's "octave" ladder
 *             would need 14 steps to span that range). Each feature is ω_k-Lipschitz in the chord |p − q| ≈ d/R, so
 *             tokens d metres apart differ by at most 2π·d/λ_k in band k;
 *   GSD:      sin(ν_j·log2 GSD), cos(ν_j·log2 GSD) for ν_j = 2^(−j), j = 0..3: one period spans 6.3 … 50 octaves, so
 *             no two GSDs between 1 cm and 1 km share all features (a single sin/cos pair aliases GSDs a factor
 *             2^(2π) ≈ 78 apart, e.g. 0.2 m aerial and 15.6 m).
 * Layout: [position (k, c, sin/cos) ‖ GSD (j, sin/cos)]. Rows of a group matrix follow the group sequence
 * (modality, token group j, date t, location l); every (j, t) of a location carries the same features.
 */
import type { Footprint } from '../data/sample';
import { assert } from '../lib/assert';
import { type GeoEncodingMode, type MaeConfig, type ModalityConfig, gridSize } from './config';
import { EARTH_RADIUS_M, footprintPoint, type Vec3 } from './geoSphere';

/** F: position wavelengths, from GEO_MIN_WAVELENGTH_M to GEO_MAX_WAVELENGTH_M. */
export const GEO_FREQUENCIES = 8;
export const GEO_MIN_WAVELENGTH_M = 1e3;
export const GEO_MAX_WAVELENGTH_M = 1e7;
/** Frequencies of the log2(GSD) features. */
export const GSD_FREQUENCIES = 4;

/** Fg: feature width of a mode (0 when off). */
export function geoFeatureWidth(mode: GeoEncodingMode | undefined): number {
  if (mode === 'full') return 6 * GEO_FREQUENCIES + 2 * GSD_FREQUENCIES;
  if (mode === 'gsd') return 2 * GSD_FREQUENCIES;
  return 0;
}

/** The config's geo mode ('off' when absent). */
export function geoMode(config: MaeConfig): GeoEncodingMode {
  return config.geoEncoding ?? 'off';
}

/** λ_k in metres. */
export function geoWavelengths(): Float64Array {
  const out = new Float64Array(GEO_FREQUENCIES);
  for (let k = 0; k < GEO_FREQUENCIES; k++) out[k] = GEO_MIN_WAVELENGTH_M * Math.pow(GEO_MAX_WAVELENGTH_M / GEO_MIN_WAVELENGTH_M, k / (GEO_FREQUENCIES - 1));
  return out;
}

const OMEGA = Array.from(geoWavelengths(), (l) => (2 * Math.PI * EARTH_RADIUS_M) / l);

/** Features of one token: position unit vector `p` (needed for 'full') and GSD in metres. */
export function tokenGeoFeatures(mode: GeoEncodingMode, p: Vec3 | null, gsd: number): Float64Array {
  const out = new Float64Array(geoFeatureWidth(mode));
  let o = 0;
  if (mode === 'full') {
    assert(p, 'geo encoding "full" needs the token position');
    for (let k = 0; k < GEO_FREQUENCIES; k++)
      for (let c = 0; c < 3; c++) {
        out[o++] = Math.sin(OMEGA[k] * p[c]);
        out[o++] = Math.cos(OMEGA[k] * p[c]);
      }
  }
  if (mode !== 'off') {
    assert(gsd > 0, () => `geo encoding needs a positive GSD, got ${gsd}`);
    const lg = Math.log2(gsd);
    for (let j = 0; j < GSD_FREQUENCIES; j++) {
      out[o++] = Math.sin(lg / 2 ** j);
      out[o++] = Math.cos(lg / 2 ** j);
    }
  }
  return out;
}

/** Unit vectors of the centres of modality m's g×g tokens (row-major) inside footprint `fp`. */
export function tokenCentres(m: ModalityConfig, fp: Footprint): Vec3[] {
  const g = gridSize(m);
  const out: Vec3[] = [];
  for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) out.push(footprintPoint(fp, (x + 0.5) / g, (y + 0.5) / g));
  return out;
}

/** (L, Fg) features of modality m's locations for one sample (fp may be null in mode 'gsd'). */
export function modalityGeoFeatures(mode: GeoEncodingMode, m: ModalityConfig, fp: Footprint | null): Float64Array {
  const L = gridSize(m) ** 2;
  const Fg = geoFeatureWidth(mode);
  const out = new Float64Array(L * Fg);
  if (mode === 'full') {
    assert(fp, () => `geo encoding "full" needs the footprint of modality "${m.name}"`);
    tokenCentres(m, fp).forEach((p, l) => out.set(tokenGeoFeatures(mode, p, m.gsd), l * Fg));
  } else if (mode === 'gsd') {
    const f = tokenGeoFeatures(mode, null, m.gsd);
    for (let l = 0; l < L; l++) out.set(f, l * Fg);
  }
  return out;
}

/** The footprints of a batch (a src/data Batch satisfies it). */
export interface GeoMeta {
  B: number;
  modalities: Record<string, { footprints?: Footprint[] }>;
}

/**
 * [g] (B, N_g, Fg) feature matrix of every fusion-group sequence (empty arrays when the mode is 'off'). The GSD is the
 * modality's configured GSD: every sample of a modality is read at that GSD by the data pipeline.
 */
export function geoFeatureMatrices(config: MaeConfig, meta: GeoMeta): Float64Array[] {
  const mode = geoMode(config);
  const Fg = geoFeatureWidth(mode);
  const { B } = meta;
  return config.groups.map((grp) => {
    const mods = grp.modalities.map((name) => config.modalities.find((x) => x.name === name)!);
    const N = mods.reduce((s, m) => s + m.tokenGroups.length * m.dates * gridSize(m) ** 2, 0);
    const out = new Float64Array(B * N * Fg);
    if (Fg === 0) return out;
    for (let b = 0; b < B; b++) {
      let offset = 0;
      for (const m of mods) {
        const fp = meta.modalities[m.name]?.footprints?.[b] ?? null;
        const L = gridSize(m) ** 2;
        const f = modalityGeoFeatures(mode, m, fp); // (L, Fg)
        for (let j = 0; j < m.tokenGroups.length; j++)
          for (let t = 0; t < m.dates; t++) out.set(f, (b * N + offset + (j * m.dates + t) * L) * Fg);
        offset += m.tokenGroups.length * m.dates * L;
      }
    }
    return out;
  });
}
