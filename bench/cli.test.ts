// Unit tests of the bench command line (bench/cli.ts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET_S, helpText, parseArgs, QUICK_BUDGET_S } from './cli';

const suites = ['kernels', 'train'];

describe('parseArgs', () => {
  it('defaults: both runtimes, auto timing, the full budget', () => {
    const r = parseArgs(['kernels'], suites);
    expect(r).toEqual({
      kind: 'run',
      options: { suite: 'kernels', runtimes: ['node', 'browser'], json: false, quick: false, budgetS: DEFAULT_BUDGET_S, only: [], timing: 'auto' },
    });
  });

  it('flags with separate or inline values; --quick lowers the default budget, --budget overrides it', () => {
    const r = parseArgs(['--json', 'kernels', '--runtime', 'node', '--quick', '--only=matmul,peak', '--timing', 'wall', '--out', 'x.json'], suites);
    expect(r.kind === 'run' && r.options).toMatchObject({ runtimes: ['node'], json: true, quick: true, budgetS: QUICK_BUDGET_S, only: ['matmul', 'peak'], timing: 'wall', out: 'x.json' });
    const b = parseArgs(['kernels', '--quick', '--budget', '2.5'], suites);
    expect(b.kind === 'run' && b.options.budgetS).toBe(2.5);
  });

  it('help wins over everything', () => {
    expect(parseArgs(['kernels', '--help'], suites)).toEqual({ kind: 'help' });
    expect(helpText([{ name: 'kernels', description: 'the kernels' }])).toMatch(/kernels +the kernels/);
    expect(helpText([{ name: 'train', description: 'steps', sectionIds: ['tiny', 'small'] }])).toMatch(/^ +train: tiny, small$/m);
  });

  it('errors name the problem', () => {
    const msg = (argv: string[]) => {
      const r = parseArgs(argv, suites);
      return r.kind === 'error' ? r.message : '';
    };
    expect(msg([])).toMatch(/name a suite: kernels, train/);
    expect(msg(['nope'])).toMatch(/unknown suite "nope"/);
    expect(msg(['kernels', 'train'])).toMatch(/one suite at a time/);
    expect(msg(['kernels', '--runtime', 'gpu'])).toMatch(/--runtime must be/);
    expect(msg(['kernels', '--budget', '-1'])).toMatch(/--budget must be a positive/);
    expect(msg(['kernels', '--timing', 'x'])).toMatch(/--timing must be auto or wall/);
    expect(msg(['kernels', '--frobnicate'])).toMatch(/unknown option --frobnicate/);
  });
});
