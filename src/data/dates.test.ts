/**
 * Acquisition dates from names and tags: each convention in data.md §3.8, calendar edge cases, and the precedence
 * between name, GDAL metadata and the TIFF DateTime tag.
 */
import { describe, expect, it } from 'vitest';
import { dayOfYear, formatDate, monthDay, parseDateFromName, parseDateFromPath, parseTiffDateTime, resolveDate } from './dates';

describe('parseDateFromName', () => {
  const cases: [string, { year: number; doy: number; hour: number } | null, string | null][] = [
    ['S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif', { year: 2017, doy: 47, hour: 10 }, 'Sentinel-2 product id (sensing start)'],
    // The second timestamp of a SAFE name is the processing time: the first one must win.
    ['S2A_MSIL1C_20220412T162841_N0400_R083_T16TFM_20220412T202300.SAFE', { year: 2022, doy: 102, hour: 16 }, 'Sentinel-2 product id (sensing start)'],
    ['T33UUU_20170216T102101_B02.tif', { year: 2017, doy: 47, hour: 10 }, 'Sentinel-2 tile/band file (T<tile>_<datetime>)'],
    ['S1A_IW_GRDH_1SDV_20190101T171656_20190101T171721_025287_02CC09_1570.tif', { year: 2019, doy: 1, hour: 17 }, 'Sentinel-1 product id (start time)'],
    ['LC08_L1TP_224077_20200518_20200518_01_RT_B2.TIF', { year: 2020, doy: 139, hour: 0 }, 'Landsat Collection 1/2 product id (acquisition date)'],
    ['LE70350322008118EDC00_b3.tif', { year: 2008, doy: 118, hour: 0 }, 'Landsat scene id (year + day of year)'],
    ['LT50350322011267PAC01_fmask.tif', { year: 2011, doy: 267, hour: 0 }, 'Landsat scene id (year + day of year)'],
    ['HLS.S30.T10TGS.2018285.v1.4_mask.tif', { year: 2018, doy: 285, hour: 0 }, 'HLS granule id (year + day of year)'],
    ['m_4709963_se_14_1_20090818.tif', { year: 2009, doy: 230, hour: 0 }, 'YYYYMMDD date'],
    ['field_2021-03-01.tif', { year: 2021, doy: 60, hour: 0 }, 'YYYY-MM-DD date'],
    ['1985.tif', { year: 1985, doy: 182, hour: 0 }, 'year only (placed at 1 July)'],
    ['mosaic_2016_rgb.tif', { year: 2016, doy: 183, hour: 0 }, 'year only (placed at 1 July)'],
    // Not dates: impossible calendar values, ids, versions.
    ['tile_20171345.tif', null, null],
    ['RGB.byte.tif', null, null],
    ['image_12345678.tif', null, null],
  ];
  for (const [name, date, pattern] of cases) {
    it(name, () => {
      const d = parseDateFromName(name);
      expect(d?.date ?? null).toEqual(date);
      expect(d?.pattern ?? null).toBe(pattern);
    });
  }

  it('looks into parent folders when the file name has no date', () => {
    const d = parseDateFromPath('landsat/LE70350322008118EDC00/red.tif');
    expect(d?.date).toEqual({ year: 2008, doy: 118, hour: 0 });
    expect(d?.source).toBe('folder-name');
  });
});

describe('calendar', () => {
  it('handles leap years and round-trips day of year', () => {
    expect(dayOfYear(2008, 4, 27)).toBe(118);
    expect(dayOfYear(2009, 4, 27)).toBe(117);
    expect(dayOfYear(2000, 2, 29)).toBe(60);
    expect(dayOfYear(1900, 2, 29)).toBeNull();
    expect(dayOfYear(2021, 12, 31)).toBe(365);
    expect(dayOfYear(2020, 12, 31)).toBe(366);
    for (const y of [2019, 2020]) for (let doy = 1; doy <= (y === 2020 ? 366 : 365); doy += 7) {
      const { month, day } = monthDay(y, doy);
      expect(dayOfYear(y, month, day)).toBe(doy);
    }
    expect(formatDate({ year: 2017, doy: 47, hour: 10 }, 'second')).toBe('2017-02-16T10h');
    expect(formatDate({ year: 1985, doy: 182, hour: 0 }, 'year')).toBe('1985');
  });
});

describe('tags and precedence', () => {
  it('parses the TIFF DateTime format with its NUL stripped upstream', () => {
    expect(parseTiffDateTime('2017:02:16 10:21:01')?.date).toEqual({ year: 2017, doy: 47, hour: 10 });
    expect(parseTiffDateTime('2017-07-20 09:58:16')?.date.hour).toBe(9);
    expect(parseTiffDateTime('yesterday')).toBeNull();
  });

  it('prefers sensor names, then GDAL acquisition metadata, then generic names, then DateTime (with a warning)', () => {
    expect(resolveDate('T33UUU_20170216T102101_B02.tif', { ACQUISITIONDATETIME: '2020-01-01T00:00:00Z' }, '2022:01:17 10:43:43').date?.date.year).toBe(2017);
    expect(resolveDate('plot_2019.tif', { ACQUISITIONDATETIME: '2020-06-01T11:00:00Z' }, null).date?.date).toEqual({ year: 2020, doy: 153, hour: 11 });
    expect(resolveDate('plot_2019.tif', {}, '2022:01:17 10:43:43').date?.pattern).toBe('year only (placed at 1 July)');
    const r = resolveDate('all-nodata.tif', {}, '2022:01:17 10:43:43');
    expect(r.date?.date).toEqual({ year: 2022, doy: 17, hour: 10 });
    expect(r.warnings[0]).toMatch(/processing time/);
    expect(resolveDate('byte.tif', {}, null).date).toBeNull();
  });
});
