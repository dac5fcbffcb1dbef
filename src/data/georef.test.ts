/**
 * CRS resolution from geokeys (EPSG codes, 32767 + ProjectionGeoKey, citations), geotransforms from raw tags
 * (PixelScale + Tiepoint, ModelTransformation, PixelIsPoint), GSD in metres (also for geographic and Mercator CRSs)
 * and footprint overlap.
 * Reference: data.md §1.8; GeoTIFF 1.1 spec; EPSG parameters.
 */
import { describe, expect, it } from 'vitest';
import { crsFromEpsg, crsFromGeoKeys, crsFromProj4, degreesToMetres, toLonLat } from './crs';
import { computeGeoref, crsToPixel, footprintOverlap, geoTransformFromTags, pixelToCrs, type GeoTagReader } from './georef';

function tags(t: Record<string, number[]>): GeoTagReader {
  return { hasTag: (n) => n in t, getValue: (n) => t[n] };
}

describe('crsFromGeoKeys', () => {
  it('reads EPSG codes: projected first, then geographic', () => {
    expect(crsFromGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32633 }).crs?.name).toBe('WGS 84 / UTM zone 33N');
    expect(crsFromGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32733 }).crs?.proj4).toMatch(/\+south/);
    expect(crsFromGeoKeys({ GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326 }).crs?.geographic).toBe(true);
    expect(crsFromGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 3857 }).crs?.name).toBe('WGS 84 / Pseudo-Mercator');
    expect(crsFromGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 26711 }).crs?.name).toBe('NAD27 / UTM zone 11N');
    expect(crsFromGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 2154 }).crs?.name).toBe('RGF93 / Lambert-93');
  });

  it('falls back to ProjectionGeoKey for user-defined (32767) UTM, as in MAESTRO aerial tiles', () => {
    const r = crsFromGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32767, ProjectionGeoKey: 16032, GeographicTypeGeoKey: 4258 });
    expect(r.crs?.name).toBe('ETRS89 / UTM zone 32N');
    expect(r.crs?.epsg).toBe(25832);
    expect(r.crs?.source).toMatch(/ProjectionGeoKey 16032/);
    const s = crsFromGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32767, ProjectionGeoKey: 16133 });
    expect(s.crs?.name).toBe('WGS 84 / UTM zone 33S');
    expect(s.warnings[0]).toMatch(/assumed WGS 84/);
  });

  it('uses the citation for unknown codes and explains what it cannot resolve', () => {
    expect(crsFromGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32767, GTCitationGeoKey: 'WGS 84 / UTM zone 18N' }).crs?.epsg).toBe(32618);
    const u = crsFromGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 31468 });
    expect(u.crs).toBeNull();
    expect(u.warnings[0]).toMatch(/EPSG:31468 has no built-in definition/);
    expect(crsFromGeoKeys(null).warnings[0]).toMatch(/no GeoKeyDirectory/);
  });

  it('transforms to WGS84 (Berlin, UTM 33N) and accepts user proj4 strings', () => {
    const p = toLonLat(crsFromEpsg(32633)!, 330000, 5822040);
    expect(p.lon).toBeCloseTo(12.49424, 5);
    expect(p.lat).toBeCloseTo(52.52191, 5);
    const user = crsFromProj4('+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs');
    expect(toLonLat(user, 330000, 5822040).lon).toBeCloseTo(12.49424, 5);
  });
});

describe('geotransforms from raw tags', () => {
  it('PixelScale + Tiepoint (tie point not at pixel 0)', () => {
    const { transform } = geoTransformFromTags(tags({ ModelPixelScale: [10, 20, 0], ModelTiepoint: [2, 3, 0, 1000, 5000, 0] }), false);
    expect(transform).toEqual([980, 10, 0, 5060, 0, -20]);
    expect(pixelToCrs(transform!, 2, 3)).toEqual([1000, 5000]);
    expect(crsToPixel(transform!, 1000, 5000)).toEqual([2, 3]);
  });

  it('ModelTransformation keeps its own sign (the Earth Engine export has a negative dy/drow)', () => {
    const m = [0.0008084837557075694, 0, 0, -74.72249415376068, 0, -0.0008084837557075694, 0, -8.282107593468341, 0, 0, 0, 0, 0, 0, 0, 1];
    const { transform } = geoTransformFromTags(tags({ ModelTransformation: m }), false);
    expect(transform?.[5]).toBeLessThan(0);
    expect(transform?.[0]).toBe(-74.72249415376068);
  });

  it('PixelIsPoint shifts the origin by half a pixel, as GDAL does', () => {
    const { transform } = geoTransformFromTags(tags({ ModelPixelScale: [30, 30, 0], ModelTiepoint: [0, 0, 0, 1000, 2000, 0] }), true);
    expect(transform).toEqual([985, 30, 0, 2015, 0, -30]);
  });

  it('refuses GCP-only and degenerate georeferencing with a reason', () => {
    expect(geoTransformFromTags(tags({ ModelTiepoint: [0, 0, 0, 1, 2, 0, 10, 10, 0, 3, 4, 0] }), false).warning).toMatch(/ground control points/);
    expect(geoTransformFromTags(tags({ ModelPixelScale: [0, 0, 0], ModelTiepoint: [0, 0, 0, 1, 2, 0] }), false).warning).toMatch(/degenerate/);
    expect(geoTransformFromTags(tags({}), false).warning).toMatch(/not georeferenced/);
  });
});

describe('GSD in metres', () => {
  it('geographic CRS: degrees converted at the footprint latitude', () => {
    const g = computeGeoref(tags({ ModelPixelScale: [0.0001, 0.0001, 0], ModelTiepoint: [0, 0, 0, 10, 60.001, 0] }), { GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326 }, 10, 10);
    // 0.0001° of longitude at 60° N is about 5.58 m; of latitude about 11.13 m.
    expect(g.gsdX).toBeCloseTo(5.58, 1);
    expect(g.gsdY).toBeCloseTo(11.13, 1);
    expect(degreesToMetres(0).perDegLon).toBeCloseTo(111319.5, 0);
  });

  it('Web Mercator: nominal pixel scaled by cos(latitude)', () => {
    const g = computeGeoref(tags({ ModelPixelScale: [10, 10, 0], ModelTiepoint: [0, 0, 0, 0, 8399737.89, 0] }), { GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 3857 }, 4, 4);
    // y = 8399737.89 m is 60° N: a 10 m Mercator pixel covers 5 m.
    expect(g.gsd).toBeCloseTo(5, 2);
    expect(g.warnings.join(' ')).toMatch(/Mercator grid/);
  });
});

describe('footprintOverlap', () => {
  const box = (w: number, s: number, e: number, n: number) =>
    [
      { lon: w, lat: n },
      { lon: e, lat: n },
      { lon: e, lat: s },
      { lon: w, lat: s },
    ] as const;
  it('is the intersection over the smaller box', () => {
    expect(footprintOverlap(box(0, 0, 2, 2), box(1, 1, 3, 3))).toBeCloseTo(0.25, 12);
    expect(footprintOverlap(box(0, 0, 2, 2), box(0.5, 0.5, 1, 1))).toBeCloseTo(1, 12);
    expect(footprintOverlap(box(0, 0, 1, 1), box(2, 2, 3, 3))).toBe(0);
  });
});
