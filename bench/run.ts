/**
 * `npm run bench -- <suite> [--runtime node|browser|both] [--quick] [--json] …` (see bench/cli.ts or --help).
 *
 * Runs one suite from the registry (bench/suites/index.ts) in each requested runtime:
 *   node     on Dawn (src/gpu/nodeGpu.ts) in this process;
 *   browser  in headless Chromium, on a page served by Vite (bench/browser/host.ts), where the suite also runs its
 *            peer library in the same page.
 * Prints one Markdown table per section and runtime on stdout; progress goes to stderr. The complete record (every
 * figure, the adapters, the date, the command) is written as JSON to bench/results/ (or --out), and with --json it is
 * also the LAST line of stdout. Exit status 1 when a runtime or a figure failed (skips are not failures).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterReport } from '../src/gpu/capabilities';
import { acquireDevice } from '../src/gpu/device';
import { nodeGpu } from '../src/gpu/nodeGpu';
import { helpText, parseArgs, type BenchOptions } from './cli';
import { runInBrowser } from './browser/host';
import { nodeSharedData } from './sharedFiles';
import { renderSuite, type AdapterSummary, type BenchReport, type Runtime, type SuiteResult } from './report';
import { findSuite, SUITES } from './suites/index';
import type { Suite, SuiteOutput } from './suites/types';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const log = (line: string) => process.stderr.write(`${line}\n`);

function summarizeAdapter(r: AdapterReport): AdapterSummary {
  return { name: r.name, vendor: r.vendor, architecture: r.architecture, description: r.description, isSoftware: r.isSoftware, features: r.features };
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** The commit measured and whether kernel sources differ from it (figures of a dirty tree are not reproducible). */
function revision(): BenchReport['revision'] {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--', 'src', 'shaders', 'bench').length > 0 };
  } catch {
    return undefined;
  }
}

/** Versions a suite reports for peers that do not expose their own (geotiff has no version export). */
const PEER_PACKAGES = ['geotiff', 'onnxruntime-web', '@tensorflow/tfjs-core'];

function peerVersions(): Record<string, string> {
  return Object.fromEntries(PEER_PACKAGES.map((p) => [p, packageVersion(p)]));
}

function suiteOptions(o: BenchOptions) {
  return { quick: o.quick, budgetS: o.budgetS, only: o.only, timing: o.timing };
}

function assemble(suite: Suite, runtime: Runtime, host: string, adapter: AdapterReport, out: SuiteOutput, o: BenchOptions, t0: number, startedAt: string): SuiteResult {
  return {
    suite: suite.name,
    runtime,
    host,
    adapter: summarizeAdapter(adapter),
    peer: out.peer,
    ...(out.peerAbsent ? { peerAbsent: out.peerAbsent } : {}),
    ...(out.fmaPeakGflops !== undefined ? { fmaPeakGflops: out.fmaPeakGflops } : {}),
    settings: { quick: o.quick, budgetS: o.budgetS, timing: out.timing },
    sections: out.sections,
    startedAt,
    durationS: (performance.now() - t0) / 1000,
  };
}

async function runNode(suite: Suite, o: BenchOptions): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const ctx = await acquireDevice(nodeGpu(), { runtime: 'node (Dawn)', label: 'bench' });
  ctx.device.addEventListener('uncapturederror', (e) => log(`[node] uncaptured WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`));
  log(`[node] adapter: ${ctx.report.name}`);
  try {
    const out = await suite.run({ runtime: 'node', ctx, options: suiteOptions(o), log, cores: availableParallelism(), sharedData: nodeSharedData(), versions: peerVersions() });
    return assemble(suite, 'node', `Node ${process.version} + Dawn (npm webgpu ${packageVersion('webgpu')})`, ctx.report, out, o, t0, startedAt);
  } finally {
    ctx.destroy();
  }
}

async function runBrowser(suite: Suite, o: BenchOptions): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const r = await runInBrowser({ suite: suite.name, options: suiteOptions(o), versions: peerVersions() }, log);
  log(`[browser] adapter: ${r.adapter.name}`);
  return assemble(suite, 'browser', r.browser, r.adapter, r.output, o, t0, startedAt);
}

function failedFigures(r: SuiteResult): string[] {
  return r.sections.flatMap((s) =>
    s.rows.flatMap((row) => [row.ours, row.peer].filter((o) => o?.kind === 'failed').map((o) => `${r.runtime} ${row.id}: ${(o as { error: string }).error}`)),
  );
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, SUITES.map((s) => s.name));
  if (parsed.kind === 'help') {
    console.log(helpText(SUITES));
    return 0;
  }
  if (parsed.kind === 'error') {
    log(`bench: ${parsed.message}`);
    return 2;
  }
  const o = parsed.options;
  const suite = findSuite(o.suite)!;
  const unknown = o.only.filter((id) => !suite.sectionIds.includes(id));
  if (unknown.length) {
    log(`bench: unknown section id(s) ${unknown.join(', ')} for suite ${suite.name} (available: ${suite.sectionIds.join(', ')})`);
    return 2;
  }
  const report: BenchReport = {
    suite: suite.name,
    date: new Date().toISOString(),
    command: `npm run bench -- ${argv.join(' ')}`.trim(),
    revision: revision(),
    runs: [],
    failures: [],
  };
  const rev = report.revision ? `commit ${report.revision.commit}${report.revision.dirty ? ' + uncommitted changes' : ''}` : 'no git revision';
  console.log(`# ${report.command} — ${report.date}, ${rev}\n`);
  for (const runtime of o.runtimes) {
    if (!suite.runtimes.includes(runtime)) {
      report.failures.push({ runtime, error: `suite ${suite.name} does not run in ${runtime}` });
      continue;
    }
    try {
      const r = runtime === 'node' ? await runNode(suite, o) : await runBrowser(suite, o);
      report.runs.push(r);
      console.log(`${renderSuite(r)}\n`);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      report.failures.push({ runtime, error });
      log(`bench: the ${runtime} runtime failed: ${error}`);
    }
  }
  const file = o.out ?? join(REPO_ROOT, 'bench/results', `${suite.name}-${report.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`bench: record written to ${file}`);
  const failed = report.runs.flatMap(failedFigures);
  for (const f of failed) log(`bench: FAILED ${f}`);
  if (o.json) console.log(JSON.stringify(report));
  return report.failures.length || failed.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    log(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
