/**
 * The built-in demo dataset: a seeded synthetic landscape written as real georeferenced GeoTIFFs, named and tagged
 * like the products they imitate so the data pipeline recognises them as it would real files:
 *   - 12 × Sentinel-2 L2A, 10 bands B02…B12 (uint16 DN = reflectance × 10000, nodata 0), one per month, with clouds,
 *     shadows, cirrus and one partial (swath-edge) date; + 12 × SCL-like scene classification (uint8, nodata 0);
 *   - 8 × Sentinel-1 IW GRDH ascending + 8 × descending, VV and VH σ⁰ in dB (float32, nodata −9999);
 *   - 1 × aerial RGB-NIR orthophoto (uint8, nodata 0) at 2 m by default, covering the same ground;
 *   - optionally the 10 m land-cover truth (uint8 class codes, nodata 0).
 * All rasters are WGS 84 / UTM 31N (EPSG:32631) with the same upper-left corner, band descriptions in GDAL metadata,
 * the acquisition time in TIFF DateTime and in the file name. Runs in the browser (main thread or worker) and in Node.
 *
 * Invariants: the same options give byte-identical files; file order is S2 (+ SCL) by date, S1 ascending then
 * descending by date, aerial, land cover; every file's GDAL metadata says SYNTHETIC so it is never mistaken for a real
 * acquisition.
 */
import { compactTime, DEMO_MGRS_TILE, DEMO_PLACE } from './acquisitions';
import { encodeGeoTiff } from './geotiffEncoder';
import { AERIAL_BANDS, renderAerial } from './renderAerial';
import { renderSentinel1 } from './renderSentinel1';
import { renderSentinel2, SCL } from './renderSentinel2';
import { buildDemoScene, type DemoScene, type DemoSceneOptions } from './scene';
import { LAND_COVER_NAMES, S2_BANDS, S2_NATIVE_GSD, S2_WAVELENGTH_UM } from './surfaces';

export type DemoModality = 's2' | 's2_scl' | 's1_asc' | 's1_des' | 'aerial' | 'landcover';

export interface DemoFile {
  /** File name, e.g. S2A_MSIL2A_20210115T105321_N0300_R051_T31UCP_20210115T131245.tif. */
  name: string;
  bytes: ArrayBuffer;
  modality: DemoModality;
  /** Acquisition time (ISO 8601, UTC); null for the land-cover truth. */
  time: string | null;
  /** Facts for summaries (cloud and nodata fractions, orbit, GSD …). */
  info: Record<string, number | string>;
}

export interface DemoDatasetOptions extends DemoSceneOptions {
  /** Also write the SCL-like cloud mask per Sentinel-2 date (default true). */
  scl?: boolean;
  /** Also write the 10 m land-cover truth raster (default false: it is not a sensor product). */
  landcover?: boolean;
  /** Called after each file is encoded (for progress bars in a worker). */
  onProgress?: (done: number, total: number, name: string) => void;
}

export const S1_NODATA = -9999;

const SCL_NAMES: Record<number, string> = {
  [SCL.NoData]: 'NO_DATA',
  1: 'SATURATED_OR_DEFECTIVE',
  2: 'DARK_AREA_PIXELS',
  [SCL.CloudShadow]: 'CLOUD_SHADOWS',
  [SCL.Vegetation]: 'VEGETATION',
  [SCL.NotVegetated]: 'NOT_VEGETATED',
  [SCL.Water]: 'WATER',
  7: 'UNCLASSIFIED',
  [SCL.CloudMedium]: 'CLOUD_MEDIUM_PROBABILITY',
  [SCL.CloudHigh]: 'CLOUD_HIGH_PROBABILITY',
  [SCL.Cirrus]: 'THIN_CIRRUS',
  11: 'SNOW',
};

function synthetic(scene: DemoScene): Record<string, string> {
  return {
    SYNTHETIC: `EO-MAE Studio demo landscape, seed ${scene.seed}: simulated, not a real acquisition`,
    AREA: DEMO_PLACE,
  };
}

