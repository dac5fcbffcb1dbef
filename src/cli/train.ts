/**
 * `npm run train -- --data <files or folders...> [options]`: headless pre-training in Node on Dawn, with the same
 * data pipeline, graph and WGSL kernels as the studio. Writes checkpoints and metrics.jsonl to --out, shows a
 * progress bar with loss, tokens/s and ETA, stops cleanly with a checkpoint on Ctrl-C, and resumes with --resume.
 * With --json the last stdout line is a JSON summary.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Dataset } from '../data/dataset';
import { defaultPoolSize, startDecodePool } from '../data/pool';
import { acquireDevice } from '../gpu/device';
import { formatBytes } from '../gpu/errors';
import { nodeGpu } from '../gpu/nodeGpu';
import { formatDuration, ProgressMeter } from '../lib/progress';
import { type AnchorMaskingConfig, type GeoEncodingMode, type MaeConfig, type MaskStrategy, type PositionMode, type PresetName, validateConfig } from '../model/config';
import { estimateModel } from '../model/estimate';
import { assertSameModel, CHECKPOINT_FORMAT, decodeCheckpointFiles, encodeCheckpointFiles, type Checkpoint, type TrainState } from '../train/checkpoint';
import { configFromDataset } from '../train/datasetConfig';
import { DEFAULT_OPTIMIZER, NonFiniteLossError, Trainer, type StepMetrics } from '../train/trainer';
import { collectFiles, fileSources } from './files';
import { runCli, UsageError } from './run';

const HELP = `Usage: npm run train -- --data <files or folders...> [options]

Pre-trains a MAESTRO-style masked autoencoder on GeoTIFFs in Node (WebGPU through Dawn).

  --data PATHS...       GeoTIFF files and/or folders (recursive)
  --preset NAME         tiny | small | base (default tiny)
  --config FILE         a full model configuration (JSON, as exported by the studio); overrides --preset
  --steps N             optimizer steps (default 200)
  --batch B             samples per step (default 8)
  --lr X                peak learning rate of the one-cycle schedule (default 1e-3)
  --masking S           random | structured | anchor (default structured; anchor = A²-MAE-style anchor-aware
                        masking across the co-located images of a sample, docs/readme-a2mae.md)
  --anchor RULE         anchor rule for --masking anchor: random | finest-gsd | most-recent | <modality name>
                        (default random)
  --ratio R             masking ratio (default 0.75; with --masking anchor: the anchor image's ratio)
  --geo G               geographic encoding: off | gsd | full (default off; learned map of GSD / lat-lon features)
  --positions P         position encoding: pooled | ground (default pooled; ground = GSD-aware ground coordinates)
  --seed S              seed for initialisation, batches and masks (default 0)
  --decode-workers N    GeoTIFF decoder threads (default: every core but one, at most 8; 0 decodes on the main thread)
  --out DIR             where checkpoints and metrics.jsonl go (default runs/<date-time>)
  --resume DIR          continue the run saved in DIR (same data and configuration)
  --save-every N        checkpoint every N steps (default: steps/10, at least 10)
  --json                print a JSON summary as the last line
  -h, --help            this help

Environment: EO_MAE_ICD=lavapipe|swiftshader|<icd.json> forces a Vulkan driver.`;

interface Args {
  data: string[];
  preset: PresetName;
  config: string | null;
  steps: number;
  batch: number;
  lr: number;
  masking: MaskStrategy;
  anchor: Pick<AnchorMaskingConfig, 'rule' | 'modality'> | null;
  ratio: number;
  geo: GeoEncodingMode;
  positions: PositionMode;
  seed: number;
  /** Decoder worker threads; null: defaultPoolSize(). */
  decodeWorkers: number | null;
  out: string | null;
  resume: string | null;
  saveEvery: number | null;
  json: boolean;
}


