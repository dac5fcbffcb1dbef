/**
 * `npm run probe -- --ckpt DIR --data <files or folders...> --labels FILE|FOLDER... [options]`: linear and attentive
 * probes on the frozen encoder of a checkpoint, trained on our WebGPU kernels (Node, Dawn), scored on a held-out split:
 * accuracy, per-class IoU, mIoU, weighted F1 and the confusion matrix (weighted F1 per label for multi-label tile
 * labels), next to the chance levels of the same split. Labels: GeoTIFF class rasters (segmentation; a dated series
 * such as Fmask per acquisition is matched by date) or a CSV/JSON of per-tile labels (classification).
 * With --json the last stdout line is the JSON report; --out also writes it to a file.
 *
 * Exit status: 0 done, 1 checkpoint / data / label / GPU failure, 2 usage error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDecodePool } from '../data/pool';
import { acquireDevice } from '../gpu/device';
import { nodeGpu } from '../gpu/nodeGpu';
import { evaluationSamples } from '../probe/data';
import { DEFAULT_FIT } from '../probe/fit';
import { HEAD_KINDS, type HeadKind } from '../probe/heads';
import { loadImages, loadLabels, readCheckpointDir } from '../probe/nodeInputs';
import { buildTask, formatProbeReport, runProbes } from '../probe/run';
import { SPLIT_KINDS, type SplitKind } from '../probe/tasks';
import { embedSamples } from '../probe/tokens';
import { runCli, UsageError } from './run';

const HELP = `Usage: npm run probe -- --ckpt DIR --data <files or folders...> --labels <FILE or FOLDER...> [options]

Trains linear and attentive probes on frozen encoder features and scores them on held-out data.

  --ckpt DIR            training checkpoint: state.json + model.safetensors
  --data PATHS...       image GeoTIFFs (files or folders); label files found there are left out
  --labels PATHS...     GeoTIFF class rasters (files, or folders: files named like fmask/label/class/mask/gt),
                        or one .csv/.json file of per-tile labels ("key,label"; key = file, location or tile id)
  --label-match REGEX   which files inside label folders are labels
  --label-dates MODE    auto | dated | static (default auto: ≥ 2 rasters with distinct dates = one per acquisition)
  --ignore V,V...       label values that are not classes (besides the raster's nodata)
  --classes V=NAME,...  class names for label values (Fmask names are known)
  --head H              linear | attentive | both (default both)
  --steps N             probe training steps (default ${DEFAULT_FIT.steps})
  --batch B             token sets per step (default ${DEFAULT_FIT.batch})
  --lr X                peak learning rate (default ${DEFAULT_FIT.lr})
  --split S             auto | tile | date | block (default auto)
  --test-fraction F     share of the split groups held out (default 0.3)
  --all-dates           embed every acquisition in date chunks (default: on for dated labels)
  --no-all-dates        only the evaluation binning's dates
  --seed S              probe initialisation / batch order seed (default 0; the split always uses seed 0)
  --out FILE            also write the JSON report to FILE
  --json                print the JSON report as the last line
  -h, --help            this help`;


interface Args {
  ckpt: string;
  data: string[];
  labels: string[];
  labelMatch?: string;
  labelDates: 'auto' | 'dated' | 'static';
  ignore: number[];
  classes: Record<string, string>;
  heads: HeadKind[];
  steps: number;
  batch: number;
  lr: number;
  split: SplitKind | 'auto';
  testFraction: number;
  allDates: boolean | null;
  seed: number;
  out: string | null;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { ckpt: '', data: [], labels: [], labelDates: 'auto', ignore: [], classes: {}, heads: [...HEAD_KINDS], steps: DEFAULT_FIT.steps, batch: DEFAULT_FIT.batch, lr: DEFAULT_FIT.lr, split: 'auto', testFraction: 0.3, allDates: null, seed: 0, out: null, json: false };
  const value = (i: number, flag: string) => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const num = (v: string, flag: string, min: number, int: boolean) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || (int && !Number.isInteger(n))) throw new UsageError(`${flag} needs ${int ? 'an integer' : 'a number'} ≥ ${min}, got ${v}`);
    return n;
  };
  const list = (i: number) => {
    const out: string[] = [];
    while (argv[i + 1] && !argv[i + 1].startsWith('--')) out.push(argv[++i]);
    return { out, i };
  };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    switch (s) {
      case '--ckpt':
        a.ckpt = value(++i, s);
        break;
      case '--data':
      case '--labels': {
        const r = list(i);
        i = r.i;
        (s === '--data' ? a.data : a.labels).push(...r.out);
        break;
      }
      case '--label-match':
        a.labelMatch = value(++i, s);
        break;
      case '--label-dates': {
        const v = value(++i, s);
        if (v !== 'auto' && v !== 'dated' && v !== 'static') throw new UsageError(`--label-dates must be auto, dated or static, got ${v}`);
        a.labelDates = v;
        break;
      }
      case '--ignore':
        a.ignore = value(++i, s)
          .split(',')
          .map((x) => num(x.trim(), s, -Infinity, true));
        break;
      case '--classes':
        for (const pair of value(++i, s).split(',')) {
          const m = /^\s*(-?\d+)\s*=\s*(.+?)\s*$/.exec(pair);
          if (!m) throw new UsageError(`--classes entries look like 4=cloud, got "${pair}"`);
          a.classes[m[1]] = m[2];
        }
        break;
      case '--head': {
        const v = value(++i, s);
        if (v === 'both') a.heads = [...HEAD_KINDS];
        else if ((HEAD_KINDS as readonly string[]).includes(v)) a.heads = [v as HeadKind];
        else throw new UsageError(`--head must be linear, attentive or both, got ${v}`);
        break;
      }
      case '--steps':
        a.steps = num(value(++i, s), s, 1, true);
        break;
      case '--batch':
        a.batch = num(value(++i, s), s, 1, true);
        break;
      case '--lr':
        a.lr = num(value(++i, s), s, 0, false);
        break;
      case '--split': {
        const v = value(++i, s);
        if (v !== 'auto' && !(SPLIT_KINDS as readonly string[]).includes(v)) throw new UsageError(`--split must be auto, ${SPLIT_KINDS.join(', ')}, got ${v}`);
        a.split = v as SplitKind | 'auto';
        break;
      }
      case '--test-fraction':
        a.testFraction = num(value(++i, s), s, 0, false);
        if (!(a.testFraction > 0 && a.testFraction < 1)) throw new UsageError('--test-fraction must be in (0, 1)');
        break;
      case '--all-dates':
        a.allDates = true;
        break;
      case '--no-all-dates':
        a.allDates = false;
        break;
      case '--seed':
        a.seed = num(value(++i, s), s, 0, true);
        break;
      case '--out':
        a.out = value(++i, s);
        break;
      case '--json':
        a.json = true;
        break;
      case '-h':
      case '--help':
        console.log(HELP);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown option ${s} (see --help)`);
    }
  }
  if (!a.ckpt) throw new UsageError('--ckpt DIR is required');
  if (a.data.length === 0) throw new UsageError('--data needs at least one file or folder');
  if (a.labels.length === 0) throw new UsageError('--labels needs a label raster, folder or CSV/JSON file');
  return a;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const log = (msg: string) => (args.json ? process.stderr : process.stdout).write(`${msg}\n`);
  const t0 = performance.now();
  const ckpt = await readCheckpointDir(args.ckpt);
  const { config, params } = ckpt;
  log(`checkpoint  ${args.ckpt}${ckpt.state.step !== undefined ? ` (step ${String(ckpt.state.step)})` : ''}, width ${config.encoder.width}`);
  const labels = await loadLabels(args.labels, { match: args.labelMatch, dated: args.labelDates, ignore: args.ignore, classes: args.classes });
  for (const n of labels.notes) log(`labels      ${n}`);
  const { data, files, missing } = await loadImages(args.data, labels.files, await startDecodePool());
  for (const m of missing) log(`warning: ${m} does not exist`);
  for (const p of data.problems) log(`  skipped ${p}`);
  const allDates = args.allDates ?? (labels.labels.kind === 'raster' && labels.labels.dated);
  const seed = typeof ckpt.state.seed === 'number' ? ckpt.state.seed : 0;
  const ev = await evaluationSamples(data, config, { allDates, seed });
  log(`data        ${files.length} image files → ${ev.samples.length} tiles${ev.chunks > 1 ? ` over ${ev.chunks} date chunks` : ''}`);

  const ctx = await acquireDevice(nodeGpu(), { runtime: 'node (Dawn)' });
  log(`gpu         ${ctx.report.name}${ctx.report.isSoftware ? ' (software adapter: slow)' : ''}`);
  const emb = await embedSamples(ctx.device, config, params, ev.samples);
  const { task, notes } = await buildTask(emb, labels.labels, { location: ev.location, files: ev.files }, data.cache);
  for (const n of notes) log(`note        ${n}`);
  const report = await runProbes(ctx.device, emb, task, {
    heads: args.heads,
    fit: { steps: args.steps, batch: args.batch, lr: args.lr, weightDecay: DEFAULT_FIT.weightDecay, seed: args.seed },
    split: args.split,
    testFraction: args.testFraction,
    splitSeed: 0,
  });
  log('');
  log(formatProbeReport(report));
  log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const json = JSON.stringify({ checkpoint: path.resolve(args.ckpt), adapter: ctx.report.name, tiles: ev.samples.length, ...report });
  if (args.out) {
    await mkdir(path.dirname(path.resolve(args.out)), { recursive: true });
    await writeFile(args.out, json);
  }
  if (args.json) console.log(json);
  ctx.destroy();
  return 0;
}

runCli('probe', main);
