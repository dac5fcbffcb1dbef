/**
 * Coordinate reference systems: which CRS a GeoTIFF's geokeys describe, and proj4 transforms to WGS84.
 *
 * The CRS comes from ProjectedCSTypeGeoKey (3072) first, then GeographicTypeGeoKey (2048), as OpenLayers does.
 * 32767 means "user-defined": real files (IGNF/MAESTRO aerial tiles, several rasterio fixtures) carry
 * ProjectedCSTypeGeoKey 32767 with ProjectionGeoKey 16001–16060 / 16101–16160 (EPSG "UTM zone nN/nS" projection
 * codes), so that is the fallback, then the citation text ("WGS 84 / UTM zone 33N"). Only CRSs with a known proj4
 * definition are returned; anything else yields null plus a warning, and the user can supply a proj4 string.
 * Invariants: every CrsInfo returned has its proj4 definition registered under `id` before it is handed out.
 * Reference: GeoTIFF 1.1 spec (geokey ids), EPSG registry parameters, /work/shared/docs/data.md §1.8.
 */
import proj4 from 'proj4';
import type { LonLat } from './sample';

export interface CrsInfo {
  /** Key the proj4 definition is registered under, e.g. 'EPSG:32633' or 'USER:utm32N-GRS80'. */
  id: string;
  epsg: number | null;
  name: string;
  geographic: boolean;
  proj4: string;
  /** Metres per CRS unit along the axes (1 for metric CRSs; for geographic CRSs use degreesToMetres). */
  unitToMetre: number;
  /** Which geokey or text the CRS was read from, for the inspect report. */
  source: string;
}

const WGS84_LONLAT = '+proj=longlat +datum=WGS84 +no_defs';

/** Datum parameters by EPSG geographic CRS code (towgs84 for datums proj4 has no grid-free shift for). */
const DATUMS: Record<number, { name: string; params: string }> = {
  4326: { name: 'WGS 84', params: '+datum=WGS84' },
  4258: { name: 'ETRS89', params: '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0' },
  4171: { name: 'RGF93', params: '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0' },
  4269: { name: 'NAD83', params: '+datum=NAD83' },
  // NAD27 with the CONUS mean shift instead of NADCON grids (which are not bundled); error is a few metres.
  4267: { name: 'NAD27', params: '+ellps=clrk66 +towgs84=-8,160,176,0,0,0,0' },
};

/** GeogGeodeticDatumGeoKey / GeogEllipsoidGeoKey codes → the geographic CRS code used in DATUMS. */
const DATUM_CODE_TO_GEOG: Record<number, number> = { 6326: 4326, 6258: 4258, 6171: 4171, 6269: 4269, 6267: 4267, 7030: 4326, 7019: 4258, 7008: 4267 };

function utmProj4(zone: number, south: boolean, datumParams: string): string {
  return `+proj=utm +zone=${zone}${south ? ' +south' : ''} ${datumParams} +units=m +no_defs`;
}

/** proj4 definitions of the EPSG codes the studio knows without a network lookup. */
function epsgDefinition(code: number): { name: string; proj4: string; geographic: boolean } | null {
  if (DATUMS[code]) return { name: DATUMS[code].name, proj4: `+proj=longlat ${DATUMS[code].params} +no_defs`, geographic: true };
  const utm = (base: number, geog: number, south: boolean, max = 60) => {
    const zone = code - base;
    if (zone < 1 || zone > max) return null;
    const d = DATUMS[geog];
    return { name: `${d.name} / UTM zone ${zone}${south ? 'S' : 'N'}`, proj4: utmProj4(zone, south, d.params), geographic: false };
  };
  if (code > 32600 && code <= 32660) return utm(32600, 4326, false);
  if (code > 32700 && code <= 32760) return utm(32700, 4326, true);
  if (code >= 25828 && code <= 25838) return utm(25800, 4258, false);
  if (code >= 26901 && code <= 26923) return utm(26900, 4269, false);
  if (code >= 26703 && code <= 26722) return utm(26700, 4267, false);
  switch (code) {
    case 3857:
    case 900913:
    case 3785:
      return { name: 'WGS 84 / Pseudo-Mercator', proj4: '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs', geographic: false };
    case 3395:
      return { name: 'WGS 84 / World Mercator', proj4: '+proj=merc +lon_0=0 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs', geographic: false };
    case 2154:
      return { name: 'RGF93 / Lambert-93', proj4: '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs', geographic: false };
    case 3035:
      return { name: 'ETRS89 / LAEA Europe', proj4: '+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs', geographic: false };
    case 5070:
      return { name: 'NAD83 / Conus Albers', proj4: '+proj=aea +lat_0=23 +lon_0=-96 +lat_1=29.5 +lat_2=45.5 +x_0=0 +y_0=0 +datum=NAD83 +units=m +no_defs', geographic: false };
    case 27700:
      return { name: 'OSGB36 / British National Grid', proj4: '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs', geographic: false };
    default:
      return null;
  }
}

