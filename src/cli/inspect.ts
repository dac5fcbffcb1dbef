/**
 * `npm run inspect -- <files or folders…> [--json] [--concurrency N] [--timeout SECONDS] [--decode-workers N]`
 *
 * Prints what the data pipeline understood of each file (modality and confidence with reasons, bands, dtype, size,
 * GSD, CRS, WGS84 footprint, date, nodata, scaling, warnings, or the error) and how the files group into
 * locations × modalities × dates. With --json the last stdout line is a JSON array of the records (each with a
 * `group` field saying where it went in the catalog). Folders are walked recursively for .tif/.tiff (and .jp2/.j2k,
 * which are refused with a reason). Node-only: files are opened lazily with `fs.openAsBlob`, so the same Blob code
 * path as in the browser reads them. Compressed blocks are decoded on a geotiff worker Pool (every core but one by
 * default, src/data/pool.ts; `--decode-workers 0` decodes on the main thread).
 * Invariants: one bad file never stops the others; exit status 0 when inputs were inspected (refusals included),
 * 2 on usage errors.
 * Reference: src/data/inspect.ts, src/data/catalog.ts.
 */
import { buildCatalog, type Catalog } from '../data/catalog';
import { inspectFiles } from '../data/inspect';
import { defaultPoolSize, destroyDecodePool, startDecodePool } from '../data/pool';
import type { FileRecord, InspectRecord } from '../data/record';
import { collectFiles, fileSources } from './files';

interface Args {
  inputs: string[];
  json: boolean;
  concurrency: number;
  timeoutMs: number;
  /** Decoder worker threads; null: defaultPoolSize(). */
  decodeWorkers: number | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { inputs: [], json: false, concurrency: 4, timeoutMs: 30000, decodeWorkers: null };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--json') a.json = true;
    else if (s === '--concurrency') a.concurrency = Math.max(1, Number(argv[++i]) || 4);
    else if (s === '--timeout') a.timeoutMs = Math.max(1, Number(argv[++i]) || 30) * 1000;
    else if (s === '--decode-workers') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) {
        console.error('--decode-workers needs a whole number ≥ 0 (0 decodes on the main thread)');
        process.exit(2);
      }
      a.decodeWorkers = n;
    }
    else if (s === '-h' || s === '--help') {
      console.log('usage: npm run inspect -- <files or folders...> [--json] [--concurrency N] [--timeout SECONDS] [--decode-workers N]');
      process.exit(0);
    } else if (s.startsWith('--')) {
      console.error(`unknown option ${s}`);
      process.exit(2);
    } else a.inputs.push(s);
  }
  return a;
}

const f2 = (v: number) => v.toFixed(4);

function describe(r: FileRecord): string[] {
  const rec = r.recognition;
  const lines: string[] = [];
  lines.push(`    ${rec.sensor}${rec.platform ? ` (${rec.platform}${rec.instrument ? ` ${rec.instrument}` : ''}${rec.level ? `, ${rec.level}` : ''})` : ''} → modality "${rec.modality}"${rec.role === 'mask' ? ' [cloud mask]' : ''}, confidence ${rec.confidence.toFixed(2)}: ${rec.reasons.join('; ')}`);
  const bandList = r.bands.length > 8 ? `${r.bands.slice(0, 4).join(', ')}, …, ${r.bands.slice(-2).join(', ')}` : r.bands.join(', ');
  lines.push(`    ${r.bands.length} band${r.bands.length === 1 ? '' : 's'} ${r.dtype} [${bandList}] (names: ${r.bandSource})${r.alphaBand !== null ? ` + alpha band ${r.alphaBand + 1}` : ''}; ${r.width} × ${r.height} px, ${r.compression}, ${r.tiled ? `tiled ${r.blockWidth}×${r.blockHeight}` : `strips of ${r.blockHeight} rows`}${r.planar === 2 ? ', band-separate' : ''}`);
  const fp = r.footprint ? `UL ${f2(r.footprint[0].lon)},${f2(r.footprint[0].lat)}  LR ${f2(r.footprint[2].lon)},${f2(r.footprint[2].lat)} (lon,lat)` : 'unknown';
  lines.push(`    GSD ${r.gsd !== null ? `${r.gsd.toFixed(r.gsd < 10 ? 2 : 1)} m` : 'unknown'}, CRS ${r.crs ? `${r.crs.epsg ? `EPSG:${r.crs.epsg}` : r.crs.id} ${r.crs.name}` : 'none'}, footprint ${fp}`);
  lines.push(`    date ${r.dateText ?? 'unknown'}${r.datePattern ? ` (${r.dateSource}: ${r.datePattern})` : ''}; nodata ${r.nodata ?? 'none'}${r.nodataSource !== 'none' ? ` (${r.nodataSource})` : ''}`);
  lines.push(`    scaling: ${r.scaling.description} → ${r.scaling.unit}; valid ${(100 * r.validFraction).toFixed(1)} % of ${r.sampledPixels} sampled px`);
  for (const w of r.warnings) lines.push(`    ! ${w}`);
  return lines;
}

