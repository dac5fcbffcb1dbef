/**
 * Acquisition dates from file names, TIFF tags and GDAL metadata, as MAESTRO's (year, day-of-year, hour).
 *
 * Name patterns, most specific first: Sentinel-2 SAFE product (first timestamp = sensing start, the second one is
 * the processing time), Sentinel-2 tile/band files `T33UUU_20170216T102101_B02`, Sentinel-1 products, Landsat
 * Collection 1/2 ids (acquisition = first 8-digit date), pre-collection Landsat scene ids `LE70350322008118EDC00`
 * (year 2008 + day 118), HLS `2018285`, then generic `YYYYMMDDTHHMMSS`, `YYYYMMDD`, `YYYY-MM-DD`, and a lone year
 * such as `1985.tif` (placed at 1 July, the middle of the year, and marked precision 'year').
 * The TIFF DateTime tag is a last resort: it is often the file's processing time, not the acquisition.
 * Invariants: day of year is 1..366 and consistent with the calendar; hour is 0 when unknown; every parsed date
 * carries the text it came from so the inspect report can show why.
 * Reference: /work/shared/docs/data.md §3.8; method.md §2.3 ("Dates"); eo-box `eobox/sampledata/base.py` ([9:16]).
 */
import type { AcqDate } from './sample';

export type DateSource = 'file-name' | 'folder-name' | 'gdal-metadata' | 'tiff-datetime' | 'user';
export type DatePrecision = 'second' | 'day' | 'year';

export interface ParsedDate {
  date: AcqDate;
  precision: DatePrecision;
  source: DateSource;
  /** The matched text, e.g. "20170216T102101" or "2008118". */
  text: string;
  /** Which convention matched, e.g. "Sentinel-2 product id", "Landsat scene id (year + day of year)". */
  pattern: string;
}

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const CUM = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Day of year (1..366) for a calendar date; null when the date does not exist. */
export function dayOfYear(year: number, month: number, day: number): number | null {
  if (!(month >= 1 && month <= 12 && day >= 1)) return null;
  const dim = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (day > dim) return null;
  return CUM[month - 1] + day + (month > 2 && isLeap(year) ? 1 : 0);
}

/** Calendar month/day of a (year, doy). */
export function monthDay(year: number, doy: number): { month: number; day: number } {
  let d = doy;
  for (let m = 1; m <= 12; m++) {
    const dim = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
    if (d <= dim) return { month: m, day: d };
    d -= dim;
  }
  return { month: 12, day: 31 };
}

