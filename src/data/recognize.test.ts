/**
 * Sensor/modality recognition on file descriptions (no I/O): each sensor with its evidence, confidence and
 * reasons; masks winning over the scene's sensor; ambiguity lowering the confidence; band names, nodata and scaling
 * conventions (S2 baseline offset, Landsat C2, S1 dB/linear, 8-bit).
 * Reference: data.md §3.
 */
import { describe, expect, it } from 'vitest';
import { bandNamesFor, nodataFor, recognize, sensorScaling, userModalityName, type RecognitionInput } from './recognize';
import { bandTokenOf } from './sensors';
import type { BandStats } from './stats';

const stat = (mean: number, p98 = mean * 2, min = mean / 2): BandStats => ({ count: 100, mean, std: 1, min, max: p98 * 1.1, p2: min, p98 });

function input(p: Partial<RecognitionInput> & { path: string }): RecognitionInput {
  return { bandCount: 1, dtype: 'uint16', photometric: 1, alphaBand: null, bandDescriptions: [], colorInterp: [], gsd: 10, rawStats: null, distinctValues: null, ...p };
}

describe('recognize', () => {
  it('Sentinel-2 L2A product with baseline: offset scaling', () => {
    const inp = input({ path: 'S2B_MSIL2A_20230605T103629_N0509_R008_T32ULU_20230605T135012.tif', bandCount: 12, rawStats: [stat(1500)] });
    const r = recognize(inp);
    expect([r.sensor, r.modality, r.level, r.baseline, r.platform]).toEqual(['sentinel-2', 's2', 'L2A', '05.09', 'Sentinel-2B']);
    expect(r.confidence).toBeGreaterThanOrEqual(0.85);
    const names = bandNamesFor(r, inp);
    expect(names.bands).toEqual(['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12']);
    expect(names.source).toBe('sensor-convention');
    const s = sensorScaling(r, inp, 12, new Array(12).fill(1), new Array(12).fill(0));
    expect([s.scale[0], s.offset[0]]).toEqual([1e-4, -0.1]);
    expect(s.description).toMatch(/baseline 05\.09 ≥ 04\.00/);
    expect(nodataFor(r, null, 'uint16')).toMatchObject({ nodata: 0, source: 'sensor-convention' });
  });

  it('a 10-band S2 stack without names gets the SatMAE/MAESTRO band order', () => {
    const inp = input({ path: 'tiles/sentinel2/patch_0001.tif', bandCount: 10 });
    const r = recognize(inp);
    expect(r.sensor).toBe('sentinel-2');
    expect(bandNamesFor(r, inp).bands).toEqual(['B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12']);
  });

  it('Sentinel-1: polarisation names, dB from negative values, orbit from the name', () => {
    const inp = input({ path: 'sen1floods/S1Hand/Bolivia_103757_S1Hand_desc.tif', bandCount: 2, dtype: 'float32', bandDescriptions: ['VV', 'VH'], rawStats: [stat(-12, -5, -30), stat(-19, -12, -35)] });
    const r = recognize(inp);
    expect([r.sensor, r.modality, r.s1Units, r.orbit]).toEqual(['sentinel-1', 's1_des', 'dB', 'descending']);
    expect(sensorScaling(r, inp, 2, [1, 1], [0, 0]).unit).toBe('dB');
    const lin = input({ path: 'S1A_IW_GRDH_1SDV_20190101T171656_20190101T171721_025287_02CC09_1570_asc.tif', bandCount: 2, dtype: 'float32', rawStats: [stat(0.05, 0.2, 0.001)] });
    const rl = recognize(lin);
    expect([rl.modality, rl.s1Units]).toEqual(['s1_asc', 'linear']);
    expect(sensorScaling(rl, lin, 2, [1, 1], [0, 0]).post).toBe('dB');
    expect(bandNamesFor(rl, lin).bands).toEqual(['VV', 'VH']);
  });

  it('Landsat Collection 2 L2 band files: C2 scaling, thermal band in Kelvin, fill 0', () => {
    const inp = input({ path: 'LC08_L2SP_224077_20200518_20200527_02_T1_SR_B4.TIF', gsd: 30 });
    const r = recognize(inp);
    expect([r.sensor, r.platform, r.instrument, r.level, r.bandToken, r.sceneId]).toEqual(['landsat', 'Landsat 8', 'OLI', 'C2 L2SP', 'B4', 'LC08_L2SP_224077_20200518_20200527_02_T1']);
    expect(sensorScaling(r, inp, 1, [1], [0])).toMatchObject({ scale: [2.75e-5], offset: [-0.2] });
    expect(nodataFor(r, null, 'uint16').nodata).toBe(0);
    const st = input({ path: 'LC08_L2SP_224077_20200518_20200527_02_T1_ST_B10.TIF', gsd: 30 });
    expect(sensorScaling(recognize(st), st, 1, [1], [0]).unit).toBe('K');
  });

  it('Fmask beats the scene id it belongs to; SCL is recognised', () => {
    const f = recognize(input({ path: 'LE70350322008118EDC00/LE70350322008118EDC00_fmask.tif', dtype: 'uint8', gsd: 30, distinctValues: [0, 1, 4, 255] }));
    expect([f.sensor, f.role, f.maskKind, f.sceneId, f.platform]).toEqual(['cloud-mask', 'mask', 'fmask', 'LE70350322008118EDC00', 'Landsat 7']);
    const scl = recognize(input({ path: 'T32ULU_20230605T103629_SCL_20m.tif', dtype: 'uint8', gsd: 20, distinctValues: [4, 5, 8, 9] }));
    expect([scl.role, scl.maskKind, scl.sceneId]).toEqual(['mask', 'scl', 'T32ULU_20230605T103629']);
  });

  it('aerial RGB-NIR at sub-metre GSD, and an unknown raster as a user-named modality', () => {
    const a = recognize(input({ path: 'flair/aerial/IMG_077413.tif', bandCount: 4, dtype: 'uint8', gsd: 0.2 }));
    expect([a.sensor, a.modality]).toEqual(['aerial', 'aerial']);
    expect(a.confidence).toBeGreaterThan(0.8);
    const g = recognize(input({ path: 'dem/copernicus_dem_2021.tif', dtype: 'float32', gsd: 30 }));
    expect([g.sensor, g.modality, g.confidence]).toEqual(['generic', 'copernicus_dem', 0.3]);
    expect(g.reasons[0]).toMatch(/user-named modality "copernicus_dem"/);
    expect(userModalityName('landsat-peru/2015.tif')).toBe('landsat_peru');
  });

  it('S2 evidence contradicted by GSD and dtype lowers the score below the S2 product id alone', () => {
    const clean = recognize(input({ path: 'S2A_MSIL1C_20170216T102101_x.tif', bandCount: 13 }));
    const odd = recognize(input({ path: 'S2A_MSIL1C_20170216T102101_x.tif', bandCount: 13, dtype: 'uint8', gsd: 300 }));
    expect(odd.sensor).toBe('sentinel-2');
    expect(odd.confidence).toBeLessThan(clean.confidence - 0.25);
    expect(odd.reasons).toContain('but GSD 300 m is not a Sentinel-2 resolution');
    expect(odd.reasons).toContain('but the data are 8-bit (Sentinel-2 DN are 16-bit)');
  });
});

describe('bandTokenOf', () => {
  it('recognises per-band file names', () => {
    expect(bandTokenOf('T33UUU_20170216T102101_B8A')).toMatchObject({ kind: 'sentinel-2', band: 'B8A', sceneId: 'T33UUU_20170216T102101' });
    expect(bandTokenOf('T32ULU_20230605T103629_B05_20m')).toMatchObject({ kind: 'sentinel-2', band: 'B05', resolution: 20 });
    expect(bandTokenOf('LE70350322008118EDC00_b3')).toMatchObject({ kind: 'landsat', band: 'B3' });
    expect(bandTokenOf('LC08_L2SP_224077_20200518_20200527_02_T1_SR_B10')).toMatchObject({ kind: 'landsat', band: 'B10' });
    expect(bandTokenOf('S1A_IW_GRDH_x_VH')).toMatchObject({ kind: 'sentinel-1', band: 'VH' });
    expect(bandTokenOf('LE70350322008118EDC00_fmask')).toMatchObject({ kind: 'mask', band: 'FMASK' });
    expect(bandTokenOf('RGB.byte')).toBeNull();
  });
});
