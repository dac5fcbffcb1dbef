/**
 * `npm run embed -- --ckpt DIR --data <files or folders...> --out FILE [options]`: per-token embeddings of a trained
 * encoder over the validation tiles of the data, with each token's ground position (token-centre lon/lat), modality,
 * band group, date and grid cell, plus a PCA → RGB colour per token (one PCA per modality, band group and date), in
 * one safetensors file (format: src/probe/embedFile.ts, docs/readme-probe.md). With --json the last stdout line is a
 * JSON summary.
 *
 * Exit status: 0 written, 1 checkpoint / data / GPU failure, 2 usage error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDecodePool } from '../data/pool';
import { acquireDevice } from '../gpu/device';
import { nodeGpu } from '../gpu/nodeGpu';
import { evaluationSamples } from '../probe/data';
import { encodeEmbeddings } from '../probe/embedFile';
import { loadImages, readCheckpointDir } from '../probe/nodeInputs';
import { pcaRgbPerImage } from '../probe/pca';
import { embedSamples } from '../probe/tokens';
import { collectFiles } from './files';
import { runCli, UsageError } from './run';

const HELP = `Usage: npm run embed -- --ckpt DIR --data <files or folders...> --out FILE [options]

Writes per-token encoder features with their ground positions, modality and date (safetensors).

  --ckpt DIR          training checkpoint: state.json + model.safetensors (npm run train --out)
  --data PATHS...     GeoTIFF files and/or folders (recursive)
  --out FILE          the embeddings file (.safetensors)
  --all-dates         embed every acquisition: the series is cut into chunks of the model's dates per sample
                      (default: the evaluation binning keeps one date per bin)
  --exclude REGEX     leave out files whose name matches (e.g. fmask, to keep mask files out of the bands)
  --batch B           samples per encoder forward (default 8)
  --max-samples N     embed at most N tiles
  --no-pca            do not compute the PCA colours
  --json              print a JSON summary as the last line
  -h, --help          this help`;


interface Args {
  ckpt: string;
  data: string[];
  out: string;
  allDates: boolean;
  exclude: RegExp | null;
  batch: number;
  maxSamples: number | undefined;
  pca: boolean;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Partial<Args> & { data: string[] } = { data: [], allDates: false, exclude: null, batch: 8, pca: true, json: false };
  const value = (i: number, flag: string) => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const int = (v: string, flag: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs an integer ≥ 1, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--ckpt') a.ckpt = value(++i, s);
    else if (s === '--data') while (argv[i + 1] && !argv[i + 1].startsWith('--')) a.data.push(argv[++i]);
    else if (s === '--out') a.out = value(++i, s);
    else if (s === '--all-dates') a.allDates = true;
    else if (s === '--exclude') a.exclude = new RegExp(value(++i, s), 'i');
    else if (s === '--batch') a.batch = int(value(++i, s), s);
    else if (s === '--max-samples') a.maxSamples = int(value(++i, s), s);
    else if (s === '--no-pca') a.pca = false;
    else if (s === '--json') a.json = true;
    else if (s === '-h' || s === '--help') {
      console.log(HELP);
      process.exit(0);
    } else throw new UsageError(`unknown option ${s} (see --help)`);
  }
  if (!a.ckpt) throw new UsageError('--ckpt DIR is required');
  if (a.data.length === 0) throw new UsageError('--data needs at least one file or folder');
  if (!a.out) throw new UsageError('--out FILE is required');
  return a as Args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const log = (msg: string) => (args.json ? process.stderr : process.stdout).write(`${msg}\n`);
  const t0 = performance.now();
  const ckpt = await readCheckpointDir(args.ckpt);
  const { config, params } = ckpt;
  log(`checkpoint  ${args.ckpt}${ckpt.state.step !== undefined ? ` (step ${String(ckpt.state.step)})` : ''}: ${config.modalities.map((m) => `${m.name} ${m.bands.length}×${m.imageSize}px×${m.dates} dates, patch ${m.patchSize}`).join('; ')}, width ${config.encoder.width}`);

  const exclude = new Set<string>();
  if (args.exclude) for (const f of (await collectFiles(args.data)).files) if (args.exclude.test(path.basename(f))) exclude.add(path.resolve(f));
  const { data, files, missing } = await loadImages(args.data, exclude, await startDecodePool());
  for (const m of missing) log(`warning: ${m} does not exist`);
  for (const p of data.problems) log(`  skipped ${p}`);
  log(`data        ${files.length} files${exclude.size ? ` (${exclude.size} excluded)` : ''}`);
  const seed = typeof ckpt.state.seed === 'number' ? ckpt.state.seed : 0;
  const ev = await evaluationSamples(data, config, { allDates: args.allDates, seed, maxSamples: args.maxSamples });
  for (const w of ev.warnings) log(`  note: ${w}`);
  log(`samples     ${ev.samples.length} tiles${ev.chunks > 1 ? ` over ${ev.chunks} date chunks` : ''}`);

  const ctx = await acquireDevice(nodeGpu(), { runtime: 'node (Dawn)' });
  log(`gpu         ${ctx.report.name}${ctx.report.isSoftware ? ' (software adapter: slow)' : ''}`);
  const t1 = performance.now();
  const emb = await embedSamples(ctx.device, config, params, ev.samples, { batch: args.batch });
  const embedMs = performance.now() - t1;
  const pcaRgba = args.pca ? pcaRgbPerImage(emb.tokens) : undefined;
  const bytes = encodeEmbeddings(emb, { pcaRgba, checkpoint: path.resolve(args.ckpt), step: typeof ckpt.state.step === 'number' ? ckpt.state.step : null });
  await mkdir(path.dirname(path.resolve(args.out)), { recursive: true });
  await writeFile(args.out, bytes);
  const t = emb.tokens;
  const lon = [Math.min(...t.lon), Math.max(...t.lon)];
  const lat = [Math.min(...t.lat), Math.max(...t.lat)];
  const dates = new Set(Array.from({ length: t.count }, (_, i) => `${t.year[i]}-${t.doy[i]}`)).size;
  log(`tokens      ${t.count.toLocaleString('en-US')} × ${t.E} (${t.perSample} per tile), ${dates} distinct dates, lon ${lon[0].toFixed(5)}…${lon[1].toFixed(5)}, lat ${lat[0].toFixed(5)}…${lat[1].toFixed(5)}`);
  log(`wrote       ${args.out}: ${bytes.length.toLocaleString('en-US')} bytes (encoder ${(embedMs / 1000).toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (args.json) {
    console.log(JSON.stringify({ out: args.out, bytes: bytes.length, tokens: t.count, width: t.E, tokensPerTile: t.perSample, tiles: ev.samples.length, chunks: ev.chunks, dates, adapter: ctx.report.name, embedMs: Math.round(embedMs) }));
  }
  ctx.destroy();
  return 0;
}

runCli('embed', main);