function register(id: string, def: string): void {
  if (!proj4.defs(id)) proj4.defs(id, def);
}

/** The CRS for an EPSG code, or null when the code has no built-in definition. */
export function crsFromEpsg(code: number, source = `EPSG code ${code}`): CrsInfo | null {
  const def = epsgDefinition(code);
  if (!def) return null;
  const id = `EPSG:${code}`;
  register(id, def.proj4);
  return { id, epsg: code, name: def.name, geographic: def.geographic, proj4: def.proj4, unitToMetre: 1, source };
}

/** A CRS from a user-supplied proj4 string (the correction path for CRSs the studio does not know). */
export function crsFromProj4(def: string, name = 'user-defined'): CrsInfo {
  const id = `USER:${def}`;
  register(id, def);
  const geographic = /\+proj=(longlat|latlong|lonlat|latlon)\b/.test(def);
  const toMeter = /\+to_meter=([0-9.eE+-]+)/.exec(def);
  return { id, epsg: null, name, geographic, proj4: def, unitToMetre: toMeter ? Number(toMeter[1]) : 1, source: 'set by the user' };
}

export const WGS84: CrsInfo = (() => {
  register('EPSG:4326', WGS84_LONLAT);
  return { id: 'EPSG:4326', epsg: 4326, name: 'WGS 84', geographic: true, proj4: WGS84_LONLAT, unitToMetre: 1, source: 'EPSG code 4326' };
})();

/** Datum parameters for a user-defined CRS, from whichever geokey names the datum; WGS 84 if none does. */
function datumOf(keys: Record<string, unknown>): { geog: number; named: boolean } {
  const gt = Number(keys.GeographicTypeGeoKey);
  if (DATUMS[gt]) return { geog: gt, named: true };
  for (const k of ['GeogGeodeticDatumGeoKey', 'GeogEllipsoidGeoKey']) {
    const g = DATUM_CODE_TO_GEOG[Number(keys[k])];
    if (g) return { geog: g, named: true };
  }
  return { geog: 4326, named: false };
}

function utmFromCitation(text: string): { zone: number; south: boolean; geog: number } | null {
  const m = /UTM[ _]?zone[ _]?(\d{1,2})\s*([NS])/i.exec(text);
  if (!m) return null;
  const zone = Number(m[1]);
  if (zone < 1 || zone > 60) return null;
  const geog = /NAD\s*27/i.test(text) ? 4267 : /NAD\s*83/i.test(text) ? 4269 : /ETRS/i.test(text) ? 4258 : 4326;
  return { zone, south: m[2].toUpperCase() === 'S', geog };
}

function userUtm(zone: number, south: boolean, geog: number, source: string): CrsInfo {
  const d = DATUMS[geog];
  const def = utmProj4(zone, south, d.params);
  const id = `USER:utm${zone}${south ? 'S' : 'N'}-${geog}`;
  register(id, def);
  // The EPSG code this is equivalent to, when there is one (WGS 84 and ETRS89 UTM zones).
  const epsg = geog === 4326 ? (south ? 32700 : 32600) + zone : geog === 4258 && zone >= 28 && zone <= 38 && !south ? 25800 + zone : null;
  return { id, epsg, name: `${d.name} / UTM zone ${zone}${south ? 'S' : 'N'}`, geographic: false, proj4: def, unitToMetre: 1, source };
}

/**
 * Resolves the CRS of a GeoTIFF from its geokeys (`image.getGeoKeys()`). Returns null with a warning when the file
 * has no CRS the studio can use.
 */
