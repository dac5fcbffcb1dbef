/**
 * `npm run bench -- data`: the GeoTIFF preparation of src/data (open + inspect + statistics, stack, scale, bin dates,
 * draw and collate training samples) against plain geotiff.js `readRasters()` of every whole image of the same
 * files, in Node and in the page, inline and with geotiff worker Pools.
 *
 * Both figures come from src/data/bench.ts benchPreparation() (the data engineer's helper), which runs the pipeline
 * and then the plain baseline on the same ByteSources with the same pool; one call is one repetition
 * (bench/measure.ts measureJoint). Rates are each side's own decoded bytes per second (MB = 10⁶ B): the pipeline
 * decodes what the preparation needs (statistics, windows; whole small files once, thanks to its cache), the
 * baseline every pixel of every first image once, so "speed-up" compares throughput, not the same bytes.
 * Files: Node reads ../shared/data lazily from disk (fs.openAsBlob); the page fetches each file whole from the bench
 * server before timing and wraps it as a Blob, like a dropped file.
 * Pools: inline, the studio's default size (src/data/pool.ts, one core left free) and every core; the table says
 * how each Pool compares with inline on the same files, which is what "does decoding use every core" comes down to.
 * Cases (ids for --only): lsts, peru, s2 (bench/suites/dataCases.ts).
 */
import { benchPreparation, type BenchResult } from '../../src/data/bench';
import { createDecodePool, defaultPoolSize, destroyDecodePool } from '../../src/data/pool';
import type { ByteSource } from '../../src/data/source';
import { fmtNum, fmtRatio } from '../format';
import { measureJoint, type MeasureConfig, type Outcome } from '../measure';
import { deriveRow, type Row, type Section } from '../report';
import { median } from '../stats';
import { caseFiles, DATA_CASES, poolSettings, type DataCase } from './dataCases';
import type { Suite, SuiteEnv, SuiteOutput } from './types';

const MIB = 2 ** 20;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function section(env: SuiteEnv): Section {
  return {
    id: 'data',
    title: 'GeoTIFF preparation vs plain readRasters (decoded MB/s)',
    rate: { name: 'MB/s', scale: 1e-6 },
    work: { name: 'decoded MB', scale: 1e-6 },
    vsPeak: false,
    rows: [],
    columns: [
      { key: 'decoding', header: 'decoding', align: 'l' },
      { key: 'plainMB', header: 'readRasters decoded MB' },
      { key: 'samples', header: 'samples/s' },
      { key: 'poolPipeline', header: 'pipeline: Pool ÷ inline' },
      { key: 'poolPlain', header: 'readRasters: Pool ÷ inline' },
    ],
    notes: [
      'ours: src/data/bench.ts benchPreparation() — Dataset.open (inspect, statistics) then sampling and collating 16 training samples in batches of 8; decoded MB = bytes the pipeline decoded (its IoStats).',
      'cases (all deflate-compressed, so every block can go to a worker): lsts = landsat-lsts-105dates (420 files: b3, b4, b5 int16 + fmask uint8, 61×61 px, one block each); peru = landsat-peru-8dates (8 files, 4 bands uint8, 697×377 px, 256 px tiles); s2 = the 13-band Sentinel-2 L1C scene (one uint16 file, 1536×768 px, predictor 2, 256 px tiles): see ../shared/data/README.md.',
      'readRasters: GeoTIFF.fromSource + getImage(0) + readRasters({ pool }) of every file, in the same call, on separate ByteSource wrappers (neither warms the other).',
      'speed-up = pipeline MB/s ÷ readRasters MB/s (each over its own decoded bytes); Pool ÷ inline = the row\'s MB/s over the inline row\'s MB/s on the same files (> 1: the workers help).',
      `this runtime reports ${env.cores} logical core(s); the studio's default decoder pool here is ${defaultPoolSize()} worker(s) (src/data/pool.ts defaultPoolSize: hardwareConcurrency − 1, 1 where navigator is missing). geotiff decodes raw and WebP blocks on the calling thread whatever the Pool.`,
      `files: ${env.sharedData?.origin ?? 'none'}.`,
    ],
  };
}

async function openAll(env: SuiteEnv, c: DataCase): Promise<ByteSource[]> {
  const shared = env.sharedData!;
  const paths = caseFiles(c, await shared.list(c.dir));
  if (paths.length === 0) throw new Error(`no .tif files under ${c.dir}`);
  return Promise.all(paths.map((p) => shared.open(p)));
}

