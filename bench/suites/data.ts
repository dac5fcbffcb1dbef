/**
 * `npm run bench -- data`: the GeoTIFF preparation of src/data (open + inspect + statistics, stack, scale, bin dates,
 * draw and collate training samples) against plain geotiff.js `readRasters()` on the same files, in Node and in the
 * page, inline and with geotiff worker Pools (issue 5: preparation adds ≤ 25 % over plain decoding, and decoding
 * uses every core).
 *
 * Every figure comes from src/data/bench.ts benchPreparation(): one call = the pipeline, then plain readRasters of
 * exactly the pipeline's decodes (same files, windows and bands, geotiff's tile cache on: the SAME decoded bytes),
 * then plain readRasters of every whole image (the reference MB/s), all with the row's pool (none inline), files
 * 4 at a time on every side; one call is one repetition (bench/measure.ts measureJoint, medians per figure).
 * Rates are decoded MB/s (MB = 10⁶ B). "speed-up vs readRasters" compares the pipeline with the same reads, so it is
 * plain time ÷ pipeline time: ≥ 0.80× meets the goal (the preparation adds ≤ 25 %).
 * Cores: every row reports CPU utilisation = process CPU time ÷ (wall × cores) where the runtime has a CPU clock
 * (Node: process.cpuUsage, worker threads included; the page has none), and Pool ÷ inline on the same files.
 * Files: Node reads ../shared/data lazily from disk (fs.openAsBlob); the page fetches each file whole from the bench
 * server before timing and wraps it as a Blob, like a dropped file.
 * Cases (ids for --only): lsts, peru, s2 (bench/suites/dataCases.ts).
 */
import { benchPreparation, type BenchResult } from '../../src/data/bench';
import { createDecodePool, defaultPoolSize, destroyDecodePool } from '../../src/data/pool';
import type { ByteSource } from '../../src/data/source';
import { fmtNum, fmtPct, fmtRatio } from '../format';
import { measureJoint, type MeasureConfig, type Outcome } from '../measure';
import { deriveRow, type Row, type Section } from '../report';
import { median } from '../stats';
import { caseFiles, DATA_CASES, GOAL_RATIO, poolSettings, summarizeRatios, type DataCase } from './dataCases';
import type { Suite, SuiteEnv, SuiteOutput } from './types';