export function crsFromGeoKeys(keys: Record<string, unknown> | null): { crs: CrsInfo | null; warnings: string[] } {
  const warnings: string[] = [];
  if (!keys) return { crs: null, warnings: ['no GeoKeyDirectory: the file has no coordinate reference system'] };
  const model = Number(keys.GTModelTypeGeoKey);
  const projected = Number(keys.ProjectedCSTypeGeoKey);
  const geographic = Number(keys.GeographicTypeGeoKey);
  const citation = [keys.GTCitationGeoKey, keys.PCSCitationGeoKey, keys.GeogCitationGeoKey].filter((c) => typeof c === 'string').join(' | ');

  if (projected && projected !== 32767) {
    const crs = crsFromEpsg(projected, `ProjectedCSTypeGeoKey = ${projected}`);
    if (crs) return { crs, warnings };
    const fromCitation = utmFromCitation(citation);
    if (fromCitation) {
      warnings.push(`EPSG:${projected} is not built in; used the citation "${citation}"`);
      return { crs: userUtm(fromCitation.zone, fromCitation.south, fromCitation.geog, `citation "${citation}"`), warnings };
    }
    warnings.push(`projected CRS EPSG:${projected} has no built-in definition: set the CRS with a proj4 string to get a footprint`);
    return { crs: null, warnings };
  }
  if (projected === 32767 || (model === 1 && !projected)) {
    const proj = Number(keys.ProjectionGeoKey);
    const { geog, named } = datumOf(keys);
    if (proj >= 16001 && proj <= 16060) {
      if (!named) warnings.push('user-defined UTM CRS names no datum; assumed WGS 84');
      return { crs: userUtm(proj - 16000, false, geog, `ProjectedCSTypeGeoKey 32767 (user-defined) with ProjectionGeoKey ${proj} (UTM zone ${proj - 16000}N)`), warnings };
    }
    if (proj >= 16101 && proj <= 16160) {
      if (!named) warnings.push('user-defined UTM CRS names no datum; assumed WGS 84');
      return { crs: userUtm(proj - 16100, true, geog, `ProjectedCSTypeGeoKey 32767 (user-defined) with ProjectionGeoKey ${proj} (UTM zone ${proj - 16100}S)`), warnings };
    }
    const fromCitation = utmFromCitation(citation);
    if (fromCitation) return { crs: userUtm(fromCitation.zone, fromCitation.south, fromCitation.geog, `citation "${citation}"`), warnings };
    warnings.push(`user-defined projected CRS${proj ? ` (ProjectionGeoKey ${proj})` : ''} is not supported: set the CRS with a proj4 string to get a footprint`);
    return { crs: null, warnings };
  }
  if (model === 2 || geographic) {
    if (geographic && geographic !== 32767) {
      const crs = crsFromEpsg(geographic, `GeographicTypeGeoKey = ${geographic}`);
      if (crs) return { crs, warnings };
      warnings.push(`geographic CRS EPSG:${geographic} is not built in; assumed WGS 84 (error of at most a few hundred metres)`);
      return { crs: { ...WGS84, source: `GeographicTypeGeoKey ${geographic}, treated as WGS 84` }, warnings };
    }
    const { geog } = datumOf(keys);
    const crs = crsFromEpsg(geog, `user-defined geographic CRS on ${DATUMS[geog].name}`);
    if (crs) return { crs, warnings };
  }
  if (model === 3) warnings.push('geocentric model type (GTModelTypeGeoKey 3) is not supported');
  else warnings.push('the geokeys name no coordinate reference system');
  return { crs: null, warnings };
}

/** proj4 converters by (from, to) ids and definitions: building one parses both definitions (≈ 0.1 ms). */
const converters = new Map<string, { forward(p: [number, number]): number[] }>();

/** A function mapping (x, y) in `from` to (x, y) in `to`; identity when both are the same CRS. */
export function transformer(from: CrsInfo, to: CrsInfo): (x: number, y: number) => [number, number] {
  if (from.id === to.id || from.proj4 === to.proj4) return (x, y) => [x, y];
  const key = `${from.id}\n${from.proj4}\n${to.id}\n${to.proj4}`;
  let conv = converters.get(key);
  if (!conv) {
    conv = proj4(from.id, to.id) as { forward(p: [number, number]): number[] };
    if (converters.size >= 256) converters.clear();
    converters.set(key, conv);
  }
  const c = conv;
  return (x, y) => {
    const [a, b] = c.forward([x, y]);
    return [a, b];
  };
}

export function toLonLat(crs: CrsInfo, x: number, y: number): LonLat {
  const [lon, lat] = transformer(crs, WGS84)(x, y);
  return { lon, lat };
}

/**
 * Metres per degree of longitude and latitude at `latDeg` on the WGS84 ellipsoid (prime-vertical and meridional
 * radii), used to express the GSD of geographic-CRS rasters in metres.
 */
export function degreesToMetres(latDeg: number): { perDegLon: number; perDegLat: number } {
  const a = 6378137;
  const e2 = 0.00669437999014;
  const phi = (latDeg * Math.PI) / 180;
  const s = Math.sin(phi);
  const w = Math.sqrt(1 - e2 * s * s);
  const N = a / w;
  const M = (a * (1 - e2)) / (w * w * w);
  return { perDegLon: (Math.PI / 180) * N * Math.cos(phi), perDegLat: (Math.PI / 180) * M };
}