async function run(env: SuiteEnv): Promise<SuiteOutput> {
  const sec = section(env);
  const peer = { name: 'readRasters', version: env.versions.geotiff ?? '?', backend: 'plain geotiff.js' };
  if (!env.sharedData) {
    sec.notes.push('../shared/data was not found: no case could run.');
    return { sections: [sec], peer, timing: 'wall clock' };
  }
  const base: MeasureConfig = {
    budgetMs: env.options.budgetS * 1000,
    minReps: 3,
    maxReps: env.options.quick ? 5 : 10,
    minRepMs: 0,
    maxInner: 1,
    isSoftware: env.ctx.report.isSoftware,
  };
  const cases = DATA_CASES.filter((c) => env.options.only.length === 0 || env.options.only.includes(c.id));
  for (const c of cases) {
    let sources: ByteSource[] = [];
    let openError: string | undefined;
    try {
      sources = await openAll(env, c);
    } catch (e) {
      openError = errorText(e);
    }
    const bytes = sources.reduce((a, s) => a + s.size, 0);
    const shape = `${sources.length} file${sources.length === 1 ? '' : 's'}, ${fmtNum(bytes / 1e6)} MB`;
    let inline: Row | undefined;
    // Decoded bytes depend on the files only (seeded sampling, fresh decode cache per call): a row whose calls were
    // all skipped still shows them from another row of the same files.
    let known: BenchResult | undefined;
    // The median call after the warm-up of the previous setting predicts the next setting's call (same files, same
    // work); the warm-up itself (first decode, worker start-up) is no guide to the steady state.
    let predictMs: number | undefined;
    for (const setting of poolSettings(defaultPoolSize(), env.cores)) {
      let last: BenchResult | undefined;
      let outcomes: Outcome[];
      const walls: number[] = [];
      const pool = setting.size > 0 && !openError ? createDecodePool(setting.size) : null;
      if (openError) outcomes = [{ kind: 'failed', error: openError }, { kind: 'failed', error: openError }];
      else if (setting.size > 0 && !pool) outcomes = [{ kind: 'failed', error: 'no worker could be started here' }, { kind: 'failed', error: 'no worker could be started here' }];
      else {
        try {
          outcomes = await measureJoint(
            async () => {
              const t0 = performance.now();
              last = await benchPreparation(sources, { samples: c.samples, config: c.config, pool, seed: 0 });
              known = last;
              const wallMs = performance.now() - t0;
              walls.push(wallMs);
              return { ms: [last.pipeline.seconds * 1000, last.plain.seconds * 1000], wallMs };
            },
            2,
            'wall',
            { ...base, estimateMs: predictMs },
          );
        } finally {
          await destroyDecodePool(pool);
        }
        if (walls.length > 1) predictMs = median(walls.slice(1));
      }
      const [ours, plain] = outcomes;
      const own = last as BenchResult | undefined;
      const r = own ?? (known as BenchResult | undefined);
      const cells: Record<string, string> = { decoding: setting.label };
      const params: Record<string, number | string> = { case: c.id, pool: setting.size, files: sources.length, diskBytes: bytes };
      if (r) {
        cells.plainMB = fmtNum((r.plain.decodedMB * MIB) / 1e6);
        if (own) cells.samples = fmtNum(own.pipeline.samplesPerSecond);
        Object.assign(params, {
          pipelineDecodedBytes: r.pipeline.decodedMB * MIB,
          plainDecodedBytes: r.plain.decodedMB * MIB,
          fetchedBytes: r.pipeline.fetchedMB * MIB,
          ...(own ? { prepareSeconds: own.pipeline.prepareSeconds, sampleSeconds: own.pipeline.sampleSeconds, samplesPerSecond: own.pipeline.samplesPerSecond } : {}),
          modalities: r.pipeline.modalities.join(','),
          plainFailedFiles: r.plain.failed,
        });
      }
      const row = deriveRow(
        {
          id: `data/${c.id}/${setting.id}`,
          label: c.label,
          shape,
          params,
          work: r ? r.pipeline.decodedMB * MIB : 0,
          peerWork: r ? r.plain.decodedMB * MIB : 0,
          ours,
          peer: plain,
          cells,
        },
        sec,
      );
      if (!inline) inline = row;
      else {
        const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? fmtRatio(a / b) : '–');
        cells.poolPipeline = ratio(row.derived.oursRate, inline.derived.oursRate);
        cells.poolPlain = ratio(row.derived.peerRate, inline.derived.peerRate);
      }
      sec.rows.push(row);
      const show = (o: Outcome) => (o.kind === 'measured' ? `${o.ms.toFixed(0)} ms` : o.kind === 'skipped' ? o.reason : `FAILED ${o.error}`);
      env.log(`[${env.runtime}] data ${c.id} ${setting.id}: pipeline ${show(ours)}, readRasters ${show(plain)}`);
    }
  }
  return { sections: [sec], peer, timing: 'wall clock (performance.now() inside benchPreparation around the pipeline and around the readRasters loop)' };
}

export const dataSuite: Suite = {
  name: 'data',
  description: 'GeoTIFF preparation (src/data) vs plain geotiff.js readRasters, inline and with worker Pools',
  runtimes: ['node', 'browser'],
  sectionIds: DATA_CASES.map((c) => c.id),
  run,
};