/** "2017-02-16" (plus "T10h" when the hour is known). */
export function formatDate(d: AcqDate, precision: DatePrecision = 'day'): string {
  if (precision === 'year') return `${d.year}`;
  const { month, day } = monthDay(d.year, d.doy);
  const ymd = `${d.year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return precision === 'second' ? `${ymd}T${String(d.hour).padStart(2, '0')}h` : ymd;
}

/** Fractional years since year 0, for sorting and distances between dates. */
export function dateValue(d: AcqDate): number {
  return d.year + (d.doy - 1 + d.hour / 24) / (isLeap(d.year) ? 366 : 365);
}

export function compareDates(a: AcqDate, b: AcqDate): number {
  return dateValue(a) - dateValue(b);
}

export function sameDay(a: AcqDate, b: AcqDate): boolean {
  return a.year === b.year && a.doy === b.doy;
}

const PLAUSIBLE = (y: number) => y >= 1950 && y <= 2100;

function ymd(y: number, m: number, d: number, h: number | null): AcqDate | null {
  if (!PLAUSIBLE(y)) return null;
  const doy = dayOfYear(y, m, d);
  if (doy === null) return null;
  if (h !== null && !(h >= 0 && h <= 23)) return null;
  return { year: y, doy, hour: h ?? 0 };
}

function ydoy(y: number, doy: number): AcqDate | null {
  if (!PLAUSIBLE(y) || !(doy >= 1 && doy <= (isLeap(y) ? 366 : 365))) return null;
  return { year: y, doy, hour: 0 };
}

interface NamePattern {
  name: string;
  re: RegExp;
  parse: (m: RegExpExecArray) => { date: AcqDate | null; precision: DatePrecision };
}

const dt = (m: RegExpExecArray, i: number) => ({
  date: ymd(Number(m[i]), Number(m[i + 1]), Number(m[i + 2]), Number(m[i + 3])),
  precision: 'second' as const,
});

const NAME_PATTERNS: NamePattern[] = [
  {
    name: 'Sentinel-2 product id (sensing start)',
    re: /S2[A-D]_MSI(?:L1C|L2A|L1B)_(\d{4})(\d{2})(\d{2})T(\d{2})\d{4}/i,
    parse: (m) => dt(m, 1),
  },
  {
    name: 'Sentinel-2 tile/band file (T<tile>_<datetime>)',
    re: /(?:^|[^A-Z0-9])T\d{2}[A-Z]{3}_(\d{4})(\d{2})(\d{2})T(\d{2})\d{4}/i,
    parse: (m) => dt(m, 1),
  },
  {
    name: 'Sentinel-1 product id (start time)',
    re: /S1[A-D]_[A-Z0-9]{2}_[A-Z0-9_]{4,9}?_(\d{4})(\d{2})(\d{2})T(\d{2})\d{4}/i,
    parse: (m) => dt(m, 1),
  },
  {
    name: 'Landsat Collection 1/2 product id (acquisition date)',
    re: /L[COTEM]0\d_L[0-9A-Z]{3}_\d{6}_(\d{4})(\d{2})(\d{2})_\d{8}/i,
    parse: (m) => ({ date: ymd(Number(m[1]), Number(m[2]), Number(m[3]), null), precision: 'day' }),
  },
  {
    name: 'Landsat scene id (year + day of year)',
    re: /(?:^|[^A-Z0-9])L[COTEM]\d\d{6}(\d{4})(\d{3})[A-Z]{3}\d{2}/i,
    parse: (m) => ({ date: ydoy(Number(m[1]), Number(m[2])), precision: 'day' }),
  },
  {
    name: 'HLS granule id (year + day of year)',
    re: /HLS\.[LS]30\.T\d{2}[A-Z]{3}\.(\d{4})(\d{3})(?:T(\d{2}))?/i,
    parse: (m) => {
      const d = ydoy(Number(m[1]), Number(m[2]));
      if (d && m[3]) d.hour = Number(m[3]);
      return { date: d, precision: m[3] ? 'second' : 'day' };
    },
  },
  {
    name: 'YYYYMMDDTHHMMSS timestamp',
    re: /(?:^|[^0-9])(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?![0-9])/,
    parse: (m) => dt(m, 1),
  },
  {
    name: 'YYYY-MM-DD date',
    re: /(?:^|[^0-9])(\d{4})[-_.](\d{2})[-_.](\d{2})(?![0-9])/,
    parse: (m) => ({ date: ymd(Number(m[1]), Number(m[2]), Number(m[3]), null), precision: 'day' }),
  },
  {
    name: 'YYYYMMDD date',
    re: /(?:^|[^0-9])(\d{4})(\d{2})(\d{2})(?![0-9])/,
    parse: (m) => ({ date: ymd(Number(m[1]), Number(m[2]), Number(m[3]), null), precision: 'day' }),
  },
];

/** Year-only names: the whole stem is a year ("1985"), or a year is a whole token ("landsat_2015_composite"). */
const LONE_YEAR = /(?:^|[^0-9A-Za-z])((?:19[5-9]|20\d)\d)(?:[^0-9A-Za-z]|$)/;

function stripExtension(name: string): string {
  return name.replace(/\.(tiff?|gtiff|tif\.ovr|jp2|vrt)$/i, '');
}

/** Parses a date from one path component (file name or folder name). */
export function parseDateFromName(component: string, source: DateSource = 'file-name'): ParsedDate | null {
  const stem = stripExtension(component);
  for (const p of NAME_PATTERNS) {
    // Try every match position: "T33UUU_20170216T102101_B02" must not stop at an implausible earlier digit run.
    const re = new RegExp(p.re.source, p.re.flags.includes('g') ? p.re.flags : `${p.re.flags}g`);
    for (let m = re.exec(stem); m; m = re.exec(stem)) {
      const r = p.parse(m);
      if (r.date) return { date: r.date, precision: r.precision, source, text: m[0].replace(/^[^0-9A-Za-z]/, ''), pattern: p.name };
      re.lastIndex = m.index + 1;
    }
  }
  const y = LONE_YEAR.exec(stem);
  if (y) {
    const year = Number(y[1]);
    // 1 July (doy 182, 183 in leap years): the middle of the year minimises the error of an unknown day.
    return { date: { year, doy: isLeap(year) ? 183 : 182, hour: 0 }, precision: 'year', source, text: y[1], pattern: 'year only (placed at 1 July)' };
  }
  return null;
}

/** First date found in the file name, then in the parent folders (innermost first). */
export function parseDateFromPath(path: string): ParsedDate | null {
  const parts = path.split(/[\\/]/).filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const d = parseDateFromName(parts[i], i === parts.length - 1 ? 'file-name' : 'folder-name');
    if (d) return d;
  }
  return null;
}

/** TIFF DateTime "YYYY:MM:DD HH:MM:SS" (also accepts '-' separators and a 'T'). */
export function parseTiffDateTime(text: string, source: DateSource = 'tiff-datetime'): ParsedDate | null {
  const m = /(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (!m) return null;
  const d = ymd(Number(m[1]), Number(m[2]), Number(m[3]), m[4] !== undefined ? Number(m[4]) : null);
  if (!d) return null;
  return { date: d, precision: m[4] !== undefined ? 'second' : 'day', source, text: m[0], pattern: source === 'tiff-datetime' ? 'TIFF DateTime tag' : 'GDAL metadata date' };
}

/** GDAL metadata keys that carry an acquisition date, most trustworthy first. */
const METADATA_DATE_KEYS = ['ACQUISITIONDATETIME', 'ACQUISITION_DATE', 'DATE_ACQUIRED', 'SENSING_TIME', 'PRODUCT_START_TIME', 'DATATAKE_SENSING_START', 'ACQUISITIONDATE', 'DATETIME', 'TIFFTAG_DATETIME'];

export function parseDateFromMetadata(md: Record<string, string>): ParsedDate | null {
  const upper = new Map(Object.entries(md).map(([k, v]) => [k.replace(/^.*:/, '').toUpperCase(), v]));
  for (const key of METADATA_DATE_KEYS) {
    const v = upper.get(key);
    if (!v) continue;
    const d = parseTiffDateTime(v, 'gdal-metadata');
    if (d) return { ...d, pattern: `GDAL metadata ${key}` };
  }
  return null;
}

/**
 * The acquisition date of a file: a sensor-specific name pattern wins; then GDAL acquisition metadata; then a
 * generic date in the name; then the TIFF DateTime tag (flagged as possibly the processing time).
 */
export function resolveDate(path: string, md: Record<string, string>, tiffDateTime: string | null): { date: ParsedDate | null; warnings: string[] } {
  const warnings: string[] = [];
  const fromName = parseDateFromPath(path);
  const sensorSpecific = fromName && !/^(YYYY|year only)/.test(fromName.pattern);
  if (fromName && sensorSpecific) return { date: fromName, warnings };
  const fromMeta = parseDateFromMetadata(md);
  const metaIsTiffTag = fromMeta?.pattern.endsWith('TIFFTAG_DATETIME') ?? false;
  if (fromMeta && !metaIsTiffTag) return { date: fromMeta, warnings };
  if (fromName) return { date: fromName, warnings };
  const fromTag = fromMeta ?? (tiffDateTime ? parseTiffDateTime(tiffDateTime) : null);
  if (fromTag) {
    warnings.push(`date taken from the TIFF DateTime tag (${fromTag.text}), which is often the processing time rather than the acquisition; correct it if needed`);
    return { date: fromTag, warnings };
  }
  return { date: null, warnings };
}
