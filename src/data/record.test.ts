/**
 * User corrections of inspect records: every corrected field re-derives what depends on it (sensor → modality,
 * band names, nodata, scaling; CRS → footprint and GSD; date → date text), records the override, and rejects
 * inconsistent input. The record stays plain JSON (structuredClone / JSON round-trip).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { applyCorrection, type FileRecord } from './record';
import { inspectFile } from './inspect';
import { bufferSource } from './source';
import { writeTiff } from './testing/tiffWriter';

let rec: FileRecord;

describe('applyCorrection', () => {
  beforeAll(async () => {
    const bands = [Array.from({ length: 256 }, (_, i) => 0.01 + i / 1000), Array.from({ length: 256 }, (_, i) => 0.002 + i / 5000)];
    const bytes = await writeTiff({ width: 16, height: 16, bands, dtype: 'float32', geo: { pixelScale: [10, 10], tiepoint: [600000, 5000000], epsg: 32632 } });
    const r = await inspectFile(bufferSource(bytes, 'radar/scene_a.tif'));
    if (!r.ok) throw new Error(r.error);
    rec = r;
  });

  it('starts as an unrecognised float raster', () => {
    expect([rec.recognition.sensor, rec.recognition.modality, rec.bands.join(','), rec.scaling.post]).toEqual(['generic', 'scene_a', 'band1,band2', 'none']);
    expect(JSON.parse(JSON.stringify(rec))).toEqual(rec);
  });

  it('sensor → Sentinel-1: modality, VV/VH names and linear → dB scaling follow', () => {
    const c = applyCorrection(rec, { sensor: 'sentinel-1' });
    expect([c.recognition.sensor, c.recognition.modality, c.recognition.confidence]).toEqual(['sentinel-1', 's1', 1]);
    expect(c.bands).toEqual(['VV', 'VH']);
    expect(c.scaling.post).toBe('dB');
    expect(c.corrected).toEqual(['sensor']);
    // The original is untouched.
    expect(rec.recognition.sensor).toBe('generic');
  });

  it('modality, bands, date, nodata, MAESTRO scaling', () => {
    const c = applyCorrection(rec, { modality: 's1_asc', bands: ['VV', 'VH'], date: '2019-07-01T06', nodata: -9999, scaling: { kind: 'log', normFac: 5 } });
    expect(c.recognition.modality).toBe('s1_asc');
    expect(c.bandSource).toBe('user');
    expect(c.date).toEqual({ year: 2019, doy: 182, hour: 6 });
    expect(c.dateText).toBe('2019-07-01T06h');
    expect(c.dateSource).toBe('user');
    expect(c.nodata).toBe(-9999);
    expect(c.scaling).toMatchObject({ post: 'ln', normFac: 5 });
    expect(c.corrected.sort()).toEqual(['bands', 'date', 'modality', 'nodata', 'scaling']);
    expect(c.warnings.join(' ')).toMatch(/re-inspect/);
  });

  it('CRS → footprint and GSD are recomputed', () => {
    const c = applyCorrection(rec, { epsg: 32633 });
    expect(c.crs?.epsg).toBe(32633);
    // The same easting/northing one UTM zone east is 6° further east.
    expect((c.footprint?.[0].lon as number) - (rec.footprint?.[0].lon as number)).toBeCloseTo(6, 1);
    expect(c.gsd).toBeCloseTo(10, 6);
    const p = applyCorrection(rec, { proj4: '+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs' });
    expect((p.footprint?.[0].lon as number) - (rec.footprint?.[0].lon as number)).toBeCloseTo(-6, 1);
  });

  it('rejects inconsistent corrections', () => {
    expect(() => applyCorrection(rec, { bands: ['a'] })).toThrow(/1 band names given for 2 bands/);
    expect(() => applyCorrection(rec, { bands: ['a', 'a'] })).toThrow(/unique/);
    expect(() => applyCorrection(rec, { date: '2019-02-30' })).toThrow(/does not exist/);
    expect(() => applyCorrection(rec, { modality: 'S1 Asc' })).toThrow(/lower-case/);
    expect(() => applyCorrection(rec, { epsg: 31468 })).toThrow(/proj4 string/);
  });
});