const MIB = 2 ** 20;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function section(env: SuiteEnv): Section {
  const studio = defaultPoolSize(env.cores);
  return {
    id: 'data',
    title: 'GeoTIFF preparation vs plain readRasters of the same reads (decoded MB/s)',
    rate: { name: 'MB/s', scale: 1e-6 },
    work: { name: 'decoded MB', scale: 1e-6 },
    vsPeak: false,
    rows: [],
    columns: [
      { key: 'decoding', header: 'decoding', align: 'l' },
      { key: 'adds', header: 'preparation adds' },
      { key: 'goal', header: 'goal ≤ 25 %', align: 'l' },
      { key: 'wholeRate', header: 'whole-file readRasters MB/s' },
      { key: 'cpuPipeline', header: 'CPU use: pipeline' },
      { key: 'cpuPlain', header: 'CPU use: readRasters' },
      { key: 'poolPipeline', header: 'pipeline: Pool ÷ inline' },
      { key: 'poolPlain', header: 'readRasters: Pool ÷ inline' },
      { key: 'samples', header: 'samples/s' },
    ],
    notes: [
      'ours: src/data/bench.ts benchPreparation() — Dataset.open (inspect with statistics of up to 512² sampled pixels per file, catalog, dataset statistics) then 16 training samples drawn and collated in batches of 8; decoded MB = the bytes of every decode the pipeline made (its IoStats).',
      'readRasters: GeoTIFF.fromSource({ cache: true }) + getImage(0) + readRasters({ window, samples, pool }) of exactly the decodes the pipeline logged (same bytes), files 4 at a time like Dataset.open; on separate ByteSource wrappers and GeoTIFF objects (no pass warms another). speed-up = its time ÷ the pipeline time; preparation adds = pipeline ÷ readRasters − 1 (goal ≤ 25 %, i.e. speed-up ≥ 0.80×).',
      'whole-file readRasters: readRasters({ pool }) of every whole first image (the MB/s of plain decoding, over all pixels); the s2 pipeline decodes only its windows, so its decoded MB are fewer.',
      'ours decodes with geotiff\'s own blocks (image.getTileOrStrip: its codecs, Pool and tile cache) but assembles windows with typed-array copies instead of readRasters\' DataView call per value, and keeps one decoder per file (readRasters imports the codec module on every call); both are part of what the ratio measures (src/data/raster.ts, byte-identical to readRasters: raster.test.ts).',
      `CPU use = process CPU time ÷ (wall × ${env.cores} cores), median over repetitions (Node: process.cpuUsage, Pool workers included; "n/a" in the page, which has no CPU clock). Pool ÷ inline = the row's MB/s over the inline row's on the same files (> 1: the workers help).`,
      `cores: this runtime reports ${env.cores} logical core(s); the studio's default decoder pool here is ${studio} worker(s) (src/data/pool.ts defaultPoolSize: cores − 1, at least 1, at most 8; cores = navigator.hardwareConcurrency, or os.availableParallelism() in Node 20). geotiff decodes raw and WebP blocks on the calling thread whatever the Pool.`,
      'cases (all deflate-compressed, so every block can go to a worker): lsts = landsat-lsts-105dates (420 files: b3, b4, b5 int16 + fmask uint8, 61×61 px, one block each); peru = landsat-peru-8dates (8 big-endian files, 4 bands uint8, 697×377 px, 256 px tiles); s2 = the 13-band Sentinel-2 L1C scene (one uint16 file, 1536×768 px, predictor 2, 256 px tiles): see ../shared/data/README.md.',
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

const medianOrNull = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? median(v) : null;
};

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
    // The data suite never touches the GPU: a software adapter says nothing about it.
    isSoftware: false,
  };
  const settings = poolSettings(defaultPoolSize(env.cores), env.cores);
  const ratios: Record<string, { case: string; ratio: number }[]> = Object.fromEntries(settings.map((s) => [s.id, []]));
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
    for (const setting of settings) {
      let last: BenchResult | undefined;
      let outcomes: Outcome[];
      const walls: number[] = [];
      const util = { pipeline: [] as (number | null)[], plain: [] as (number | null)[] };
      const pool = setting.size > 0 && !openError ? createDecodePool(setting.size) : null;
      const fail = (error: string): Outcome[] => [0, 1, 2].map(() => ({ kind: 'failed', error }));
      if (openError) outcomes = fail(openError);
      else if (setting.size > 0 && !pool) outcomes = fail('no worker could be started here');
      else {
        try {
          outcomes = await measureJoint(
            async () => {
              const t0 = performance.now();
              last = await benchPreparation(sources, { samples: c.samples, config: c.config, pool, seed: 0, cores: env.cores });
              known = last;
              const wallMs = performance.now() - t0;
              walls.push(wallMs);
              util.pipeline.push(last.pipeline.utilisation);
              util.plain.push(last.plain.utilisation);
              return { ms: [last.pipeline.seconds * 1000, last.plain.seconds * 1000, (last.whole?.seconds ?? 0) * 1000], wallMs };
            },
            3,
            'wall',
            { ...base, estimateMs: predictMs },
          );
        } finally {
          await destroyDecodePool(pool);
        }
        if (walls.length > 1) predictMs = median(walls.slice(1));
      }
      const [ours, plain, whole] = outcomes;
      const own = last as BenchResult | undefined;
      const r = own ?? (known as BenchResult | undefined);
      const cells: Record<string, string> = { decoding: setting.label };
      const params: Record<string, number | string> = { case: c.id, pool: setting.size, cores: env.cores, files: sources.length, diskBytes: bytes };
      if (r) {
        if (own) cells.samples = fmtNum(own.pipeline.samplesPerSecond);
        const wholeBytes = (r.whole?.decodedMB ?? 0) * MIB;
        if (whole.kind === 'measured' && whole.ms > 0) cells.wholeRate = fmtNum((wholeBytes / (whole.ms / 1000)) * 1e-6);
        const up = medianOrNull(util.pipeline);
        const upl = medianOrNull(util.plain);
        cells.cpuPipeline = up === null ? 'n/a' : fmtPct(up);
        cells.cpuPlain = upl === null ? 'n/a' : fmtPct(upl);
        Object.assign(params, {
          pipelineDecodedBytes: r.pipeline.decodedMB * MIB,
          plainDecodedBytes: r.plain.decodedMB * MIB,
          wholeDecodedBytes: wholeBytes,
          pipelineDecodeCalls: r.pipeline.decodeCalls,
          fetchedBytes: r.pipeline.fetchedMB * MIB,
          ...(whole.kind === 'measured' ? { wholeMs: whole.ms } : {}),
          ...(up !== null ? { cpuUtilisationPipeline: up } : {}),
          ...(upl !== null ? { cpuUtilisationPlain: upl } : {}),
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
      const ratio = row.derived.speedup;
      if (ratio !== undefined) {
        cells.adds = `${fmtNum((1 / ratio - 1) * 100)} %`;
        cells.goal = ratio >= GOAL_RATIO - 1e-12 ? 'met' : 'not met';
        row.params.ratio = ratio;
        ratios[setting.id].push({ case: c.id, ratio });
      }
      if (!inline) inline = row;
      else {
        const q = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? fmtRatio(a / b) : '–');
        cells.poolPipeline = q(row.derived.oursRate, inline.derived.oursRate);
        cells.poolPlain = q(row.derived.peerRate, inline.derived.peerRate);
      }
      sec.rows.push(row);
      const show = (o: Outcome) => (o.kind === 'measured' ? `${o.ms.toFixed(0)} ms` : o.kind === 'skipped' ? o.reason : `FAILED ${o.error}`);
      env.log(`[${env.runtime}] data ${c.id} ${setting.id}: pipeline ${show(ours)}, readRasters same reads ${show(plain)}, whole files ${show(whole)}`);
    }
  }
  for (const s of settings) {
    const sum = summarizeRatios(ratios[s.id]);
    if (sum) {
      sec.notes.push(
        `summary, ${s.label}: pipeline ÷ readRasters speed-up ${ratios[s.id].map((x) => `${x.case} ${fmtRatio(x.ratio)}`).join(', ')}; geometric mean ${fmtRatio(sum.geomean)} (preparation adds ${fmtNum((1 / sum.geomean - 1) * 100)} %), worst ${fmtRatio(sum.worst)}; goal met in ${sum.met} of ${sum.n} case(s).`,
      );
    }
  }
  return { sections: [sec], peer, timing: 'wall clock (performance.now() inside benchPreparation around the pipeline, the same-reads pass and the whole-file pass)' };
}

export const dataSuite: Suite = {
  name: 'data',
  description: 'GeoTIFF preparation (src/data) vs plain geotiff.js readRasters of the same reads, inline and with worker Pools',
  runtimes: ['node', 'browser'],
  sectionIds: DATA_CASES.map((c) => c.id),
  run,
};