function groupOf(catalog: Catalog, p: string): Record<string, string> {
  const acq = catalog.acquisitions.find((a) => a.parts.some((x) => x.path === p) || a.mask?.path === p);
  if (acq) return { location: acq.location, modality: acq.modality, acquisition: acq.id, as: acq.mask?.path === p ? 'cloud mask' : 'image' };
  const u = catalog.unused.find((x) => x.path === p);
  return { unused: u?.reason ?? 'not grouped' };
}

function printCatalog(catalog: Catalog): void {
  console.log('\nLocations × modalities × dates');
  if (catalog.locations.length === 0) console.log('  (none: no georeferenced image could be used)');
  for (const l of catalog.locations) {
    console.log(`  ${l.id}  centre ${f2(l.centre.lon)}, ${f2(l.centre.lat)}`);
    for (const [m, e] of Object.entries(l.modalities)) {
      const acqs = e.acquisitions.map((id) => catalog.acquisitions.find((a) => a.id === id)).filter((a) => a !== undefined);
      const masked = acqs.filter((a) => a.mask).length;
      const stacked = acqs.filter((a) => a.stacked).length;
      const dates = e.dates.filter((d): d is string => d !== null);
      const range = dates.length === 0 ? 'undated' : dates.length === 1 ? dates[0] : `${dates[0]} … ${dates[dates.length - 1]}`;
      console.log(
        `    ${m.padEnd(10)} ${String(e.acquisitions.length).padStart(4)} date${e.acquisitions.length === 1 ? ' ' : 's'}  ${range}  [${e.bands.length} bands: ${e.bands.join(', ')}; ${e.gsd.toFixed(e.gsd < 10 ? 2 : 1)} m]${stacked ? `  ${stacked} stacked from per-band files` : ''}${masked ? `  ${masked} with cloud mask` : ''}`,
      );
    }
  }
  if (catalog.unused.length) {
    console.log('\nNot used');
    for (const u of catalog.unused) console.log(`  ${u.reason}`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.inputs.length === 0) {
    console.error('usage: npm run inspect -- <files or folders...> [--json]');
    process.exit(2);
  }
  const t0 = performance.now();
  const { files, skipped, missing } = await collectFiles(args.inputs);
  for (const m of missing) console.error(`${m}: no such file or folder`);
  const sources = await fileSources(files);
  // A live pool keeps Node running: destroyed as soon as the files are inspected.
  const pool = await startDecodePool(args.decodeWorkers ?? defaultPoolSize());
  let records: InspectRecord[];
  try {
    records = await inspectFiles(sources, { concurrency: args.concurrency, timeoutMs: args.timeoutMs, pool });
  } finally {
    await destroyDecodePool(pool);
  }
  const decoding = pool ? `decoded on ${args.decodeWorkers ?? defaultPoolSize()} worker thread(s)` : 'decoded on the main thread';
  const catalog = buildCatalog(records);
  for (const r of records) {
    if (!r.ok) {
      console.log(`✗ ${r.error}`);
      continue;
    }
    console.log(`✓ ${r.path}`);
    for (const line of describe(r)) if (line) console.log(line);
  }
  printCatalog(catalog);
  const ok = records.filter((r) => r.ok).length;
  console.log(`\n${records.length} file${records.length === 1 ? '' : 's'} inspected in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${ok} understood, ${records.length - ok} refused${skipped.length ? `, ${skipped.length} non-raster file(s) skipped` : ''} (${decoding})`);
  if (args.json) console.log(JSON.stringify(records.map((r) => ({ ...r, group: groupOf(catalog, r.path) }))));
  if (files.length === 0) process.exit(2);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : String(e));
  process.exit(1);
});
