/**
 * What the demo landscape is made of: land-cover classes (the label codes), the static surfaces besides crop
 * parcels, and their physical signatures — Sentinel-2 surface reflectance endmembers over the 10 L2A bands MAESTRO
 * uses, and Sentinel-1 C-band σ⁰ (dB) per polarisation.
 *
 * Invariants: every spectrum has one value per S2_BANDS entry, in that order (B02 … B12), as surface reflectance in
 * [0, 1]; green vegetation shows the red-edge rise to a NIR plateau and SWIR water absorption, water is dark in NIR and
 * SWIR (< 0.02), soils rise monotonically towards SWIR1. σ⁰ values are for ~38° incidence and are corrected by the
 * caller for the orbit's incidence angle.
 * References: S2 band centres and GSDs: docs data.md §3.1 (ESA S2 MSI User Guide). Endmembers are hand-approximated
 * from the shapes of typical library spectra (USGS splib07 / ECOSTRESS: green and dry grass, loam, broadleaf and
 * needle canopies, asphalt, clay tile) at the S2 band centres — plausible, not measured. S1 levels are within the
 * crop / forest / urban σ⁰ ranges reported at C-band (Veloso et al. 2017, Remote Sens. Environ. 199; Vreugdenhil et
 * al. 2018, Remote Sens. 10(9)).
 */

/** The 10 Sentinel-2 L2A bands of the stacked demo product, in MAESTRO/SatMAE order (groups 10 m VNIR | red edge | SWIR). */
export const S2_BANDS = ['B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12'] as const;
/** Central wavelength (µm, Sentinel-2A) of each S2_BANDS entry. */
export const S2_WAVELENGTH_UM = [0.4924, 0.5598, 0.6646, 0.7041, 0.7405, 0.7828, 0.8328, 0.8647, 1.6137, 2.2024] as const;
/** Native ground sampling distance (m) of each S2_BANDS entry: the 20 m bands are resampled to the 10 m grid. */
export const S2_NATIVE_GSD = [10, 10, 10, 20, 20, 20, 10, 20, 20, 20] as const;
export const NB = S2_BANDS.length;
/** Band indices used by tests and the aerial camera model. */
export const BAND = { B02: 0, B03: 1, B04: 2, B05: 3, B08: 6, B8A: 7, B11: 8, B12: 9 } as const;

/** Land-cover label codes (the optional landcover raster and the tests use them). 0 = none. */
export const LandCover = {
  WinterWheat: 1,
  Maize: 2,
  Rapeseed: 3,
  Grassland: 4,
  BareSoil: 5,
  DeciduousForest: 6,
  ConiferousForest: 7,
  Water: 8,
  Building: 9,
  Road: 10,
  UrbanGreen: 11,
} as const;
export type LandCoverCode = (typeof LandCover)[keyof typeof LandCover];
export const LAND_COVER_NAMES: Record<LandCoverCode, string> = {
  1: 'winter wheat',
  2: 'maize',
  3: 'rapeseed',
  4: 'grassland',
  5: 'bare soil',
  6: 'deciduous forest',
  7: 'coniferous forest',
  8: 'water',
  9: 'building',
  10: 'road',
  11: 'urban green',
};
/** Codes of the classes that are agricultural parcels. */
export const CROP_CLASSES: readonly LandCoverCode[] = [1, 2, 3, 4, 5];

/** Crop types of agricultural parcels (same numbers as their land-cover codes). */
export const Crop = { WinterWheat: 1, Maize: 2, Rapeseed: 3, Grassland: 4, BareSoil: 5 } as const;
export type CropType = (typeof Crop)[keyof typeof Crop];

/** Non-parcel surfaces; their spectral key is `parcelCount + surface`. */
export const Surface = {
  Deciduous: 0,
  Conifer: 1,
  Water: 2,
  Asphalt: 3,
  Track: 4,
  RoofRed: 5,
  RoofSlate: 6,
  RoofBright: 7,
  Lawn: 8,
} as const;
export type SurfaceType = (typeof Surface)[keyof typeof Surface];
export const SURFACE_COUNT = 9;
export const SURFACE_CLASS: Record<SurfaceType, LandCoverCode> = {
  0: LandCover.DeciduousForest,
  1: LandCover.ConiferousForest,
  2: LandCover.Water,
  3: LandCover.Road,
  4: LandCover.Road,
  5: LandCover.Building,
  6: LandCover.Building,
  7: LandCover.Building,
  8: LandCover.UrbanGreen,
};

type Spectrum = readonly number[];

