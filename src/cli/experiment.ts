/**
 * `npm run experiment -- --config FILE [--out FILE.json] [--json]`: an ablation study. For every variant of the
 * experiment file (target normalisation, spectral fusion, masking) and every seed, pre-trains the model on the same
 * data with the same step budget, probes the frozen encoder on the same held-out split, then prints a table and an
 * ASCII chart of the probe scores (mean ± standard deviation over seeds) and writes everything as JSON (for the
 * studio). File format: src/probe/experiment.ts and docs/readme-probe.md.
 *
 * Exit status: 0 done, 1 data / label / GPU failure, 2 usage error or invalid experiment file.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDecodePool } from '../data/pool';
import { acquireDevice } from '../gpu/device';
import { nodeGpu } from '../gpu/nodeGpu';
import { asciiChart, formatSummaryTable, parseExperiment, prepareExperiment, runExperiment, summarize } from '../probe/experiment';
import { loadImages, loadLabels } from '../probe/nodeInputs';
import { runCli, UsageError } from './run';

const HELP = `Usage: npm run experiment -- --config FILE [--out FILE.json] [--json]

Pre-trains and probes every variant × seed of an ablation experiment file; prints a table and a chart.

  --config FILE   experiment file (JSON; see docs/readme-probe.md)
  --out FILE      where the JSON results go (default runs/experiment-<name>-<time>.json)
  --json          print the JSON results as the last line
  -h, --help      this help`;


function parseArgs(argv: string[]): { config: string; out: string | null; json: boolean } {
  const a = { config: '', out: null as string | null, json: false };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--config' || s === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${s} needs a value`);
      if (s === '--config') a.config = v;
      else a.out = v;
    } else if (s === '--json') a.json = true;
    else if (s === '-h' || s === '--help') {
      console.log(HELP);
      process.exit(0);
    } else throw new UsageError(`unknown option ${s} (see --help)`);
  }
  if (!a.config) throw new UsageError('--config FILE is required');
  return a;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const log = (msg: string) => (args.json ? process.stderr : process.stdout).write(`${msg}\n`);
  let text: string;
  try {
    text = await readFile(args.config, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${args.config}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const dir = path.dirname(path.resolve(args.config));
  let spec;
  try {
    spec = parseExperiment(text, (p) => path.resolve(dir, p));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const t0 = performance.now();
  log(`experiment  ${spec.name}: ${spec.variants.length} variant(s) × ${spec.seeds.length} seed(s), ${spec.pretrain.steps} pre-training steps of ${spec.pretrain.batch}, probes ${spec.probe.heads.join(' + ')}`);
  const labels = await loadLabels(spec.labels.path, spec.labels);
  for (const n of labels.notes) log(`labels      ${n}`);
  const { data, files } = await loadImages(spec.data, labels.files, await startDecodePool());
  const inputs = await prepareExperiment(spec, data, labels.labels);
  log(`data        ${files.length} image files; training samples ${inputs.train.modalities.map((m) => `${m.name} ${m.bands.length}×${m.size}px×${m.T}`).join(', ')}; ${inputs.samples.length} evaluation tiles${inputs.chunks > 1 ? ` over ${inputs.chunks} date chunks` : ''}`);
  const ctx = await acquireDevice(nodeGpu(), { runtime: 'node (Dawn)' });
  log(`gpu         ${ctx.report.name}${ctx.report.isSoftware ? ' (software adapter: slow)' : ''}`);
  const results = await runExperiment(ctx.device, spec, inputs, {
    onRunStart: (v, seed, i, total) => log(`run ${i + 1}/${total}  ${v.name} (targetNorm ${v.targetNorm}, fusion ${v.fusion}, masking ${v.masking}), seed ${seed}`),
    onRunEnd: (r) =>
      log(
        `            pre-training loss ${r.pretrain.firstLoss.toFixed(4)} → ${r.pretrain.lastLoss.toFixed(4)} (${(r.pretrain.ms / 1000).toFixed(1)} s); ` +
          r.report.heads.map((h) => `${h.head} ${h.scoreName} ${(100 * h.score).toFixed(1)}%`).join(', '),
      ),
  });
  const summary = summarize(
    results,
    spec.variants.map((v) => v.name),
  );
  log('');
  log(formatSummaryTable(summary));
  log('');
  log(asciiChart(summary));
  const chance = results[0]?.report.chance ?? null;
  if (chance) log(`\nchance level of the held-out split: mIoU ${(100 * chance.mIoU).toFixed(1)}% (majority class accuracy ${(100 * chance.majorityAccuracy).toFixed(1)}%)`);
  const out = args.out ?? path.join('runs', `experiment-${spec.name.replace(/[^A-Za-z0-9_-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const json = JSON.stringify({ name: spec.name, spec, adapter: ctx.report.name, seconds: (performance.now() - t0) / 1000, chance, summary, runs: results });
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(out, json);
  log(`\nwrote ${out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (args.json) console.log(json);
  ctx.destroy();
  return 0;
}

runCli('experiment', main);
