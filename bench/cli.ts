/**
 * Command line of `npm run bench -- <suite> [options]`: parsing and help text. Pure (no process access) so it is
 * unit-tested; bench/run.ts feeds it process.argv and the registry's suite names.
 */
import { RUNTIMES, type Runtime } from './report';

export interface BenchOptions {
  suite: string;
  runtimes: Runtime[];
  json: boolean;
  quick: boolean;
  /** Time budget per figure, seconds. */
  budgetS: number;
  /** Section ids to run (empty: all). */
  only: string[];
  /** Where to write the JSON record (default: bench/results/<suite>-<date>.json). */
  out?: string;
  /** 'auto' uses GPU timestamps when the adapter has timestamp-query; 'wall' forces the wall clock. */
  timing: 'auto' | 'wall';
}

export type ParseResult = { kind: 'run'; options: BenchOptions } | { kind: 'help' } | { kind: 'error'; message: string };

export const DEFAULT_BUDGET_S = 30;
export const QUICK_BUDGET_S = 6;

export function helpText(suites: readonly { name: string; description: string; sectionIds?: readonly string[] }[]): string {
  return [
    'Usage: npm run bench -- <suite> [--runtime node|browser|both] [--quick] [--json] [--budget <s>] [--only <ids>]',
    '                        [--timing auto|wall] [--out <file>]',
    '',
    'Suites:',
    ...suites.map((s) => `  ${s.name.padEnd(10)} ${s.description}`),
    '',
    'Options:',
    '  --runtime R   node (our kernels on Dawn), browser (headless Chromium: our kernels and the peer in one page), or',
    '                both (default).',
    `  --quick       short run: ${QUICK_BUDGET_S} s budget per figure, at most 5 repetitions.`,
    `  --budget S    time budget per figure in seconds (default ${DEFAULT_BUDGET_S}, --quick ${QUICK_BUDGET_S}). A figure whose`,
    '                warm-up + 3 repetitions are predicted to exceed it is reported as skipped, never estimated.',
    '  --only IDS    comma-separated section (kernels) or case ids of the suite:',
    ...suites.filter((s) => s.sectionIds?.length).map((s) => `                  ${s.name}: ${s.sectionIds!.join(', ')}`),
    '  --timing T    auto (GPU timestamp queries when the adapter has timestamp-query, default) or wall.',
    '  --json        after the tables, print the whole record as ONE JSON line (always the last stdout line).',
    '  --out FILE    write the JSON record there instead of bench/results/<suite>-<date>.json.',
    '  --help        this text.',
    '',
    'Environment: EO_MAE_ICD=swiftshader|lavapipe|<icd.json> picks the Vulkan driver Dawn uses in Node;',
    'CHROMIUM_PATH overrides /usr/bin/chromium. Progress goes to stderr, tables and JSON to stdout.',
  ].join('\n');
}

export function parseArgs(argv: readonly string[], suiteNames: readonly string[]): ParseResult {
  const opts: Partial<BenchOptions> & { only: string[] } = { only: [], json: false, quick: false, timing: 'auto' };
  let runtime = 'both';
  let budget: number | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        return { kind: 'help' };
      case '--json':
        opts.json = true;
        break;
      case '--quick':
        opts.quick = true;
        break;
      case '--runtime': {
        const v = value();
        if (!v || ![...RUNTIMES, 'both'].includes(v)) return { kind: 'error', message: `--runtime must be node, browser or both, got ${v ?? 'nothing'}` };
        runtime = v;
        break;
      }
      case '--budget': {
        const v = Number(value());
        if (!(v > 0)) return { kind: 'error', message: '--budget must be a positive number of seconds' };
        budget = v;
        break;
      }
      case '--only': {
        const v = value();
        if (!v) return { kind: 'error', message: '--only needs a comma-separated list of section ids' };
        opts.only = v.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      }
      case '--timing': {
        const v = value();
        if (v !== 'auto' && v !== 'wall') return { kind: 'error', message: `--timing must be auto or wall, got ${v ?? 'nothing'}` };
        opts.timing = v;
        break;
      }
      case '--out': {
        const v = value();
        if (!v) return { kind: 'error', message: '--out needs a file name' };
        opts.out = v;
        break;
      }
      default:
        if (a.startsWith('-')) return { kind: 'error', message: `unknown option ${a} (see --help)` };
        positional.push(a);
    }
  }
  if (positional.length !== 1) {
    return { kind: 'error', message: positional.length ? `one suite at a time, got ${positional.join(' ')}` : `name a suite: ${suiteNames.join(', ')}` };
  }
  const suite = positional[0];
  if (!suiteNames.includes(suite)) return { kind: 'error', message: `unknown suite "${suite}" (available: ${suiteNames.join(', ')})` };
  const runtimes = runtime === 'both' ? [...RUNTIMES] : [runtime as Runtime];
  return {
    kind: 'run',
    options: { ...opts, suite, runtimes, json: opts.json!, quick: opts.quick!, timing: opts.timing!, budgetS: budget ?? (opts.quick ? QUICK_BUDGET_S : DEFAULT_BUDGET_S) },
  };
}