/** Endmember surface reflectance, bands B02 B03 B04 B05 B06 B07 B08 B8A B11 B12. */
export const SPECTRA = {
  /** Dense green crop canopy: chlorophyll well at red, red-edge rise, NIR plateau ~0.46, SWIR leaf-water absorption. */
  greenCanopy: [0.03, 0.07, 0.03, 0.11, 0.32, 0.42, 0.46, 0.48, 0.23, 0.11],
  /** Senescent straw / crop residue: no red well, high SWIR1 (cellulose, no water). */
  dryVegetation: [0.08, 0.11, 0.145, 0.18, 0.22, 0.25, 0.27, 0.29, 0.38, 0.29],
  /** Flowering rapeseed canopy top: yellow petals raise green and red, blue stays low. */
  rapeseedFlowers: [0.04, 0.17, 0.15, 0.2, 0.31, 0.38, 0.42, 0.43, 0.26, 0.14],
  /** Dry silty loam (Beauce "limon"): reflectance rising steadily into SWIR1; NDVI ≈ 0.2. */
  drySoil: [0.075, 0.105, 0.145, 0.17, 0.19, 0.205, 0.22, 0.235, 0.32, 0.265],
  /** Multiplier of drySoil for a saturated surface: darkening is strongest in SWIR (water absorption). */
  wetSoilFactor: [0.7, 0.7, 0.7, 0.71, 0.72, 0.72, 0.72, 0.72, 0.58, 0.55],
  deciduousLeafOn: [0.022, 0.048, 0.026, 0.075, 0.23, 0.31, 0.34, 0.355, 0.165, 0.075],
  /** Bare crowns over leaf litter in winter. */
  deciduousLeafOff: [0.04, 0.058, 0.065, 0.09, 0.13, 0.15, 0.165, 0.175, 0.2, 0.13],
  /** Needle canopies are darker than broadleaf in every band (shadowing within the crown). */
  conifer: [0.018, 0.034, 0.02, 0.055, 0.15, 0.2, 0.22, 0.232, 0.105, 0.045],
  /** Slightly turbid river / lake water: scattering in blue-green, absorption beyond 700 nm. */
  water: [0.05, 0.06, 0.038, 0.03, 0.016, 0.013, 0.011, 0.009, 0.004, 0.003],
  asphalt: [0.065, 0.075, 0.085, 0.095, 0.105, 0.11, 0.115, 0.118, 0.135, 0.125],
  /** Compacted dirt farm track: brighter than the surrounding soil. */
  track: [0.09, 0.125, 0.165, 0.195, 0.22, 0.24, 0.255, 0.27, 0.34, 0.29],
  /** Red clay tiles: iron-oxide absorption in blue/green, bright from red on. */
  roofRed: [0.07, 0.09, 0.19, 0.23, 0.25, 0.265, 0.275, 0.285, 0.33, 0.29],
  /** Slate: dark and flat. */
  roofSlate: [0.075, 0.08, 0.085, 0.09, 0.095, 0.098, 0.1, 0.102, 0.11, 0.1],
  /** Flat industrial roofs (metal sheet, light membranes): the bright built-up pixels. */
  roofBright: [0.25, 0.27, 0.28, 0.29, 0.3, 0.305, 0.31, 0.315, 0.33, 0.3],
  /** Optically thick cumulus (BOA): flat and bright in VNIR, lower in SWIR (droplet absorption). */
  cloud: [0.52, 0.52, 0.53, 0.54, 0.55, 0.55, 0.55, 0.55, 0.4, 0.28],
  /** Thin cirrus veil at full opacity 1 (additive). */
  cirrus: [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.22, 0.15],
  /** Fraction of reflectance removed in a full cloud shadow: less in blue, where diffuse skylight dominates. */
  shadowDepth: [0.55, 0.6, 0.62, 0.64, 0.66, 0.67, 0.68, 0.68, 0.72, 0.72],
  /** Residual aerosol path reflectance per unit haze (Ångström-like λ^-1.5 decay). */
  haze: [1, 0.82, 0.63, 0.58, 0.54, 0.49, 0.45, 0.43, 0.14, 0.08],
} as const satisfies Record<string, Spectrum>;

/** Sentinel-1 σ⁰ (dB at ~38° incidence) for a full canopy / surface: [VV, VH]. */
export const BACKSCATTER_DB = {
  /** Wheat stems are vertical: they attenuate VV, so VV drops as the crop grows (stem elongation, Apr–Jun). */
  wheat: [-15, -18.5],
  /** Maize: tall, leafy, volume scattering: the highest VH of the crops at peak. */
  maize: [-9, -14],
  rapeseed: [-8.5, -13.5],
  grass: [-11, -17.5],
  /** Dry standing straw before harvest. */
  dryVegetation: [-12.5, -19],
  deciduousLeafOn: [-7.5, -13],
  deciduousLeafOff: [-8.5, -14.5],
  conifer: [-7, -12.5],
  asphalt: [-18, -26],
  /** Buildings: double-bounce wall–ground returns make VV bright; its level depends on wall orientation. */
  building: [1, -7],
  lawn: [-11, -17],
} as const satisfies Record<string, readonly [number, number]>;

/** σ⁰ (dB) of bare soil: VV from dry (−16) to wet (−9) plus roughness; VH ≈ VV − 7.5 … 8.5. */
export function soilBackscatterDb(wetness: number, roughnessDb: number): [number, number] {
  const vv = -16 + 7 * wetness + roughnessDb;
  return [vv, vv - 7.5 - (1 - wetness)];
}

/** Water σ⁰ (dB): specular when calm, wind-roughened up to ~−15 dB VV; VH lies below the noise floor. */
export function waterBackscatterDb(wind01: number): [number, number] {
  const vv = -24 + 9 * wind01;
  return [vv, vv - 7];
}

/** Noise-equivalent σ⁰ of Sentinel-1 IW (dB): the floor every measurement sits on. */
export const S1_NESZ_DB = [-25, -24] as const;
/** Equivalent number of looks of IW GRDH (ESA S1 product definition): speckle ~ Gamma(ENL, 1/ENL). */
export const S1_ENL = 4.4;
/** σ⁰ slope with incidence angle for soils and canopies (dB per degree), used for the asc/desc difference. */
export const S1_INCIDENCE_SLOPE_DB = -0.12;
