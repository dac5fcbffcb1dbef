/** Preview rendering pieces: the 2–98 % stretch, RGBA packing with nodata alpha, composite recipes, crops of huge grids. */
import { describe, expect, it } from 'vitest';
import { crsFromEpsg } from '../../data/crs';
import { compositePresets, parseChannel, percentileRange, previewGrid, stretchToRgba, MAX_READ_PIXELS } from './dataPreview';

describe('2–98 % stretch', () => {
  it('takes the 2nd and 98th percentiles of valid, finite values only', () => {
    const n = 1000;
    const v = new Float32Array(n + 3);
    for (let i = 0; i < n; i++) v[i] = i; // 0 … 999
    v[n] = 1e9; // invalid (mask 0)
    v[n + 1] = NaN;
    v[n + 2] = -1e9; // invalid
    const valid = new Uint8Array(n + 3).fill(1);
    valid[n] = 0;
    valid[n + 2] = 0;
    const [lo, hi] = percentileRange(v, 0, n + 3, valid) as [number, number];
    expect(lo).toBeCloseTo(0.02 * 999, 6);
    expect(hi).toBeCloseTo(0.98 * 999, 6);
    expect(percentileRange(v, 0, n + 3, new Uint8Array(n + 3))).toBeNull();
  });

  it('maps the range to 0…255, clamps outside it, and makes nodata transparent', () => {
    const a = Float32Array.from([0, 5, 10, 20]);
    const valid = Uint8Array.from([1, 1, 1, 0]);
    const rgba = stretchToRgba([a], valid, [[0, 10]], 4);
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 255, 255, 255, 0]);
    const rgb = stretchToRgba([a, a, Float32Array.from([7, 7, 7, 7])], valid, [[0, 10], [0, 20], [7, 7]], 4);
    // Channel 2 is constant: drawn mid-grey instead of dividing by zero.
    expect(Array.from(rgb.subarray(4, 8))).toEqual([128, 64, 128, 255]);
  });
});

describe('composite recipes', () => {
  it('offers true colour, false colour and SWIR for Sentinel-2 bands', () => {
    const bands = ['B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12'];
    const commons = ['blue', 'green', 'red', 'rededge1', 'rededge2', 'rededge3', 'nir', 'nir08', 'swir16', 'swir22'];
    const p = compositePresets('sentinel-2', bands, commons);
    expect(p.find((x) => x.id === 'true')?.channels).toEqual(['B04', 'B03', 'B02']);
    expect(p.find((x) => x.id === 'false')?.channels).toEqual(['B08', 'B04', 'B03']);
    expect(p.find((x) => x.id === 'swir')?.channels).toEqual(['B12', 'B8A', 'B04']);
  });

  it('uses band names when common names are unknown, a VV/VH difference for SAR, else the first three bands', () => {
    expect(compositePresets('aerial', ['Red', 'Green', 'Blue', 'NIR'], [null, null, null, null]).map((c) => c.channels.join())).toEqual(['Red,Green,Blue', 'NIR,Red,Green']);
    expect(compositePresets('sentinel-1', ['VV', 'VH'], [null, null])).toEqual([{ id: 'sar', label: 'VV, VH, VV−VH', channels: ['VV', 'VH', 'VV-VH'] }]);
    expect(compositePresets('generic', ['a', 'b', 'c', 'd'], [null, null, null, null])[0].channels).toEqual(['a', 'b', 'c']);
    expect(compositePresets('generic', ['a'], [null])).toEqual([]);
    expect(parseChannel('VV-VH', ['VV', 'VH'])).toEqual(['VV', 'VH']);
    expect(parseChannel('B-1', ['B-1'])).toEqual(['B-1']);
    expect(() => parseChannel('B9', ['B1'])).toThrow(/not a band/);
  });
});

describe('preview grid', () => {
  const crs = crsFromEpsg(32633)!;
  it('downsamples to the requested size and keeps the ground extent', () => {
    const { target, crop } = previewGrid({ crs, transform: [500000, 10, 0, 6000000, 0, -10], width: 1536, height: 768 }, 256);
    expect(crop).toBeNull();
    expect([target.width, target.height]).toEqual([256, 128]);
    expect(target.transform[1] * target.width).toBeCloseTo(15360, 6);
    expect(target.transform[5] * target.height).toBeCloseTo(-7680, 6);
  });

  it('previews only the centre of a huge image', () => {
    const { target, crop } = previewGrid({ crs, transform: [0, 1, 0, 0, 0, -1], width: 10000, height: 10000 }, 320);
    expect(crop).not.toBeNull();
    expect(crop!.width * crop!.height).toBeLessThanOrEqual(MAX_READ_PIXELS);
    expect(crop!.x).toBe(Math.floor((10000 - crop!.width) / 2));
    expect(target.transform[0]).toBe(crop!.x);
    expect(Math.max(target.width, target.height)).toBe(320);
  });
});