function parseArgs(argv: string[]): Args {
  const a: Args = { data: [], preset: 'tiny', config: null, steps: 200, batch: 8, lr: 1e-3, masking: 'structured', anchor: null, ratio: 0.75, geo: 'off', positions: 'pooled', seed: 0, decodeWorkers: null, out: null, resume: null, saveEvery: null, json: false };
  const num = (flag: string, v: string | undefined, min: number, int = false): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || (int && !Number.isInteger(n))) throw new UsageError(`${flag} needs ${int ? 'an integer' : 'a number'} ≥ ${min}, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    switch (s) {
      case '--data':
        while (argv[i + 1] && !argv[i + 1].startsWith('--')) a.data.push(argv[++i]);
        break;
      case '--preset': {
        const p = argv[++i];
        if (p !== 'tiny' && p !== 'small' && p !== 'base') throw new UsageError(`--preset must be tiny, small or base, got ${p}`);
        a.preset = p;
        break;
      }
      case '--config':
        a.config = argv[++i];
        break;
      case '--steps':
        a.steps = num(s, argv[++i], 1, true);
        break;
      case '--batch':
        a.batch = num(s, argv[++i], 1, true);
        break;
      case '--lr':
        a.lr = num(s, argv[++i], 0);
        break;
      case '--masking': {
        const m = argv[++i];
        if (m !== 'random' && m !== 'structured' && m !== 'anchor') throw new UsageError(`--masking must be random, structured or anchor, got ${m}`);
        a.masking = m;
        break;
      }
      case '--anchor': {
        const r = argv[++i];
        if (!r || r.startsWith('--')) throw new UsageError('--anchor needs random, finest-gsd, most-recent or a modality name');
        a.anchor = r === 'random' || r === 'finest-gsd' || r === 'most-recent' ? { rule: r, modality: null } : { rule: 'modality', modality: r.replace(/[^A-Za-z0-9_]/g, '_') };
        break;
      }
      case '--geo': {
        const g = argv[++i];
        if (g !== 'off' && g !== 'gsd' && g !== 'full') throw new UsageError(`--geo must be off, gsd or full, got ${g}`);
        a.geo = g;
        break;
      }
      case '--positions': {
        const p = argv[++i];
        if (p !== 'pooled' && p !== 'ground') throw new UsageError(`--positions must be pooled or ground, got ${p}`);
        a.positions = p;
        break;
      }
      case '--ratio':
        a.ratio = num(s, argv[++i], 0);
        break;
      case '--seed':
        a.seed = num(s, argv[++i], 0, true);
        break;
      case '--decode-workers':
        a.decodeWorkers = num(s, argv[++i], 0, true);
        break;
      case '--out':
        a.out = argv[++i];
        break;
      case '--resume':
        a.resume = argv[++i];
        break;
      case '--save-every':
        a.saveEvery = num(s, argv[++i], 1, true);
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
  if (a.data.length === 0) throw new UsageError('--data needs at least one file or folder (see --help)');
  if (a.anchor && a.masking !== 'anchor') throw new UsageError('--anchor needs --masking anchor');
  return a;
}

async function readCheckpointDir(dir: string): Promise<Checkpoint> {
  const read = (f: string) => readFile(path.join(dir, f));
  const [model, optimizer, state] = await Promise.all([read('model.safetensors'), read('optimizer.safetensors').catch(() => null), readFile(path.join(dir, 'state.json'), 'utf8')]);
  return decodeCheckpointFiles({ model: new Uint8Array(model), optimizer: optimizer ? new Uint8Array(optimizer) : null, state });
}

async function writeCheckpointDir(dir: string, ck: Checkpoint): Promise<void> {
  const files = encodeCheckpointFiles(ck);
  await mkdir(dir, { recursive: true });
  // Write to temporary names first, then rename: an interrupted save never leaves a half-written checkpoint.
  for (const [name, data] of Object.entries(files)) {
    await writeFile(path.join(dir, `${name}.tmp`), data);
    await rename(path.join(dir, `${name}.tmp`), path.join(dir, name));
  }
}

function bar(done: number, total: number, width = 24): string {
  const f = Math.round((done / total) * width);
  return `[${'█'.repeat(f)}${'░'.repeat(width - f)}]`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const log = (msg: string) => (args.json ? process.stderr : process.stdout).write(`${msg}\n`);

  // ---- data
  const collected = await collectFiles(args.data);
  for (const m of collected.missing) log(`warning: ${m} does not exist`);
  if (collected.files.length === 0) throw new UsageError(`no GeoTIFF files found in ${args.data.join(', ')}`);
  const workers = args.decodeWorkers ?? defaultPoolSize();
  // Not destroyed: runCli ends the process, which stops the pool's threads.
  const pool = await startDecodePool(workers);
  log(`data: opening ${collected.files.length} files (decoding ${pool ? `on ${workers} worker thread${workers === 1 ? '' : 's'}` : 'on the main thread'})…`);
  const dataset = await Dataset.open(await fileSources(collected.files), { seed: args.seed }, { pool });
  for (const e of dataset.errors) log(`  skipped ${e.message}`);
  for (const w of dataset.warnings) log(`  note: ${w}`);
  if (dataset.modalities.length === 0) throw new Error('none of the files could be used for training (see the messages above)');
  for (const m of dataset.modalities) log(`  modality ${m.name}: ${m.bands.length} bands, ${m.T} dates, ${m.size}×${m.size} px at ${m.gsd} m (${m.scalingDescription})`);

  // ---- configuration (resume > --config > dataset + preset)
  const resumed = args.resume ? await readCheckpointDir(args.resume) : null;
  let config: MaeConfig;
  if (resumed) config = resumed.state.config;
  else if (args.config) config = validateConfig(JSON.parse(await readFile(args.config, 'utf8')));
  else
    config = configFromDataset(dataset.modalities, args.preset, {
      masking: { strategy: args.masking, ratio: args.ratio, ...(args.anchor ? { anchor: args.anchor } : {}) },
      geoEncoding: args.geo,
      positions: args.positions,
    });
  if (resumed) assertSameModel(resumed, config);
  const steps = resumed ? resumed.state.totalSteps : args.steps;
  const batchSize = resumed ? resumed.state.batchSize : args.batch;
  const seed = resumed ? resumed.state.seed : args.seed;
  const optimizer = resumed
    ? resumed.state.optimizer
    : { ...DEFAULT_OPTIMIZER, schedule: { kind: 'one-cycle' as const, options: { maxLr: args.lr, totalSteps: steps, pctStart: 0.2, divFactor: 1000, finalDivFactor: 1e4 } } };

  // ---- device and model
  const ctx = await acquireDevice(nodeGpu(), { runtime: 'node (Dawn)' });
  const est = estimateModel(config, batchSize);
  log(`gpu: ${ctx.report.name}${ctx.report.isSoftware ? '  ⚠ software adapter: CPU emulation, expect slow steps' : ''}`);
  log(`model: ${config.preset}, ${(est.params / 1e6).toFixed(2)} M parameters, ${(est.flops.total / 1e9).toFixed(1)} GFLOP/step, ≥ ${formatBytes(est.bytes.total)} GPU memory at batch ${batchSize}`);
  const source = { batch: (rng: Parameters<Dataset['batch']>[0], B: number) => dataset.batch(rng, B, true) };
  const trainer = await Trainer.create(ctx.device, { config, batchSize, seed, optimizer }, source, resumed?.params);
  if (resumed) trainer.restore({ ...resumed, step: resumed.state.step });
  log(`memory: ${formatBytes(trainer.allocatedBytes)} allocated (${(trainer.allocatedBytes / est.bytes.total).toFixed(2)}× the analytic minimum)`);

  const out = args.out ?? args.resume ?? path.join('runs', new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(out, { recursive: true });
  const saveEvery = args.saveEvery ?? Math.max(10, Math.round(steps / 10));
  let lastLoss: number | null = resumed?.state.lastLoss ?? null;
  const save = async () => {
    const snap = await trainer.snapshot();
    const state: TrainState = { format: CHECKPOINT_FORMAT, config, optimizer, batchSize, seed, step: trainer.step, totalSteps: steps, adapter: ctx.report.name, lastLoss, savedAt: new Date().toISOString() };
    await writeCheckpointDir(out, { state, ...snap });
  };

  let stop = false;
  process.on('SIGINT', () => {
    if (stop) process.exit(130);
    stop = true;
    log('\ninterrupted: finishing the current step and saving a checkpoint (Ctrl-C again to quit at once)…');
  });

  const first = trainer.step;
  const meter = new ProgressMeter(steps, 8, undefined, first);
  let firstLoss: number | null = null;
  let tokensPerSecond = 0;
  let tokens = 0;
  let ms = 0;
  const tty = process.stderr.isTTY && !args.json;
  let lastPrint = 0;
  let failure: string | null = null;
  while (trainer.step < steps && !stop) {
    let m: StepMetrics;
    try {
      m = await trainer.trainStep();
    } catch (e) {
      if (e instanceof NonFiniteLossError) {
        failure = e.message;
        log(`\n${e.message}`);
        break;
      }
      throw e;
    }
    firstLoss ??= m.loss;
    lastLoss = m.loss;
    tokens += m.tokens;
    ms += m.ms;
    tokensPerSecond = tokens / (ms / 1000);
    await appendFile(path.join(out, 'metrics.jsonl'), `${JSON.stringify({ ...m, time: new Date().toISOString() })}\n`);
    const snap = meter.tick(m.step);
    const line = `${bar(m.step, steps)} step ${m.step}/${steps}  loss ${m.loss.toFixed(4)}  lr ${m.lr.toExponential(2)}  ${tokensPerSecond.toFixed(0)} tok/s  ETA ${formatDuration(snap.etaSeconds)}`;
    if (tty) process.stderr.write(`\r${line}`);
    else if (m.step === first + 1 || m.step === steps || performance.now() - lastPrint > 5000) {
      log(line);
      lastPrint = performance.now();
    }
    if (m.step % saveEvery === 0) await save();
  }
  if (tty) process.stderr.write('\n');
  if (!failure) await save();
  const summary = {
    adapter: ctx.report.name,
    software: ctx.report.isSoftware,
    steps: trainer.step,
    firstLoss,
    lastLoss,
    tokensPerSecond: Math.round(tokensPerSecond),
    stepsPerSecond: ms > 0 ? (trainer.step - first) / (ms / 1000) : 0,
    checkpoint: path.resolve(out),
    interrupted: stop,
    error: failure,
  };
  log(`${failure ? 'stopped' : stop ? 'interrupted' : 'done'}: ${trainer.step} steps, loss ${firstLoss?.toFixed(4)} → ${lastLoss?.toFixed(4)}, checkpoint in ${summary.checkpoint}`);
  if (args.json) console.log(JSON.stringify(summary));
  trainer.destroy();
  ctx.destroy();
  return failure ? 1 : stop ? 130 : 0;
}

runCli('train', main);