/** '2m', '2p5m' … for file names. */
function gsdToken(gsd: number): string {
  return `${String(gsd).replace('.', 'p')}m`;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Generates every file of the demo dataset. Synchronous and CPU-bound: call it from a worker in the browser. */
export function generateDemoDataset(options: DemoDatasetOptions = {}): DemoFile[] {
  const scene = buildDemoScene(options);
  const withScl = options.scl ?? true;
  const withLandcover = options.landcover ?? false;
  const total = scene.s2.length * (withScl ? 2 : 1) + scene.s1.length + 1 + (withLandcover ? 1 : 0);
  const files: DemoFile[] = [];
  const push = (f: DemoFile) => {
    files.push(f);
    options.onProgress?.(files.length, total, f.name);
  };
  const { size } = scene;

  scene.s2.forEach((acq, t) => {
    const r = renderSentinel2(scene, t);
    const iso = acq.time.toISOString();
    const cloudPct = round(100 * r.cloudFraction, 2);
    const nodataPct = round(100 * r.nodataFraction, 2);
    push({
      name: `${acq.product}.tif`,
      modality: 's2',
      time: iso,
      info: { cloudPct, nodataPct, spacecraft: acq.spacecraft, orbit: `R${String(acq.relativeOrbit).padStart(3, '0')}`, baseline: acq.baseline },
      bytes: encodeGeoTiff({
        width: size,
        height: size,
        bands: S2_BANDS.length,
        data: r.dn,
        geo: scene.geo10m,
        noData: 0,
        bandDescriptions: S2_BANDS,
        bandMetadata: S2_BANDS.map((_, b) => ({ WAVELENGTH: String(Math.round(S2_WAVELENGTH_UM[b] * 1000)), WAVELENGTH_UNIT: 'nm', RESOLUTION: String(S2_NATIVE_GSD[b]) })),
        metadata: {
          PRODUCT_TYPE: 'S2MSI2A',
          PRODUCT_URI: `${acq.product}.SAFE`,
          SPACECRAFT_NAME: acq.spacecraft === 'S2A' ? 'Sentinel-2A' : 'Sentinel-2B',
          PRODUCT_START_TIME: iso,
          PROCESSING_BASELINE: `${acq.baseline.slice(1, 3)}.${acq.baseline.slice(3)}`,
          BOA_QUANTIFICATION_VALUE: '10000',
          BOA_ADD_OFFSET: '0',
          SENSING_ORBIT_NUMBER: String(acq.relativeOrbit),
          MGRS_TILE: DEMO_MGRS_TILE,
          CLOUD_COVERAGE_ASSESSMENT: String(cloudPct),
          NODATA_PIXEL_PERCENTAGE: String(nodataPct),
          MEAN_SUN_ZENITH_ANGLE: String(round(acq.sun.zenithDeg, 3)),
          MEAN_SUN_AZIMUTH_ANGLE: String(round(acq.sun.azimuthDeg, 3)),
          ...synthetic(scene),
        },
        dateTime: acq.time,
        imageDescription: `Synthetic Sentinel-2 L2A surface reflectance x 10000, 10 bands at 10 m: ${acq.product}`,
      }),
    });
    if (withScl) {
      push({
        name: `T${DEMO_MGRS_TILE}_${compactTime(acq.time)}_SCL_10m.tif`,
        modality: 's2_scl',
        time: iso,
        info: { cloudPct, nodataPct, product: acq.product },
        bytes: encodeGeoTiff({
          width: size,
          height: size,
          bands: 1,
          data: r.scl,
          geo: scene.geo10m,
          noData: 0,
          bandDescriptions: ['SCL'],
          metadata: {
            PRODUCT_URI: `${acq.product}.SAFE`,
            PRODUCT_START_TIME: iso,
            ...Object.fromEntries(Object.entries(SCL_NAMES).map(([k, v]) => [`CLASS_${k}`, v])),
            ...synthetic(scene),
          },
          dateTime: acq.time,
          imageDescription: `Synthetic Sentinel-2 L2A scene classification (SCL) at 10 m: ${acq.product}`,
        }),
      });
    }
  });

  scene.s1.forEach((acq, t) => {
    const r = renderSentinel1(scene, t);
    const iso = acq.time.toISOString();
    const modality = acq.direction === 'ASCENDING' ? 's1_asc' : 's1_des';
    push({
      name: `${acq.product}_${acq.direction}_VV_VH_sigma0_dB.tif`,
      modality,
      time: iso,
      info: { direction: acq.direction, relativeOrbit: acq.relativeOrbit, incidenceDeg: acq.incidenceDeg },
      bytes: encodeGeoTiff({
        width: size,
        height: size,
        bands: 2,
        data: r.db,
        geo: scene.geo10m,
        noData: S1_NODATA,
        bandDescriptions: ['VV', 'VH'],
        bandMetadata: [{ POLARISATION: 'VV', UNITS: 'dB' }, { POLARISATION: 'VH', UNITS: 'dB' }],
        metadata: {
          MISSION_ID: 'S1A',
          MODE: 'IW',
          PRODUCT_TYPE: 'GRD',
          RESOLUTION: 'H',
          POLARISATIONS: 'VV VH',
          ORBIT_DIRECTION: acq.direction,
          RELATIVE_ORBIT_NUMBER: String(acq.relativeOrbit),
          ABSOLUTE_ORBIT_NUMBER: String(acq.absoluteOrbit),
          ACQUISITION_START_TIME: iso,
          CALIBRATION: 'SIGMA0',
          UNITS: 'dB',
          INCIDENCE_ANGLE: String(acq.incidenceDeg),
          PRODUCT_URI: `${acq.product}.SAFE`,
          ...synthetic(scene),
        },
        dateTime: acq.time,
        imageDescription: `Synthetic Sentinel-1 IW GRDH sigma0 in dB (VV, VH), ${acq.direction.toLowerCase()}, 10 m: ${acq.product}`,
      }),
    });
  });

  const aerial = renderAerial(scene);
  const aerialDate = compactTime(scene.aerial.time).slice(0, 8);
  push({
    name: `aerial_RGBN_${aerialDate}_${gsdToken(scene.aerialGsd)}.tif`,
    modality: 'aerial',
    time: scene.aerial.time.toISOString(),
    info: { gsd: scene.aerialGsd },
    bytes: encodeGeoTiff({
      width: scene.fine.n,
      height: scene.fine.n,
      bands: 4,
      data: aerial.dn,
      geo: scene.geoAerial,
      noData: 0,
      bandDescriptions: AERIAL_BANDS,
      metadata: {
        SENSOR: 'airborne frame camera, 4 channels (R, G, B, NIR)',
        ACQUISITION_DATE: scene.aerial.time.toISOString().slice(0, 10),
        RADIOMETRY: '8-bit camera tone curve DN = 255*(reflectance/sat)^(1/1.5), sat 0.45 (RGB), 0.7 (NIR)',
        ...synthetic(scene),
      },
      dateTime: scene.aerial.time,
      imageDescription: `Synthetic aerial orthophoto RGB-NIR, 8-bit, ${scene.aerialGsd} m`,
    }),
  });

  if (withLandcover) {
    push({
      name: 'demo_landcover_10m.tif',
      modality: 'landcover',
      time: null,
      info: { classes: Object.keys(LAND_COVER_NAMES).length },
      bytes: encodeGeoTiff({
        width: size,
        height: size,
        bands: 1,
        data: scene.mix.labels,
        geo: scene.geo10m,
        noData: 0,
        bandDescriptions: ['land cover'],
        metadata: {
          ...Object.fromEntries(Object.entries(LAND_COVER_NAMES).map(([k, v]) => [`CLASS_${k}`, v])),
          METHOD: 'majority class of the aerial-resolution landscape in each 10 m pixel',
          ...synthetic(scene),
        },
        imageDescription: 'Synthetic land-cover truth of the EO-MAE Studio demo landscape, 10 m',
      }),
    });
  }
  return files;
}
